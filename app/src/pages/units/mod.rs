//! The unit tree: list, search and filter; create, edit and move (admins).

use crate::areas::directory::api::{MoveUnit, SaveUnit, get_unit, list_units};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{
    UnitSelect, action_error, gated, id_param, query_param, use_lang, when_ready,
};
use crate::domain::authz::Action;
use crate::domain::unit::UnitKind;
use crate::i18n::Lang;
use crate::model::Unit;
use leptos::prelude::*;

#[component]
pub fn UnitsPage() -> impl IntoView {
    let lang = use_lang();
    let q = query_param("q");
    let kind = query_param("kind");
    let short = query_param("short");
    gated(None, move |me| {
        let units = Resource::new(
            move || (q.get(), kind.get()),
            |(q, kind)| list_units(q, kind),
        );
        let can_edit = me.may(Action::ManageUnits);
        view! {
            <div class="page-head">
                <h1>{lang.t("unit.title")}</h1>
                {can_edit.then(|| view! { <a class="button primary" href="/units/new">{lang.t("unit.new")}</a> })}
            </div>
            <form method="get" class="filters">
                <input type="search" name="q" value=q.get_untracked() placeholder=lang.t("unit.search") />
                <select name="kind">
                    <option value="">{lang.t("unit.all_kinds")}</option>
                    {UnitKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.code() selected=kind.get_untracked() == k.code()>{lang.t(k.label_key())}</option> })
                        .collect_view()}
                </select>
                <label class="check">
                    <input type="checkbox" name="short" value="1" checked=short.get_untracked() == "1" />
                    {lang.t("unit.only_short")}
                </label>
                <button type="submit">{lang.t("action.filter")}</button>
            </form>
            <Transition fallback=|| ()>
                {move || {
                    let only_short = short.get() == "1";
                    when_ready(units, lang, move |list: Vec<Unit>| {
                        let list: Vec<Unit> = list.into_iter().filter(|u| !only_short || u.people < u.min_on_duty).collect();
                        unit_table(list, lang, can_edit)
                    })
                }}
            </Transition>
        }
        .into_any()
    })
}

fn unit_table(list: Vec<Unit>, lang: Lang, can_edit: bool) -> impl IntoView {
    let count = list.len();
    view! {
        <p class="muted">{lang.tf("common.count", &[&count.to_string()])}</p>
        <div class="table-wrap">
            <table class="data" data-test="units">
                <thead>
                    <tr>
                        <th>{lang.t("field.name")}</th>
                        <th>{lang.t("field.code")}</th>
                        <th>{lang.t("field.kind")}</th>
                        <th class="num">{lang.t("field.min_on_duty")}</th>
                        <th class="num">{lang.t("unit.people")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|u| {
                            let short = u.people < u.min_on_duty;
                            let indent = format!("padding-left: {}em", u.depth() as f32 * 1.2 + 0.5);
                            view! {
                                <tr class:short=short>
                                    <td style=indent data-label=lang.t("field.name")>{u.name.clone()}</td>
                                    <td data-label=lang.t("field.code")><code>{u.code.clone()}</code></td>
                                    <td data-label=lang.t("field.kind")>{lang.t(u.kind.label_key())}</td>
                                    <td class="num" data-label=lang.t("field.min_on_duty")>{u.min_on_duty}</td>
                                    <td class="num" data-label=lang.t("unit.people")>
                                        <a href=format!("/people?unit_id={}", u.id)>{u.people}</a>
                                    </td>
                                    <td>
                                        {can_edit.then(|| view! { <a href=format!("/units/{}", u.id)>{lang.t("action.edit")}</a> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The fields shared by creating and editing a unit.
fn unit_fields(lang: Lang, unit: Option<Unit>) -> impl IntoView {
    let unit = unit.as_ref();
    let kind = unit.map(|u| u.kind);
    let (code, name, min) = (
        unit.map(|u| u.code.clone()),
        unit.map(|u| u.name.clone()),
        unit.map(|u| u.min_on_duty.to_string())
            .unwrap_or_else(|| "0".into()),
    );
    view! {
        <label>
            {lang.t("field.code")}
            <input type="text" name="code" required maxlength="32" value=code />
        </label>
        <label>
            {lang.t("field.name")}
            <input type="text" name="name" required maxlength="64" value=name />
        </label>
        <label>
            {lang.t("field.kind")}
            <select name="kind" required>
                {UnitKind::ALL
                    .into_iter()
                    .map(|k| view! { <option value=k.code() selected=Some(k) == kind>{lang.t(k.label_key())}</option> })
                    .collect_view()}
            </select>
        </label>
        <label>
            {lang.t("field.min_on_duty")}
            <input type="number" name="min_on_duty" min="0" max="9999" value=min />
            <small class="muted">{lang.t("unit.min_on_duty_help")}</small>
        </label>
    }
}

#[component]
pub fn NewUnitPage() -> impl IntoView {
    let lang = use_lang();
    let save = act::<SaveUnit>();
    gated(Some(Action::ManageUnits), move |_| {
        let units = Resource::new(|| (), |_| list_units(String::new(), String::new()));
        view! {
            <h1>{lang.t("unit.new")}</h1>
            <section class="card narrow">
                <ActForm action=save next="/units">
                    {unit_fields(lang, None)}
                    <label>
                        {lang.t("field.parent")}
                        <Suspense fallback=|| ()>
                            {move || when_ready(units, lang, |list| view! { <UnitSelect units=list name="parent_id" selected=None blank="unit.top_level" /> })}
                        </Suspense>
                    </label>
                    {action_error(save)}
                    <button type="submit" class="primary">{lang.t("action.save")}</button>
                </ActForm>
            </section>
        }
        .into_any()
    })
}

#[component]
pub fn EditUnitPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SaveUnit>();
    let move_action = act::<MoveUnit>();
    gated(Some(Action::ManageUnits), move |_| {
        let unit = Resource::new(id, get_unit);
        let units = Resource::new(|| (), |_| list_units(String::new(), String::new()));
        view! {
            <Suspense fallback=|| ()>
                {move || {
                    when_ready(unit, lang, move |u: Unit| {
                        let own_path = u.path.clone();
                        let parent = u.parent_id;
                        let (id1, id2) = (u.id.to_string(), u.id.to_string());
                        let title = u.name.clone();
                        let parent_name = u.parent_name.clone().unwrap_or_else(|| lang.t("unit.top_level").to_string());
                        let fields = unit_fields(lang, Some(u));
                        view! {
                            <h1>{title}</h1>
                            <section class="card narrow">
                                <h2>{lang.t("unit.edit")}</h2>
                                <ActForm action=save next="/units">
                                    <input type="hidden" name="id" value=id1 />
                                    {fields}
                                    {action_error(save)}
                                    <button type="submit" class="primary">{lang.t("action.save")}</button>
                                </ActForm>
                            </section>
                            <section class="card narrow">
                                <h2>{lang.t("unit.move")}</h2>
                                <p class="muted">{lang.tf("unit.current_parent", &[&parent_name])}</p>
                                <ActForm action=move_action next="/units">
                                    <input type="hidden" name="id" value=id2 />
                                    <label>
                                        {lang.t("field.parent")}
                                        <Suspense fallback=|| ()>
                                            {move || {
                                                let own_path = own_path.clone();
                                                when_ready(units, lang, move |list| view! {
                                                    <UnitSelect units=list name="parent_id" selected=parent blank="unit.top_level" exclude_under=own_path />
                                                })
                                            }}
                                        </Suspense>
                                    </label>
                                    {action_error(move_action)}
                                    <button type="submit">{lang.t("unit.move_submit")}</button>
                                </ActForm>
                            </section>
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}
