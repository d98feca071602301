//! The records behind each computed metric value (DOMAIN.md §4 and
//! `domain::evidence`): per unit and metric, the plans in force or missing,
//! the drills held, the completions by rotation, the certified reporters
//! and the places without one, each with the page that shows it. The
//! explanation page reads them live for an open year; publishing freezes
//! them. Each section asks the area that keeps the records, through its
//! service.

use crate::areas::eplans::service::{self as eplans, PlanEvidence};
use crate::areas::{
    drills::service as drills, registry::service as registry, training::service as training,
};
use crate::error::AppError;
use crate::model::Evidence;
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// (unit id, metric key) → the records that metric counted for the unit.
pub(super) type EvidenceMap = HashMap<(i64, String), Vec<Evidence>>;

fn item(kind: &str, label: String, href: String, counts: bool) -> Evidence {
    Evidence {
        kind: kind.into(),
        label,
        href,
        counts,
    }
}

/// Every unit's evidence for the computed metrics of `year`, with plans
/// judged in force on `today`.
pub(super) async fn all(
    c: &mut AnyConnection,
    year: i32,
    today: NaiveDate,
) -> Result<EvidenceMap, AppError> {
    let mut out = EvidenceMap::new();

    // plan_coverage: the required units of each required unit's subtree.
    for (unit, records) in eplans::coverage_evidence(c, today).await? {
        let list = records
            .into_iter()
            .map(|r| match r {
                PlanEvidence::InForce { plan_id, label } => item(
                    "plan_in_force",
                    label,
                    format!("/drills/plans/{plan_id}"),
                    true,
                ),
                PlanEvidence::Missing { unit_name } => {
                    item("plan_missing", unit_name, "/drills/coverage".into(), false)
                }
            })
            .collect();
        out.insert((unit, "plan_coverage".into()), list);
    }

    // drills_held: the drills of the year each unit organized or joined.
    for (unit, id, label) in drills::held_evidence(c, year).await? {
        out.entry((unit, "drills_held".into()))
            .or_default()
            .push(item("drill_held", label, format!("/drills/{id}"), true));
    }

    // training_coverage: completions of the year by rotation.
    for (unit, rotation, label) in training::completion_evidence(c, year).await? {
        out.entry((unit, "training_coverage".into()))
            .or_default()
            .push(item(
                "completions",
                label,
                format!("/training/plans/{rotation}"),
                true,
            ));
    }

    // reporter_coverage: each subdistrict's certified people and gaps.
    for (subdistrict, valid, gaps) in registry::coverage_evidence(c, today).await? {
        let mut list: Vec<Evidence> = valid
            .into_iter()
            .map(|label| item("reporter_valid", label, "/registry".into(), true))
            .collect();
        list.extend(
            gaps.into_iter()
                .map(|name| item("reporter_gap", name, "/registry/coverage".into(), false)),
        );
        out.insert((subdistrict, "reporter_coverage".into()), list);
    }
    Ok(out)
}

/// One unit's evidence, per metric key, for the keys asked.
pub(super) async fn of_unit(
    c: &mut AnyConnection,
    year: i32,
    today: NaiveDate,
    unit_id: i64,
    keys: &[&str],
) -> Result<Vec<(String, Vec<Evidence>)>, AppError> {
    let mut all = all(c, year, today).await?;
    Ok(keys
        .iter()
        .filter_map(|k| {
            all.remove(&(unit_id, k.to_string()))
                .map(|l| (k.to_string(), l))
        })
        .collect())
}
