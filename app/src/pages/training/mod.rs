//! Training rotations' screens: plans and courses (here, with their
//! editors), a plan's roster (`roster`), coverage, rectification orders
//! and leave (`coverage`), and the trainee's own pages (`my`).

pub mod coverage;
pub mod my;
pub mod roster;

use crate::areas::directory::api::list_units;
use crate::areas::training::api::{
    CourseEditor, PlanEditor, SaveCourse, SavePlan, get_course_editor, get_plan_editor,
    list_courses, list_plans,
};
use crate::components::ActForm;
use crate::components::act;
use crate::components::nav::{Area, NavLink, Need};
use crate::components::{
    TextArea, UnitSelect, action_error, gated, id_param, show, use_lang, when_ready,
};
use crate::domain::authz::Action;
use crate::domain::person::Position;
use crate::domain::training::{BatchForm, CourseCategory, LessonForm, QuestionForm};
use crate::i18n::Lang;
use crate::model::{CourseSummary, PlanSummary};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The training area, parent route of its pages (`nav::Area`): its links
/// along the top: rotations and leave for who manages training, coverage and
/// orders for who views it too.
#[component]
pub fn TrainingArea() -> impl IntoView {
    const LINKS: &[NavLink] = &[
        (
            "/training",
            "training.plans",
            Need::May(Action::ManageTraining),
        ),
        (
            "/training/coverage",
            "training.coverage",
            Need::May(Action::ViewTraining),
        ),
        (
            "/training/orders",
            "order.title",
            Need::May(Action::ViewTraining),
        ),
        (
            "/training/leave",
            "leave.title",
            Need::May(Action::ManageTraining),
        ),
    ];
    view! { <Area links=LINKS /> }
}

#[component]
pub fn TrainingPage() -> impl IntoView {
    let lang = use_lang();
    gated(Some(Action::ManageTraining), move |me| {
        // Courses are district-wide: only who keeps training everywhere
        // changes them (the server refuses anyone else).
        let keeps_courses =
            me.reach(Action::ManageTraining) == crate::domain::authz::Reach::Everywhere;
        let plans = Resource::new(|| (), |_| list_plans());
        let courses = Resource::new(|| (), |_| list_courses());
        view! {
            <div class="page-head">
                <h1>{lang.t("training.plans")}</h1>
                <a class="button primary" href="/training/plans/new">{lang.t("training.new_plan")}</a>
            </div>
            <p class="intro muted">{lang.t("training.intro")}</p>
            <Suspense fallback=|| ()>
                {move || when_ready(plans, lang, move |p| plan_table(p, lang))}
            </Suspense>
            <div class="page-head">
                <h2>{lang.t("training.courses")}</h2>
                {keeps_courses.then(|| view! { <a class="button" href="/training/courses/new">{lang.t("training.new_course")}</a> })}
            </div>
            <Suspense fallback=|| ()>
                {move || when_ready(courses, lang, move |c| course_table(c, keeps_courses, lang))}
            </Suspense>
        }
        .into_any()
    })
}

fn plan_table(list: Vec<PlanSummary>, lang: Lang) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("training.no_plans")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="plans">
                <thead>
                    <tr>
                        <th>{lang.t("field.year")}</th>
                        <th>{lang.t("field.name")}</th>
                        <th>{lang.t("field.course")}</th>
                        <th class="num">{lang.t("field.batches")}</th>
                        <th class="num">{lang.t("training.seats")}</th>
                        <th>{lang.t("assessment.status")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|p| view! {
                            <tr>
                                <td data-label=lang.t("field.year")>{p.year}</td>
                                <td data-label=lang.t("field.name")><a href=format!("/training/plans/{}", p.id)>{p.name.clone()}</a></td>
                                <td data-label=lang.t("field.course")>{p.course_title.clone()}</td>
                                <td class="num" data-label=lang.t("field.batches")>{p.batches}</td>
                                <td class="num" data-label=lang.t("training.seats")>{format!("{} / {}", p.seats, p.capacity)}</td>
                                <td data-label=lang.t("assessment.status")>{status_badge(p.published, lang)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

pub fn status_badge(published: bool, lang: Lang) -> impl IntoView {
    if published {
        view! { <span class="badge done">{lang.t("training.published")}</span> }.into_any()
    } else {
        view! { <span class="badge">{lang.t("training.draft")}</span> }.into_any()
    }
}

fn course_table(list: Vec<CourseSummary>, editable: bool, lang: Lang) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("training.no_courses")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="courses">
                <thead>
                    <tr>
                        <th>{lang.t("field.code")}</th>
                        <th>{lang.t("field.title")}</th>
                        <th>{lang.t("field.category")}</th>
                        <th>{lang.t("field.audience")}</th>
                        <th class="num">{lang.t("field.hours")}</th>
                        <th class="num">{lang.t("training.lessons")}</th>
                        <th class="num">{lang.t("training.questions")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|c| {
                            let audience = c.audience.iter().map(|p| lang.t(p.label_key())).collect::<Vec<_>>().join(lang.sep());
                            view! {
                                <tr>
                                    <td data-label=lang.t("field.code")><code>{c.code.clone()}</code></td>
                                    <td data-label=lang.t("field.title")>
                                        {if editable {
                                            view! { <a href=format!("/training/courses/{}", c.id)>{c.title.clone()}</a> }.into_any()
                                        } else {
                                            c.title.clone().into_any()
                                        }}
                                    </td>
                                    <td data-label=lang.t("field.category")>{lang.t(&c.category.label_key()).to_string()}</td>
                                    <td data-label=lang.t("field.audience")>{audience}</td>
                                    <td class="num" data-label=lang.t("field.hours")>{c.hours}</td>
                                    <td class="num" data-label=lang.t("training.lessons")>{c.lessons}</td>
                                    <td class="num" data-label=lang.t("training.questions")>{c.questions}</td>
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

fn position_boxes(
    lang: Lang,
    name: &'static str,
    ticked: BTreeMap<String, String>,
) -> impl IntoView {
    view! {
        <fieldset>
            <legend>{lang.t("field.audience")}</legend>
            {Position::ALL
                .into_iter()
                .map(|p| view! {
                    <label class="check">
                        <input type="checkbox" name=format!("form[{name}][{}]", p.code()) value="on" checked=ticked.contains_key(p.code()) />
                        {lang.t(p.label_key())}
                    </label>
                })
                .collect_view()}
        </fieldset>
    }
}

/// Creating (`/training/courses/new`) or changing (`/training/courses/:id`)
/// a course: lessons in Markdown, and the quiz.
#[component]
pub fn CourseEditPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SaveCourse>();
    gated(Some(Action::ManageTraining), move |_| {
        let editor = Resource::new(id, |id| get_course_editor((id > 0).then_some(id)));
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(editor, lang, move |e: CourseEditor| course_form(e, lang, save))}
            </Suspense>
        }
        .into_any()
    })
}

fn course_form(e: CourseEditor, lang: Lang, save: ServerAction<SaveCourse>) -> impl IntoView {
    let f = e.form;
    let title = if e.id.is_some() {
        format!("{} · {}", lang.t("training.edit_course"), f.title)
    } else {
        lang.t("training.new_course").to_string()
    };
    view! {
        <h1>{title}</h1>
        <ActForm action=save next="/training" attr:class="course-form" attr:data-test="course-form">
            {e.id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <section class="card">
                <div class="grid">
                    <label>{lang.t("field.code")}<input type="text" name="form[code]" required maxlength="32" value=f.code.clone() /></label>
                    <label class="wide">{lang.t("field.title")}<input type="text" name="form[title]" required maxlength="80" value=f.title.clone() /></label>
                    <label>
                        {lang.t("field.category")}
                        <select name="form[category]">
                            <option value="">"—"</option>
                            {CourseCategory::ALL
                                .into_iter()
                                .map(|c| view! { <option value=c.code() selected=f.category == c.code()>{lang.t(&c.label_key()).to_string()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>{lang.t("field.hours")}<input type="number" min="1" max="500" name="form[hours]" value=f.hours.clone() /></label>
                    <label>{lang.t("field.certify_months")}<input type="number" min="1" max="120" name="form[certify_months]" value=f.certify_months.clone() /></label>
                </div>
                {position_boxes(lang, "audience", f.audience.clone())}
            </section>
            <section class="card">
                <h2>{lang.t("training.lessons")}</h2>
                <p class="muted">{lang.t("training.lessons_help")}</p>
                {f.lessons.iter().enumerate().map(|(i, l)| lesson_row(i, l.clone(), lang)).collect_view()}
            </section>
            <section class="card">
                <h2>{lang.t("training.quiz")}</h2>
                <p class="muted">{lang.t("training.quiz_help")}</p>
                <div class="grid">
                    <label>{lang.t("field.pass_percent")}<input type="number" min="1" max="100" name="form[pass_percent]" value=f.pass_percent.clone() /></label>
                    <label>{lang.t("field.attempt_limit")}<input type="number" min="1" max="99" name="form[attempt_limit]" value=f.attempt_limit.clone() /></label>
                </div>
                {f.questions.iter().enumerate().map(|(i, q)| question_row(i, q.clone(), lang)).collect_view()}
            </section>
            {action_error(save)}
            <button type="submit" class="primary">{lang.t("action.save")}</button>
        </ActForm>
    }
}

fn lesson_row(i: usize, l: LessonForm, lang: Lang) -> impl IntoView {
    view! {
        <fieldset class="row-block" data-test="lesson-row">
            <legend>{lang.tf("training.lesson_n", &[&(i + 1).to_string()])}</legend>
            <label>{lang.t("field.title")}<input type="text" maxlength="80" name=format!("form[lessons][{i}][title]") value=l.title /></label>
            <label>{lang.t("field.body")}<TextArea rows=6 name=format!("form[lessons][{i}][body]") value=l.body /></label>
        </fieldset>
    }
}

fn question_row(i: usize, q: QuestionForm, lang: Lang) -> impl IntoView {
    let n = move |field: &str| format!("form[questions][{i}][{field}]");
    view! {
        <fieldset class="row-block" data-test="question-row">
            <legend>{lang.tf("training.question_n", &[&(i + 1).to_string()])}</legend>
            <label>{lang.t("field.prompt")}<input type="text" maxlength="500" name=n("prompt") value=q.prompt.clone() /></label>
            <label class="check"><input type="checkbox" name=n("multiple") value="on" checked=!q.multiple.is_empty() />{lang.t("field.multiple")}</label>
            {q.choices
                .iter()
                .enumerate()
                .map(|(c, text)| view! {
                    <div class="choice">
                        <label class="check" title=lang.t("field.correct")>
                            <input type="checkbox" name=format!("form[questions][{i}][correct][{c}]") value="on" checked=q.correct.contains_key(&c.to_string()) />
                            {lang.t("field.correct")}
                        </label>
                        <input type="text" maxlength="200" name=format!("form[questions][{i}][choices][{c}]") value=text.clone()
                            placeholder=lang.tf("training.choice_n", &[&(c + 1).to_string()]) />
                    </div>
                })
                .collect_view()}
        </fieldset>
    }
}

/// Creating (`/training/plans/new`) or changing (`/training/plans/:id/edit`)
/// a rotation plan and its batches.
#[component]
pub fn PlanEditPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let save = act::<SavePlan>();
    gated(Some(Action::ManageTraining), move |_| {
        let data = Resource::new(id, |id| async move {
            (
                get_plan_editor((id > 0).then_some(id)).await,
                list_units(String::new(), String::new()).await,
            )
        });
        view! {
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (editor, units) = data.await;
                    show(Some(editor), lang, move |e: PlanEditor| show(Some(units), lang, move |u| plan_form(e, u, lang, save)))
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn plan_form(
    e: PlanEditor,
    units: Vec<crate::model::Unit>,
    lang: Lang,
    save: ServerAction<SavePlan>,
) -> impl IntoView {
    let f = e.form;
    let title = if e.id.is_some() {
        format!("{} · {}", lang.t("training.edit_plan"), f.name)
    } else {
        lang.t("training.new_plan").to_string()
    };
    let unit: Option<i64> = f.unit_id.parse().ok();
    view! {
        <h1>{title}</h1>
        {e.published.then(|| view! { <p class="error">{lang.t("problem.plan_published")}</p> })}
        {(e.id.is_some() && !e.published).then(|| view! { <p class="muted">{lang.t("training.edit_clears_roster")}</p> })}
        <ActForm action=save next="/training/plans/{id}" attr:class="plan-form" attr:data-test="plan-form">
            {e.id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <section class="card">
                <div class="grid">
                    <label>{lang.t("field.year")}<input type="number" name="form[year]" min="2000" max="2100" required value=f.year.clone() /></label>
                    <label>{lang.t("field.code")}<input type="text" name="form[code]" required maxlength="32" value=f.code.clone() /></label>
                    <label class="wide">{lang.t("field.name")}<input type="text" name="form[name]" required maxlength="80" value=f.name.clone() /></label>
                    <label>
                        {lang.t("field.course")}
                        <select name="form[course_id]">
                            <option value="">"—"</option>
                            {e.courses
                                .iter()
                                .map(|c| view! { <option value=c.id.to_string() selected=f.course_id == c.id.to_string()>{format!("{} ({})", c.title, c.code)}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {lang.t("training.unit_scope")}
                        <UnitSelect units=units name="form[unit_id]" selected=unit blank="training.whole_district" />
                    </label>
                </div>
                {position_boxes(lang, "positions", f.positions.clone())}
                <label class="check"><input type="checkbox" name="form[self_signup]" value="on" checked=!f.self_signup.is_empty() />{lang.t("field.self_signup")}</label>
            </section>
            <section class="card">
                <h2>{lang.t("field.batches")}</h2>
                <p class="muted">{lang.t("training.batches_help")}</p>
                <div class="table-wrap">
                    <table class="data edit" data-test="batches">
                        <thead>
                            <tr>
                                <th>"#"</th>
                                <th>{lang.t("field.code")}</th>
                                <th>{lang.t("field.start")}</th>
                                <th>{lang.t("field.end")}</th>
                                <th>{lang.t("field.place")}</th>
                                <th>{lang.t("field.instructor")}</th>
                                <th>{lang.t("field.capacity")}</th>
                            </tr>
                        </thead>
                        <tbody>{f.batches.iter().enumerate().map(|(i, b)| batch_row(i, b.clone(), lang)).collect_view()}</tbody>
                    </table>
                </div>
            </section>
            {action_error(save)}
            <button type="submit" class="primary" disabled=e.published>{lang.t("action.save")}</button>
        </ActForm>
    }
}

fn batch_row(i: usize, b: BatchForm, lang: Lang) -> impl IntoView {
    let n = move |field: &str| format!("form[batches][{i}][{field}]");
    view! {
        <tr>
            <td>{i + 1}</td>
            <td data-label=lang.t("field.code")><input type="text" size="6" maxlength="32" name=n("code") value=b.code /></td>
            <td data-label=lang.t("field.start")><input type="date" name=n("start") value=b.start /></td>
            <td data-label=lang.t("field.end")><input type="date" name=n("end") value=b.end /></td>
            <td data-label=lang.t("field.place")><input type="text" maxlength="80" name=n("place") value=b.place /></td>
            <td data-label=lang.t("field.instructor")><input type="text" maxlength="40" name=n("instructor") value=b.instructor /></td>
            <td data-label=lang.t("field.capacity")><input type="number" min="1" max="10000" name=n("capacity") value=b.capacity /></td>
        </tr>
    }
}
