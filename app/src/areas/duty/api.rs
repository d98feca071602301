//! The duty office's server functions: one line of wiring each (the
//! caller's footing, then the service).

pub use super::dto::{
    BoardPage, CalendarPage, CheckDetail, CheckRow, ChecksPage, RosterDetail, RostersPage,
};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "duty_board")]
pub async fn get_duty_board() -> Result<BoardPage, AppError> {
    answer(async |cx| service::board(cx).await).await
}

#[server(endpoint = "duty_calendar")]
pub async fn get_duty_calendar() -> Result<CalendarPage, AppError> {
    answer(async |cx| service::calendar(cx).await).await
}

#[server(endpoint = "add_duty_period")]
pub async fn add_duty_period(
    name: String,
    kind: String,
    first_day: String,
    last_day: String,
    #[server(default)] extra_staff: String,
) -> Result<i64, AppError> {
    answer(async |cx| {
        service::add_period(cx, &name, &kind, (&first_day, &last_day), &extra_staff).await
    })
    .await
}

#[server(endpoint = "remove_duty_period")]
pub async fn remove_duty_period(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::remove_period(cx, id).await).await
}

#[server(endpoint = "duty_rosters")]
pub async fn get_duty_rosters() -> Result<RostersPage, AppError> {
    answer(async |cx| service::rosters(cx).await).await
}

#[server(endpoint = "save_duty_settings")]
pub async fn save_duty_settings(
    unit: String,
    staff_per_day: String,
    leaders_per_day: String,
    min_rest_days: String,
) -> Result<(), AppError> {
    answer(async |cx| {
        service::save_settings(
            cx,
            &unit,
            (&staff_per_day, &leaders_per_day, &min_rest_days),
        )
        .await
    })
    .await
}

/// Generates a draft roster (replacing the unit's last draft); its id.
#[server(endpoint = "generate_duty_roster")]
pub async fn generate_duty_roster(
    unit: String,
    first_day: String,
    last_day: String,
) -> Result<i64, AppError> {
    answer(async |cx| service::generate(cx, &unit, (&first_day, &last_day)).await).await
}

#[server(endpoint = "duty_roster")]
pub async fn get_duty_roster(id: i64) -> Result<RosterDetail, AppError> {
    answer(async |cx| service::roster(cx, id).await).await
}

#[server(endpoint = "publish_duty_roster")]
pub async fn publish_duty_roster(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::publish(cx, id).await).await
}

#[server(endpoint = "remove_duty_roster")]
pub async fn remove_duty_roster(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::remove(cx, id).await).await
}

#[server(endpoint = "duty_checks")]
pub async fn get_duty_checks() -> Result<ChecksPage, AppError> {
    answer(async |cx| service::checks(cx).await).await
}

#[server(endpoint = "duty_check")]
pub async fn get_duty_check(id: i64) -> Result<CheckDetail, AppError> {
    answer(async |cx| service::check(cx, id).await).await
}

/// Voids a check recorded by mistake, with a reason; its event is
/// withdrawn.
#[server(endpoint = "void_duty_check")]
pub async fn void_duty_check(id: i64, reason: String) -> Result<(), AppError> {
    answer(async |cx| service::void_check(cx, id, &reason).await).await
}

/// Records a spot check; a failed one becomes the unit's `duty_absence`
/// event. The check's id, and whether an event was recorded (`false` for
/// a passed check, or a year already published).
#[server(endpoint = "add_duty_check")]
pub async fn add_duty_check(
    unit: String,
    checked_at: String,
    called: String,
    #[server(default)] answered: String,
    #[server(default)] on_post: String,
    #[server(default)] note: String,
) -> Result<(i64, bool), AppError> {
    answer(async |cx| {
        service::add_check(
            cx,
            &unit,
            (&checked_at, &called, &answered, &on_post, &note),
        )
        .await
        .map(|r| (r.id, r.event.is_some()))
    })
    .await
}

/// A person on a published roster asks another to swap one duty each; the
/// swap's id.
#[server(endpoint = "ask_duty_swap")]
pub async fn ask_duty_swap(
    mine: i64,
    theirs: i64,
    #[server(default)] reason: String,
) -> Result<i64, AppError> {
    answer(async |cx| service::ask_swap(cx, mine, theirs, &reason).await).await
}

/// Accept, decline, withdraw (the two people), approve or refuse (the
/// unit's organizer, neither of them).
#[server(endpoint = "step_duty_swap")]
pub async fn step_duty_swap(id: i64, step: String) -> Result<(), AppError> {
    answer(async |cx| service::step_swap(cx, id, &step).await).await
}

/// The organizer puts someone on a duty in place of `out`, or on an open
/// slot (`out` empty).
#[server(endpoint = "replace_duty")]
pub async fn replace_duty(
    roster: i64,
    day: String,
    role: String,
    #[server(default)] out: String,
    into: String,
) -> Result<(), AppError> {
    answer(async |cx| service::replace(cx, roster, (&day, &role), (&out, &into)).await).await
}

#[server(endpoint = "leader_absences")]
pub async fn get_leader_absences() -> Result<super::dto::AbsencesPage, AppError> {
    answer(async |cx| service::absences(cx).await).await
}

/// A leader files an absence report (领导外出请假报备) for themselves.
#[server(endpoint = "file_leader_absence")]
pub async fn file_leader_absence(
    first_day: String,
    last_day: String,
    destination: String,
    reason: String,
    deputy: String,
) -> Result<i64, AppError> {
    answer(async |cx| {
        service::file_absence(cx, (&first_day, &last_day), &destination, &reason, &deputy).await
    })
    .await
}

/// Approve or refuse a filed absence (someone who keeps the unit's duty,
/// not the leader).
#[server(endpoint = "decide_leader_absence")]
pub async fn decide_leader_absence(id: i64, decision: String) -> Result<(), AppError> {
    answer(async |cx| service::decide_absence(cx, id, &decision).await).await
}

#[server(endpoint = "daily_reports")]
pub async fn get_daily_reports() -> Result<super::dto::ReportsPage, AppError> {
    answer(async |cx| service::daily::page(cx).await).await
}

/// The caller's unit files today's report: `zero` (零报告) in one tap, or
/// `summary` with counts.
#[server(endpoint = "file_daily_report")]
pub async fn file_daily_report(
    kind: String,
    #[server(default)] incidents: String,
    #[server(default)] injured: String,
    #[server(default)] dead: String,
    #[server(default)] summary: String,
) -> Result<(), AppError> {
    answer(async |cx| {
        service::daily::submit(cx, &kind, (&incidents, &injured, &dead), &summary).await
    })
    .await
}

/// The office sets which unit kinds report every day, and by when.
#[server(endpoint = "save_daily_report_rules")]
pub async fn save_daily_report_rules(
    deadline: String,
    #[server(default)] kinds: Vec<String>,
) -> Result<(), AppError> {
    answer(async |cx| service::daily::save_rules(cx, &deadline, &kinds).await).await
}

/// Reminds the units without today's report (`unit` empty: all of them
/// the caller checks); how many were reminded.
#[server(endpoint = "remind_daily_report")]
pub async fn remind_daily_report(#[server(default)] unit: String) -> Result<usize, AppError> {
    answer(async |cx| service::daily::remind(cx, &unit).await).await
}

#[server(endpoint = "daily_report_miss")]
pub async fn get_daily_report_miss(id: i64) -> Result<super::dto::MissDetail, AppError> {
    answer(async |cx| service::daily::miss(cx, id).await).await
}

/// The office excuses a missed day with a reason; its event is withdrawn.
#[server(endpoint = "excuse_daily_report_miss")]
pub async fn excuse_daily_report_miss(id: i64, reason: String) -> Result<(), AppError> {
    answer(async |cx| service::daily::excuse(cx, id, &reason).await).await
}

/// The office rules on an incident's facts (核定): level, when it
/// happened, why; the 首报's lateness follows the ruling.
#[server(endpoint = "rule_unit_incident")]
pub async fn rule_unit_incident(
    id: i64,
    level: String,
    occurred_at: String,
    reason: String,
) -> Result<(), AppError> {
    answer(async |cx| service::incidents::rule(cx, id, (&level, &occurred_at, &reason)).await).await
}

#[server(endpoint = "unit_incidents")]
pub async fn get_unit_incidents() -> Result<super::dto::IncidentsPage, AppError> {
    answer(async |cx| service::incidents::page(cx).await).await
}

/// The office sets the minutes from occurrence to 首报 for each level.
#[server(endpoint = "save_incident_deadlines")]
pub async fn save_incident_deadlines(
    general: String,
    larger: String,
    major: String,
    grave: String,
) -> Result<(), AppError> {
    answer(async |cx| {
        service::incidents::save_deadlines(cx, [&general, &larger, &major, &grave]).await
    })
    .await
}

/// The caller's unit files an incident's 首报; the incident's id.
#[server(endpoint = "report_incident")]
pub async fn report_incident(
    level: String,
    title: String,
    place: String,
    occurred_at: String,
    #[server(default)] injured: String,
    #[server(default)] dead: String,
    measures: String,
) -> Result<i64, AppError> {
    answer(async |cx| {
        let form = crate::domain::incident_report::FirstForm {
            level: &level,
            title: &title,
            place: &place,
            occurred_at: &occurred_at,
            injured: &injured,
            dead: &dead,
            measures: &measures,
        };
        service::incidents::report_first(cx, &form).await
    })
    .await
}

/// A 续报, the 终报 or a 核报 answer on an incident of the caller's unit.
#[server(endpoint = "follow_incident")]
pub async fn follow_incident(
    id: i64,
    stage: String,
    text: String,
    #[server(default)] injured: String,
    #[server(default)] dead: String,
) -> Result<(), AppError> {
    answer(async |cx| service::incidents::follow(cx, id, &stage, &text, (&injured, &dead)).await)
        .await
}

/// The office asks the unit for a 核报 by a local date and time.
#[server(endpoint = "ask_incident_verification")]
pub async fn ask_incident_verification(
    id: i64,
    question: String,
    due_at: String,
) -> Result<(), AppError> {
    answer(async |cx| service::incidents::ask(cx, id, &question, &due_at).await).await
}

#[server(endpoint = "unit_incident")]
pub async fn get_unit_incident(id: i64) -> Result<super::dto::IncidentDetail, AppError> {
    answer(async |cx| service::incidents::detail(cx, id).await).await
}
