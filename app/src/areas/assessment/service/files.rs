//! Loading a sheet file (`yingji import assessment SHEET.json`): a scheme
//! with its units' records, in one transaction the caller commits.

use super::super::store::events::NewEvent;
use super::super::store::metrics::EnteredMetric;
use super::super::store::{bonuses, metrics, schemes, scores};
use super::{add_event_in, create_scheme, decide_in, open_unit, propose_in};
use crate::areas::directory::service as directory;
use crate::domain::assessment::Entry;
use crate::domain::scheme::{DEFAULT_DEADLINES, SchemeDef};
use crate::domain::scoring_sheet::SheetFile;
use crate::domain::veto::VetoStatus;
use crate::error::AppError;
use crate::platform::Write;
use std::collections::HashMap;

/// What `import_sheet` loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub scheme_id: i64,
    pub units_created: usize,
    pub scores: usize,
    pub ratios: usize,
    pub events: usize,
    pub bonuses: usize,
    pub vetoes: usize,
}

/// Loads a checked sheet file inside `w`: the scheme (refused if its code
/// exists or a kind is taken that year), units it names that the district
/// lacks (created at the top level; a unit with the same code but another
/// kind is refused), scores, ratios as metrics, events, bonuses, and
/// vetoes as confirmed. The error names the part of the file at fault.
pub async fn import_sheet(w: &mut Write<'_>, file: &SheetFile) -> Result<Imported, String> {
    let def = SchemeDef {
        code: file.code.clone(),
        year: file.year,
        name: file.name.clone(),
        unit_kinds: file.unit_kinds.clone(),
        scheme: file.scheme.clone(),
        deadlines: DEFAULT_DEADLINES,
    };
    let db_err = |e: AppError| format!("database: {e}");
    let existing = schemes::of_year(w.conn(), def.year.into())
        .await
        .map_err(db_err)?;
    if existing.iter().any(|s| s.def.code == def.code) {
        return Err(format!(
            "scheme.code: a scheme \"{}\" already exists",
            def.code
        ));
    }
    let scheme_id = create_scheme(w, &def).await.map_err(|e| match e {
        AppError::Invalid { problem, .. } if problem.key == "problem.kind_in_other_scheme" => {
            format!(
                "scheme.unit_kinds: another {} scheme already assesses units of kind \"{}\"",
                def.year,
                problem.args.first().cloned().unwrap_or_default()
            )
        }
        e => db_err(e),
    })?;
    let mut summary = Imported {
        scheme_id,
        units_created: 0,
        scores: 0,
        ratios: 0,
        events: 0,
        bonuses: 0,
        vetoes: 0,
    };
    let mut ids: HashMap<String, i64> = HashMap::new();
    for (i, u) in file.units.iter().enumerate() {
        let id = match directory::unit_by_code_in(w.conn(), &u.code)
            .await
            .map_err(db_err)?
        {
            Some(found) if found.kind != u.kind => {
                return Err(format!(
                    "units[{i}].kind: unit \"{}\" is a {} in the district, not a {}",
                    u.code,
                    found.kind.code(),
                    u.kind.code()
                ));
            }
            Some(found) => found.id,
            None => {
                let draft = crate::domain::unit::UnitDraft {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind,
                    min_on_duty: 0,
                };
                summary.units_created += 1;
                directory::add_top_unit(w, &draft).await.map_err(|e| match e {
                    AppError::Invalid { .. } => format!(
                        "units[{i}]: unit \"{}\" is not in the district, and a {} cannot be created at the top level; import the unit tree first",
                        u.code,
                        u.kind.code()
                    ),
                    e => db_err(e),
                })?
            }
        };
        ids.insert(u.code.clone(), id);
    }
    let year = i64::from(file.year);
    let year_day = |d: &Option<String>| d.clone().unwrap_or_else(|| format!("{year}-12-31"));
    for (sheet, u) in file.sheets.iter().zip(&file.units) {
        let unit_id = ids[&u.code];
        for (i, entry) in sheet.entries.iter().enumerate() {
            let ind = &file.scheme.indicators[i];
            match entry {
                Entry::Score(p) => {
                    scores::set(w, (scheme_id, year), unit_id, &ind.code, (Some(*p), ""))
                        .await
                        .map_err(db_err)?;
                    summary.scores += 1;
                }
                Entry::Ratio(n, d) => {
                    let source = format!("sheet:{}", file.code);
                    metrics::save(
                        w,
                        &EnteredMetric {
                            year,
                            unit_id,
                            metric: ind.metric_key(),
                            numerator: *n,
                            denominator: *d,
                            reason: &source,
                            source: &source,
                        },
                    )
                    .await
                    .map_err(db_err)?;
                    summary.ratios += 1;
                }
                Entry::Missing => {}
            }
        }
    }
    let r = &file.records;
    for (unit, event, count, date) in &r.events {
        add_event_in(
            w,
            &NewEvent {
                year,
                unit_id: ids[unit],
                event: event.clone(),
                count: *count,
                occurred_on: year_day(date),
                description: String::new(),
                incident_id: None,
                source: None,
            },
        )
        .await
        .map_err(db_err)?;
        summary.events += 1;
    }
    for (unit, points, reason) in &r.bonuses {
        open_unit(w, year, ids[unit]).await.map_err(db_err)?;
        bonuses::add(w, year, ids[unit], *points, reason)
            .await
            .map_err(db_err)?;
        summary.bonuses += 1;
    }
    for (unit, reason) in &r.vetoes {
        let id = propose_in(w, (year, ids[unit]), reason, "")
            .await
            .map_err(db_err)?;
        decide_in(
            w,
            id,
            |_| Ok(VetoStatus::Confirmed),
            "imported from a sheet file",
        )
        .await
        .map_err(db_err)?;
        summary.vetoes += 1;
    }
    Ok(summary)
}
