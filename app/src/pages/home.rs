//! The home page: per role, what needs my attention.

use crate::areas::home::api::load_home;
use crate::components::{gated, use_lang, when_ready};
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
                    when_ready(
                        data,
                        lang,
                        move |h| {
                            let mine = h.my_unit.clone().map(|unit| {
                                let positions = lang.list(
                                    &h.my_positions
                                        .iter()
                                        .map(|p| lang.t(p.label_key()))
                                        .collect::<Vec<_>>(),
                                );
                                view! {
                                    <section class="card">
                                        <h2>{lang.t("home.my_unit")}</h2>
                                        <p>{unit} " · " {positions}</p>
                                        <p><a href="/my/training">{lang.t("home.see_my_training")}</a></p>
                                    </section>
                                }
                            });
                            let unread = h.notices.iter().filter(|n| !n.read).count();
                            let notices = (!h.notices.is_empty()).then(|| view! {
                                <section class="card" data-test="home-notices">
                                    <h2>{lang.tf("home.notices", &[&unread.to_string()])}</h2>
                                    <ul class="notices">
                                        {h.notices.iter().take(8).map(|n| {
                                            let args: Vec<&str> = n.args.iter().map(String::as_str).collect();
                                            view! {
                                                <li class:unread=!n.read>
                                                    <a href=n.link.clone()>{lang.tf(&n.message_key, &args)}</a>
                                                    " " <span class="muted">{crate::domain::local_time(n.created_at)}</span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </section>
                            });
                            view! {
                                {notices}
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
