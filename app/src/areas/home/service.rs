//! What the home page gathers for the caller, kept until the data moves
//! (`platform::memo`: the page everyone opens first). The home page keeps
//! no tables: each count is asked of the area that keeps the records.

use super::dto::{Attention, Home};
use crate::areas::{
    accounts::service as accounts, assessment::service as assessment, audit::service as audit,
    directory::service as directory,
};
use crate::domain::account::Role;
use crate::domain::authz::Action;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::platform::Ctx;

fn tile(key: &str, count: i64, href: &str) -> Attention {
    Attention {
        key: key.into(),
        count,
        href: href.into(),
    }
}

pub async fn load(cx: &Ctx, lang: Lang) -> Result<Home, AppError> {
    let key = format!("load_home:{}:{}:{lang:?}", cx.me.account_id, cx.today);
    let home = cx
        .st
        .db
        .memo
        .get_or(cx.pool(), key, async || gather(cx, lang).await)
        .await?;
    Ok((*home).clone())
}

async fn gather(cx: &Ctx, lang: Lang) -> Result<Home, AppError> {
    let me = &cx.me;
    let pool = cx.pool();
    let mut items = Vec::new();
    let people_reach = me.reach(Action::ViewPeople);
    if let Some(short) = directory::units_short_of_duty(cx).await? {
        items.push(tile("home.duty_short", short, "/units?short=1"));
    }
    // People, those without a phone and the chart's counts by position:
    // one query.
    let people = directory::people_summary(cx).await?;
    if let Some(p) = &people {
        items.push(tile("home.people_in_reach", p.total, "/people"));
        items.push(tile(
            "home.people_without_phone",
            p.without_phone,
            "/people",
        ));
    }
    if let Some(pending) = assessment::vetoes_awaiting_second(cx).await? {
        items.push(tile("home.vetoes_pending", pending, "/assessment/vetoes"));
    }
    // For those who keep the registry; counted as the reminder list it
    // links to counts.
    if me.may(Action::ManageRegistry) {
        let mut c = pool.acquire().await?;
        let due =
            crate::areas::registry::service::due_certificates(&mut c, &people_reach, cx.today)
                .await?;
        items.push(tile(
            "home.certificates_due",
            due.len() as i64,
            "/registry/reminders",
        ));
    }
    if me.has_role(Role::Admin) {
        let disabled = accounts::disabled_count(cx).await?;
        items.push(tile("home.disabled_accounts", disabled, "/admin/accounts"));
        let changes = audit::changes_today(cx).await?;
        items.push(tile("home.changes_today", changes, "/admin/audit"));
    }
    let chart_svg = people.map(|p| {
        let labels: Vec<String> = p
            .by_position
            .iter()
            .map(|(p, _)| lang.t(p.label_key()).to_string())
            .collect();
        let values: Vec<i64> = p.by_position.iter().map(|(_, n)| *n).collect();
        crate::charts::bar_chart(lang.t("home.chart_title"), &labels, &values)
    });
    let mine = directory::my_person(cx).await?;
    let notices = match me.person_id {
        Some(person) => {
            let mut c = pool.acquire().await?;
            crate::platform::notices::of(&mut c, person).await?
        }
        None => Vec::new(),
    };
    Ok(Home {
        items,
        chart_svg,
        my_unit: mine.as_ref().map(|p| p.unit_name.clone()),
        my_positions: mine.map(|p| p.positions).unwrap_or_default(),
        notices,
    })
}
