//! The annual assessment's screens: the schemes of each year and their
//! editor (here), the ranking (`results`), one unit's sheet and its
//! explanation (`sheet`), and the review lists: vetoes, incident reports,
//! metrics (`reviews`).

pub mod evidence;
pub mod results;
pub mod reviews;
pub mod sheet;

use crate::areas::assessment::api::{
    CopyScheme, SaveScheme, SchemeEditor, list_schemes, load_scheme_editor,
};
use crate::components::ActForm;
use crate::components::act;
use crate::components::islands::{AddRow, MaximaSum};
use crate::components::nav::{Area, NavLink, Need};
use crate::components::{action_error, gated, id_param, use_lang, when_ready};
use crate::domain::authz::{Action, Principal, Reach};
use crate::domain::incident::Level;
use crate::domain::scheme::{CATEGORIES, EVENT_TYPES, IndicatorForm, METRICS, RuleForm};
use crate::domain::unit::UnitKind;
use crate::i18n::Lang;
use crate::model::SchemeSummary;
use leptos::prelude::*;

/// Scheme management reaches the whole district (the server checks the
/// same).
pub fn manages_schemes(me: &Principal) -> bool {
    me.reach(Action::Assess) == Reach::Everywhere
}

/// The assessment area, parent route of its pages (`nav::Area`): its links
/// along the top.
#[component]
pub fn AssessmentArea() -> impl IntoView {
    const LINKS: &[NavLink] = &[
        (
            "/assessment",
            "assessment.schemes",
            Need::May(Action::ViewAssessment),
        ),
        (
            "/assessment/vetoes",
            "veto.title",
            Need::May(Action::ViewAssessment),
        ),
        (
            "/assessment/incidents",
            "incident.title",
            Need::May(Action::LogIncidents),
        ),
        (
            "/assessment/metrics",
            "metric.title",
            Need::May(Action::ViewAssessment),
        ),
    ];
    view! { <Area links=LINKS /> }
}

#[component]
pub fn SchemesPage() -> impl IntoView {
    let lang = use_lang();
    let copy = act::<CopyScheme>();
    gated(Some(Action::ViewAssessment), move |me| {
        let schemes = Resource::new(move || copy.version().get(), |_| list_schemes());
        let manage = manages_schemes(&me);
        view! {
            <div class="page-head">
                <h1>{lang.t("assessment.schemes")}</h1>
                {manage.then(|| view! { <a class="button primary" href="/assessment/schemes/new">{lang.t("assessment.new_scheme")}</a> })}
            </div>
            <p class="intro muted">{lang.t("assessment.intro")}</p>
            {action_error(copy)}
            <Transition fallback=|| ()>
                {move || when_ready(schemes, lang, move |list: Vec<SchemeSummary>| scheme_table(list, lang, manage, copy))}
            </Transition>
        }
        .into_any()
    })
}

fn scheme_table(
    list: Vec<SchemeSummary>,
    lang: Lang,
    manage: bool,
    copy: ServerAction<CopyScheme>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("assessment.no_schemes")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="schemes">
                <thead>
                    <tr>
                        <th>{lang.t("field.year")}</th>
                        <th>{lang.t("field.name")}</th>
                        <th>{lang.t("field.code")}</th>
                        <th>{lang.t("field.unit_kinds")}</th>
                        <th class="num">{lang.t("field.indicators")}</th>
                        <th>{lang.t("assessment.status")}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|s| {
                            let kinds = s.unit_kinds.iter().map(|k| lang.t(k.label_key())).collect::<Vec<_>>().join(lang.sep());
                            let id = s.id;
                            view! {
                                <tr>
                                    <td data-label=lang.t("field.year")>{s.year}</td>
                                    <td data-label=lang.t("field.name")>
                                        <a href=format!("/assessment/schemes/{id}")>{s.name.clone()}</a>
                                    </td>
                                    <td data-label=lang.t("field.code")><code>{s.code.clone()}</code></td>
                                    <td data-label=lang.t("field.unit_kinds")>{kinds}</td>
                                    <td class="num" data-label=lang.t("field.indicators")>{s.indicators}</td>
                                    <td data-label=lang.t("assessment.status")>
                                        {if s.published {
                                            view! { <span class="badge done">{lang.t("assessment.published")}</span> }.into_any()
                                        } else {
                                            view! { <span class="badge">{lang.t("assessment.open")}</span> }.into_any()
                                        }}
                                    </td>
                                    <td class="actions">
                                        <a href=format!("/assessment/schemes/{id}")>{lang.t("assessment.results")}</a>
                                        {(manage && !s.published).then(|| view! {
                                            " · " <a href=format!("/assessment/schemes/{id}/edit")>{lang.t("action.edit")}</a>
                                        })}
                                        {manage.then(|| view! {
                                            <ActForm action=copy next="/assessment/schemes/{id}/edit" attr:class="inline">
                                                <input type="hidden" name="id" value=id.to_string() />
                                                <button type="submit" class="link">{lang.tf("assessment.copy_to", &[&(s.year + 1).to_string()])}</button>
                                            </ActForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Creating (`/assessment/schemes/new`) or changing
/// (`/assessment/schemes/:id/edit`) a scheme.
#[component]
pub fn SchemeEditPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SaveScheme>();
    gated(Some(Action::Assess), move |me| {
        if !manages_schemes(&me) {
            return view! { <crate::components::ErrorPanel error=crate::error::AppError::Forbidden /> }.into_any();
        }
        let editor = Resource::new(id, |id| load_scheme_editor((id > 0).then_some(id)));
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(editor, lang, move |e: SchemeEditor| scheme_form(e, lang, save))}
            </Suspense>
        }
        .into_any()
    })
}

fn scheme_form(e: SchemeEditor, lang: Lang, save: ServerAction<SaveScheme>) -> impl IntoView {
    let f = e.form;
    let title = if e.id.is_some() {
        format!("{} · {}", lang.t("assessment.edit_scheme"), f.name)
    } else {
        lang.t("assessment.new_scheme").to_string()
    };
    let codes: Vec<String> = f
        .indicators
        .iter()
        .map(|i| i.code.clone())
        .filter(|c| !c.is_empty())
        .collect();
    // The sum of the maxima as stored; an island keeps it as typed.
    let sum: i64 = f
        .indicators
        .iter()
        .filter_map(|i| crate::domain::assessment::Points::parse(&i.max))
        .map(|p| p.0)
        .sum();
    let first_rows = f.indicators.len();
    let first_rules = f.rules.len();
    let kinds = f.kinds.clone();
    view! {
        <h1>{title}</h1>
        {e.published.then(|| view! { <p class="error">{lang.t("problem.scheme_published")}</p> })}
        <ActForm action=save next="/assessment/schemes/{id}" attr:class="scheme-form" attr:data-test="scheme-form">
            {e.id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <section class="card">
                <h2>{lang.t("assessment.basics")}</h2>
                <div class="grid">
                    <label>{lang.t("field.year")}<input type="number" name="form[year]" min="2000" max="2100" required value=f.year.clone() /></label>
                    <label>{lang.t("field.code")}<input type="text" name="form[code]" required maxlength="32" value=f.code.clone() /></label>
                    <label class="wide">{lang.t("field.name")}<input type="text" name="form[name]" required maxlength="80" value=f.name.clone() /></label>
                </div>
                <fieldset>
                    <legend>{lang.t("field.unit_kinds")}</legend>
                    {UnitKind::ALL
                        .into_iter()
                        .map(|k| view! {
                            <label class="check">
                                <input type="checkbox" name=format!("form[kinds][{}]", k.code()) value="1" checked=kinds.contains_key(k.code()) />
                                {lang.t(k.label_key())}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <div class="grid">
                    <label>{lang.t("field.grade_excellent")}<input type="text" inputmode="decimal" name="form[excellent]" value=f.excellent.clone() /></label>
                    <label>{lang.t("field.grade_good")}<input type="text" inputmode="decimal" name="form[good]" value=f.good.clone() /></label>
                    <label>{lang.t("field.grade_pass")}<input type="text" inputmode="decimal" name="form[pass]" value=f.pass.clone() /></label>
                    <label>{lang.t("field.bonus_cap")}<input type="text" inputmode="decimal" name="form[bonus_cap]" value=f.bonus_cap.clone() /></label>
                    <label>{lang.t("field.excellent_quota")}<input type="number" min="1" max="100" name="form[quota]" value=f.quota.clone() /></label>
                </div>
                <fieldset>
                    <legend>{lang.t("assessment.deadlines")}</legend>
                    <div class="grid">
                        {Level::ALL
                            .into_iter()
                            .map(|l| view! {
                                <label>
                                    {lang.t(l.deadline_field())}
                                    <input type="number" min="1" max="10080" name=format!("form[deadlines][{}]", l.code()) value=f.deadlines.get(l.code()).cloned().unwrap_or_default() />
                                </label>
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            </section>
            <section class="card">
                <h2>{lang.t("field.indicators")}</h2>
                <p class="muted">{lang.t("assessment.indicators_help")}</p>
                <div class="table-wrap">
                    <table class="data edit" data-test="indicators">
                        <thead>
                            <tr>
                                <th>"#"</th>
                                <th>{lang.t("field.code")}</th>
                                <th>{lang.t("field.category")}</th>
                                <th>{lang.t("field.name")}</th>
                                <th>{lang.t("field.max")}</th>
                                <th>{lang.t("field.method")}</th>
                                <th>{lang.t("field.metric")}</th>
                                <th>{lang.t("field.target_percent")}</th>
                            </tr>
                        </thead>
                        <tbody id="indicator-rows">
                            {f.indicators
                                .iter()
                                .enumerate()
                                .map(|(i, row)| indicator_row(&i.to_string(), &(i + 1).to_string(), row.clone(), lang))
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <template id="indicator-row">{indicator_row("__i__", "__n__", IndicatorForm::default(), lang)}</template>
                <AddRow label=lang.t("assessment.add_row").to_string() template="indicator-row".to_string() body="indicator-rows".to_string() next=first_rows test="add-indicator".to_string() />
                <MaximaSum template=lang.t("assessment.maxima_sum").to_string() initial=sum />
            </section>
            <section class="card">
                <h2>{lang.t("assessment.deductions")}</h2>
                <datalist id="event-types">
                    {EVENT_TYPES.into_iter().map(|e| view! { <option value=e>{lang.t(&format!("event.{e}")).to_string()}</option> }).collect_view()}
                </datalist>
                <datalist id="indicator-codes">
                    {codes.into_iter().map(|c| view! { <option value=c.clone()></option> }).collect_view()}
                </datalist>
                <div class="table-wrap">
                    <table class="data edit" data-test="rules">
                        <thead>
                            <tr>
                                <th>"#"</th>
                                <th>{lang.t("field.event")}</th>
                                <th>{lang.t("field.indicator")}</th>
                                <th>{lang.t("field.points_per_event")}</th>
                                <th>{lang.t("field.bars_excellent")}</th>
                            </tr>
                        </thead>
                        <tbody id="rule-rows">
                            {f.rules.iter().enumerate().map(|(i, r)| rule_row(&i.to_string(), &(i + 1).to_string(), r.clone(), lang)).collect_view()}
                        </tbody>
                    </table>
                </div>
                <template id="rule-row">{rule_row("__i__", "__n__", RuleForm::default(), lang)}</template>
                <AddRow label=lang.t("assessment.add_row").to_string() template="rule-row".to_string() body="rule-rows".to_string() next=first_rules test="add-rule".to_string() />
            </section>
            {action_error(save)}
            <button type="submit" class="primary" disabled=e.published>{lang.t("action.save")}</button>
        </ActForm>
    }
}

/// One editable indicator row (`i` its index in the form, `number` what
/// the first cell says); its maximum counts in the sum (`data-max`).
fn indicator_row(i: &str, number: &str, row: IndicatorForm, lang: Lang) -> impl IntoView + use<> {
    let n = |field: &str| format!("form[indicators][{i}][{field}]");
    let number = number.to_string();
    let IndicatorForm {
        code,
        category,
        name,
        max: max_text,
        method,
        metric,
        target,
    } = row;
    view! {
        <tr>
            <td>{number}</td>
            <td data-label=lang.t("field.code")><input type="text" name=n("code") maxlength="32" value=code /></td>
            <td data-label=lang.t("field.category")>
                <select name=n("category")>
                    {CATEGORIES.into_iter().map(|c| view! {
                        <option value=c selected=category == c>{lang.t(&format!("category.{c}")).to_string()}</option>
                    }).collect_view()}
                    {(!category.is_empty() && !CATEGORIES.contains(&category.as_str())).then(|| view! {
                        <option value=category.clone() selected=true>{category.clone()}</option>
                    })}
                </select>
            </td>
            <td data-label=lang.t("field.name")><input type="text" name=n("name") maxlength="80" value=name /></td>
            <td data-label=lang.t("field.max")>
                <input type="text" inputmode="decimal" size="5" name=n("max") value=max_text data-max="" />
            </td>
            <td data-label=lang.t("field.method")>
                <select name=n("method")>
                    <option value="manual" selected=method != "ratio">{lang.t("method.manual")}</option>
                    <option value="ratio" selected=method == "ratio">{lang.t("method.ratio")}</option>
                </select>
            </td>
            <td data-label=lang.t("field.metric")>
                <select name=n("metric")>
                    <option value="">"—"</option>
                    {METRICS.into_iter().map(|m| view! {
                        <option value=m selected=metric == m>{lang.t(&format!("metric.{m}")).to_string()}</option>
                    }).collect_view()}
                    {(!metric.is_empty() && !METRICS.contains(&metric.as_str())).then(|| view! {
                        <option value=metric.clone() selected=true>{metric.clone()}</option>
                    })}
                </select>
            </td>
            <td data-label=lang.t("field.target_percent")><input type="text" inputmode="decimal" size="5" name=n("target") value=target /></td>
        </tr>
    }
}

/// One editable deduction rule row.
fn rule_row(i: &str, number: &str, r: RuleForm, lang: Lang) -> impl IntoView + use<> {
    let number = number.to_string();
    let n = |field: &str| format!("form[rules][{i}][{field}]");
    view! {
        <tr>
            <td>{number}</td>
            <td data-label=lang.t("field.event")><input type="text" list="event-types" name=n("event") value=r.event /></td>
            <td data-label=lang.t("field.indicator")><input type="text" list="indicator-codes" name=n("indicator") value=r.indicator /></td>
            <td data-label=lang.t("field.points_per_event")><input type="text" inputmode="decimal" size="5" name=n("points") value=r.points /></td>
            <td data-label=lang.t("field.bars_excellent")><input type="checkbox" name=n("bars") value="1" checked=!r.bars.is_empty() /></td>
        </tr>
    }
}
