//! My account: who I am, my roles, changing my password.

use crate::areas::accounts::api::ChangePassword;
use crate::components::ActForm;
use crate::components::act;
use crate::components::{action_error, gated, use_lang};
use crate::domain::authz::Scope;
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let change = act::<ChangePassword>();
    gated(None, move |me| {
        let grants = me
            .grants
            .iter()
            .map(|g| {
                let scope = match &g.scope {
                    Scope::District => lang.t("account.scope_district").to_string(),
                    Scope::Subtree { unit_name, .. } => unit_name.clone(),
                };
                let scoped = g.role.is_scoped();
                view! {
                    <li>
                        {lang.t(g.role.label_key())}
                        {scoped.then(|| format!(" · {scope}"))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h1>{lang.t("account.title")}</h1>
            <section class="card">
                <p>
                    <strong>{me.display_name.clone()}</strong>
                    " (" {me.username.clone()} ")"
                </p>
                <ul class="roles">{grants}</ul>
            </section>
            <section class="card narrow">
                <h2>{lang.t("account.change_password")}</h2>
                <ActForm action=change>
                    <label>
                        {lang.t("field.current_password")}
                        <input type="password" name="current" autocomplete="current-password" required />
                    </label>
                    <label>
                        {lang.t("field.new_password")}
                        <input type="password" name="new_password" autocomplete="new-password" required />
                    </label>
                    <label>
                        {lang.t("field.confirm")}
                        <input type="password" name="confirm" autocomplete="new-password" required />
                    </label>
                    <p class="muted">{lang.t("account.password_rule")}</p>
                    {action_error(change)}
                    {move || {
                        matches!(change.value().get(), Some(Ok(())))
                            .then(|| view! { <p class="ok" role="status">{lang.t("msg.password_changed")}</p> })
                    }}
                    <button type="submit" class="primary">{lang.t("action.save")}</button>
                </ActForm>
            </section>
        }
        .into_any()
    })
}
