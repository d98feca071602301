//! One plan's roster as the organizer reviews it: run the scheduler, see
//! each batch with how many of each unit are away, move people (an
//! override needs a reason), publish, then mark attendance in bulk.

use super::status_badge;
use crate::areas::training::api::{
    MarkAttendance, MoveSeat, PublishPlan, RemoveSeat, RunScheduler, get_plan_roster,
};
use crate::components::act;
use crate::components::{ActForm, Confirm};
use crate::components::{action_error, gated, id_param, use_lang, when_ready};
use crate::domain::authz::Action;
use crate::i18n::Lang;
use crate::model::{BatchRow, PlanRoster, SeatRow};
use leptos::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Copy)]
struct Actions {
    run: ServerAction<RunScheduler>,
    publish: ServerAction<PublishPlan>,
    mover: ServerAction<MoveSeat>,
    remove: ServerAction<RemoveSeat>,
    attend: ServerAction<MarkAttendance>,
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let a = Actions {
        run: act(),
        publish: act(),
        mover: act(),
        remove: act(),
        attend: act(),
    };
    gated(Some(Action::ManageTraining), move |_| {
        let roster = Resource::new(
            move || {
                (
                    id(),
                    a.run.version().get(),
                    a.publish.version().get(),
                    a.mover.version().get(),
                    a.remove.version().get(),
                    a.attend.version().get(),
                )
            },
            |(id, ..)| get_plan_roster(id),
        );
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(roster, lang, move |r: PlanRoster| roster_view(r, lang, a))}
            </Transition>
        }
        .into_any()
    })
}

fn roster_view(r: PlanRoster, lang: Lang, a: Actions) -> impl IntoView {
    let plan = r.plan.clone();
    let id = plan.id;
    let published = plan.published;
    let scope = plan
        .unit_name
        .clone()
        .unwrap_or_else(|| lang.t("training.whole_district").to_string());
    let positions = plan
        .def
        .positions
        .iter()
        .map(|p| lang.t(p.label_key()))
        .collect::<Vec<_>>()
        .join(lang.sep());
    let seated = r.seats.len();
    let run_result = move || {
        a.run.value().get().and_then(|v| v.ok()).map(|s| {
            view! { <p class="ok" data-test="scheduled">{lang.tf("training.scheduled", &[&s.placed.to_string(), &s.unplaced.to_string()])}</p> }
        })
    };
    let people: Vec<(i64, String)> = r
        .seats
        .iter()
        .map(|s| {
            (
                s.person_id,
                format!("{} {} · {}", s.person_code, s.person_name, s.unit_name),
            )
        })
        .chain(r.unplaced.iter().map(|u| {
            (
                u.person_id,
                format!("{} {} · {}", u.person_code, u.person_name, u.unit_name),
            )
        }))
        .collect();
    view! {
        <div class="page-head">
            <h1>{plan.def.name.clone()}</h1>
            {status_badge(published, lang)}
        </div>
        <p class="muted">
            {format!("{} · {} · {}: {} · {}: {}", plan.def.year, plan.course_title, lang.t("training.unit_scope"), scope, lang.t("field.audience"), positions)}
        </p>
        <p>{lang.tf("training.targets", &[&r.targets.to_string(), &seated.to_string(), &r.unplaced.len().to_string()])}</p>
        {(!published).then(|| view! {
            <div class="toolbar">
                <a class="button" href=format!("/training/plans/{id}/edit")>{lang.t("action.edit")}</a>
                <ActForm action=a.run shows_result=true attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" data-test="run-scheduler">{lang.t("training.run_scheduler")}</button>
                </ActForm>
                {(seated > 0).then(|| view! {
                    <Confirm label=lang.t("training.publish") consequence=lang.tf("training.publish_consequence", &[&seated.to_string()]) test="confirm-publish">
                        <ActForm action=a.publish attr:class="inline">
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="primary" data-test="publish">{lang.t("training.publish")}</button>
                        </ActForm>
                    </Confirm>
                })}
            </div>
        })}
        {run_result}
        {action_error(a.run)}
        {action_error(a.publish)}
        {r.batches.clone().into_iter().map(|b| batch_section(b, r.seats.clone(), published, r.has_quiz, lang, a)).collect_view()}
        {(!people.is_empty()).then(|| move_form(id, people, r.batches.clone(), lang, a))}
        {(!r.unplaced.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.t("training.unplaced")}</h2>
                <div class="table-wrap">
                    <table class="data" data-test="unplaced">
                        <thead><tr><th>{lang.t("field.person_code")}</th><th>{lang.t("field.person_name")}</th><th>{lang.t("field.unit")}</th><th>{lang.t("training.reason")}</th></tr></thead>
                        <tbody>
                            {r.unplaced.iter().map(|u| view! {
                                <tr>
                                    <td data-label=lang.t("field.person_code")><code>{u.person_code.clone()}</code></td>
                                    <td data-label=lang.t("field.person_name")>{u.person_name.clone()}</td>
                                    <td data-label=lang.t("field.unit")>{u.unit_name.clone()}</td>
                                    <td data-label=lang.t("training.reason")>{crate::domain::scheduler::Reason::say_stored(&u.reason, lang)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
    }
}

/// "公安分局 6 人(至多 6)": how many of each unit a batch takes away, and
/// how many it may.
fn unit_counts(seats: &[&SeatRow], lang: Lang) -> String {
    let mut by_unit: BTreeMap<(String, String), (usize, i64)> = BTreeMap::new();
    for s in seats {
        by_unit
            .entry((s.unit_code.clone(), s.unit_name.clone()))
            .or_insert((0, s.max_away))
            .0 += 1;
    }
    by_unit
        .into_iter()
        .map(|((_, name), (n, max))| {
            lang.tf(
                "training.unit_away",
                &[&name, &n.to_string(), &max.to_string()],
            )
        })
        .collect::<Vec<_>>()
        .join(lang.sep())
}

fn batch_section(
    b: BatchRow,
    all: Vec<SeatRow>,
    published: bool,
    has_quiz: bool,
    lang: Lang,
    a: Actions,
) -> impl IntoView {
    let seats: Vec<&SeatRow> = all.iter().filter(|s| s.batch_id == b.id).collect();
    let counts = unit_counts(&seats, lang);
    let plan_id = b.plan_id;
    let batch_id = b.id;
    let rows = seats
        .iter()
        .map(|s| {
            let s = (*s).clone();
            let form_id = format!("attend-{batch_id}");
            let person = s.person_id;
            let source = match (&s.source[..], &s.override_reason) {
                ("override", Some(reason)) => format!("{}: {reason}", lang.t("training.source_override")),
                (src, _) => lang.t(&format!("training.source_{src}")).to_string(),
            };
            view! {
                <tr data-person=s.person_code.clone()>
                    {published.then(|| view! {
                        <td data-label=lang.t("training.attended")><input type="checkbox" name=format!("present[{person}]") value="on" checked=s.attended form=form_id.clone() aria-label=lang.t("training.attended") /></td>
                    })}
                    <td data-label=lang.t("field.person_code")><code>{s.person_code.clone()}</code></td>
                    <td data-label=lang.t("field.person_name")>
                        {s.person_name.clone()}
                        {(s.cleared == Some(false)).then(|| view! { " " <span class="badge veto" data-test="not-cleared">{lang.t("training.not_cleared")}</span> })}
                    </td>
                    <td data-label=lang.t("field.unit")>{s.unit_name.clone()}</td>
                    <td data-label=lang.t("training.source")>{source}</td>
                    {published.then(|| view! {
                        <td data-label=lang.t("training.result")>
                            {if s.completed {
                                view! { <span class="badge done">{lang.t("training.completed")}</span> }.into_any()
                            } else if has_quiz && s.passed {
                                view! { <span class="badge">{lang.t("training.passed")}</span> }.into_any()
                            } else {
                                view! { <span class="muted">"—"</span> }.into_any()
                            }}
                        </td>
                    })}
                    <td class="actions">
                        <ActForm action=a.remove attr:class="inline">
                            <input type="hidden" name="plan_id" value=plan_id.to_string() />
                            <input type="hidden" name="person_id" value=person.to_string() />
                            <button type="submit" class="link">{lang.t("training.remove")}</button>
                        </ActForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card batch" data-test="batch" data-batch=b.code.clone()>
            <h2>{format!("{} · {} ~ {} · {}", b.code, b.start, b.end, b.place)}</h2>
            <p class="muted">
                {lang.tf("training.batch_seats", &[&b.taken.to_string(), &b.capacity.to_string()])}
                {(!b.instructor.trim().is_empty()).then(|| format!(" · {}", lang.tf("training.batch_instructor", &[&b.instructor])))}
                " · "
                <span data-test="unit-counts">{counts}</span>
            </p>
            <div class="table-wrap">
                <table class="data" data-test="seats">
                    <thead>
                        <tr>
                            {published.then(|| view! { <th>{lang.t("training.attended")}</th> })}
                            <th>{lang.t("field.person_code")}</th>
                            <th>{lang.t("field.person_name")}</th>
                            <th>{lang.t("field.unit")}</th>
                            <th>{lang.t("training.source")}</th>
                            {published.then(|| view! { <th>{lang.t("training.result")}</th> })}
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {published.then(|| view! {
                <ActForm action=a.attend attr:id=format!("attend-{batch_id}") attr:class="inline">
                    <input type="hidden" name="batch_id" value=batch_id.to_string() />
                    <button type="submit" data-test="save-attendance">{lang.t("training.save_attendance")}</button>
                </ActForm>
            })}
            {published.then(|| action_error(a.attend))}
        </section>
    }
}

fn move_form(
    plan_id: i64,
    people: Vec<(i64, String)>,
    batches: Vec<BatchRow>,
    lang: Lang,
    a: Actions,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{lang.t("training.move")}</h2>
            <p class="muted">{lang.t("training.move_help")}</p>
            <ActForm action=a.mover attr:data-test="move-form">
                <input type="hidden" name="plan_id" value=plan_id.to_string() />
                <div class="grid">
                    <label>
                        {lang.t("field.person")}
                        <select name="person_id">
                            {people.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {lang.t("field.batch")}
                        <select name="batch_id">
                            {batches.into_iter().map(|b| view! { <option value=b.id.to_string()>{format!("{} ({} ~ {})", b.code, b.start, b.end)}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="check"><input type="checkbox" name="force" value="on" />{lang.t("training.override")}</label>
                    <label class="wide">{lang.t("field.override_reason")}<input type="text" name="reason" maxlength="200" /></label>
                </div>
                {action_error(a.mover)}
                {action_error(a.remove)}
                <button type="submit">{lang.t("training.move_button")}</button>
            </ActForm>
        </section>
    }
}
