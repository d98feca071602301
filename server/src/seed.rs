//! `yingji seed-demo`: a district modelled on the source document (the
//! 2018 work points): six subdistricts with their villages and communities,
//! the emergency office and the twelve departments the source names, two
//! industrial centres, schools, key enterprises, about 300 people in
//! realistic positions, and one account per role.

use app::areas::accounts::password::PasswordHash;
use app::areas::accounts::store::accounts;
use app::domain::account::Role;
use app::domain::person::{PersonDraft, Position};
use app::domain::unit::{UnitDraft, UnitKind};
use app::error::AppError;
use app::platform::Actor;
use app::platform::Write;
use app::platform::db::Db;
use rand::Rng;
use std::collections::HashMap;

/// (code, name, min_on_duty, villages and communities)
/// A village or community: (code, name, kind).
type GrassRoots = (&'static str, &'static str, UnitKind);

const SUBDISTRICTS: &[(&str, &str, i64, &[GrassRoots])] = &[
    (
        "JD01",
        "城关街道",
        3,
        &[
            ("JD01-C1", "城关社区", UnitKind::Community),
            ("JD01-C2", "文昌社区", UnitKind::Community),
            ("JD01-C3", "府前社区", UnitKind::Community),
            ("JD01-V1", "东关村", UnitKind::Village),
            ("JD01-V2", "西关村", UnitKind::Village),
        ],
    ),
    (
        "JD02",
        "新城街道",
        3,
        &[
            ("JD02-C1", "新城社区", UnitKind::Community),
            ("JD02-C2", "锦绣社区", UnitKind::Community),
            ("JD02-C3", "阳光社区", UnitKind::Community),
            ("JD02-V1", "前进村", UnitKind::Village),
        ],
    ),
    (
        "JD03",
        "东湖街道",
        3,
        &[
            ("JD03-C1", "东湖社区", UnitKind::Community),
            ("JD03-V1", "湖滨村", UnitKind::Village),
            ("JD03-V2", "渔港村", UnitKind::Village),
            ("JD03-V3", "莲花村", UnitKind::Village),
            ("JD03-V4", "荷塘村", UnitKind::Village),
        ],
    ),
    (
        "JD04",
        "西山街道",
        3,
        &[
            ("JD04-V1", "西山村", UnitKind::Village),
            ("JD04-V2", "石门村", UnitKind::Village),
            ("JD04-V3", "松岭村", UnitKind::Village),
            ("JD04-V4", "泉水村", UnitKind::Village),
            ("JD04-V5", "桃园村", UnitKind::Village),
        ],
    ),
    (
        "JD05",
        "南河街道",
        3,
        &[
            ("JD05-C1", "南河社区", UnitKind::Community),
            ("JD05-C2", "滨河社区", UnitKind::Community),
            ("JD05-V1", "河口村", UnitKind::Village),
            ("JD05-V2", "柳树村", UnitKind::Village),
        ],
    ),
    (
        "JD06",
        "北苑街道",
        3,
        &[
            ("JD06-C1", "北苑社区", UnitKind::Community),
            ("JD06-C2", "和平社区", UnitKind::Community),
            ("JD06-C3", "幸福社区", UnitKind::Community),
            ("JD06-V1", "北岗村", UnitKind::Village),
            ("JD06-V2", "张庄村", UnitKind::Village),
        ],
    ),
];

/// (code, name, min_on_duty, staff): the emergency office and the twelve
/// departments of the source; 24-hour duty desks carry a minimum at post.
const DEPARTMENTS: &[(&str, &str, i64, usize)] = &[
    ("YJB", "区应急管理办公室", 2, 8),
    ("GA", "公安分局", 8, 14),
    ("SHSY", "社会事业局", 0, 6),
    ("JS", "建设局", 1, 7),
    ("AJ", "安全生产监督管理局", 3, 9),
    ("NLSW", "农林水务局", 2, 8),
    ("HB", "环境保护局", 2, 7),
    ("SYJ", "食品药品监督管理局", 1, 6),
    ("CG", "城市管理局", 10, 8),
    ("JY", "教育局", 1, 6),
    ("JT", "交通运输局", 2, 7),
    ("XC", "宣传部", 0, 5),
    ("XF", "信访局", 1, 5),
];

const CENTRES: &[(&str, &str)] = &[("CY01", "高新技术产业中心"), ("CY02", "现代物流产业中心")];

const SCHOOLS: &[(&str, &str)] = &[
    ("XX01", "区第一中学"),
    ("XX02", "区实验小学"),
    ("XX03", "城关小学"),
    ("XX04", "东湖中学"),
    ("XX05", "新城小学"),
];

/// (code, name, industrial centre, min_on_duty)
const ENTERPRISES: &[(&str, &str, &str, i64)] = &[
    ("QY01", "华源化工有限公司", "CY01", 2),
    ("QY02", "明辉电子科技有限公司", "CY01", 0),
    ("QY03", "宏远燃气有限公司", "CY01", 2),
    ("QY04", "东方物流园有限公司", "CY02", 1),
    ("QY05", "恒达建材集团", "CY02", 1),
    ("QY06", "绿源食品有限公司", "CY02", 0),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "志强", "海燕", "晓东", "红梅",
    "春生", "立新", "玉兰", "国庆", "文华", "振华", "慧敏", "子涵",
];

/// The demo accounts: (user name, display name when no person is linked,
/// role, scope unit code, person linked to it by number). A linked account
/// shows its person's name.
pub type DemoAccount = (
    &'static str,
    &'static str,
    Role,
    Option<&'static str>,
    Option<&'static str>,
);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("admin", "区应急办管理员", Role::Admin, None, None),
    ("assessor", "考核员", Role::Assessor, None, Some("YJB-002")),
    (
        "organizer",
        "组织者",
        Role::Organizer,
        None,
        Some("YJB-003"),
    ),
    ("trainee", "学员", Role::Trainee, None, Some("JD01-001")),
    // A second assessor: a veto needs one to propose and another to confirm.
    ("assessor2", "复核考核员", Role::Assessor, None, None),
    // A chemical plant's worker: not cleared for post until the safety
    // course is passed.
    ("worker", "企业职工", Role::Trainee, None, Some("QY01-002")),
];

/// Deterministic names and phones, so that every demo district is the same.
struct People {
    n: usize,
}

impl People {
    fn next(&mut self, unit: &str, positions: &[Position], with_phone: bool) -> PersonDraft {
        self.n += 1;
        let n = self.n;
        let name = format!(
            "{}{}",
            SURNAMES[(n * 7) % SURNAMES.len()],
            GIVEN[(n * 11 + n / 5) % GIVEN.len()]
        );
        let phone =
            with_phone.then(|| format!("13{}{:08}", (n % 9) + 1, (n * 7_919_113) % 100_000_000));
        // The unit code for now; numbered within the unit when inserted.
        PersonDraft {
            code: unit.to_string(),
            name,
            positions: positions.to_vec(),
            phone,
        }
    }
}

pub struct Seeded {
    pub units: usize,
    pub people: usize,
    pub passwords: Vec<(String, String)>,
}

/// A readable random password: letters and digits, no look-alikes.
pub fn random_password() -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    loop {
        let p: String = (0..12)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect();
        if p.chars().any(|c| c.is_ascii_digit()) && p.chars().any(|c| c.is_ascii_alphabetic()) {
            return p;
        }
    }
}

/// The password for each demo account: `YINGJI_DEMO_PASSWORD` when set
/// (tests), else a fresh random one.
fn demo_password() -> String {
    std::env::var("YINGJI_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(random_password)
}

pub async fn seed_demo(db: &Db, now: i64) -> Result<Seeded, AppError> {
    let actor = Actor::system("seed-demo");
    let mut tx = db.write().await?;
    let mut ids: HashMap<&str, i64> = HashMap::new();
    let mut per_unit: Vec<(&str, Vec<PersonDraft>)> = Vec::new();
    let mut names = People { n: 0 };
    let unit = |code: &str, name: &str, kind: UnitKind, min: i64| UnitDraft {
        code: code.to_string(),
        name: name.to_string(),
        kind,
        min_on_duty: min,
    };

    for (code, name, min, _) in DEPARTMENTS {
        ids.insert(
            code,
            app::areas::directory::store::units::create(
                &mut app::platform::Write::within(&mut tx, &actor, now),
                &unit(code, name, UnitKind::Department, *min),
                None,
            )
            .await?,
        );
    }
    for (code, name, min, grass) in SUBDISTRICTS {
        let id = app::areas::directory::store::units::create(
            &mut app::platform::Write::within(&mut tx, &actor, now),
            &unit(code, name, UnitKind::Subdistrict, *min),
            None,
        )
        .await?;
        ids.insert(code, id);
        for (gcode, gname, kind) in *grass {
            ids.insert(
                gcode,
                app::areas::directory::store::units::create(
                    &mut app::platform::Write::within(&mut tx, &actor, now),
                    &unit(gcode, gname, *kind, 0),
                    Some(id),
                )
                .await?,
            );
        }
    }
    for (code, name) in CENTRES {
        ids.insert(
            code,
            app::areas::directory::store::units::create(
                &mut app::platform::Write::within(&mut tx, &actor, now),
                &unit(code, name, UnitKind::IndustrialCentre, 1),
                None,
            )
            .await?,
        );
    }
    for (code, name) in SCHOOLS {
        let parent = ids["JY"];
        ids.insert(
            code,
            app::areas::directory::store::units::create(
                &mut app::platform::Write::within(&mut tx, &actor, now),
                &unit(code, name, UnitKind::School, 0),
                Some(parent),
            )
            .await?,
        );
    }
    for (code, name, centre, min) in ENTERPRISES {
        let parent = ids[centre];
        ids.insert(
            code,
            app::areas::directory::store::units::create(
                &mut app::platform::Write::within(&mut tx, &actor, now),
                &unit(code, name, UnitKind::Enterprise, *min),
                Some(parent),
            )
            .await?,
        );
    }

    use Position::*;
    for (code, _, _, staff) in DEPARTMENTS {
        let mut list = vec![names.next(code, &[LeaderCadre], true)];
        for i in 1..*staff {
            let mut positions = vec![EmStaff];
            if i == 1 {
                positions.push(InfoOfficer);
            }
            if *code == "AJ" && i == 2 {
                positions.push(Expert);
            }
            list.push(names.next(code, &positions, i % 9 != 4));
        }
        per_unit.push((code, list));
    }
    for (code, _, _, grass) in SUBDISTRICTS {
        let mut list = vec![
            names.next(code, &[LeaderCadre], true),
            names.next(code, &[EmStaff, EqAssistant], true),
        ];
        for i in 0..8 {
            let positions: &[Position] = if i == 0 {
                &[EmStaff, InfoOfficer]
            } else {
                &[EmStaff]
            };
            list.push(names.next(code, positions, i != 5));
        }
        per_unit.push((code, list));
        for (j, (gcode, _, _)) in grass.iter().enumerate() {
            let mut g = vec![names.next(gcode, &[QuickReporter, InfoOfficer], true)];
            // Some villages have two quick-reporters, one has none yet.
            if j % 2 == 0 {
                g.push(names.next(gcode, &[QuickReporter], true));
            } else if *gcode != "JD04-V5" {
                g.push(names.next(gcode, &[InfoOfficer], true));
            }
            per_unit.push((gcode, g));
        }
    }
    for (code, _) in CENTRES {
        let list = (0..4)
            .map(|i| {
                names.next(
                    code,
                    if i == 0 {
                        &[LeaderCadre, EmStaff]
                    } else {
                        &[EmStaff]
                    },
                    true,
                )
            })
            .collect();
        per_unit.push((code, list));
    }
    for (code, _) in SCHOOLS {
        let list = (0..4)
            .map(|i| {
                names.next(
                    code,
                    if i == 0 { &[LeaderCadre] } else { &[EmStaff] },
                    i != 3,
                )
            })
            .collect();
        per_unit.push((code, list));
    }
    for (code, _, _, _) in ENTERPRISES {
        let list = (0..10)
            .map(|i| {
                names.next(
                    code,
                    if i == 0 {
                        &[EmStaff, EnterpriseWorker]
                    } else {
                        &[EnterpriseWorker]
                    },
                    i % 4 != 3,
                )
            })
            .collect();
        per_unit.push((code, list));
    }
    let mut people = 0;
    let mut person_ids: HashMap<String, (i64, String)> = HashMap::new();
    for (code, list) in per_unit {
        for (i, mut draft) in list.into_iter().enumerate() {
            draft.code = format!("{}-{:03}", draft.code, i + 1);
            let id = app::areas::directory::store::people::create(
                &mut app::platform::Write::within(&mut tx, &actor, now),
                &draft,
                ids[code],
            )
            .await?;
            person_ids.insert(draft.code.clone(), (id, draft.name.clone()));
            people += 1;
        }
    }

    let mut passwords = Vec::new();
    let mut account_ids: HashMap<&str, i64> = HashMap::new();
    for (username, display, role, scope, person) in DEMO_ACCOUNTS {
        let password = demo_password();
        let hash = PasswordHash::new_blocking(password.clone()).await;
        let scope_id = scope.map(|c| ids[c]);
        let person_id = person.map(|c| person_ids[c].0);
        let display = person.map(|c| person_ids[c].1.as_str()).unwrap_or(display);
        let id = accounts::create(
            &mut app::platform::Write::within(&mut tx, &actor, now),
            accounts::NewAccount {
                username,
                display_name: display,
                hash: &hash,
                grants: &[(*role, scope_id)],
                person_id,
            },
        )
        .await?;
        account_ids.insert(*username, id);
        passwords.push((username.to_string(), password));
    }
    seed_assessment(&mut tx, &actor, now, &ids).await?;
    seed_training(&mut tx, &actor, now, &ids).await?;
    // Plans are kept as people keep them: the organizer drafts them with
    // their document, publishes and files them; someone else (the admin)
    // approves them.
    let as_account = |name: &str| Actor {
        id: Some(account_ids[name]),
        name: name.to_string(),
    };
    seed_drills(
        &mut tx,
        &actor,
        (&as_account("organizer"), &as_account("admin")),
        now,
        &ids,
    )
    .await?;
    seed_registry(&mut tx, &actor, now).await?;
    // This year's computed metrics, from what was just seeded.
    let today = app::domain::local_date(now).unwrap_or_default();
    {
        let mut w = Write::within(&mut tx, &actor, now);
        app::areas::eplans::service::feed_coverage(&mut w, today, "seed").await?;
        app::areas::drills::service::feed_held(&mut w, today, "seed").await?;
    }
    app::areas::training::service::feed_coverage(
        &mut Write::within(&mut tx, &actor, now),
        chrono::Datelike::year(&today).into(),
        None,
        "seed",
    )
    .await?;
    // The platform's rotation this year is 城关街道's; the other
    // subdistricts trained on their own and the office checked their paper
    // ledgers: an assessor's override, with that reason, which the sheet
    // shows beside whatever the platform computes later.
    for (n, (code, ..)) in SUBDISTRICTS.iter().enumerate().skip(1) {
        app::areas::assessment::store::metrics::save(
            &mut Write::within(&mut tx, &as_account("assessor"), now),
            &app::areas::assessment::store::metrics::EnteredMetric {
                year: chrono::Datelike::year(&today).into(),
                unit_id: ids[code],
                metric: "training_coverage",
                numerator: 10 - (n as i64 % 3),
                denominator: 10,
                reason: "街道自行组织培训,纸质台账已核验",
                source: "seed",
            },
        )
        .await?;
    }
    seed_duty(&mut tx, &as_account("organizer"), now, &ids).await?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ('demo', '1')")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Seeded {
        units: ids.len(),
        people,
        passwords,
    })
}

/// The subdistricts' assessment scheme for this year and last year (last
/// year's published), with scores, metrics, a few events and a bonus; one
/// subdistrict's sheet is left unfinished this year.
async fn seed_assessment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    now: i64,
    ids: &HashMap<&str, i64>,
) -> Result<(), AppError> {
    use app::areas::assessment::service;
    use app::areas::assessment::store;
    use app::domain::assessment::Points;
    use app::domain::scheme::{IndicatorForm, RuleForm, SchemeForm};
    use chrono::Datelike;
    let year = app::domain::local_date(now)
        .map(|d| d.year())
        .unwrap_or(2026);
    let mut form = SchemeForm::blank(year - 1, 0);
    form.code = format!("S{}-JD", year - 1);
    form.name = format!("{}年街道应急管理工作考核", year - 1);
    form.kinds.insert("subdistrict".into(), "1".into());
    form.quota = "35".into();
    let ind = |code: &str, category: &str, name: &str, max: &str, metric: &str, target: &str| {
        IndicatorForm {
            code: code.into(),
            category: category.into(),
            name: name.into(),
            max: max.into(),
            method: if metric.is_empty() { "manual" } else { "ratio" }.into(),
            metric: metric.into(),
            target: target.into(),
        }
    };
    form.indicators = vec![
        ind("duty", "duty", "政务值班", "20", "", ""),
        ind("report", "report", "信息报告", "20", "", ""),
        ind("warning", "response", "预警与应急响应", "15", "", ""),
        ind(
            "plans",
            "response",
            "应急预案编制率",
            "15",
            "plan_coverage",
            "97",
        ),
        ind(
            "training",
            "support",
            "应急管理人员培训",
            "10",
            "training_coverage",
            "100",
        ),
        ind("drills", "response", "应急演练", "10", "drills_held", "100"),
        ind("education", "education", "宣传教育", "10", "", ""),
    ];
    let rule = |event: &str, indicator: &str, points: &str, bars: bool| RuleForm {
        event: event.into(),
        indicator: indicator.into(),
        points: points.into(),
        bars: if bars { "1".into() } else { String::new() },
    };
    form.rules = vec![
        rule("late_report", "report", "1", false),
        rule("false_report", "report", "2", false),
        rule("omitted_report", "report", "3", false),
        rule("concealed_report", "report", "4", true),
        rule("duty_absence", "duty", "1", false),
        rule("missed_zero_report", "report", "1", false),
    ];
    let last = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let this = last.copy_for(year);
    for (def, offset) in [(&last, 1i64), (&this, 0i64)] {
        let scheme_id = service::create_scheme(&mut Write::within(tx, actor, now), def).await?;
        let y = def.year as i64;
        for (n, (code, ..)) in SUBDISTRICTS.iter().enumerate() {
            let unit = ids[code];
            let n = n as i64;
            let manual = [
                ("duty", 200 - (n * 7 + offset * 3) % 25),
                ("report", 200 - (n * 11 + offset * 5) % 40),
                ("warning", 150 - (n * 5 + offset) % 20),
                ("education", 100 - (n * 3 + offset * 2) % 15),
            ];
            for (indicator, tenths) in manual {
                // This year, the last subdistrict's education score is not in yet.
                if offset == 0 && n == 5 && indicator == "education" {
                    continue;
                }
                store::scores::set(
                    &mut Write::within(tx, actor, now),
                    (scheme_id, y),
                    unit,
                    indicator,
                    (Some(Points(tenths)), ""),
                )
                .await?;
            }
            // Last year's metric values come from the office's ledger (the
            // platform did not exist yet): entered, with that as the
            // reason. This year's are computed from the demo's plans,
            // drills and training once they are seeded (`seed_demo`).
            let metrics = [
                ("plan_coverage", 20 - (n % 3), 20),
                ("training_coverage", 30 - n - offset, 30),
                ("drills_held", 2 - (n % 2), 2),
            ];
            for (metric, numerator, denominator) in metrics.into_iter().filter(|_| offset == 1) {
                store::metrics::save(
                    &mut Write::within(tx, actor, now),
                    &store::metrics::EnteredMetric {
                        year: y,
                        unit_id: unit,
                        metric,
                        numerator,
                        denominator,
                        reason: "往年台账 / last year's ledger",
                        source: "seed",
                    },
                )
                .await?;
            }
        }
        let event =
            |unit: &str, event: &str, count: i64, day: &str, what: &str| store::events::NewEvent {
                year: y,
                unit_id: ids[unit],
                event: event.into(),
                count,
                occurred_on: format!("{y}-{day}"),
                description: what.into(),
                incident_id: None,
                source: None,
            };
        service::add_event_in(
            &mut Write::within(tx, actor, now),
            &event("JD02", "late_report", 2, "05-12", "暴雨内涝信息迟报"),
        )
        .await?;
        service::add_event_in(
            &mut Write::within(tx, actor, now),
            &event("JD03", "duty_absence", 1, "02-10", "春节期间值班脱岗"),
        )
        .await?;
        service::add_bonus_in(
            &mut Write::within(tx, actor, now),
            y,
            ids["JD01"],
            Points(30),
            "市级应急管理先进集体",
        )
        .await?;
        if offset == 1 {
            service::publish_in(&mut Write::within(tx, actor, now), scheme_id, "", &[]).await?;
        }
    }
    Ok(())
}

/// On a database that `seed_demo` made: gives the demo accounts new
/// passwords (so the run command can always print working ones).
pub async fn reset_demo_passwords(db: &Db, now: i64) -> Result<Vec<(String, String)>, AppError> {
    let actor = Actor::system("seed-demo");
    let mut out = Vec::new();
    let mut tx = db.write().await?;
    for (username, ..) in DEMO_ACCOUNTS {
        let Some(id) = accounts::id_by_username(&db.pool, username).await? else {
            continue;
        };
        let password = demo_password();
        let hash = PasswordHash::new_blocking(password.clone()).await;
        accounts::set_password(
            &mut app::platform::Write::within(&mut tx, &actor, now),
            id,
            &hash,
            None,
        )
        .await?;
        out.push((username.to_string(), password));
    }
    tx.commit().await?;
    Ok(out)
}

/// Two courses (early warning for emergency staff, with a quiz; enterprise
/// safety, which clears workers for post) and this year's rotation for the
/// first subdistrict, scheduled and published; an enterprise-safety plan
/// that takes sign-ups.
async fn seed_training(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    now: i64,
    ids: &HashMap<&str, i64>,
) -> Result<(), AppError> {
    use app::areas::training::service as training;
    use app::areas::training::store;
    use app::domain::course::{Question, Quiz};
    use app::domain::training::{BatchDef, CourseCategory, CourseDef, Lesson, PlanDef};
    use chrono::{Datelike, NaiveDate};
    let year = app::domain::local_date(now)
        .map(|d| d.year())
        .unwrap_or(2026);
    let q = |prompt: &str, choices: &[&str], correct: &[usize]| Question {
        prompt: prompt.to_string(),
        choices: choices.iter().map(|c| c.to_string()).collect(),
        correct: correct.to_vec(),
        multiple: correct.len() > 1,
    };
    let warning = CourseDef {
        code: "YJ-01".into(),
        title: "懂预警、会监测、能上报".into(),
        category: CourseCategory::EarlyWarning,
        audience: vec![Position::LeaderCadre, Position::EmStaff],
        hours: 8,
        certify_months: Some(24),
        lessons: vec![
            Lesson {
                title: "预警信息的接收与发布".into(),
                body: "## 预警级别\n\n预警分为**蓝、黄、橙、红**四级。\n\n1. 接收预警信息\n2. 核实并报告值班室\n3. 按预案通知到人".into(),
            },
            Lesson {
                title: "突发事件信息报告".into(),
                body: "突发事件发生后,**30 分钟内**电话首报,1 小时内书面报告。\n\n> 严禁迟报、谎报、瞒报、漏报。".into(),
            },
        ],
        quiz: Some(Quiz {
            questions: vec![
                q("突发事件发生后,电话首报的时限是?", &["30 分钟内", "2 小时内", "当天"], &[0]),
                q("以下哪些属于应追责的报告问题?", &["迟报", "谎报", "及时报告", "瞒报"], &[0, 1, 3]),
                q("全国防灾减灾日是哪一天?", &["5 月 12 日", "11 月 9 日"], &[0]),
            ],
            pass_percent: 60,
            attempt_limit: Some(3),
        }),
    };
    let warning_id =
        store::courses::save(&mut Write::within(tx, actor, now), None, &warning).await?;
    let safety = CourseDef {
        code: "AQ-01".into(),
        title: "企业职工安全知识和操作规程".into(),
        category: CourseCategory::EnterpriseSafety,
        audience: vec![Position::EnterpriseWorker],
        hours: 4,
        certify_months: Some(12),
        lessons: vec![Lesson {
            title: "岗位安全操作规程".into(),
            body: "达不到要求的管理人员和职工**不准上岗**。".into(),
        }],
        quiz: Some(Quiz {
            questions: vec![
                q("未通过安全培训的职工可以上岗吗?", &["可以", "不可以"], &[1]),
                q(
                    "发现危险化学品泄漏,首先应当?",
                    &["报告并撤离", "继续作业"],
                    &[0],
                ),
            ],
            pass_percent: 100,
            attempt_limit: None,
        }),
    };
    let safety_id = store::courses::save(&mut Write::within(tx, actor, now), None, &safety).await?;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).unwrap_or_default();
    let batch = |code: &str, start: NaiveDate, end: NaiveDate, capacity: i64| BatchDef {
        code: code.into(),
        start,
        end,
        place: "区应急管理办公室培训室".into(),
        instructor: "王老师".into(),
        capacity,
    };
    let rotation = PlanDef {
        code: format!("LX-{year}-JD01"),
        name: format!("{year} 年街道应急管理人员轮训"),
        year,
        course_id: warning_id,
        positions: vec![Position::LeaderCadre, Position::EmStaff],
        unit_id: ids.get("JD01").copied(),
        self_signup: false,
        batches: vec![
            batch("B1", day(3, 10), day(3, 11), 8),
            batch("B2", day(3, 17), day(3, 18), 8),
        ],
    };
    let plan_id = {
        let mut w = Write::within(tx, actor, now);
        let id = store::rotations::save(&mut w, None, &rotation).await?;
        let plan = store::rotations::get(w.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        training::schedule(&mut w, &plan).await?;
        training::publish_in(&mut w, id).await?;
        id
    };
    let safety_plan = PlanDef {
        code: format!("AQ-{year}-QY01"),
        name: format!("{year} 年华源化工职工安全培训"),
        year,
        course_id: safety_id,
        positions: vec![Position::EnterpriseWorker],
        unit_id: ids.get("QY01").copied(),
        self_signup: true,
        batches: vec![
            batch("S1", day(1, 20), day(1, 20), 6),
            batch("S2", day(12, 28), day(12, 28), 10),
        ],
    };
    let safety_plan_id = {
        let mut w = Write::within(tx, actor, now);
        let id = store::rotations::save(&mut w, None, &safety_plan).await?;
        let plan = store::rotations::get(w.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        training::schedule(&mut w, &plan).await?;
        training::publish_in(&mut w, id).await?;
        id
    };
    // The demo trainee and worker attended their batches; their quizzes
    // are still to pass.
    for (plan, person) in [(plan_id, "JD01-001"), (safety_plan_id, "QY01-002")] {
        sqlx::query(
            "UPDATE training_seats SET attended = 1 WHERE plan_id = $1 AND person_id = (SELECT id FROM people WHERE code = $2)",
        )
        .bind(plan)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Emergency plans for every unit required to have one but two schools and
/// one enterprise (coverage below 97%), drafted with their document by
/// `keeper` (the organizer), approved by `approver` (the admin), published
/// and filed by the organizer; a special earthquake plan
/// of 城关街道 filed four years ago and never drilled (flagged); a draft
/// flood plan; a drill held two months ago and evaluated, with one
/// corrective action overdue and one open; a tabletop exercise ahead.
async fn seed_drills(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    (keeper, approver): (&Actor, &Actor),
    now: i64,
    ids: &HashMap<&str, i64>,
) -> Result<(), AppError> {
    use app::areas::drills::store::{actions, drills as store};
    use app::areas::eplans::service as eplans;
    use app::domain::calendar::local_instant;
    use app::domain::drills::{
        ActionDef, DrillDef, DrillFormat, EvaluationRow, PlanDef, PlanKind, Rating, Scenario,
    };
    use app::platform::Write;
    use chrono::{Duration, Months};
    let today = app::domain::local_date(now).unwrap_or_default();
    let revise_by = today.checked_add_months(Months::new(36)).unwrap_or(today);
    let plan = |unit: &str, kind: PlanKind, title: String| PlanDef {
        unit_id: ids[unit],
        kind,
        title,
        revise_by,
        summary: String::new(),
    };
    let required = DEPARTMENTS
        .iter()
        .map(|d| (d.0, d.1))
        .chain(SUBDISTRICTS.iter().map(|d| (d.0, d.1)))
        .chain(CENTRES.iter().copied())
        .chain(SCHOOLS.iter().copied())
        .chain(ENTERPRISES.iter().map(|e| (e.0, e.1)));
    let mut overall = HashMap::new();
    for (code, name) in required.filter(|(c, _)| !["XX04", "XX05", "QY06"].contains(c)) {
        let title = format!("{name}突发事件总体应急预案");
        let def = plan(code, PlanKind::Overall, title);
        let id = file_plan(tx, (keeper, approver), now, today, &def).await?;
        overall.insert(code, id);
    }
    let quake = plan("JD01", PlanKind::Special, "城关街道地震应急预案".into());
    let quake = file_plan(tx, (keeper, approver), now, today, &quake).await?;
    let long_ago = today.checked_sub_months(Months::new(48)).unwrap_or(today);
    let then = app::domain::local_day_start(long_ago) + 9 * 3600;
    sqlx::query(
        "UPDATE plan_versions SET filed_on = $1, drafted_at = $2, approved_at = $2, published_at = $2, filed_at = $2 \
         WHERE plan_id = $3",
    )
    .bind(long_ago.to_string())
    .bind(then)
    .bind(quake)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE plan_documents SET uploaded_at = $1 WHERE version_id IN (SELECT id FROM plan_versions WHERE plan_id = $2)",
    )
    .bind(then)
    .bind(quake)
    .execute(&mut **tx)
    .await?;
    eplans::create(
        &mut Write::within(tx, keeper, now),
        &plan(
            "YJB",
            PlanKind::Department,
            "区应急办防汛抗旱应急预案".into(),
        ),
    )
    .await?;

    let at = |day: chrono::NaiveDate, time: &str| {
        local_instant(&format!("{day}T{time}")).map_err(|_| AppError::Internal)
    };
    let people = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let held_day = today - Duration::days(60);
    let evacuation = DrillDef {
        title: "区第一中学地震应急疏散演练".into(),
        scenario: Scenario::Earthquake,
        format: DrillFormat::FullScale,
        plan_ids: vec![overall["XX01"]],
        organizer_unit_id: ids["XX01"],
        unit_ids: vec![ids["JY"]],
        person_codes: people(&["XX01-001", "XX01-002", "XX01-003", "XX01-004"]),
        start: at(held_day, "09:00")?,
        end: at(held_day, "11:00")?,
        place: "区第一中学操场".into(),
        objectives: vec![
            "3 分钟内完成全校疏散".into(),
            "伤员转运与医疗救护衔接".into(),
            "信息报告及时准确".into(),
        ],
    };
    let person_ids = people_ids(tx, &evacuation.person_codes).await?;
    let mut w = Write::within(tx, actor, now);
    let drill = store::save(&mut w, None, &evacuation, &person_ids, None, &[]).await?;
    store::hold(&mut w, drill, &person_ids[..3]).await?;
    let rate = |rating: Rating, findings: &str| EvaluationRow {
        rating,
        findings: findings.into(),
    };
    store::evaluate(
        &mut w,
        drill,
        &[
            rate(Rating::Good, "疏散用时 3 分 20 秒,东侧楼梯拥堵"),
            rate(Rating::Fair, "与区医院联络电话未及时接通"),
            rate(Rating::Excellent, ""),
        ],
    )
    .await?;
    for (description, owner, due) in [
        (
            "东侧楼梯间补充疏散指示标志",
            "XX01",
            today - Duration::days(10),
        ),
        (
            "完善与区医院的应急联络机制",
            "SHSY",
            today + Duration::days(30),
        ),
    ] {
        actions::add(
            &mut w,
            drill,
            &ActionDef {
                description: description.into(),
                owner_unit_id: ids[owner],
                due_on: due,
            },
        )
        .await?;
    }
    let ahead = today + Duration::days(20);
    let tabletop = DrillDef {
        title: "华源化工危化品泄漏桌面推演".into(),
        scenario: Scenario::HazardousChemicals,
        format: DrillFormat::Tabletop,
        plan_ids: vec![overall["AJ"], overall["QY01"]],
        organizer_unit_id: ids["AJ"],
        unit_ids: vec![ids["QY01"], ids["HB"]],
        person_codes: people(&["AJ-001", "AJ-002", "QY01-001"]),
        start: at(ahead, "14:00")?,
        end: at(ahead, "17:00")?,
        place: "区应急指挥中心".into(),
        objectives: vec!["明确信息报告流程".into(), "检验企业与部门联动处置".into()],
    };
    let person_ids = people_ids(w.conn(), &tabletop.person_codes).await?;
    store::save(&mut w, None, &tabletop, &person_ids, None, &[]).await?;
    Ok(())
}

/// People by number, in order; every number must name someone.
async fn people_ids(c: &mut sqlx::AnyConnection, codes: &[String]) -> Result<Vec<i64>, AppError> {
    let found = app::areas::directory::service::located_people(c, codes).await?;
    codes
        .iter()
        .map(|code| {
            found.get(code).map(|(id, _)| *id).ok_or_else(|| {
                tracing::error!(code, "the demo names a person it did not seed");
                AppError::Internal
            })
        })
        .collect()
}

/// A plan drafted with its (tiny) document by `keeper`, approved by
/// `approver` (someone else), then published and filed by `keeper`.
async fn file_plan(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    (keeper, approver): (&Actor, &Actor),
    now: i64,
    today: chrono::NaiveDate,
    def: &app::domain::drills::PlanDef,
) -> Result<i64, AppError> {
    use app::areas::eplans::service as eplans;
    use app::domain::drills::{DocKind, PlanStep};
    use app::platform::Write;
    const DOCUMENT: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
    let mut by_keeper = Write::within(tx, keeper, now);
    let id = eplans::create(&mut by_keeper, def).await?;
    eplans::attach_document(
        &mut by_keeper,
        id,
        &format!("{}.pdf", def.title),
        DocKind::Pdf,
        DOCUMENT,
    )
    .await?;
    eplans::take_step(
        &mut Write::within(tx, approver, now),
        today,
        id,
        PlanStep::Approve,
    )
    .await?;
    let mut by_keeper = Write::within(tx, keeper, now);
    for step in [PlanStep::Publish, PlanStep::File] {
        eplans::take_step(&mut by_keeper, today, id, step).await?;
    }
    Ok(id)
}

/// The registry: every subdistrict's assistant and the villages' and
/// communities' quick-reporters (from their positions), certified through
/// the early-warning course: most valid, one expiring within 60 days, one
/// expired, 北苑街道's assistant (JD06) and 桃园村's reporters (JD04-V5) not
/// certified, so two gaps.
async fn seed_registry(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    now: i64,
) -> Result<(), AppError> {
    use app::areas::registry::service as registry;
    use app::domain::registry::RegistryRole;
    use chrono::{Duration, Months};
    use sqlx::Row;
    let today = app::domain::local_date(now).unwrap_or_default();
    let course: i64 = sqlx::query_scalar("SELECT id FROM courses WHERE code = 'YJ-01'")
        .fetch_one(&mut **tx)
        .await?;
    let rows = sqlx::query(
        "SELECT p.id, p.code, p.phone, p.positions, u.id AS unit_id, u.kind FROM people p JOIN units u ON u.id = p.unit_id \
         WHERE p.positions LIKE '%|eq_assistant|%' OR p.positions LIKE '%|quick_reporter|%' ORDER BY p.code",
    )
    .fetch_all(&mut **tx)
    .await?;
    let appointed = today - Duration::days(400);
    for (i, r) in rows.iter().enumerate() {
        let code: String = r.get("code");
        let kind: String = r.get("kind");
        let role = if kind == "subdistrict" {
            RegistryRole::Assistant
        } else {
            RegistryRole::Reporter
        };
        let person: i64 = r.get("id");
        let phone: Option<String> = r.get("phone");
        app::areas::registry::store::entries::register(
            &mut Write::within(tx, actor, now),
            person,
            role,
            r.get("unit_id"),
            phone.as_deref(),
            appointed,
        )
        .await?;
        // Registered but not certified: two gaps on the coverage page.
        if code.starts_with("JD06-0") || code.starts_with("JD04-V5") {
            continue;
        }
        // Issued some months ago for 24 months; one of them for 12 months
        // ending within 60 days, one already expired.
        let (issued, months) = match i {
            3 => (today - Duration::days(330), 12),
            5 => (today - Duration::days(400), 12),
            _ => (today - Duration::days(90 + (i as i64 % 5) * 30), 24),
        };
        let expires = issued.checked_add_months(Months::new(months));
        registry::issue_certificate(
            &mut Write::within(tx, actor, now),
            person,
            course,
            None,
            (issued, expires),
        )
        .await?;
    }
    registry::sync_coverage(&mut Write::within(tx, actor, now), today, None, "seed").await?;
    Ok(())
}

/// The duty office: the district's calendar (this year's 春节, 国庆 and
/// the flood season), the six subdistricts and the emergency office
/// standing duty (one staff, one leader, a rest day between), their
/// rosters for this month published, and one passed spot check.
async fn seed_duty(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    organizer: &Actor,
    now: i64,
    ids: &HashMap<&str, i64>,
) -> Result<(), AppError> {
    use app::areas::duty::{service, store};
    use app::domain::duty_office::{DutyCheck, DutyPeriod, DutySettings, PeriodKind};
    use chrono::{Datelike, Duration, NaiveDate};
    let today = app::domain::local_date(now).unwrap_or_default();
    let y = today.year();
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today);
    for (name, kind, (first, last), extra_staff) in [
        ("春节", PeriodKind::Holiday, (day(2, 16), day(2, 22)), 1),
        ("汛期", PeriodKind::Sensitive, (day(6, 1), day(9, 30)), 0),
        ("国庆", PeriodKind::Holiday, (day(10, 1), day(10, 7)), 1),
    ] {
        store::calendar::add(
            &mut Write::within(tx, organizer, now),
            &DutyPeriod {
                name: name.into(),
                kind,
                first,
                last,
                extra_staff,
            },
        )
        .await?;
    }
    let settings = DutySettings {
        staff_per_day: 1,
        leaders_per_day: 1,
        min_rest_days: 1,
    };
    let first = today - Duration::days(7);
    let last = today + Duration::days(23);
    let mut units: Vec<&str> = SUBDISTRICTS.iter().map(|(code, ..)| *code).collect();
    units.push("YJB");
    for code in units {
        let unit = ids[code];
        store::settings::save(&mut Write::within(tx, organizer, now), unit, settings).await?;
        let mut w = Write::within(tx, organizer, now);
        let id = service::generate_in(&mut w, unit, (first, last)).await?;
        let name: String = sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
            .bind(unit)
            .fetch_one(w.conn())
            .await?;
        service::publish_in(&mut w, id, &name, (first, last)).await?;
    }
    // Two days ago at 21:30, whoever stood the post that day answered.
    let checked_at = app::domain::local_day_start(today - Duration::days(2)) + 21 * 3600 + 1800;
    let on_post: Option<String> = sqlx::query_scalar(
        "SELECT p.name FROM duty_slots s JOIN duty_rosters r ON r.id = s.roster_id JOIN people p ON p.id = s.person_id \
         WHERE r.unit_id = $1 AND s.day = $2 AND s.role = 'staff' ORDER BY p.name LIMIT 1",
    )
    .bind(ids["JD01"])
    .bind((today - Duration::days(2)).to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let assessor = Actor::system("seed-demo");
    service::add_check_in(
        &mut Write::within(tx, &assessor, now),
        ids["JD01"],
        &DutyCheck {
            checked_at,
            called: "010-6012 3456".into(),
            answered: true,
            on_post: on_post.unwrap_or_else(|| "值班员".into()),
            note: "夜间抽查,值班人员在岗".into(),
        },
    )
    .await?;
    seed_daily_reports(tx, &assessor, now, ids).await?;
    seed_incident_reports(tx, &assessor, now, ids).await
}

/// The district's minutes to 首报 (一般 120, 较大 60, 重大 30, 特别重大 15);
/// 东湖街道's 较大 fire three days ago, reported in time, followed up and
/// closed; 城关街道's flooding yesterday, reported in time, with a 核报 the
/// office asked for, due tomorrow.
async fn seed_incident_reports(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    office: &Actor,
    now: i64,
    ids: &HashMap<&str, i64>,
) -> Result<(), AppError> {
    use app::areas::duty::store::incidents;
    use app::domain::incident::Level;
    use app::domain::incident_report::{Deadlines, FirstReport, FollowUp, Stage};
    let deadlines = Deadlines {
        minutes: [120, 60, 30, 15],
    };
    incidents::save_deadlines(&mut Write::within(tx, office, now), &deadlines).await?;
    let unit_duty = |code: &str| Actor {
        id: None,
        name: format!(
            "{}值班室",
            SUBDISTRICTS
                .iter()
                .find(|s| s.0 == code)
                .map_or("", |s| s.1)
        ),
    };
    let day = 86_400;
    for (code, level, title, place, back, first_after, follow) in [
        (
            "JD03",
            Level::Larger,
            "沿街商铺火灾",
            "文华路 18 号",
            3 * day,
            35 * 60,
            vec![
                (Stage::Update, 2 * 3600, "明火已扑灭,1 人轻微烧伤送医", 1),
                (
                    Stage::Final,
                    6 * 3600,
                    "现场清理完毕,伤者已出院,起火原因为电线老化",
                    1,
                ),
            ],
        ),
        (
            "JD01",
            Level::General,
            "暴雨致低洼路段积水",
            "城关街道东关村路口",
            day,
            40 * 60,
            vec![(Stage::Update, 3 * 3600, "已设置警示,抽排作业中", 0)],
        ),
    ] {
        let occurred = now - back;
        let first = FirstReport {
            level,
            title: title.into(),
            place: place.into(),
            occurred_at: occurred,
            injured: 0,
            dead: 0,
            measures: "已到场处置,疏导交通".into(),
        };
        let at = occurred + first_after;
        let id = incidents::add(
            &mut Write::within(tx, &unit_duty(code), at),
            ids[code],
            &first,
            Some(deadlines.first_due(level, occurred)),
        )
        .await?;
        for (stage, after, text, injured) in follow {
            let f = FollowUp {
                stage,
                text: text.into(),
                injured,
                dead: 0,
            };
            incidents::follow(
                &mut Write::within(tx, &unit_duty(code), occurred + after),
                id,
                &f,
            )
            .await?;
        }
        if code == "JD01" {
            incidents::ask(
                &mut Write::within(tx, office, occurred + 4 * 3600),
                id,
                "请核实积水路段是否有车辆被困、人员受伤",
                now + day,
            )
            .await?;
        }
    }
    Ok(())
}

/// Daily reports due at 16:00 from every subdistrict for the last week:
/// each filed on time, except one subdistrict that filed one day late and
/// another that missed one, which the server's first settling turns into
/// `missed_zero_report` events. Today is still everyone's to file.
async fn seed_daily_reports(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    office: &Actor,
    now: i64,
    ids: &HashMap<&str, i64>,
) -> Result<(), AppError> {
    use app::areas::duty::store::reports;
    use app::domain::daily_report::{DailyReport, ReportRules, RuleBook};
    use chrono::Duration;
    let today = app::domain::local_date(now).unwrap_or_default();
    let rules = ReportRules::parse("16:00", &["subdistrict".to_string()])
        .map_err(|_| AppError::Internal)?;
    reports::save_rules(
        &mut Write::within(tx, office, now),
        &RuleBook::new(rules.clone()),
        today - Duration::days(7),
    )
    .await?;
    // Filed by each unit's duty room (值班室), as the board shows it.
    let duty_room = |name: &str| Actor {
        id: None,
        name: format!("{name}值班室"),
    };
    for back in 1..=7 {
        let day = today - Duration::days(back);
        for (code, name, ..) in SUBDISTRICTS {
            let duty = duty_room(name);
            let at = match (*code, back) {
                ("JD02", 2) => continue,
                ("JD03", 3) => rules.deadline(day) + 70 * 60,
                _ => rules.deadline(day) - 5 * 3600,
            };
            let report = if back == 4 && *code == "JD01" {
                DailyReport::parse(
                    "summary",
                    ("1", "0", "0"),
                    "城关街道一处民房电线起火,已扑灭,无人员伤亡",
                )
                .map_err(|_| AppError::Internal)?
            } else {
                DailyReport::ZERO
            };
            reports::add(&mut Write::within(tx, &duty, at), ids[code], day, &report).await?;
        }
    }
    // Today: four subdistricts have filed; 城关街道 (the demo trainee's)
    // and 新城街道 have not.
    let start = app::domain::local_day_start(today);
    let at = start + (now.min(rules.deadline(today)) - start) / 2;
    for (code, name, ..) in SUBDISTRICTS.iter().skip(2) {
        let duty = duty_room(name);
        reports::add(
            &mut Write::within(tx, &duty, at),
            ids[code],
            today,
            &DailyReport::ZERO,
        )
        .await?;
    }
    Ok(())
}
