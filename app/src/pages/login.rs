//! Signing in.

use crate::areas::accounts::api::Login;
use crate::components::ActForm;
use crate::components::act;
use crate::components::{action_error, use_lang, use_me};
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let signed_in = use_me().is_some();
    let login = act::<Login>();
    view! {
        {signed_in.then(|| view! { <Redirect path="/" /> })}
        <section class="card narrow">
            <h1>{lang.t("login.title")}</h1>
            <p class="muted">{lang.t("login.intro")}</p>
            <ActForm action=login next="/">
                <label>
                    {lang.t("field.username")}
                    <input type="text" name="username" autocomplete="username" required autofocus />
                </label>
                <label>
                    {lang.t("field.password")}
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                {action_error(login)}
                <button type="submit" class="primary" disabled=move || login.pending().get()>
                    {lang.t("login.submit")}
                </button>
            </ActForm>
        </section>
    }
}
