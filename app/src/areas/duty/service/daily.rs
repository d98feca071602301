//! Daily and zero reports (日报告/零报告): the office (assessors, admins;
//! district-wide) sets which unit kinds report and by when; a unit's own
//! people file the day's report; those who see duty see today's board,
//! the office reminds the units still missing and excuses a missed day
//! with a reason. After each day's deadline, `settle` records every unit
//! late or missing once, as a `missed_zero_report` event with the missed
//! day (`report_miss:ID`) as its source.

use super::super::dto::{MissDetail, ReportLine, ReportsPage};
use super::super::store::reports;
use super::invalid;
use crate::areas::assessment::service::{self as assessment, NewEvent};
use crate::areas::directory::service as directory;
use crate::domain::authz::{Action, Reach};
use crate::domain::daily_report::{
    DailyReport, REMIND_EVERY_SECS, ReportRules, ReportState, RuleBook, clock_time, days_to_settle,
};
use crate::domain::{Problem, text_field};
use crate::error::AppError;
use crate::platform::db::Db;
use crate::platform::{Actor, Ctx, Write};
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;

/// How long after a deadline its day is settled.
const SETTLE_GRACE_SECS: i64 = 60;

/// How far back the page lists missed days.
const MISSES_SHOWN_DAYS: u64 = 60;

/// A unit that must report: id, name, path.
struct Reporting {
    id: i64,
    name: String,
    path: String,
}

/// The units of the kinds the rule names, in tree order.
async fn reporting_units(
    c: &mut AnyConnection,
    rules: &ReportRules,
) -> Result<Vec<Reporting>, AppError> {
    Ok(directory::places(c)
        .await?
        .into_iter()
        .filter(|p| rules.applies_to(p.kind.0))
        .map(|p| Reporting {
            id: p.id,
            name: p.name,
            path: p.path,
        })
        .collect())
}

/// The caller's own unit, when the rule asks it to report.
async fn my_unit(
    cx: &Ctx,
    c: &mut AnyConnection,
    rules: &ReportRules,
) -> Result<Option<Reporting>, AppError> {
    Ok(super::own_place(cx, c)
        .await?
        .filter(|u| rules.applies_to(u.kind))
        .map(|u| Reporting {
            id: u.id,
            name: u.name,
            path: u.path,
        }))
}

/// The rule that judges `today` (a change saved today waits for
/// tomorrow), if the office has set one.
async fn today_rules(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Option<ReportRules>, AppError> {
    Ok(reports::rules(c).await?.map(|k| k.book.on(today).clone()))
}

fn no_rules() -> AppError {
    AppError::Conflict(Problem::new("problem.report_no_rules"))
}

/// `/duty/reports`: the caller's own unit's report of today (when it
/// must report), today's board of the units the caller sees duty of, the
/// missed days of the last 60 days, and what the caller may do there.
pub async fn page(cx: &Ctx) -> Result<ReportsPage, AppError> {
    let may_view = cx.me.may(Action::ViewDuty);
    if !may_view && cx.me.person_id.is_none() {
        return Err(AppError::Forbidden);
    }
    let mut c = cx.pool().acquire().await?;
    let book = reports::rules(&mut c).await?.map(|k| k.book);
    let rules = book.as_ref().map(|b| b.on(cx.today).clone());
    let mut page = ReportsPage {
        today: cx.today,
        rules: rules.clone(),
        next_rules: book
            .and_then(|b| b.next)
            .filter(|(from, _)| *from > cx.today),
        mine: None,
        board: Vec::new(),
        misses: Vec::new(),
        may_remind: false,
        may_excuse: Vec::new(),
        may_keep_rules: cx.me.may_everywhere(Action::CheckDuty),
    };
    let Some(rules) = rules else {
        return Ok(page);
    };
    let since = cx
        .today
        .checked_sub_days(chrono::Days::new(MISSES_SHOWN_DAYS))
        .unwrap_or(cx.today);
    let mine = my_unit(cx, &mut c, &rules).await?;
    if let Some(u) = &mine {
        let report = reports::of_unit_day(&mut c, u.id, cx.today).await?;
        page.mine = Some((u.name.clone(), report));
    }
    if may_view {
        let units: Vec<Reporting> = reporting_units(&mut c, &rules)
            .await?
            .into_iter()
            .filter(|u| cx.me.may_at(Action::ViewDuty, &u.path))
            .collect();
        let mut filed = reports::of_day(&mut c, cx.today).await?;
        let reminded = reports::reminders_of_day(&mut c, cx.today).await?;
        let deadline = rules.deadline(cx.today);
        page.may_remind = units
            .iter()
            .any(|u| cx.me.may_at(Action::CheckDuty, &u.path));
        page.board = units
            .iter()
            .map(|u| {
                let report = filed.remove(&u.id);
                ReportLine {
                    unit_id: u.id,
                    unit_name: u.name.clone(),
                    state: ReportState::of(
                        report.as_ref().map(|r| r.submitted_at),
                        deadline,
                        cx.now,
                    ),
                    report,
                    reminded_at: reminded.get(&u.id).copied(),
                }
            })
            .collect();
        // The ones to chase first.
        page.board.sort_by_key(|l| match l.state {
            ReportState::Missing => 0,
            ReportState::Open => 1,
            ReportState::Late => 2,
            ReportState::OnTime => 3,
        });
        page.misses = reports::misses_within(&mut c, &cx.me.reach(Action::ViewDuty), since).await?;
        let paths: std::collections::HashMap<i64, &str> =
            units.iter().map(|u| (u.id, u.path.as_str())).collect();
        let own = super::own_unit_id(cx, &mut c).await?;
        page.may_excuse = page
            .misses
            .iter()
            .filter(|m| m.excused_at.is_none())
            .filter(|m| {
                paths
                    .get(&m.unit_id)
                    .is_some_and(|p| super::may_clear(cx, own == Some(m.unit_id), p).is_ok())
            })
            .map(|m| m.id)
            .collect();
    } else if let Some(u) = &mine {
        page.misses = reports::misses_within(&mut c, &Reach::Subtrees(vec![u.path.clone()]), since)
            .await?
            .into_iter()
            .filter(|m| m.unit_id == u.id)
            .collect();
    }
    Ok(page)
}

/// Files the caller's unit's report of today, once; after the deadline it
/// is kept as late (and a day already settled as missing reads "late").
pub async fn submit(
    cx: &Ctx,
    kind: &str,
    counts: (&str, &str, &str),
    summary: &str,
) -> Result<(), AppError> {
    let report = DailyReport::parse(kind, counts, summary).map_err(invalid)?;
    let mut w = cx.write().await?;
    let rules = today_rules(w.conn(), cx.today)
        .await?
        .ok_or_else(no_rules)?;
    let unit = my_unit(cx, w.conn(), &rules)
        .await?
        .ok_or(AppError::Forbidden)?;
    if reports::add(&mut w, unit.id, cx.today, &report)
        .await?
        .is_none()
    {
        return Err(AppError::Conflict(Problem::with(
            "problem.report_exists",
            &[&cx.today.to_string()],
        )));
    }
    if cx.now > rules.deadline(cx.today) {
        reports::mark_late(&mut w, unit.id, cx.today).await?;
    }
    w.commit().await?;
    Ok(())
}

/// Sets the district's rule (the office, district-wide). The first rule
/// applies from today when its deadline is still ahead, else tomorrow:
/// nobody misses a deadline that passed before it was set.
pub async fn save_rules(cx: &Ctx, deadline: &str, kinds: &[String]) -> Result<(), AppError> {
    cx.may_everywhere(Action::CheckDuty)?;
    let rules = ReportRules::parse(deadline, kinds).map_err(invalid)?;
    let first = if cx.now < rules.deadline(cx.today) {
        cx.today
    } else {
        cx.today.succ_opt().ok_or(AppError::Internal)?
    };
    // Days whose deadline has passed are judged by the rule they had
    // before it changes (after downtime, or a deadline close to midnight:
    // the timer may not have come yet).
    settle(&cx.st.db, cx.now).await?;
    let mut w = cx.write().await?;
    // A later change waits for tomorrow (`RuleBook::change`).
    let book = match reports::rules(w.conn()).await? {
        Some(kept) => kept.book.change(rules, cx.today),
        None => RuleBook::new(rules),
    };
    reports::save_rules(&mut w, &book, first).await?;
    w.commit().await?;
    Ok(())
}

/// Reminds the units still without today's report (`unit` empty: every
/// such unit the caller checks duty of) with an in-app notice to each of
/// their people who stand duty; how many units were reminded.
pub async fn remind(cx: &Ctx, unit: &str) -> Result<usize, AppError> {
    cx.may(Action::CheckDuty)?;
    let only = match unit.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::invalid("field.unit", Problem::new("problem.required")))?,
        ),
    };
    let mut w = cx.write().await?;
    // Two reminders racing on PostgreSQL: the second waits here and then
    // sees the first's.
    reports::lock_rules(w.conn()).await?;
    let rules = today_rules(w.conn(), cx.today)
        .await?
        .ok_or_else(no_rules)?;
    let filed = reports::of_day(w.conn(), cx.today).await?;
    let units: Vec<Reporting> = reporting_units(w.conn(), &rules)
        .await?
        .into_iter()
        .filter(|u| only.is_none_or(|o| o == u.id))
        .filter(|u| cx.me.may_at(Action::CheckDuty, &u.path))
        .collect();
    if only.is_some() && units.is_empty() {
        return Err(AppError::Forbidden);
    }
    // Reminded within the last half hour: not again (one unit asked for:
    // said, with when; everyone: left out of the count).
    let last = reports::reminders_of_day(w.conn(), cx.today).await?;
    let recent = |unit: i64| {
        last.get(&unit)
            .copied()
            .filter(|at| cx.now - at < REMIND_EVERY_SECS)
    };
    if let (Some(_), [u]) = (only, units.as_slice())
        && let Some(at) = recent(u.id)
    {
        return Err(AppError::Conflict(Problem::with(
            "problem.reminded_recently",
            &[&clock_time(at), &(REMIND_EVERY_SECS / 60).to_string()],
        )));
    }
    let (day, deadline) = (cx.today.to_string(), rules.deadline_text());
    let mut reminded = 0;
    for u in units
        .iter()
        .filter(|u| !filed.contains_key(&u.id) && recent(u.id).is_none())
    {
        super::tell_duty_people(
            &mut w,
            u.id,
            "notice.daily_report_due",
            &[&day, &deadline],
            "/duty/reports",
        )
        .await?;
        reports::add_reminder(&mut w, u.id, cx.today).await?;
        reminded += 1;
    }
    w.commit().await?;
    Ok(reminded)
}

/// A missed day, for those who see its unit's duty and for the unit's
/// own people.
pub async fn miss(cx: &Ctx, id: i64) -> Result<MissDetail, AppError> {
    let mut c = cx.pool().acquire().await?;
    let (miss, path, deadline) = reports::get_miss(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = super::sees_record_of(cx, &mut c, miss.unit_id, &path).await?;
    let report = reports::of_unit_day(&mut c, miss.unit_id, miss.day).await?;
    Ok(MissDetail {
        may_excuse: miss.excused_at.is_none() && super::may_clear(cx, own, &path).is_ok(),
        miss,
        deadline,
        report,
    })
}

/// An assessor excuses a missed day with a reason, once: the day's event
/// is withdrawn from the unit's assessment in the same transaction, the
/// change log naming the missed day. A year already published refuses;
/// so does the unit's own assessor ([`super::may_clear`]).
pub async fn excuse(cx: &Ctx, id: i64, reason: &str) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let reason = text_field(reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?;
    let mut w = cx.write().await?;
    let (miss, path, _) = reports::get_miss(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = super::own_unit_id(cx, w.conn()).await? == Some(miss.unit_id);
    super::may_clear(cx, own, &path)?;
    if !reports::excuse(&mut w, id, &reason).await? {
        return Err(AppError::Conflict(Problem::new("problem.miss_excused")));
    }
    if let Some(event) = miss.event_id {
        reports::clear_miss_event(&mut w, id).await?;
        assessment::withdraw_event(&mut w, event, &format!("report_miss:{id}")).await?;
    }
    w.commit().await?;
    Ok(())
}

/// Settles every day whose deadline has passed by `now` and that is not
/// settled yet (at most `MAX_SETTLE_DAYS` a run): each unit that must
/// report and reported late or not at all gets its missed day recorded
/// once, and a `missed_zero_report` event in its year unless that year is
/// published. Runs from the server's timer; safe to run twice and from
/// several instances at once. How many days were recorded as missed.
pub async fn settle(db: &Db, now: i64) -> Result<usize, AppError> {
    let mut c = db.pool.acquire().await?;
    let Some(kept) = reports::rules(&mut c).await? else {
        return Ok(0);
    };
    // A report filed a moment before the deadline may still be committing
    // when the deadline passes: a day is settled a minute after it.
    let days = days_to_settle(
        &kept.book,
        kept.effective_from,
        kept.settled_through,
        now - SETTLE_GRACE_SECS,
    );
    if days.is_empty() {
        return Ok(0);
    }
    let places = directory::places(&mut c).await?;
    drop(c);
    let mut missed = 0;
    for day in days {
        // Each day is judged by its own rule: its deadline, its kinds.
        let rules = kept.book.on(day);
        let reporting: Vec<i64> = places
            .iter()
            .filter(|p| rules.applies_to(p.kind.0))
            .map(|p| p.id)
            .collect();
        let mut w = Write::begin(db, Actor::system("daily_reports"), now).await?;
        missed += settle_day(&mut w, rules, &reporting, day).await?;
        reports::settled(w.conn(), day).await?;
        w.commit().await?;
    }
    Ok(missed)
}

async fn settle_day(
    w: &mut Write<'_>,
    rules: &ReportRules,
    units: &[i64],
    day: NaiveDate,
) -> Result<usize, AppError> {
    let deadline = rules.deadline(day);
    let filed = reports::of_day(w.conn(), day).await?;
    let mut missed = 0;
    for &unit in units {
        let submitted = filed.get(&unit).map(|r| r.submitted_at);
        let state = ReportState::of(submitted, deadline, w.at.max(deadline + 1));
        if !state.missed() {
            continue;
        }
        let Some(miss) =
            reports::add_miss(w, unit, day, state == ReportState::Late, deadline).await?
        else {
            continue;
        };
        let what = match submitted {
            Some(at) => format!("{} 迟报 / late", clock_time(at)),
            None => "未报 / missing".to_string(),
        };
        let event = assessment::add_event_if_open(
            w,
            &NewEvent {
                year: i64::from(day.year()),
                unit_id: unit,
                event: "missed_zero_report".into(),
                count: 1,
                occurred_on: day.to_string(),
                description: format!(
                    "日报告/零报告 {day} · 截止 {} · {what}",
                    rules.deadline_text()
                ),
                incident_id: None,
                source: Some(format!("report_miss:{miss}")),
            },
        )
        .await?;
        if let Some(e) = event {
            reports::set_miss_event(w, miss, e).await?;
        }
        missed += 1;
    }
    Ok(missed)
}
