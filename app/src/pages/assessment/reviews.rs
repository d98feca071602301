//! The assessment's review lists: vetoes waiting for a second assessor,
//! the duty office's incident reports (with the late ones and the findings
//! they led to), and the metric table ratio indicators read.

use super::sheet::veto_list;
use crate::areas::assessment::api::{
    DecideVeto, LogIncident, MarkFinding, MetricTable, RemoveMetricOverride, SaveMetric,
    list_incidents, list_vetoes, load_metric_table,
};
use crate::areas::directory::api::list_units;
use crate::components::ActForm;
use crate::components::act;
use crate::components::{UnitSelect, action_error, gated, query_param, show, use_lang, when_ready};
use crate::domain::authz::Action;
use crate::domain::evidence::{Origin, is_computed};
use crate::domain::incident::{Finding, Level};
use crate::domain::local_time;
use crate::domain::veto::VetoStatus;
use crate::i18n::Lang;
use crate::model::{IncidentRow, VetoRow};
use leptos::prelude::*;

/// The year in the query (`?year=2018`); 0 lets the server pick (the
/// current year, or every year for vetoes).
fn year_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let year = query_param("year");
    move || year.get().parse::<i64>().unwrap_or(0)
}

fn year_picker(year: i64, lang: Lang) -> impl IntoView {
    view! {
        <form method="get" class="filters">
            <label>{lang.t("field.year")}<input type="number" name="year" min="2000" max="2100" value=(year > 0).then(|| year.to_string()) /></label>
            <button type="submit">{lang.t("action.filter")}</button>
        </form>
    }
}

#[component]
pub fn VetoesPage() -> impl IntoView {
    let lang = use_lang();
    let year = year_param();
    let decide = act::<DecideVeto>();
    gated(Some(Action::ViewAssessment), move |me| {
        let vetoes = Resource::new(
            move || (year(), decide.version().get()),
            |(y, _)| list_vetoes(y),
        );
        let may = me.may(Action::Assess);
        let my_id = Some(me.account_id);
        view! {
            <h1>{lang.t("veto.title")}</h1>
            <p class="muted">{lang.t("veto.help")}</p>
            {year_picker(year(), lang)}
            <Transition fallback=|| ()>
                {move || when_ready(vetoes, lang, move |list: Vec<VetoRow>| {
                    let (pending, rest): (Vec<VetoRow>, Vec<VetoRow>) = list.into_iter().partition(|v| v.status == VetoStatus::Proposed || v.revocation_pending());
                    view! {
                        <h2>{lang.t("veto.pending")}</h2>
                        {veto_list(pending, lang, decide, my_id, may)}
                        <h2>{lang.t("veto.decided")}</h2>
                        {veto_list(rest, lang, decide, my_id, may)}
                    }
                })}
            </Transition>
        }
        .into_any()
    })
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let lang = use_lang();
    let year = year_param();
    let log = act::<LogIncident>();
    let mark = act::<MarkFinding>();
    gated(Some(Action::LogIncidents), move |me| {
        let data = Resource::new(
            move || (year(), log.version().get(), mark.version().get()),
            |(y, ..)| async move {
                (
                    list_incidents(y).await,
                    list_units(String::new(), String::new()).await,
                )
            },
        );
        let may_mark = me.may(Action::Assess);
        view! {
            <h1>{lang.t("incident.title")}</h1>
            <p class="muted">{lang.t("incident.help")}</p>
            {year_picker(year(), lang)}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let (incidents, units) = data.await;
                    view! {
                    <section class="card">
                        <h2>{lang.t("incident.log")}</h2>
                        <ActForm action=log attr:class="grid" attr:data-test="log-incident">
                            <label>{lang.t("field.unit")}
                                {show(Some(units), lang, |list| view! { <UnitSelect units=list name="unit_id" selected=None /> })}
                            </label>
                            <label>{lang.t("field.level")}
                                <select name="level">
                                    {Level::ALL.into_iter().map(|l| view! { <option value=l.code()>{lang.t(l.label_key())}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="wide">{lang.t("field.title")}<input type="text" name="title" required maxlength="200" /></label>
                            <label>{lang.t("field.occurred_at")}<input type="datetime-local" name="occurred_at" required /></label>
                            <label>{lang.t("field.reported_at")}<input type="datetime-local" name="reported_at" required /></label>
                            <label>{lang.t("field.reported_by")}<input type="text" name="reported_by" required maxlength="80" /></label>
                            {action_error(log)}
                            <button type="submit" class="primary">{lang.t("incident.log")}</button>
                        </ActForm>
                    </section>
                    {action_error(mark)}
                    {show(Some(incidents), lang, move |list: Vec<IncidentRow>| incident_table(list, lang, may_mark, mark))}
                }
                })}
            </Transition>
        }
        .into_any()
    })
}

fn incident_table(
    list: Vec<IncidentRow>,
    lang: Lang,
    may_mark: bool,
    mark: ServerAction<MarkFinding>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("incident.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="incidents">
                <thead>
                    <tr>
                        <th>{lang.t("field.occurred_at")}</th>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("field.level")}</th>
                        <th>{lang.t("field.title")}</th>
                        <th>{lang.t("field.reported_at")}</th>
                        <th>{lang.t("incident.findings")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|i| {
                        let minutes = crate::domain::incident::report_delay_minutes(i.occurred_at, i.reported_at);
                        let findings = i.events.iter().map(|e| lang.t(&format!("event.{e}")).to_string()).collect::<Vec<_>>().join(lang.sep());
                        view! {
                            <tr class:short=i.events.iter().any(|e| e == "late_report")>
                                <td data-label=lang.t("field.occurred_at")>{local_time(i.occurred_at)}</td>
                                <td data-label=lang.t("field.unit")>{i.unit_name.clone()}</td>
                                <td data-label=lang.t("field.level")>{lang.t(i.level.label_key())}</td>
                                <td data-label=lang.t("field.title")>{i.title.clone()}</td>
                                <td data-label=lang.t("field.reported_at")>
                                    {local_time(i.reported_at)} " " <span class="muted">{lang.tf("incident.after_minutes", &[&minutes.to_string()])}</span>
                                    <br /><span class="muted">{i.reported_by.clone()}</span>
                                </td>
                                <td data-label=lang.t("incident.findings")>{findings}</td>
                                <td class="actions">
                                    {may_mark.then(|| view! {
                                        <ActForm action=mark attr:class="inline">
                                            <input type="hidden" name="incident_id" value=i.id.to_string() />
                                            <select name="finding">
                                                {Finding::ALL.into_iter().map(|f| view! { <option value=f.event()>{lang.t(&format!("event.{}", f.event())).to_string()}</option> }).collect_view()}
                                            </select>
                                            <input type="date" name="found_on" />
                                            <button type="submit">{lang.t("incident.mark")}</button>
                                        </ActForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn MetricsPage() -> impl IntoView {
    let lang = use_lang();
    let year = year_param();
    let save = act::<SaveMetric>();
    let remove = act::<RemoveMetricOverride>();
    gated(Some(Action::ViewAssessment), move |me| {
        let table = Resource::new(
            move || (year(), save.version().get(), remove.version().get()),
            |(y, _, _)| load_metric_table(y),
        );
        let may = me.may(Action::Assess);
        view! {
            <div class="page-head">
                <h1>{lang.t("metric.title")}</h1>
                {may.then(|| view! { <a class="button" href="/import">{lang.t("import.metrics")}</a> })}
            </div>
            <p class="muted">{lang.t("metric.help")}</p>
            {year_picker(year(), lang)}
            {action_error(save)}
            {action_error(remove)}
            <Transition fallback=|| ()>
                {move || when_ready(table, lang, move |t: MetricTable| metric_table(t, lang, may, save, remove))}
            </Transition>
        }
        .into_any()
    })
}

fn metric_table(
    t: MetricTable,
    lang: Lang,
    may: bool,
    save: ServerAction<SaveMetric>,
    remove: ServerAction<RemoveMetricOverride>,
) -> impl IntoView {
    if t.metrics.is_empty() {
        return view! { <p class="muted">{lang.t("metric.none")}</p> }.into_any();
    }
    let year = t.year;
    let MetricTable {
        units,
        metrics,
        values,
        ..
    } = t;
    let head = metrics.clone();
    view! {
        <div class="table-wrap">
            <table class="data" data-test="metrics">
                <thead>
                    <tr>
                        <th>{lang.t("field.unit")}</th>
                        {head.into_iter().map(|m| view! { <th>{super::sheet::metric_name(lang, &m)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {units.into_iter().map(|u| { let metrics = metrics.clone(); let values = values.clone(); view! {
                        <tr>
                            <td data-label=lang.t("field.unit")>{u.name.clone()}</td>
                            {metrics.into_iter().map(|m| {
                                let value = values.iter().find(|v| v.unit_id == u.id && v.metric == m).cloned();
                                let label = super::sheet::metric_name(lang, &m);
                                view! {
                                    <td data-label=label data-metric=m.clone() data-unit=u.code.clone()>
                                        {metric_cell(year, u.id, &m, value, lang, may, save, remove)}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One metric value: the value and where it came from; for assessors the
/// form that enters it (an override with a reason, for a metric the
/// platform computes) and the button that takes an override back.
#[allow(clippy::too_many_arguments)]
fn metric_cell(
    year: i64,
    unit_id: i64,
    metric: &str,
    value: Option<crate::model::MetricRow>,
    lang: Lang,
    may: bool,
    save: ServerAction<SaveMetric>,
    remove: ServerAction<RemoveMetricOverride>,
) -> impl IntoView + use<> {
    let computed = is_computed(metric);
    let shown = value
        .as_ref()
        .map(|v| format!("{} / {}", v.numerator, v.denominator))
        .unwrap_or_else(|| "—".into());
    let (n, d) = value
        .as_ref()
        .map(|v| (v.numerator.to_string(), v.denominator.to_string()))
        .unwrap_or_default();
    let overridden = value.as_ref().is_some_and(|v| v.origin == Origin::Override);
    let provenance = value.as_ref().map(|v| super::evidence::provenance(v, lang));
    let hidden = move || {
        view! {
            <input type="hidden" name="year" value=year.to_string() />
            <input type="hidden" name="unit_id" value=unit_id.to_string() />
        }
    };
    let metric = metric.to_string();
    let form = may.then(|| {
        let m = metric.clone();
        let m2 = metric.clone();
        let summary = if computed { lang.t("metric.override") } else { lang.t("metric.enter") };
        view! {
            <details class="metric-edit">
                <summary>{summary}</summary>
                <ActForm action=save attr:class="inline metric">
                    {hidden()}
                    <input type="hidden" name="metric" value=m.clone() />
                    <input type="number" name="numerator" min="0" required value=n aria-label=lang.t("field.numerator") />
                    " / "
                    <input type="number" name="denominator" min="0" required value=d aria-label=lang.t("field.denominator") />
                    {computed.then(|| view! {
                        <input type="text" name="reason" required minlength="2" maxlength="500"
                            placeholder=lang.t("metric.reason_hint") aria-label=lang.t("field.reason") />
                    })}
                    <button type="submit">{lang.t("action.save")}</button>
                </ActForm>
            </details>
            {overridden.then(|| view! {
                <ActForm action=remove attr:class="inline">
                    {hidden()}
                    <input type="hidden" name="metric" value=m2 />
                    <button type="submit" class="link" data-test="remove-override">{lang.t("metric.remove_override")}</button>
                </ActForm>
            })}
        }
    });
    view! {
        <strong class="num">{shown}</strong>
        {provenance}
        {form}
    }
}
