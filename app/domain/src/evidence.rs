//! Evidence behind assessment figures (DOMAIN.md §4, "where a figure comes
//! from"): which metrics the platform computes and for which units, how a
//! computed value meets an assessor's override, and how an assessor is told
//! what moved since they last looked. Pure: the storage applies these rules.

use super::assessment::Points;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Does the platform compute this metric (so that entering a value is an
/// override that needs a reason)? The computed metrics are
/// `scheme::METRICS`; what each counts for a unit (DOMAIN.md §4):
/// - `plan_coverage`: the units required to have a plan within the unit's
///   own subtree (itself and the units under it) and how many of them have
///   one in force. A plan counts for its own unit and that unit's
///   ancestors, never for a sibling: the district office's plan moves no
///   subdistrict.
/// - `drills_held`: drills of the year held (or evaluated) that the unit
///   organized or took part in, against the drills required a year.
/// - `training_coverage`: the unit's own people a rotation of the year
///   requires, and how many of them completed.
/// - `reporter_coverage`: a subdistrict's places needing a certified
///   assistant or quick-reporter, and how many have one.
pub fn is_computed(metric: &str) -> bool {
    super::scheme::METRICS.contains(&metric)
}

/// Where a stored metric value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Written by a sync from the platform's records.
    Computed,
    /// Entered or imported for a metric nothing computes.
    Entered,
    /// An assessor's value for a computed metric, with a reason; syncs
    /// keep it and show the computed value beside it.
    Override,
}

impl Origin {
    pub fn code(self) -> &'static str {
        match self {
            Origin::Computed => "computed",
            Origin::Entered => "entered",
            Origin::Override => "override",
        }
    }

    /// A stored code; anything else is not an origin (the column is
    /// `NOT NULL DEFAULT 'entered'`, so every row holds one of the three).
    pub fn parse(code: &str) -> Option<Origin> {
        match code {
            "computed" => Some(Origin::Computed),
            "override" => Some(Origin::Override),
            "entered" => Some(Origin::Entered),
            _ => None,
        }
    }

    /// What an assessor's entry of `metric` is.
    pub fn of_entry(metric: &str) -> Origin {
        if is_computed(metric) {
            Origin::Override
        } else {
            Origin::Entered
        }
    }
}

/// What a sync does with one unit's stored value of a computed metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStep {
    /// Nothing to write.
    Keep,
    /// The value the rules read becomes the computed one.
    Replace,
    /// An override stands; only the computed value beside it changes.
    Beside,
}

/// What is kept of one unit's metric now: its origin, the value the rules
/// read, and the computed value beside it.
pub type Stored = (Origin, (i64, i64), Option<(i64, i64)>);

pub fn sync_step(stored: Option<Stored>, computed: (i64, i64)) -> SyncStep {
    match stored {
        None => SyncStep::Replace,
        Some((Origin::Override, _, beside)) => {
            if beside == Some(computed) {
                SyncStep::Keep
            } else {
                SyncStep::Beside
            }
        }
        Some((origin, value, beside)) => {
            if value == computed && origin == Origin::Computed && beside == Some(computed) {
                SyncStep::Keep
            } else {
                SyncStep::Replace
            }
        }
    }
}

/// A unit whose total moved between what an assessor last saw and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalMove {
    pub unit: String,
    pub before: Option<Points>,
    pub after: Option<Points>,
}

impl TotalMove {
    /// After less before, when both are known.
    pub fn delta(&self) -> Option<Points> {
        Some(Points(self.after?.0 - self.before?.0))
    }
}

/// The units (by code) whose totals differ between `seen` and `now`, in
/// the order of `now`; a unit new since then counts as moved from nothing.
pub fn moved_totals(
    seen: &HashMap<String, Option<Points>>,
    now: &[(String, Option<Points>)],
) -> Vec<TotalMove> {
    now.iter()
        .filter_map(|(unit, after)| {
            let before = seen.get(unit).copied().flatten();
            (!seen.contains_key(unit) || before != *after).then(|| TotalMove {
                unit: unit.clone(),
                before,
                after: *after,
            })
        })
        .collect()
}

/// What a change's or a value's `source` names: a record with its page,
/// or a kind of act (a sync, an import, a form) with none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// A key the page translates: `source.plan`, `source.sync`, ...
    pub kind: &'static str,
    /// The record's id or name, when it has one.
    pub id: String,
    pub href: Option<String>,
}

/// Reads a stored source (`plan:12`, `drill:3`, `rotation:7`,
/// `registry:4`, `certificate:ZS-...`, `event:9`, `bonus:2`, `veto:1`,
/// `incident:5`, `duty_check:3`, `report_miss:4`, `unit_incident:9`, `import:file.csv`, `sheet:S2026`, `sync`, `seed`, `form`).
/// Ids are digits and names are kept as text: a link is only built from
/// digits or from a certificate number of safe characters.
pub fn source_ref(source: &str) -> SourceRef {
    let (kind, id) = source.split_once(':').unwrap_or((source, ""));
    let digits = !id.is_empty() && id.chars().all(|c| c.is_ascii_digit());
    let linked = |kind: &'static str, href: Option<String>| SourceRef {
        kind,
        id: id.to_string(),
        href,
    };
    match kind {
        "plan" => linked("source.plan", digits.then(|| format!("/drills/plans/{id}"))),
        "drill" => linked("source.drill", digits.then(|| format!("/drills/{id}"))),
        "rotation" => linked(
            "source.rotation",
            digits.then(|| format!("/training/plans/{id}")),
        ),
        "registry" => linked("source.registry", Some("/registry".into())),
        "certificate" => linked(
            "source.certificate",
            (!id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| format!("/registry/certificates/{id}")),
        ),
        "duty_check" => linked(
            "source.duty_check",
            digits.then(|| format!("/duty/checks/{id}")),
        ),
        "report_miss" => linked(
            "source.report_miss",
            digits.then(|| format!("/duty/reports/misses/{id}")),
        ),
        "unit_incident" => linked(
            "source.unit_incident",
            digits.then(|| format!("/duty/incidents/{id}")),
        ),
        "event" => linked("source.event", None),
        "bonus" => linked("source.bonus", None),
        "veto" => linked("source.veto", Some("/assessment/vetoes".into())),
        "incident" => linked("source.incident", Some("/assessment/incidents".into())),
        "import" => linked("source.import", None),
        "sheet" => linked("source.sheet", None),
        "sync" => linked("source.sync", None),
        "seed" => linked("source.seed", None),
        "form" => linked("source.form", None),
        "reporters_needed" => linked("source.reporters_needed", Some("/registry/coverage".into())),
        "override_removed" => linked("source.override_removed", None),
        _ => SourceRef {
            kind: "source.none",
            id: String::new(),
            href: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_of_a_computed_metric_is_an_override_and_of_another_an_entry() {
        assert_eq!(Origin::of_entry("plan_coverage"), Origin::Override);
        assert_eq!(Origin::of_entry("training_coverage"), Origin::Override);
        assert_eq!(Origin::of_entry("village_patrols"), Origin::Entered);
        for o in [Origin::Computed, Origin::Entered, Origin::Override] {
            assert_eq!(Origin::parse(o.code()), Some(o));
        }
        assert_eq!(Origin::parse(""), None);
    }

    #[test]
    fn a_sync_replaces_a_computed_or_entered_value_and_keeps_an_override() {
        assert_eq!(sync_step(None, (1, 2)), SyncStep::Replace);
        let same = Some((Origin::Computed, (1, 2), Some((1, 2))));
        assert_eq!(sync_step(same, (1, 2)), SyncStep::Keep);
        let moved = Some((Origin::Computed, (1, 2), Some((1, 2))));
        assert_eq!(sync_step(moved, (2, 2)), SyncStep::Replace);
        // An entered value of a computed metric (rows from before
        // provenance) gives way to the computation, even when equal: it
        // becomes computed.
        let entered = Some((Origin::Entered, (1, 2), None));
        assert_eq!(sync_step(entered, (1, 2)), SyncStep::Replace);
        let over = Some((Origin::Override, (9, 10), Some((1, 2))));
        assert_eq!(sync_step(over, (1, 2)), SyncStep::Keep);
        assert_eq!(sync_step(over, (3, 10)), SyncStep::Beside);
        let never = Some((Origin::Override, (9, 10), None));
        assert_eq!(sync_step(never, (9, 10)), SyncStep::Beside);
    }

    #[test]
    fn moved_totals_lists_only_units_whose_total_changed_with_the_delta() {
        let seen: HashMap<String, Option<Points>> = [
            ("A".to_string(), Some(Points(1030))),
            ("B".to_string(), Some(Points(900))),
            ("C".to_string(), None),
        ]
        .into();
        let now = vec![
            ("A".to_string(), Some(Points(940))),
            ("B".to_string(), Some(Points(900))),
            ("C".to_string(), Some(Points(700))),
            ("D".to_string(), None),
        ];
        let moved = moved_totals(&seen, &now);
        assert_eq!(
            moved.iter().map(|m| m.unit.as_str()).collect::<Vec<_>>(),
            ["A", "C", "D"]
        );
        assert_eq!(moved[0].delta(), Some(Points(-90)));
        assert_eq!(moved[1].delta(), None);
        assert_eq!(moved[2].before, None);
    }

    #[test]
    fn a_source_links_to_its_record_and_never_builds_a_link_from_other_text() {
        let r = source_ref("plan:12");
        assert_eq!(
            (r.kind, r.href.as_deref()),
            ("source.plan", Some("/drills/plans/12"))
        );
        assert_eq!(source_ref("drill:3").href.as_deref(), Some("/drills/3"));
        assert_eq!(
            source_ref("duty_check:8").href.as_deref(),
            Some("/duty/checks/8")
        );
        assert_eq!(source_ref("duty_check:8?x=<b>").href, None);
        assert_eq!(
            source_ref("report_miss:4").href.as_deref(),
            Some("/duty/reports/misses/4")
        );
        assert_eq!(source_ref("report_miss:4/../x").href, None);
        assert_eq!(
            source_ref("unit_incident:9").href.as_deref(),
            Some("/duty/incidents/9")
        );
        assert_eq!(source_ref("unit_incident:javascript:x").href, None);
        assert_eq!(
            source_ref("rotation:7").href.as_deref(),
            Some("/training/plans/7")
        );
        assert_eq!(source_ref("plan:12/../x").href, None);
        assert_eq!(
            source_ref("certificate:ZS2026-0001").href.as_deref(),
            Some("/registry/certificates/ZS2026-0001")
        );
        assert_eq!(source_ref("certificate:a/b").href, None);
        let import = source_ref("import:名单.csv");
        assert_eq!(
            (import.kind, import.id.as_str(), import.href),
            ("source.import", "名单.csv", None)
        );
        assert_eq!(source_ref("sync").kind, "source.sync");
        assert_eq!(source_ref("javascript:alert(1)").kind, "source.none");
        assert_eq!(source_ref("").kind, "source.none");
    }
}
