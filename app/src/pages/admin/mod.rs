//! Administration: accounts and roles, the audit trail.

use crate::areas::accounts::api::{
    CreateAccount, ResetPassword, SetAccountDisabled, SetAccountRoles, list_accounts,
};
use crate::areas::audit::api::list_audit;
use crate::components::ActForm;
use crate::components::act;
use crate::components::{Pager, action_error, gated, query_param, use_lang, when_ready};
use crate::domain::account::Role;
use crate::domain::authz::Action;
use crate::domain::local_time;
use crate::i18n::Lang;
use crate::model::{Account, AuditEntry, Page};
use leptos::prelude::*;

/// Role checkboxes and the two scope fields, shared by "create" and "edit".
fn role_fields(lang: Lang, account: Option<Account>) -> impl IntoView {
    let account = account.as_ref();
    let held = |r: Role| account.is_some_and(|a| a.grants.iter().any(|g| g.role == r));
    let scope_of = |r: Role| {
        account
            .and_then(|a| a.grants.iter().find(|g| g.role == r))
            .and_then(|g| g.scope_unit_code.clone())
    };
    let checked: Vec<bool> = Role::ALL.into_iter().map(held).collect();
    let organizer_scope = scope_of(Role::Organizer);
    let assessor_scope = scope_of(Role::Assessor);
    view! {
        <fieldset>
            <legend>{lang.t("field.roles")}</legend>
            {Role::ALL
                .into_iter()
                .enumerate()
                .map(|(i, r)| view! {
                    <label class="check">
                        <input type="checkbox" name=format!("roles[{i}]") value=r.code() checked=checked[i] />
                        {lang.t(r.label_key())}
                    </label>
                })
                .collect_view()}
        </fieldset>
        <label>
            {lang.t("field.organizer_scope")}
            <input type="text" name="organizer_scope" placeholder=lang.t("account.scope_hint") value=organizer_scope />
        </label>
        <label>
            {lang.t("field.assessor_scope")}
            <input type="text" name="assessor_scope" placeholder=lang.t("account.scope_hint") value=assessor_scope />
        </label>
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let create = act::<CreateAccount>();
    let disable = act::<SetAccountDisabled>();
    let roles = act::<SetAccountRoles>();
    let reset = act::<ResetPassword>();
    gated(Some(Action::ManageAccounts), move |_| {
        let accounts = Resource::new(
            move || {
                (
                    create.version().get(),
                    disable.version().get(),
                    roles.version().get(),
                )
            },
            |_| list_accounts(),
        );
        view! {
            <h1>{lang.t("account.admin_title")}</h1>
            {action_error(disable)}
            {action_error(roles)}
            {action_error(reset)}
            {move || matches!(reset.value().get(), Some(Ok(()))).then(|| view! { <p class="ok" role="status">{lang.t("msg.password_reset")}</p> })}
            <Transition fallback=|| ()>
                {move || when_ready(accounts, lang, move |list| accounts_table(lang, list, disable, roles, reset))}
            </Transition>
            <section class="card narrow">
                <h2>{lang.t("account.create")}</h2>
                <ActForm action=create>
                    <label>
                        {lang.t("field.username")}
                        <input type="text" name="username" required maxlength="32" autocomplete="off" />
                    </label>
                    <label>
                        {lang.t("field.display_name")}
                        <input type="text" name="display_name" required maxlength="32" />
                    </label>
                    <label>
                        {lang.t("field.password")}
                        <input type="password" name="password" required autocomplete="new-password" />
                        <small class="muted">{lang.t("account.password_rule")}</small>
                    </label>
                    {role_fields(lang, None)}
                    <label>
                        {lang.t("field.person_code")}
                        <input type="text" name="person_code" placeholder=lang.t("account.person_hint") />
                    </label>
                    {action_error(create)}
                    {move || matches!(create.value().get(), Some(Ok(_))).then(|| view! { <p class="ok" role="status">{lang.t("msg.account_created")}</p> })}
                    <button type="submit" class="primary">{lang.t("account.create")}</button>
                </ActForm>
            </section>
        }
        .into_any()
    })
}

fn accounts_table(
    lang: Lang,
    list: Vec<Account>,
    disable: ServerAction<SetAccountDisabled>,
    roles: ServerAction<SetAccountRoles>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data" data-test="accounts">
                <thead>
                    <tr>
                        <th>{lang.t("field.username")}</th>
                        <th>{lang.t("field.display_name")}</th>
                        <th>{lang.t("field.roles")}</th>
                        <th>{lang.t("account.status")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|a| {
                            let grants = a
                                .grants
                                .iter()
                                .map(|g| match &g.scope_unit_name {
                                    Some(unit) => format!("{}({})", lang.t(g.role.label_key()), unit),
                                    None => lang.t(g.role.label_key()).to_string(),
                                })
                                .collect::<Vec<_>>()
                                .join(lang.sep());
                            let id = a.id.to_string();
                            let (id2, id3) = (id.clone(), id.clone());
                            let username = a.username.clone();
                            let fields = role_fields(lang, Some(a.clone()));
                            let (status, toggle, label) = if a.disabled {
                                (lang.t("account.disabled"), "false", lang.t("account.enable"))
                            } else {
                                (lang.t("account.active"), "true", lang.t("account.disable"))
                            };
                            view! {
                                <tr class:disabled=a.disabled data-username=username.clone()>
                                    <td data-label=lang.t("field.username")><code>{username.clone()}</code></td>
                                    <td data-label=lang.t("field.display_name")>
                                        {a.display_name.clone()}
                                        {a.person_name.clone().map(|p| format!(" · {p}"))}
                                    </td>
                                    <td data-label=lang.t("field.roles")>{grants}</td>
                                    <td data-label=lang.t("account.status")>{status}</td>
                                    <td class="actions">
                                        <ActForm action=disable attr:class="inline">
                                            <input type="hidden" name="id" value=id />
                                            <input type="hidden" name="disabled" value=toggle />
                                            <button type="submit" data-test="toggle-disabled">{label}</button>
                                        </ActForm>
                                        <details>
                                            <summary>{lang.t("account.edit_roles")}</summary>
                                            <ActForm action=roles>
                                                <input type="hidden" name="id" value=id2 />
                                                {fields}
                                                <button type="submit">{lang.t("action.save")}</button>
                                            </ActForm>
                                        </details>
                                        <details>
                                            <summary>{lang.t("account.reset_password")}</summary>
                                            <ActForm action=reset>
                                                <input type="hidden" name="id" value=id3 />
                                                <input type="password" name="password" required autocomplete="new-password" />
                                                <button type="submit">{lang.t("action.save")}</button>
                                            </ActForm>
                                        </details>
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

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let entity = query_param("entity");
    let actor = query_param("actor");
    let action = query_param("action");
    let from = query_param("from");
    let to = query_param("to");
    let page = query_param("page");
    gated(Some(Action::ViewAudit), move |_| {
        let entries = Resource::new(
            move || {
                (
                    entity.get(),
                    actor.get(),
                    action.get(),
                    from.get(),
                    to.get(),
                    page.get(),
                )
            },
            |(e, a, ac, f, t, p)| list_audit(e, a, ac, f, t, p.parse().unwrap_or(1)),
        );
        view! {
            <h1>{lang.t("audit.title")}</h1>
            <p class="muted">{lang.t("audit.intro")}</p>
            <form method="get" class="filters">
                <select name="entity">
                    <option value="">{lang.t("audit.all_entities")}</option>
                    {["account", "unit", "person", "import", "registry_entry", "certificate", "registry"]
                        .into_iter()
                        .map(|e| view! { <option value=e selected=entity.get_untracked() == e>{lang.t(&format!("audit.entity_{e}")).to_string()}</option> })
                        .collect_view()}
                </select>
                <input type="text" name="actor" value=actor.get_untracked() placeholder=lang.t("audit.actor") />
                <input type="text" name="action" value=action.get_untracked() placeholder=lang.t("audit.action") />
                <label>{lang.t("field.from")} <input type="date" name="from" value=from.get_untracked() /></label>
                <label>{lang.t("field.to")} <input type="date" name="to" value=to.get_untracked() /></label>
                <button type="submit">{lang.t("action.filter")}</button>
            </form>
            <Transition fallback=|| ()>
                {move || {
                    let base = format!("/admin/audit?entity={}&actor={}&action={}&from={}&to={}", entity.get(), actor.get(), action.get(), from.get(), to.get());
                    when_ready(entries, lang, move |p: Page<AuditEntry>| audit_table(lang, p, base))
                }}
            </Transition>
        }
        .into_any()
    })
}

fn audit_table(lang: Lang, p: Page<AuditEntry>, base: String) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data audit" data-test="audit">
                <thead>
                    <tr>
                        <th>{lang.t("audit.when")}</th>
                        <th>{lang.t("audit.actor")}</th>
                        <th>{lang.t("audit.action")}</th>
                        <th>{lang.t("audit.entity")}</th>
                        <th>{lang.t("audit.change")}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.items
                        .into_iter()
                        .map(|e| view! {
                            <tr>
                                <td data-label=lang.t("audit.when")>{local_time(e.at)}</td>
                                <td data-label=lang.t("audit.actor")>{crate::components::actor_label(&e.actor, lang)}</td>
                                <td data-label=lang.t("audit.action") title=e.action.clone()>{lang.t_or(&e.action, &e.action)}</td>
                                <td data-label=lang.t("audit.entity") title=format!("{} #{}", e.entity, e.entity_id)>{lang.t_or(&format!("audit.entity_{}", e.entity), &e.entity)}</td>
                                <td data-label=lang.t("audit.change")>
                                    <details>
                                        <summary>{lang.t("audit.show_change")}</summary>
                                        <div class="diff">
                                            <div><strong>{lang.t("audit.before")}</strong><pre>{e.before.clone().unwrap_or_default()}</pre></div>
                                            <div><strong>{lang.t("audit.after")}</strong><pre>{e.after.clone().unwrap_or_default()}</pre></div>
                                        </div>
                                    </details>
                                </td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=p.page per_page=p.per_page total=p.total base=base />
    }
}
