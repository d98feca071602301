//! The duty office's screens (值班): today's duty board, rosters (unit
//! settings, generate, one roster day by day with its gaps, publish), the
//! office's spot checks and the district's duty calendar. Lists are cards
//! on a phone; every form posts without JavaScript.

use crate::areas::duty::api::{
    AddDutyCheck, AddDutyPeriod, BoardPage, CalendarPage, CheckDetail, CheckRow, ChecksPage,
    GenerateDutyRoster, PublishDutyRoster, RemoveDutyPeriod, RemoveDutyRoster, RosterDetail,
    RostersPage, SaveDutySettings, VoidDutyCheck, get_duty_board, get_duty_calendar,
    get_duty_check, get_duty_checks, get_duty_roster, get_duty_rosters,
};
use crate::areas::duty::api::{AskDutySwap, ReplaceDuty, StepDutySwap};
use crate::areas::duty::dto::SwapRow;
use crate::areas::duty::dto::{BoardUnit, OnDuty, RosterDayRow};
use crate::components::nav::{Area, NavLink, Need};
use crate::components::{
    ActForm, Confirm, ReasonForm, act, action_error, gated, id_param, use_lang, when_ready,
};
use crate::domain::authz::Action;
use crate::domain::duty::DutyRole;
use crate::domain::duty_office::PeriodKind;
use crate::domain::duty_office::SwapStatus;
use crate::domain::local_time;
use crate::i18n::Lang;
use leptos::prelude::*;

/// The duty area, parent route of its pages: its links along the top.
#[component]
pub fn DutyArea() -> impl IntoView {
    const LINKS: &[NavLink] = &[
        ("/duty", "duty.board", Need::May(Action::ViewDuty)),
        ("/duty/rosters", "duty.rosters", Need::May(Action::ViewDuty)),
        ("/duty/checks", "duty.checks", Need::May(Action::CheckDuty)),
        (
            "/duty/calendar",
            "duty.calendar",
            Need::May(Action::ViewDuty),
        ),
        (
            "/duty/reports",
            "duty.reports",
            Need::MayOrOwnUnit(Action::ViewDuty),
        ),
        (
            "/duty/incidents",
            "duty.incidents",
            Need::MayOrOwnUnit(Action::ViewDuty),
        ),
        (
            "/duty/absences",
            "duty.absences",
            Need::MayOrOwnUnit(Action::ViewDuty),
        ),
    ];
    view! { <Area links=LINKS /> }
}

fn people_line(people: &[OnDuty], lang: Lang) -> AnyView {
    if people.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    people
        .iter()
        .map(|p| {
            let phone = p.phone.clone().map(|ph| {
                let tel = format!(
                    "tel:{}",
                    ph.replace(|c: char| !c.is_ascii_digit() && c != '+', "")
                );
                let masked = ph.contains('*');
                view! {
                    " "
                    {if masked {
                        view! { <span class="muted">{ph}</span> }.into_any()
                    } else {
                        view! { <a href=tel data-test="duty-phone">{ph}</a> }.into_any()
                    }}
                }
            });
            let _ = lang;
            view! { <span class="on-duty">{p.name.clone()}{phone}</span> " " }
        })
        .collect_view()
        .into_any()
}

/// `12-05 六` / `12-05 Sat`: a roster's day with its weekday, in the
/// reader's language.
fn day_label(d: chrono::NaiveDate, lang: Lang) -> String {
    use chrono::{Datelike, Weekday};
    let key = match d.weekday() {
        Weekday::Mon => "calendar.mon",
        Weekday::Tue => "calendar.tue",
        Weekday::Wed => "calendar.wed",
        Weekday::Thu => "calendar.thu",
        Weekday::Fri => "calendar.fri",
        Weekday::Sat => "calendar.sat",
        Weekday::Sun => "calendar.sun",
    };
    format!("{} {}", d.format("%m-%d"), lang.t(key))
}

fn gap_text(role: DutyRole, missing: u32, lang: Lang) -> String {
    lang.tf(
        "duty.gap_count",
        &[lang.t(role.label_key()), &missing.to_string()],
    )
}

fn board_unit(u: BoardUnit, lang: Lang) -> impl IntoView {
    let trouble = u.no_roster || !u.gaps.is_empty();
    view! {
        <li class=if trouble { "card duty-unit gap" } else { "card duty-unit" } data-test="board-unit">
            <h3>{u.unit_name.clone()}</h3>
            {u.no_roster.then(|| view! { <p class="error" data-test="no-roster">{lang.t("duty.no_roster")}</p> })}
            {u.gaps.iter().map(|&(role, n)| view! { <p class="error" data-test="board-gap">{gap_text(role, n, lang)}</p> }).collect_view()}
            <p><strong>{lang.t("duty.role.leader")}</strong>": " {people_line(&u.leaders, lang)}</p>
            <p><strong>{lang.t("duty.role.staff")}</strong>": " {people_line(&u.staff, lang)}</p>
        </li>
    }
}

/// `/duty`: who is on duty today in every unit within reach.
#[component]
pub fn DutyBoardPage() -> impl IntoView {
    let lang = use_lang();
    gated(Some(Action::ViewDuty), move |_| {
        let data = Resource::new(|| (), |_| get_duty_board());
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |b: BoardPage| {
                    let troubled = b.units.iter().filter(|u| u.no_roster || !u.gaps.is_empty()).count();
                    view! {
                        <div class="page-head">
                            <h1>{lang.tf("duty.board_title", &[&b.day.to_string()])}</h1>
                            {b.may_check.then(|| view! { <div class="actions"><a class="button" href="/duty/checks">{lang.t("duty.record_check")}</a></div> })}
                        </div>
                        {b.period.clone().map(|p| view! { <p class="warn" data-test="board-period">{lang.tf("duty.in_period", &[&p])}</p> })}
                        <p class="muted" data-test="board-summary">{lang.tf("duty.board_summary", &[&b.units.len().to_string(), &troubled.to_string()])}</p>
                        {(!b.away.is_empty()).then(|| view! {
                            <section class="card" data-test="away-today">
                                <h2>{lang.t("duty.away_today")}</h2>
                                <ul class="plain">
                                    {b.away.iter().map(|(name, unit, deputy, place)| view! {
                                        <li>{format!("{name}({unit}) → {place} · {} {deputy}", lang.t("field.deputy"))}</li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                        {b.units.is_empty().then(|| view! { <p class="muted">{lang.t("duty.no_units")}</p> })}
                        <ul class="plain duty-board">
                            {b.units.into_iter().map(|u| board_unit(u, lang)).collect_view()}
                        </ul>
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

#[derive(Clone, Copy)]
struct RosterActions {
    settings: ServerAction<SaveDutySettings>,
    generate: ServerAction<GenerateDutyRoster>,
}

/// `/duty/rosters`: the units the caller keeps (settings, generate) and
/// the rosters the caller sees.
#[component]
pub fn DutyRostersPage() -> impl IntoView {
    let lang = use_lang();
    let a = RosterActions {
        settings: act(),
        generate: act(),
    };
    gated(Some(Action::ViewDuty), move |_| {
        let data = Resource::new(move || a.settings.version().get(), |_| get_duty_rosters());
        view! {
            <div class="page-head"><h1>{lang.t("duty.rosters")}</h1></div>
            <p class="intro muted">{lang.t("duty.rosters_intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |p: RostersPage| rosters_view(p, lang, a))}
            </Suspense>
        }
        .into_any()
    })
}

fn rosters_view(p: RostersPage, lang: Lang, a: RosterActions) -> impl IntoView {
    let RostersPage { units, rosters } = p;
    let standing: Vec<(i64, String)> = units
        .iter()
        .filter(|u| u.settings.is_some())
        .map(|u| (u.id, u.name.clone()))
        .collect();
    view! {
        {(!units.is_empty()).then(move || view! {
            <section class="card" data-test="duty-units">
                <h2>{lang.t("duty.settings")}</h2>
                <p class="muted">{lang.t("duty.settings_help")}</p>
                <div class="table-wrap">
                <table class="data">
                    <thead><tr>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("duty.people_standing")}</th>
                        <th>{lang.t("field.staff_per_day")}</th>
                        <th>{lang.t("field.leaders_per_day")}</th>
                        <th>{lang.t("field.min_rest_days")}</th>
                        <th></th>
                    </tr></thead>
                    <tbody>
                        {units.into_iter().map(|u| {
                            let s = u.settings;
                            let form_id = format!("duty-settings-{}", u.id);
                            view! {
                                <tr data-test="duty-unit">
                                    <td><strong>{u.name.clone()}</strong></td>
                                    <td data-label=lang.t("duty.people_standing")>{lang.tf("duty.standing_counts", &[&u.leaders.to_string(), &u.staff.to_string()])}</td>
                                    <td data-label=lang.t("field.staff_per_day")><input form=form_id.clone() type="number" name="staff_per_day" min="0" max="20" required value=s.map(|s| s.staff_per_day).unwrap_or(1).to_string() aria-label=lang.t("field.staff_per_day") /></td>
                                    <td data-label=lang.t("field.leaders_per_day")><input form=form_id.clone() type="number" name="leaders_per_day" min="0" max="5" required value=s.map(|s| s.leaders_per_day).unwrap_or(1).to_string() aria-label=lang.t("field.leaders_per_day") /></td>
                                    <td data-label=lang.t("field.min_rest_days")><input form=form_id.clone() type="number" name="min_rest_days" min="0" max="30" required value=s.map(|s| s.min_rest_days).unwrap_or(1).to_string() aria-label=lang.t("field.min_rest_days") /></td>
                                    <td>
                                        <ActForm action=a.settings attr:id=form_id.clone()>
                                            <input type="hidden" name="unit" value=u.id.to_string() />
                                            <button type="submit">{if s.is_some() { lang.t("action.save") } else { lang.t("duty.start_duty") }}</button>
                                        </ActForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                {action_error(a.settings)}
            </section>
        })}
        {(!standing.is_empty()).then(move || view! {
            <section class="card" data-test="generate">
                <h2>{lang.t("duty.generate")}</h2>
                <p class="muted">{lang.t("duty.generate_help")}</p>
                <ActForm action=a.generate next="/duty/rosters/{id}">
                    <div class="grid">
                        <label class="wide">{lang.t("field.unit")}
                            <select name="unit" required>
                                {standing.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{lang.t("field.first_day")}<input type="date" name="first_day" required /></label>
                        <label>{lang.t("field.last_day")}<input type="date" name="last_day" required /></label>
                    </div>
                    {action_error(a.generate)}
                    <button type="submit" class="primary">{lang.t("duty.generate")}</button>
                </ActForm>
            </section>
        })}
        <section class="card">
            <h2>{lang.t("duty.roster_list")}</h2>
            {rosters.is_empty().then(|| view! { <p class="muted">{lang.t("duty.no_rosters")}</p> })}
            <ul class="plain" data-test="roster-list">
                {rosters.into_iter().map(|r| view! {
                    <li data-test="roster-row">
                        <a href=format!("/duty/rosters/{}", r.id)>{format!("{} · {} — {}", r.unit_name, r.first, r.last)}</a>
                        " "
                        {if r.published {
                            view! { <span class="badge done">{lang.t("duty.published")}</span> }.into_any()
                        } else {
                            view! { <span class="badge">{lang.t("duty.draft")}</span> }.into_any()
                        }}
                        {(r.gaps > 0).then(|| view! { " " <span class="badge bad">{lang.tf("duty.open_slots", &[&r.gaps.to_string()])}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

fn day_row(d: RosterDayRow, lang: Lang) -> impl IntoView {
    let class = match (d.gaps.is_empty(), d.rest_day) {
        (false, _) => "gap",
        (true, true) => "rest-day",
        (true, false) => "",
    };
    view! {
        <tr class=class data-test="roster-day" data-date=d.date.to_string()>
            <td class="nowrap" data-label=lang.t("duty.day")>{day_label(d.date, lang)}
                {d.period.clone().map(|p| view! { <br /><span class="muted">{p}</span> })}
            </td>
            <td data-test="day-leaders" data-label=lang.t("duty.role.leader")>{d.leaders.join("、")}</td>
            <td data-test="day-staff" data-label=lang.t("duty.role.staff")>{d.staff.join("、")}</td>
            <td>
                {d.gaps.iter().map(|g| {
                    let why = if g.why.is_empty() {
                        lang.t("duty.nobody_holds_role").to_string()
                    } else {
                        g.why.iter().map(|w| match w.rest_after {
                            Some(after) => lang.tf("duty.resting_after", &[&w.person, &after.to_string()]),
                            None => lang.tf("duty.unavailable", &[&w.person]),
                        }).collect::<Vec<_>>().join(";")
                    };
                    view! { <p class="error" data-test="day-gap">{gap_text(g.role, g.missing, lang)}": " {why}</p> }
                }).collect_view()}
            </td>
        </tr>
    }
}

/// `/duty/rosters/:id`: a roster day by day, each person's counts, gaps
/// with their reasons; publish or remove a draft.
#[component]
pub fn DutyRosterPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let publish = act::<PublishDutyRoster>();
    let remove = act::<RemoveDutyRoster>();
    let a = SwapActions {
        ask: act(),
        step: act(),
        replace: act(),
    };
    gated(None, move |_| {
        let data = Resource::new(
            move || {
                (
                    id(),
                    publish.version().get(),
                    a.ask.version().get(),
                    a.step.version().get(),
                    a.replace.version().get(),
                )
            },
            |(id, ..)| get_duty_roster(id),
        );
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |r: RosterDetail| {
                    let h = r.head.clone();
                    let changes = changes_view(&r, lang, a);
                    view! {
                        <div class="page-head">
                            <h1>{format!("{} · {} — {}", h.unit_name, h.first, h.last)}</h1>
                            <div class="actions">
                                {if h.published {
                                    view! { <span class="badge done" data-test="roster-status">{lang.t("duty.published")}</span> }.into_any()
                                } else {
                                    view! { <span class="badge" data-test="roster-status">{lang.t("duty.draft")}</span> }.into_any()
                                }}
                            </div>
                        </div>
                        <p class="muted">{match (&h.published_by, h.published_at) {
                            (Some(by), Some(at)) => lang.tf("duty.published_by", &[by, &local_time(at)]),
                            _ => lang.tf("duty.generated_by", &[&h.created_by, &local_time(h.created_at)]),
                        }}</p>
                        {(h.gaps > 0).then(|| view! { <p class="error" data-test="roster-gaps">{lang.tf("duty.gaps_summary", &[&h.gaps.to_string()])}</p> })}
                        {(r.may_keep && !h.published).then(|| view! {
                            <div class="toolbar">
                                <ActForm action=publish attr:class="inline">
                                    <input type="hidden" name="id" value=h.id.to_string() />
                                    <button type="submit" class="primary" data-test="publish-roster">{lang.t("duty.publish")}</button>
                                </ActForm>
                                " "
                                <Confirm label=lang.t("action.remove") consequence=lang.t("duty.remove_consequence") test="remove-roster">
                                    <ActForm action=remove next="/duty/rosters" attr:class="inline">
                                        <input type="hidden" name="id" value=h.id.to_string() />
                                        <button type="submit" class="primary">{lang.t("action.remove_confirm")}</button>
                                    </ActForm>
                                </Confirm>
                                {action_error(publish)}
                                {action_error(remove)}
                            </div>
                        })}
                        {changes}
                        <details class="card">
                            <summary><h2 class="inline">{lang.t("duty.counts")}</h2></summary>
                            <div class="table-wrap">
                            <table data-test="duty-counts">
                                <thead><tr>
                                    <th>{lang.t("field.person_name")}</th>
                                    <th>{lang.t("duty.role")}</th>
                                    <th>{lang.t("duty.weekdays")}</th>
                                    <th>{lang.t("duty.rest_days")}</th>
                                </tr></thead>
                                <tbody>
                                    {r.counts.iter().map(|c| view! {
                                        <tr><td>{c.person.clone()}</td><td>{lang.t(c.role.label_key())}</td><td>{c.weekdays}</td><td>{c.rest_days}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        </details>
                        <div class="table-wrap">
                        <table class="data roster" data-test="roster-days">
                            <thead><tr>
                                <th>{lang.t("duty.day")}</th>
                                <th>{lang.t("duty.role.leader")}</th>
                                <th>{lang.t("duty.role.staff")}</th>
                                <th>{lang.t("duty.gaps")}</th>
                            </tr></thead>
                            <tbody>
                                {r.days.into_iter().map(|d| day_row(d, lang)).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

#[derive(Clone, Copy)]
struct SwapActions {
    ask: ServerAction<AskDutySwap>,
    step: ServerAction<StepDutySwap>,
    replace: ServerAction<ReplaceDuty>,
}

fn swap_button(a: SwapActions, id: i64, step: &'static str, label: String) -> impl IntoView {
    view! {
        <ActForm action=a.step attr:class="inline">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="step" value=step />
            <button type="submit" data-test=format!("swap-{step}")>{label}</button>
        </ActForm>
    }
}

/// One swap with the steps the caller may take.
fn swap_line(
    w: &SwapRow,
    me: Option<i64>,
    may_keep: bool,
    lang: Lang,
    a: SwapActions,
) -> impl IntoView + use<> {
    let asker = me == Some(w.asker_id);
    let other = me == Some(w.other_id);
    let class = match w.status {
        SwapStatus::Approved => "badge done",
        SwapStatus::Asked | SwapStatus::Accepted => "badge warn",
        _ => "badge muted",
    };
    let text = lang.tf(
        "duty.swap_line",
        &[
            &w.asker,
            &w.asker_day.to_string(),
            &w.other,
            &w.other_day.to_string(),
        ],
    );
    let (id, status) = (w.id, w.status);
    view! {
        <li data-test="swap">
            {text}
            {(!w.reason.is_empty()).then(|| format!("({})", w.reason))}
            " " <span class=class data-test="swap-status">{lang.t(status.label_key())}</span>
            {(other && status == SwapStatus::Asked).then(move || view! {
                " " {swap_button(a, id, "accept", lang.t("duty.swap_accept").to_string())}
                " " {swap_button(a, id, "decline", lang.t("duty.swap_decline").to_string())}
            })}
            {((asker || other) && status.is_open()).then(move || view! {
                " " {swap_button(a, id, "withdraw", lang.t("duty.swap_withdraw").to_string())}
            })}
            {(may_keep && !asker && !other && status == SwapStatus::Accepted).then(move || view! {
                " " {swap_button(a, id, "approve", lang.t("duty.swap_approve").to_string())}
                " " {swap_button(a, id, "refuse", lang.t("duty.swap_refuse").to_string())}
            })}
        </li>
    }
}

/// A roster's changes of hands: the caller's own duties with a swap form,
/// the swaps asked, and the organizer's replacement form.
fn changes_view(r: &RosterDetail, lang: Lang, a: SwapActions) -> impl IntoView + use<> {
    let (me, may_keep) = (r.me, r.may_keep);
    let mine = r.mine.clone();
    let swap_with = r.swap_with.clone();
    let swaps = r.swaps.clone();
    let people = r.people.clone();
    let (first, last, roster) = (r.head.first.to_string(), r.head.last.to_string(), r.head.id);
    view! {
        {(!mine.is_empty()).then(move || view! {
            <section class="card" data-test="my-duties">
                <h2>{lang.t("duty.my_duties")}</h2>
                <p class="muted">{lang.t("duty.swap_help")}</p>
                <ul class="plain">
                    {mine.into_iter().map(|m| {
                        let options: Vec<_> = swap_with.iter().filter(|o| o.role == m.role && o.day != m.day).cloned().collect();
                        view! {
                            <li data-test="my-duty" data-date=m.day.to_string() data-person=m.person.clone()>
                                <strong>{format!("{} {}", day_label(m.day, lang), lang.t(m.role.label_key()))}</strong>
                                " "
                                <ActForm action=a.ask attr:class="inline">
                                    <input type="hidden" name="mine" value=m.id.to_string() />
                                    <select name="theirs" required aria-label=lang.t("duty.swap_with")>
                                        <option value="">{lang.t("duty.swap_with")}</option>
                                        {options.into_iter().map(|o| view! { <option value=o.id.to_string()>{format!("{} {}", o.day, o.person)}</option> }).collect_view()}
                                    </select>
                                    " " <input type="text" name="reason" maxlength="200" placeholder=lang.t("field.reason") aria-label=lang.t("field.reason") />
                                    " " <button type="submit">{lang.t("duty.ask_swap")}</button>
                                </ActForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {action_error(a.ask)}
            </section>
        })}
        {(!swaps.is_empty()).then(move || view! {
            <section class="card" data-test="swaps">
                <h2>{lang.t("duty.swaps")}</h2>
                <ul class="plain">
                    {swaps.iter().map(|w| swap_line(w, me, may_keep, lang, a)).collect_view()}
                </ul>
                {action_error(a.step)}
            </section>
        })}
        {(may_keep && !people.is_empty()).then(move || view! {
            <details class="card" data-test="replace">
                <summary><h2 class="inline">{lang.t("duty.replace")}</h2></summary>
                <p class="muted">{lang.t("duty.replace_help")}</p>
                <ActForm action=a.replace>
                    <input type="hidden" name="roster" value=roster.to_string() />
                    <div class="grid">
                        <label>{lang.t("duty.day")}<input type="date" name="day" required min=first max=last /></label>
                        <label>{lang.t("duty.role")}
                            <select name="role">
                                {DutyRole::ALL.iter().map(|r| view! { <option value=r.code()>{lang.t(r.label_key())}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{lang.t("duty.replace_out")}
                            <select name="out">
                                <option value="">{lang.t("duty.fill_gap")}</option>
                                {people.iter().map(|(id, name, _)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{lang.t("duty.replace_into")}
                            <select name="into" required>
                                <option value="">{lang.t("common.choose")}</option>
                                {people.iter().map(|(id, name, role)| view! { <option value=id.to_string()>{format!("{name}({})", lang.t(role.label_key()))}</option> }).collect_view()}
                            </select>
                        </label>
                    </div>
                    {action_error(a.replace)}
                    <button type="submit" class="primary">{lang.t("duty.replace")}</button>
                </ActForm>
            </details>
        })}
    }
}

fn check_result(c: &CheckRow, lang: Lang) -> AnyView {
    if c.voided.is_some() {
        view! { <span class="badge muted" data-test="check-result">{lang.t("duty.check_voided")}</span> }.into_any()
    } else if c.passed {
        view! { <span class="badge done" data-test="check-result">{lang.t("duty.check_passed")}</span> }.into_any()
    } else {
        view! {
            <span class="badge bad" data-test="check-result">{lang.t("duty.check_failed")}</span>
            " "
            <span class="muted" data-test="check-event">{if c.event_id.is_some() { lang.t("duty.check_deducted") } else { lang.t("duty.check_year_closed") }}</span>
        }
        .into_any()
    }
}

/// `/duty/checks`: record a spot check; the office's recent checks.
#[component]
pub fn DutyChecksPage() -> impl IntoView {
    let lang = use_lang();
    let add = act::<AddDutyCheck>();
    gated(Some(Action::CheckDuty), move |_| {
        let data = Resource::new(move || add.version().get(), |_| get_duty_checks());
        view! {
            <div class="page-head"><h1>{lang.t("duty.checks")}</h1></div>
            <p class="intro muted">{lang.t("duty.checks_intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |p: ChecksPage| view! {
                    <section class="card" data-test="check-form">
                        <h2>{lang.t("duty.record_check")}</h2>
                        <ActForm action=add shows_result=true>
                            <div class="grid">
                                <label class="wide">{lang.t("field.unit")}
                                    <select name="unit" required>
                                        <option value="">{lang.t("common.choose")}</option>
                                        {p.units.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label>{lang.t("field.checked_at")}<input type="datetime-local" name="checked_at" required value=p.now.clone() /></label>
                                <label>{lang.t("field.called")}<input type="tel" name="called" required maxlength="30" /></label>
                                <fieldset class="choice">
                                    <legend>{lang.t("field.answered")}</legend>
                                    <label><input type="radio" name="answered" value="yes" required />{lang.t("common.yes")}</label>
                                    <label><input type="radio" name="answered" value="no" />{lang.t("common.no")}</label>
                                </fieldset>
                                <label>{lang.t("field.on_post")}<input type="text" name="on_post" maxlength="40" placeholder=lang.t("duty.on_post_hint") /></label>
                                <label class="wide">{lang.t("field.note")}<input type="text" name="note" maxlength="500" /></label>
                            </div>
                            <p class="muted">{lang.t("duty.check_rule")}</p>
                            {action_error(add)}
                            {move || add.value().get().and_then(|r| r.ok()).map(|(_, deducted)| view! {
                                <p class="ok" role="status" data-test="check-recorded">{if deducted { lang.t("duty.check_recorded_deducted") } else { lang.t("duty.check_recorded") }}</p>
                            })}
                            <button type="submit" class="primary">{lang.t("duty.record_check")}</button>
                        </ActForm>
                    </section>
                    <section class="card">
                        <h2>{lang.t("duty.recent_checks")}</h2>
                        {p.checks.is_empty().then(|| view! { <p class="muted">{lang.t("duty.no_checks")}</p> })}
                        <ul class="plain" data-test="check-list">
                            {p.checks.iter().map(|c| view! {
                                <li data-test="check-row">
                                    <a href=format!("/duty/checks/{}", c.id)>{format!("{} · {}", local_time(c.checked_at), c.unit_name)}</a>
                                    " " {check_result(c, lang)}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
            </Suspense>
        }
        .into_any()
    })
}

/// `/duty/checks/:id`: one check, where the assessment's explanation of a
/// `duty_absence` leads.
#[component]
pub fn DutyCheckPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let void = act::<VoidDutyCheck>();
    gated(None, move |_| {
        let data = Resource::new(
            move || (id(), void.version().get()),
            |(id, _)| get_duty_check(id),
        );
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |d: CheckDetail| {
                    let CheckDetail { check: c, may_void } = d;
                    let id = c.id;
                    view! {
                        <h1>{lang.tf("duty.check_title", &[&c.unit_name])}</h1>
                        <section class="card" data-test="check">
                            <p>{check_result(&c, lang)}</p>
                            <dl class="facts">
                                <dt>{lang.t("field.checked_at")}</dt><dd>{local_time(c.checked_at)}</dd>
                                <dt>{lang.t("field.called")}</dt><dd>{c.called.clone()}</dd>
                                <dt>{lang.t("field.answered")}</dt><dd>{if c.answered { lang.t("common.yes") } else { lang.t("common.no") }}</dd>
                                <dt>{lang.t("field.on_post")}</dt><dd>{if c.on_post.is_empty() { "—".to_string() } else { c.on_post.clone() }}</dd>
                                <dt>{lang.t("field.note")}</dt><dd>{c.note.clone()}</dd>
                                <dt>{lang.t("duty.checked_by")}</dt><dd>{c.created_by.clone()}</dd>
                                {c.voided.as_ref().map(|v| view! {
                                    <dt>{lang.t("duty.voided_by")}</dt>
                                    <dd data-test="check-voided">{format!("{} · {} · {}", v.by, local_time(v.at), v.reason)}</dd>
                                })}
                            </dl>
                        </section>
                        {may_void.then(|| view! {
                            <ReasonForm action=void id=id title="duty.void_check" hint="duty.void_hint" test="void-form" />
                        })}
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

/// `/duty/calendar`: the district's holidays and sensitive periods; the
/// office adds and removes them.
#[component]
pub fn DutyCalendarPage() -> impl IntoView {
    let lang = use_lang();
    let add = act::<AddDutyPeriod>();
    let remove = act::<RemoveDutyPeriod>();
    gated(Some(Action::ViewDuty), move |_| {
        let data = Resource::new(
            move || (add.version().get(), remove.version().get()),
            |_| get_duty_calendar(),
        );
        view! {
            <div class="page-head"><h1>{lang.t("duty.calendar")}</h1></div>
            <p class="intro muted">{lang.t("duty.calendar_intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |p: CalendarPage| view! {
                    {p.may_keep.then(|| view! {
                        <section class="card" data-test="period-form">
                            <h2>{lang.t("duty.add_period")}</h2>
                            <ActForm action=add>
                                <div class="grid">
                                    <label>{lang.t("field.name")}<input type="text" name="name" required maxlength="40" /></label>
                                    <label>{lang.t("field.kind")}
                                        <select name="kind">
                                            {PeriodKind::ALL.iter().map(|k| view! { <option value=k.code()>{lang.t(k.label_key())}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{lang.t("field.first_day")}<input type="date" name="first_day" required /></label>
                                    <label>{lang.t("field.last_day")}<input type="date" name="last_day" required /></label>
                                    <label>{lang.t("field.extra_staff")}<input type="number" name="extra_staff" min="0" max="10" value="0" /></label>
                                </div>
                                {action_error(add)}
                                <button type="submit" class="primary">{lang.t("duty.add_period")}</button>
                            </ActForm>
                        </section>
                    })}
                    {p.periods.is_empty().then(|| view! { <p class="muted">{lang.t("duty.no_periods")}</p> })}
                    <ul class="plain" data-test="period-list">
                        {p.periods.iter().map(|r| { let (id, keep) = (r.id, p.may_keep); view! {
                            <li class="card" data-test="period">
                                <strong>{r.period.name.clone()}</strong>
                                " · " {lang.t(r.period.kind.label_key())}
                                " · " {format!("{} — {}", r.period.first, r.period.last)}
                                {(r.period.extra_staff > 0).then(|| view! { " · " {lang.tf("duty.extra_staff", &[&r.period.extra_staff.to_string()])} })}
                                {keep.then(move || view! {
                                    " "
                                    <ActForm action=remove attr:class="inline">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <button type="submit">{lang.t("action.remove")}</button>
                                    </ActForm>
                                })}
                            </li>
                        }}).collect_view()}
                    </ul>
                    {action_error(remove)}
                })}
            </Suspense>
        }
        .into_any()
    })
}

/// `/duty/absences`: a leader files an absence report; whoever keeps the
/// unit's duty (not the leader) approves or refuses it.
#[component]
pub fn DutyAbsencesPage() -> impl IntoView {
    use crate::areas::duty::api::{DecideLeaderAbsence, FileLeaderAbsence, get_leader_absences};
    use crate::areas::duty::dto::AbsencesPage;
    let lang = use_lang();
    let file = act::<FileLeaderAbsence>();
    let decide = act::<DecideLeaderAbsence>();
    gated(None, move |_| {
        let data = Resource::new(
            move || (file.version().get(), decide.version().get()),
            |_| get_leader_absences(),
        );
        view! {
            <div class="page-head"><h1>{lang.t("duty.absences")}</h1></div>
            <p class="intro muted">{lang.t("duty.absences_intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |p: AbsencesPage| {
                    let AbsencesPage { absences, may_file, may_decide, today } = p;
                    view! {
                    {may_file.then(|| view! {
                        <section class="card" data-test="absence-form">
                            <h2>{lang.t("duty.file_absence")}</h2>
                            <ActForm action=file>
                                <div class="grid">
                                    <label>{lang.t("field.first_day")}<input type="date" name="first_day" required min=today.to_string() /></label>
                                    <label>{lang.t("field.last_day")}<input type="date" name="last_day" required min=today.to_string() /></label>
                                    <label>{lang.t("field.destination")}<input type="text" name="destination" required maxlength="60" /></label>
                                    <label>{lang.t("field.deputy")}<input type="text" name="deputy" required maxlength="40" /></label>
                                    <label class="wide">{lang.t("field.reason")}<input type="text" name="reason" required maxlength="200" /></label>
                                </div>
                                {action_error(file)}
                                <button type="submit" class="primary">{lang.t("duty.file_absence")}</button>
                            </ActForm>
                        </section>
                    })}
                    {absences.is_empty().then(|| view! { <p class="muted">{lang.t("duty.no_absences")}</p> })}
                    <ul class="plain" data-test="absences">
                        {absences.into_iter().map(|a| {
                            let (id, may) = (a.id, may_decide.contains(&a.id));
                            let (class, key) = match a.status.as_str() {
                                "approved" => ("badge done", "duty.absence.approved"),
                                "refused" => ("badge muted", "duty.absence.refused"),
                                _ => ("badge warn", "duty.absence.filed"),
                            };
                            view! {
                                <li class="card" data-test="absence">
                                    {lang.tf("duty.absence_line", &[&a.person, &a.unit_name, &a.first.to_string(), &a.last.to_string(), &a.destination, &a.deputy])}
                                    " · " {a.reason}
                                    " " <span class=class data-test="absence-status">{lang.t(key)}</span>
                                    {may.then(move || view! {
                                        " "
                                        <ActForm action=decide attr:class="inline">
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <input type="hidden" name="decision" value="approve" />
                                            <button type="submit" data-test="absence-approve">{lang.t("duty.approve")}</button>
                                        </ActForm>
                                        " "
                                        <ActForm action=decide attr:class="inline">
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <input type="hidden" name="decision" value="refuse" />
                                            <button type="submit">{lang.t("duty.refuse")}</button>
                                        </ActForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {action_error(decide)}
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}
