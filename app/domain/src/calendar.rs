//! The calendar both training and drills use: the month grid (Monday
//! first), the week around a day, the days the source names (防灾减灾日
//! 12 May, 安全生产月 June, 消防日 9 November), and the iCalendar
//! (RFC 5545) feed of all-day and timed events.

use super::{LOCAL_OFFSET_SECS, local_date, local_day_start};
use chrono::{Datelike, Duration, NaiveDate};

/// The weeks of a month, Monday first; days outside the month are `None`.
pub fn month_grid(year: i32, month: u32) -> Vec<[Option<NaiveDate>; 7]> {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Vec::new();
    };
    let mut weeks = Vec::new();
    let mut week = [None; 7];
    let mut day = first;
    while day.month() == month {
        let col = day.weekday().num_days_from_monday() as usize;
        week[col] = Some(day);
        if col == 6 {
            weeks.push(week);
            week = [None; 7];
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    if week.iter().any(Option::is_some) {
        weeks.push(week);
    }
    weeks
}

/// The Monday-to-Sunday week that holds `day`.
pub fn week_of(day: NaiveDate) -> [NaiveDate; 7] {
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    std::array::from_fn(|i| monday + Duration::days(i as i64))
}

/// The translation key of the day the source asks to mark, if `day` is
/// one: 防灾减灾日 (12 May), 安全生产月 (all of June), 消防日 (9 November).
pub fn observance(day: NaiveDate) -> Option<&'static str> {
    match (day.month(), day.day()) {
        (5, 12) => Some("observance.disaster_reduction_day"),
        (6, _) => Some("observance.safety_month"),
        (11, 9) => Some("observance.fire_day"),
        _ => None,
    }
}

/// One day of a calendar view: which events (by index into the list given)
/// it shows, and how many more it holds than it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCell {
    pub day: NaiveDate,
    pub shown: Vec<usize>,
    pub more: usize,
}

/// Spreads events (first and last day, inclusive) over the days
/// `first..=last`, at most `cap` shown per day in the order given; an
/// event of several days shows on each of them.
pub fn lay_out(
    first: NaiveDate,
    last: NaiveDate,
    events: &[(NaiveDate, NaiveDate)],
    cap: usize,
) -> Vec<DayCell> {
    let days = (last - first).num_days().max(-1) + 1;
    let mut cells: Vec<DayCell> = (0..days)
        .map(|i| DayCell {
            day: first + Duration::days(i),
            shown: Vec::new(),
            more: 0,
        })
        .collect();
    for (i, &(from, to)) in events.iter().enumerate() {
        let a = (from.max(first) - first).num_days();
        let b = (to.min(last) - first).num_days();
        for d in a..=b {
            let cell = &mut cells[d as usize];
            if cell.shown.len() < cap {
                cell.shown.push(i);
            } else {
                cell.more += 1;
            }
        }
    }
    cells
}

/// When an event happens: whole local days (both inclusive), or from one
/// instant to another (Unix seconds, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Days { start: NaiveDate, end: NaiveDate },
    Times { start: i64, end: i64 },
}

impl Span {
    /// The span as instants, end exclusive: whole days run from the local
    /// midnight that starts the first to the one that ends the last.
    pub fn instants(self) -> (i64, i64) {
        match self {
            Span::Days { start, end } => (
                local_day_start(start),
                local_day_start(end.succ_opt().unwrap_or(end)),
            ),
            Span::Times { start, end } => (start, end),
        }
    }

    /// The local days the span touches, first and last.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        match self {
            Span::Days { start, end } => (start, end),
            Span::Times { start, end } => {
                let first = local_date(start).unwrap_or_default();
                // An event that ends at midnight does not touch the next day.
                let last = local_date((end - 1).max(start)).unwrap_or(first);
                (first, last)
            }
        }
    }

    /// Do two spans share any moment?
    pub fn overlaps(self, other: Span) -> bool {
        let (a0, a1) = self.instants();
        let (b0, b1) = other.instants();
        a0 < b1 && b0 < a1
    }
}

/// One event of an iCalendar feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalEvent {
    pub uid: String,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub span: Span,
}

fn ical_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a character
/// (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc_stamp(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// An iCalendar (RFC 5545) feed; `stamp` is the instant (Unix seconds)
/// the feed was made. Timed events are written in UTC, all-day events as
/// dates with the day after the last as their end.
pub fn ical(name: &str, events: &[CalEvent], stamp: i64) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Yingji//Calendar//ZH",
        "CALSCALE:GREGORIAN",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", ical_text(name)), &mut out);
    let stamp = utc_stamp(stamp);
    for e in events {
        let (start, end) = match e.span {
            Span::Days { start, end } => (
                format!("DTSTART;VALUE=DATE:{}", start.format("%Y%m%d")),
                format!(
                    "DTEND;VALUE=DATE:{}",
                    end.succ_opt().unwrap_or(end).format("%Y%m%d")
                ),
            ),
            Span::Times { start, end } => (
                format!("DTSTART:{}", utc_stamp(start)),
                format!("DTEND:{}", utc_stamp(end)),
            ),
        };
        for line in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", ical_text(&e.uid)),
            format!("DTSTAMP:{stamp}"),
            start,
            end,
            format!("SUMMARY:{}", ical_text(&e.summary)),
            format!("LOCATION:{}", ical_text(&e.location)),
            format!("DESCRIPTION:{}", ical_text(&e.description)),
            "END:VEVENT".to_string(),
        ] {
            fold(&line, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// A local date and time from a form (`YYYY-MM-DDTHH:MM` as a
/// `datetime-local` input sends it, or with a space) as an instant.
pub fn local_instant(raw: &str) -> Result<i64, super::Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(super::Problem::new("problem.required"));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(raw, f).ok())
        .map(|t| t.and_utc().timestamp() - LOCAL_OFFSET_SECS)
        .ok_or_else(|| super::Problem::new("problem.bad_datetime"))
}

/// An instant as a `datetime-local` input shows it (`YYYY-MM-DDTHH:MM`).
pub fn input_instant(ts: i64) -> String {
    super::local_time(ts).replacen(' ', "T", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_grid_starts_on_monday() {
        // April 2018 begins on a Sunday and spans six weeks.
        let g = month_grid(2018, 4);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0][6], Some(d("2018-04-01")));
        assert_eq!(g[0][0], None);
        assert_eq!(g[5][0], Some(d("2018-04-30")));
    }

    #[test]
    fn a_week_runs_monday_to_sunday_around_the_day() {
        let w = week_of(d("2018-05-12"));
        assert_eq!(w[0], d("2018-05-07"));
        assert_eq!(w[5], d("2018-05-12"));
        assert_eq!(w[6], d("2018-05-13"));
    }

    #[test]
    fn events_spread_over_their_days_up_to_the_cap() {
        let cells = lay_out(
            d("2018-05-01"),
            d("2018-05-07"),
            &[
                (d("2018-04-28"), d("2018-05-02")),
                (d("2018-05-02"), d("2018-05-02")),
                (d("2018-05-02"), d("2018-05-03")),
                (d("2018-05-07"), d("2018-05-09")),
            ],
            2,
        );
        assert_eq!(cells.len(), 7);
        assert_eq!(cells[0].shown, vec![0]);
        assert_eq!((cells[1].shown.clone(), cells[1].more), (vec![0, 1], 1));
        assert_eq!(cells[2].shown, vec![2]);
        assert!(cells[3].shown.is_empty());
        assert_eq!(cells[6].shown, vec![3]);
        assert_eq!(cells[6].day, d("2018-05-07"));
    }

    #[test]
    fn the_days_the_source_names_are_marked() {
        assert_eq!(
            observance(d("2018-05-12")),
            Some("observance.disaster_reduction_day")
        );
        assert_eq!(observance(d("2018-06-01")), Some("observance.safety_month"));
        assert_eq!(observance(d("2018-06-30")), Some("observance.safety_month"));
        assert_eq!(observance(d("2018-11-09")), Some("observance.fire_day"));
        assert_eq!(observance(d("2018-05-13")), None);
        assert_eq!(observance(d("2018-07-01")), None);
    }

    #[test]
    fn a_drill_overlaps_a_training_day_it_touches_and_not_the_next() {
        let morning = Span::Times {
            start: local_instant("2018-04-04T09:00").unwrap(),
            end: local_instant("2018-04-04T11:30").unwrap(),
        };
        let batch = Span::Days {
            start: d("2018-04-02"),
            end: d("2018-04-04"),
        };
        assert!(morning.overlaps(batch));
        let next_day = Span::Days {
            start: d("2018-04-05"),
            end: d("2018-04-05"),
        };
        assert!(!morning.overlaps(next_day));
        // Back to back is not a clash.
        let after = Span::Times {
            start: local_instant("2018-04-04T11:30").unwrap(),
            end: local_instant("2018-04-04T12:00").unwrap(),
        };
        assert!(!morning.overlaps(after));
        assert_eq!(morning.days(), (d("2018-04-04"), d("2018-04-04")));
    }

    #[test]
    fn a_local_time_is_read_in_the_district_zone() {
        // 09:00 in Beijing is 01:00 UTC.
        let t = local_instant("2018-04-04T09:00").unwrap();
        assert_eq!(utc_stamp(t), "20180404T010000Z");
        assert_eq!(input_instant(t), "2018-04-04T09:00");
        assert_eq!(
            local_instant("2018-04-31T09:00").unwrap_err().key,
            "problem.bad_datetime"
        );
        assert_eq!(local_instant(" ").unwrap_err().key, "problem.required");
    }

    #[test]
    fn the_ical_feed_escapes_text_folds_lines_and_writes_both_kinds_of_event() {
        let feed = ical(
            "我的培训",
            &[
                CalEvent {
                    uid: "batch-1@yingji".into(),
                    summary: "轮训; 第一批, B1".into(),
                    location: "区应急办".into(),
                    description: "懂预警、会监测、能上报".repeat(5),
                    span: Span::Days {
                        start: d("2018-04-02"),
                        end: d("2018-04-04"),
                    },
                },
                CalEvent {
                    uid: "drill-1@yingji".into(),
                    summary: "地震疏散演练".into(),
                    location: "一中操场".into(),
                    description: String::new(),
                    span: Span::Times {
                        start: local_instant("2018-05-12T09:30").unwrap(),
                        end: local_instant("2018-05-12T11:00").unwrap(),
                    },
                },
            ],
            local_instant("2018-03-01T08:00").unwrap(),
        );
        assert!(feed.contains("SUMMARY:轮训\\; 第一批\\, B1\r\n"));
        assert!(feed.contains("DTSTART;VALUE=DATE:20180402\r\n"));
        assert!(feed.contains("DTEND;VALUE=DATE:20180405\r\n"));
        assert!(feed.contains("DTSTART:20180512T013000Z\r\n"));
        assert!(feed.contains("DTEND:20180512T030000Z\r\n"));
        assert!(feed.contains("DTSTAMP:20180301T000000Z\r\n"));
        assert!(feed.ends_with("END:VCALENDAR\r\n"));
        for line in feed.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert!(feed.contains("\r\n "), "the long description is folded");
    }
}
