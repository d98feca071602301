//! What the preview page shows.

use crate::domain::import::{ImportKind, RowError};
use serde::{Deserialize, Serialize};

/// How many rows the preview shows.
pub const SAMPLE_ROWS: usize = 20;

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
