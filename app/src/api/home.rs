//! The home page: what needs the caller's attention, by role.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::model::Home;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

#[server(endpoint = "load_home")]
pub async fn load_home(lang: Lang) -> Result<Home, AppError> {
    use crate::domain::account::Role;
    use crate::domain::authz::Action;
    use crate::model::Attention;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let st = state()?;
            let (today, _) = st.clock.today_and_now()?;
            // Counted once per version of the data, caller, day and
            // language: the page everyone opens first.
            let key = format!("load_home:{}:{today}:{lang:?}", me.account_id);
            let home = st
                .db
                .memo
                .get_or(&st.db.pool, key, async || {
                    let pool = &st.db.pool;
                    let mut items = Vec::new();
                    let count = |sql: String, binds: Vec<String>| async move {
                        let mut q = sqlx::query_scalar::<_, i64>(&sql);
                        for b in &binds {
                            q = q.bind(b.clone());
                        }
                        q.fetch_one(pool).await
                    };
                    let reach = me.reach(Action::ViewPeople);
                    let mut binds = Vec::new();
                    if let Some(within) = crate::db::reach_clause(&reach, "u.path", &mut binds) {
                        let short = count(
                            format!("SELECT COUNT(*) FROM units u WHERE u.min_on_duty > (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id) AND {within}"),
                            binds.clone(),
                        )
                        .await?;
                        items.push(Attention { key: "home.duty_short".into(), count: short, href: "/units?short=1".into() });
                    }
                    // People, those without a phone and the chart's counts by
                    // position: one query.
                    let people = crate::db::people::summary(pool, &reach).await?;
                    if let Some(p) = &people {
                        items.push(Attention { key: "home.people_in_reach".into(), count: p.total, href: "/people".into() });
                        items.push(Attention { key: "home.people_without_phone".into(), count: p.without_phone, href: "/people".into() });
                    }
                    let mut assess_binds = Vec::new();
                    if let Some(within) = crate::db::reach_clause(&me.reach(Action::Assess), "u.path", &mut assess_binds) {
                        let pending = count(
                            format!("SELECT COUNT(*) FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id WHERE (v.status = 'proposed' OR (v.status = 'confirmed' AND v.revoke_proposed_at IS NOT NULL)) AND {within}"),
                            assess_binds,
                        )
                        .await?;
                        items.push(Attention { key: "home.vetoes_pending".into(), count: pending, href: "/assessment/vetoes".into() });
                    }
                    // For those who keep the registry; counted as the reminder list
                    // it links to counts.
                    if me.may(Action::ManageRegistry) {
                        let (today, _) = crate::api::training::server::today_and_now()?;
                        let mut c = pool.acquire().await?;
                        let due = crate::db::registry::due_certificates(&mut c, &me.reach(Action::ViewPeople), today).await?;
                        items.push(Attention { key: "home.certificates_due".into(), count: due.len() as i64, href: "/registry/reminders".into() });
                    }
                    if me.has_role(Role::Admin) {
                        let since = (st.clock.now_secs() + crate::domain::LOCAL_OFFSET_SECS) / 86_400 * 86_400 - crate::domain::LOCAL_OFFSET_SECS;
                        let (disabled, today): (i64, i64) = sqlx::query_as(
                            "SELECT (SELECT COUNT(*) FROM accounts WHERE disabled = 1), (SELECT COUNT(*) FROM audit_log WHERE at >= $1)",
                        )
                        .bind(since)
                        .fetch_one(pool)
                        .await?;
                        items.push(Attention { key: "home.disabled_accounts".into(), count: disabled, href: "/admin/accounts".into() });
                        items.push(Attention { key: "home.changes_today".into(), count: today, href: "/admin/audit".into() });
                    }
                    let chart_svg = if let Some(p) = people {
                        let counts = p.by_position;
                        let labels: Vec<String> = counts.iter().map(|(p, _)| lang.t(p.label_key()).to_string()).collect();
                        let values: Vec<i64> = counts.iter().map(|(_, n)| *n).collect();
                        Some(crate::charts::bar_chart(lang.t("home.chart_title"), &labels, &values))
                    } else {
                        None
                    };
                    let mine = match me.person_id {
                        Some(_) => crate::db::people::by_account(pool, me.account_id).await?,
                        None => None,
                    };
                    let notices = match me.person_id {
                        Some(person) => {
                            let mut c = pool.acquire().await?;
                            crate::db::training::notices(&mut c, person).await?
                        }
                        None => Vec::new(),
                    };
                    Ok(Home {
                        items,
                        chart_svg,
                        my_unit: mine.as_ref().map(|(p, _)| p.unit_name.clone()),
                        my_positions: mine.map(|(p, _)| p.positions).unwrap_or_default(),
                        notices,
                    })
                })
                .await?;
            Ok((*home).clone())
        }
        .await,
    )
}
