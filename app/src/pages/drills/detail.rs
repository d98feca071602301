//! One drill: what it is, what it was saved over (clashes and the reason),
//! marking it held with attendance, the evaluation per objective, its
//! corrective actions; the printable after-action report; and every
//! corrective action within reach, overdue ones first.

use super::{clash_list, drill_status_badge, when};
use crate::areas::drills::api::{
    ActionsPage, AddCorrectiveAction, CloseCorrectiveAction, EvaluateDrill, HoldDrill, get_drill,
    list_corrective_actions,
};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{
    TextArea, UnitSelect, action_error, gated, id_param, show, use_lang, when_ready,
};
use crate::domain::drills::{DrillStatus, Rating};
use crate::domain::local_time;
use crate::i18n::Lang;
use crate::model::{ActionRow, DrillDetail};
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct DrillActions {
    hold: ServerAction<HoldDrill>,
    evaluate: ServerAction<EvaluateDrill>,
    add: ServerAction<AddCorrectiveAction>,
    close: ServerAction<CloseCorrectiveAction>,
}

#[component]
pub fn DrillPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let a = DrillActions {
        hold: act(),
        evaluate: act(),
        add: act(),
        close: act(),
    };
    gated(None, move |_| {
        let data = Resource::new(
            move || {
                (
                    id(),
                    a.hold.version().get(),
                    a.evaluate.version().get(),
                    a.add.version().get(),
                    a.close.version().get(),
                )
            },
            |(id, ..)| async move {
                (
                    get_drill(id).await,
                    crate::areas::directory::api::list_units(String::new(), String::new()).await,
                )
            },
        );
        view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let (d, units) = data.await;
                    let units = units.unwrap_or_default();
                    show(Some(d), lang, move |d: DrillDetail| drill_view(d, units, lang, a))
                })}
            </Transition>
        }
        .into_any()
    })
}

fn facts(d: &DrillDetail, lang: Lang) -> AnyView {
    let s = &d.summary;
    let units = d
        .units
        .iter()
        .map(|(_, n)| n.clone())
        .collect::<Vec<_>>()
        .join(lang.sep());
    let plans = d
        .plans
        .iter()
        .map(|(_, t)| t.clone())
        .collect::<Vec<_>>()
        .join(lang.sep());
    view! {
        <dl class="facts">
            <dt>{lang.t("field.scenario")}</dt><dd>{lang.t(&s.scenario.label_key()).to_string()}</dd>
            <dt>{lang.t("field.drill_format")}</dt><dd>{lang.t(&s.format.label_key()).to_string()}</dd>
            <dt>{lang.t("field.time")}</dt><dd>{when(s.start, s.end)}</dd>
            <dt>{lang.t("field.place")}</dt><dd>{s.place.clone()}</dd>
            <dt>{lang.t("field.organizer_unit")}</dt><dd>{s.organizer_unit_name.clone()}</dd>
            <dt>{lang.t("field.participating_units")}</dt><dd>{units}</dd>
            <dt>{lang.t("field.plans_exercised")}</dt>
            <dd>{if plans.is_empty() { "—".to_string() } else { plans }}</dd>
        </dl>
    }
    .into_any()
}

fn drill_view(
    d: DrillDetail,
    units: Vec<crate::model::Unit>,
    lang: Lang,
    a: DrillActions,
) -> impl IntoView {
    let id = d.summary.id;
    let status = d.summary.status;
    let manage = d.may_manage;
    let objectives = d.def.objectives.clone();
    let evaluation = d.evaluation.clone();
    // Whoever manages the drill may close its open actions here too.
    let closable: Vec<i64> = if manage {
        d.actions
            .iter()
            .filter(|x| x.closed_at.is_none())
            .map(|x| x.id)
            .collect()
    } else {
        Vec::new()
    };
    view! {
        <div class="page-head">
            <h1>{d.summary.title.clone()}</h1>
            {drill_status_badge(status, lang)}
            <a class="button" href=format!("/drills/{id}/report")>{lang.t("drills.report")}</a>
            {(manage && status == DrillStatus::Planned).then(|| view! {
                <a class="button" href=format!("/drills/{id}/edit")>{lang.t("action.edit")}</a>
            })}
        </div>
        {facts(&d, lang)}
        {(!d.clashes.is_empty()).then(|| view! {
            <section class="card warn-card">
                <h2>{lang.t("drills.saved_over")}</h2>
                {clash_list(d.clashes.clone(), lang)}
                <p data-test="kept-reason"><strong>{lang.t("field.clash_reason")} ": "</strong>{d.clash_reason.clone().unwrap_or_default()}</p>
            </section>
        })}
        <h2>{lang.tf("drills.people_n", &[&d.people.len().to_string()])}</h2>
        {attendance(&d, lang, a)}
        {(status != DrillStatus::Planned).then(|| view! {
            <h2>{lang.t("drills.evaluation")}</h2>
            {evaluation_view(id, objectives.clone(), evaluation.clone(), manage, lang, a)}
            <h2>{lang.t("caction.title")}</h2>
            {action_table(d.actions.clone(), closable.clone(), lang, a.close)}
            {manage.then(|| view! {
                <ActForm action=a.add attr:class="card" attr:data-test="add-action">
                    <h3>{lang.t("caction.new")}</h3>
                    <input type="hidden" name="drill_id" value=id.to_string() />
                    <div class="grid">
                        <label class="wide">{lang.t("field.action")}<input type="text" name="form[description]" required maxlength="500" /></label>
                        <label>{lang.t("field.owner_unit")}
                            <UnitSelect units=units.clone() name="form[owner_unit_id]" selected=None blank="common.choose" />
                        </label>
                        <label>{lang.t("field.due_on")}<input type="date" name="form[due_on]" required /></label>
                    </div>
                    {action_error(a.add)}
                    <button type="submit">{lang.t("action.add")}</button>
                </ActForm>
            })}
        })}
        <p class="muted">{format!("{}: {}", lang.t("drills.created_by"), d.created_by)}</p>
    }
}

fn attendance(d: &DrillDetail, lang: Lang, a: DrillActions) -> AnyView {
    let id = d.summary.id;
    let planned = d.summary.status == DrillStatus::Planned;
    // A drill is marked held once it has begun (the server refuses sooner).
    let can_hold = d.may_manage && planned && d.started;
    let rows = d
        .people
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td data-label=lang.t("field.person_code")>{p.code.clone()}</td>
                    <td data-label=lang.t("field.person_name")>{p.name.clone()}</td>
                    <td data-label=lang.t("field.unit")>{p.unit_name.clone()}</td>
                    <td data-label=lang.t("training.attended")>
                        {if can_hold {
                            view! { <input type="checkbox" name=format!("attended[{}]", p.person_id) value="on" checked=true aria-label=lang.t("training.attended") /> }.into_any()
                        } else if planned {
                            view! { <span class="muted">"—"</span> }.into_any()
                        } else if p.attended {
                            view! { <span class="badge done">{lang.t("training.attended")}</span> }.into_any()
                        } else {
                            view! { <span class="badge bad">{lang.t("drills.absent")}</span> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let table = view! {
        <div class="table-wrap">
            <table class="data" data-test="drill-people">
                <thead>
                    <tr>
                        <th>{lang.t("field.person_code")}</th>
                        <th>{lang.t("field.person_name")}</th>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("training.attended")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    };
    if can_hold {
        view! {
            <ActForm action=a.hold attr:data-test="hold-form">
                <input type="hidden" name="id" value=id.to_string() />
                {table}
                {action_error(a.hold)}
                <button type="submit" class="primary" data-test="hold">{lang.t("drills.mark_held")}</button>
            </ActForm>
        }
        .into_any()
    } else {
        table.into_any()
    }
}

fn evaluation_view(
    id: i64,
    objectives: Vec<String>,
    done: Vec<crate::domain::drills::EvaluationRow>,
    manage: bool,
    lang: Lang,
    a: DrillActions,
) -> impl IntoView {
    if !manage {
        return view! {
            <ol class="evaluation">
                {objectives
                    .into_iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let e = done.get(i).cloned();
                        view! {
                            <li>
                                <strong>{o}</strong>
                                {e.map(|e| view! { " · " {lang.t(&e.rating.label_key()).to_string()} " · " {e.findings} })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any();
    }
    view! {
        <ActForm action=a.evaluate attr:data-test="evaluate-form">
            <input type="hidden" name="id" value=id.to_string() />
            {objectives
                .into_iter()
                .enumerate()
                .map(|(i, o)| {
                    let e = done.get(i).cloned();
                    let current = e.as_ref().map(|e| e.rating);
                    let findings = e.map(|e| e.findings).unwrap_or_default();
                    view! {
                        <fieldset class="row-block">
                            <legend>{format!("{}. {o}", i + 1)}</legend>
                            <label>{lang.t("field.rating")}
                                <select name=format!("rows[{i}][rating]")>
                                    <option value="">"—"</option>
                                    {Rating::ALL.iter().map(|r| view! { <option value=r.code() selected=current == Some(*r)>{lang.t(&r.label_key()).to_string()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>{lang.t("field.findings")}<TextArea rows=2 name=format!("rows[{i}][findings]") value=findings /></label>
                        </fieldset>
                    }
                })
                .collect_view()}
            {action_error(a.evaluate)}
            <button type="submit" class="primary" data-test="evaluate">{lang.t("drills.save_evaluation")}</button>
        </ActForm>
    }
    .into_any()
}

/// Corrective actions; those in `closable` get a closing form.
fn action_table(
    list: Vec<ActionRow>,
    closable: Vec<i64>,
    lang: Lang,
    close: ServerAction<CloseCorrectiveAction>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("caction.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="actions">
                <thead>
                    <tr>
                        <th>{lang.t("field.action")}</th>
                        <th>{lang.t("field.owner_unit")}</th>
                        <th>{lang.t("field.due_on")}</th>
                        <th>{lang.t("drills.title")}</th>
                        <th>{lang.t("assessment.status")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|x| {
                            let state = if x.closed_at.is_some() {
                                view! {
                                    <span class="badge done">{lang.t("caction.closed")}</span>
                                    <span class="muted">{format!(" {} · {}", x.closed_by.clone().unwrap_or_default(), x.closing_note.clone().unwrap_or_default())}</span>
                                }
                                    .into_any()
                            } else if x.overdue {
                                view! { <span class="badge bad" data-test="overdue">{lang.t("caction.overdue")}</span> }.into_any()
                            } else {
                                view! { <span class="badge">{lang.t("caction.open")}</span> }.into_any()
                            };
                            let closing = closable.contains(&x.id).then(|| view! {
                                <ActForm action=close attr:class="inline close-action">
                                    <input type="hidden" name="id" value=x.id.to_string() />
                                    <input type="text" name="note" required minlength="2" maxlength="500" placeholder=lang.t("field.closing_note") aria-label=lang.t("field.closing_note") />
                                    <button type="submit">{lang.t("caction.close")}</button>
                                </ActForm>
                            });
                            view! {
                                <tr class:flagged=x.overdue>
                                    <td data-label=lang.t("field.action")>{x.description.clone()}</td>
                                    <td data-label=lang.t("field.owner_unit")>{x.owner_unit_name.clone()}</td>
                                    <td data-label=lang.t("field.due_on")>{x.due_on.to_string()}</td>
                                    <td data-label=lang.t("drills.title")><a href=format!("/drills/{}", x.drill_id)>{x.drill_title.clone()}</a></td>
                                    <td data-label=lang.t("assessment.status")>{state}{closing}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {action_error(close)}
    }
    .into_any()
}

/// Every corrective action within reach or owned by the caller's unit,
/// with the overdue ones counted and marked.
#[component]
pub fn ActionsListPage() -> impl IntoView {
    let lang = use_lang();
    let close = act::<CloseCorrectiveAction>();
    gated(None, move |_| {
        let data = Resource::new(move || close.version().get(), |_| list_corrective_actions());
        view! {
            <div class="page-head"><h1>{lang.t("caction.title")}</h1></div>
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |p: ActionsPage| {
                    let overdue = p.actions.iter().filter(|a| a.overdue).count();
                    view! {
                        <p class={if overdue > 0 { "error" } else { "muted" }} data-test="overdue-count">
                            {lang.tf("caction.overdue_n", &[&overdue.to_string()])}
                        </p>
                        {action_table(p.actions, p.closable, lang, close)}
                    }
                })}
            </Transition>
        }
        .into_any()
    })
}

/// The after-action report (演练总结报告), laid out for A4 paper.
#[component]
pub fn DrillReportPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    gated(None, move |_| {
        let data = Resource::new(id, get_drill);
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |d: DrillDetail| report(d, lang))}
            </Suspense>
        }
        .into_any()
    })
}

fn report(d: DrillDetail, lang: Lang) -> impl IntoView {
    let attended = d.people.iter().filter(|p| p.attended).count();
    view! {
        <article class="report" data-test="report">
            <div class="toolbar no-print">
                <a class="button" href=format!("/drills/{}", d.summary.id)>{lang.t("action.back")}</a>
                <crate::components::islands::PrintButton label=lang.t("action.print").to_string() />
            </div>
            <h1>{lang.t("drills.report_title")}</h1>
            <h2>{d.summary.title.clone()}</h2>
            {facts(&d, lang)}
            <p>{lang.tf("drills.attendance_line", &[&attended.to_string(), &d.people.len().to_string()])}</p>
            {d.held.clone().map(|(by, at)| view! { <p class="muted">{format!("{}: {} · {}", lang.t("drills.held_by"), by, local_time(at))}</p> })}
            <h3>{lang.t("drills.evaluation")}</h3>
            <table class="data">
                <thead><tr><th>"#"</th><th>{lang.t("field.objective")}</th><th>{lang.t("field.rating")}</th><th>{lang.t("field.findings")}</th></tr></thead>
                <tbody>
                    {d.def
                        .objectives
                        .iter()
                        .enumerate()
                        .map(|(i, o)| {
                            let e = d.evaluation.get(i).cloned();
                            view! {
                                <tr>
                                    <td>{i + 1}</td>
                                    <td>{o.clone()}</td>
                                    <td>{e.as_ref().map(|e| lang.t(&e.rating.label_key()).to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{e.map(|e| e.findings).unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <h3>{lang.t("caction.title")}</h3>
            <table class="data">
                <thead><tr><th>{lang.t("field.action")}</th><th>{lang.t("field.owner_unit")}</th><th>{lang.t("field.due_on")}</th><th>{lang.t("assessment.status")}</th></tr></thead>
                <tbody>
                    {d.actions
                        .iter()
                        .map(|x| view! {
                            <tr>
                                <td>{x.description.clone()}</td>
                                <td>{x.owner_unit_name.clone()}</td>
                                <td>{x.due_on.to_string()}</td>
                                <td>{if x.closed_at.is_some() { lang.t("caction.closed") } else if x.overdue { lang.t("caction.overdue") } else { lang.t("caction.open") }}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
            {d.evaluated.clone().map(|(by, at)| view! { <p class="muted">{format!("{}: {} · {}", lang.t("drills.evaluated_by"), by, local_time(at))}</p> })}
        </article>
    }
}
