//! The duty roster file (`yingji roster ROSTER.json`): the period, its
//! holidays, how many stand duty and lead each day, the rest between
//! duties, and the people with their unavailable days; checked with every
//! refusal naming where (`people[3].unavailable[0]`), and the roster as
//! JSON (every day of the period in order, and the gaps with their
//! reasons).

use super::duty::{DutyPerson, DutyRole, NotFree, Roster, RosterRequest, generate, period};
use super::json_input::{FileError, Obj, err};
use serde_json::{Value, json};
use std::collections::HashSet;

/// What one roster file may hold: beyond these it is refused, naming the
/// field, before anything is built.
pub mod limits {
    pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
    /// About three years.
    pub const MAX_DAYS: i64 = 1_100;
    pub const MAX_HOLIDAYS: usize = 1_100;
    pub const MAX_PEOPLE: usize = 10_000;
    pub const MAX_UNAVAILABLE: usize = 366;
    pub const MAX_PER_DAY: i64 = 100;
    pub const MAX_REST_DAYS: i64 = 365;
    /// A gap's reason names at most this many people, then says how many
    /// more.
    pub const NAMED_IN_REASON: usize = 10;
}

const KEYS: [&str; 7] = [
    "from",
    "to",
    "holidays",
    "staff_per_day",
    "leaders_per_day",
    "min_rest_days",
    "people",
];
const PERSON_KEYS: [&str; 3] = ["id", "role", "unavailable"];

/// Reads and checks a roster file: the request for the generator, and the
/// people's ids in the file's order.
pub fn parse(text: &str) -> Result<RosterRequest, FileError> {
    use limits::*;
    let root: Value = serde_json::from_str(text).map_err(|e| FileError {
        at: format!("line {}", e.line()),
        problem: format!("not valid JSON: {e}"),
    })?;
    let root = Obj::of(&root, "")?;
    root.only(&KEYS)?;
    let from = root.date("from")?;
    let to = root.date("to")?;
    if to < from {
        return err("to", format!("{to} is before the start {from}"));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return err(
            "to",
            format!("the period has {days} days; at most {MAX_DAYS} are allowed"),
        );
    }
    let mut holidays = Vec::new();
    for (i, v) in root
        .list_at_most("holidays", false, MAX_HOLIDAYS)?
        .iter()
        .enumerate()
    {
        let at = format!("holidays[{i}]");
        match v.as_str() {
            Some(s) => holidays.push(super::json_input::date(s, &at)?),
            None => return err(at, "must be a date written YYYY-MM-DD"),
        }
    }
    let per_day = |key: &str| -> Result<u32, FileError> {
        let n = root
            .integer_in(key, 0, MAX_PER_DAY)?
            .map_or_else(|| err(root.path(key), "is required"), Ok)?;
        Ok(n as u32)
    };
    let staff = per_day("staff_per_day")?;
    let leaders = per_day("leaders_per_day")?;
    let min_rest_days = root
        .integer_in("min_rest_days", 0, MAX_REST_DAYS)?
        .unwrap_or(0) as u32;

    let mut people = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    for (i, v) in root
        .list_at_most("people", true, MAX_PEOPLE)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("people[{i}]"))?;
        o.only(&PERSON_KEYS)?;
        let id = o.text("id")?;
        if !ids.insert(id.clone()) {
            return err(o.path("id"), format!("person \"{id}\" is listed twice"));
        }
        let role_text = o.text("role")?;
        let Some(role) = DutyRole::parse(&role_text) else {
            return err(
                o.path("role"),
                format!("\"{role_text}\" is not a role: staff or leader"),
            );
        };
        let unavailable = o.day_ranges("unavailable", MAX_UNAVAILABLE)?;
        people.push(DutyPerson {
            id,
            role,
            unavailable,
        });
    }
    Ok(RosterRequest {
        days: period((from, to), &holidays, staff, leaders),
        min_rest_days,
        people,
    })
}

/// Why a slot was left open, in words: who could not take it and why.
fn reason(req: &RosterRequest, role: DutyRole, holders: usize, why: &[(usize, NotFree)]) -> String {
    let role_name = match role {
        DutyRole::Staff => "staff member",
        DutyRole::Leader => "leader",
    };
    if holders == 0 {
        return format!("nobody in the file has the role {}", role.code());
    }
    if why.is_empty() {
        return format!("every {role_name} ({holders}) is already on duty that day");
    }
    let mut parts: Vec<String> = why
        .iter()
        .take(limits::NAMED_IN_REASON)
        .map(|&(i, w)| {
            let id = &req.people[i].id;
            match w {
                NotFree::Unavailable => format!("{id} is unavailable"),
                NotFree::Resting { after } => format!("{id} rests after the duty on {after}"),
            }
        })
        .collect();
    if why.len() > limits::NAMED_IN_REASON {
        parts.push(format!("{} more", why.len() - limits::NAMED_IN_REASON));
    }
    format!("no {role_name} is free: {}", parts.join("; "))
}

/// The roster as the command prints it.
pub fn roster_json(req: &RosterRequest, roster: &Roster) -> Value {
    let holders = |role: DutyRole| req.people.iter().filter(|p| p.role == role).count();
    let holders = [
        (DutyRole::Staff, holders(DutyRole::Staff)),
        (DutyRole::Leader, holders(DutyRole::Leader)),
    ];
    let held = |role: DutyRole| holders.iter().find(|(r, _)| *r == role).map_or(0, |h| h.1);
    let ids =
        |list: &[usize]| -> Vec<&str> { list.iter().map(|&i| req.people[i].id.as_str()).collect() };
    json!({
        "days": roster.days.iter().map(|d| json!({
            "date": d.date.to_string(),
            "staff": ids(&d.staff),
            "leaders": ids(&d.leaders),
        })).collect::<Vec<_>>(),
        "gaps": roster.gaps.iter().map(|g| json!({
            "date": g.date.to_string(),
            "role": g.role.code(),
            "missing": g.missing,
            "reason": reason(req, g.role, held(g.role), &g.why),
        })).collect::<Vec<_>>(),
    })
}

/// Reads a roster file and fills the roster.
pub fn run(text: &str) -> Result<Value, FileError> {
    let req = parse(text)?;
    let roster = generate(&req);
    Ok(roster_json(&req, &roster))
}

/// What `yingji roster` prints for a roster file.
pub fn print(text: &str) -> Result<String, FileError> {
    let roster = run(text)?;
    Ok(serde_json::to_string_pretty(&roster).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
      "from": "2018-01-01", "to": "2018-03-31",
      "holidays": ["2018-02-15", "2018-02-16"],
      "staff_per_day": 1, "leaders_per_day": 1, "min_rest_days": 1,
      "people": [
        {"id": "P1", "role": "staff", "unavailable": [["2018-02-01", "2018-02-03"]]},
        {"id": "L1", "role": "leader", "unavailable": []}
      ]
    }"#;

    #[test]
    fn the_example_gives_every_day_in_order_and_names_its_gaps() {
        let out = run(FILE).unwrap();
        let days = out["days"].as_array().unwrap();
        assert_eq!(days.len(), 90);
        assert_eq!(
            days[0],
            json!({"date": "2018-01-01", "staff": ["P1"], "leaders": ["L1"]})
        );
        // One person per role with a day's rest between duties: every
        // other day is open, and so are the days P1 is away.
        assert_eq!(
            days[1],
            json!({"date": "2018-01-02", "staff": [], "leaders": []})
        );
        let gaps = out["gaps"].as_array().unwrap();
        assert_eq!(
            gaps[0],
            json!({"date": "2018-01-02", "role": "leader", "missing": 1,
                   "reason": "no leader is free: L1 rests after the duty on 2018-01-01"})
        );
        assert!(gaps.iter().any(|g| g["date"] == "2018-02-01"
            && g["role"] == "staff"
            && g["reason"] == "no staff member is free: P1 is unavailable"));
        let req = parse(FILE).unwrap();
        assert_eq!(
            crate::duty::violations(&req, &generate(&req)),
            Vec::<String>::new()
        );
    }

    fn refused(file: &str) -> String {
        run(file).unwrap_err().to_string()
    }

    #[test]
    fn every_refusal_names_where_the_problem_is() {
        for (from, to, starts) in [
            (
                "\"role\": \"leader\"",
                "\"role\": \"boss\"",
                "people[1].role: \"boss\" is not a role",
            ),
            (
                "\"L1\"",
                "\"P1\"",
                "people[1].id: person \"P1\" is listed twice",
            ),
            (
                "[\"2018-02-01\", \"2018-02-03\"]",
                "[\"2018-02-03\", \"2018-02-01\"]",
                "people[0].unavailable[0]: the last day 2018-02-01 is before the first day 2018-02-03",
            ),
            (
                "[\"2018-02-01\", \"2018-02-03\"]",
                "[\"2018-02-01\"]",
                "people[0].unavailable[0]: must be [\"first day\", \"last day\"]",
            ),
            (
                "\"2018-02-16\"",
                "\"2018-2-16\"",
                "holidays[1]: \"2018-2-16\" is not a date written YYYY-MM-DD",
            ),
            (
                "\"2018-02-16\"",
                "\"2018-02-30\"",
                "holidays[1]: \"2018-02-30\" is not a day of the calendar",
            ),
            (
                "\"from\": \"2018-01-01\"",
                "\"from\": \" 2018-01-01\"",
                "from: \" 2018-01-01\" is not a date written",
            ),
            (
                "\"from\": \"2018-01-01\"",
                "\"from\": 5",
                "from: must be a date written YYYY-MM-DD",
            ),
            (
                "\"to\": \"2018-03-31\"",
                "\"to\": \"2017-12-31\"",
                "to: 2017-12-31 is before the start 2018-01-01",
            ),
            (
                "\"to\": \"2018-03-31\"",
                "\"to\": \"2030-03-31\"",
                "to: the period has 4473 days",
            ),
            (
                "\"staff_per_day\": 1",
                "\"staff_per_day\": -1",
                "staff_per_day: must be between 0 and 100",
            ),
            (
                "\"staff_per_day\": 1",
                "\"staff_per_day\": 1e30",
                "staff_per_day: must be between 0 and 100",
            ),
            (
                "\"staff_per_day\": 1",
                "\"staff_per_day\": 1.5",
                "staff_per_day: 1.5 must be a whole number",
            ),
            ("\"staff_per_day\": 1,", "", "staff_per_day: is required"),
            (
                "\"min_rest_days\": 1",
                "\"min_rest_day\": 1",
                "min_rest_day: is not one of the fields: from, to,",
            ),
            (
                "\"role\": \"leader\",",
                "\"role\": \"leader\", \"phone\": \"1\",",
                "people[1].phone: is not one of the fields: id, role, unavailable",
            ),
            (
                "\"min_rest_days\": 1",
                "\"min_rest_days\": 9999999999999999999999",
                "min_rest_days: must be between 0 and 365",
            ),
            (
                "\"min_rest_days\": 1",
                "\"min_rest_days\": 18446744073709551615",
                "min_rest_days: must be between 0 and 365",
            ),
        ] {
            let file = FILE.replace(from, to);
            assert_ne!(file, FILE, "{from}");
            let got = refused(&file);
            assert!(got.starts_with(starts), "{starts}\n got {got}");
        }
        assert!(refused("{").starts_with("line 1: not valid JSON"));
        assert!(refused("[]").starts_with(": must be an object"));
    }

    #[test]
    fn a_gap_where_nobody_has_the_role_or_all_are_on_duty_says_so() {
        let file = FILE
            .replace("\"role\": \"leader\"", "\"role\": \"staff\"")
            .replace("\"staff_per_day\": 1", "\"staff_per_day\": 3");
        let out = run(&file).unwrap();
        let gaps = out["gaps"].as_array().unwrap();
        assert_eq!(gaps[0]["role"], "leader");
        assert_eq!(gaps[0]["reason"], "nobody in the file has the role leader");
        assert_eq!(gaps[1]["role"], "staff");
        assert_eq!(gaps[1]["missing"], 1);
        assert_eq!(
            gaps[1]["reason"],
            "every staff member (2) is already on duty that day"
        );
    }

    #[test]
    fn a_reason_names_at_most_ten_people_then_counts_the_rest() {
        let people: Vec<String> = (0..15)
            .map(|i| format!(r#"{{"id": "L{i}", "role": "leader", "unavailable": [["2018-01-01", "2018-01-01"]]}}"#))
            .collect();
        let file = format!(
            r#"{{"from": "2018-01-01", "to": "2018-01-01", "staff_per_day": 0, "leaders_per_day": 1, "people": [{}]}}"#,
            people.join(",")
        );
        let out = run(&file).unwrap();
        let reason = out["gaps"][0]["reason"].as_str().unwrap();
        assert!(reason.ends_with("L9 is unavailable; 5 more"), "{reason}");
    }
}
