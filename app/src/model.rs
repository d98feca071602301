//! The shapes of data that cross between server and browser: what lists and
//! forms show. They hold no secrets (no password hashes, no session tokens).

use crate::domain::Problem;
use crate::domain::account::Role;
use crate::domain::import::{ImportKind, RowError};
use crate::domain::person::Position;
use crate::domain::unit::UnitKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub path: String,
    pub min_on_duty: i64,
    pub people: i64,
}

impl Unit {
    /// Depth in the tree, 0 for a top-level unit.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub positions: Vec<Position>,
    /// Masked (138****1234) unless the viewer may manage this person.
    pub phone: Option<String>,
    pub account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub token: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub headers: Vec<String>,
    /// The first rows as read (for the user to check the characters came
    /// through right), with their spreadsheet row numbers.
    pub sample: Vec<(usize, Vec<String>)>,
    pub total_rows: usize,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// Translation key of what needs attention.
    pub key: String,
    pub count: i64,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Home {
    pub items: Vec<Attention>,
    /// People per position in the caller's reach, for the chart.
    pub chart_svg: Option<String>,
    pub my_unit: Option<String>,
    pub my_positions: Vec<Position>,
}

/// A form's answer: nothing, or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub id: i64,
    pub message: Problem,
}
