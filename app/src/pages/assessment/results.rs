//! A scheme's ranking: total, grade, rank, veto badge and incomplete marker
//! per unit, filtered by name, grade and standing; the score distribution;
//! exports; publishing, and reopening, which one scheme manager asks for
//! and another confirms.

use super::manages_schemes;
use crate::areas::assessment::api::{DecideReopen, MarkResultsSeen, PublishScheme, scheme_results};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{
    Confirm, action_error, gated, id_param, query_param, use_lang, when_ready,
};
use crate::domain::assessment::GapKind;
use crate::domain::authz::Action;
use crate::domain::local_time;
use crate::i18n::Lang;
use crate::model::{ChangeFeed, ReopenRequest, ResultRow, Results};
use leptos::prelude::*;

#[component]
pub fn ResultsPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let q = query_param("q");
    let grade = query_param("grade");
    let standing = query_param("standing");
    let publish = act::<PublishScheme>();
    let reopen = act::<DecideReopen>();
    let seen = act::<MarkResultsSeen>();
    gated(Some(Action::ViewAssessment), move |me| {
        let results = Resource::new(
            move || {
                (
                    id(),
                    publish.version().get(),
                    reopen.version().get(),
                    seen.version().get(),
                )
            },
            |(id, ..)| scheme_results(id),
        );
        let manage = manages_schemes(&me).then_some(Publishing {
            publish,
            reopen,
            me: me.account_id,
        });
        view! {
            <Transition fallback=|| ()>
                {move || {
                    let filter = Filter { q: q.get(), grade: grade.get(), standing: standing.get() };
                    when_ready(results, lang, move |r: Results| results_view(r, filter, lang, manage, seen))
                }}
            </Transition>
        }
        .into_any()
    })
}

#[derive(Clone)]
struct Filter {
    q: String,
    grade: String,
    standing: String,
}

impl Filter {
    fn keeps(&self, r: &ResultRow) -> bool {
        let o = &r.outcome;
        let q = self.q.trim();
        (q.is_empty() || r.unit_name.contains(q) || r.unit_code.contains(q))
            && (self.grade.is_empty() || o.grade.map(|g| g.code()) == Some(self.grade.as_str()))
            && match self.standing.as_str() {
                "ranked" => !o.vetoed && !o.incomplete,
                "vetoed" => o.vetoed,
                "incomplete" => o.incomplete,
                _ => true,
            }
    }
}

/// A scheme manager's actions on the results, and who they are.
#[derive(Clone, Copy)]
struct Publishing {
    publish: ServerAction<PublishScheme>,
    reopen: ServerAction<DecideReopen>,
    me: i64,
}

fn results_view(
    r: Results,
    filter: Filter,
    lang: Lang,
    manage: Option<Publishing>,
    seen: ServerAction<MarkResultsSeen>,
) -> impl IntoView {
    let s = &r.scheme;
    let id = s.id;
    let total = r.rows.len();
    let vetoed = r.rows.iter().filter(|x| x.outcome.vetoed).count();
    let incomplete = r.rows.iter().filter(|x| x.outcome.incomplete).count();
    let rows: Vec<ResultRow> = r.rows.iter().filter(|x| filter.keeps(x)).cloned().collect();
    let shown = rows.len();
    let status = if s.published {
        lang.tf(
            "assessment.published_by",
            &[
                s.published_by.as_deref().unwrap_or(""),
                &s.published_at.map(local_time).unwrap_or_default(),
            ],
        )
    } else {
        lang.t("assessment.open_help").to_string()
    };
    let quota = r.quota_places.map(|k| {
        lang.tf(
            "assessment.quota_note",
            &[
                &s.def
                    .scheme
                    .excellent_quota_percent
                    .unwrap_or(0)
                    .to_string(),
                &k.to_string(),
            ],
        )
    });
    let published = s.published;
    let request = s.reopen.clone();
    let gaps = s.published_gaps.clone();
    view! {
        <div class="page-head">
            <h1>{s.def.name.clone()}</h1>
            <div class="actions">
                <a class="button" href=format!("/assessment/schemes/{id}/results.csv") download>{lang.t("assessment.export_csv")}</a>
                <a class="button" href=format!("/assessment/schemes/{id}/results.xlsx") download>{lang.t("assessment.export_xlsx")}</a>
            </div>
        </div>
        <p class="muted" data-test="scheme-status">
            {if published { view! { <span class="badge done">{lang.t("assessment.published")}</span> }.into_any() } else { view! { <span class="badge">{lang.t("assessment.open")}</span> }.into_any() }}
            " " {status}
        </p>
        <p class="muted">
            {lang.tf("assessment.summary", &[&total.to_string(), &(total - vetoed - incomplete).to_string(), &vetoed.to_string(), &incomplete.to_string()])}
            {quota.map(|q| view! { " " {q} })}
        </p>
        {r.feed.clone().map(|f| feed_view(&r, f, lang, seen))}
        <div class="chart" inner_html=r.chart_svg.clone()></div>
        <form method="get" class="filters">
            <input type="search" name="q" value=filter.q.clone() placeholder=lang.t("assessment.search") />
            <select name="grade">
                <option value="">{lang.t("assessment.all_grades")}</option>
                {["excellent", "good", "pass", "fail"].into_iter().map(|g| view! {
                    <option value=g selected=filter.grade == g>{lang.t(&format!("grade.{g}")).to_string()}</option>
                }).collect_view()}
            </select>
            <select name="standing">
                <option value="">{lang.t("assessment.all_standings")}</option>
                <option value="ranked" selected=filter.standing == "ranked">{lang.t("assessment.ranked")}</option>
                <option value="vetoed" selected=filter.standing == "vetoed">{lang.t("assessment.vetoed")}</option>
                <option value="incomplete" selected=filter.standing == "incomplete">{lang.t("assessment.incomplete")}</option>
            </select>
            <button type="submit">{lang.t("action.filter")}</button>
        </form>
        <p class="muted">{lang.tf("common.count", &[&shown.to_string()])}</p>
        <div class="table-wrap">
            <table class="data" data-test="ranking">
                <thead>
                    <tr>
                        <th class="num">{lang.t("assessment.rank")}</th>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("field.kind")}</th>
                        <th class="num">{lang.t("assessment.total")}</th>
                        <th>{lang.t("assessment.grade")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let o = row.outcome;
                            let published_gap = gaps.contains(&row.unit_code);
                            view! {
                                <tr data-unit=row.unit_code.clone() class:vetoed=o.vetoed>
                                    <td class="num" data-label=lang.t("assessment.rank")>{o.rank.map(|k| k.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=lang.t("field.unit")>
                                        <a href=format!("/assessment/schemes/{id}/units/{}", row.unit_id)>{row.unit_name.clone()}</a>
                                        " " <code>{row.unit_code.clone()}</code>
                                    </td>
                                    <td data-label=lang.t("field.kind")>{lang.t(row.unit_kind.label_key())}</td>
                                    <td class="num total" data-label=lang.t("assessment.total")>{o.total.map(|t| t.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td class="grade" data-label=lang.t("assessment.grade")>{o.grade.map(|g| lang.t(g.label_key()).to_string()).unwrap_or_default()}</td>
                                    <td>
                                        {o.vetoed.then(|| view! { <span class="badge veto">{lang.t("assessment.veto_badge")}</span> })}
                                        {o.incomplete.then(|| view! { <span class="badge warn">{lang.t("assessment.incomplete")}</span> })}
                                        {o.barred_from_excellent.then(|| view! { <span class="badge warn">{lang.t("assessment.barred")}</span> })}
                                        {published_gap.then(|| view! { <span class="badge warn" data-test="published-gap">{lang.t("assessment.published_gap")}</span> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {request.clone().map(|q| view! {
            <p class="warn" data-test="reopen-pending">{lang.tf("assessment.reopen_pending", &[&q.by, &local_time(q.at), &q.reason])}</p>
        })}
        {manage.map(|m| publish_form(id, published, request, r.gaps.clone(), lang, m))}
    }
}

fn publish_form(
    id: i64,
    published: bool,
    request: Option<ReopenRequest>,
    gaps: Vec<(i64, String, GapKind)>,
    lang: Lang,
    m: Publishing,
) -> impl IntoView {
    let publish = m.publish;
    let reopen = m.reopen;
    let body = match (published, request) {
        (false, _) => {
            // What is not finished, with links, before anyone presses the
            // button; publishing anyway takes a reason and marks them.
            let finished = gaps.is_empty();
            let list = gaps
                .into_iter()
                .map(|(unit, name, kind)| {
                    let why = match kind {
                        GapKind::Incomplete => lang.t("assessment.incomplete"),
                        GapKind::VetoUndecided => lang.t("assessment.gap_veto"),
                    };
                    view! {
                        <li data-test="gap">
                            <a href=format!("/assessment/schemes/{id}/units/{unit}")>{name}</a>
                            " " <span class="badge warn">{why}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <h2>{lang.t("assessment.publish")}</h2>
                <p class="muted">{lang.t("assessment.publish_help")}</p>
                {(!finished).then(|| view! {
                    <p class="warn">{lang.t("assessment.gaps_before_publish")}</p>
                    <ul class="plain gaps" data-test="gaps">{list}</ul>
                })}
                <Confirm label=lang.t("assessment.publish") consequence=lang.t("assessment.publish_consequence") test="confirm-publish">
                    <ActForm action=publish>
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="publish" value="1" />
                        {(!finished).then(|| view! {
                            <label>{lang.t("assessment.publish_reason")}
                                <input type="text" name="reason" required minlength="2" maxlength="500" />
                            </label>
                        })}
                        {action_error(publish)}
                        <button type="submit" class="primary" data-test="publish">{lang.t("assessment.publish_now")}</button>
                    </ActForm>
                </Confirm>
            }
            .into_any()
        }
        (true, None) => view! {
            <h2>{lang.t("assessment.reopen")}</h2>
            <p class="muted">{lang.t("assessment.reopen_help")}</p>
            <Confirm label=lang.t("assessment.reopen_propose") consequence=lang.t("assessment.reopen_consequence") test="confirm-reopen-request">
                <ActForm action=publish>
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="publish" value="0" />
                    <label>{lang.t("field.reason")}<input type="text" name="reason" required maxlength="500" /></label>
                    {action_error(publish)}
                    <button type="submit" class="primary" data-test="propose-reopen">{lang.t("assessment.reopen_propose")}</button>
                </ActForm>
            </Confirm>
        }
        .into_any(),
        (true, Some(q)) if q.by_id == Some(m.me) => view! {
            <h2>{lang.t("assessment.reopen")}</h2>
            <p class="muted">{lang.t("assessment.reopen_own_hint")}</p>
            <ActForm action=reopen>
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="decision" value="withdraw" />
                {action_error(reopen)}
                <button type="submit" data-test="withdraw-reopen">{lang.t("assessment.reopen_withdraw")}</button>
            </ActForm>
        }
        .into_any(),
        (true, Some(_)) => view! {
            <h2>{lang.t("assessment.reopen")}</h2>
            <p class="muted">{lang.t("assessment.reopen_decide_help")}</p>
            <Confirm label=lang.t("assessment.reopen_confirm") consequence=lang.t("assessment.reopen_confirm_consequence") test="confirm-reopen-open">
                <ActForm action=reopen attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="decision" value="confirm" />
                    <button type="submit" class="primary" data-test="confirm-reopen">{lang.t("assessment.reopen_confirm")}</button>
                </ActForm>
            </Confirm>
            <ActForm action=reopen attr:class="inline">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="decision" value="reject" />
                <input type="text" name="note" placeholder=lang.t("veto.note") maxlength="500" />
                <button type="submit" data-test="reject-reopen">{lang.t("assessment.reopen_reject")}</button>
            </ActForm>
            {action_error(reopen)}
        }
        .into_any(),
    };
    view! { <section class="card narrow" data-test="publishing">{body}</section> }
}

/// "Since you last looked": which units' totals moved, by how much, and the
/// changes behind each (a sync and the record that caused it, a score, an
/// event, ...), with the button that starts counting again from now.
fn feed_view(
    r: &Results,
    f: ChangeFeed,
    lang: Lang,
    seen: ServerAction<MarkResultsSeen>,
) -> impl IntoView + use<> {
    let id = r.scheme.id;
    let names = super::evidence::indicator_names(&r.scheme.def.scheme);
    let since = match f.seen_at {
        Some(at) => lang.tf("feed.since", &[&local_time(at)]),
        None => lang.t("feed.never").to_string(),
    };
    let shown = |p: Option<crate::domain::assessment::Points>| {
        p.map(|p| p.to_string()).unwrap_or_else(|| "—".into())
    };
    let units = f
        .units
        .into_iter()
        .map(|u| {
            let delta = match (u.before, u.after) {
                (Some(b), Some(a)) if a != b => {
                    let d = a.0 - b.0;
                    let sign = if d > 0 { "+" } else { "" };
                    format!(" ({sign}{})", crate::domain::assessment::Points(d))
                }
                _ => String::new(),
            };
            let moved = if f.seen_at.is_some() {
                format!("{} → {}{delta}", shown(u.before), shown(u.after))
            } else {
                shown(u.after)
            };
            let changes = u
                .changes
                .iter()
                .map(|c| {
                    super::evidence::change_item(c, lang, names.clone())
                })
                .collect_view();
            view! {
                <li data-test="feed-unit">
                    <a href=format!("/assessment/schemes/{id}/units/{}", u.unit_id)>{u.unit_name.clone()}</a>
                    " " <strong data-test="feed-total">{moved}</strong>
                    <ul class="plain changes">{changes}</ul>
                </li>
            }
        })
        .collect_view();
    let empty = r.feed.as_ref().is_some_and(|f| f.units.is_empty());
    view! {
        <section class="card" data-test="feed">
            <h2>{lang.t("feed.title")}</h2>
            <p class="muted">{since}</p>
            {if empty {
                view! { <p class="muted">{lang.t("feed.nothing")}</p> }.into_any()
            } else {
                view! { <ul class="plain">{units}</ul> }.into_any()
            }}
            {f.truncated.then(|| view! { <p class="muted">{lang.t("feed.truncated")}</p> })}
            {action_error(seen)}
            <ActForm action=seen>
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit" data-test="mark-seen">{lang.t("feed.mark_seen")}</button>
            </ActForm>
        </section>
    }
}
