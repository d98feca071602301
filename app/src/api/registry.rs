//! The assistants' registry's server functions: the registry (phones
//! masked for those without the registry permission), registering people,
//! confirmation drives and their progress, certificates (the trainee's
//! own, the organizers' reminder list, revoking), reporter coverage, and
//! the public verify answer (masked name, role, unit, valid today).

use crate::domain::registry::RegisterForm;
use crate::error::AppError;
use crate::model::{CertificateRow, CoverageLine, RegistryRow, Unit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// A subdistrict's confirmation progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveProgress {
    pub unit_id: i64,
    pub unit_name: String,
    pub confirmed: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryPage {
    /// One page of what the search found.
    pub rows: Vec<RegistryRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub progress: Vec<DriveProgress>,
    pub may_manage: bool,
    /// Units the caller may register people in (subdistricts, villages
    /// and communities within scope).
    pub units: Vec<Unit>,
    pub today: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminders {
    /// Expiring (60 days or less) and expired, soonest first.
    pub certificates: Vec<CertificateRow>,
}

/// The public answer for a certificate number: no more than the page
/// shows (a masked name, the role, the unit, valid today or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    pub number: String,
    pub masked_name: String,
    pub course_title: String,
    pub unit_name: String,
    /// The holder's role in the registry, if registered.
    pub role: Option<crate::domain::registry::RegistryRole>,
    pub issued_on: chrono::NaiveDate,
    pub expires_on: Option<chrono::NaiveDate>,
    pub status: crate::domain::registry::CertStatus,
    pub today: chrono::NaiveDate,
}

/// A certificate to print: its facts, the verify address and its QR code
/// (SVG, made on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    pub cert: CertificateRow,
    pub verify_url: String,
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
pub mod server {
    //! Checks the server functions share.
    use crate::domain::authz::{Action, Principal, Reach};

    /// Who registered people are shown to with their full phone number.
    pub fn sees_phones(me: &Principal, unit_path: &str) -> bool {
        me.may_at(Action::ManageRegistry, unit_path)
    }

    /// The part of the registry the caller sees: their scope, and for a
    /// trainee their own subdistrict (see `Principal::reach_with_own_unit`).
    /// The page, its progress and coverage lines, and the export all read
    /// this one reach.
    pub async fn registry_reach(
        c: &mut sqlx::AnyConnection,
        me: &Principal,
    ) -> Result<Reach, crate::error::AppError> {
        let own = crate::api::drills::server::own_unit(c, me)
            .await?
            .map(|(_, path)| path);
        Ok(me.reach_with_own_unit(Action::ViewRegistry, own.as_deref()))
    }

    /// The registry rows within `reach` (the caller's, from
    /// `registry_reach`), phones masked where the caller may not see them
    /// (the page and the export show the same).
    pub async fn visible_rows(
        c: &mut sqlx::AnyConnection,
        me: &Principal,
        reach: &Reach,
        today: chrono::NaiveDate,
    ) -> Result<Vec<crate::model::RegistryRow>, crate::error::AppError> {
        let mut rows = crate::db::registry::entries(c, reach, today).await?;
        for r in &mut rows {
            if !sees_phones(me, &r.unit_path) {
                r.phone = r.phone.as_deref().map(crate::domain::person::mask_phone);
            }
        }
        Ok(rows)
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

    /// The registry as rows of text for a CSV or XLSX download, with an
    /// audit row saying who took which personal data (how many rows, how
    /// many with full phone numbers) in which format. Personal data leaves
    /// the system only this way, so every export is on record. The row is
    /// committed before the file is written: the data has been read.
    pub async fn export(
        st: &crate::state::AppState,
        me: &Principal,
        format: &str,
    ) -> Result<Vec<Vec<String>>, crate::error::AppError> {
        use crate::error::AppError;
        use crate::i18n::Lang;
        if !me.may(Action::ViewRegistry) {
            return Err(AppError::Forbidden);
        }
        let (today, now) = st.clock.today_and_now()?;
        let mut tx = st.db.write().await?;
        let reach = registry_reach(&mut tx, me).await?;
        let rows = visible_rows(&mut tx, me, &reach, today).await?;
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
        crate::db::audit::record(
            &mut tx,
            &crate::api::ssr::actor(me),
            now,
            "export.registry",
            "registry",
            format,
            None,
            Some(
                serde_json::json!({
                    "format": format,
                    "rows": out.len(),
                    "full_phones": unmasked,
                    "reach": match &reach {
                        Reach::Subtrees(paths) => serde_json::json!(paths),
                        other => serde_json::json!(format!("{other:?}").to_lowercase()),
                    },
                })
                .to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Entries a page of the registry shows.
pub const REGISTRY_PAGE: usize = 25;

#[server(endpoint = "registry")]
pub async fn get_registry(
    #[server(default)] q: String,
    #[server(default)] page: i64,
) -> Result<RegistryPage, AppError> {
    use crate::domain::authz::Action;
    use crate::domain::unit::UnitKind;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewRegistry)?;
            let (today, _) = crate::api::training::server::today_and_now()?;
            let st = state()?;
            let mut c = st.db.pool.acquire().await?;
            let reach = server::registry_reach(&mut c, &me).await?;
            let rows = server::visible_rows(&mut c, &me, &reach, today).await?;
            let all = crate::db::units::list(&st.db.pool, &Default::default()).await?;
            let mut progress: Vec<DriveProgress> = all
                .iter()
                .filter(|u| u.kind == UnitKind::Subdistrict)
                .filter(|u| reach.covers(&u.path))
                .map(|u| {
                    let within: Vec<&RegistryRow> = rows
                        .iter()
                        .filter(|r| crate::domain::unit::is_within(&r.unit_path, &u.path))
                        .collect();
                    DriveProgress {
                        unit_id: u.id,
                        unit_name: u.name.clone(),
                        confirmed: within.iter().filter(|r| r.confirmed_at.is_some()).count()
                            as i64,
                        total: within.len() as i64,
                    }
                })
                .collect();
            progress.retain(|p| p.total > 0);
            // The list: what the search finds (name, number, unit,
            // certificate), a page at a time; progress counts them all.
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
            let rows: Vec<RegistryRow> = found
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
                today,
            })
        }
        .await,
    )
}

/// Registers an existing person (by number) or a new one (a name given for
/// an unknown number) in a role for a subdistrict, village or community.
#[server(endpoint = "register_assistant")]
pub async fn register_assistant(form: RegisterForm) -> Result<i64, AppError> {
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageRegistry)?;
            let def = form
                .parse()
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let st = state()?;
            let (today, now) = crate::api::training::server::today_and_now()?;
            let mut tx = st.db.write().await?;
            let unit = crate::db::units::get_in(&mut *tx, def.unit_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                })?;
            if !me.may_at(Action::ManageRegistry, &unit.path) {
                return Err(AppError::Forbidden);
            }
            def.role
                .check_unit(unit.kind)
                .map_err(|p| AppError::invalid("field.unit", p))?;
            let who = actor(&me);
            // The scope rule of the registry import: a known person outside
            // the caller's reach is refused by number, their stored name
            // never shown back; an unknown number with a name is a new
            // person in the unit (which is in reach).
            let person = match crate::db::registry::person_by_code(&mut tx, &def.person_code)
                .await?
            {
                Some((id, path)) if me.may_name_person(&path) => id,
                Some(_) => {
                    return Err(AppError::invalid(
                        "field.person_code",
                        Problem::with("problem.person_outside_scope", &[&def.person_code]),
                    ));
                }
                None => match def.name.as_deref() {
                    Some(name) => {
                        crate::db::registry::create_person(
                            &mut tx,
                            &who,
                            now,
                            &def.person_code,
                            name,
                            def.role,
                            unit.id,
                            def.phone.as_deref(),
                        )
                        .await?
                    }
                    None => {
                        return Err(AppError::invalid(
                            "field.person_code",
                            Problem::with("problem.no_such_person_give_name", &[&def.person_code]),
                        ));
                    }
                },
            };
            let id = crate::db::registry::register(
                &mut tx,
                &who,
                now,
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
            crate::db::registry::sync_reporter_coverage(
                &mut tx,
                &who,
                now,
                today,
                Some(&touched),
                &format!("registry:{id}"),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "confirm_assistant")]
pub async fn confirm_assistant(id: i64) -> Result<(), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageRegistry)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let path = crate::db::registry::entry_path(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::ManageRegistry, &path) {
                return Err(AppError::Forbidden);
            }
            crate::db::registry::confirm(&mut tx, &actor(&me), st.clock.now_secs(), id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// 换届: everyone registered in the unit's subtree becomes unconfirmed
/// until confirmed again. Returns how many.
#[server(endpoint = "start_confirmation_drive")]
pub async fn start_confirmation_drive(unit_id: i64, reason: String) -> Result<u64, AppError> {
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageRegistry)?;
            let reason = crate::domain::text_field(&reason, 2, 200)
                .map_err(|p| AppError::invalid("field.reason", p))?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let unit = crate::db::units::get_in(&mut *tx, unit_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                })?;
            if !me.may_at(Action::ManageRegistry, &unit.path) {
                return Err(AppError::Forbidden);
            }
            let n = crate::db::registry::start_drive(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                unit.id,
                &unit.path,
                &reason,
            )
            .await?;
            tx.commit().await?;
            Ok(n)
        }
        .await,
    )
}

/// The signed-in person's certificates, oldest first.
#[server(endpoint = "my_certificates")]
pub async fn get_my_certificates() -> Result<Vec<CertificateRow>, AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = me.person_id.ok_or(AppError::Forbidden)?;
            let (today, _) = crate::api::training::server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            crate::db::registry::person_certificates(&mut c, person, today).await
        }
        .await,
    )
}

/// Certificates within reach that are expiring or expired (newest per
/// person), soonest first.
#[server(endpoint = "certificate_reminders")]
pub async fn get_certificate_reminders() -> Result<Reminders, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewPeople)?;
            let (today, _) = crate::api::training::server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let certificates =
                crate::db::registry::due_certificates(&mut c, &me.reach(Action::ViewPeople), today)
                    .await?;
            Ok(Reminders { certificates })
        }
        .await,
    )
}

#[server(endpoint = "revoke_certificate")]
pub async fn revoke_certificate(number: String, reason: String) -> Result<(), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageRegistry)?;
            let reason = crate::domain::text_field(&reason, 2, 200)
                .map_err(|p| AppError::invalid("field.reason", p))?;
            let (today, now) = crate::api::training::server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let cert = crate::db::registry::certificate(&mut tx, &number, today)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::ManageRegistry, &cert.unit_path) {
                return Err(AppError::Forbidden);
            }
            let who = actor(&me);
            crate::db::registry::revoke(&mut tx, &who, now, &number, &reason).await?;
            let touched = crate::db::registry::entry_paths(&mut tx, &[cert.person_id]).await?;
            crate::db::registry::sync_reporter_coverage(
                &mut tx,
                &who,
                now,
                today,
                Some(&touched),
                &format!("certificate:{number}"),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The public check of a certificate number: anyone, signed in or not.
/// An unknown or malformed number is "not found" and nothing else. Counted
/// per client address here, in the check itself, so that every way to
/// reach it (the page under any spelling of its path, the server function)
/// shares one limit.
#[server(endpoint = "verify_certificate")]
pub async fn verify_certificate(number: String) -> Result<Verified, AppError> {
    use crate::domain::registry::{is_certificate_number, mask_name};
    use ssr::*;
    finish(
        async move {
            let st = state()?;
            // By IPv4 address or IPv6 /64: one client holds a whole /64.
            let key = crate::domain::throttle::client_key(client_address());
            let now = u64::try_from(st.clock.now_secs()).unwrap_or(0);
            if !st.verify_limiter.allow(&key, now) {
                append_header(http::header::RETRY_AFTER, "60");
                return Err(AppError::TooManyChecks);
            }
            let number = number.trim().to_string();
            if !is_certificate_number(&number) {
                return Err(AppError::NotFound);
            }
            let (today, _) = crate::api::training::server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let cert = crate::db::registry::certificate(&mut c, &number, today)
                .await?
                .ok_or(AppError::NotFound)?;
            let role = crate::db::registry::roles_of(&mut c, cert.person_id)
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
        .await,
    )
}

/// A certificate for printing: its holder, or whoever may see the registry
/// where the holder is.
#[server(endpoint = "certificate")]
pub async fn get_certificate(number: String) -> Result<CertificateView, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, _) = crate::api::training::server::today_and_now()?;
            let st = state()?;
            let mut c = st.db.pool.acquire().await?;
            let cert = crate::db::registry::certificate(&mut c, number.trim(), today)
                .await?
                .ok_or(AppError::NotFound)?;
            if me.person_id != Some(cert.person_id)
                && !me.may_at(Action::ViewPeople, &cert.unit_path)
            {
                return Err(AppError::Forbidden);
            }
            let verify_url = format!("{}/verify/{}", public_origin()?, cert.number);
            let qr_svg = crate::charts::qr_svg(&verify_url);
            Ok(CertificateView {
                cert,
                verify_url,
                qr_svg,
            })
        }
        .await,
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterCoverageReport {
    pub reporters_needed: i64,
    pub lines: Vec<CoverageLine>,
    /// Plotters SVG: covered places per subdistrict, in percent.
    pub chart: String,
    pub may_configure: bool,
}

/// Reporter coverage by subdistrict within reach: a certified assistant
/// per subdistrict and the configured number of certified quick-reporters
/// per village or community, with every gap named.
#[server(endpoint = "reporter_coverage")]
pub async fn get_reporter_coverage() -> Result<ReporterCoverageReport, AppError> {
    use crate::domain::authz::{Action, Reach};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewRegistry)?;
            let (today, _) = crate::api::training::server::today_and_now()?;
            let st = state()?;
            let lang = crate::components::detect_lang();
            // The whole district's coverage is read and drawn once per
            // version of the data, day, caller and language.
            let key = format!("reporter_coverage:{today}:{}:{lang:?}", me.account_id);
            let report = st
                .db
                .memo
                .get_or(&st.db.pool, key, async || {
                    let mut c = st.db.pool.acquire().await?;
                    let reach = server::registry_reach(&mut c, &me).await?;
                    let report = crate::db::registry::coverage(&mut c, today).await?;
                    let lines: Vec<CoverageLine> = report
                        .0
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
                    let chart = crate::charts::percent_chart(
                        lang.t("chart.reporter_coverage"),
                        &labels,
                        &values,
                    );
                    Ok(ReporterCoverageReport {
                        reporters_needed: report.1,
                        lines,
                        chart,
                        may_configure: me.reach(Action::ManageRegistry) == Reach::Everywhere,
                    })
                })
                .await?;
            Ok((*report).clone())
        }
        .await,
    )
}

/// Sets how many certified quick-reporters each village or community
/// needs (1 or 2); district-wide organizers and admins only.
#[server(endpoint = "set_reporters_needed")]
pub async fn set_reporters_needed(n: i64) -> Result<(), AppError> {
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_everywhere(Action::ManageRegistry)?;
            if !(1..=2).contains(&n) {
                return Err(AppError::invalid(
                    "field.reporters_needed",
                    Problem::with("problem.between", &["1", "2"]),
                ));
            }
            let (today, now) = crate::api::training::server::today_and_now()?;
            let st = state()?;
            let who = actor(&me);
            let mut tx = st.db.write().await?;
            crate::db::registry::set_reporters_needed(&mut tx, &who, now, n).await?;
            crate::db::registry::sync_reporter_coverage(
                &mut tx,
                &who,
                now,
                today,
                None,
                "reporters_needed",
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Writes this year's `reporter_coverage` metric for every subdistrict
/// (covered places over places), leaving published years alone.
#[server(endpoint = "sync_reporter_metric")]
pub async fn sync_reporter_metric() -> Result<(usize, usize), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_everywhere(Action::ManageRegistry)?;
            let (today, now) = crate::api::training::server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let done = crate::db::registry::sync_reporter_coverage(
                &mut tx,
                &actor(&me),
                now,
                today,
                None,
                "sync",
            )
            .await?;
            tx.commit().await?;
            Ok(done)
        }
        .await,
    )
}
