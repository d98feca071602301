//! Drills and emergency plans' screens: the drill list and editor (here,
//! with clashes shown before saving), one drill with its attendance,
//! evaluation, corrective actions and printable report (`detail`), plans,
//! their lifecycle and coverage (`plans`), and the calendar (`calendar`).

pub mod calendar;
pub mod detail;
pub mod plans;

use crate::areas::drills::api::{
    DrillEditor, DrillSaved, DrillsPage, SaveDrill, get_drill_editor, list_drills,
};
use crate::components::ActForm;
use crate::components::act;
use crate::components::nav::{Area, NavLink, Need};
use crate::components::{
    TextArea, UnitSelect, action_error, gated, id_param, use_lang, when_ready,
};
use crate::domain::authz::Action;
use crate::domain::drills::{DrillFormat, DrillStatus, Scenario};
use crate::domain::local_time;
use crate::i18n::Lang;
use crate::model::{ClashRow, DrillSummary};
use leptos::prelude::*;

/// The drills area, parent route of its pages (`nav::Area`): its links along
/// the top. Drills, plans and corrective actions show a person their own
/// unit's too; coverage and the calendar are views over the units within
/// reach.
#[component]
pub fn DrillsArea() -> impl IntoView {
    const LINKS: &[NavLink] = &[
        (
            "/drills",
            "drills.title",
            Need::MayOrOwnUnit(Action::ViewDrills),
        ),
        (
            "/drills/plans",
            "eplan.title",
            Need::MayOrOwnUnit(Action::ViewDrills),
        ),
        (
            "/drills/coverage",
            "eplan.coverage",
            Need::May(Action::ViewDrills),
        ),
        (
            "/drills/calendar",
            "calendar.title",
            Need::May(Action::ViewDrills),
        ),
        (
            "/drills/actions",
            "caction.title",
            Need::MayOrOwnUnit(Action::ViewDrills),
        ),
    ];
    view! { <Area links=LINKS /> }
}

pub fn drill_status_badge(s: DrillStatus, lang: Lang) -> impl IntoView {
    let class = match s {
        DrillStatus::Planned => "badge",
        DrillStatus::Held => "badge warn",
        DrillStatus::Evaluated => "badge done",
    };
    view! { <span class=class data-test="drill-status">{lang.t(&s.label_key()).to_string()}</span> }
}

/// From and to, local time; the date once when both are on one day.
pub fn when(start: i64, end: i64) -> String {
    let (a, b) = (local_time(start), local_time(end));
    if a.get(..10) == b.get(..10) {
        format!("{a} – {}", b.get(11..).unwrap_or_default())
    } else {
        format!("{a} – {b}")
    }
}

#[component]
pub fn DrillsListPage() -> impl IntoView {
    let lang = use_lang();
    gated(None, move |_| {
        let data = Resource::new(|| (), |_| list_drills());
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |p: DrillsPage| drill_list(p, lang))}
            </Transition>
        }
        .into_any()
    })
}

fn drill_list(p: DrillsPage, lang: Lang) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>{lang.t("drills.title")}</h1>
            {p.may_manage.then(|| view! { <a class="button primary" href="/drills/new">{lang.t("drills.new")}</a> })}
        </div>
        <p class="intro muted">{lang.t("drills.intro")}</p>
        {drill_table(p.drills, lang)}
    }
}

pub fn drill_table(list: Vec<DrillSummary>, lang: Lang) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("drills.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="drills">
                <thead>
                    <tr>
                        <th>{lang.t("field.title")}</th>
                        <th>{lang.t("field.scenario")}</th>
                        <th>{lang.t("field.drill_format")}</th>
                        <th>{lang.t("field.time")}</th>
                        <th>{lang.t("field.place")}</th>
                        <th>{lang.t("field.organizer_unit")}</th>
                        <th class="num">{lang.t("drills.people")}</th>
                        <th>{lang.t("assessment.status")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|d| view! {
                            <tr>
                                <td data-label=lang.t("field.title")><a href=format!("/drills/{}", d.id)>{d.title.clone()}</a></td>
                                <td data-label=lang.t("field.scenario")>{lang.t(&d.scenario.label_key()).to_string()}</td>
                                <td data-label=lang.t("field.drill_format")>{lang.t(&d.format.label_key()).to_string()}</td>
                                <td data-label=lang.t("field.time")>{when(d.start, d.end)}</td>
                                <td data-label=lang.t("field.place")>{d.place.clone()}</td>
                                <td data-label=lang.t("field.organizer_unit")>{d.organizer_unit_name.clone()}</td>
                                <td class="num" data-label=lang.t("drills.people")>{d.people}</td>
                                <td data-label=lang.t("assessment.status")>{drill_status_badge(d.status, lang)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Clashes as a list a person reads: what, with what, when.
pub fn clash_list(clashes: Vec<ClashRow>, lang: Lang) -> impl IntoView {
    view! {
        <ul class="clashes" data-test="clashes">
            {clashes
                .into_iter()
                .map(|c| {
                    let with = if c.masked {
                        view! { <span class="muted">{lang.t("drills.other_units_drill")}</span> }.into_any()
                    } else if c.link.is_empty() {
                        view! { <span>{c.with.clone()}</span> }.into_any()
                    } else {
                        view! { <a href=c.link.clone()>{c.with.clone()}</a> }.into_any()
                    };
                    view! {
                        <li>
                            <strong>{lang.t(&c.kind_key).to_string()}</strong>
                            ": " {c.subject.clone()} " ↔ " {with}
                            <span class="muted">{format!(" ({})", when(c.start, c.end))}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Scheduling (`/drills/new`) or changing (`/drills/:id/edit`) a drill.
#[component]
pub fn DrillEditPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SaveDrill>();
    gated(Some(Action::ManageDrills), move |_| {
        let editor = Resource::new(id, |id| get_drill_editor((id > 0).then_some(id)));
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(editor, lang, move |e: DrillEditor| drill_form(e, lang, save))}
            </Suspense>
        }
        .into_any()
    })
}

fn drill_form(e: DrillEditor, lang: Lang, save: ServerAction<SaveDrill>) -> impl IntoView {
    let f = e.form;
    let heading = if e.id.is_some() {
        format!("{} · {}", lang.t("drills.edit"), f.title)
    } else {
        lang.t("drills.new").to_string()
    };
    let organizer: Option<i64> = f.organizer_unit_id.parse().ok();
    let had_reason = e.clash_reason.clone();
    // The clashes the last attempt found; the reason box shows with them.
    let pending = move || match save.value().get() {
        Some(Ok(DrillSaved { id: None, clashes })) => Some(clashes),
        _ => None,
    };
    view! {
        <h1>{heading}</h1>
        <ActForm action=save next="/drills/{id}" shows_result=true keep=true attr:class="drill-form" attr:data-test="drill-form">
            {e.id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <section class="card">
                <div class="grid">
                    <label class="wide">{lang.t("field.title")}<input type="text" name="form[title]" required maxlength="100" value=f.title.clone() /></label>
                    <label>
                        {lang.t("field.scenario")}
                        <select name="form[scenario]">
                            <option value="">"—"</option>
                            {Scenario::ALL.iter().map(|s| view! { <option value=s.code() selected=f.scenario == s.code()>{lang.t(&s.label_key()).to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {lang.t("field.drill_format")}
                        <select name="form[format]">
                            <option value="">"—"</option>
                            {DrillFormat::ALL.iter().map(|s| view! { <option value=s.code() selected=f.format == s.code()>{lang.t(&s.label_key()).to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{lang.t("field.start_time")}<input type="datetime-local" name="form[start]" required value=f.start.clone() /></label>
                    <label>{lang.t("field.end_time")}<input type="datetime-local" name="form[end]" required value=f.end.clone() /></label>
                    <label class="wide">{lang.t("field.place")}<input type="text" name="form[place]" required maxlength="100" value=f.place.clone() /></label>
                    <label class="wide">
                        {lang.t("field.organizer_unit")}
                        <UnitSelect units=e.organizer_units.clone() name="form[organizer_unit_id]" selected=organizer blank="common.choose" />
                    </label>
                </div>
                <label>{lang.t("field.objectives")}
                    <TextArea rows=4 name="form[objectives]" placeholder=lang.t("drills.objectives_help").to_string() value=f.objectives.clone() />
                </label>
                <label>{lang.t("field.participants")}
                    <TextArea rows=2 name="form[people]" placeholder=lang.t("drills.people_help").to_string() value=f.people.clone() />
                </label>
                // The picker: tick people instead of typing their numbers
                // (a plain form field, so it works without JavaScript).
                {(!e.people.is_empty()).then(|| {
                    let typed: Vec<String> = f.people.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；')).map(str::to_string).collect();
                    view! {
                        <details class="picker" data-test="people-picker">
                            <summary>{lang.tf("drills.pick_people", &[&e.people.len().to_string()])}</summary>
                            <div class="checks">
                                {e.people.iter().map(|(code, name, unit)| {
                                    let on = typed.contains(code);
                                    view! {
                                        <label class="check">
                                            <input type="checkbox" name=format!("form[picked][{code}]") value="1" checked=on />
                                            {format!("{name} · {unit}")} " " <code>{code.clone()}</code>
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                        </details>
                    }
                })}
            </section>
            <details class="card" open=!f.units.is_empty()>
                <summary>{lang.t("field.participating_units")}</summary>
                <div class="checks">
                    {e.units
                        .iter()
                        .map(|u| view! {
                            <label class="check">
                                <input type="checkbox" name=format!("form[units][{}]", u.id) value="on" checked=f.units.contains_key(&u.id.to_string()) />
                                {u.name.clone()}
                            </label>
                        })
                        .collect_view()}
                </div>
            </details>
            <details class="card" open=!f.plans.is_empty()>
                <summary>{lang.t("field.plans_exercised")}</summary>
                <div class="checks">
                    {e.plans
                        .iter()
                        .map(|p| view! {
                            <label class="check">
                                <input type="checkbox" name=format!("form[plans][{}]", p.id) value="on" checked=f.plans.contains_key(&p.id.to_string()) />
                                {format!("{} · {}", p.unit_name, p.title)}
                            </label>
                        })
                        .collect_view()}
                </div>
            </details>
            // The clashes, brought into the form in place (`keep`): what
            // was typed stays for the reason to be added.
            <div data-act-msg="">
            {move || {
                let found = pending();
                let show_reason = found.is_some() || !had_reason.is_empty();
                let reason = had_reason.clone();
                view! {
                    {found.map(|c| view! {
                        <section class="card warn-card" role="alert">
                            <h2>{lang.tf("drills.clashes_found", &[&c.len().to_string()])}</h2>
                            {clash_list(c, lang)}
                            <p>{lang.t("drills.clash_reason_help")}</p>
                        </section>
                    })}
                    {show_reason.then(|| view! {
                        <label>{lang.t("field.clash_reason")}
                            <TextArea rows=2 name="clash_reason" value=reason attr:data-test="clash-reason" />
                        </label>
                    })}
                }
            }}
            </div>
            {action_error(save)}
            <button type="submit" class="primary" data-test="save-drill">{lang.t("action.save")}</button>
        </ActForm>
    }
}
