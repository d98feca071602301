//! What the directory shows: units and people.

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
    /// Enterprise workers: cleared for post (准许上岗) or not; `None` for
    /// everyone the rule does not apply to.
    #[serde(default)]
    pub cleared: Option<bool>,
}
