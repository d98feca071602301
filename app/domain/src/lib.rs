//! Pure rules of the platform. Nothing here touches a database, a network, a
//! clock or the UI framework: "now" and "today" are parameters, so every rule
//! is tested with plain unit tests. Its own crate, without Leptos: the
//! server and the browser's islands both use it, and it compiles once,
//! beside the rest.

pub mod account;
pub mod assessment;
pub mod authz;
pub mod calendar;
pub mod course;
pub mod daily_report;
pub mod drills;
pub mod duty;
pub mod duty_office;
pub mod evidence;
pub mod i18n;
pub mod import;
pub mod incident;
pub mod incident_report;
pub mod json_input;
pub mod lesson;
pub mod person;
pub mod plan_file;
pub mod registry;
pub mod reminders;
pub mod roster_file;
pub mod scheduler;
pub mod scheme;
pub mod scoring_sheet;
pub mod session;
pub mod throttle;
pub mod training;
pub mod unit;
pub mod veto;

/// The district keeps China Standard Time (UTC+8, no daylight saving):
/// instants are stored in UTC and shown and filtered by local days.
pub const LOCAL_OFFSET_SECS: i64 = 8 * 3600;

/// An instant (Unix seconds) as local `YYYY-MM-DD HH:MM`.
pub fn local_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts + LOCAL_OFFSET_SECS, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The local day an instant (Unix seconds) falls on; `None` only for
/// instants outside chrono's range.
pub fn local_date(ts: i64) -> Option<chrono::NaiveDate> {
    chrono::DateTime::from_timestamp(ts + LOCAL_OFFSET_SECS, 0).map(|t| t.date_naive())
}

/// Local `YYYY-MM-DDTHH:MM` as a datetime-local input sends it (or with a
/// space for the `T`) as an instant (Unix seconds).
pub fn local_instant(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .ok()
        .filter(|t| in_calendar(t.date()))
        .map(|t| t.and_utc().timestamp() - LOCAL_OFFSET_SECS)
}

/// The instant (Unix seconds) a local day begins.
pub fn local_day_start(day: chrono::NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp() - LOCAL_OFFSET_SECS)
        .unwrap_or(0)
}

/// Percent-encodes text for a URL query value (everything but ASCII
/// letters, digits, `-`, `_` and `.`), as UTF-8 bytes.
pub fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A problem with one value a user gave, said in words the UI can translate:
/// `key` names a message in the locale files, `args` fill its `{0}`, `{1}`...
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub key: String,
    pub args: Vec<String>,
}

impl Problem {
    /// The problem as a query string (`error=KEY&arg=A&arg=B`), for a
    /// redirect back to the page after a plain form post; every argument
    /// goes along (a message with `{1}` needs its second).
    pub fn to_query(&self) -> String {
        let mut q = format!("error={}", query_escape(&self.key));
        for a in &self.args {
            q.push_str("&arg=");
            q.push_str(&query_escape(a));
        }
        q
    }

    pub fn new(key: &str) -> Self {
        Problem {
            key: key.to_string(),
            args: Vec::new(),
        }
    }

    pub fn with(key: &str, args: &[&str]) -> Self {
        Problem {
            key: key.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }
}

/// A problem with one field: `field` is a translation key, or for a row of
/// a table `field.indicator_row:3:field.max` (row 3, its maximum).
pub type FieldProblem = (String, Problem);

pub fn field_at(field: &str, p: Problem) -> FieldProblem {
    (field.to_string(), p)
}

/// The key of a field in row `row` (0-based) of a table, as
/// `error::field_label` reads it.
pub fn row_field(table: &str, row: usize, field: &str) -> String {
    format!("{table}:{}:{field}", row + 1)
}

/// A required ISO date (`YYYY-MM-DD`) from a form.
pub fn iso_date(raw: &str) -> Result<chrono::NaiveDate, Problem> {
    if raw.trim().is_empty() {
        return Err(Problem::new("problem.required"));
    }
    let day = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Problem::new("problem.bad_date"))?;
    if in_calendar(day) {
        Ok(day)
    } else {
        Err(Problem::new("problem.date_range"))
    }
}

/// The years a date from a form may name. chrono alone reads `+10000-01-01`
/// and `0001-01-01`; dates are stored as `YYYY-MM-DD` text and compared as
/// text, which holds only for four-digit years, and no record here is
/// older than 1900 or planned beyond 2100.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Whether a day lies within `YEARS`.
pub fn in_calendar(day: chrono::NaiveDate) -> bool {
    YEARS.contains(&chrono::Datelike::year(&day))
}

/// Trims a text field and checks its length in characters (not bytes: names
/// are Chinese).
pub fn text_field(raw: &str, min: usize, max: usize) -> Result<String, Problem> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 && min > 0 {
        return Err(Problem::new("problem.required"));
    }
    if len < min {
        return Err(Problem::with("problem.too_short", &[&min.to_string()]));
    }
    if len > max {
        return Err(Problem::with("problem.too_long", &[&max.to_string()]));
    }
    if value.chars().any(char::is_control) {
        return Err(Problem::new("problem.control_chars"));
    }
    Ok(value.to_string())
}

/// A count from a form (people hurt, incidents): a whole number from 0 to
/// `max`; left empty, 0.
pub fn count_field(raw: &str, max: u32) -> Result<u32, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse::<u32>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| Problem::with("problem.between", &["0", &max.to_string()]))
}

/// A code used in files and links (unit codes, person numbers): letters,
/// digits, `-` and `_`, 1 to 32 of them.
pub fn code_field(raw: &str) -> Result<String, Problem> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Problem::new("problem.required"));
    }
    if value.len() > 32 {
        return Err(Problem::with("problem.too_long", &["32"]));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Problem::new("problem.bad_code"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {

    #[test]
    fn dates_outside_the_calendar_years_are_refused() {
        assert_eq!(iso_date("2026-12-02").unwrap().to_string(), "2026-12-02");
        for raw in ["+10000-01-01", "0001-01-01", "1899-12-31", "2101-01-01"] {
            assert_eq!(
                iso_date(raw).unwrap_err().key,
                "problem.date_range",
                "{raw}"
            );
        }
        assert_eq!(iso_date("2026-02-30").unwrap_err().key, "problem.bad_date");
        assert!(local_instant("+10000-01-01T08:00").is_none());
        assert!(local_instant("0001-01-01 08:00").is_none());
        assert!(local_instant("2026-12-02T08:00").is_some());
    }
    use super::*;

    #[test]
    fn a_problem_goes_into_a_query_with_all_its_arguments() {
        assert_eq!(
            Problem::with("problem.mixed_encoding", &["3", "1"]).to_query(),
            "error=problem.mixed_encoding&arg=3&arg=1"
        );
        assert_eq!(
            Problem::with("problem.bad_csv", &["a&b=c"]).to_query(),
            "error=problem.bad_csv&arg=a%26b%3Dc"
        );
    }

    #[test]
    fn a_local_day_runs_from_local_midnight() {
        // 2018-05-11 16:00 UTC is 2018-05-12 00:00 in the district.
        let start = 1_526_054_400;
        let day = chrono::NaiveDate::from_ymd_opt(2018, 5, 12).unwrap();
        assert_eq!(local_date(start), Some(day));
        assert_eq!(local_date(start - 1), day.pred_opt());
        assert_eq!(local_day_start(day), start);
    }

    #[test]
    fn text_fields_are_trimmed_and_counted_in_characters() {
        assert_eq!(text_field("  张三丰 ", 1, 3), Ok("张三丰".to_string()));
        assert_eq!(
            text_field("张三丰四", 1, 3),
            Err(Problem::with("problem.too_long", &["3"]))
        );
        assert_eq!(
            text_field("   ", 1, 3),
            Err(Problem::new("problem.required"))
        );
        assert_eq!(
            text_field("a\u{7}b", 1, 9),
            Err(Problem::new("problem.control_chars"))
        );
    }

    #[test]
    fn query_values_are_percent_encoded_as_utf8() {
        assert_eq!(query_escape("欧阳 a&b"), "%E6%AC%A7%E9%98%B3%20a%26b");
        assert_eq!(query_escape("problem.bad_csv"), "problem.bad_csv");
    }

    #[test]
    fn local_time_is_china_standard_time() {
        assert_eq!(local_time(0), "1970-01-01 08:00");
    }

    #[test]
    fn codes_allow_only_ascii_letters_digits_dash_and_underscore() {
        assert_eq!(code_field(" JD-01 "), Ok("JD-01".to_string()));
        assert_eq!(code_field("街道"), Err(Problem::new("problem.bad_code")));
        assert_eq!(code_field(""), Err(Problem::new("problem.required")));
        assert_eq!(
            code_field(&"x".repeat(33)),
            Err(Problem::with("problem.too_long", &["32"]))
        );
    }
}
