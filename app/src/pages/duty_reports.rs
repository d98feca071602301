//! Daily and zero reports (日报告/零报告): a unit's people file today's
//! report in one tap (or a short summary with counts); the office sees
//! today's board (in, late, missing, still open), reminds the units still
//! missing, and excuses a missed day with a reason. A missed day has its
//! own page: the source the assessment's `missed_zero_report` links to.
//! Every form posts without JavaScript; lists are cards on a phone.

use crate::areas::duty::api::{
    ExcuseDailyReportMiss, FileDailyReport, RemindDailyReport, SaveDailyReportRules,
    get_daily_report_miss, get_daily_reports,
};
use crate::areas::duty::dto::{MissDetail, MissRow, ReportLine, ReportRow, ReportsPage};
use crate::components::{
    ActForm, ReasonForm, TextArea, act, action_error, gated, id_param, use_lang, when_ready,
};
use crate::domain::daily_report::{ReportRules, ReportState, clock_time};
use crate::domain::local_time;
use crate::domain::unit::UnitKind;
use crate::i18n::Lang;
use leptos::prelude::*;

fn state_badge(state: ReportState, lang: Lang) -> impl IntoView {
    let class = match state {
        ReportState::OnTime => "badge done",
        ReportState::Late => "badge warn",
        ReportState::Missing => "badge bad",
        ReportState::Open => "badge muted",
    };
    view! { <span class=class data-test="report-state" data-state=state.code()>{lang.t(state.label_key())}</span> }
}

/// What a filed report says, in a line: 零报告, or the counts and summary.
fn report_text(r: &ReportRow, lang: Lang) -> String {
    let at = clock_time(r.submitted_at);
    if r.report.is_zero() {
        lang.tf("report.filed_zero", &[&at, &r.submitted_by])
    } else {
        lang.tf(
            "report.filed_summary",
            &[
                &at,
                &r.submitted_by,
                &r.report.incidents.to_string(),
                &r.report.injured.to_string(),
                &r.report.dead.to_string(),
                &r.report.summary,
            ],
        )
    }
}

fn miss_text(m: &MissRow, lang: Lang) -> String {
    let key = if m.late {
        "report.miss_late"
    } else {
        "report.miss_missing"
    };
    lang.tf(key, &[&m.day.to_string(), &m.unit_name])
}

/// Where a missed day stands in the assessment, in words.
fn miss_outcome(m: &MissRow, lang: Lang) -> AnyView {
    if let (Some(by), Some(why)) = (&m.excused_by, &m.excuse) {
        view! { <span class="badge muted" data-test="miss-excused">{lang.tf("report.excused", &[by, why])}</span> }
            .into_any()
    } else if m.event_id.is_some() {
        view! { <span class="badge bad" data-test="miss-event">{lang.t("report.deducted")}</span> }
            .into_any()
    } else {
        view! { <span class="badge muted">{lang.t("report.year_closed")}</span> }.into_any()
    }
}

fn my_report(
    unit: String,
    report: Option<ReportRow>,
    rules: &ReportRules,
    today: chrono::NaiveDate,
    lang: Lang,
) -> AnyView {
    let file = act::<FileDailyReport>();
    view! {
        <section class="card" data-test="my-report">
            <h2>{lang.tf("report.mine_title", &[&unit, &today.to_string()])}</h2>
            <p class="muted">{lang.tf("report.deadline_is", &[&rules.deadline_text()])}</p>
            {match report {
                Some(r) => view! { <p class="ok" role="status" data-test="my-report-filed">{report_text(&r, lang)}</p> }.into_any(),
                None => view! {
                    <ActForm action=file attr:data-test="zero-form">
                        <input type="hidden" name="kind" value="zero" />
                        <button type="submit" class="primary big" data-test="file-zero">{lang.t("report.file_zero")}</button>
                    </ActForm>
                    <details class="report-summary">
                        <summary>{lang.t("report.file_summary")}</summary>
                        <ActForm action=file attr:data-test="summary-form">
                            <input type="hidden" name="kind" value="summary" />
                            <div class="grid">
                                <label>{lang.t("field.incidents")}<input type="number" name="incidents" min="0" max="10000" inputmode="numeric" value="1" /></label>
                                <label>{lang.t("field.injured")}<input type="number" name="injured" min="0" max="10000" inputmode="numeric" value="0" /></label>
                                <label>{lang.t("field.dead")}<input type="number" name="dead" min="0" max="10000" inputmode="numeric" value="0" /></label>
                                <label class="wide">{lang.t("field.summary")}<TextArea name="summary" required=true maxlength=500 rows=3 /></label>
                            </div>
                            <button type="submit" class="primary">{lang.t("report.file")}</button>
                        </ActForm>
                    </details>
                    {action_error(file)}
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

fn board_line(l: ReportLine, may_remind: bool, lang: Lang) -> impl IntoView {
    let remind = act::<RemindDailyReport>();
    let chase = may_remind && matches!(l.state, ReportState::Missing | ReportState::Open);
    view! {
        <li class="card report-line" data-test="report-line" data-unit=l.unit_name.clone()>
            <strong>{l.unit_name.clone()}</strong> " " {state_badge(l.state, lang)}
            {l.report.as_ref().map(|r| view! { <p>{report_text(r, lang)}</p> })}
            {l.reminded_at.map(|at| view! { <p class="muted" data-test="reminded">{lang.tf("report.reminded_at", &[&clock_time(at)])}</p> })}
            {chase.then(|| view! {
                <ActForm action=remind attr:class="inline">
                    <input type="hidden" name="unit" value=l.unit_id.to_string() />
                    <button type="submit" data-test="remind-one">{lang.t("report.remind")}</button>
                </ActForm>
            })}
        </li>
    }
}

/// The office's form; it shows the rule last saved (a change waiting for
/// tomorrow, if any, said above it).
fn rules_form(
    rules: Option<ReportRules>,
    next: Option<(chrono::NaiveDate, ReportRules)>,
    lang: Lang,
) -> impl IntoView {
    let save = act::<SaveDailyReportRules>();
    let waiting = next.as_ref().map(|(from, r)| {
        let kinds = lang.list(&r.kinds.iter().map(|k| lang.t(k.label_key())).collect::<Vec<_>>());
        view! { <p class="notice" data-test="rules-next">{lang.tf("report.rules_next", &[&from.to_string(), &r.deadline_text(), &kinds])}</p> }
    });
    let rules = next.map(|(_, r)| r).or(rules);
    let deadline = rules
        .as_ref()
        .map(|r| r.deadline_text())
        .unwrap_or_else(|| "16:00".into());
    let kinds = rules.map(|r| r.kinds).unwrap_or_default();
    view! {
        <section class="card" data-test="report-rules">
            <h2>{lang.t("report.rules")}</h2>
            {waiting}
            <ActForm action=save>
                <div class="grid">
                    <label>{lang.t("field.report_deadline")}<input type="time" name="deadline" required value=deadline /></label>
                    <fieldset class="choice wide">
                        <legend>{lang.t("field.kinds")}</legend>
                        {UnitKind::ALL.iter().enumerate().map(|(i, k)| view! {
                            <label><input type="checkbox" name=format!("kinds[{i}]") value=k.code() checked=kinds.contains(k) />{lang.t(k.label_key())}</label>
                        }).collect_view()}
                    </fieldset>
                </div>
                <p class="muted">{lang.t("report.rules_hint")}</p>
                {action_error(save)}
                <button type="submit" class="primary">{lang.t("action.save")}</button>
            </ActForm>
        </section>
    }
}

/// `/duty/reports`: today's report of one's own unit, the office's board,
/// missed days, the district's rule.
#[component]
pub fn DutyReportsPage() -> impl IntoView {
    let lang = use_lang();
    let remind_all = act::<RemindDailyReport>();
    gated(None, move |_| {
        let data = Resource::new(move || remind_all.version().get(), |_| get_daily_reports());
        view! {
            <div class="page-head"><h1>{lang.t("duty.reports")}</h1></div>
            <p class="intro muted">{lang.t("report.intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |p: ReportsPage| {
                    let ReportsPage { today, rules, next_rules, mine, board, misses, may_remind, may_excuse, may_keep_rules } = p;
                    let count = |s: ReportState| board.iter().filter(|l| l.state == s).count().to_string();
                    let summary = lang.tf("report.board_summary", &[&count(ReportState::OnTime), &count(ReportState::Late), &count(ReportState::Missing), &count(ReportState::Open)]);
                    let chase = may_remind && board.iter().any(|l| matches!(l.state, ReportState::Missing | ReportState::Open));
                    view! {
                        {rules.is_none().then(|| view! { <p class="muted" data-test="no-report-rules">{lang.t("report.no_rules")}</p> })}
                        {match (mine, &rules) {
                            (Some((unit, report)), Some(r)) => Some(my_report(unit, report, r, today, lang)),
                            _ => None,
                        }}
                        {(!board.is_empty()).then(|| view! {
                            <section data-test="report-board">
                                <h2>{lang.tf("report.board_title", &[&today.to_string()])}</h2>
                                <p class="muted" data-test="report-summary">{summary}</p>
                                {chase.then(|| view! {
                                    <ActForm action=remind_all shows_result=true>
                                        <button type="submit" data-test="remind-all">{lang.t("report.remind_all")}</button>
                                    </ActForm>
                                    {move || remind_all.value().get().and_then(|r| r.ok()).map(|n| view! {
                                        <p class="ok" role="status" data-test="reminded-count">{lang.tf("report.reminded", &[&n.to_string()])}</p>
                                    })}
                                    {action_error(remind_all)}
                                })}
                                <ul class="plain cards">
                                    {board.into_iter().map(|l| board_line(l, may_remind, lang)).collect_view()}
                                </ul>
                            </section>
                        })}
                        <section class="card" data-test="misses">
                            <h2>{lang.t("report.misses")}</h2>
                            {misses.is_empty().then(|| view! { <p class="muted">{lang.t("report.no_misses")}</p> })}
                            <ul class="plain">
                                {misses.iter().map(|m| view! {
                                    <li data-test="miss">
                                        <a href=format!("/duty/reports/misses/{}", m.id)>{miss_text(m, lang)}</a>
                                        " " {miss_outcome(m, lang)}
                                        {may_excuse.contains(&m.id).then(|| view! { " " <span class="muted">{lang.t("report.may_excuse")}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                        {may_keep_rules.then(|| rules_form(rules.clone(), next_rules.clone(), lang))}
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

/// `/duty/reports/misses/:id`: one missed day, the source of its
/// `missed_zero_report`; the office excuses it here.
#[component]
pub fn DailyReportMissPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let excuse = act::<ExcuseDailyReportMiss>();
    gated(None, move |_| {
        let data = Resource::new(
            move || (id(), excuse.version().get()),
            |(id, _)| get_daily_report_miss(id),
        );
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |d: MissDetail| {
                    let MissDetail { miss, deadline, report, may_excuse } = d;
                    let id = miss.id;
                    view! {
                        <h1>{miss_text(&miss, lang)}</h1>
                        <section class="card" data-test="miss-detail">
                            <p>{miss_outcome(&miss, lang)}</p>
                            <dl class="facts">
                                <dt>{lang.t("field.unit")}</dt><dd>{miss.unit_name.clone()}</dd>
                                <dt>{lang.t("field.day")}</dt><dd>{miss.day.to_string()}</dd>
                                <dt>{lang.t("field.report_deadline")}</dt><dd>{local_time(deadline)}</dd>
                                <dt>{lang.t("report.filed")}</dt>
                                <dd>{report.as_ref().map(|r| report_text(r, lang)).unwrap_or_else(|| lang.t("report.state.missing").to_string())}</dd>
                                {miss.excused_at.map(|at| view! { <dt>{lang.t("report.excused_at")}</dt><dd>{local_time(at)}</dd> })}
                            </dl>
                        </section>
                        {may_excuse.then(|| view! {
                            <ReasonForm action=excuse id=id title="report.excuse" hint="report.excuse_hint" test="excuse-form" />
                        })}
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}
