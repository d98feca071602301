//! Incident reports from the units (突发事件信息报告): a unit's people file
//! the 首报 from the field (a phone form), then 续报 and the 终报 on the
//! incident's timeline; the office sees open incidents with overdue 核报
//! first, asks for a 核报 with a deadline, and sets the minutes to 首报
//! per level. The timeline is the source the assessment's `late_report`
//! links to. Every form posts without JavaScript.

use crate::areas::duty::api::{
    AskIncidentVerification, FollowIncident, ReportIncident, RuleUnitIncident,
    SaveIncidentDeadlines, get_unit_incident, get_unit_incidents,
};
use crate::areas::duty::dto::{
    IncidentDetail, IncidentEntry, IncidentHead, IncidentsPage, VerificationRow,
};
use crate::components::{
    ActForm, TextArea, act, action_error, gated, id_param, use_lang, when_ready,
};
use crate::domain::calendar::input_instant;
use crate::domain::incident::Level;
use crate::domain::incident_report::{Deadlines, Stage};
use crate::domain::local_time;
use crate::i18n::Lang;
use leptos::prelude::*;

/// The incident's state in a badge: closed, waiting for a 核报 (overdue),
/// or being handled.
fn state_badge(i: &IncidentHead, now: i64, lang: Lang) -> AnyView {
    match (i.closed_at, i.waiting) {
        (_, Some(due)) if due < now => view! { <span class="badge bad" data-test="incident-state">{lang.t("incident.verify_overdue")}</span> }.into_any(),
        (_, Some(_)) => view! { <span class="badge warn" data-test="incident-state">{lang.t("incident.verify_waiting")}</span> }.into_any(),
        (Some(_), None) => view! { <span class="badge done" data-test="incident-state">{lang.t("incident.closed")}</span> }.into_any(),
        (None, None) => view! { <span class="badge muted" data-test="incident-state">{lang.t("incident.open")}</span> }.into_any(),
    }
}

/// "首报 09:42 (32 分钟)", marked late when it was.
fn first_line(i: &IncidentHead, lang: Lang) -> AnyView {
    let minutes = ((i.reported_at - i.facts().1) / 60).to_string();
    let text = lang.tf("incident.first_at", &[&local_time(i.reported_at), &minutes]);
    if i.first_late() {
        view! { <span>{text} " " <span class="badge bad" data-test="first-late">{lang.t("incident.first_late")}</span></span> }.into_any()
    } else {
        view! { <span>{text}</span> }.into_any()
    }
}

fn incident_card(i: IncidentHead, now: i64, lang: Lang) -> impl IntoView {
    let (level, occurred_at) = i.facts();
    view! {
        <li class="card" data-test="incident" data-level=level.code()>
            <a href=format!("/duty/incidents/{}", i.id)><strong>{i.title.clone()}</strong></a>
            " " <span class="badge">{lang.t(level.label_key())}</span> " " {state_badge(&i, now, lang)}
            <p class="muted">{format!("{} · {} · {}", i.unit_name, i.place, local_time(occurred_at))}</p>
            <p>{first_line(&i, lang)}</p>
        </li>
    }
}

/// The injured and dead, as every report states them.
fn casualty_inputs(lang: Lang) -> impl IntoView {
    view! {
        <label>{lang.t("field.injured")}<input type="number" name="injured" min="0" max="100000" inputmode="numeric" value="0" /></label>
        <label>{lang.t("field.dead")}<input type="number" name="dead" min="0" max="100000" inputmode="numeric" value="0" /></label>
    }
}

fn level_options(lang: Lang) -> impl IntoView {
    Level::ALL
        .into_iter()
        .map(|l| view! { <option value=l.code()>{lang.t(l.label_key())}</option> })
        .collect_view()
}

fn deadlines_text(d: &Deadlines, lang: Lang) -> String {
    Level::ALL
        .into_iter()
        .map(|l| {
            lang.tf(
                "incident.deadline_item",
                &[lang.t(l.label_key()), &d.minutes(l).to_string()],
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn first_form(unit: String, deadlines: Option<Deadlines>, lang: Lang) -> impl IntoView {
    let report = act::<ReportIncident>();
    view! {
        <section class="card" data-test="first-report">
            <h2>{lang.tf("incident.first_title", &[&unit])}</h2>
            {deadlines.map(|d| view! { <p class="muted">{lang.tf("incident.deadlines_are", &[&deadlines_text(&d, lang)])}</p> })}
            <ActForm action=report next="/duty/incidents/{id}" attr:class="grid">
                <label>{lang.t("field.level")}<select name="level">{level_options(lang)}</select></label>
                <label>{lang.t("field.occurred_at")}<input type="datetime-local" name="occurred_at" required /></label>
                <label class="wide">{lang.t("field.title")}<input type="text" name="title" required maxlength="200" /></label>
                <label class="wide">{lang.t("field.place")}<input type="text" name="place" required maxlength="200" /></label>
                {casualty_inputs(lang)}
                <label class="wide">{lang.t("field.measures")}<TextArea name="measures" required=true maxlength=2000 rows=3 /></label>
                {action_error(report)}
                <button type="submit" class="primary big">{lang.t("incident.file_first")}</button>
            </ActForm>
        </section>
    }
}

fn deadlines_form(deadlines: Option<Deadlines>, lang: Lang) -> impl IntoView {
    let save = act::<SaveIncidentDeadlines>();
    let value = move |l: Level| {
        deadlines
            .map(|d| d.minutes(l).to_string())
            .unwrap_or_default()
    };
    view! {
        <section class="card" data-test="incident-deadlines">
            <h2>{lang.t("incident.deadlines")}</h2>
            <p class="muted">{lang.t("incident.deadlines_hint")}</p>
            <ActForm action=save attr:class="grid">
                {Level::ALL.into_iter().map(|l| view! {
                    <label>{lang.t(l.deadline_field())}
                        <input type="number" name=l.code() min="1" max="1440" inputmode="numeric" required value=value(l) />
                    </label>
                }).collect_view()}
                {action_error(save)}
                <button type="submit" class="primary">{lang.t("action.save")}</button>
            </ActForm>
        </section>
    }
}

/// `/duty/incidents`.
#[component]
pub fn DutyIncidentsPage() -> impl IntoView {
    let lang = use_lang();
    gated(None, move |_| {
        let data = Resource::new(|| (), |_| get_unit_incidents());
        view! {
            <div class="page-head"><h1>{lang.t("duty.incidents")}</h1></div>
            <p class="intro muted">{lang.t("incident.unit_intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |p: IncidentsPage| {
                    let IncidentsPage { deadlines, my_unit, incidents, now, may_keep_deadlines } = p;
                    view! {
                        {deadlines.is_none().then(|| view! { <p class="muted" data-test="no-deadlines">{lang.t("incident.no_deadlines")}</p> })}
                        {my_unit.map(|u| first_form(u, deadlines, lang))}
                        <section data-test="incidents">
                            <h2>{lang.t("incident.list")}</h2>
                            {incidents.is_empty().then(|| view! { <p class="muted">{lang.t("incident.none_reported")}</p> })}
                            <ul class="plain cards">
                                {incidents.into_iter().map(|i| incident_card(i, now, lang)).collect_view()}
                            </ul>
                        </section>
                        {may_keep_deadlines.then(|| deadlines_form(deadlines, lang))}
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

/// One line of the timeline: a report, or a 核报 request.
enum Step {
    Report(IncidentEntry),
    Asked(VerificationRow),
}

impl Step {
    fn at(&self) -> i64 {
        match self {
            Step::Report(r) => r.filed_at,
            Step::Asked(v) => v.asked_at,
        }
    }
}

fn step_view(s: Step, lang: Lang) -> AnyView {
    match s {
        Step::Report(r) => view! {
            <li data-test="timeline-report" data-stage=r.stage.code()>
                <strong>{lang.t(r.stage.label_key())}</strong>
                " · " {local_time(r.filed_at)} " · " {r.filed_by.clone()}
                <p class="prewrap">{r.body.clone()}</p>
                <p class="muted">{lang.tf("incident.casualties", &[&r.injured.to_string(), &r.dead.to_string()])}</p>
            </li>
        }
        .into_any(),
        Step::Asked(v) => {
            let late = v.late_at.is_some();
            view! {
                <li data-test="timeline-ask">
                    <strong>{lang.t("incident.asked")}</strong>
                    " · " {local_time(v.asked_at)} " · " {v.asked_by.clone()}
                    <p class="prewrap">{v.question.clone()}</p>
                    <p class="muted">{lang.tf("incident.verify_due", &[&local_time(v.due_at)])}
                        {v.answered_at.map(|at| view! { " · " {lang.tf("incident.answered_at", &[&local_time(at)])} })}
                        {late.then(|| view! { " " <span class="badge bad" data-test="verify-late">{lang.t("incident.verify_late")}</span> })}
                    </p>
                </li>
            }
            .into_any()
        }
    }
}

/// `/duty/incidents/:id`: the timeline, and what the caller may add.
#[component]
pub fn UnitIncidentPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let follow = act::<FollowIncident>();
    let answer = act::<FollowIncident>();
    let ask = act::<AskIncidentVerification>();
    let rule = act::<RuleUnitIncident>();
    gated(None, move |_| {
        let data = Resource::new(
            move || (id(), rule.version().get()),
            |(id, _)| get_unit_incident(id),
        );
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |d: IncidentDetail| {
                    let IncidentDetail { head, reports, verifications, now, may_report, may_ask, may_rule } = d;
                    let id = head.id;
                    let (closed, waiting) = (head.closed_at.is_some(), head.waiting.is_some());
                    let mut steps: Vec<Step> = reports.into_iter().map(Step::Report)
                        .chain(verifications.into_iter().map(Step::Asked))
                        .collect();
                    steps.sort_by_key(Step::at);
                    view! {
                        <h1>{head.title.clone()}</h1>
                        <section class="card" data-test="incident-facts">
                            <p>{state_badge(&head, now, lang)} " " <span class="badge">{lang.t(head.facts().0.label_key())}</span></p>
                            <dl class="facts">
                                <dt>{lang.t("field.unit")}</dt><dd>{head.unit_name.clone()}</dd>
                                <dt>{lang.t("field.place")}</dt><dd>{head.place.clone()}</dd>
                                <dt>{lang.t("field.occurred_at")}</dt><dd>{local_time(head.occurred_at)}</dd>
                                <dt>{lang.t("incident.first_due")}</dt>
                                <dd>{head.due_at.map(local_time).unwrap_or_else(|| lang.t("incident.no_deadline").to_string())}</dd>
                                <dt>{lang.t("incident.stage_first")}</dt><dd>{first_line(&head, lang)}</dd>
                                {head.ruling.as_ref().map(|r| view! {
                                    <dt>{lang.t("incident.ruling")}</dt>
                                    <dd data-test="incident-ruling">{lang.tf("incident.ruling_text", &[lang.t(r.level.label_key()), &local_time(r.occurred_at), &r.by, &local_time(r.at), &r.reason])}</dd>
                                })}
                                {head.event_id.map(|_| view! { <dt>{lang.t("incident.assessment")}</dt><dd data-test="first-event">{lang.t("incident.counted_late")}</dd> })}
                            </dl>
                        </section>
                        <section class="card" data-test="timeline">
                            <h2>{lang.t("incident.timeline")}</h2>
                            <ol class="timeline">{steps.into_iter().map(|s| step_view(s, lang)).collect_view()}</ol>
                        </section>
                        {(may_report && waiting).then(|| view! {
                            <section class="card" data-test="answer-form">
                                <h2>{lang.t("incident.answer")}</h2>
                                <ActForm action=answer attr:class="grid">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <input type="hidden" name="stage" value="verify" />
                                    <label class="wide">{lang.t("field.text")}<TextArea name="text" required=true maxlength=2000 rows=3 /></label>
                                    {casualty_inputs(lang)}
                                    {action_error(answer)}
                                    <button type="submit" class="primary">{lang.t("incident.file_answer")}</button>
                                </ActForm>
                            </section>
                        })}
                        {(may_report && !closed).then(|| view! {
                            <section class="card" data-test="follow-form">
                                <h2>{lang.t("incident.follow")}</h2>
                                <ActForm action=follow attr:class="grid">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <label>{lang.t("field.stage")}
                                        <select name="stage">
                                            {[Stage::Update, Stage::Final].into_iter().map(|s| view! { <option value=s.code()>{lang.t(s.label_key())}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label class="wide">{lang.t("field.text")}<TextArea name="text" required=true maxlength=2000 rows=3 /></label>
                                    {casualty_inputs(lang)}
                                    {action_error(follow)}
                                    <button type="submit" class="primary">{lang.t("incident.file_follow")}</button>
                                </ActForm>
                            </section>
                        })}
                        {may_rule.then(|| {
                            let (level, at) = head.ruling.as_ref().map_or((head.level, head.occurred_at), |r| (r.level, r.occurred_at));
                            view! {
                                <section class="card" data-test="rule-form">
                                    <h2>{lang.t("incident.rule")}</h2>
                                    <p class="muted">{lang.t("incident.rule_hint")}</p>
                                    <ActForm action=rule attr:class="grid">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <label>{lang.t("field.level")}
                                            <select name="level">
                                                {Level::ALL.into_iter().map(|l| view! { <option value=l.code() selected=l == level>{lang.t(l.label_key())}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label>{lang.t("field.occurred_at")}<input type="datetime-local" name="occurred_at" required value=input_instant(at) /></label>
                                        <label class="wide">{lang.t("field.reason")}<input type="text" name="reason" required maxlength="500" /></label>
                                        {action_error(rule)}
                                        <button type="submit" class="primary">{lang.t("incident.rule")}</button>
                                    </ActForm>
                                </section>
                            }
                        })}
                        {may_ask.then(|| view! {
                            <section class="card" data-test="ask-form">
                                <h2>{lang.t("incident.ask")}</h2>
                                <ActForm action=ask attr:class="grid">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <label class="wide">{lang.t("field.question")}<input type="text" name="question" required maxlength="500" /></label>
                                    <label>{lang.t("field.due_at")}<input type="datetime-local" name="due_at" required /></label>
                                    {action_error(ask)}
                                    <button type="submit" class="primary">{lang.t("incident.ask")}</button>
                                </ActForm>
                            </section>
                        })}
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}
