//! Incident information reports (突发事件信息报告): the four levels, the
//! reporting deadline check that turns a slow first report into a
//! `late_report` event, and the findings assessors record (false,
//! concealed, omitted), each of which is an event too. A finding counts in
//! the year it is made, which for a concealed report may be a later year
//! than the incident's.

use super::Problem;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    /// 一般
    General = 0,
    /// 较大
    Larger = 1,
    /// 重大
    Major = 2,
    /// 特别重大
    Grave = 3,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::General, Level::Larger, Level::Major, Level::Grave];

    pub fn code(self) -> &'static str {
        match self {
            Level::General => "general",
            Level::Larger => "larger",
            Level::Major => "major",
            Level::Grave => "grave",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Level::General => "incident.level_general",
            Level::Larger => "incident.level_larger",
            Level::Major => "incident.level_major",
            Level::Grave => "incident.level_grave",
        }
    }

    /// The scheme form's field for this level's deadline.
    pub fn deadline_field(self) -> &'static str {
        match self {
            Level::General => "field.deadline_general",
            Level::Larger => "field.deadline_larger",
            Level::Major => "field.deadline_major",
            Level::Grave => "field.deadline_grave",
        }
    }

    pub fn parse(raw: &str) -> Result<Level, Problem> {
        match raw.trim() {
            "general" | "一般" => Ok(Level::General),
            "larger" | "较大" => Ok(Level::Larger),
            "major" | "重大" => Ok(Level::Major),
            "grave" | "特别重大" => Ok(Level::Grave),
            "" => Err(Problem::new("problem.required")),
            other => Err(Problem::with("problem.unknown_value", &[other])),
        }
    }
}

/// What an assessor found wrong with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finding {
    /// 谎报
    False,
    /// 瞒报
    Concealed,
    /// 漏报
    Omitted,
}

impl Finding {
    pub const ALL: [Finding; 3] = [Finding::False, Finding::Concealed, Finding::Omitted];

    /// The event type the finding records.
    pub fn event(self) -> &'static str {
        match self {
            Finding::False => "false_report",
            Finding::Concealed => "concealed_report",
            Finding::Omitted => "omitted_report",
        }
    }

    pub fn parse(raw: &str) -> Result<Finding, Problem> {
        Finding::ALL
            .into_iter()
            .find(|f| f.event() == raw.trim())
            .ok_or_else(|| Problem::with("problem.unknown_value", &[raw.trim()]))
    }
}

/// Minutes from the incident to its first report.
pub fn report_delay_minutes(occurred_at: i64, reported_at: i64) -> i64 {
    (reported_at - occurred_at).div_euclid(60)
}

/// A first report after the level's deadline is late (迟报). Reported
/// exactly at the deadline is on time.
pub fn is_late(occurred_at: i64, reported_at: i64, deadline_minutes: i64) -> bool {
    reported_at - occurred_at > deadline_minutes * 60
}

/// A report cannot come before the incident it reports.
pub fn check_times(occurred_at: i64, reported_at: i64) -> Result<(), Problem> {
    if reported_at < occurred_at {
        Err(Problem::new("problem.reported_before_occurred"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_after_the_deadline_is_late_and_one_at_it_is_not() {
        let t0 = 1_525_000_000;
        assert!(!is_late(t0, t0 + 30 * 60, 30));
        assert!(is_late(t0, t0 + 30 * 60 + 1, 30));
        assert!(!is_late(t0, t0, 30));
        assert_eq!(report_delay_minutes(t0, t0 + 95 * 60 + 20), 95);
    }

    #[test]
    fn a_report_before_the_incident_is_refused() {
        assert_eq!(
            check_times(100, 99),
            Err(Problem::new("problem.reported_before_occurred"))
        );
        assert_eq!(check_times(100, 100), Ok(()));
    }

    #[test]
    fn levels_and_findings_read_codes_and_chinese() {
        assert_eq!(Level::parse("较大"), Ok(Level::Larger));
        assert_eq!(Level::parse("grave"), Ok(Level::Grave));
        assert!(Level::parse("huge").is_err());
        assert_eq!(Finding::parse("concealed_report"), Ok(Finding::Concealed));
        assert!(Finding::parse("late_report").is_err());
    }
}
