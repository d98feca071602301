//! Training fixtures several suites share: the course and plan forms as
//! the browser sends them, staff for a unit, and creating through the
//! router.

use super::{TestApp, call_ok, pairs};
use app::domain::person::{PersonDraft, Position};
use app::platform::Actor;
use app::platform::db::Db;

/// The course form: two questions, pass mark 100%.
pub fn course_form(code: &str, category: &str, audience: &str) -> Vec<(String, String)> {
    [
        ("form[code]", code),
        ("form[title]", "懂预警、会监测、能上报"),
        ("form[category]", category),
        ("form[hours]", "8"),
        ("form[certify_months]", "12"),
        ("form[pass_percent]", "100"),
        ("form[attempt_limit]", "3"),
        ("form[lessons][0][title]", "预警"),
        (
            "form[lessons][0][body]",
            "# 预警\n<script>alert(1)</script>",
        ),
        ("form[questions][0][prompt]", "首报时限?"),
        ("form[questions][0][choices][0]", "30 分钟"),
        ("form[questions][0][choices][1]", "2 小时"),
        ("form[questions][0][correct][0]", "on"),
        ("form[questions][1][prompt]", "应追责的?"),
        ("form[questions][1][multiple]", "on"),
        ("form[questions][1][choices][0]", "迟报"),
        ("form[questions][1][choices][1]", "及时报告"),
        ("form[questions][1][choices][2]", "瞒报"),
        ("form[questions][1][correct][0]", "on"),
        ("form[questions][1][correct][2]", "on"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(format!("form[audience][{audience}]"), "on".to_string())])
    .collect()
}

/// Lets 城关街道 spare its only staff member (the fixture keeps two on
/// duty everywhere).
pub async fn relax(app: &TestApp) {
    staff(&app.state.db, app.district.units["JD01"], "JD", 0, 0).await;
}

/// A plan for emergency staff of the whole district: three batches.
pub fn plan_form(
    code: &str,
    course: i64,
    self_signup: bool,
    capacity: &str,
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("form[code]", code),
        ("form[name]", "2027 年应急管理人员轮训"),
        ("form[year]", "2027"),
        ("form[positions][em_staff]", "on"),
        ("form[batches][0][code]", "B1"),
        ("form[batches][0][start]", "2027-04-05"),
        ("form[batches][0][end]", "2027-04-06"),
        ("form[batches][0][place]", "区应急办"),
        ("form[batches][0][capacity]", capacity),
        ("form[batches][1][code]", "B2"),
        ("form[batches][1][start]", "2027-04-12"),
        ("form[batches][1][end]", "2027-04-13"),
        ("form[batches][1][place]", "区应急办"),
        ("form[batches][1][capacity]", capacity),
        ("form[batches][2][code]", "B3"),
        ("form[batches][2][start]", "2027-04-19"),
        ("form[batches][2][end]", "2027-04-20"),
        ("form[batches][2][place]", "区应急办"),
        ("form[batches][2][capacity]", capacity),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    f.push(("form[course_id]".into(), course.to_string()));
    if self_signup {
        f.push(("form[self_signup]".into(), "on".into()));
    }
    f
}

/// Adds `n` emergency staff to a unit (numbered `{prefix}-{i}`) and sets
/// its minimum on duty; returns their ids.
pub async fn staff(db: &Db, unit: i64, prefix: &str, n: usize, min_on_duty: i64) -> Vec<i64> {
    let actor = Actor::system("test");
    let mut tx = db.pool.begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let draft = PersonDraft {
            code: format!("{prefix}-{i:02}"),
            name: format!("职工{i}"),
            positions: vec![Position::EmStaff],
            phone: None,
        };
        ids.push(
            app::areas::directory::store::people::create(
                &mut app::platform::Write::within(&mut tx, &actor, 1),
                &draft,
                unit,
            )
            .await
            .unwrap(),
        );
    }
    sqlx::query("UPDATE units SET min_on_duty = $1 WHERE id = $2")
        .bind(min_on_duty)
        .bind(unit)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ids
}

/// Saves a form (a course, a plan) through the router as `admin`; the id.
pub async fn create(app: &TestApp, admin: &str, path: &str, form: &[(String, String)]) -> i64 {
    call_ok(app, path, &pairs(form), admin).await
}
