//! The trainee's pages: my batches (list, month calendar, calendar feed),
//! notices, free seats to sign up for, clearance for post; and one
//! course's lessons and quiz.

use crate::areas::training::api::{ReadNotices, SignUp, SubmitQuiz, get_my_training, get_study};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{action_error, gated, id_param, query_param, use_lang, when_ready};
use crate::domain::calendar::month_grid;
use crate::i18n::Lang;
use crate::model::{MySeat, MyTraining, Study};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

#[component]
pub fn MyTrainingPage() -> impl IntoView {
    let lang = use_lang();
    let month = query_param("month");
    let sign_up = act::<SignUp>();
    let read = act::<ReadNotices>();
    gated(None, move |me| {
        if me.person_id.is_none() {
            return view! { <p class="muted">{lang.t("training.no_person")}</p> }.into_any();
        }
        let data = Resource::new(
            move || (sign_up.version().get(), read.version().get()),
            |_| get_my_training(),
        );
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |m: MyTraining| my_view(m, month.get(), lang, sign_up, read))}
            </Transition>
        }
        .into_any()
    })
}

fn my_view(
    m: MyTraining,
    month: String,
    lang: Lang,
    sign_up: ServerAction<SignUp>,
    read: ServerAction<ReadNotices>,
) -> impl IntoView {
    let shown = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .or_else(|| {
            m.seats
                .iter()
                .find(|s| s.batch.end >= m.today)
                .map(|s| s.batch.start)
        })
        .unwrap_or(m.today);
    let unread = m.notices.iter().filter(|n| !n.read).count();
    view! {
        <div class="page-head">
            <h1>{lang.t("training.my_title")}</h1>
            {match m.cleared {
                Some(true) => view! { <span class="badge done" data-test="clearance">{lang.t("training.cleared")}</span> }.into_any(),
                Some(false) => view! { <span class="badge veto" data-test="clearance">{lang.t("training.not_cleared")}</span> }.into_any(),
                None => ().into_any(),
            }}
        </div>
        {(!m.notices.is_empty()).then(|| view! {
            <section class="card" data-test="notices">
                <h2>{lang.tf("training.notices", &[&unread.to_string()])}</h2>
                <ul class="notices">
                    {m.notices.iter().map(|n| {
                        let args: Vec<&str> = n.args.iter().map(String::as_str).collect();
                        view! {
                            <li class:unread=!n.read>
                                <a href=n.link.clone()>{lang.tf(&n.message_key, &args)}</a>
                                " " <span class="muted">{crate::domain::local_time(n.created_at)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(unread > 0).then(|| view! {
                    <ActForm action=read attr:class="inline">
                        <button type="submit" class="link">{lang.t("training.mark_read")}</button>
                    </ActForm>
                })}
            </section>
        })}
        <section class="card">
            <h2>{lang.t("training.my_batches")}</h2>
            {if m.seats.is_empty() {
                view! { <p class="muted">{lang.t("training.no_seats")}</p> }.into_any()
            } else {
                seat_table(&m.seats, lang).into_any()
            }}
            <p class="muted">
                {lang.t("training.calendar_feed")} " "
                <crate::components::FeedLink url=m.calendar_url.clone() test="calendar-feed" />
            </p>
            <form method="post" action={<crate::areas::training::api::RotateMyCalendarFeed as leptos::server_fn::ServerFn>::PATH} class="inline">
                <button type="submit" class="link" data-test="rotate-feed">{lang.t("calendar.rotate_feed")}</button>
                " " <span class="muted">{lang.t("calendar.rotate_help")}</span>
            </form>
        </section>
        {calendar(m.seats.clone(), shown, lang)}
        {hours_card(&m.hours, lang)}
        {(!m.certificates.is_empty()).then(|| view! {
            <section class="card" data-test="my-certificates">
                <h2>{lang.t("registry.my_certificates")}</h2>
                <ul class="notices">
                    {m.certificates.iter().map(|c| view! {
                        <li>
                            <a href=format!("/registry/certificates/{}", c.number)>{c.number.clone()}</a>
                            {format!(" · {} · {} ~ {} ", c.course_title, c.issued_on, c.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()))}
                            {crate::pages::registry::cert_badge(c.status, lang)}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!m.drills.is_empty()).then(|| view! {
            <section class="card" data-test="my-drills">
                <h2>{lang.t("drills.mine")}</h2>
                {crate::pages::drills::drill_table(m.drills.clone(), lang)}
            </section>
        })}
        {(!m.open.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.t("training.open_batches")}</h2>
                {action_error(sign_up)}
                <div class="table-wrap">
                    <table class="data" data-test="open-batches">
                        <thead><tr><th>{lang.t("field.name")}</th><th>{lang.t("field.batch")}</th><th>{lang.t("field.place")}</th><th class="num">{lang.t("training.free_seats")}</th><th></th></tr></thead>
                        <tbody>
                            {m.open.clone().into_iter().map(|o| view! {
                                <tr>
                                    <td data-label=lang.t("field.name")>{format!("{} · {}", o.plan_name, o.course_title)}</td>
                                    <td data-label=lang.t("field.batch")>{format!("{} · {} ~ {}", o.batch.code, o.batch.start, o.batch.end)}</td>
                                    <td data-label=lang.t("field.place")>{o.batch.place.clone()}</td>
                                    <td class="num" data-label=lang.t("training.free_seats")>{o.batch.capacity - o.batch.taken}</td>
                                    <td>
                                        <ActForm action=sign_up attr:class="inline">
                                            <input type="hidden" name="batch_id" value=o.batch.id.to_string() />
                                            <button type="submit">{lang.t("training.sign_up")}</button>
                                        </ActForm>
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
    }
}

fn seat_table(seats: &[MySeat], lang: Lang) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data" data-test="my-seats">
                <thead>
                    <tr>
                        <th>{lang.t("field.name")}</th>
                        <th>{lang.t("field.batch")}</th>
                        <th>{lang.t("field.place")}</th>
                        <th>{lang.t("training.result")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {seats.iter().map(|s| {
                        let result = match (s.completed_on, s.expires_on) {
                            (Some(on), Some(exp)) => lang.tf("training.completed_until", &[&on.to_string(), &exp.to_string()]),
                            (Some(on), None) => lang.tf("training.completed_on", &[&on.to_string()]),
                            (None, _) if s.passed => lang.t("training.passed").to_string(),
                            (None, _) if s.attended => lang.t("training.attended").to_string(),
                            _ => lang.t("training.pending").to_string(),
                        };
                        view! {
                            <tr>
                                <td data-label=lang.t("field.name")>{format!("{} · {}", s.plan_name, s.course_title)}</td>
                                <td data-label=lang.t("field.batch")>{format!("{} · {} ~ {}", s.batch.code, s.batch.start, s.batch.end)}</td>
                                <td data-label=lang.t("field.place")>{s.batch.place.clone()}</td>
                                <td data-label=lang.t("training.result") data-test="seat-result">{result}</td>
                                <td><a href=format!("/my/training/{}", s.plan_id)>{lang.t("training.study")}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn calendar(seats: Vec<MySeat>, shown: NaiveDate, lang: Lang) -> impl IntoView {
    let (y, m) = (shown.year(), shown.month());
    let prev = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let weekdays = [
        "calendar.mon",
        "calendar.tue",
        "calendar.wed",
        "calendar.thu",
        "calendar.fri",
        "calendar.sat",
        "calendar.sun",
    ]
    .map(|k| lang.t(k).to_string());
    let weeks = month_grid(y, m);
    view! {
        <section class="card">
            <div class="page-head">
                <h2>{format!("{y}-{m:02}")}</h2>
                <nav class="pager">
                    <a href=format!("/my/training?month={}-{:02}", prev.0, prev.1)>{lang.t("calendar.prev_month")}</a>
                    <a href=format!("/my/training?month={}-{:02}", next.0, next.1)>{lang.t("calendar.next_month")}</a>
                </nav>
            </div>
            <table class="calendar" data-test="calendar">
                <thead><tr>{weekdays.into_iter().map(|d| view! { <th>{d}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {weeks.into_iter().map(|week| view! {
                        <tr>
                            {week.into_iter().map(|day| match day {
                                None => view! { <td></td> }.into_any(),
                                Some(d) => {
                                    let here: Vec<String> = seats
                                        .iter()
                                        .filter(|s| s.batch.start <= d && d <= s.batch.end)
                                        .map(|s| s.batch.code.clone())
                                        .collect();
                                    let busy = !here.is_empty();
                                    view! {
                                        <td class:busy=busy>
                                            <span class="day">{d.day()}</span>
                                            {here.into_iter().map(|c| view! { <span class="event">{c}</span> }).collect_view()}
                                        </td>
                                    }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn StudyPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let submit = act::<SubmitQuiz>();
    gated(None, move |_| {
        let study = Resource::new(
            move || (id(), submit.version().get()),
            |(id, _)| get_study(id),
        );
        view! {
            <p><a href="/my/training">{lang.t("training.back_to_mine")}</a></p>
            <Transition fallback=|| ()>
                {move || when_ready(study, lang, move |s: Study| study_view(s, lang, submit))}
            </Transition>
        }
        .into_any()
    })
}

fn study_view(s: Study, lang: Lang, submit: ServerAction<SubmitQuiz>) -> impl IntoView {
    let last = move || {
        submit.value().get().and_then(|r| r.ok()).map(|g| {
            let key = if g.passed { "training.quiz_passed" } else { "training.quiz_failed" };
            view! {
                <p class=if g.passed { "ok" } else { "error" } data-test="quiz-result" role="status">
                    {lang.tf(key, &[&g.right.to_string(), &g.total.to_string(), &g.percent.to_string()])}
                </p>
            }
        })
    };
    let status = match (s.completed_on, s.attended) {
        (Some(on), _) => view! { <p class="ok" data-test="completion">{lang.tf("training.completed_on", &[&on.to_string()])}</p> }.into_any(),
        (None, false) => view! { <p class="muted" data-test="completion">{lang.t("training.awaiting_attendance")}</p> }.into_any(),
        (None, true) => view! { <p class="muted" data-test="completion">{lang.t("training.awaiting_quiz")}</p> }.into_any(),
    };
    let plan_id = s.plan_id;
    view! {
        <h1>{s.course_title.clone()}</h1>
        <p class="muted">{lang.tf("training.hours", &[&s.hours.to_string()])}</p>
        {status}
        {s.lessons.iter().map(|(title, html)| view! {
            <section class="card lesson" data-test="lesson">
                <h2>{title.clone()}</h2>
                <div class="lesson-body" inner_html=html.clone()></div>
            </section>
        }).collect_view()}
        {(!s.questions.is_empty()).then(|| view! {
            <section class="card" data-test="quiz">
                <h2>{lang.t("training.quiz")}</h2>
                <p class="muted">
                    {lang.tf("training.quiz_rules", &[&s.pass_percent.to_string(), &s.attempt_limit.map(|n| n.to_string()).unwrap_or_else(|| "∞".into()), &s.attempts.len().to_string()])}
                </p>
                {last}
                {action_error(submit)}
                {s.may_attempt.then(|| view! {
                    <ActForm action=submit shows_result=true attr:data-test="quiz-form">
                        <input type="hidden" name="plan_id" value=plan_id.to_string() />
                        {s.questions.iter().enumerate().map(|(i, q)| view! {
                            <fieldset class="question">
                                <legend>{format!("{}. {}", i + 1, q.prompt)} {q.multiple.then(|| view! { " " <span class="muted">{lang.t("training.pick_all")}</span> })}</legend>
                                {q.choices.iter().enumerate().map(|(c, text)| {
                                    let (kind, name) = if q.multiple { ("checkbox", format!("picks[q{i}c{c}]")) } else { ("radio", format!("picks[q{i}]")) };
                                    view! {
                                        <label class="check"><input type=kind name=name value=format!("{i}:{c}") />{text.clone()}</label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        }).collect_view()}
                        <button type="submit" class="primary">{lang.t("training.submit_quiz")}</button>
                    </ActForm>
                })}
                {(!s.attempts.is_empty()).then(|| view! {
                    <h3>{lang.t("training.attempts")}</h3>
                    <ul data-test="attempts">
                        {s.attempts.iter().map(|a| view! {
                            <li>
                                {format!("{} · {}/{} ({}%) · ", crate::domain::local_time(a.at), a.right, a.total, a.percent)}
                                {if a.passed { lang.t("training.passed") } else { lang.t("training.failed") }}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
        })}
    }
}

/// Hours (学时) credited for attended batches: each year's total, then
/// the batches behind it.
fn hours_card(lines: &[crate::model::HoursLine], lang: Lang) -> impl IntoView + use<> {
    let mut years: Vec<(i64, i64)> = Vec::new();
    for l in lines {
        match years.iter_mut().find(|(y, _)| *y == l.year) {
            Some((_, total)) => *total += l.hours,
            None => years.push((l.year, l.hours)),
        }
    }
    let lines = lines.to_vec();
    view! {
        <section class="card" data-test="my-hours">
            <h2>{lang.t("training.hours_title")}</h2>
            {if years.is_empty() {
                view! { <p class="muted">{lang.t("training.hours_none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain">
                        {years.into_iter().map(|(year, total)| {
                            let these: Vec<_> = lines.iter().filter(|l| l.year == year).cloned().collect();
                            view! {
                                <li data-test="hours-year" data-year=year.to_string()>
                                    <strong>{lang.tf("training.hours_year", &[&year.to_string(), &total.to_string()])}</strong>
                                    <ul class="plain muted">
                                        {these.into_iter().map(|l| view! {
                                            <li>{lang.tf("training.hours_line", &[&l.course_title, &l.plan_name, &l.hours.to_string()])}</li>
                                        }).collect_view()}
                                    </ul>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
