//! Training coverage per unit (with its chart, the numbers the assessment's
//! `training_coverage` metric reads), rectification orders (责令限期整改)
//! tracked to closure, and recorded leave.

use crate::areas::training::api::{
    AddLeave, CloseOrder, IssueOrder, SyncCoverage, get_coverage, list_leave, list_orders,
};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{action_error, gated, query_param, use_lang, when_ready};
use crate::domain::authz::{Action, Reach};
use crate::domain::training::OrderState;
use crate::i18n::Lang;
use crate::model::{CoverageReport, LeaveRow, OrderRow};
use leptos::prelude::*;

fn percent(permille: i64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

#[component]
pub fn CoveragePage() -> impl IntoView {
    let lang = use_lang();
    let year = query_param("year");
    let required = query_param("required");
    let sync = act::<SyncCoverage>();
    let issue = act::<IssueOrder>();
    gated(Some(Action::ViewTraining), move |me| {
        let may_sync = me.reach(Action::ManageTraining) == Reach::Everywhere;
        let may_order = me.may(Action::Rectify);
        let report = Resource::new(
            move || (year.get(), issue.version().get(), sync.version().get()),
            |(y, ..)| get_coverage(y.parse().unwrap_or(0)),
        );
        view! {
            <h1>{lang.t("training.coverage")}</h1>
            <p class="intro muted">{lang.t("training.coverage_intro")}</p>
            <Transition fallback=|| ()>
                {move || {
                    let need: i64 = required.get().parse().ok().filter(|n| (1..=100).contains(n)).unwrap_or(100);
                    when_ready(report, lang, move |r: CoverageReport| coverage_view(r, need, lang, may_sync, may_order, sync, issue))
                }}
            </Transition>
        }
        .into_any()
    })
}

fn coverage_view(
    r: CoverageReport,
    need: i64,
    lang: Lang,
    may_sync: bool,
    may_order: bool,
    sync: ServerAction<SyncCoverage>,
    issue: ServerAction<IssueOrder>,
) -> impl IntoView {
    let year = r.year;
    let synced = move || {
        sync.value().get().and_then(|v| v.ok()).map(|(w, s)| {
            view! { <p class="ok">{lang.tf("training.synced", &[&w.to_string(), &s.to_string()])}</p> }
        })
    };
    view! {
        <form method="get" class="filters">
            <label>{lang.t("field.year")}<input type="number" name="year" min="2000" max="2100" value=year.to_string() /></label>
            <label>{lang.t("training.required_percent")}<input type="number" name="required" min="1" max="100" value=need.to_string() /></label>
            <button type="submit">{lang.t("action.filter")}</button>
        </form>
        <a class="button" href=format!("/training/coverage/{year}.csv") download data-test="export-coverage">{lang.t("training.export_coverage")}</a>
        " "
        {may_sync.then(|| view! {
            <ActForm action=sync attr:class="inline">
                <input type="hidden" name="year" value=year.to_string() />
                <button type="submit" data-test="sync-coverage">{lang.t("training.sync")}</button>
            </ActForm>
        })}
        {synced}
        {action_error(sync)}
        {action_error(issue)}
        {if r.rows.is_empty() {
            view! { <p class="muted">{lang.t("training.no_coverage")}</p> }.into_any()
        } else {
            view! {
                <div class="chart" inner_html=r.chart.clone()></div>
                <div class="table-wrap">
                    <table class="data" data-test="coverage">
                        <thead>
                            <tr>
                                <th>{lang.t("field.unit")}</th>
                                <th class="num">{lang.t("training.required_staff")}</th>
                                <th class="num">{lang.t("training.completed_staff")}</th>
                                <th class="num">{lang.t("training.coverage")}</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>
                            {r.rows.clone().into_iter().map(|row| {
                                let below = row.coverage.below(need);
                                view! {
                                    <tr class:below=below data-unit=row.unit_code.clone()>
                                        <td data-label=lang.t("field.unit")>{row.unit_name.clone()}</td>
                                        <td class="num" data-label=lang.t("training.required_staff")>{row.coverage.required}</td>
                                        <td class="num" data-label=lang.t("training.completed_staff")>{row.coverage.completed}</td>
                                        <td class="num" data-label=lang.t("training.coverage")>{percent(row.coverage.permille())}</td>
                                        <td class="actions">
                                            {if row.open_order {
                                                view! { <a href="/training/orders" class="badge">{lang.t("order.open")}</a> }.into_any()
                                            } else if below && may_order {
                                                view! {
                                                    <ActForm action=issue attr:class="inline order-form">
                                                        <input type="hidden" name="unit_id" value=row.unit_id.to_string() />
                                                        <input type="hidden" name="year" value=year.to_string() />
                                                        <input type="text" name="reason" maxlength="200" required
                                                            value=lang.tf("order.default_reason", &[&percent(row.coverage.permille()), &need.to_string()]) />
                                                        <input type="date" name="deadline" required aria-label=lang.t("field.deadline") />
                                                        <button type="submit">{lang.t("order.issue")}</button>
                                                    </ActForm>
                                                }.into_any()
                                            } else {
                                                ().into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let lang = use_lang();
    let close = act::<CloseOrder>();
    gated(Some(Action::ViewTraining), move |me| {
        let may_close = me.may(Action::Rectify);
        let orders = Resource::new(move || close.version().get(), |_| list_orders());
        view! {
            <h1>{lang.t("order.title")}</h1>
            {action_error(close)}
            <Transition fallback=|| ()>
                {move || when_ready(orders, lang, move |list: Vec<OrderRow>| order_table(list, lang, may_close, close))}
            </Transition>
        }
        .into_any()
    })
}

fn order_table(
    list: Vec<OrderRow>,
    lang: Lang,
    may_close: bool,
    close: ServerAction<CloseOrder>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("order.none")}</p> }.into_any();
    }
    let overdue = list
        .iter()
        .filter(|o| o.state == OrderState::Overdue)
        .count();
    view! {
        {(overdue > 0).then(|| view! { <p class="error" data-test="overdue">{lang.tf("order.overdue_count", &[&overdue.to_string()])}</p> })}
        <div class="table-wrap">
            <table class="data" data-test="orders">
                <thead>
                    <tr>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("field.year")}</th>
                        <th>{lang.t("field.reason")}</th>
                        <th>{lang.t("field.deadline")}</th>
                        <th>{lang.t("assessment.status")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|o| {
                        let (class, key) = match o.state {
                            OrderState::Open => ("badge", "order.open"),
                            OrderState::Overdue => ("badge veto", "order.overdue"),
                            OrderState::Closed => ("badge done", "order.closed"),
                        };
                        view! {
                            <tr>
                                <td data-label=lang.t("field.unit")>{o.unit_name.clone()}</td>
                                <td data-label=lang.t("field.year")>{o.year}</td>
                                <td data-label=lang.t("field.reason")>{o.reason.clone()}</td>
                                <td data-label=lang.t("field.deadline")>{o.deadline.to_string()}</td>
                                <td data-label=lang.t("assessment.status")>
                                    <span class=class>{lang.t(key)}</span>
                                    {o.closing_note.clone().map(|n| view! { " " <span class="muted">{format!("{n} ({})", o.closed_by.clone().unwrap_or_default())}</span> })}
                                </td>
                                <td class="actions">
                                    {(may_close && o.state != OrderState::Closed).then(|| view! {
                                        <ActForm action=close attr:class="inline">
                                            <input type="hidden" name="id" value=o.id.to_string() />
                                            <input type="text" name="note" maxlength="200" required placeholder=lang.t("field.closing_note") />
                                            <button type="submit">{lang.t("order.close")}</button>
                                        </ActForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn LeavePage() -> impl IntoView {
    let lang = use_lang();
    let add = act::<AddLeave>();
    gated(Some(Action::ManageTraining), move |_| {
        let leave = Resource::new(move || add.version().get(), |_| list_leave());
        view! {
            <h1>{lang.t("leave.title")}</h1>
            <p class="intro muted">{lang.t("leave.intro")}</p>
            <section class="card narrow">
                <ActForm action=add attr:data-test="leave-form">
                    <label>{lang.t("field.person_code")}<input type="text" name="person_code" required maxlength="32" /></label>
                    <label>{lang.t("field.start")}<input type="date" name="start" required /></label>
                    <label>{lang.t("field.end")}<input type="date" name="end" required /></label>
                    <label>{lang.t("field.reason")}<input type="text" name="reason" required maxlength="100" /></label>
                    {action_error(add)}
                    <button type="submit" class="primary">{lang.t("action.save")}</button>
                </ActForm>
            </section>
            <Transition fallback=|| ()>
                {move || when_ready(leave, lang, move |list: Vec<LeaveRow>| view! {
                    <div class="table-wrap">
                        <table class="data" data-test="leave">
                            <thead><tr><th>{lang.t("field.person_name")}</th><th>{lang.t("field.unit")}</th><th>{lang.t("field.start")}</th><th>{lang.t("field.end")}</th><th>{lang.t("field.reason")}</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|l| view! {
                                    <tr>
                                        <td data-label=lang.t("field.person_name")>{format!("{} {}", l.person_code, l.person_name)}</td>
                                        <td data-label=lang.t("field.unit")>{l.unit_name}</td>
                                        <td data-label=lang.t("field.start")>{l.start.to_string()}</td>
                                        <td data-label=lang.t("field.end")>{l.end.to_string()}</td>
                                        <td data-label=lang.t("field.reason")>{l.reason}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
            </Transition>
        }
        .into_any()
    })
}
