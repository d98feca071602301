//! The rotation plan file (`yingji schedule PLAN.json`): batches, units and
//! trainees with their unavailable days, checked with every refusal naming
//! where (`trainees[3].unavailable[0]`), and the roster as JSON.

use super::json_input::{FileError, Obj, err};
use super::scheduler::{Batch, Plan, Roster, Trainee, Unit, schedule};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

fn count(o: &Obj, key: &str) -> Result<i64, FileError> {
    let n = o
        .integer(key)?
        .map_or_else(|| err(o.path(key), "is required"), Ok)?;
    if n < 0 {
        return err(o.path(key), format!("{n} is negative"));
    }
    if n > limits::MAX_COUNT {
        return err(
            o.path(key),
            format!("{n} is more than the limit of {}", limits::MAX_COUNT),
        );
    }
    Ok(n)
}

/// What one plan file may hold (`yingji schedule`): beyond these it is
/// refused, naming the list, before anything is built. The scheduler's
/// network has a node per unit and batch, so their product is bounded too.
pub mod limits {
    pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
    pub const MAX_BATCHES: usize = 1_000;
    pub const MAX_UNITS: usize = 100_000;
    pub const MAX_TRAINEES: usize = 200_000;
    pub const MAX_UNIT_BATCHES: usize = 2_000_000;
    /// Trainees × batches: the network's edges grow with it (a group of
    /// trainees per set of batches they cannot attend).
    pub const MAX_TRAINEE_BATCHES: usize = 10_000_000;
    pub const MAX_UNAVAILABLE: usize = 366;
    /// Capacity, staff and minimum on duty.
    pub const MAX_COUNT: i64 = 1_000_000;
}

/// Reads and checks a plan file.
pub fn parse(text: &str) -> Result<Plan, FileError> {
    use limits::*;
    let root: Value = serde_json::from_str(text).map_err(|e| FileError {
        at: format!("line {}", e.line()),
        problem: format!("not valid JSON: {e}"),
    })?;
    let root = Obj::of(&root, "")?;

    let mut batches: Vec<Batch> = Vec::new();
    let mut batch_codes: HashSet<String> = HashSet::new();
    let batch_list = root.list_at_most("batches", true, MAX_BATCHES)?;
    let unit_list = root.list_at_most("units", true, MAX_UNITS)?;
    let trainee_list = root.list_at_most("trainees", true, MAX_TRAINEES)?;
    if batch_list.len() * unit_list.len() > MAX_UNIT_BATCHES {
        return err(
            "units",
            format!(
                "{} units × {} batches is more than the limit of {MAX_UNIT_BATCHES} (unit, batch) pairs",
                unit_list.len(),
                batch_list.len()
            ),
        );
    }
    if trainee_list.len() * batch_list.len() > MAX_TRAINEE_BATCHES {
        return err(
            "trainees",
            format!(
                "{} trainees × {} batches is more than the limit of {MAX_TRAINEE_BATCHES} (trainee, batch) pairs",
                trainee_list.len(),
                batch_list.len()
            ),
        );
    }
    for (i, v) in batch_list.iter().enumerate() {
        let o = Obj::of(v, &format!("batches[{i}]"))?;
        let code = o.text("code")?;
        if !batch_codes.insert(code.clone()) {
            return err(o.path("code"), format!("batch \"{code}\" is listed twice"));
        }
        let start = o.date("start")?;
        let end = o.date("end")?;
        if end < start {
            return err(o.path("end"), format!("{end} is before the start {start}"));
        }
        let capacity = count(&o, "capacity")?;
        if let Some(other) = batches.iter().find(|b| b.start <= end && start <= b.end) {
            return err(
                o.path("start"),
                format!(
                    "batch \"{code}\" ({start} to {end}) overlaps batch \"{}\" ({} to {})",
                    other.code, other.start, other.end
                ),
            );
        }
        batches.push(Batch {
            code,
            start,
            end,
            capacity,
        });
    }

    let mut units: Vec<Unit> = Vec::new();
    let mut unit_at: HashMap<String, usize> = HashMap::new();
    for (i, v) in unit_list.iter().enumerate() {
        let o = Obj::of(v, &format!("units[{i}]"))?;
        let code = o.text("code")?;
        if unit_at.insert(code.clone(), units.len()).is_some() {
            return err(o.path("code"), format!("unit \"{code}\" is listed twice"));
        }
        let staff = count(&o, "staff")?;
        let min_on_duty = count(&o, "min_on_duty")?;
        if min_on_duty > staff {
            return err(
                o.path("min_on_duty"),
                format!("{min_on_duty} on duty is more than the unit's staff of {staff}"),
            );
        }
        units.push(Unit {
            code,
            staff,
            min_on_duty,
        });
    }

    let mut trainees: Vec<Trainee> = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut per_unit: HashMap<String, i64> = HashMap::new();
    for (i, v) in trainee_list.iter().enumerate() {
        let o = Obj::of(v, &format!("trainees[{i}]"))?;
        let id = o.text("id")?;
        if !ids.insert(id.clone()) {
            return err(o.path("id"), format!("trainee \"{id}\" is listed twice"));
        }
        let unit = o.text("unit")?;
        let Some(u) = unit_at.get(&unit).map(|&at| &units[at]) else {
            return err(o.path("unit"), format!("unknown unit \"{unit}\""));
        };
        let n = per_unit.entry(unit.clone()).or_default();
        *n += 1;
        if *n > u.staff {
            return err(
                o.path("unit"),
                format!(
                    "unit \"{unit}\" has more trainees than its staff of {}",
                    u.staff
                ),
            );
        }
        let unavailable = o.day_ranges("unavailable", MAX_UNAVAILABLE)?;
        trainees.push(Trainee {
            id,
            unit,
            unavailable,
        });
    }
    Ok(Plan {
        batches,
        units,
        trainees,
    })
}

/// The roster as the command prints it: every trainee once, in one list
/// or the other, in the file's order.
pub fn roster_json(plan: &Plan, roster: &Roster) -> Value {
    json!({
        "assignments": roster.assignments.iter().map(|(t, b)| json!({
            "trainee": plan.trainees[*t].id,
            "batch": plan.batches[*b].code,
        })).collect::<Vec<_>>(),
        "unassigned": roster.unassigned.iter().map(|(t, reason)| json!({
            "trainee": plan.trainees[*t].id,
            "reason": reason.text(),
        })).collect::<Vec<_>>(),
    })
}

/// Reads a plan file and schedules it.
pub fn run(text: &str) -> Result<Value, FileError> {
    let plan = parse(text)?;
    let roster = schedule(&plan);
    Ok(roster_json(&plan, &roster))
}

/// What `yingji schedule` prints for a plan file.
pub fn print(text: &str) -> Result<String, FileError> {
    let roster = run(text)?;
    Ok(serde_json::to_string_pretty(&roster).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{
      "batches": [{"code": "B1", "start": "2018-04-02", "end": "2018-04-04", "capacity": 30},
                  {"code": "B2", "start": "2018-04-09", "end": "2018-04-11", "capacity": 30}],
      "units": [{"code": "GA", "staff": 12, "min_on_duty": 4}],
      "trainees": [{"id": "P001", "unit": "GA", "unavailable": [["2018-04-03", "2018-04-05"]]},
                   {"id": "P002", "unit": "GA"}]
    }"#;

    #[test]
    fn the_example_plan_is_scheduled_and_printed() {
        let out = run(PLAN).unwrap();
        assert_eq!(
            out,
            json!({"assignments": [{"trainee": "P001", "batch": "B2"}, {"trainee": "P002", "batch": "B1"}],
                   "unassigned": []})
        );
    }

    fn refused(plan: &str) -> String {
        run(plan).unwrap_err().to_string()
    }

    #[test]
    fn every_refusal_names_where_the_problem_is() {
        assert!(
            refused(&PLAN.replace("2018-04-09", "2018-04-03"))
                .starts_with("batches[1].start: batch \"B2\"")
        );
        assert!(refused(&PLAN.replace("2018-04-11", "2018-04-08")).starts_with("batches[1].end"));
        assert!(
            refused(&PLAN.replace(
                "2018-04-04\", \"capacity\": 30",
                "2018-04-31\", \"capacity\": 30"
            ))
            .starts_with("batches[0].end")
        );
        assert!(
            refused(&PLAN.replace("\"capacity\": 30}]", "\"capacity\": -1}]"))
                .starts_with("batches[1].capacity")
        );
        assert!(
            refused(&PLAN.replace("\"staff\": 12", "\"staff\": -2")).starts_with("units[0].staff")
        );
        assert!(
            refused(&PLAN.replace("\"min_on_duty\": 4", "\"min_on_duty\": 13"))
                .starts_with("units[0].min_on_duty")
        );
        assert!(refused(&PLAN.replace("\"B2\"", "\"B1\"")).starts_with("batches[1].code"));
        assert!(refused(&PLAN.replace("P002", "P001")).starts_with("trainees[1].id"));
        assert!(
            refused(&PLAN.replace(
                "\"id\": \"P002\", \"unit\": \"GA\"",
                "\"id\": \"P002\", \"unit\": \"XX\""
            ))
            .starts_with("trainees[1].unit")
        );
        assert!(
            refused(&PLAN.replace(
                "\"staff\": 12, \"min_on_duty\": 4",
                "\"staff\": 1, \"min_on_duty\": 0"
            ))
            .starts_with("trainees[1].unit: unit \"GA\" has more trainees")
        );
        assert!(
            refused(&PLAN.replace(
                "[\"2018-04-03\", \"2018-04-05\"]",
                "[\"2018-04-05\", \"2018-04-03\"]"
            ))
            .starts_with("trainees[0].unavailable[0]")
        );
        assert!(
            refused(&PLAN.replace(
                "[\"2018-04-03\", \"2018-04-05\"]",
                "[\"2018-4-3\", \"2018-04-05\"]"
            ))
            .starts_with("trainees[0].unavailable[0][0]")
        );
        assert!(refused("[1, 2").starts_with("line"));
    }
}
