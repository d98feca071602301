//! What the account pages show (never a password hash).

use crate::domain::account::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub role: Role,
    pub scope_unit_id: Option<i64>,
    pub scope_unit_name: Option<String>,
    pub scope_unit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub grants: Vec<GrantView>,
    pub person_name: Option<String>,
}
