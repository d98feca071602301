//! Incident reports from the units (突发事件信息报告): a unit's own people
//! file the 首报, then 续报 and one 终报; the office (who checks duty there)
//! asks for a 核报 with a deadline, which the unit answers. The district's
//! deadlines per level (the office's, district-wide) apply whether or not
//! an assessment scheme exists: a late 首报 becomes a `late_report` event
//! at once, a 核报 answered late at once too, and one left unanswered when
//! `settle` finds it overdue. Each event's source is the incident
//! (`unit_incident:ID`), whose timeline shows why.

use super::super::dto::{IncidentDetail, IncidentHead, IncidentsPage};
use super::super::store::incidents as store;
use super::invalid;
use crate::areas::assessment::service::{self as assessment, NewEvent};
use crate::domain::authz::{Action, Reach};
use crate::domain::incident::{Level, report_delay_minutes};
use crate::domain::incident_report::{
    Deadlines, FirstForm, FirstReport, FollowUp, Ruling, Stage, Standing, verification_due,
};
use crate::domain::{Problem, local_date, local_time, text_field};
use crate::error::AppError;
use crate::platform::db::Db;
use crate::platform::{Actor, Ctx, Write};
use chrono::Datelike;
use sqlx::AnyConnection;

/// How long closed incidents stay on the list.
const CLOSED_SHOWN_SECS: i64 = 30 * 86_400;

fn standing(head: &IncidentHead) -> Standing {
    Standing {
        closed: head.closed_at.is_some(),
        asked: head.waiting.is_some(),
    }
}

/// `/duty/incidents`: open incidents (an overdue 核报 first), then those
/// closed in the last 30 days, of the units the caller sees duty of, or
/// of the caller's own unit.
pub async fn page(cx: &Ctx) -> Result<IncidentsPage, AppError> {
    let may_view = cx.me.may(Action::ViewDuty);
    let mut c = cx.pool().acquire().await?;
    let own = super::own_place(cx, &mut c).await?;
    let reach = match (&own, may_view) {
        (_, true) => cx.me.reach(Action::ViewDuty),
        (Some(u), false) => Reach::Subtrees(vec![u.path.clone()]),
        (None, false) => return Err(AppError::Forbidden),
    };
    let mut incidents = store::within(&mut c, &reach, cx.now - CLOSED_SHOWN_SECS).await?;
    if !may_view {
        let unit = own.as_ref().map(|u| u.id);
        incidents.retain(|i| Some(i.unit_id) == unit);
    }
    let now = cx.now;
    incidents.sort_by_key(|i| (i.closed_at.is_some(), i.waiting.is_none_or(|d| d >= now)));
    Ok(IncidentsPage {
        deadlines: store::deadlines(&mut c).await?,
        my_unit: own.map(|u| u.name),
        incidents,
        now,
        may_keep_deadlines: cx.me.may_everywhere(Action::CheckDuty),
    })
}

/// The district's minutes to 首报 per level (the office, district-wide).
pub async fn save_deadlines(cx: &Ctx, raw: [&str; 4]) -> Result<(), AppError> {
    cx.may_everywhere(Action::CheckDuty)?;
    let d = Deadlines::parse(raw).map_err(crate::error::first_invalid)?;
    let mut w = cx.write().await?;
    store::save_deadlines(&mut w, &d).await?;
    w.commit().await?;
    Ok(())
}

/// A `late_report` event of `unit_id` on the day of `on`, whose source is
/// the incident.
fn late_report(
    (unit_id, incident): (i64, i64),
    on: i64,
    description: String,
) -> Result<NewEvent, AppError> {
    let day = local_date(on).ok_or(AppError::Internal)?;
    Ok(NewEvent {
        year: i64::from(day.year()),
        unit_id,
        event: "late_report".into(),
        count: 1,
        occurred_on: day.to_string(),
        description,
        incident_id: None,
        source: Some(format!("unit_incident:{incident}")),
    })
}

/// Records a `late_report` event for the unit's year, when open, and
/// returns it.
async fn late_event(
    w: &mut Write<'_>,
    unit_incident: (i64, i64),
    on: i64,
    description: String,
) -> Result<Option<i64>, AppError> {
    assessment::add_event_if_open(w, &late_report(unit_incident, on, description)?).await
}

/// Files the 首报 of an incident of the caller's own unit; its id. Late
/// by the district's deadline for its level: a `late_report` event in the
/// same transaction.
pub async fn report_first(cx: &Ctx, f: &FirstForm<'_>) -> Result<i64, AppError> {
    let r = FirstReport::parse(f, cx.now).map_err(crate::error::first_invalid)?;
    let mut w = cx.write().await?;
    let unit = super::own_place(cx, w.conn())
        .await?
        .ok_or(AppError::Forbidden)?
        .id;
    let deadlines = store::deadlines(w.conn()).await?;
    let due = deadlines.map(|d| d.first_due(r.level, r.occurred_at));
    let id = store::add(&mut w, unit, &r, due).await?;
    if let Some(d) = deadlines
        && d.first_late(r.level, r.occurred_at, cx.now)
    {
        let description = late_first_text(&r.title, "", (r.level, r.occurred_at), cx.now, &d);
        if let Some(e) = late_event(&mut w, (unit, id), r.occurred_at, description).await? {
            store::set_event(&mut w, id, e).await?;
        }
    }
    w.commit().await?;
    Ok(id)
}

/// A late 首报's event text: the incident, when it happened and when it
/// was reported, the delay against the level's minutes (`by`: "核定 " when
/// the facts are the office's ruling).
fn late_first_text(
    title: &str,
    by: &str,
    (level, occurred_at): (Level, i64),
    reported_at: i64,
    d: &Deadlines,
) -> String {
    format!(
        "{title} 首报迟报 / late first report({by}{} → {},{} min > {} min)",
        local_time(occurred_at),
        local_time(reported_at),
        report_delay_minutes(occurred_at, reported_at),
        d.minutes(level)
    )
}

/// The office's ruling on an incident's facts (核定): the level and the
/// time it happened as established, with a reason. An assessor over the
/// unit who is not one of its people rules (the ruling moves a figure);
/// again later if need be, each audited. The 首报's lateness is judged
/// again by the ruling in the same transaction: a `late_report` event is
/// added when it is now late and had none, put anew when the facts it
/// stated changed, withdrawn when it is no longer late (the change log
/// naming the incident). A published year refuses either way.
pub async fn rule(cx: &Ctx, id: i64, form: (&str, &str, &str)) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let mut w = cx.write().await?;
    // The incident's row first: two rulings at once are decided in turn,
    // each reading what the other left (its facts, its event).
    if !store::lock(w.conn(), id).await? {
        return Err(AppError::NotFound);
    }
    let (head, path) = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    let own = super::own_unit_id(cx, w.conn()).await? == Some(head.unit_id);
    super::may_clear(cx, own, &path)?;
    let ruling = Ruling::parse(form, head.reported_at).map_err(crate::error::first_invalid)?;
    let deadlines = store::deadlines(w.conn()).await?;
    let due = deadlines.map(|d| d.first_due(ruling.level, ruling.occurred_at));
    let before = head
        .ruling
        .as_ref()
        .map_or((head.level, head.occurred_at), |r| (r.level, r.occurred_at));
    store::rule(&mut w, &head, &ruling, due).await?;
    let late_by =
        deadlines.filter(|d| d.first_late(ruling.level, ruling.occurred_at, head.reported_at));
    // The event stands when it states these very facts.
    let stands = head.event_id.is_some() && before == (ruling.level, ruling.occurred_at);
    if let Some(event) = head.event_id
        && (late_by.is_none() || !stands)
    {
        store::clear_event(&mut w, id).await?;
        assessment::withdraw_event(&mut w, event, &format!("unit_incident:{id}")).await?;
    }
    if let Some(d) = late_by
        && !stands
    {
        let description = late_first_text(
            &head.title,
            "核定 ",
            (ruling.level, ruling.occurred_at),
            head.reported_at,
            &d,
        );
        let event = late_report((head.unit_id, id), ruling.occurred_at, description)?;
        let event = assessment::add_event_in(&mut w, &event).await?;
        store::set_event(&mut w, id, event).await?;
    }
    w.commit().await?;
    Ok(())
}

/// The incident and its unit's path, for someone who may see it: the
/// unit's own people and those who see duty there.
async fn visible(
    cx: &Ctx,
    c: &mut AnyConnection,
    id: i64,
) -> Result<(IncidentHead, String, bool), AppError> {
    let (head, path) = store::get(c, id).await?.ok_or(AppError::NotFound)?;
    let own = super::sees_record_of(cx, c, head.unit_id, &path).await?;
    Ok((head, path, own))
}

/// Files a 续报, the 终报 or a 核报 answer on an incident of the caller's
/// own unit. An answer after the request's deadline is recorded late at
/// once.
pub async fn follow(
    cx: &Ctx,
    id: i64,
    stage: &str,
    text: &str,
    counts: (&str, &str),
) -> Result<(), AppError> {
    let f = FollowUp::parse(stage, text, counts).map_err(crate::error::first_invalid)?;
    let mut w = cx.write().await?;
    let (head, _, own) = visible(cx, w.conn(), id).await?;
    if !own {
        return Err(AppError::Forbidden);
    }
    standing(&head)
        .may_follow(f.stage)
        .map_err(AppError::Conflict)?;
    if store::follow(&mut w, id, &f).await?.is_none() {
        // Another request closed or answered it a moment before.
        let again = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?.0;
        let p = standing(&again).may_follow(f.stage).err();
        return Err(AppError::Conflict(
            p.unwrap_or_else(|| Problem::new("problem.incident_closed")),
        ));
    }
    if f.stage == Stage::Verify {
        let late = store::late_requests(w.conn(), cx.now, Some(id)).await?;
        record_late_requests(&mut w, late).await?;
    }
    w.commit().await?;
    Ok(())
}

/// The office asks the unit for a 核报 by `due` (local date and time);
/// the unit's people on duty are told.
pub async fn ask(cx: &Ctx, id: i64, question: &str, due: &str) -> Result<(), AppError> {
    cx.may(Action::CheckDuty)?;
    let question =
        text_field(question, 2, 500).map_err(|p| AppError::invalid("field.question", p))?;
    let due = verification_due(due, cx.now).map_err(invalid)?;
    let mut w = cx.write().await?;
    let (head, path) = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::CheckDuty, &path) {
        return Err(AppError::Forbidden);
    }
    standing(&head).may_ask().map_err(AppError::Conflict)?;
    if store::ask(&mut w, id, &question, due).await?.is_none() {
        return Err(AppError::Conflict(Problem::new(
            "problem.verification_open",
        )));
    }
    super::tell_duty_people(
        &mut w,
        head.unit_id,
        "notice.incident_verification",
        &[&head.title, &local_time(due)],
        &format!("/duty/incidents/{id}"),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// An incident's timeline.
pub async fn detail(cx: &Ctx, id: i64) -> Result<IncidentDetail, AppError> {
    let mut c = cx.pool().acquire().await?;
    let (head, path, own) = visible(cx, &mut c, id).await?;
    Ok(IncidentDetail {
        reports: store::reports_of(&mut c, id).await?,
        verifications: store::verifications_of(&mut c, id).await?,
        now: cx.now,
        may_report: own,
        may_ask: head.waiting.is_none() && cx.me.may_at(Action::CheckDuty, &path),
        may_rule: super::may_clear(cx, own, &path).is_ok(),
        head,
    })
}

/// Records each late 核报 request found (answered late, or overdue) once,
/// as a `late_report` event: `mark_request_late` decides between runs and
/// instances. How many it recorded.
async fn record_late_requests(
    w: &mut Write<'_>,
    late: Vec<store::LateRequest>,
) -> Result<usize, AppError> {
    let mut recorded = 0;
    for r in late {
        if !store::mark_request_late(w, r.id).await? {
            continue;
        }
        let what = match r.answered_at {
            Some(at) => format!("{} 答复 / answered", local_time(at)),
            None => "未答复 / unanswered".to_string(),
        };
        let description = format!("{} 核报 截止 {} · {what}", r.title, local_time(r.due_at));
        if let Some(e) = late_event(w, (r.unit_id, r.incident_id), r.due_at, description).await? {
            store::set_request_event(w, r.id, e).await?;
        }
        recorded += 1;
    }
    Ok(recorded)
}

/// Records the 核报 requests overdue by `now` (the server's timer; safe to
/// run twice and on several instances at once); how many.
pub async fn settle(db: &Db, now: i64) -> Result<usize, AppError> {
    // An answer sent in the due time's last second may still be committing:
    // a request is overdue a minute after its due time.
    let late = store::late_requests(&mut *db.pool.acquire().await?, now - 60, None).await?;
    if late.is_empty() {
        // Most runs: nothing to write, no write transaction.
        return Ok(0);
    }
    let mut w = Write::begin(db, Actor::system("incident_reports"), now).await?;
    let n = record_late_requests(&mut w, late).await?;
    w.commit().await?;
    Ok(n)
}
