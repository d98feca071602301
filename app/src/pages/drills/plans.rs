//! Emergency plans (应急预案): the list, the editor, one plan with its
//! versions walked through 编制 → 审批 → 发布 → 备案 (and 修订), its
//! document, and plan coverage (应急预案编制率) against the 97% target.

use super::drill_table;
use crate::areas::drills::api::SyncDrillMetrics;
use crate::areas::eplans::api::{
    PlanEditor, PlansPage, ReviseEmergencyPlan, SaveEmergencyPlan, StepEmergencyPlan,
    get_emergency_plan, get_emergency_plan_editor, get_plan_coverage, list_emergency_plans,
};
use crate::components::act;
use crate::components::{ActForm, Confirm};
use crate::components::{
    TextArea, UnitSelect, action_error, gated, id_param, query_problem, use_lang, when_ready,
};
use crate::domain::authz::{Action, Reach};
use crate::domain::drills::{MAX_DOCUMENT_BYTES, PlanKind, PlanStatus, PlanStep, Share};
use crate::domain::local_time;
use crate::i18n::Lang;
use crate::model::{PlanCoverageReport, PlanDetail, PlanRow, PlanVersionRow};
use leptos::prelude::*;

pub fn plan_status_badge(s: PlanStatus, lang: Lang) -> impl IntoView {
    let class = match s {
        PlanStatus::Filed => "badge done",
        PlanStatus::Superseded => "badge muted",
        PlanStatus::Draft => "badge",
        _ => "badge warn",
    };
    view! { <span class=class data-test="plan-status">{lang.t(&s.label_key()).to_string()}</span> }
}

fn force_badge(p: &PlanRow, lang: Lang) -> AnyView {
    match p.in_force {
        Some(v) => view! { <span class="badge done">{lang.tf("eplan.in_force_v", &[&v.to_string()])}</span> }.into_any(),
        None => view! { <span class="badge bad">{lang.t("eplan.not_in_force")}</span> }.into_any(),
    }
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let lang = use_lang();
    gated(None, move |_| {
        let data = Resource::new(|| (), |_| list_emergency_plans());
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |p: PlansPage| view! {
                    <div class="page-head">
                        <h1>{lang.t("eplan.title")}</h1>
                        {p.may_manage.then(|| view! { <a class="button primary" href="/drills/plans/new">{lang.t("eplan.new")}</a> })}
                    </div>
                    <p class="intro muted">{lang.t("eplan.intro")}</p>
                    {plan_table(p.plans, lang)}
                })}
            </Transition>
        }
        .into_any()
    })
}

fn plan_table(list: Vec<PlanRow>, lang: Lang) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("eplan.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="plans">
                <thead>
                    <tr>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("field.title")}</th>
                        <th>{lang.t("field.plan_kind")}</th>
                        <th class="num">{lang.t("eplan.version")}</th>
                        <th>{lang.t("assessment.status")}</th>
                        <th>{lang.t("field.revise_by")}</th>
                        <th>{lang.t("eplan.in_force")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|p| view! {
                            <tr class:flagged=p.drill_overdue>
                                <td data-label=lang.t("field.unit")>{p.unit_name.clone()}</td>
                                <td data-label=lang.t("field.title")>
                                    <a href=format!("/drills/plans/{}", p.id)>{p.title.clone()}</a>
                                    {p.drill_overdue.then(|| view! { " " <span class="badge bad">{lang.t("eplan.drill_overdue")}</span> })}
                                </td>
                                <td data-label=lang.t("field.plan_kind")>{lang.t(&p.kind.label_key()).to_string()}</td>
                                <td class="num" data-label=lang.t("eplan.version")>{p.version}</td>
                                <td data-label=lang.t("assessment.status")>{plan_status_badge(p.status, lang)}</td>
                                <td data-label=lang.t("field.revise_by")>{p.revise_by.to_string()}</td>
                                <td data-label=lang.t("eplan.in_force")>{force_badge(&p, lang)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Drafting (`/drills/plans/new`) or changing the draft of
/// (`/drills/plans/:id/edit`) a plan.
#[component]
pub fn PlanEditPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SaveEmergencyPlan>();
    gated(Some(Action::ManageDrills), move |_| {
        let editor = Resource::new(id, |id| get_emergency_plan_editor((id > 0).then_some(id)));
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(editor, lang, move |e: PlanEditor| plan_form(e, lang, save))}
            </Suspense>
        }
        .into_any()
    })
}

fn plan_form(e: PlanEditor, lang: Lang, save: ServerAction<SaveEmergencyPlan>) -> impl IntoView {
    let f = e.form;
    let existing = e.id.is_some();
    let heading = if existing {
        format!("{} · {}", lang.t("eplan.edit"), f.title)
    } else {
        lang.t("eplan.new").to_string()
    };
    let unit: Option<i64> = f.unit_id.parse().ok();
    view! {
        <h1>{heading}</h1>
        <ActForm action=save next="/drills/plans/{id}" attr:class="plan-form" attr:data-test="eplan-form">
            {e.id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <section class="card">
                <div class="grid">
                    {if existing {
                        view! {
                            <input type="hidden" name="form[unit_id]" value=f.unit_id.clone() />
                            <input type="hidden" name="form[kind]" value=f.kind.clone() />
                        }
                            .into_any()
                    } else {
                        view! {
                            <label class="wide">
                                {lang.t("field.unit")}
                                <UnitSelect units=e.units.clone() name="form[unit_id]" selected=unit blank="common.choose" />
                            </label>
                            <label>
                                {lang.t("field.plan_kind")}
                                <select name="form[kind]">
                                    <option value="">"—"</option>
                                    {PlanKind::ALL.iter().map(|k| view! { <option value=k.code() selected=f.kind == k.code()>{lang.t(&k.label_key()).to_string()}</option> }).collect_view()}
                                </select>
                            </label>
                        }
                            .into_any()
                    }}
                    <label class="wide">{lang.t("field.title")}<input type="text" name="form[title]" required maxlength="100" value=f.title.clone() /></label>
                    <label>{lang.t("field.revise_by")}<input type="date" name="form[revise_by]" required value=f.revise_by.clone() /></label>
                </div>
                <label>{lang.t("field.summary")}<TextArea rows=4 name="form[summary]" value=f.summary.clone() /></label>
            </section>
            {action_error(save)}
            <button type="submit" class="primary">{lang.t("action.save")}</button>
        </ActForm>
    }
}

#[derive(Clone, Copy)]
struct PlanActions {
    step: ServerAction<StepEmergencyPlan>,
    revise: ServerAction<ReviseEmergencyPlan>,
}

/// One plan: its versions newest first, the step the newest can take,
/// revision, the document, and the drills that exercised it.
#[component]
pub fn PlanPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let a = PlanActions {
        step: act(),
        revise: act(),
    };
    let problem = query_problem();
    gated(None, move |_| {
        let detail = Resource::new(
            move || (id(), a.step.version().get(), a.revise.version().get()),
            |(id, ..)| get_emergency_plan(id),
        );
        view! {
            {move || problem.get().map(|p| view! {
                <p class="error" role="alert" data-test="upload-error">{lang.problem(&p)}</p>
            })}
            <Transition fallback=|| ()>
                {move || when_ready(detail, lang, move |d: PlanDetail| plan_view(d, lang, a))}
            </Transition>
        }
        .into_any()
    })
}

fn plan_view(d: PlanDetail, lang: Lang, a: PlanActions) -> impl IntoView {
    let p = d.plan.clone();
    let id = p.id;
    let latest = d.versions.first().cloned();
    let steps: Vec<_> = latest
        .as_ref()
        .map(|v| v.status.steps().to_vec())
        .unwrap_or_default();
    let may_revise = latest.as_ref().is_some_and(|v| v.status.may_revise());
    let may_upload = latest
        .as_ref()
        .is_some_and(|v| v.status.may_replace_document());
    let is_draft = latest
        .as_ref()
        .is_some_and(|v| v.status == PlanStatus::Draft);
    // Approving takes someone who did not write the version, and its
    // document; filing takes the document too. The steps that cannot be
    // taken are left out, with a word on why.
    let has_document = latest.as_ref().is_some_and(|v| v.document.is_some());
    let wants_document = steps
        .iter()
        .any(|s| matches!(s, PlanStep::Approve | PlanStep::File))
        && !has_document;
    let own_draft = d.own_draft && steps.contains(&PlanStep::Approve);
    let steps: Vec<_> = steps
        .into_iter()
        .filter(|s| match s {
            PlanStep::Approve => has_document && !d.own_draft,
            PlanStep::File => has_document,
            PlanStep::Publish | PlanStep::Return => true,
        })
        .collect();
    view! {
        <div class="page-head">
            <h1>{p.title.clone()}</h1>
            {plan_status_badge(p.status, lang)}
            {force_badge(&p, lang)}
        </div>
        <p class="muted">
            {format!("{} · {} · {} {}", p.unit_name, lang.t(&p.kind.label_key()), lang.t("field.revise_by"), p.revise_by)}
        </p>
        {p.drill_overdue.then(|| view! { <p class="error" data-test="drill-overdue">{lang.t("eplan.drill_overdue_help")}</p> })}
        {d.may_manage.then(|| view! {
            <div class="toolbar" data-test="plan-steps">
                {is_draft.then(|| view! { <a class="button" href=format!("/drills/plans/{id}/edit")>{lang.t("action.edit")}</a> })}
                {steps
                    .into_iter()
                    .map(|s| {
                        let form = view! {
                            <ActForm action=a.step attr:class="inline">
                                <input type="hidden" name="id" value=id.to_string() />
                                <input type="hidden" name="step" value=s.code() />
                                <button type="submit" class="primary" data-test=format!("step-{}", s.code())>{lang.t(&s.label_key()).to_string()}</button>
                            </ActForm>
                        };
                        // Filing puts the plan in force and moves plan
                        // coverage in the assessment: it asks first.
                        if s == crate::domain::drills::PlanStep::File {
                            view! {
                                <Confirm label=lang.t(&s.label_key()).to_string() consequence=lang.t("eplan.file_consequence") test="confirm-file">
                                    {form}
                                </Confirm>
                            }
                            .into_any()
                        } else {
                            form.into_any()
                        }
                    })
                    .collect_view()}
                {may_revise.then(|| view! {
                    <ActForm action=a.revise attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" data-test="revise">{lang.t("eplan.revise")}</button>
                    </ActForm>
                })}
            </div>
        })}
        {(d.may_manage && wants_document).then(|| view! { <p class="muted" data-test="needs-document">{lang.t("eplan.needs_document")}</p> })}
        {(d.may_manage && own_draft).then(|| view! { <p class="muted" data-test="own-draft">{lang.t("eplan.own_draft_hint")}</p> })}
        {action_error(a.step)}
        {action_error(a.revise)}
        {(d.may_manage && may_upload).then(|| view! {
            <section class="card">
                <h2>{lang.t("eplan.document")}</h2>
                <form method="post" action=format!("/drills/plans/{id}/document") enctype="multipart/form-data" data-test="upload-form">
                    <input type="file" name="file" accept=".pdf,.doc,.docx,application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document" required />
                    <button type="submit">{lang.t("eplan.upload")}</button>
                    <p class="muted">{lang.tf("eplan.upload_help", &[&(MAX_DOCUMENT_BYTES / 1024 / 1024).to_string()])}</p>
                </form>
            </section>
        })}
        <h2>{lang.t("eplan.versions")}</h2>
        <div class="versions" data-test="versions">
            {d.versions.into_iter().map(|v| version_card(v, lang)).collect_view()}
        </div>
        <h2>{lang.t("eplan.drills")}</h2>
        {drill_table(d.drills, lang)}
    }
}

fn version_card(v: PlanVersionRow, lang: Lang) -> impl IntoView {
    view! {
        <section class="card version" data-test=format!("version-{}", v.version)>
            <h3>
                {lang.tf("eplan.version_n", &[&v.version.to_string()])} " · " {v.title.clone()} " "
                {plan_status_badge(v.status, lang)}
            </h3>
            {(!v.summary.is_empty()).then(|| view! { <p>{v.summary.clone()}</p> })}
            <ol class="stamps">
                {v.stamps
                    .iter()
                    .map(|(s, by, at)| view! {
                        <li>{format!("{} · {} · {}", lang.t(&s.label_key()), by, local_time(*at))}</li>
                    })
                    .collect_view()}
            </ol>
            {match v.document {
                Some(doc) => view! {
                    <p>
                        <a href=format!("/drills/documents/{}", v.id) rel="external" data-test="document-link">{doc.file_name.clone()}</a>
                        <span class="muted">{format!(" · {} KB · {} · {}", (doc.size + 1023) / 1024, doc.uploaded_by, local_time(doc.uploaded_at))}</span>
                    </p>
                }
                    .into_any(),
                None => view! { <p class="muted">{lang.t("eplan.no_document")}</p> }.into_any(),
            }}
        </section>
    }
}

fn share_text(s: Share) -> String {
    format!(
        "{} / {} = {}%",
        s.covered,
        s.required,
        crate::domain::assessment::Points(s.permille())
    )
}

/// Plan coverage by unit kind and overall against 97%, the units that
/// pull it down, plans overdue for a drill, and the chart.
#[component]
pub fn PlanCoveragePage() -> impl IntoView {
    let lang = use_lang();
    let sync = act::<SyncDrillMetrics>();
    gated(Some(Action::ViewDrills), move |me| {
        let district = me.reach(Action::ManageDrills) == Reach::Everywhere;
        let data = Resource::new(|| (), |_| get_plan_coverage());
        view! {
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |r: PlanCoverageReport| coverage_view(r, lang, district, sync))}
            </Transition>
        }
        .into_any()
    })
}

fn coverage_view(
    r: PlanCoverageReport,
    lang: Lang,
    district: bool,
    sync: ServerAction<SyncDrillMetrics>,
) -> impl IntoView {
    let overall = r.coverage.overall;
    let met = overall.meets_target();
    view! {
        <div class="page-head">
            <h1>{lang.t("eplan.coverage")}</h1>
        </div>
        <p class="intro muted">{lang.t("eplan.coverage_help")}</p>
        <p class={if met { "ok big" } else { "error big" }} data-test="plan-coverage">
            {lang.t("eplan.overall")} ": " {share_text(overall)} " · "
            {if met { lang.t("eplan.target_met") } else { lang.t("eplan.target_missed") }}
        </p>
        <div class="chart" inner_html=r.chart.clone()></div>
        <div class="table-wrap">
            <table class="data" data-test="coverage-by-kind">
                <thead><tr><th>{lang.t("field.kind")}</th><th class="num">{lang.t("eplan.coverage")}</th></tr></thead>
                <tbody>
                    {r.coverage
                        .by_kind
                        .iter()
                        .map(|(k, s)| view! {
                            <tr class:flagged=!s.meets_target()>
                                <td data-label=lang.t("field.kind")>{lang.t(k.label_key())}</td>
                                <td class="num" data-label=lang.t("eplan.coverage")>{share_text(*s)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{lang.tf("eplan.missing", &[&r.missing.len().to_string()])}</h2>
        {if r.missing.is_empty() {
            view! { <p class="muted">{lang.t("eplan.none_missing")}</p> }.into_any()
        } else {
            view! {
                <ul class="columns" data-test="missing">
                    {r.missing.iter().map(|m| view! { <li>{format!("{} ({}) · {}", m.unit_name, m.unit_code, lang.t(m.kind.label_key()))}</li> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <h2>{lang.tf("eplan.overdue", &[&r.overdue.len().to_string()])}</h2>
        {if r.overdue.is_empty() {
            view! { <p class="muted">{lang.t("eplan.none_overdue")}</p> }.into_any()
        } else {
            plan_table(r.overdue, lang).into_any()
        }}
        {district.then(|| view! {
            <ActForm action=sync attr:class="inline">
                <button type="submit" data-test="sync-metrics">{lang.t("eplan.sync_metrics")}</button>
            </ActForm>
            {move || sync.value().get().and_then(|r| r.ok()).map(|(w, s)| view! {
                <p class="ok">{lang.tf("training.synced", &[&w.to_string(), &s.to_string()])}</p>
            })}
            {action_error(sync)}
        })}
    }
}
