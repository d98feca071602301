//! The registry of earthquake-reporting assistants (防震减灾助理员 for a
//! subdistrict, 灾情速报员 for a village or community): which unit each
//! role belongs to, certificate numbers, a certificate's status on a given
//! day (registered, certified, expiring, expired, revoked), the masked name
//! the public verify page shows, and reporter coverage per subdistrict.
//! "Today" is always a parameter.

use super::Problem;
use super::unit::UnitKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RegistryRole {
    /// 防震减灾助理员: one per subdistrict at least.
    Assistant,
    /// 灾情速报员: one or two per village or community.
    Reporter,
}

impl RegistryRole {
    pub const ALL: [RegistryRole; 2] = [RegistryRole::Assistant, RegistryRole::Reporter];

    pub fn code(self) -> &'static str {
        match self {
            RegistryRole::Assistant => "assistant",
            RegistryRole::Reporter => "reporter",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            RegistryRole::Assistant => "registry.role_assistant",
            RegistryRole::Reporter => "registry.role_reporter",
        }
    }

    /// From a code or the Chinese name, as forms and import files give it.
    pub fn parse(raw: &str) -> Result<RegistryRole, Problem> {
        match raw.trim() {
            "" => Err(Problem::new("problem.required")),
            "assistant" | "防震减灾助理员" | "助理员" => Ok(RegistryRole::Assistant),
            "reporter" | "灾情速报员" | "速报员" => Ok(RegistryRole::Reporter),
            other => Err(Problem::with("problem.unknown_choice", &[other])),
        }
    }

    /// The role belongs to a subdistrict (assistants) or to a village or
    /// community (reporters).
    pub fn check_unit(self, kind: UnitKind) -> Result<(), Problem> {
        let fits = match self {
            RegistryRole::Assistant => kind == UnitKind::Subdistrict,
            RegistryRole::Reporter => kind.is_grass_roots(),
        };
        if fits {
            Ok(())
        } else {
            Err(Problem::new(match self {
                RegistryRole::Assistant => "problem.assistant_unit",
                RegistryRole::Reporter => "problem.reporter_unit",
            }))
        }
    }
}

/// Registering someone, as the form sends it: an existing person by
/// number, or a new one when a name is given for an unknown number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub person_code: String,
    pub name: String,
    pub role: String,
    pub unit_id: String,
    pub phone: String,
    pub appointed_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterDef {
    pub person_code: String,
    /// Given: create the person if the number is unknown.
    pub name: Option<String>,
    pub role: RegistryRole,
    pub unit_id: i64,
    pub phone: Option<String>,
    pub appointed_on: NaiveDate,
}

impl RegisterForm {
    pub fn parse(&self) -> Result<RegisterDef, super::FieldProblem> {
        use super::field_at as at;
        let person_code =
            super::code_field(&self.person_code).map_err(|p| at("field.person_code", p))?;
        let name = super::text_field(&self.name, 0, 40).map_err(|p| at("field.person_name", p))?;
        let role = RegistryRole::parse(&self.role).map_err(|p| at("field.registry_role", p))?;
        let unit_id = self
            .unit_id
            .trim()
            .parse::<i64>()
            .map_err(|_| at("field.unit", Problem::new("problem.pick_unit")))?;
        let phone = super::person::parse_phone(&self.phone).map_err(|p| at("field.phone", p))?;
        let appointed_on =
            super::iso_date(&self.appointed_on).map_err(|p| at("field.appointed_on", p))?;
        Ok(RegisterDef {
            person_code,
            name: (!name.is_empty()).then_some(name),
            role,
            unit_id,
            phone,
            appointed_on,
        })
    }
}

/// A certificate number: `YJ-2018-000123` (the year of issue and a
/// district-wide sequence).
pub fn certificate_number(year: i32, seq: i64) -> String {
    format!("YJ-{year}-{seq:06}")
}

/// Is this a certificate number's shape? (The verify page answers "not
/// found" without a lookup otherwise.)
pub fn is_certificate_number(raw: &str) -> bool {
    let parts: Vec<&str> = raw.split('-').collect();
    matches!(parts[..], ["YJ", y, n]
        if y.len() == 4 && n.len() == 6
            && y.bytes().all(|b| b.is_ascii_digit())
            && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Days before expiry from which a certificate counts as expiring.
pub const EXPIRING_DAYS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertStatus {
    /// In the registry, no certificate yet.
    Registered,
    Certified,
    /// 60 days or less left.
    Expiring,
    Expired,
    Revoked,
}

impl CertStatus {
    pub fn code(self) -> &'static str {
        match self {
            CertStatus::Registered => "registered",
            CertStatus::Certified => "certified",
            CertStatus::Expiring => "expiring",
            CertStatus::Expired => "expired",
            CertStatus::Revoked => "revoked",
        }
    }

    pub fn label_key(self) -> String {
        format!("cert_status.{}", self.code())
    }

    /// Valid on the day: certified or expiring.
    pub fn is_valid(self) -> bool {
        matches!(self, CertStatus::Certified | CertStatus::Expiring)
    }
}

/// A certificate's dates and whether it was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertDates {
    pub issued_on: NaiveDate,
    /// `None`: the course's pass does not expire.
    pub expires_on: Option<NaiveDate>,
    pub revoked: bool,
}

/// The status of one certificate on `today`. Valid through its expiry day.
pub fn cert_status(c: &CertDates, today: NaiveDate) -> CertStatus {
    if c.revoked {
        return CertStatus::Revoked;
    }
    match c.expires_on {
        None => CertStatus::Certified,
        Some(end) if today > end => CertStatus::Expired,
        Some(end) if (end - today).num_days() <= EXPIRING_DAYS => CertStatus::Expiring,
        Some(_) => CertStatus::Certified,
    }
}

/// The last expiry date a certificate can have on `today` and still need
/// renewing (expiring or expired): lists of those read only certificates
/// ending by then, and `cert_status` decides.
pub fn renewal_horizon(today: NaiveDate) -> NaiveDate {
    today + chrono::Duration::days(EXPIRING_DAYS)
}

/// A person's status from all their certificates (newest last): the
/// newest decides; none at all is registered.
pub fn person_status(certs: &[CertDates], today: NaiveDate) -> CertStatus {
    certs
        .last()
        .map_or(CertStatus::Registered, |c| cert_status(c, today))
}

/// A name as the public verify page shows it: 张*明, 李*, 欧**峰.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// A unit for reporter coverage: its id, kind and the subdistrict it is
/// in (itself for a subdistrict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoverageUnit {
    pub id: i64,
    pub kind: UnitKind,
    pub subdistrict: i64,
}

/// One subdistrict's line: whether it has a certified assistant, how many
/// of its villages and communities have enough certified reporters, and
/// which units fall short (id, certified, needed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubdistrictCoverage {
    pub subdistrict: i64,
    pub assistants: i64,
    pub grass_roots: i64,
    pub grass_roots_covered: i64,
    pub gaps: Vec<(i64, i64, i64)>,
}

impl SubdistrictCoverage {
    /// The `reporter_coverage` metric: covered places (the subdistrict's
    /// own assistant post and each village or community) over places.
    pub fn metric(&self) -> (i64, i64) {
        (
            i64::from(self.assistants > 0) + self.grass_roots_covered,
            1 + self.grass_roots,
        )
    }
}

/// Coverage per subdistrict, in the order the subdistricts come: `valid`
/// counts certified (valid today) people per (unit, role); every village
/// or community needs `reporters_needed` (1 or 2) reporters, every
/// subdistrict one assistant.
pub fn reporter_coverage(
    units: &[CoverageUnit],
    valid: &HashMap<(i64, RegistryRole), i64>,
    reporters_needed: i64,
) -> Vec<SubdistrictCoverage> {
    let mut order = Vec::new();
    let mut rows: HashMap<i64, SubdistrictCoverage> = HashMap::new();
    for u in units.iter().filter(|u| u.kind == UnitKind::Subdistrict) {
        order.push(u.id);
        let n = valid
            .get(&(u.id, RegistryRole::Assistant))
            .copied()
            .unwrap_or(0);
        rows.insert(
            u.id,
            SubdistrictCoverage {
                subdistrict: u.id,
                assistants: n,
                gaps: if n == 0 {
                    vec![(u.id, 0, 1)]
                } else {
                    Vec::new()
                },
                ..Default::default()
            },
        );
    }
    for u in units.iter().filter(|u| u.kind.is_grass_roots()) {
        let Some(row) = rows.get_mut(&u.subdistrict) else {
            continue;
        };
        let n = valid
            .get(&(u.id, RegistryRole::Reporter))
            .copied()
            .unwrap_or(0);
        row.grass_roots += 1;
        if n >= reporters_needed {
            row.grass_roots_covered += 1;
        } else {
            row.gaps.push((u.id, n, reporters_needed));
        }
    }
    order
        .into_iter()
        .filter_map(|id| rows.remove(&id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renewal_horizon_is_the_last_expiry_that_needs_renewing() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let ending = |end: NaiveDate| CertDates {
            issued_on: today - chrono::Duration::days(300),
            expires_on: Some(end),
            revoked: false,
        };
        let horizon = renewal_horizon(today);
        assert_eq!(cert_status(&ending(horizon), today), CertStatus::Expiring);
        assert_eq!(
            cert_status(&ending(horizon + chrono::Duration::days(1)), today),
            CertStatus::Certified
        );
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn roles_belong_to_their_kind_of_unit() {
        assert_eq!(
            RegistryRole::parse("灾情速报员"),
            Ok(RegistryRole::Reporter)
        );
        assert_eq!(
            RegistryRole::parse(" assistant "),
            Ok(RegistryRole::Assistant)
        );
        assert_eq!(
            RegistryRole::parse("队长").unwrap_err().key,
            "problem.unknown_choice"
        );
        assert!(
            RegistryRole::Assistant
                .check_unit(UnitKind::Subdistrict)
                .is_ok()
        );
        assert!(
            RegistryRole::Assistant
                .check_unit(UnitKind::Village)
                .is_err()
        );
        assert!(
            RegistryRole::Reporter
                .check_unit(UnitKind::Community)
                .is_ok()
        );
        assert_eq!(
            RegistryRole::Reporter
                .check_unit(UnitKind::Department)
                .unwrap_err()
                .key,
            "problem.reporter_unit"
        );
    }

    #[test]
    fn a_registration_form_names_the_field_at_fault() {
        let mut f = RegisterForm {
            person_code: "JD01-V1-01".into(),
            name: "".into(),
            role: "灾情速报员".into(),
            unit_id: "7".into(),
            phone: "138 1234 1234".into(),
            appointed_on: "2018-03-01".into(),
        };
        let def = f.parse().unwrap();
        assert_eq!(
            (def.role, def.unit_id, def.name),
            (RegistryRole::Reporter, 7, None)
        );
        assert_eq!(def.phone.as_deref(), Some("13812341234"));
        f.appointed_on = "2018-02-30".into();
        assert_eq!(f.parse().unwrap_err().0, "field.appointed_on");
        f.appointed_on = "2018-02-28".into();
        f.unit_id = "".into();
        assert_eq!(f.parse().unwrap_err().0, "field.unit");
    }

    #[test]
    fn certificate_numbers_have_one_shape() {
        assert_eq!(certificate_number(2018, 123), "YJ-2018-000123");
        assert!(is_certificate_number("YJ-2018-000123"));
        for bad in [
            "YJ-2018-123",
            "yj-2018-000123",
            "YJ-2018-000123-1",
            "",
            "YJ-20x8-000123",
        ] {
            assert!(!is_certificate_number(bad), "{bad}");
        }
    }

    #[test]
    fn a_certificate_is_expiring_sixty_days_before_and_expired_the_day_after() {
        let c = CertDates {
            issued_on: d("2018-03-01"),
            expires_on: Some(d("2019-02-28")),
            revoked: false,
        };
        assert_eq!(cert_status(&c, d("2018-12-29")), CertStatus::Certified);
        assert_eq!(cert_status(&c, d("2018-12-30")), CertStatus::Expiring);
        assert_eq!(cert_status(&c, d("2019-02-28")), CertStatus::Expiring);
        assert_eq!(cert_status(&c, d("2019-03-01")), CertStatus::Expired);
        assert!(!CertStatus::Expired.is_valid());
        let revoked = CertDates { revoked: true, ..c };
        assert_eq!(cert_status(&revoked, d("2018-06-01")), CertStatus::Revoked);
        let forever = CertDates {
            expires_on: None,
            ..c
        };
        assert_eq!(
            cert_status(&forever, d("2030-01-01")),
            CertStatus::Certified
        );
    }

    #[test]
    fn the_newest_certificate_decides_and_none_is_registered() {
        let old = CertDates {
            issued_on: d("2016-03-01"),
            expires_on: Some(d("2017-02-28")),
            revoked: false,
        };
        let new = CertDates {
            issued_on: d("2018-03-01"),
            expires_on: Some(d("2020-02-29")),
            revoked: false,
        };
        assert_eq!(person_status(&[], d("2018-06-01")), CertStatus::Registered);
        assert_eq!(
            person_status(&[old, new], d("2018-06-01")),
            CertStatus::Certified
        );
        assert_eq!(person_status(&[old], d("2018-06-01")), CertStatus::Expired);
    }

    #[test]
    fn names_are_masked_keeping_the_first_and_last_character() {
        assert_eq!(mask_name("张三明"), "张*明");
        assert_eq!(mask_name("李娜"), "李*");
        assert_eq!(mask_name("欧阳晓峰"), "欧**峰");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn coverage_needs_an_assistant_per_subdistrict_and_reporters_per_village() {
        let u = |id, kind, subdistrict| CoverageUnit {
            id,
            kind,
            subdistrict,
        };
        let units = [
            u(1, UnitKind::Subdistrict, 1),
            u(2, UnitKind::Village, 1),
            u(3, UnitKind::Community, 1),
            u(4, UnitKind::Subdistrict, 4),
            u(5, UnitKind::Village, 4),
            u(9, UnitKind::Department, 0),
        ];
        let valid: HashMap<(i64, RegistryRole), i64> = [
            ((1, RegistryRole::Assistant), 1),
            ((2, RegistryRole::Reporter), 2),
            ((3, RegistryRole::Reporter), 1),
            ((5, RegistryRole::Reporter), 1),
        ]
        .into();
        let one = reporter_coverage(&units, &valid, 1);
        assert_eq!(one[0].metric(), (3, 3));
        assert!(one[0].gaps.is_empty());
        assert_eq!(one[1].metric(), (1, 2), "no assistant at 4");
        assert_eq!(one[1].gaps, vec![(4, 0, 1)]);
        let two = reporter_coverage(&units, &valid, 2);
        assert_eq!(two[0].metric(), (2, 3));
        assert_eq!(two[0].gaps, vec![(3, 1, 2)]);
        assert_eq!(two[1].gaps, vec![(4, 0, 1), (5, 1, 2)]);
    }
}
