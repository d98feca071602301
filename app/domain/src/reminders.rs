//! Reminders that go out before a deadline (DOMAIN.md §3: "reminders go out
//! a set number of days before expiry"; the same for corrective actions,
//! rectification orders and plans due for revision): at which lead time a
//! thing is due a reminder today, and the lead times an office sets. Each
//! lead time is sent once per thing and person; a reminder on or after the
//! day itself (lead 0) says it has passed.

use super::Problem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Lead times when the office has set none: 60 days (the registry's
/// "expiring") and 14.
pub const DEFAULT_LEAD_DAYS: [u32; 2] = [60, 14];
/// The most lead times, and the longest.
pub const MAX_LEADS: usize = 5;
pub const MAX_LEAD_DAYS: u32 = 365;
/// Things that passed their day longer ago than this get no reminder (a
/// first run must not send one for every certificate that ever expired).
pub const OVERDUE_WINDOW_DAYS: i64 = 90;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A certificate's expiry: to its holder and the unit's organizers.
    Certificate,
    /// A drill's corrective action and its due date: to the owner unit's
    /// organizers.
    Action,
    /// A rectification order's deadline: to the unit's organizers.
    Order,
    /// A plan in force and its revision date: to the unit's organizers.
    Plan,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Certificate, Kind::Action, Kind::Order, Kind::Plan];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Certificate => "certificate",
            Kind::Action => "action",
            Kind::Order => "order",
            Kind::Plan => "plan",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The notice's text key: before the day, or on and after it.
    pub fn message_key(self, lead: u32) -> String {
        let when = if lead == 0 { "passed" } else { "ahead" };
        format!("notice.remind_{}_{when}", self.code())
    }
}

/// The lead time a thing due on `due` is reminded at today, if any: the
/// shortest lead time whose day has come (a first run 10 days ahead sends
/// the 14-day reminder, not the 60-day one as well), or 0 once the day has
/// come, within the overdue window.
pub fn lead_due(due: NaiveDate, today: NaiveDate, leads: &[u32]) -> Option<u32> {
    let left = (due - today).num_days();
    if left <= 0 {
        return (-left <= OVERDUE_WINDOW_DAYS).then_some(0);
    }
    leads
        .iter()
        .copied()
        .filter(|l| *l > 0 && left <= i64::from(*l))
        .min()
}

/// Lead times as an office types them ("60, 14" or "60 14"): whole days,
/// 1 to 365, at most five; kept longest first, each once.
pub fn parse_leads(text: &str) -> Result<Vec<u32>, Problem> {
    let mut leads = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let days: u32 = part
            .parse()
            .ok()
            .filter(|d| (1..=MAX_LEAD_DAYS).contains(d))
            .ok_or_else(|| Problem::with("problem.lead_days", &[part]))?;
        if !leads.contains(&days) {
            leads.push(days);
        }
    }
    if leads.is_empty() || leads.len() > MAX_LEADS {
        return Err(Problem::new("problem.lead_days_count"));
    }
    leads.sort_unstable_by(|a, b| b.cmp(a));
    Ok(leads)
}

/// Lead times as stored, longest first; the defaults when unset or
/// unreadable.
pub fn stored_leads(text: Option<&str>) -> Vec<u32> {
    text.and_then(|t| parse_leads(t).ok())
        .unwrap_or_else(|| DEFAULT_LEAD_DAYS.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_thing_is_reminded_at_each_lead_time_and_once_its_day_has_come() {
        let due = d("2026-12-31");
        let leads = [60, 14];
        assert_eq!(
            lead_due(due, d("2026-10-31"), &leads),
            None,
            "61 days ahead"
        );
        assert_eq!(lead_due(due, d("2026-11-01"), &leads), Some(60));
        assert_eq!(
            lead_due(due, d("2026-12-16"), &leads),
            Some(60),
            "15 days ahead"
        );
        assert_eq!(lead_due(due, d("2026-12-17"), &leads), Some(14));
        assert_eq!(lead_due(due, d("2026-12-30"), &leads), Some(14));
        assert_eq!(
            lead_due(due, d("2026-12-31"), &leads),
            Some(0),
            "the day itself"
        );
        assert_eq!(
            lead_due(due, d("2027-03-31"), &leads),
            Some(0),
            "90 days after"
        );
        assert_eq!(lead_due(due, d("2027-04-01"), &leads), None, "long past");
    }

    #[test]
    fn lead_times_are_whole_days_named_when_wrong() {
        assert_eq!(parse_leads("60, 14").unwrap(), vec![60, 14]);
        assert_eq!(parse_leads("14，60 14").unwrap(), vec![60, 14]);
        assert_eq!(parse_leads("30").unwrap(), vec![30]);
        let p = parse_leads("60, 0").unwrap_err();
        assert_eq!(
            (p.key.as_str(), p.args.as_slice()),
            ("problem.lead_days", &["0".to_string()][..])
        );
        assert_eq!(
            parse_leads("abc").unwrap_err().args,
            vec!["abc".to_string()]
        );
        assert_eq!(parse_leads("366").unwrap_err().key, "problem.lead_days");
        assert_eq!(parse_leads("").unwrap_err().key, "problem.lead_days_count");
        assert_eq!(
            parse_leads("1 2 3 4 5 6").unwrap_err().key,
            "problem.lead_days_count"
        );
        assert_eq!(stored_leads(Some("garbage")), vec![60, 14]);
        assert_eq!(stored_leads(None), vec![60, 14]);
    }

    #[test]
    fn kinds_have_codes_and_a_text_for_ahead_and_passed() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
        }
        assert_eq!(
            Kind::Certificate.message_key(14),
            "notice.remind_certificate_ahead"
        );
        assert_eq!(Kind::Order.message_key(0), "notice.remind_order_passed");
    }
}
