//! Sending, behind one `Channel`: in-app notices today. An SMS or e-mail
//! channel is another implementation of `Channel` (its own `name`, so each
//! channel keeps its own "sent once" record), passed to `send_due` beside or
//! instead of `InApp`. And the reminder page: the log, the lead times.

use super::dto::ReminderLog;
use super::store::{self, DueItem};
use crate::domain::authz::{Action, Reach};
use crate::domain::reminders::lead_due;
use crate::domain::unit::is_within;
use crate::error::AppError;
use crate::platform::Ctx;
use crate::platform::db::Db;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// One reminder to one person.
pub struct Message<'a> {
    pub person_id: i64,
    pub key: String,
    pub args: Vec<&'a str>,
    pub link: &'a str,
}

/// Where reminders go.
pub trait Channel {
    /// Kept with each reminder sent: "in_app", "sms", ...
    fn name(&self) -> &'static str;
    /// Delivers one reminder inside the transaction that records it
    /// (a channel that leaves the database should queue here and
    /// deliver after the commit, so a rolled-back run sends nothing).
    fn send(
        &self,
        tx: &mut Tx<'_>,
        at: i64,
        message: &Message<'_>,
    ) -> impl std::future::Future<Output = Result<(), AppError>> + Send;
}

/// The in-app notices every person sees on their pages.
pub struct InApp;

impl Channel for InApp {
    fn name(&self) -> &'static str {
        "in_app"
    }

    async fn send(&self, tx: &mut Tx<'_>, at: i64, m: &Message<'_>) -> Result<(), AppError> {
        crate::platform::notices::notify(tx, m.person_id, at, &m.key, &m.args, m.link).await
    }
}

/// Who is told about an item: its holder, and every organizer whose
/// scope holds its unit (person id, link).
fn recipients<'a>(item: &'a DueItem, organizers: &[(i64, Option<String>)]) -> Vec<(i64, &'a str)> {
    let mut out: Vec<(i64, &str)> = Vec::new();
    if let Some((holder, _)) = &item.holder {
        out.push((*holder, item.holder_link.as_str()));
    }
    for (person, scope) in organizers {
        let reaches = scope
            .as_deref()
            .is_none_or(|s| is_within(&item.unit_path, s));
        if reaches && !out.iter().any(|(p, _)| p == person) {
            out.push((*person, item.organizer_link.as_str()));
        }
    }
    out
}

/// Sends every reminder due on `today` that has not gone out through
/// `channel`, in one transaction; returns how many went out.
pub async fn send_due(
    db: &Db,
    channel: &impl Channel,
    today: chrono::NaiveDate,
    now: i64,
) -> Result<usize, AppError> {
    let mut tx = db.write().await?;
    let leads = store::lead_days(&mut tx).await?;
    let ahead = leads.iter().copied().max().unwrap_or(0);
    let items = store::due_items(&mut tx, today, ahead).await?;
    let organizers = store::organizers(&mut tx).await?;
    let mut sent = 0;
    for item in &items {
        let Some(lead) = lead_due(item.due, today, &leads) else {
            continue;
        };
        let due = item.due.to_string();
        let days = (item.due - today).num_days().max(0).to_string();
        for (person, link) in recipients(item, &organizers) {
            if !store::mark_sent(&mut tx, item, lead, person, channel.name(), now).await? {
                continue;
            }
            let holder = item.holder.as_ref().map(|(_, n)| n.as_str()).unwrap_or("");
            let message = Message {
                person_id: person,
                key: item.kind.message_key(lead),
                args: vec![&item.title, &due, &days, &item.unit_name, holder],
                link,
            };
            channel.send(&mut tx, now, &message).await?;
            sent += 1;
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// The lead times and the newest reminders sent about units within the
/// caller's reach (those who see people).
pub async fn log(cx: &Ctx) -> Result<ReminderLog, AppError> {
    cx.may(Action::ViewPeople)?;
    let mut c = cx.pool().acquire().await?;
    Ok(ReminderLog {
        lead_days: store::lead_days(&mut c).await?,
        sent: store::sent(&mut c, &cx.me.reach(Action::ViewPeople), 200).await?,
        may_manage: cx.me.reach(Action::ManageRegistry) == Reach::Everywhere,
    })
}

/// Sets the lead times ("60, 14").
pub async fn set_lead_days(cx: &Ctx, days: &str) -> Result<(), AppError> {
    cx.may_everywhere(Action::ManageRegistry)?;
    let leads = crate::domain::reminders::parse_leads(days)
        .map_err(|p| AppError::invalid("field.lead_days", p))?;
    let mut w = cx.write().await?;
    store::set_lead_days(&mut w, &leads).await?;
    w.commit().await?;
    Ok(())
}

/// Sends the reminders due today now; how many went out.
pub async fn send_now(cx: &Ctx) -> Result<usize, AppError> {
    cx.may_everywhere(Action::ManageRegistry)?;
    send_due(&cx.st.db, &InApp, cx.today, cx.now).await
}
