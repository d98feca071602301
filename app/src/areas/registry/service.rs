//! The registry's rules of engagement: who sees which entries (and whose
//! phone numbers whole), registering and confirming, confirmation drives,
//! certificates (issued for other areas, revoked here, verified by
//! anyone), reporter coverage and the metric it feeds.

use super::dto::{
    CertificateRow, CertificateView, CoverageLine, DriveProgress, GapRow, REGISTRY_PAGE,
    RegistryPage, RegistryRow, Reminders, ReporterCoverageReport, Verified,
};
use super::store::{certificates, coverage, entries};
use crate::areas::directory::service as directory;
use crate::domain::Problem;
use crate::domain::authz::{Action, Principal, Reach};
use crate::domain::registry::{
    CoverageUnit, RegisterForm, RegistryRole, is_certificate_number, mask_name, reporter_coverage,
};
use crate::domain::unit::{UnitKind, is_within};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::platform::{Change, Ctx, Write};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Who registered people are shown to with their full phone number.
fn sees_phones(me: &Principal, unit_path: &str) -> bool {
    me.may_at(Action::ManageRegistry, unit_path)
}

/// The part of the registry the caller sees: their scope, and for a
/// trainee their own subdistrict (see `Principal::reach_with_own_unit`).
/// The page, its progress and coverage lines, and the export all read
/// this one reach.
async fn reach(c: &mut AnyConnection, me: &Principal) -> Result<Reach, AppError> {
    let own = directory::own_unit(c, me).await?.map(|(_, path)| path);
    Ok(me.reach_with_own_unit(Action::ViewRegistry, own.as_deref()))
}

/// The entries within `reach`, phones masked where the caller may not see
/// them (the page and the export show the same).
async fn visible_rows(
    c: &mut AnyConnection,
    me: &Principal,
    reach: &Reach,
    today: NaiveDate,
) -> Result<Vec<RegistryRow>, AppError> {
    let mut rows = entries::within(c, reach, today).await?;
    for r in &mut rows {
        if !sees_phones(me, &r.unit_path) {
            r.phone = r.phone.as_deref().map(crate::domain::person::mask_phone);
        }
    }
    Ok(rows)
}

/// One page of the registry as the search `q` finds it, with every
/// subdistrict's confirmation progress (over all entries, not the page).
pub async fn page(cx: &Ctx, q: &str, page: i64) -> Result<RegistryPage, AppError> {
    cx.may(Action::ViewRegistry)?;
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let reach = reach(&mut c, me).await?;
    let rows = visible_rows(&mut c, me, &reach, cx.today).await?;
    let all = directory::list_units(cx, String::new(), "").await?;
    let progress: Vec<DriveProgress> = all
        .iter()
        .filter(|u| u.kind == UnitKind::Subdistrict && reach.covers(&u.path))
        .map(|u| {
            let within: Vec<&RegistryRow> = rows
                .iter()
                .filter(|r| is_within(&r.unit_path, &u.path))
                .collect();
            DriveProgress {
                unit_id: u.id,
                unit_name: u.name.clone(),
                confirmed: within.iter().filter(|r| r.confirmed_at.is_some()).count() as i64,
                total: within.len() as i64,
            }
        })
        .filter(|p| p.total > 0)
        .collect();
    let q = q.trim().to_lowercase();
    let found: Vec<RegistryRow> = rows
        .into_iter()
        .filter(|r| {
            q.is_empty()
                || r.person_name.to_lowercase().contains(&q)
                || r.person_code.to_lowercase().contains(&q)
                || r.unit_name.to_lowercase().contains(&q)
                || r.certificate
                    .as_deref()
                    .is_some_and(|c| c.to_lowercase().contains(&q))
        })
        .collect();
    let total = found.len();
    let pages = total.div_ceil(REGISTRY_PAGE).max(1);
    let page = (page.max(1) as usize).min(pages);
    let rows = found
        .into_iter()
        .skip((page - 1) * REGISTRY_PAGE)
        .take(REGISTRY_PAGE)
        .collect();
    let units = all
        .into_iter()
        .filter(|u| u.kind == UnitKind::Subdistrict || u.kind.is_grass_roots())
        .filter(|u| me.may_at(Action::ManageRegistry, &u.path))
        .collect();
    Ok(RegistryPage {
        rows,
        total: total as i64,
        page: page as i64,
        pages: pages as i64,
        progress,
        may_manage: me.may(Action::ManageRegistry),
        units,
        today: cx.today,
    })
}

/// Registers an existing person (by number) or a new one (a name given
/// for an unknown number) in a role for a subdistrict, village or
/// community within the caller's reach.
pub async fn register(cx: &Ctx, form: RegisterForm) -> Result<i64, AppError> {
    cx.may(Action::ManageRegistry)?;
    let def = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let mut w = cx.write().await?;
    let unit = directory::unit_in(w.conn(), def.unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("field.unit", Problem::new("problem.no_such_unit")))?;
    if !cx.me.may_at(Action::ManageRegistry, &unit.path) {
        return Err(AppError::Forbidden);
    }
    def.role
        .check_unit(unit.kind)
        .map_err(|p| AppError::invalid("field.unit", p))?;
    // The scope rule of the registry import: a known person outside the
    // caller's reach is refused by number, their stored name never shown
    // back; an unknown number with a name is a new person in the unit
    // (which is in reach).
    let person = match entries::person_by_code(w.conn(), &def.person_code).await? {
        Some((id, path)) if cx.me.may_name_person(&path) => id,
        Some(_) => {
            return Err(AppError::invalid(
                "field.person_code",
                Problem::with("problem.person_outside_scope", &[&def.person_code]),
            ));
        }
        None => match def.name.as_deref() {
            Some(name) => {
                let draft = new_person(&def.person_code, name, def.role, def.phone.as_deref());
                directory::add_person(&mut w, &draft, unit.id).await?
            }
            None => {
                return Err(AppError::invalid(
                    "field.person_code",
                    Problem::with("problem.no_such_person_give_name", &[&def.person_code]),
                ));
            }
        },
    };
    let id = entries::register(
        &mut w,
        person,
        def.role,
        unit.id,
        def.phone.as_deref(),
        def.appointed_on,
    )
    .await
    .map_err(|e| match e {
        AppError::Conflict(_) => AppError::invalid(
            "field.person_code",
            Problem::new("problem.already_registered"),
        ),
        e => e,
    })?;
    let touched = [unit.path.clone()];
    sync_coverage(&mut w, cx.today, Some(&touched), &format!("registry:{id}")).await?;
    w.commit().await?;
    Ok(id)
}

/// A person the registry creates: the role's position, nothing more.
fn new_person(
    code: &str,
    name: &str,
    role: RegistryRole,
    phone: Option<&str>,
) -> crate::domain::person::PersonDraft {
    use crate::domain::person::{PersonDraft, Position};
    PersonDraft {
        code: code.to_string(),
        name: name.to_string(),
        positions: vec![match role {
            RegistryRole::Assistant => Position::EqAssistant,
            RegistryRole::Reporter => Position::QuickReporter,
        }],
        phone: phone.map(str::to_string),
    }
}

pub async fn confirm(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may(Action::ManageRegistry)?;
    let mut w = cx.write().await?;
    let path = entries::path(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::ManageRegistry, &path) {
        return Err(AppError::Forbidden);
    }
    entries::confirm(&mut w, id).await?;
    w.commit().await?;
    Ok(())
}

/// 换届: everyone registered in the unit's subtree becomes unconfirmed
/// until confirmed again. Returns how many.
pub async fn start_drive(cx: &Ctx, unit_id: i64, reason: &str) -> Result<u64, AppError> {
    cx.may(Action::ManageRegistry)?;
    let reason = crate::domain::text_field(reason, 2, 200)
        .map_err(|p| AppError::invalid("field.reason", p))?;
    let mut w = cx.write().await?;
    let unit = directory::unit_in(w.conn(), unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("field.unit", Problem::new("problem.no_such_unit")))?;
    if !cx.me.may_at(Action::ManageRegistry, &unit.path) {
        return Err(AppError::Forbidden);
    }
    let n = entries::start_drive(&mut w, unit.id, &unit.path, &reason).await?;
    w.commit().await?;
    Ok(n)
}

/// The signed-in person's certificates, oldest first.
pub async fn my_certificates(cx: &Ctx) -> Result<Vec<CertificateRow>, AppError> {
    let person = cx.me.person_id.ok_or(AppError::Forbidden)?;
    let mut c = cx.pool().acquire().await?;
    certificates::of_person(&mut c, person, cx.today).await
}

/// Certificates within reach that are expiring or expired (newest per
/// person), soonest first.
pub async fn reminders(cx: &Ctx) -> Result<Reminders, AppError> {
    cx.may(Action::ViewPeople)?;
    let mut c = cx.pool().acquire().await?;
    let certificates =
        certificates::due(&mut c, &cx.me.reach(Action::ViewPeople), cx.today).await?;
    Ok(Reminders { certificates })
}

pub async fn revoke(cx: &Ctx, number: &str, reason: &str) -> Result<(), AppError> {
    cx.may(Action::ManageRegistry)?;
    let reason = crate::domain::text_field(reason, 2, 200)
        .map_err(|p| AppError::invalid("field.reason", p))?;
    let mut w = cx.write().await?;
    let cert = certificates::by_number(w.conn(), number, cx.today)
        .await?
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::ManageRegistry, &cert.unit_path) {
        return Err(AppError::Forbidden);
    }
    certificates::revoke(&mut w, number, &reason).await?;
    let touched = entries::paths_of(w.conn(), &[cert.person_id]).await?;
    sync_coverage(
        &mut w,
        cx.today,
        Some(&touched),
        &format!("certificate:{number}"),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The public check of a certificate number: anyone, signed in or not,
/// counted per client (`client`, an address or a /64) in the check itself,
/// so that every way to reach it shares one limit. An unknown or
/// malformed number is "not found" and nothing else.
pub async fn verify(st: &AppState, client: &str, number: &str) -> Result<Verified, AppError> {
    let now = st.clock.now_secs();
    if !st
        .verify_limiter
        .allow(client, u64::try_from(now).unwrap_or(0))
    {
        return Err(AppError::TooManyChecks);
    }
    let number = number.trim();
    if !is_certificate_number(number) {
        return Err(AppError::NotFound);
    }
    let today = crate::platform::today_at(now)?;
    let mut c = st.db.pool.acquire().await?;
    let cert = certificates::by_number(&mut c, number, today)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = entries::roles_of(&mut c, cert.person_id)
        .await?
        .into_iter()
        .next();
    Ok(Verified {
        role,
        number: cert.number,
        masked_name: mask_name(&cert.person_name),
        course_title: cert.course_title,
        unit_name: cert.unit_name,
        issued_on: cert.issued_on,
        expires_on: cert.expires_on,
        status: cert.status,
        today,
    })
}

/// A certificate for printing, with its verify address under `origin`:
/// for its holder, or whoever may see people where the holder is.
pub async fn certificate(
    cx: &Ctx,
    number: &str,
    origin: &str,
) -> Result<CertificateView, AppError> {
    let mut c = cx.pool().acquire().await?;
    let cert = certificates::by_number(&mut c, number.trim(), cx.today)
        .await?
        .ok_or(AppError::NotFound)?;
    if cx.me.person_id != Some(cert.person_id) && !cx.me.may_at(Action::ViewPeople, &cert.unit_path)
    {
        return Err(AppError::Forbidden);
    }
    let verify_url = format!("{origin}/verify/{}", cert.number);
    let qr_svg = crate::charts::qr_svg(&verify_url);
    Ok(CertificateView {
        cert,
        verify_url,
        qr_svg,
    })
}

/// Every subdistrict's coverage line (its gaps named) with the
/// subdistrict's path, and the number of reporters each village needs; a
/// certificate counts while it is valid on `today`.
async fn coverage_lines(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<(Vec<(String, CoverageLine)>, i64), AppError> {
    let places = directory::places(c).await?;
    let mut valid: HashMap<(i64, RegistryRole), i64> = HashMap::new();
    for r in entries::within(c, &Reach::Everywhere, today).await? {
        if r.status.is_valid() {
            *valid.entry((r.unit_id, r.role)).or_default() += 1;
        }
    }
    let needed = coverage::reporters_needed(c).await?;
    // Subdistricts are at the top of the tree: the first id of a path.
    let top = |path: &str| -> Result<i64, AppError> {
        path.trim_matches('/')
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                tracing::error!(path, "a unit path without a top unit");
                AppError::Internal
            })
    };
    let coverage_units = places
        .iter()
        .map(|u| {
            Ok(CoverageUnit {
                id: u.id,
                kind: u.kind.0,
                subdistrict: top(&u.path)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let by_id: HashMap<i64, &directory::Place> = places.iter().map(|u| (u.id, u)).collect();
    let lines = reporter_coverage(&coverage_units, &valid, needed)
        .into_iter()
        .filter_map(|cov| {
            let sub = by_id.get(&cov.subdistrict)?;
            let gaps = cov
                .gaps
                .iter()
                .filter_map(|(id, have, need)| {
                    by_id.get(id).map(|u| GapRow {
                        unit_name: u.name.clone(),
                        kind: u.kind.0,
                        have: *have,
                        need: *need,
                    })
                })
                .collect();
            Some((
                sub.path.clone(),
                CoverageLine {
                    subdistrict: sub.name.clone(),
                    coverage: cov,
                    gaps,
                },
            ))
        })
        .collect();
    Ok((lines, needed))
}

/// Reporter coverage by subdistrict within reach, drawn in `lang`; read
/// and drawn once per version of the data, day, caller and language.
pub async fn coverage_report(cx: &Ctx, lang: Lang) -> Result<ReporterCoverageReport, AppError> {
    cx.may(Action::ViewRegistry)?;
    let me = &cx.me;
    let key = format!("reporter_coverage:{}:{}:{lang:?}", cx.today, me.account_id);
    let report = cx
        .st
        .db
        .memo
        .get_or(cx.pool(), key, async || {
            let mut c = cx.pool().acquire().await?;
            let reach = reach(&mut c, me).await?;
            let (lines, needed) = coverage_lines(&mut c, cx.today).await?;
            let lines: Vec<CoverageLine> = lines
                .into_iter()
                .filter(|(path, _)| reach.covers(path))
                .map(|(_, l)| l)
                .collect();
            let labels: Vec<String> = lines.iter().map(|l| l.subdistrict.clone()).collect();
            let values: Vec<i64> = lines
                .iter()
                .map(|l| {
                    let (n, d) = l.coverage.metric();
                    if d == 0 { 1000 } else { n * 1000 / d }
                })
                .collect();
            let chart =
                crate::charts::percent_chart(lang.t("chart.reporter_coverage"), &labels, &values);
            Ok(ReporterCoverageReport {
                reporters_needed: needed,
                lines,
                chart,
                may_configure: me.reach(Action::ManageRegistry) == Reach::Everywhere,
            })
        })
        .await?;
    Ok((*report).clone())
}

/// Sets how many certified quick-reporters each village or community
/// needs (1 or 2); district-wide organizers and admins only.
pub async fn set_reporters_needed(cx: &Ctx, n: i64) -> Result<(), AppError> {
    cx.may_everywhere(Action::ManageRegistry)?;
    if !(1..=2).contains(&n) {
        return Err(AppError::invalid(
            "field.reporters_needed",
            Problem::with("problem.between", &["1", "2"]),
        ));
    }
    let mut w = cx.write().await?;
    coverage::set_reporters_needed(&mut w, n).await?;
    sync_coverage(&mut w, cx.today, None, "reporters_needed").await?;
    w.commit().await?;
    Ok(())
}

/// Writes this year's `reporter_coverage` metric for every subdistrict,
/// leaving published years alone: (written, left alone).
pub async fn sync_metric(cx: &Ctx) -> Result<(usize, usize), AppError> {
    cx.may_everywhere(Action::ManageRegistry)?;
    let mut w = cx.write().await?;
    let done = sync_coverage(&mut w, cx.today, None, "sync").await?;
    w.commit().await?;
    Ok(done)
}

/// Writes this year's `reporter_coverage` (covered places over places)
/// for the subdistricts holding any of `within` (unit paths), or for every
/// subdistrict when `None`, through the platform's metric feed; published
/// years are left alone. Called after every change that can move it.
pub async fn sync_coverage(
    w: &mut Write<'_>,
    today: NaiveDate,
    within: Option<&[String]>,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let (lines, _) = coverage_lines(w.conn(), today).await?;
    let values: Vec<(i64, i64, i64)> = lines
        .iter()
        .filter(|(path, _)| within.is_none_or(|paths| paths.iter().any(|p| is_within(p, path))))
        .map(|(_, l)| {
            let (n, d) = l.coverage.metric();
            (l.coverage.subdistrict, n, d)
        })
        .collect();
    if values.is_empty() {
        return Ok((0, 0));
    }
    crate::platform::metrics::feed(w, today.year().into(), "reporter_coverage", &values, source)
        .await
}

// ---- for other areas, which have checked their callers ----

/// Issues a certificate for a completion of a certifying course, inside
/// the training area's write; the person's coverage moves with it.
pub async fn issue_certificate(
    w: &mut Write<'_>,
    person_id: i64,
    course_id: i64,
    completion_id: Option<i64>,
    dates: (NaiveDate, Option<NaiveDate>),
) -> Result<String, AppError> {
    certificates::issue(w, person_id, course_id, completion_id, dates).await
}

/// Revokes what a withdrawn completion of a rotation issued.
pub async fn revoke_for_withdrawn_completion(
    w: &mut Write<'_>,
    rotation_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    certificates::revoke_for_withdrawn_completion(w, rotation_id, person_id).await
}

/// A person's certificates, oldest first (the trainee's own page).
pub async fn person_certificates(
    c: &mut AnyConnection,
    person: i64,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, AppError> {
    certificates::of_person(c, person, today).await
}

/// Certificates within `reach` due for renewal (the home page's count).
pub async fn due_certificates(
    c: &mut AnyConnection,
    reach: &Reach,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, AppError> {
    certificates::due(c, reach, today).await
}

/// The unit paths of these people's entries (where their certificates
/// count towards coverage).
pub async fn entry_paths(c: &mut AnyConnection, people: &[i64]) -> Result<Vec<String>, AppError> {
    entries::paths_of(c, people).await
}

/// What stands behind each subdistrict's `reporter_coverage` on `today`:
/// (subdistrict id, its valid registrations as "person · unit", the names
/// of the places short of reporters). The assessment's evidence.
pub async fn coverage_evidence(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<(i64, Vec<String>, Vec<String>)>, AppError> {
    let (lines, _) = coverage_lines(c, today).await?;
    let all = entries::within(c, &Reach::Everywhere, today).await?;
    Ok(lines
        .into_iter()
        .map(|(path, line)| {
            let valid = all
                .iter()
                .filter(|e| e.status.is_valid() && is_within(&e.unit_path, &path))
                .map(|e| format!("{} · {}", e.person_name, e.unit_name))
                .collect();
            let gaps = line.gaps.into_iter().map(|g| g.unit_name).collect();
            (line.coverage.subdistrict, valid, gaps)
        })
        .collect())
}

/// (person number, role) of every entry, to check an import against.
pub async fn registered(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashSet<(String, RegistryRole)>, AppError> {
    entries::registered(pool).await
}

/// Registers every checked row of an import file inside the importer's
/// write, creating the people it names, and moves the coverage of the
/// subdistricts it touched. The file was checked against the database
/// just before: a person the file would create who exists by now (made in
/// between) is a conflict, not a silent match.
pub async fn import(
    w: &mut Write<'_>,
    lines: &[crate::domain::import::RegistryLine],
    today: NaiveDate,
    source: &str,
) -> Result<usize, AppError> {
    // People this file created, so that a second role of theirs finds them.
    let mut created: HashMap<&str, i64> = HashMap::new();
    let mut touched = Vec::new();
    for l in lines {
        let unit = directory::unit_by_code_in(w.conn(), &l.unit_code)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(Problem::with("problem.unknown_unit", &[&l.unit_code]))
            })?;
        let existing = entries::person_by_code(w.conn(), &l.person_code)
            .await?
            .map(|(id, _)| id);
        let person = match (&l.new_name, created.get(l.person_code.as_str()), existing) {
            (Some(_), Some(id), _) => *id,
            (Some(_), None, Some(_)) => {
                return Err(AppError::Conflict(Problem::with(
                    "problem.code_exists",
                    &[&l.person_code],
                )));
            }
            (Some(name), None, None) => {
                let draft = new_person(&l.person_code, name, l.role, l.phone.as_deref());
                let id = directory::add_person(w, &draft, unit.id).await?;
                created.insert(&l.person_code, id);
                id
            }
            (None, _, existing) => existing.ok_or_else(|| {
                AppError::Conflict(Problem::with(
                    "problem.no_such_person_give_name",
                    &[&l.person_code],
                ))
            })?,
        };
        entries::register(
            w,
            person,
            l.role,
            unit.id,
            l.phone.as_deref(),
            l.appointed_on,
        )
        .await?;
        touched.push(unit.path);
    }
    sync_coverage(w, today, Some(&touched), source).await?;
    Ok(lines.len())
}

/// The export's header: Chinese first, as the registry page heads it.
pub const EXPORT_HEADER: [&str; 11] = [
    "人员编号",
    "姓名",
    "类别",
    "单位",
    "电话",
    "任命日期",
    "确认人",
    "证书编号",
    "证书状态",
    "有效期至",
    "登记编号",
];

/// The registry as rows of text for a CSV or XLSX download, with an audit
/// row saying who took which personal data (how many rows, how many with
/// full phone numbers) in which format. Personal data leaves the system
/// only this way, so every export is on record. The row is committed
/// before the file is written: the data has been read.
pub async fn export(cx: &Ctx, format: &str) -> Result<Vec<Vec<String>>, AppError> {
    cx.may(Action::ViewRegistry)?;
    let me = &cx.me;
    let mut w = cx.write().await?;
    let reach = reach(w.conn(), me).await?;
    let rows = visible_rows(w.conn(), me, &reach, cx.today).await?;
    let unmasked = rows
        .iter()
        .filter(|r| r.phone.is_some() && sees_phones(me, &r.unit_path))
        .count();
    let zh = Lang::Zh;
    let out: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.person_code.clone(),
                r.person_name.clone(),
                zh.t(r.role.label_key()).to_string(),
                r.unit_name.clone(),
                r.phone.clone().unwrap_or_default(),
                r.appointed_on.to_string(),
                r.confirmed_by.clone().unwrap_or_default(),
                r.certificate.clone().unwrap_or_default(),
                zh.t(&r.status.label_key()).to_string(),
                r.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                r.id.to_string(),
            ]
        })
        .collect();
    w.audit(
        Change::new("export.registry", "registry", format).after(&serde_json::json!({
            "format": format,
            "rows": out.len(),
            "full_phones": unmasked,
            "reach": match &reach {
                Reach::Subtrees(paths) => serde_json::json!(paths),
                other => serde_json::json!(format!("{other:?}").to_lowercase()),
            },
        })),
    )
    .await?;
    w.commit().await?;
    Ok(out)
}
