//! Units (单位): their kinds, where each kind may sit in the tree, and the
//! materialized path that makes "this unit and everything under it" one
//! prefix test.

use super::{Problem, code_field, text_field};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UnitKind {
    Subdistrict,
    Department,
    IndustrialCentre,
    School,
    Enterprise,
    Village,
    Community,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::Subdistrict,
        UnitKind::Department,
        UnitKind::IndustrialCentre,
        UnitKind::School,
        UnitKind::Enterprise,
        UnitKind::Village,
        UnitKind::Community,
    ];

    /// The code used in files, URLs and the database.
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Subdistrict => "subdistrict",
            UnitKind::Department => "department",
            UnitKind::IndustrialCentre => "industrial_centre",
            UnitKind::School => "school",
            UnitKind::Enterprise => "enterprise",
            UnitKind::Village => "village",
            UnitKind::Community => "community",
        }
    }

    /// The translation key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            UnitKind::Subdistrict => "kind.subdistrict",
            UnitKind::Department => "kind.department",
            UnitKind::IndustrialCentre => "kind.industrial_centre",
            UnitKind::School => "kind.school",
            UnitKind::Enterprise => "kind.enterprise",
            UnitKind::Village => "kind.village",
            UnitKind::Community => "kind.community",
        }
    }

    /// Accepts the code or the Chinese name a spreadsheet would use.
    pub fn parse(raw: &str) -> Result<UnitKind, Problem> {
        let value = raw.trim();
        let kind = match value {
            "subdistrict" | "街道" => UnitKind::Subdistrict,
            "department" | "部门" | "部委办局" => UnitKind::Department,
            "industrial_centre" | "产业中心" => UnitKind::IndustrialCentre,
            "school" | "学校" | "中小学校" => UnitKind::School,
            "enterprise" | "企业" | "重点企业" => UnitKind::Enterprise,
            "village" | "村" | "村居" => UnitKind::Village,
            "community" | "社区" => UnitKind::Community,
            "" => return Err(Problem::new("problem.required")),
            other => return Err(Problem::with("problem.unknown_kind", &[other])),
        };
        Ok(kind)
    }

    /// Villages and communities are the grass roots under a subdistrict.
    pub fn is_grass_roots(self) -> bool {
        matches!(self, UnitKind::Village | UnitKind::Community)
    }
}

/// Where a unit of `child` kind may sit: grass-roots units only directly
/// under a subdistrict; nothing under a grass-roots unit; every other kind at
/// the top or under any unit that is not grass roots (a school under the
/// education bureau, an enterprise under an industrial centre).
pub fn check_parent(child: UnitKind, parent: Option<UnitKind>) -> Result<(), Problem> {
    match (child.is_grass_roots(), parent) {
        (true, Some(UnitKind::Subdistrict)) => Ok(()),
        (true, _) => Err(Problem::new("problem.grass_roots_needs_subdistrict")),
        (false, Some(p)) if p.is_grass_roots() => {
            Err(Problem::new("problem.no_units_under_grass_roots"))
        }
        (false, _) => Ok(()),
    }
}

/// The materialized path of a unit: the ids from the root down, each
/// followed by `/`, e.g. `/3/17/`. A unit's subtree is every path that starts
/// with its own.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    match parent_path {
        Some(p) => format!("{p}{id}/"),
        None => format!("/{id}/"),
    }
}

/// True when `path` is `ancestor` itself or lies under it.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    path.starts_with(ancestor)
}

/// A unit may not be moved under itself or one of its descendants.
pub fn check_move(unit_path: &str, new_parent_path: Option<&str>) -> Result<(), Problem> {
    match new_parent_path {
        Some(p) if is_within(p, unit_path) => Err(Problem::new("problem.move_into_own_subtree")),
        _ => Ok(()),
    }
}

/// A unit as a user enters it, checked field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDraft {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub min_on_duty: i64,
}

/// Which field of a unit a problem belongs to.
pub type FieldProblem = (&'static str, Problem);

impl UnitDraft {
    pub fn parse(
        code: &str,
        name: &str,
        kind: &str,
        min_on_duty: &str,
    ) -> Result<UnitDraft, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let code = code_field(code)
            .map_err(|p| problems.push(("field.code", p)))
            .ok();
        let name = text_field(name, 1, 64)
            .map_err(|p| problems.push(("field.name", p)))
            .ok();
        let kind = UnitKind::parse(kind)
            .map_err(|p| problems.push(("field.kind", p)))
            .ok();
        let min_on_duty = parse_count(min_on_duty, 9999)
            .map_err(|p| problems.push(("field.min_on_duty", p)))
            .ok();
        match (code, name, kind, min_on_duty) {
            (Some(code), Some(name), Some(kind), Some(min_on_duty)) if problems.is_empty() => {
                Ok(UnitDraft {
                    code,
                    name,
                    kind,
                    min_on_duty,
                })
            }
            _ => Err(problems),
        }
    }
}

/// A whole number from 0 to `max`; empty means 0.
pub fn parse_count(raw: &str, max: i64) -> Result<i64, Problem> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(0);
    }
    match value.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Ok(n),
        Ok(_) => Err(Problem::with(
            "problem.out_of_range",
            &["0", &max.to_string()],
        )),
        Err(_) => Err(Problem::new("problem.not_a_number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_codes_and_chinese_names() {
        for kind in UnitKind::ALL {
            assert_eq!(UnitKind::parse(kind.code()), Ok(kind));
        }
        assert_eq!(UnitKind::parse("街道"), Ok(UnitKind::Subdistrict));
        assert_eq!(UnitKind::parse(" 社区 "), Ok(UnitKind::Community));
        assert_eq!(
            UnitKind::parse("乡镇"),
            Err(Problem::with("problem.unknown_kind", &["乡镇"]))
        );
    }

    #[test]
    fn villages_and_communities_sit_directly_under_a_subdistrict() {
        assert!(check_parent(UnitKind::Village, Some(UnitKind::Subdistrict)).is_ok());
        assert!(check_parent(UnitKind::Community, None).is_err());
        assert!(check_parent(UnitKind::Village, Some(UnitKind::Department)).is_err());
        assert!(check_parent(UnitKind::School, Some(UnitKind::Village)).is_err());
        assert!(check_parent(UnitKind::School, Some(UnitKind::Department)).is_ok());
        assert!(check_parent(UnitKind::Department, None).is_ok());
    }

    #[test]
    fn a_unit_cannot_move_into_its_own_subtree() {
        let unit = child_path(Some("/1/"), 5);
        assert_eq!(unit, "/1/5/");
        assert!(check_move(&unit, Some("/1/5/9/")).is_err());
        assert!(check_move(&unit, Some("/1/5/")).is_err());
        assert!(check_move(&unit, Some("/2/")).is_ok());
        assert!(check_move(&unit, None).is_ok());
        // "/1/50/" is not under "/1/5/": the trailing slash keeps ids apart.
        assert!(!is_within("/1/50/", "/1/5/"));
    }

    #[test]
    fn a_unit_draft_reports_every_bad_field() {
        let err = UnitDraft::parse("", "", "乡镇", "-1").unwrap_err();
        let fields: Vec<_> = err.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec![
                "field.code",
                "field.name",
                "field.kind",
                "field.min_on_duty"
            ]
        );
        let ok = UnitDraft::parse("GA", "公安分局", "department", "4").unwrap();
        assert_eq!(ok.min_on_duty, 4);
        assert_eq!(ok.kind, UnitKind::Department);
    }
}
