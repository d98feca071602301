//! What the registry's pages show: entries (phones masked for those
//! without the registry permission), certificates, confirmation progress,
//! reporter coverage with its gaps, and the public verify answer.

use crate::domain::registry::{CertStatus, RegistryRole, SubdistrictCoverage};
use crate::domain::unit::UnitKind;
use crate::model::Unit;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Entries a page of the registry shows.
pub const REGISTRY_PAGE: usize = 25;

/// One registry entry as lists show it; `phone` is masked for those
/// without the registry permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRow {
    pub id: i64,
    pub person_id: i64,
    pub person_code: String,
    pub person_name: String,
    pub role: RegistryRole,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub phone: Option<String>,
    pub appointed_on: NaiveDate,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<i64>,
    /// The unit of whoever confirmed it (their own, or the one they
    /// organize); none for the district office's own accounts.
    #[serde(default)]
    pub confirmed_unit: Option<String>,
    /// The newest certificate's number and expiry, if any.
    pub certificate: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub status: CertStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRow {
    pub number: String,
    pub person_id: i64,
    pub person_name: String,
    pub unit_name: String,
    pub unit_path: String,
    pub course_title: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoke_reason: Option<String>,
    pub status: CertStatus,
}

/// A village or community short of certified reporters (or a subdistrict
/// without a certified assistant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapRow {
    pub unit_name: String,
    pub kind: UnitKind,
    pub have: i64,
    pub need: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageLine {
    pub subdistrict: String,
    pub coverage: SubdistrictCoverage,
    pub gaps: Vec<GapRow>,
}

/// A subdistrict's confirmation progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveProgress {
    pub unit_id: i64,
    pub unit_name: String,
    pub confirmed: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryPage {
    /// One page of what the search found.
    pub rows: Vec<RegistryRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub progress: Vec<DriveProgress>,
    pub may_manage: bool,
    /// Units the caller may register people in (subdistricts, villages
    /// and communities within scope).
    pub units: Vec<Unit>,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminders {
    /// Expiring (60 days or less) and expired, soonest first.
    pub certificates: Vec<CertificateRow>,
}

/// The public answer for a certificate number: no more than the page
/// shows (a masked name, the role, the unit, valid today or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    pub number: String,
    pub masked_name: String,
    pub course_title: String,
    pub unit_name: String,
    /// The holder's role in the registry, if registered.
    pub role: Option<RegistryRole>,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub status: CertStatus,
    pub today: NaiveDate,
}

/// A certificate to print: its facts, the verify address and its QR code
/// (SVG, made on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    pub cert: CertificateRow,
    pub verify_url: String,
    pub qr_svg: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterCoverageReport {
    pub reporters_needed: i64,
    pub lines: Vec<CoverageLine>,
    /// Plotters SVG: covered places per subdistrict, in percent.
    pub chart: String,
    pub may_configure: bool,
}
