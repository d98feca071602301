//! Stored text cannot break out of a `<textarea>`. The HTML parser reads a
//! textarea's content as raw text up to the first `</textarea>`, and Leptos
//! writes a textarea's children unescaped on the server, so a value holding
//! `</textarea><img ...>` once closed the element and ran as markup for the
//! next person to open the form (stored XSS). Every page that shows stored
//! text in a textarea is read here as an admin after the text was saved
//! through the real server functions by whoever would realistically plant
//! it; and a walk over the sources keeps every textarea going through the
//! one component that escapes its content.

use crate::common::training::course_form;
use crate::common::*;
use app::areas::drills::api::{self as drills, DrillSaved};
use app::areas::eplans::api as plans;
use app::areas::training::api::{self as training, CourseEditor};
use app::model::{DrillDetail, PlanDetail};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use std::path::{Path, PathBuf};

const SAVE_PLAN: &str = <plans::SaveEmergencyPlan as ServerFn>::PATH;
const PLAN: &str = <plans::GetEmergencyPlan as ServerFn>::PATH;
const SAVE_DRILL: &str = <drills::SaveDrill as ServerFn>::PATH;
const DRILL: &str = <drills::GetDrill as ServerFn>::PATH;
const EVALUATE: &str = <drills::EvaluateDrill as ServerFn>::PATH;
const SAVE_COURSE: &str = <training::SaveCourse as ServerFn>::PATH;
const COURSE_EDITOR: &str = <training::GetCourseEditor as ServerFn>::PATH;

/// Closes the textarea, then markup that would run, then an entity that
/// must come back as the very text `&amp;` (not as `&`).
const PAYLOAD: &str = "</textarea><img src=x onerror=alert(1)><script>alert(2)</script>&amp;";

/// The payload as it must appear in the page: `&`, `<` and `>` as
/// entities, which the browser decodes back to the payload. Written out
/// by hand rather than computed by the code under test.
const ESCAPED: &str = "&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;&amp;amp;";

/// Where 城关街道 holds the drills here (its command post).
const PLACE: &str = "城关街道应急指挥所";

/// The contents of every `<textarea name="{name}">` in `html`, as a
/// browser reads them.
fn textareas(html: &str, name: &str) -> Vec<String> {
    let wanted = format!("name=\"{name}\"");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<textarea") {
        rest = &rest[at..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let after = &rest[open_end + 1..];
        let close = after.find("</textarea>").unwrap_or(after.len());
        if tag.contains(&wanted) {
            // The HTML parser drops one newline right after the tag (the
            // component sends one, so that a value's own is kept).
            let content = &after[..close];
            found.push(content.strip_prefix('\n').unwrap_or(content).to_string());
        }
        rest = &after[close..];
    }
    found
}

/// Every textarea named `name` holds exactly `expected` (and there is one).
fn assert_textarea(html: &str, name: &str, expected: &str) {
    let found = textareas(html, name);
    assert!(
        !found.is_empty(),
        "no <textarea name=\"{name}\"> in the page: {html}"
    );
    for content in found {
        assert_eq!(
            content, expected,
            "the content of <textarea name=\"{name}\">"
        );
    }
}

/// The page at `path` as an admin receives it (the whole streamed body):
/// 200, the payload never as markup, and present escaped.
async fn admin_reads(app: &TestApp, path: &str) -> String {
    let admin = app.login("admin").await;
    let page = app.get(path, Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    for raw in ["</textarea><img", "<script>alert(2)", "<img src=x"] {
        assert!(
            !page.body.contains(raw),
            "{path} sends {raw:?} as markup: {}",
            page.body
        );
    }
    assert!(
        page.body
            .contains("&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "{path} does not show the payload escaped: {}",
        page.body
    );
    assert!(
        page.body.contains("&amp;amp;"),
        "{path} does not keep the stored `&amp;` as text: {}",
        page.body
    );
    page.body
}

on_both_databases! {
    async fn a_plan_summary_cannot_close_its_textarea(db: Db) {
        let app = TestApp::on(db).await;
        let jd = app.district.units["JD01"].to_string();
        // The organizer of 城关街道 drafts a plan for it.
        let organizer = app.login("organizer").await;
        let plan: i64 = call_ok(
            &app,
            SAVE_PLAN,
            &[
                ("form[unit_id]", &jd),
                ("form[kind]", "overall"),
                ("form[title]", "城关街道总体应急预案"),
                ("form[revise_by]", "2030-12-31"),
                ("form[summary]", PAYLOAD),
            ],
            &organizer,
        )
        .await;
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &plan.to_string())], &organizer).await;
        assert_eq!(d.versions[0].summary, PAYLOAD, "kept as typed");

        let page = admin_reads(&app, &format!("/drills/plans/{plan}/edit")).await;
        assert_textarea(&page, "form[summary]", ESCAPED);
    }

    async fn a_lesson_body_cannot_close_its_textarea(db: Db) {
        let app = TestApp::on(db).await;
        let planner = district_organizer(&app, "planner").await;
        let mut form = course_form("YJ", "early_warning", "em_staff");
        set_field(&mut form, "form[lessons][0][body]", PAYLOAD);
        let r = app.call(SAVE_COURSE, &pairs(&form), Some(&planner)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let course: i64 = r.json();
        let editor: CourseEditor = call_ok(&app, COURSE_EDITOR, &[("id", &course.to_string())], &planner).await;
        assert_eq!(editor.form.lessons[0].body, PAYLOAD, "kept as typed");

        let page = admin_reads(&app, &format!("/training/courses/{course}")).await;
        assert_textarea(&page, "form[lessons][0][body]", ESCAPED);
    }

    async fn drill_objectives_participants_and_a_clash_reason_cannot_close_their_textareas(db: Db) {
        let app = TestApp::on(db).await;
        let jd = app.district.units["JD01"];
        let organizer = app.login("organizer").await;
        let first = drill_form(PLACE, "城关街道防汛演练", jd, "", "2027-05-12", "09:00", "11:00");
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&first), &organizer).await;
        assert!(saved.id.is_some() && saved.clashes.is_empty(), "{saved:?}");

        // Same place, overlapping hours: saved only over the clash, with a
        // reason; an objective and the reason carry the payload.
        let objectives = format!("{PAYLOAD}\n信息报告");
        let mut second = drill_form(PLACE, "城关街道地震疏散演练", jd, "P1 P2", "2027-05-12", "10:00", "12:00");
        set_field(&mut second, "form[objectives]", &objectives);
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&second), &organizer).await;
        assert!(r.id.is_none() && !r.clashes.is_empty(), "a clash first: {r:?}");
        second.push(("clash_reason".into(), PAYLOAD.into()));
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&second), &organizer).await;
        let id = r.id.expect("saved over the clash with a reason");
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id.to_string())], &organizer).await;
        assert_eq!(d.clash_reason.as_deref(), Some(PAYLOAD), "kept as typed");
        assert_eq!(d.def.objectives, [PAYLOAD, "信息报告"]);

        let page = admin_reads(&app, &format!("/drills/{id}/edit")).await;
        assert_textarea(&page, "form[objectives]", &format!("{ESCAPED}\n信息报告"));
        assert_textarea(&page, "clash_reason", ESCAPED);
        // Participants are person numbers (letters, digits, `-`, `_`), so no
        // payload can be stored there; the box still shows them through
        // the same component.
        assert_textarea(&page, "form[people]", "P1 P2");
        let mut refused = drill_form(PLACE, "越界", jd, PAYLOAD, "2027-06-01", "09:00", "10:00");
        set_field(&mut refused, "form[objectives]", "疏散");
        let r = app.call(SAVE_DRILL, &pairs(&refused), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.participants"), "{}", r.body);
    }

    async fn evaluation_findings_cannot_close_their_textarea(db: Db) {
        let app = TestApp::on(db).await;
        let jd = app.district.units["JD01"];
        let organizer = app.login("organizer").await;
        let id = held_yesterday(&app, &organizer, PLACE, "城关街道防汛抢险演练", jd, "P1").await;
        let r = app
            .call(
                EVALUATE,
                &[
                    ("id", &id),
                    ("rows[0][rating]", "poor"),
                    ("rows[0][findings]", PAYLOAD),
                    ("rows[1][rating]", "excellent"),
                    ("rows[1][findings]", ""),
                ],
                Some(&organizer),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id)], &organizer).await;
        assert_eq!(d.evaluation[0].findings, PAYLOAD, "kept as typed");

        let page = admin_reads(&app, &format!("/drills/{id}")).await;
        assert_textarea(&page, "rows[0][findings]", ESCAPED);
        assert_textarea(&page, "rows[1][findings]", "");
    }
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The mechanism guard: a new `<textarea>` written straight into a view
/// would bring the break-out back, and `<noscript>` is the other element
/// whose content the parser may read as raw text. Only the `TextArea`
/// component writes a textarea.
#[test]
fn only_the_text_area_component_writes_a_textarea() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../app/src"));
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("components/mod.rs")) && files.len() > 10,
        "the walk found the app's sources: {files:?}"
    );
    let mut textarea = Vec::new();
    let mut noscript = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.strip_prefix(&root).unwrap().to_path_buf();
        if text.contains("<textarea") {
            textarea.push(name.clone());
        }
        if text.contains("<noscript") {
            noscript.push(name);
        }
    }
    assert_eq!(
        textarea,
        [PathBuf::from("components/mod.rs")],
        "only components/mod.rs (TextArea) may write `<textarea`; use the component"
    );
    assert!(noscript.is_empty(), "`<noscript` written in {noscript:?}");
}
