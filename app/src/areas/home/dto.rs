//! What the home page shows.

use crate::domain::person::Position;
use crate::model::Notice;
use serde::{Deserialize, Serialize};

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
    /// The caller's notices (reminders among them), newest first.
    #[serde(default)]
    pub notices: Vec<Notice>,
}
