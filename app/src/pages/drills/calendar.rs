//! The calendar of drills and training batches: a month (a few events a
//! day, with a link to the week for the rest) or a week (everything),
//! filtered by unit and scenario, with 防灾减灾日, 安全生产月 and 消防日
//! marked, and the chosen unit's iCalendar feed address.

use crate::areas::drills::api::{CalDay, CalendarPage, get_calendar};
use crate::components::{UnitSelect, gated, query_param, use_lang, when_ready};
use crate::domain::authz::Action;
use crate::domain::drills::Scenario;
use crate::i18n::Lang;
use chrono::{Datelike, Duration, Months};
use leptos::prelude::*;

#[component]
pub fn CalendarViewPage() -> impl IntoView {
    let lang = use_lang();
    let at = query_param("at");
    let unit = query_param("unit");
    let scenario = query_param("scenario");
    gated(Some(Action::ViewDrills), move |_| {
        let data = Resource::new(
            move || (at.get(), unit.get(), scenario.get()),
            |(at, unit, scenario)| get_calendar(at, unit.parse().ok(), scenario),
        );
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |p: CalendarPage| calendar_view(p, lang))}
            </Transition>
        }
        .into_any()
    })
}

fn link(at: &str, p: &CalendarPage) -> String {
    let mut q = format!("/drills/calendar?at={at}");
    if let Some(u) = p.unit {
        q.push_str(&format!("&unit={u}"));
    }
    if !p.scenario.is_empty() {
        q.push_str(&format!(
            "&scenario={}",
            crate::domain::query_escape(&p.scenario)
        ));
    }
    q
}

fn calendar_view(p: CalendarPage, lang: Lang) -> impl IntoView {
    let (title, prev, next, other) = if p.week {
        let last = p.anchor + Duration::days(6);
        (
            lang.tf(
                "calendar.week_of",
                &[&p.anchor.to_string(), &last.to_string()],
            ),
            link(&(p.anchor - Duration::days(7)).to_string(), &p),
            link(&(p.anchor + Duration::days(7)).to_string(), &p),
            (
                lang.t("calendar.month_view"),
                link(&p.anchor.format("%Y-%m").to_string(), &p),
            ),
        )
    } else {
        let prev = p
            .anchor
            .checked_sub_months(Months::new(1))
            .unwrap_or(p.anchor);
        let next = p
            .anchor
            .checked_add_months(Months::new(1))
            .unwrap_or(p.anchor);
        let week_day = if p.today.year() == p.anchor.year() && p.today.month() == p.anchor.month() {
            p.today
        } else {
            p.anchor
        };
        (
            lang.tf(
                "calendar.month_of",
                &[&p.anchor.year().to_string(), &p.anchor.month().to_string()],
            ),
            link(&prev.format("%Y-%m").to_string(), &p),
            link(&next.format("%Y-%m").to_string(), &p),
            (
                lang.t("calendar.week_view"),
                link(&week_day.to_string(), &p),
            ),
        )
    };
    let at_value = if p.week {
        p.anchor.to_string()
    } else {
        p.anchor.format("%Y-%m").to_string()
    };
    let week = p.week;
    let leading = if week {
        0
    } else {
        p.anchor.weekday().num_days_from_monday() as usize
    };
    let days = p.days.clone();
    let today = p.today;
    view! {
        <div class="page-head">
            <h1>{lang.t("calendar.title")}</h1>
        </div>
        <form method="get" action="/drills/calendar" class="filters">
            <input type="hidden" name="at" value=at_value />
            <label>{lang.t("field.unit")}
                <UnitSelect units=p.units.clone() name="unit" selected=p.unit blank="calendar.all_units" />
            </label>
            <label>{lang.t("field.scenario")}
                <select name="scenario">
                    <option value="">{lang.t("calendar.all_scenarios")}</option>
                    {Scenario::ALL.iter().map(|s| view! { <option value=s.code() selected=p.scenario == s.code()>{lang.t(&s.label_key()).to_string()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit">{lang.t("action.filter")}</button>
        </form>
        <div class="toolbar cal-nav">
            <a class="button" href=prev rel="prev">"‹ " {lang.t(if week { "calendar.prev_week" } else { "calendar.prev_month" })}</a>
            <h2 data-test="cal-title">{title}</h2>
            <a class="button" href=next rel="next">{lang.t(if week { "calendar.next_week" } else { "calendar.next_month" })} " ›"</a>
            <a class="button" href=other.1>{other.0}</a>
        </div>
        <p class="muted" data-test="cal-total">{lang.tf("calendar.total", &[&p.total.to_string()])}</p>
        <div class={if week { "cal week" } else { "cal month" }} data-test="calendar">
            {["calendar.mon", "calendar.tue", "calendar.wed", "calendar.thu", "calendar.fri", "calendar.sat", "calendar.sun"]
                .into_iter()
                .map(|k| view! { <div class="cal-head">{lang.t(k)}</div> })
                .collect_view()}
            {(0..leading).map(|_| view! { <div class="cal-day blank"></div> }).collect_view()}
            {days.into_iter().map(|d| day_cell(d, today, week, &p, lang)).collect_view()}
        </div>
        <p class="legend">
            <span class="ev drill">{lang.t("calendar.drill")}</span>
            <span class="ev training">{lang.t("calendar.training")}</span>
            <span class="observance">{lang.t("calendar.marked_day")}</span>
        </p>
        {p.unit_feed.clone().map(|url| view! {
            <p class="feed">{lang.t("calendar.unit_feed")} ": " <crate::components::FeedLink url=url test="unit-feed" /></p>
        })}
        {p.unit.filter(|_| p.unit_feed.is_some() && crate::components::use_me().is_some_and(|me| me.may(crate::domain::authz::Action::ManageDrills))).map(|u| view! {
            <form method="post" action={<crate::areas::drills::api::RotateUnitCalendarFeed as leptos::server_fn::ServerFn>::PATH} class="inline">
                <input type="hidden" name="unit" value=u.to_string() />
                <button type="submit" class="link" data-test="rotate-unit-feed">{lang.t("calendar.rotate_feed")}</button>
                " " <span class="muted">{lang.t("calendar.rotate_help")}</span>
            </form>
        })}
    }
}

fn day_cell(
    d: CalDay,
    today: chrono::NaiveDate,
    week: bool,
    p: &CalendarPage,
    lang: Lang,
) -> AnyView {
    let class = format!(
        "cal-day{}{}{}",
        if d.day == today { " today" } else { "" },
        if d.observance.is_some() {
            " marked"
        } else {
            ""
        },
        if d.items.is_empty() && d.more == 0 {
            " empty"
        } else {
            ""
        },
    );
    let more = (d.more > 0 && !week).then(|| {
        view! { <a class="more" href=link(&d.day.to_string(), p)>{lang.tf("calendar.more", &[&d.more.to_string()])}</a> }
    });
    // A drill over several days shows its start time on its first day only.
    let day = d.day;
    view! {
        <div class=class data-day=d.day.to_string()>
            <div class="cal-date">
                <span class="dom">{if week { d.day.format("%m-%d").to_string() } else { d.day.day().to_string() }}</span>
                {d.observance.clone().map(|k| view! { <span class="observance">{lang.t(&k).to_string()}</span> })}
            </div>
            <ul>
                {d.items
                    .into_iter()
                    .map(|i| view! {
                        <li class={if i.drill { "ev drill" } else { "ev training" }}>
                            <a href=i.link.clone() title=i.place.clone()>
                                {i.time.clone().filter(|_| i.first_day == day).map(|t| format!("{t} "))}
                                {i.title.clone()}
                            </a>
                        </li>
                    })
                    .collect_view()}
            </ul>
            {more}
        </div>
    }
    .into_any()
}
