//! People: list, search and filter; create and edit (which moves a person
//! to another unit).

use crate::areas::directory::api::list_units;
use crate::areas::directory::api::{SavePerson, get_person, list_people};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{
    Pager, UnitSelect, action_error, gated, id_param, query_param, show, use_lang, when_ready,
};
use crate::domain::authz::{Action, Principal};
use crate::domain::person::Position;
use crate::i18n::Lang;
use crate::model::{Page, Person, Unit};
use leptos::prelude::*;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let lang = use_lang();
    let q = query_param("q");
    let unit = query_param("unit_id");
    let position = query_param("position");
    let page = query_param("page");
    gated(Some(Action::ViewPeople), move |me| {
        let people = Resource::new(
            move || (q.get(), unit.get(), position.get(), page.get()),
            |(q, unit, position, page)| {
                list_people(q, unit.parse().ok(), position, page.parse().unwrap_or(1))
            },
        );
        let units = Resource::new(|| (), |_| list_units(String::new(), String::new()));
        let can_edit = me.may(Action::ManagePeople);
        view! {
            <div class="page-head">
                <h1>{lang.t("person.title")}</h1>
                {can_edit.then(|| view! { <a class="button primary" href="/people/new">{lang.t("person.new")}</a> })}
            </div>
            // Two boundaries, each waiting for its own resource.
            <form method="get" class="filters">
                <input type="search" name="q" value=q.get_untracked() placeholder=lang.t("person.search") />
                <Suspense fallback=|| ()>
                    {move || when_ready(units, lang, move |list| view! {
                        <UnitSelect units=list name="unit_id" selected=unit.get_untracked().parse().ok() blank="person.all_units" />
                    })}
                </Suspense>
                <select name="position">
                    <option value="">{lang.t("person.all_positions")}</option>
                    {Position::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.code() selected=position.get_untracked() == p.code()>{lang.t(p.label_key())}</option> })
                        .collect_view()}
                </select>
                <button type="submit">{lang.t("action.filter")}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || {
                    let base = format!("/people?q={}&unit_id={}&position={}", crate::domain::query_escape(&q.get()), unit.get(), position.get());
                    when_ready(people, lang, move |p: Page<Person>| people_table(p, lang, base, can_edit))
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn people_table(p: Page<Person>, lang: Lang, base: String, can_edit: bool) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data" data-test="people">
                <thead>
                    <tr>
                        <th>{lang.t("field.person_code")}</th>
                        <th>{lang.t("field.person_name")}</th>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("field.positions")}</th>
                        <th>{lang.t("field.phone")}</th>
                        <th>{lang.t("person.account")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {p.items
                        .into_iter()
                        .map(|x| {
                            let positions = x.positions.iter().map(|p| lang.t(p.label_key())).collect::<Vec<_>>().join(lang.sep());
                            view! {
                                <tr>
                                    <td data-label=lang.t("field.person_code")><code>{x.code.clone()}</code></td>
                                    <td data-label=lang.t("field.person_name")>
                                        {x.name.clone()}
                                        {(x.cleared == Some(false)).then(|| view! { " " <span class="badge veto" data-test="not-cleared">{lang.t("training.not_cleared")}</span> })}
                                    </td>
                                    <td data-label=lang.t("field.unit")>{x.unit_name.clone()}</td>
                                    <td data-label=lang.t("field.positions")>{positions}</td>
                                    <td data-label=lang.t("field.phone")>{x.phone.clone().unwrap_or_default()}</td>
                                    <td data-label=lang.t("person.account")>{x.account.clone().unwrap_or_default()}</td>
                                    <td>{can_edit.then(|| view! { <a href=format!("/people/{}", x.id)>{lang.t("action.edit")}</a> })}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=p.page per_page=p.per_page total=p.total base=base />
    }
}

fn person_form(
    lang: Lang,
    action: ServerAction<SavePerson>,
    person: Option<Person>,
    units: Vec<Unit>,
) -> impl IntoView {
    let held: Vec<Position> = person
        .as_ref()
        .map(|p| p.positions.clone())
        .unwrap_or_default();
    let unit_id = person.as_ref().map(|p| p.unit_id);
    view! {
        <ActForm action=action next="/people">
            {person.as_ref().map(|p| view! { <input type="hidden" name="id" value=p.id.to_string() /> })}
            <label>
                {lang.t("field.person_code")}
                <input type="text" name="code" required maxlength="32" value=person.as_ref().map(|p| p.code.clone()) />
            </label>
            <label>
                {lang.t("field.person_name")}
                <input type="text" name="name" required maxlength="32" value=person.as_ref().map(|p| p.name.clone()) />
            </label>
            <label>
                {lang.t("field.unit")}
                <UnitSelect units=units name="unit_id" selected=unit_id />
            </label>
            <fieldset>
                <legend>{lang.t("field.positions")}</legend>
                {Position::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| view! {
                        <label class="check">
                            <input type="checkbox" name=format!("positions[{i}]") value=p.code() checked=held.contains(&p) />
                            {lang.t(p.label_key())}
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <label>
                {lang.t("field.phone")}
                <input type="tel" name="phone" maxlength="20" value=person.as_ref().and_then(|p| p.phone.clone()) />
            </label>
            {action_error(action)}
            <button type="submit" class="primary">{lang.t("action.save")}</button>
        </ActForm>
    }
}

/// The units the caller may put people in (the server checks again).
fn manageable(me: &Principal, list: Vec<Unit>) -> Vec<Unit> {
    list.into_iter()
        .filter(|u| me.may_at(Action::ManagePeople, &u.path))
        .collect()
}

#[component]
pub fn NewPersonPage() -> impl IntoView {
    let lang = use_lang();
    let save = act::<SavePerson>();
    gated(Some(Action::ManagePeople), move |me| {
        let units = Resource::new(|| (), |_| list_units(String::new(), String::new()));
        view! {
            <h1>{lang.t("person.new")}</h1>
            <section class="card narrow">
                <Suspense fallback=|| ()>
                    {move || {
                        let me = me.clone();
                        when_ready(units, lang, move |list| person_form(lang, save, None, manageable(&me, list)))
                    }}
                </Suspense>
            </section>
        }
        .into_any()
    })
}

#[component]
pub fn EditPersonPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SavePerson>();
    gated(Some(Action::ManagePeople), move |me| {
        let person = Resource::new(id, get_person);
        let units = Resource::new(|| (), |_| list_units(String::new(), String::new()));
        view! {
            <Suspense fallback=|| ()>
                {move || {
                    let me = me.clone();
                    Suspend::new(async move {
                    let units = units.await;
                    show(Some(person.await), lang, move |p: Person| {
                        let register = me.may(Action::ManageRegistry).then(|| {
                            let href = format!("/registry?person={}#register", crate::domain::query_escape(&p.code));
                            view! { <p><a class="button" href=href data-test="register-person">{lang.t("registry.register_person")}</a></p> }
                        });
                        view! {
                            <h1>{p.name.clone()}</h1>
                            {register}
                            <section class="card narrow">{show(Some(units), lang, move |list| person_form(lang, save, Some(p), manageable(&me, list)))}</section>
                        }
                    })
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}
