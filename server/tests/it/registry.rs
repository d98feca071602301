//! The assistants' registry through the real router on both databases:
//! registering (roles that fit their units, new people created, duplicates
//! refused), phones masked for those without the registry permission,
//! confirmation drives and their progress, certificates issued by passing
//! a certifying course (numbered, revoked when the completion is
//! withdrawn, revoked by hand with a reason), the public verify answer
//! before and after expiry, importing the registry from a file (whole or
//! not at all), audited exports, and the reporter_coverage metric kept up
//! to date by every change that moves it.

use crate::common::training::*;
use crate::common::*;
use app::areas::registry::api::{
    self as api, RegistryPage, Reminders, ReporterCoverageReport, Verified,
};
use app::areas::training::api as training_api;
use app::model::{CertificateRow, PlanRoster};
use app::platform::db::Db;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const REGISTRY: &str = <api::GetRegistry as ServerFn>::PATH;
const CONFIRM: &str = <api::ConfirmAssistant as ServerFn>::PATH;
const DRIVE: &str = <api::StartConfirmationDrive as ServerFn>::PATH;
const MINE: &str = <api::GetMyCertificates as ServerFn>::PATH;
const REMINDERS: &str = <api::GetCertificateReminders as ServerFn>::PATH;
const REVOKE: &str = <api::RevokeCertificate as ServerFn>::PATH;
const VERIFY: &str = <api::VerifyCertificate as ServerFn>::PATH;
const COVERAGE: &str = <api::GetReporterCoverage as ServerFn>::PATH;
const NEEDED: &str = <api::SetReportersNeeded as ServerFn>::PATH;
const SYNC: &str = <api::SyncReporterMetric as ServerFn>::PATH;
const PREVIEW_IMPORT: &str = <app::areas::imports::api::PreviewImport as ServerFn>::PATH;
const CONFIRM_IMPORT: &str = <app::areas::imports::api::ConfirmImport as ServerFn>::PATH;
const HOME: &str = <app::areas::home::api::LoadHome as ServerFn>::PATH;

/// The phone every registration here gives (stored as 13900001111).
const PHONE: &str = "139-0000-1111";

/// Stages a file for import as `username` would upload it; the token.
async fn stage(app: &TestApp, username: &str, name: &str, bytes: &[u8]) -> String {
    let principal = app::areas::accounts::store::accounts::principal(
        &app.state.db.pool,
        app.district.accounts[username],
    )
    .await
    .unwrap()
    .unwrap();
    app::areas::imports::service::stage_upload(&app.state, &principal, "registry", name, bytes)
        .await
        .unwrap()
}

/// The count the home page shows under `key`.
async fn home_count(app: &TestApp, who: &str, key: &str) -> Option<i64> {
    let home: app::model::Home = app.call(HOME, &[("lang", "Zh")], Some(who)).await.json();
    home.items.iter().find(|i| i.key == key).map(|i| i.count)
}

/// P1 (the trainee) passes a certifying course (12 months) and attends:
/// returns the plan id and P1's seat's batch and person ids.
async fn certify_p1(app: &TestApp, admin: &str) -> (i64, i64, i64) {
    relax(app).await;
    let course = create(
        app,
        admin,
        <training_api::SaveCourse as ServerFn>::PATH,
        &course_form("YJ", "early_warning", "em_staff"),
    )
    .await;
    let plan = create(
        app,
        admin,
        <training_api::SavePlan as ServerFn>::PATH,
        &plan_form("LX", course, false, "5"),
    )
    .await;
    let p = plan.to_string();
    app.call(
        <training_api::RunScheduler as ServerFn>::PATH,
        &[("id", &p)],
        Some(admin),
    )
    .await;
    app.call(
        <training_api::PublishPlan as ServerFn>::PATH,
        &[("id", &p)],
        Some(admin),
    )
    .await;
    let trainee = app.login("trainee").await;
    let r = app
        .call(
            <training_api::SubmitQuiz as ServerFn>::PATH,
            &[
                ("plan_id", &p),
                ("picks[q0]", "0:0"),
                ("picks[q1c0]", "1:0"),
                ("picks[q1c2]", "1:2"),
            ],
            Some(&trainee),
        )
        .await;
    assert!(r.body.contains("\"passed\":true"), "{}", r.body);
    let roster: PlanRoster = app
        .call(
            <training_api::GetPlanRoster as ServerFn>::PATH,
            &[("id", &p)],
            Some(admin),
        )
        .await
        .json();
    let seat = roster.seats.iter().find(|s| s.person_code == "P1").unwrap();
    let key = format!("present[{}]", seat.person_id);
    let r = app
        .call(
            <training_api::MarkAttendance as ServerFn>::PATH,
            &[("batch_id", &seat.batch_id.to_string()), (&key, "on")],
            Some(admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (plan, seat.batch_id, seat.person_id)
}

on_both_databases! {
    async fn people_are_registered_in_roles_that_fit_their_units_and_phones_are_masked(db: Db) {
        let app = TestApp::on(db).await;
        let (jd, v, ga) = (app.district.units["JD01"], app.district.units["JD01-V1"], app.district.units["GA"]);
        let admin = app.login("admin").await;
        assert_eq!(register_person(&app, &admin, "P1", "", "assistant", jd, PHONE).await.status, StatusCode::OK);
        assert_eq!(register_person(&app, &admin, "P2", "", "灾情速报员", v, PHONE).await.status, StatusCode::OK);
        let Reply { status, body, .. } = register_person(&app, &admin, "P3", "", "reporter", ga, PHONE).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("problem.reporter_unit"), "{body}");
        let Reply { status, body, .. } = register_person(&app, &admin, "V1-NEW", "", "reporter", v, PHONE).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("problem.no_such_person_give_name") && body.contains("V1-NEW"), "{body}");
        assert_eq!(register_person(&app, &admin, "V1-NEW", "赵新", "reporter", v, PHONE).await.status, StatusCode::OK);
        let Reply { status, body, .. } = register_person(&app, &admin, "P2", "", "reporter", v, PHONE).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("problem.already_registered"), "{body}");
        assert_eq!(audited(&app.state.db, "registry.register").await, 3);

        let full: RegistryPage = app.call(REGISTRY, &[], Some(&admin)).await.json();
        assert_eq!(full.rows.len(), 3);
        assert!(full.rows.iter().all(|r| r.phone.as_deref() == Some("13900001111")), "{:?}", full.rows);
        let assessor = app.login("assessor").await;
        let masked: RegistryPage = app.call(REGISTRY, &[], Some(&assessor)).await.json();
        assert!(masked.rows.iter().all(|r| r.phone.as_deref() == Some("139****1111")), "{:?}", masked.rows);
        assert!(!masked.may_manage);
        assert_eq!(register_person(&app, &assessor, "P3", "", "assistant", jd, PHONE).await.status, StatusCode::FORBIDDEN);
        let trainee = app.login("trainee").await;
        let seen: RegistryPage = app.call(REGISTRY, &[], Some(&trainee)).await.json();
        assert!(seen.rows.iter().all(|r| r.phone.as_deref() == Some("139****1111")), "{:?}", seen.rows);
        assert_eq!(register_person(&app, &trainee, "P3", "", "assistant", jd, PHONE).await.status, StatusCode::FORBIDDEN);

        // The public check is rate-limited: the page and its function
        // count together, thirty a minute.
        let page = app.get("/verify/YJ-2026-000009", None).await;
        assert!(page.body.contains("未找到该证书"), "{}", page.body);
        for _ in 1..server::VERIFY_PER_MINUTE {
            assert_eq!(app.call(VERIFY, &[("number", "YJ-2026-000009")], None).await.status, StatusCode::NOT_FOUND);
        }
        let r = app.call(VERIFY, &[("number", "YJ-2026-000009")], None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("TooManyChecks"), "{}", r.body);
        let page = app.get("/verify/YJ-2026-000009", None).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(page.body.contains("核验过于频繁"), "{}", page.body);
    }

    async fn a_confirmation_drive_clears_a_subtree_until_each_is_confirmed_again(db: Db) {
        let app = TestApp::on(db).await;
        let (jd, v) = (app.district.units["JD01"], app.district.units["JD01-V1"]);
        let organizer = app.login("organizer").await;
        assert_eq!(register_person(&app, &organizer, "P1", "", "assistant", jd, PHONE).await.status, StatusCode::OK);
        assert_eq!(register_person(&app, &organizer, "P2", "", "reporter", v, PHONE).await.status, StatusCode::OK);
        let page: RegistryPage = app.call(REGISTRY, &[], Some(&organizer)).await.json();
        assert_eq!((page.progress[0].confirmed, page.progress[0].total), (2, 2), "registering confirms");

        let r = app.call(DRIVE, &[("unit_id", &jd.to_string()), ("reason", "2026 年村居换届")], Some(&organizer)).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "2"));
        let page: RegistryPage = app.call(REGISTRY, &[], Some(&organizer)).await.json();
        assert_eq!((page.progress[0].unit_name.as_str(), page.progress[0].confirmed, page.progress[0].total), ("城关街道", 0, 2));
        let first = page.rows[0].id.to_string();
        assert_eq!(app.call(CONFIRM, &[("id", &first)], Some(&organizer)).await.status, StatusCode::OK);
        assert_eq!(app.call(CONFIRM, &[("id", &first)], Some(&organizer)).await.status, StatusCode::CONFLICT);
        let page: RegistryPage = app.call(REGISTRY, &[], Some(&organizer)).await.json();
        assert_eq!(page.progress[0].confirmed, 1);
        // Who confirmed, from which unit, and when, is shown (the organizer
        // of 城关街道 works in its scope).
        let row = page.rows.iter().find(|r| r.id.to_string() == first).unwrap();
        assert_eq!((row.confirmed_by.as_deref(), row.confirmed_unit.as_deref()), (Some("organizer"), Some("城关街道")));
        assert!(row.confirmed_at.is_some());
        let html = app.get("/registry", Some(&organizer)).await;
        assert!(html.body.contains("data-test=\"confirmed-by\"") && html.body.contains("城关街道 · organizer · "), "{}", html.body);
        // The list is searched and paged; progress still counts everyone.
        let found: RegistryPage = app.call(REGISTRY, &[("q", "李秀英")], Some(&organizer)).await.json();
        assert_eq!((found.total, found.rows.len(), found.rows[0].person_code.as_str()), (1, 1, "P2"));
        assert_eq!(found.progress[0].total, 2);
        let none: RegistryPage = app.call(REGISTRY, &[("q", "无此人"), ("page", "9")], Some(&organizer)).await.json();
        assert_eq!((none.total, none.page, none.pages, none.rows.len()), (0, 1, 1, 0));
        // 公安 is outside the organizer's scope.
        let r = app.call(DRIVE, &[("unit_id", &app.district.units["GA"].to_string()), ("reason", "换届")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(audited(&app.state.db, "registry.drive").await, 1);
        assert_eq!(audited(&app.state.db, "registry.confirm").await, 1);
    }

    async fn passing_a_certifying_course_issues_a_numbered_certificate_the_public_can_verify(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let (_plan, batch, person) = certify_p1(&app, &admin).await;
        let trainee = app.login("trainee").await;
        let mine: Vec<CertificateRow> = app.call(MINE, &[], Some(&trainee)).await.json();
        assert_eq!(mine.len(), 1);
        let cert = &mine[0];
        let year = local_today(&app).format("%Y").to_string();
        assert_eq!(cert.number, format!("YJ-{year}-000001"));
        assert_eq!(cert.status.code(), "certified");
        assert_eq!(audited(&app.state.db, "certificate.issue").await, 1);

        // Anyone may check the number, and sees no more than the masked name.
        let r = app.call(VERIFY, &[("number", &cert.number)], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: Verified = r.json();
        assert_eq!((v.masked_name.as_str(), v.status.code()), ("王*国", "certified"));
        assert!(!r.body.contains("王建国") && !r.body.contains("1381234"), "{}", r.body);
        assert_eq!(app.call(VERIFY, &[("number", "YJ-2000-000001")], None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(VERIFY, &[("number", "' OR 1=1 --")], None).await.status, StatusCode::NOT_FOUND);

        // Thirteen months on the certificate has expired; the reminder list
        // holds it.
        app.state.clock.advance(396 * 86_400);
        let v: Verified = app.call(VERIFY, &[("number", &cert.number)], None).await.json();
        assert_eq!(v.status.code(), "expired");
        let admin = app.login("admin").await;
        let due: Reminders = app.call(REMINDERS, &[], Some(&admin)).await.json();
        assert_eq!(due.certificates.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), [cert.number.as_str()]);
        assert_eq!(home_count(&app, &admin, "home.certificates_due").await, Some(1));
        let organizer = app.login("organizer").await;
        assert_eq!(home_count(&app, &organizer, "home.certificates_due").await, Some(1), "P1 is in the organizer's subdistrict");
        let assessor = app.login("assessor").await;
        assert_eq!(home_count(&app, &assessor, "home.certificates_due").await, None, "not the assessor's work");
        app.state.clock.advance(-396 * 86_400);
        assert_eq!(home_count(&app, &admin, "home.certificates_due").await, Some(0));

        // Revoking needs a reason and happens once.
        let r = app.call(REVOKE, &[("number", &cert.number), ("reason", "")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.call(REVOKE, &[("number", &cert.number), ("reason", "冒名顶替参加培训")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: Verified = app.call(VERIFY, &[("number", &cert.number)], None).await.json();
        assert_eq!(v.status.code(), "revoked");
        assert_eq!(app.call(REVOKE, &[("number", &cert.number), ("reason", "再次")], Some(&admin)).await.status, StatusCode::CONFLICT);

        // Attendance taken back withdraws the completion; the certificate
        // stays in the history.
        let r = app
            .call(<training_api::MarkAttendance as ServerFn>::PATH, &[("batch_id", &batch.to_string())], Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mine: Vec<CertificateRow> = app.call(MINE, &[], Some(&trainee)).await.json();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].revoke_reason.as_deref(), Some("冒名顶替参加培训"));
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM completions WHERE person_id = $1")
            .bind(person)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
    }

    async fn coverage_counts_certified_people_per_post_and_feeds_the_metric(db: Db) {
        let app = TestApp::on(db).await;
        let (jd, v) = (app.district.units["JD01"], app.district.units["JD01-V1"]);
        let admin = app.login("admin").await;
        assert_eq!(register_person(&app, &admin, "P1", "", "assistant", jd, PHONE).await.status, StatusCode::OK);
        assert_eq!(register_person(&app, &admin, "P2", "", "reporter", v, PHONE).await.status, StatusCode::OK);
        let before: ReporterCoverageReport = app.call(COVERAGE, &[], Some(&admin)).await.json();
        assert_eq!(before.lines.len(), 1);
        assert_eq!(before.lines[0].coverage.metric(), (0, 2), "registered is not certified");
        assert_eq!(stored_metric(&app.state.db, jd, "reporter_coverage").await, Some((0, 2)), "registering writes the metric");
        certify_p1(&app, &admin).await;
        assert_eq!(stored_metric(&app.state.db, jd, "reporter_coverage").await, Some((1, 2)), "a certificate issued writes it");
        let after: ReporterCoverageReport = app.call(COVERAGE, &[], Some(&admin)).await.json();
        let line = &after.lines[0];
        assert_eq!((line.subdistrict.as_str(), line.coverage.assistants, line.coverage.metric()), ("城关街道", 1, (1, 2)));
        assert_eq!(line.gaps.iter().map(|g| (g.unit_name.as_str(), g.have, g.need)).collect::<Vec<_>>(), [("东关村", 0, 1)]);

        // The button still writes it (after certificates expire, say); the
        // value stands.
        let r = app.call(SYNC, &[], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(stored_metric(&app.state.db, jd, "reporter_coverage").await, Some((1, 2)));
        let number: String = sqlx::query_scalar("SELECT number FROM certificates").fetch_one(&app.state.db.pool).await.unwrap();
        let r = app.call(REVOKE, &[("number", &number), ("reason", "调离本街道")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(stored_metric(&app.state.db, jd, "reporter_coverage").await, Some((0, 2)), "a revoked certificate writes it");
        assert_eq!(app.call(NEEDED, &[("n", "3")], Some(&admin)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.call(NEEDED, &[("n", "2")], Some(&admin)).await.status, StatusCode::OK);
        let two: ReporterCoverageReport = app.call(COVERAGE, &[], Some(&admin)).await.json();
        let village = two.lines[0].gaps.iter().find(|g| g.unit_name == "东关村").unwrap();
        assert_eq!((two.reporters_needed, village.need), (2, 2));
        let organizer = app.login("organizer").await;
        assert_eq!(app.call(SYNC, &[], Some(&organizer)).await.status, StatusCode::FORBIDDEN, "scoped to a subdistrict");
    }

    async fn a_registry_file_imports_whole_or_not_at_all_and_every_export_is_audited(db: Db) {
        let app = TestApp::on(db).await;
        let jd = app.district.units["JD01"];
        let organizer = app.login("organizer").await;
        let people = |db: &Db| {
            let pool = db.pool.clone();
            async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM people").fetch_one(&pool).await.unwrap() }
        };
        let people_before = people(&app.state.db).await;

        // A second subdistrict, outside the organizer's scope: its metric
        // is left alone by what happens in JD01.
        let jd2 = {
            let mut tx = app.state.db.pool.begin().await.unwrap();
            let draft = app::domain::unit::UnitDraft {
                code: "JD02".into(),
                name: "河西街道".into(),
                kind: app::domain::unit::UnitKind::Subdistrict,
                min_on_duty: 0,
            };
            let id = app::areas::directory::store::units::create(&mut app::platform::Write::within(&mut tx, &app::platform::Actor::system("test"), 1), &draft, None).await.unwrap();
            tx.commit().await.unwrap();
            id
        };

        // GBK with English headers, one good row and three bad ones:
        // nothing goes in, each named under the file's own header. P3
        // belongs to 公安分局, outside the organizer's scope: the stored
        // name is not shown back.
        let csv = "person_code,name,role,unit_code,phone,appointed_on\r\n\
                   P2,,灾情速报员,JD01-V1,13900002222,2024/3/5\r\n\
                   P3,猜名,助理员,GA,,2024/3/5\r\n\
                   NEW1,,助理员,JD01,,2024/3/5\r\n\
                   P1,王小明,助理员,JD01,,2024-03-05 明年\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(csv);
        let token = stage(&app, "organizer", "名册.csv", &gbk).await;
        let r = app.call(PREVIEW_IMPORT, &[("token", &token)], Some(&organizer)).await;
        assert!(!r.body.contains("张伟"), "{}", r.body);
        let preview: app::model::ImportPreview = r.json();
        let found: Vec<(usize, &str, &str)> =
            preview.errors.iter().map(|e| (e.row, e.column.as_str(), e.problem.key.as_str())).collect();
        assert_eq!(
            found,
            [
                (3, "person_code", "problem.person_outside_scope"),
                (3, "unit_code", "problem.outside_scope"),
                (4, "person_code", "problem.no_such_person_give_name"),
                (5, "name", "problem.name_mismatch"),
                (5, "appointed_on", "problem.bad_date"),
            ]
        );
        let r = app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(audited(&app.state.db, "registry.register").await, 0);

        // An XLSX with a date cell: a known person and a new one.
        let bytes = {
            use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in ["人员编号", "姓名", "类别", "单位编码", "电话", "任命日期"].iter().enumerate() {
                sheet.write_string(0, c as u16, *h).unwrap();
            }
            for (r, row) in [["P2", "", "灾情速报员", "JD01-V1", "13900002222"], ["NEW1", "赵新", "防震减灾助理员", "JD01", ""]]
                .iter()
                .enumerate()
            {
                for (c, cell) in row.iter().enumerate() {
                    sheet.write_string(r as u32 + 1, c as u16, *cell).unwrap();
                }
                let day = ExcelDateTime::from_ymd(2024, 3, 5).unwrap();
                sheet.write_datetime_with_format(r as u32 + 1, 5, &day, &Format::new().set_num_format("yyyy/m/d")).unwrap();
            }
            book.save_to_buffer().unwrap()
        };
        let token = stage(&app, "organizer", "名册.xlsx", &bytes).await;
        let r = app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&organizer)).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "2"), "{}", r.body);
        assert_eq!(people(&app.state.db).await, people_before + 1, "NEW1 was created");
        let page: RegistryPage = app.call(REGISTRY, &[], Some(&organizer)).await.json();
        let rows: Vec<(&str, &str, &str, String)> = page
            .rows
            .iter()
            .map(|r| (r.person_code.as_str(), r.person_name.as_str(), r.role.code(), r.appointed_on.to_string()))
            .collect();
        assert_eq!(
            rows,
            [("NEW1", "赵新", "assistant", "2024-03-05".to_string()), ("P2", "李秀英", "reporter", "2024-03-05".to_string())]
        );
        assert_eq!((audited(&app.state.db, "registry.register").await, audited(&app.state.db, "import.registry").await), (2, 1));
        assert_eq!(stored_metric(&app.state.db, jd, "reporter_coverage").await, Some((0, 2)), "the import writes the metric");
        assert_eq!(stored_metric(&app.state.db, jd2, "reporter_coverage").await, None, "of the subdistrict it touched only");

        // Exports: signed out refused; the trainee's has masked phones;
        // the organizer's has them whole. Each is on record.
        assert_eq!(app.get("/registry/export.csv", None).await.status, StatusCode::UNAUTHORIZED);
        let trainee = app.login("trainee").await;
        let r = app.get("/registry/export.csv", Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-disposition"].to_str().unwrap().contains("yingji-registry.csv"));
        assert!(r.body.starts_with("\u{feff}人员编号,姓名,类别,单位"), "{}", r.body);
        assert!(r.body.contains("139****2222") && !r.body.contains("13900002222"), "{}", r.body);
        let r = app.get("/registry/export.xlsx", Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK);
        let table = app::tabular::read_table("yingji-registry.xlsx", &r.bytes).unwrap();
        assert_eq!(table.headers[..5], ["人员编号", "姓名", "类别", "单位", "电话"]);
        let p2 = table.rows.iter().find(|row| row[0] == "P2").unwrap();
        assert_eq!((p2[2].as_str(), p2[4].as_str()), ("灾情速报员", "13900002222"));
        let exports: Vec<(String, String)> = sqlx::query_as(
            "SELECT actor, after_json FROM audit_log WHERE action = 'export.registry' ORDER BY id",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(exports.len(), 2);
        assert_eq!(exports[0].0, "trainee");
        assert!(exports[0].1.contains("\"full_phones\":0") && exports[0].1.contains("\"rows\":2"), "{}", exports[0].1);
        assert_eq!(exports[1].0, "organizer");
        assert!(exports[1].1.contains("\"format\":\"xlsx\"") && exports[1].1.contains("\"full_phones\":1"), "{}", exports[1].1);
    }

}

// ---- reminders that reach people (issue 13 §5) ----

const SEND_REMINDERS: &str = <app::areas::reminders::api::SendReminders as ServerFn>::PATH;
const REMINDER_LOG: &str = <app::areas::reminders::api::LoadReminderLog as ServerFn>::PATH;
const SET_REMINDER_DAYS: &str = <app::areas::reminders::api::SetReminderDays as ServerFn>::PATH;

/// The reminder notices a person holds, by text key.
async fn reminders_of(db: &Db, code: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT n.message_key FROM notifications n JOIN people p ON p.id = n.person_id \
         WHERE p.code = $1 AND n.message_key LIKE 'notice.remind_%' ORDER BY n.id",
    )
    .bind(code)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

on_both_databases! {
    async fn reminders_reach_the_holder_and_the_units_organizers_once_at_each_lead_time(db: Db) {
        use app::domain::account::Role;
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        certify_p1(&app, &admin).await;
        let (jd, ga) = (app.district.units["JD01"], app.district.units["GA"]);
        // 城关街道's organizer is P2; 公安分局's is P3, who hears nothing of P1.
        add_account(&app, "keeper", Role::Organizer, Some(jd), Some("P2")).await;
        add_account(&app, "other", Role::Organizer, Some(ga), Some("P3")).await;
        let send = |who: String| {
            let app = &app;
            async move { call_ok::<usize>(app, SEND_REMINDERS, &[], &who).await }
        };
        assert_eq!(send(admin.clone()).await, 0, "a year ahead nothing is due");
        // 55 days before expiry: the 60-day reminder, to P1 and P2, once.
        app.state.clock.advance(310 * 86_400);
        let admin = app.login("admin").await;
        assert_eq!(send(admin.clone()).await, 2);
        assert_eq!(send(admin.clone()).await, 0, "once");
        assert_eq!(reminders_of(&app.state.db, "P1").await, ["notice.remind_certificate_ahead"]);
        assert_eq!(reminders_of(&app.state.db, "P2").await, ["notice.remind_certificate_ahead"]);
        assert!(reminders_of(&app.state.db, "P3").await.is_empty());
        // The holder's notice links to where the next batch is signed up
        // for, and shows on their home page.
        let trainee = app.login("trainee").await;
        let home: app::model::Home = app.call(HOME, &[("lang", "Zh")], Some(&trainee)).await.json();
        assert_eq!(home.notices[0].link, "/my/training");
        assert!(home.notices[0].args.contains(&"王建国".to_string()), "{:?}", home.notices[0].args);
        let page = app.get("/", Some(&trainee)).await;
        assert!(page.body.contains("证书到期提醒") && page.body.contains("data-test=\"home-notices\""), "{}", page.body);

        // 8 days before: the 14-day one; after the day: the last one.
        app.state.clock.advance(47 * 86_400);
        let admin = app.login("admin").await;
        assert_eq!(send(admin.clone()).await, 2);
        app.state.clock.advance(10 * 86_400);
        let admin = app.login("admin").await;
        assert_eq!(send(admin.clone()).await, 2);
        assert_eq!(send(admin.clone()).await, 0);
        assert_eq!(
            reminders_of(&app.state.db, "P1").await,
            ["notice.remind_certificate_ahead", "notice.remind_certificate_ahead", "notice.remind_certificate_passed"]
        );
        let log: app::model::ReminderLog = call_ok(&app, REMINDER_LOG, &[], &admin).await;
        assert_eq!(log.sent.len(), 6);
        assert_eq!(log.sent.iter().map(|s| s.lead_days).collect::<Vec<_>>(), [0, 0, 14, 14, 60, 60]);
        assert!(log.may_manage);

        // A corrective action of 公安分局 due in ten days reaches P3 only.
        let today = local_today(&app);
        let drill = held_yesterday(&app, &admin, "区应急指挥中心", "反恐演练", ga, "P3").await;
        let due = (today + chrono::Duration::days(10)).to_string();
        let r = app.call(<app::areas::drills::api::AddCorrectiveAction as ServerFn>::PATH, &[("drill_id", &drill),
            ("form[description]", "补充通信保障"), ("form[owner_unit_id]", &ga.to_string()), ("form[due_on]", &due)], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(send(admin.clone()).await, 1);
        assert_eq!(reminders_of(&app.state.db, "P3").await, ["notice.remind_action_ahead"]);

        // Lead times: a bad one is named and changes nothing; only a
        // district-wide registry manager sets them or sends.
        let r = app.call(SET_REMINDER_DAYS, &[("days", "60, 0")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("problem.lead_days") && r.body.contains("\"0\""), "{}", r.body);
        let r = app.call(SET_REMINDER_DAYS, &[("days", "30，7")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let log: app::model::ReminderLog = call_ok(&app, REMINDER_LOG, &[], &admin).await;
        assert_eq!(log.lead_days, [30, 7]);
        let keeper = app.login("keeper").await;
        assert_eq!(app.call(SET_REMINDER_DAYS, &[("days", "30")], Some(&keeper)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(SEND_REMINDERS, &[], Some(&keeper)).await.status, StatusCode::FORBIDDEN);
        // The scoped organizer's log holds 城关街道's reminders only.
        let log: app::model::ReminderLog = call_ok(&app, REMINDER_LOG, &[], &keeper).await;
        assert!(log.sent.iter().all(|s| s.unit_name == "城关街道"), "{:?}", log.sent);
        assert!(!log.may_manage);
    }
}
