//! The home page: per role, what needs my attention.

use crate::api::home::load_home;
use crate::components::{gated, show, use_lang};
use crate::domain::account::Role;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    gated(None, move |me| {
        let data = Resource::new(|| (), move |_| load_home(lang));
        let roles = me.roles();
        let intro: Vec<_> = roles
            .iter()
            .map(|r| {
                let key = match r {
                    Role::Admin => "home.intro_admin",
                    Role::Assessor => "home.intro_assessor",
                    Role::Organizer => "home.intro_organizer",
                    Role::Trainee => "home.intro_trainee",
                };
                view! {
                    <li>
                        <strong>{lang.t(r.label_key())}</strong>
                        " · "
                        {lang.t(key)}
                    </li>
                }
            })
            .collect();
        view! {
            <h1>{lang.tf("home.greeting", &[&me.display_name])}</h1>
            <ul class="intro">{intro}</ul>
            <Suspense fallback=|| ()>
                {move || {
                    show(
                        data.get(),
                        lang,
                        |h| {
                            let mine = h.my_unit.clone().map(|unit| {
                                let positions = h
                                    .my_positions
                                    .iter()
                                    .map(|p| lang.t(p.label_key()))
                                    .collect::<Vec<_>>()
                                    .join("、");
                                view! {
                                    <section class="card">
                                        <h2>{lang.t("home.my_unit")}</h2>
                                        <p>{unit} " · " {positions}</p>
                                        <p class="muted">{lang.t("home.trainee_next")}</p>
                                    </section>
                                }
                            });
                            view! {
                                {mine}
                                <section class="attention">
                                    {h
                                        .items
                                        .into_iter()
                                        .map(|a| {
                                            let hot = a.count > 0;
                                            view! {
                                                <a class="tile" class:hot=hot href=a.href.clone()>
                                                    <span class="count">{a.count}</span>
                                                    <span class="what">{lang.t(&a.key).to_string()}</span>
                                                </a>
                                            }
                                        })
                                        .collect_view()}
                                </section>
                                {h.chart_svg.map(|svg| view! { <figure class="chart" inner_html=svg></figure> })}
                            }
                        },
                    )
                }}
            </Suspense>
        }
        .into_any()
    })
}
