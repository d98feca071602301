//! One unit in one scheme: its result explained line by line (each
//! indicator's base and how it was computed, each deduction with its
//! events, the bonus and its cap, the quota, the veto with its evidence),
//! and for assessors the scoring sheet itself with a live total computed by
//! the same domain code in the browser.

use crate::areas::assessment::api::{
    AddBonus, AddEvent, DecideVeto, ProposeVeto, RemoveBonus, RemoveEvent, SaveScores,
    load_unit_assessment,
};
use crate::components::ActForm;
use crate::components::act;
use crate::components::islands::{LiveSheet, LiveTotal};
use crate::components::{Confirm, TextArea, action_error, gated, use_lang, use_me, when_ready};
use crate::domain::assessment::{Entry, Grade, Method, Points, Sheet};
use crate::domain::authz::Action;
use crate::domain::local_time;
use crate::domain::scheme::{EVENT_TYPES, percent_text};
use crate::domain::veto::VetoStatus;
use crate::i18n::Lang;
use crate::model::{UnitAssessment, VetoRow};
use leptos::prelude::*;

fn params() -> impl Fn() -> (i64, i64) + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let p = params.read();
        let n = |k: &str| p.get(k).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
        (n("id"), n("unit"))
    }
}

/// A metric's name: the known ones translated, others as written.
pub fn metric_name(lang: Lang, code: &str) -> String {
    lang.t_or(&format!("metric.{code}"), code)
}

/// An event type's name: the known ones translated, others as written.
pub fn event_label(lang: Lang, code: &str) -> String {
    if EVENT_TYPES.contains(&code) {
        lang.t(&format!("event.{code}")).to_string()
    } else {
        code.to_string()
    }
}

#[component]
pub fn UnitSheetPage() -> impl IntoView {
    let lang = use_lang();
    let ids = params();
    let scores = act::<SaveScores>();
    let add_event = act::<AddEvent>();
    let remove_event = act::<RemoveEvent>();
    let add_bonus = act::<AddBonus>();
    let remove_bonus = act::<RemoveBonus>();
    let propose = act::<ProposeVeto>();
    let decide = act::<DecideVeto>();
    let actions = Actions {
        scores,
        add_event,
        remove_event,
        add_bonus,
        remove_bonus,
        propose,
        decide,
    };
    gated(Some(Action::ViewAssessment), move |_| {
        let data = Resource::new(
            move || {
                (
                    ids(),
                    scores.version().get(),
                    add_event.version().get(),
                    remove_event.version().get(),
                    add_bonus.version().get(),
                    remove_bonus.version().get(),
                    propose.version().get(),
                    decide.version().get(),
                )
            },
            |((scheme, unit), ..)| load_unit_assessment(scheme, unit),
        );
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |a: UnitAssessment| unit_view(a, lang, actions))}
            </Transition>
        }
        .into_any()
    })
}

#[derive(Clone, Copy)]
struct Actions {
    scores: ServerAction<SaveScores>,
    add_event: ServerAction<AddEvent>,
    remove_event: ServerAction<RemoveEvent>,
    add_bonus: ServerAction<AddBonus>,
    remove_bonus: ServerAction<RemoveBonus>,
    propose: ServerAction<ProposeVeto>,
    decide: ServerAction<DecideVeto>,
}

fn unit_view(a: UnitAssessment, lang: Lang, act: Actions) -> impl IntoView {
    let o = &a.outcome;
    let def = &a.scheme.def;
    let headline = match (o.vetoed, o.total, o.grade) {
        (true, _, _) => lang.t("assessment.headline_vetoed").to_string(),
        (_, Some(t), Some(g)) => lang.tf(
            "assessment.headline",
            &[
                &t.to_string(),
                lang.t(g.label_key()),
                &o.rank.map(|r| r.to_string()).unwrap_or_default(),
                &a.units_ranked.to_string(),
            ],
        ),
        _ => lang.t("assessment.headline_incomplete").to_string(),
    };
    view! {
        <div class="page-head">
            <h1>{a.unit.name.clone()} " " <code>{a.unit.code.clone()}</code></h1>
            <a href=format!("/assessment/schemes/{}", a.scheme.id)>{lang.t("assessment.back_to_ranking")}</a>
        </div>
        <p class="muted">{def.name.clone()}</p>
        <p class="headline" data-test="headline" class:vetoed=o.vetoed>
            {o.vetoed.then(|| view! { <span class="badge veto">{lang.t("assessment.veto_badge")}</span> " " })}
            {headline}
        </p>
        {explanation(&a, lang)}
        <div class="cards">
            <div class="chart" inner_html=a.category_svg.clone()></div>
            {a.trend_svg.clone().map(|svg| view! { <div class="chart" inner_html=svg></div> })}
        </div>
        {a.may_score.then(|| scoring(&a, lang, act))}
        {vetoes_section(&a, lang, act)}
        {history(&a, lang)}
    }
}

/// This unit's changes in the year: every figure that moved, why, from
/// which record, by whom (an open year only: a published one reads what
/// publishing froze).
fn history(a: &UnitAssessment, lang: Lang) -> impl IntoView + use<> {
    if a.scheme.published {
        let at = a
            .scheme
            .published_at
            .map(crate::domain::local_time)
            .unwrap_or_default();
        return view! { <p class="muted" data-test="frozen">{lang.tf("evidence.frozen", &[&at])}</p> }
            .into_any();
    }
    let names = super::evidence::indicator_names(&a.scheme.def.scheme);
    let items = a
        .changes
        .iter()
        .map(|c| super::evidence::change_item(c, lang, names.clone()))
        .collect_view();
    view! {
        <section class="card" data-test="history">
            <h2>{lang.t("change.history")}</h2>
            {if a.changes.is_empty() {
                view! { <p class="muted">{lang.t("change.none")}</p> }.into_any()
            } else {
                view! { <ul class="plain changes">{items}</ul> }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// The result line by line.
fn explanation(a: &UnitAssessment, lang: Lang) -> impl IntoView + use<> {
    let o = &a.outcome;
    let s = &a.scheme.def.scheme;
    let lines = o
        .lines
        .iter()
        .map(|line| {
            let ind = &s.indicators[line.indicator];
            let how = match ind.method {
                Method::Manual => match a.scores.iter().find(|x| x.indicator == ind.code) {
                    Some(x) => lang.tf(
                        "explain.entered",
                        &[&x.points.to_string(), &x.updated_by, &local_time(x.updated_at)],
                    ) + &if x.note.is_empty() { String::new() } else { format!("({})", x.note) },
                    None => lang.t("explain.not_entered").to_string(),
                },
                Method::Ratio { target_bp } => match a.ratios.iter().find(|r| r.0 == ind.code) {
                    Some((_, m)) => lang.tf(
                        "explain.ratio",
                        &[
                            lang.t(&format!("metric.{}", ind.metric_key())),
                            &m.numerator.to_string(),
                            &m.denominator.to_string(),
                            &percent_text(target_bp),
                            &ind.max.to_string(),
                            &line.base.map(|b| b.to_string()).unwrap_or_default(),
                        ],
                    ),
                    None => lang.tf("explain.no_ratio", &[&metric_name(lang, ind.metric_key())]),
                },
            };
            // Where a ratio's value came from, and what it counted.
            let origin = match ind.method {
                Method::Ratio { .. } => {
                    let value = a.ratios.iter().find(|r| r.0 == ind.code).map(|(_, m)| m.clone());
                    let records = a
                        .evidence
                        .iter()
                        .find(|(k, _)| k == ind.metric_key())
                        .map(|(_, l)| l.clone());
                    Some(view! {
                        {value.map(|m| super::evidence::provenance(&m, lang))}
                        {records.map(|l| super::evidence::evidence_list(&l, lang))}
                    })
                }
                Method::Manual => None,
            };
            let deductions = line
                .deductions
                .iter()
                .map(|(r, count)| {
                    let rule = &s.deductions[*r];
                    let events: Vec<String> = a
                        .events
                        .iter()
                        .filter(|e| e.event == rule.event)
                        .map(|e| format!("{} {}", e.occurred_on, e.description))
                        .collect();
                    view! {
                        <li>
                            {lang.tf("explain.deduction", &[&event_label(lang, &rule.event), &count.to_string(), &rule.points.to_string(), &Points(rule.points.0.saturating_mul(*count)).to_string()])}
                            {rule.bars_excellent.then(|| view! { " " <span class="badge warn">{lang.t("assessment.barred")}</span> })}
                            <ul class="events">{events.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <td data-label=lang.t("field.category")>{lang.t(&format!("category.{}", ind.category)).to_string()}</td>
                    <td data-label=lang.t("field.indicator")>{ind.name.clone()} " " <code>{ind.code.clone()}</code></td>
                    <td class="num" data-label=lang.t("field.max")>{ind.max.to_string()}</td>
                    <td data-label=lang.t("explain.base")>{how} {origin}</td>
                    <td data-label=lang.t("explain.deductions")><ul class="plain">{deductions}</ul></td>
                    <td class="num" data-label=lang.t("explain.score")>{line.score.map(|p| p.to_string()).unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    let cap = s.bonus_cap;
    let bonus_line = lang.tf(
        "explain.bonus",
        &[
            &o.bonus.to_string(),
            &cap.to_string(),
            &o.bonus_counted.to_string(),
        ],
    );
    let grade_line = match (o.threshold_grade, o.grade) {
        (Some(Grade::Excellent), Some(Grade::Good)) if o.barred_from_excellent => {
            Some(lang.t("explain.barred").to_string())
        }
        (Some(Grade::Excellent), Some(Grade::Good)) => Some(lang.tf(
            "explain.quota",
            &[
                &s.excellent_quota_percent.unwrap_or(0).to_string(),
                &a.quota_places.unwrap_or(0).to_string(),
                &o.rank.unwrap_or(0).to_string(),
            ],
        )),
        _ => None,
    };
    let confirmed: Vec<VetoRow> = a
        .vetoes
        .iter()
        .filter(|v| v.status == VetoStatus::Confirmed)
        .cloned()
        .collect();
    view! {
        <section class="card" data-test="explanation">
            <h2>{lang.t("explain.title")}</h2>
            <div class="table-wrap">
                <table class="data">
                    <thead>
                        <tr>
                            <th>{lang.t("field.category")}</th>
                            <th>{lang.t("field.indicator")}</th>
                            <th class="num">{lang.t("field.max")}</th>
                            <th>{lang.t("explain.base")}</th>
                            <th>{lang.t("explain.deductions")}</th>
                            <th class="num">{lang.t("explain.score")}</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                </table>
            </div>
            <p>{bonus_line}</p>
            <ul class="plain">
                {a.bonuses.clone().into_iter().map(|b| view! { <li>{format!("+{} {}", b.points, b.reason)}</li> }).collect_view()}
            </ul>
            {grade_line.map(|l| view! { <p class="muted">{l}</p> })}
            {(!confirmed.is_empty()).then(|| view! {
                <div class="veto-box" data-test="veto-explained">
                    <h3>{lang.t("explain.veto")}</h3>
                    {confirmed.into_iter().map(|v| view! {
                        <p>
                            <strong>{v.reason.clone()}</strong><br />
                            {lang.tf("explain.veto_evidence", &[&v.evidence])}<br />
                            <span class="muted">{lang.tf("explain.veto_by", &[&v.proposed_by, v.decided_by.as_deref().unwrap_or(""), &v.decided_at.map(local_time).unwrap_or_default()])}</span>
                        </p>
                    }).collect_view()}
                </div>
            })}
        </section>
    }
}

/// The sheet: manual scores with a live total, events, bonuses.
fn scoring(a: &UnitAssessment, lang: Lang, act: Actions) -> impl IntoView + use<> {
    let scheme = a.scheme.def.scheme.clone();
    let (scheme_id, unit_id) = (a.scheme.id, a.unit.id);
    // The sheet as stored, whose manual entries the inputs replace.
    let mut base_sheet = Sheet {
        unit: a.unit.code.clone(),
        entries: vec![Entry::Missing; scheme.indicators.len()],
        vetoed: a.outcome.vetoed,
        bonuses: a.bonuses.iter().map(|b| b.points).collect(),
        events: Vec::new(),
    };
    for (i, ind) in scheme.indicators.iter().enumerate() {
        if let Some((_, m)) = a.ratios.iter().find(|r| r.0 == ind.code) {
            base_sheet.entries[i] = Entry::Ratio(m.numerator, m.denominator);
        }
    }
    for e in &a.events {
        if let Some(r) = scheme.deductions.iter().position(|d| d.event == e.event) {
            base_sheet.events.push((r, e.count));
        }
    }
    let manual: Vec<(usize, String, String)> = scheme
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| i.method == Method::Manual)
        .map(|(i, ind)| {
            let stored = a.scores.iter().find(|s| s.indicator == ind.code);
            (
                i,
                stored.map(|s| s.points.to_string()).unwrap_or_default(),
                stored.map(|s| s.note.clone()).unwrap_or_default(),
            )
        })
        .collect();
    // The running total: an island with the rules and the texts it needs.
    let mut texts: std::collections::HashMap<String, String> = LiveSheet::KEYS
        .iter()
        .map(|k| (k.to_string(), lang.t(k).to_string()))
        .collect();
    texts.insert(
        "sep".into(),
        if lang == Lang::Zh { "；" } else { "; " }.into(),
    );
    let live = LiveSheet {
        scheme: scheme.clone(),
        base: base_sheet,
        manual: manual
            .iter()
            .map(|(i, _, _)| (*i, scheme.indicators[*i].code.clone()))
            .collect(),
        texts,
    };
    let initial = {
        let typed: std::collections::HashMap<&str, &str> = manual
            .iter()
            .map(|(i, v, _)| (scheme.indicators[*i].code.as_str(), v.as_str()))
            .collect();
        live.say(|code| typed.get(code).map(|v| v.to_string()).unwrap_or_default())
    };
    let rules = scheme.deductions.clone();
    view! {
        <section class="card" data-test="sheet">
            <h2>{lang.t("assessment.sheet")}</h2>
            <ActForm action=act.scores shows_result=true>
                <input type="hidden" name="scheme_id" value=scheme_id.to_string() />
                <input type="hidden" name="unit_id" value=unit_id.to_string() />
                <div class="table-wrap">
                    <table class="data edit">
                        <thead>
                            <tr>
                                <th>{lang.t("field.indicator")}</th>
                                <th class="num">{lang.t("field.max")}</th>
                                <th>{lang.t("field.points")}</th>
                                <th>{lang.t("field.note")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {manual
                                .iter()
                                .enumerate()
                                .map(|(row, (i, value, note))| {
                                    let ind = &scheme.indicators[*i];
                                    let value = value.clone();
                                    view! {
                                        <tr>
                                            <td data-label=lang.t("field.indicator")>
                                                {ind.name.clone()}
                                                <input type="hidden" name=format!("scores[{row}][indicator]") value=ind.code.clone() />
                                            </td>
                                            <td class="num" data-label=lang.t("field.max")>{ind.max.to_string()}</td>
                                            <td data-label=lang.t("field.points")>
                                                <input type="text" inputmode="decimal" size="6" name=format!("scores[{row}][points]")
                                                    data-indicator=ind.code.clone()
                                                    value=value />
                                            </td>
                                            <td data-label=lang.t("field.note")>
                                                <input type="text" maxlength="500" name=format!("scores[{row}][note]") value=note.clone() />
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <LiveTotal sheet=live initial />
                {action_error(act.scores)}
                {move || act.scores.value().get().and_then(|r| r.ok()).map(|n| view! {
                    <p class="ok" role="status">{lang.tf("assessment.scores_saved", &[&n.to_string()])}</p>
                })}
                <button type="submit" class="primary">{lang.t("assessment.save_scores")}</button>
            </ActForm>
        </section>
        <section class="card" data-test="events">
            <h2>{lang.t("assessment.events")}</h2>
            <ul class="plain">
                {a.events.iter().map(|e| {
                    let id = e.id;
                    let rule = rules.iter().find(|r| r.event == e.event);
                    let effect = match rule {
                        Some(r) => lang.tf("assessment.event_effect", &[&Points(r.points.0 * e.count).to_string(), &r.indicator]),
                        None => lang.t("assessment.event_no_rule").to_string(),
                    };
                    view! {
                        <li>
                            {format!("{} · {} ×{} · {} · ", e.occurred_on, event_label(lang, &e.event), e.count, e.description)}
                            <span class="muted">{effect}</span>
                            {e.source.as_deref().map(|src| view! { " · " {super::evidence::source_view(src, lang)} })}
                            {(e.incident_id.is_none() && e.source.is_none()).then(|| view! {
                                " "
                                <Confirm label=lang.t("action.remove") consequence=lang.t("assessment.remove_event_consequence") test="remove-event">
                                    <ActForm action=act.remove_event attr:class="inline">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <button type="submit" class="primary">{lang.t("action.remove_confirm")}</button>
                                    </ActForm>
                                </Confirm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActForm action=act.add_event attr:class="grid">
                <input type="hidden" name="scheme_id" value=scheme_id.to_string() />
                <input type="hidden" name="unit_id" value=unit_id.to_string() />
                <label>{lang.t("field.event")}
                    <select name="event">
                        {rules.iter().map(|r| view! { <option value=r.event.clone()>{event_label(lang, &r.event)}</option> }).collect_view()}
                        {EVENT_TYPES.into_iter().filter(|e| !rules.iter().any(|r| r.event == *e)).map(|e| view! { <option value=e>{event_label(lang, e)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{lang.t("field.count")}<input type="number" name="count" min="1" max="100" value="1" /></label>
                <label>{lang.t("field.occurred_on")}<input type="date" name="occurred_on" /></label>
                <label class="wide">{lang.t("field.description")}<input type="text" name="description" required maxlength="500" /></label>
                {action_error(act.add_event)}
                {action_error(act.remove_event)}
                <button type="submit">{lang.t("assessment.add_event")}</button>
            </ActForm>
        </section>
        <section class="card" data-test="bonuses">
            <h2>{lang.t("assessment.bonuses")}</h2>
            <ul class="plain">
                {a.bonuses.clone().into_iter().map(|b| view! {
                    <li>
                        {format!("+{} · {} · {} ", b.points, b.reason, b.created_by)}
                        <Confirm label=lang.t("action.remove") consequence=lang.t("assessment.remove_bonus_consequence") test="remove-bonus">
                            <ActForm action=act.remove_bonus attr:class="inline">
                                <input type="hidden" name="id" value=b.id.to_string() />
                                <button type="submit" class="primary">{lang.t("action.remove_confirm")}</button>
                            </ActForm>
                        </Confirm>
                    </li>
                }).collect_view()}
            </ul>
            <ActForm action=act.add_bonus attr:class="grid">
                <input type="hidden" name="scheme_id" value=scheme_id.to_string() />
                <input type="hidden" name="unit_id" value=unit_id.to_string() />
                <label>{lang.t("field.points")}<input type="text" inputmode="decimal" name="points" required size="6" /></label>
                <label class="wide">{lang.t("field.reason")}<input type="text" name="reason" required maxlength="200" /></label>
                {action_error(act.add_bonus)}
                {action_error(act.remove_bonus)}
                <button type="submit">{lang.t("assessment.add_bonus")}</button>
            </ActForm>
        </section>
    }
}

/// Vetoes of this unit's year: propose one, decide another's, revoke.
fn vetoes_section(a: &UnitAssessment, lang: Lang, act: Actions) -> impl IntoView + use<> {
    let me = use_me();
    let assessor = me
        .as_ref()
        .is_some_and(|m| m.may_at(Action::Assess, &a.unit.path));
    let my_id = me.map(|m| m.account_id);
    let open = !a.scheme.published;
    let (scheme_id, unit_id) = (a.scheme.id, a.unit.id);
    view! {
        <section class="card" data-test="vetoes">
            <h2>{lang.t("veto.title")}</h2>
            <p class="muted">{lang.t("veto.help")}</p>
            {veto_list(a.vetoes.clone(), lang, act, my_id, assessor && open)}
            {(assessor && open).then(|| view! {
                <h3>{lang.t("veto.propose")}</h3>
                <ActForm action=act.propose>
                    <input type="hidden" name="scheme_id" value=scheme_id.to_string() />
                    <input type="hidden" name="unit_id" value=unit_id.to_string() />
                    <label>{lang.t("field.reason")}<input type="text" name="reason" required maxlength="500" /></label>
                    <label>{lang.t("field.evidence")}<TextArea name="evidence" required=true maxlength=2000 rows=3 /></label>
                    {action_error(act.propose)}
                    <button type="submit" class="primary" data-test="propose-veto">{lang.t("veto.propose")}</button>
                </ActForm>
            })}
        </section>
    }
}

/// A list of vetoes with the buttons the viewer may use. The confirm button
/// is shown to the proposer too, disabled: the server refuses it anyway.
pub fn veto_list(
    vetoes: Vec<VetoRow>,
    lang: Lang,
    act_decide: impl Into<DecideAction>,
    my_id: Option<i64>,
    may_decide: bool,
) -> impl IntoView {
    let decide = act_decide.into().0;
    if vetoes.is_empty() {
        return view! { <p class="muted">{lang.t("veto.none")}</p> }.into_any();
    }
    view! {
        <ul class="plain vetoes">
            {vetoes
                .into_iter()
                .map(|v| {
                    let own = my_id.is_some() && v.proposed_by_id == my_id;
                    let may_decide = may_decide && !v.locked;
                    let id = v.id.to_string();
                    view! {
                        <li data-veto=v.id.to_string() data-status=v.status.code()>
                            <span class=format!("badge veto-{}", v.status.code())>{lang.t(v.status.label_key())}</span>
                            " " <strong>{v.unit_name.clone()}</strong> " · " {v.reason.clone()}
                            <br /><span class="muted">{lang.tf("veto.proposed_by", &[&v.proposed_by, &local_time(v.proposed_at)])}</span>
                            <br /><span>{lang.tf("explain.veto_evidence", &[&v.evidence])}</span>
                            {v.decided_by.clone().map(|d| view! { <br /><span class="muted">{lang.tf("veto.decided_by", &[&d, &v.decided_at.map(local_time).unwrap_or_default()])}</span> })}
                            {(v.status == VetoStatus::Revoked).then(|| v.revoke_reason.clone()).flatten().map(|r| view! { <br /><span class="muted">{lang.tf("veto.revoked_because", &[v.revoked_by.as_deref().unwrap_or(""), &r])}</span> })}
                            {(may_decide && v.status == VetoStatus::Proposed).then({
                                let id = id.clone();
                                move || {
                                let id2 = id.clone();
                                view! {
                                    <div class="decide">
                                        {own.then(|| view! { <p class="muted">{lang.t("veto.own_hint")}</p> })}
                                        <Confirm label=lang.t("veto.confirm") consequence=lang.t("veto.confirm_consequence") test="confirm-veto-open">
                                            <ActForm action=decide attr:class="inline">
                                                <input type="hidden" name="id" value=id.clone() />
                                                <input type="hidden" name="decision" value="confirm" />
                                                <button type="submit" class="primary" data-test="confirm-veto">{lang.t("veto.confirm")}</button>
                                            </ActForm>
                                        </Confirm>
                                        <ActForm action=decide attr:class="inline">
                                            <input type="hidden" name="id" value=id2 />
                                            <input type="hidden" name="decision" value="reject" />
                                            <input type="text" name="note" placeholder=lang.t("veto.note") maxlength="500" />
                                            <button type="submit" data-test="reject-veto">{lang.t("veto.reject")}</button>
                                        </ActForm>
                                    </div>
                                }
                            }})}
                            {revocation_block(&v, lang, decide, my_id, may_decide)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {action_error(decide)}
    }
    .into_any()
}

/// A confirmed veto's revocation: the form to ask for one, or the pending
/// request (who asked, when and why) with the buttons of a second assessor
/// or, for the one who asked, a hint that someone else decides.
fn revocation_block(
    v: &VetoRow,
    lang: Lang,
    decide: ServerAction<DecideVeto>,
    my_id: Option<i64>,
    may_decide: bool,
) -> Option<AnyView> {
    if v.status != VetoStatus::Confirmed {
        return None;
    }
    let id = v.id.to_string();
    match (v.revoke_proposed_by.clone(), v.revoke_proposed_at) {
        (Some(by), Some(at)) => {
            let own = my_id.is_some() && v.revoke_proposed_by_id == my_id;
            let reason = v.revoke_reason.clone().unwrap_or_default();
            let id2 = id.clone();
            Some(
                view! {
                    <div class="decide" data-test="revocation-pending">
                        <p class="warn">{lang.tf("veto.revocation_pending", &[&by, &local_time(at), &reason])}</p>
                        {(may_decide && own).then(|| view! { <p class="muted">{lang.t("veto.revocation_own_hint")}</p> })}
                        {(may_decide && !own).then(|| view! {
                            <ActForm action=decide attr:class="inline">
                                <input type="hidden" name="id" value=id.clone() />
                                <input type="hidden" name="decision" value="confirm_revoke" />
                                <button type="submit" class="primary" data-test="confirm-revoke">{lang.t("veto.revoke_confirm")}</button>
                            </ActForm>
                            <ActForm action=decide attr:class="inline">
                                <input type="hidden" name="id" value=id2.clone() />
                                <input type="hidden" name="decision" value="reject_revoke" />
                                <input type="text" name="note" placeholder=lang.t("veto.note") maxlength="500" />
                                <button type="submit" data-test="reject-revoke">{lang.t("veto.revoke_reject")}</button>
                            </ActForm>
                        })}
                    </div>
                }
                .into_any(),
            )
        }
        _ => may_decide.then(|| {
            view! {
                <ActForm action=decide attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="decision" value="revoke" />
                    <input type="text" name="note" required placeholder=lang.t("veto.revoke_reason") maxlength="500" />
                    <button type="submit" data-test="revoke-veto">{lang.t("veto.revoke_propose")}</button>
                </ActForm>
            }
            .into_any()
        }),
    }
}

/// The decide action, from the sheet's set of actions or on its own.
pub struct DecideAction(pub ServerAction<DecideVeto>);

impl From<Actions> for DecideAction {
    fn from(a: Actions) -> Self {
        DecideAction(a.decide)
    }
}

impl From<ServerAction<DecideVeto>> for DecideAction {
    fn from(a: ServerAction<DecideVeto>) -> Self {
        DecideAction(a)
    }
}
