//! The duty office's rules of engagement: organizers keep their units'
//! settings and rosters (generate, publish, remove a draft) within their
//! scope; organizers, assessors and admins see rosters and today's board
//! within theirs; the office (assessors, admins) records spot checks within
//! its scope and keeps the district's calendar district-wide. A failed
//! check becomes the unit's `duty_absence` event, linked to the check.

pub mod daily;
pub mod incidents;

use super::dto::{
    BoardPage, BoardUnit, CalendarPage, CheckDetail, ChecksPage, DutyCount, DutyUnit, GapRow,
    NotFreeRow, OnDuty, PeriodRow, RosterDayRow, RosterDetail, RostersPage, SlotRef,
};
use super::store::rosters::{NewGap, StoredWhy};
use super::store::{absences, calendar, checks, rosters, settings, swaps};
use crate::areas::assessment::service::{self as assessment, NewEvent};
use crate::areas::directory::service as directory;
use crate::areas::training::service as training;
use crate::domain::authz::Action;
use crate::domain::duty::{self, DayKind, DutyPerson, DutyRole, NotFree, RosterRequest};
use crate::domain::duty_office::{self, DutyCheck, DutyPeriod, DutySettings, role_of};
use crate::domain::person::mask_phone;
use crate::domain::{Problem, local_date, local_time};
use crate::error::AppError;
use crate::model::Unit;
use crate::platform::{Ctx, Write};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// The error of a form field.
fn invalid((field, problem): (String, Problem)) -> AppError {
    AppError::invalid(&field, problem)
}

/// The caller's own unit (their person's), if any.
async fn own_place(cx: &Ctx, c: &mut sqlx::AnyConnection) -> Result<Option<Unit>, AppError> {
    let Some((id, _)) = directory::own_unit(c, &cx.me).await? else {
        return Ok(None);
    };
    directory::unit_in(c, id).await
}

/// A record of unit `unit` (at `path`) is seen by the unit's own people
/// and by those who see duty there; 403 for anyone else. Whether the
/// caller is of that unit.
async fn sees_record_of(
    cx: &Ctx,
    c: &mut sqlx::AnyConnection,
    unit: i64,
    path: &str,
) -> Result<bool, AppError> {
    let own = own_unit_id(cx, c).await? == Some(unit);
    if !own && !cx.me.may_at(Action::ViewDuty, path) {
        return Err(AppError::Forbidden);
    }
    Ok(own)
}

/// May the caller change an assessment figure from the duty office (void
/// a spot check, excuse a missed day) of `unit` at `path`? Assessors only,
/// as on the sheet itself (an admin records checks but moves no figure),
/// over the unit, and not one of its own people (`of_unit`). Forbidden
/// for the wrong role or place, a conflict for one's own unit.
pub(super) fn may_clear(cx: &Ctx, of_unit: bool, path: &str) -> Result<(), AppError> {
    if !cx.me.may_at(Action::Assess, path) {
        Err(AppError::Forbidden)
    } else if of_unit {
        Err(AppError::Conflict(Problem::new("problem.own_unit_clear")))
    } else {
        Ok(())
    }
}

/// The caller's own unit's id, for [`may_clear`].
pub(super) async fn own_unit_id(
    cx: &Ctx,
    c: &mut sqlx::AnyConnection,
) -> Result<Option<i64>, AppError> {
    Ok(directory::own_unit(c, &cx.me).await?.map(|(id, _)| id))
}

/// Tells the people of `unit` who stand duty (an in-app notice).
async fn tell_duty_people(
    w: &mut Write<'_>,
    unit: i64,
    key: &str,
    args: &[&str],
    link: &str,
) -> Result<(), AppError> {
    let at = w.at;
    for p in directory::people_of_unit(w.conn(), unit).await? {
        if role_of(&p.positions).is_some() {
            crate::platform::notices::notify(w.conn(), p.id, at, key, args, link).await?;
        }
    }
    Ok(())
}

/// The unit, if the caller may take `action` there; 404 or 403 otherwise.
async fn unit_for(cx: &Ctx, unit: i64, action: Action) -> Result<Unit, AppError> {
    let mut c = cx.pool().acquire().await?;
    let unit = directory::unit_in(&mut c, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    if cx.me.may_at(action, &unit.path) {
        Ok(unit)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A form's unit id: digits, or the field's problem.
fn unit_id(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::invalid("field.unit", Problem::new("problem.required")))
}

pub async fn calendar(cx: &Ctx) -> Result<CalendarPage, AppError> {
    cx.may(Action::ViewDuty)?;
    let mut c = cx.pool().acquire().await?;
    Ok(CalendarPage {
        periods: calendar::from(&mut c, cx.today).await?,
        may_keep: cx.me.may_everywhere(Action::CheckDuty),
    })
}

pub async fn add_period(
    cx: &Ctx,
    name: &str,
    kind: &str,
    (first, last): (&str, &str),
    extra_staff: &str,
) -> Result<i64, AppError> {
    cx.may_everywhere(Action::CheckDuty)?;
    let period = DutyPeriod::parse(name, kind, (first, last), extra_staff).map_err(invalid)?;
    let mut w = cx.write().await?;
    let id = calendar::add(&mut w, &period).await?;
    w.commit().await?;
    Ok(id)
}

pub async fn remove_period(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may_everywhere(Action::CheckDuty)?;
    let mut w = cx.write().await?;
    calendar::remove(&mut w, id).await?;
    w.commit().await?;
    Ok(())
}

/// The units the caller keeps rosters for, with their settings and how
/// many of their people stand each duty, and the rosters the caller sees.
pub async fn rosters(cx: &Ctx) -> Result<RostersPage, AppError> {
    cx.may(Action::ViewDuty)?;
    let kept = directory::units_where(cx, Action::KeepDuty).await?;
    let mut c = cx.pool().acquire().await?;
    let all = settings::all(&mut c).await?;
    let ids: Vec<i64> = kept.iter().map(|u| u.id).collect();
    let mut counts: HashMap<i64, (usize, usize)> = HashMap::new();
    for (unit, positions) in directory::positions_in_units(&mut c, &ids).await? {
        let e = counts.entry(unit).or_default();
        match role_of(&positions) {
            Some(DutyRole::Staff) => e.0 += 1,
            Some(DutyRole::Leader) => e.1 += 1,
            None => {}
        }
    }
    let units = kept
        .into_iter()
        .map(|u| {
            let (staff, leaders) = counts.get(&u.id).copied().unwrap_or_default();
            DutyUnit {
                settings: all.get(&u.id).copied(),
                id: u.id,
                name: u.name,
                staff,
                leaders,
            }
        })
        .collect();
    Ok(RostersPage {
        units,
        rosters: rosters::within(&mut c, &cx.me.reach(Action::ViewDuty)).await?,
    })
}

pub async fn save_settings(
    cx: &Ctx,
    unit: &str,
    (staff, leaders, rest): (&str, &str, &str),
) -> Result<(), AppError> {
    cx.may(Action::KeepDuty)?;
    let unit = unit_for(cx, unit_id(unit)?, Action::KeepDuty).await?;
    let s = DutySettings::parse(staff, leaders, rest).map_err(invalid)?;
    let mut w = cx.write().await?;
    settings::save(&mut w, unit.id, s).await?;
    w.commit().await?;
    Ok(())
}

/// Generates a draft roster of `unit` for `first..=last` (replacing the
/// unit's last draft): the unit's settings and the district's calendar ask,
/// its people stand by their positions, and leave, training batches and
/// drills keep people off.
pub async fn generate(cx: &Ctx, unit: &str, (first, last): (&str, &str)) -> Result<i64, AppError> {
    cx.may(Action::KeepDuty)?;
    let unit = unit_for(cx, unit_id(unit)?, Action::KeepDuty).await?;
    let days = duty_office::roster_days(first, last).map_err(invalid)?;
    let mut w = cx.write().await?;
    lock_unit(&mut w, unit.id).await?;
    let id = generate_in(&mut w, unit.id, days).await?;
    w.commit().await?;
    Ok(id)
}

/// Generates and stores a draft roster of a unit inside a write (the
/// caller checked who may): see [`generate`].
pub async fn generate_in(
    w: &mut Write<'_>,
    unit: i64,
    days: (NaiveDate, NaiveDate),
) -> Result<i64, AppError> {
    let Some(s) = settings::of_unit(w.conn(), unit).await? else {
        return Err(AppError::Conflict(Problem::new("problem.duty_no_settings")));
    };
    let periods: Vec<DutyPeriod> = calendar::touching(w.conn(), days)
        .await?
        .into_iter()
        .map(|p| p.period)
        .collect();
    let people: Vec<(i64, DutyRole)> = directory::people_of_unit(w.conn(), unit)
        .await?
        .into_iter()
        .filter_map(|p| role_of(&p.positions).map(|r| (p.id, r)))
        .collect();
    let mut busy = training::unavailable_days_in_unit(w.conn(), unit).await?;
    for (person, days) in absences::approved_days(w.conn(), Some(unit)).await? {
        busy.entry(person).or_default().extend(days);
    }
    let req = RosterRequest {
        days: duty_office::needs(days, s, &periods),
        min_rest_days: s.min_rest_days,
        people: people
            .iter()
            .map(|&(id, role)| DutyPerson {
                id: id.to_string(),
                role,
                unavailable: busy.remove(&id).unwrap_or_default(),
            })
            .collect(),
    };
    let roster = duty::generate(&req);
    let slots: Vec<(NaiveDate, DutyRole, i64)> = roster
        .days
        .iter()
        .flat_map(|d| {
            let people = &people;
            DutyRole::ALL
                .into_iter()
                .flat_map(move |role| d.of(role).iter().map(move |&i| (d.date, role, people[i].0)))
        })
        .collect();
    let gaps: Vec<NewGap> = roster
        .gaps
        .iter()
        .map(|g| NewGap {
            day: g.date,
            role: g.role,
            missing: g.missing,
            why: g
                .why
                .iter()
                .map(|&(i, why)| StoredWhy {
                    person: people[i].0,
                    rest_after: match why {
                        NotFree::Unavailable => None,
                        NotFree::Resting { after } => Some(after),
                    },
                })
                .collect(),
        })
        .collect();
    rosters::create(w, unit, days, &slots, &gaps).await
}

/// A roster day by day, for whoever sees the unit's rosters or stands on
/// this one.
pub async fn roster(cx: &Ctx, id: i64) -> Result<RosterDetail, AppError> {
    let mut c = cx.pool().acquire().await?;
    let (head, path) = rosters::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let slots = rosters::slots(&mut c, id).await?;
    let on_it = cx
        .me
        .person_id
        .is_some_and(|p| head.published && slots.iter().any(|s| s.person_id == p));
    if !cx.me.may_at(Action::ViewDuty, &path) && !on_it {
        return Err(AppError::Forbidden);
    }
    let gaps = rosters::gaps(&mut c, id).await?;
    let periods = calendar::touching(&mut c, (head.first, head.last)).await?;
    let mut names: HashMap<i64, String> = slots
        .iter()
        .map(|s| (s.person_id, s.name.clone()))
        .collect();
    let missing: Vec<i64> = gaps
        .iter()
        .flat_map(|g| g.3.iter().map(|w| w.person))
        .filter(|p| !names.contains_key(p))
        .collect();
    names.extend(directory::names_of_people(&mut c, &missing).await?);
    let mut days: Vec<RosterDayRow> = head
        .first
        .iter_days()
        .take_while(|d| *d <= head.last)
        .map(|date| {
            let on: Vec<&PeriodRow> = periods.iter().filter(|p| p.period.covers(date)).collect();
            let holiday = on
                .iter()
                .any(|p| p.period.kind == duty_office::PeriodKind::Holiday);
            RosterDayRow {
                date,
                rest_day: DayKind::of(date, holiday) == DayKind::HolidayOrWeekend,
                period: on.first().map(|p| p.period.name.clone()),
                staff: Vec::new(),
                leaders: Vec::new(),
                gaps: Vec::new(),
            }
        })
        .collect();
    let index = |d: NaiveDate| usize::try_from((d - head.first).num_days()).ok();
    let mut counts: HashMap<(i64, DutyRole), (u32, u32)> = HashMap::new();
    for s in &slots {
        let Some(day) = index(s.day.0).and_then(|i| days.get_mut(i)) else {
            continue;
        };
        let c = counts.entry((s.person_id, s.role.0)).or_default();
        if day.rest_day {
            c.1 += 1;
        } else {
            c.0 += 1;
        }
        match s.role.0 {
            DutyRole::Staff => day.staff.push(s.name.clone()),
            DutyRole::Leader => day.leaders.push(s.name.clone()),
        }
    }
    for (date, role, missing, why) in gaps {
        let Some(day) = index(date).and_then(|i| days.get_mut(i)) else {
            continue;
        };
        day.gaps.push(GapRow {
            role,
            missing,
            why: why
                .into_iter()
                .map(|w| NotFreeRow {
                    person: names.get(&w.person).cloned().unwrap_or_default(),
                    rest_after: w.rest_after,
                })
                .collect(),
        });
    }
    let mut counts: Vec<DutyCount> = counts
        .into_iter()
        .map(|((person, role), (weekdays, rest_days))| DutyCount {
            person: names.get(&person).cloned().unwrap_or_default(),
            role,
            weekdays,
            rest_days,
        })
        .collect();
    counts.sort_by(|a, b| (a.role, &a.person).cmp(&(b.role, &b.person)).reverse());
    let may_keep = cx.me.may_at(Action::KeepDuty, &path);
    let me = cx.me.person_id;
    let slot_ref = |s: &rosters::Slot| SlotRef {
        id: s.id,
        day: s.day.0,
        role: s.role.0,
        person: s.name.clone(),
    };
    let upcoming = |s: &&rosters::Slot| head.published && s.day.0 >= cx.today;
    let mine: Vec<SlotRef> = slots
        .iter()
        .filter(upcoming)
        .filter(|s| Some(s.person_id) == me)
        .map(slot_ref)
        .collect();
    let swap_with: Vec<SlotRef> = slots
        .iter()
        .filter(upcoming)
        .filter(|s| Some(s.person_id) != me && mine.iter().any(|m| m.role == s.role.0))
        .take(200)
        .map(slot_ref)
        .collect();
    let people = if may_keep {
        directory::people_of_unit(&mut c, head.unit_id)
            .await?
            .into_iter()
            .filter_map(|p| role_of(&p.positions).map(|r| (p.id, p.name, r)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RosterDetail {
        may_keep,
        swaps: swaps::of_roster(&mut c, id).await?,
        head,
        days,
        counts,
        mine,
        swap_with,
        people,
        me,
    })
}

/// The roster, if the caller keeps its unit's duty; 404 or 403 otherwise.
async fn roster_to_keep(
    cx: &Ctx,
    w: &mut Write<'_>,
    id: i64,
) -> Result<super::dto::RosterHead, AppError> {
    let (head, path) = rosters::get(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::KeepDuty, &path) {
        return Err(AppError::Forbidden);
    }
    lock_unit(w, head.unit_id).await?;
    // Read again under the lock: a publish or removal may have committed
    // in between.
    let (head, _) = rosters::get(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(head)
}

/// Takes the duty lock of the unit roster `roster` belongs to
/// ([`settings::lock_unit`]); 404 for no such roster.
async fn lock_roster(w: &mut Write<'_>, roster: i64) -> Result<(), AppError> {
    let unit = rosters::unit_of(w.conn(), roster)
        .await?
        .ok_or(AppError::NotFound)?;
    lock_unit(w, unit).await
}

/// [`settings::lock_unit`] for a unit that must stand duty (a roster's,
/// a check's): 409 when it has no settings.
async fn lock_unit(w: &mut Write<'_>, unit: i64) -> Result<(), AppError> {
    if settings::lock_unit(w.conn(), unit).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(Problem::new("problem.duty_no_settings")))
    }
}

/// Publishes a draft: no published roster of the unit may share a day
/// with it; everyone on it is told.
pub async fn publish(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may(Action::KeepDuty)?;
    let mut w = cx.write().await?;
    let head = roster_to_keep(cx, &mut w, id).await?;
    if let Some((_, first, last)) = rosters::overlapping_published(w.conn(), id).await? {
        return Err(AppError::Conflict(Problem::with(
            "problem.roster_overlaps",
            &[&first.0.to_string(), &last.0.to_string()],
        )));
    }
    publish_in(&mut w, id, &head.unit_name, (head.first, head.last)).await?;
    w.commit().await?;
    Ok(())
}

/// Publishes a draft inside a write and tells the people on it.
pub async fn publish_in(
    w: &mut Write<'_>,
    id: i64,
    unit_name: &str,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<(), AppError> {
    rosters::publish(w, id).await?;
    let link = format!("/duty/rosters/{id}");
    let (first, last) = (first.to_string(), last.to_string());
    let at = w.at;
    for person in rosters::people_on(w.conn(), id).await? {
        crate::platform::notices::notify(
            w.conn(),
            person,
            at,
            "notice.duty_published",
            &[unit_name, &first, &last],
            &link,
        )
        .await?;
    }
    Ok(())
}

pub async fn remove(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may(Action::KeepDuty)?;
    let mut w = cx.write().await?;
    roster_to_keep(cx, &mut w, id).await?;
    rosters::remove_draft(&mut w, id).await?;
    w.commit().await?;
    Ok(())
}

/// Today's duty board: every unit within reach that stands duty, who is on
/// duty, the open slots, units without a published roster; phone numbers
/// whole for the office and whoever manages the unit's people, masked for
/// the rest. Units with a gap or no roster come first.
pub async fn board(cx: &Ctx) -> Result<BoardPage, AppError> {
    cx.may(Action::ViewDuty)?;
    let day = cx.today;
    let reach = cx.me.reach(Action::ViewDuty);
    let mut c = cx.pool().acquire().await?;
    let standing = settings::all(&mut c).await?;
    let places = directory::places(&mut c).await?;
    let on_duty = rosters::on_day(&mut c, day).await?;
    let (open, covered) = rosters::open_on_day(&mut c, day).await?;
    let period = calendar::touching(&mut c, (day, day))
        .await?
        .into_iter()
        .next()
        .map(|p| p.period.name);
    let mut units: Vec<BoardUnit> = Vec::new();
    let mut at: HashMap<i64, (usize, bool)> = HashMap::new();
    for p in places
        .iter()
        .filter(|p| standing.contains_key(&p.id) && reach.covers(&p.path))
    {
        let whole =
            cx.me.may_at(Action::CheckDuty, &p.path) || cx.me.may_at(Action::ManagePeople, &p.path);
        at.insert(p.id, (units.len(), whole));
        units.push(BoardUnit {
            unit_id: p.id,
            unit_name: p.name.clone(),
            staff: Vec::new(),
            leaders: Vec::new(),
            gaps: Vec::new(),
            no_roster: !covered.contains(&p.id),
        });
    }
    let away_today = absences::away_on(&mut c, day).await?;
    let away_ids: std::collections::HashSet<i64> = away_today.iter().map(|a| a.0).collect();
    let paths: HashMap<i64, (&str, &str)> = places
        .iter()
        .map(|p| (p.id, (p.path.as_str(), p.name.as_str())))
        .collect();
    let away: Vec<(String, String, String, String)> = away_today
        .iter()
        .filter(|a| paths.get(&a.1).is_some_and(|(path, _)| reach.covers(path)))
        .map(|a| {
            let unit = paths
                .get(&a.1)
                .map(|(_, n)| n.to_string())
                .unwrap_or_default();
            (a.2.clone(), unit, a.3.clone(), a.4.clone())
        })
        .collect();
    for (unit, s) in on_duty {
        let Some(&(i, whole)) = at.get(&unit) else {
            continue;
        };
        // A leader on duty whose absence was approved is not there: the
        // slot shows open.
        if s.role.0 == DutyRole::Leader && away_ids.contains(&s.person_id) {
            units[i].gaps.push((DutyRole::Leader, 1));
            continue;
        }
        let who = OnDuty {
            name: s.name,
            phone: s.phone.map(|ph| if whole { ph } else { mask_phone(&ph) }),
        };
        match s.role.0 {
            DutyRole::Staff => units[i].staff.push(who),
            DutyRole::Leader => units[i].leaders.push(who),
        }
    }
    for (unit, role, missing) in open {
        if let Some(&(i, _)) = at.get(&unit) {
            units[i].gaps.push((role, missing));
        }
    }
    units.sort_by_key(|u| (u.gaps.is_empty() && !u.no_roster, u.unit_name.clone()));
    Ok(BoardPage {
        day,
        period,
        units,
        may_check: cx.me.may(Action::CheckDuty),
        away,
    })
}

pub async fn checks(cx: &Ctx) -> Result<ChecksPage, AppError> {
    cx.may(Action::CheckDuty)?;
    let units = directory::units_where(cx, Action::CheckDuty).await?;
    let standing = {
        let mut c = cx.pool().acquire().await?;
        settings::all(&mut c).await?
    };
    let mut c = cx.pool().acquire().await?;
    Ok(ChecksPage {
        checks: checks::within(&mut c, &cx.me.reach(Action::CheckDuty)).await?,
        units: units
            .into_iter()
            .filter(|u| standing.contains_key(&u.id))
            .map(|u| (u.id, u.name))
            .collect(),
        now: crate::domain::calendar::input_instant(cx.now),
    })
}

/// One check, for the office and whoever sees the unit's duty (the
/// assessment's explanation links here).
pub async fn check(cx: &Ctx, id: i64) -> Result<CheckDetail, AppError> {
    let mut c = cx.pool().acquire().await?;
    let (check, path) = checks::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::ViewDuty, &path) && !cx.me.may_at(Action::CheckDuty, &path) {
        return Err(AppError::Forbidden);
    }
    let own = own_unit_id(cx, &mut c).await? == Some(check.unit_id);
    Ok(CheckDetail {
        may_void: check.voided.is_none() && may_clear(cx, own, &path).is_ok(),
        check,
    })
}

/// Voids a check recorded by mistake, with a reason, once: its
/// `duty_absence` event is withdrawn in the same transaction (the change
/// log names the check); a published year refuses. The check stays,
/// marked void, where the assessment's change log leads.
pub async fn void_check(cx: &Ctx, id: i64, reason: &str) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let reason = crate::domain::text_field(reason, 2, 500)
        .map_err(|p| AppError::invalid("field.reason", p))?;
    let mut w = cx.write().await?;
    let (check, path) = checks::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    let own = own_unit_id(cx, w.conn()).await? == Some(check.unit_id);
    may_clear(cx, own, &path)?;
    lock_unit(&mut w, check.unit_id).await?;
    if !checks::void(&mut w, id, &reason).await? {
        return Err(AppError::Conflict(Problem::new("problem.check_voided")));
    }
    if let Some(event) = check.event_id {
        assessment::withdraw_event(&mut w, event, &format!("duty_check:{id}")).await?;
    }
    w.commit().await?;
    Ok(())
}

/// What recording a check did: its id, and for a failed check the event
/// it became (`None`: the unit's year was already published).
pub struct Recorded {
    pub id: i64,
    pub event: Option<i64>,
}

/// Records a spot check of a unit that stands duty; a failed one becomes
/// a `duty_absence` event in the unit's year of the check, with the check
/// as its source, in the same transaction.
pub async fn add_check(
    cx: &Ctx,
    unit: &str,
    (checked_at, called, answered, on_post, note): (&str, &str, &str, &str, &str),
) -> Result<Recorded, AppError> {
    cx.may(Action::CheckDuty)?;
    let unit = unit_for(cx, unit_id(unit)?, Action::CheckDuty).await?;
    let check =
        DutyCheck::parse(checked_at, called, answered, on_post, note, cx.now).map_err(invalid)?;
    let mut w = cx.write().await?;
    if !settings::lock_unit(w.conn(), unit.id).await? {
        return Err(AppError::invalid(
            "field.unit",
            Problem::new("problem.duty_no_settings"),
        ));
    }
    // The same call recorded twice would deduct twice.
    if checks::same_call(w.conn(), unit.id, &check)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(Problem::new("problem.check_twice")));
    }
    let recorded = add_check_in(&mut w, unit.id, &check).await?;
    w.commit().await?;
    Ok(recorded)
}

/// Records a check inside a write (the caller checked who may and that
/// the unit stands duty), with its event when it failed.
pub async fn add_check_in(
    w: &mut Write<'_>,
    unit: i64,
    check: &DutyCheck,
) -> Result<Recorded, AppError> {
    let day = local_date(check.checked_at).ok_or(AppError::Internal)?;
    let id = checks::add(w, unit, check).await?;
    let mut event = None;
    if !check.passed() {
        let what = if check.answered {
            "无人在岗"
        } else {
            "无人接听"
        };
        event = assessment::add_event_if_open(
            w,
            &NewEvent {
                year: i64::from(day.year()),
                unit_id: unit,
                event: "duty_absence".into(),
                count: 1,
                occurred_on: day.to_string(),
                description: format!(
                    "值班督导检查 {} · {} · {what}",
                    local_time(check.checked_at),
                    check.called
                ),
                incident_id: None,
                source: Some(format!("duty_check:{id}")),
            },
        )
        .await?;
        if let Some(e) = event {
            checks::set_event(w, id, e).await?;
        }
    }
    Ok(Recorded { id, event })
}

/// A person's published duties from `from` on, as their calendar feed
/// shows them: one all-day event a duty.
pub async fn person_feed(
    c: &mut sqlx::AnyConnection,
    person: i64,
    from: NaiveDate,
) -> Result<Vec<crate::domain::calendar::CalEvent>, AppError> {
    use crate::domain::calendar::{CalEvent, Span};
    Ok(rosters::of_person(c, person, from)
        .await?
        .into_iter()
        .map(|(day, role, unit)| CalEvent {
            uid: format!("duty-{day}-person-{person}@yingji"),
            summary: match role {
                DutyRole::Staff => format!("值班 · {unit} / on duty"),
                DutyRole::Leader => format!("带班 · {unit} / leader on duty"),
            },
            location: unit,
            description: String::new(),
            span: Span::Days {
                start: day,
                end: day,
            },
        })
        .collect())
}

/// Whether `person` may stand a duty on `day` given the rest of their
/// duties (slots `leaving` left out) and their unavailable days; the
/// problem names the person.
async fn may_stand(
    w: &mut Write<'_>,
    (unit, roster): (i64, i64),
    (person, name): (i64, &str),
    day: NaiveDate,
    leaving: &[i64],
) -> Result<(), AppError> {
    let rest = settings::of_unit(w.conn(), unit)
        .await?
        .map_or(0, |s| s.min_rest_days);
    let duties = swaps::duty_days(w.conn(), person, roster, leaving).await?;
    let mut busy = training::unavailable_days_in_unit(w.conn(), unit)
        .await?
        .remove(&person)
        .unwrap_or_default();
    busy.extend(
        absences::approved_days(w.conn(), Some(unit))
            .await?
            .remove(&person)
            .unwrap_or_default(),
    );
    match duty_office::cannot_stand(day, &duties, &busy, rest) {
        None => Ok(()),
        Some(mut p) => {
            p.args.insert(0, name.to_string());
            Err(AppError::Conflict(p))
        }
    }
}

/// A person on a published roster asks another of the same duty to swap
/// one duty of theirs (from today on) for one of the other's; both must be
/// able to stand the other's day. The other person is told.
pub async fn ask_swap(cx: &Ctx, mine: i64, theirs: i64, reason: &str) -> Result<i64, AppError> {
    let me = cx.me.person_id.ok_or(AppError::Forbidden)?;
    let reason = crate::domain::text_field(reason, 0, 200)
        .map_err(|p| AppError::invalid("field.reason", p))?;
    let mut w = cx.write().await?;
    let roster = swaps::slot(w.conn(), mine)
        .await?
        .ok_or(AppError::NotFound)?
        .roster_id;
    lock_roster(&mut w, roster).await?;
    let a = swaps::slot(w.conn(), mine)
        .await?
        .ok_or(AppError::NotFound)?;
    let b = swaps::slot(w.conn(), theirs)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.person_id != me {
        return Err(AppError::Forbidden);
    }
    let (head, _) = rosters::get(w.conn(), a.roster_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let bad = |key: &str| Err(AppError::invalid("field.other_slot", Problem::new(key)));
    if !head.published {
        return Err(AppError::Conflict(Problem::new(
            "problem.roster_not_published",
        )));
    }
    if b.roster_id != a.roster_id || b.role.0 != a.role.0 || b.person_id == me {
        return bad("problem.swap_mismatch");
    }
    if a.day.0 < cx.today || b.day.0 < cx.today {
        return bad("problem.swap_past");
    }
    if swaps::open_on(w.conn(), [a.id, b.id]).await? {
        return Err(AppError::Conflict(Problem::new("problem.swap_open")));
    }
    let names = directory::names_of_people(w.conn(), &[a.person_id, b.person_id]).await?;
    let name = |p: i64| names.get(&p).cloned().unwrap_or_default();
    may_stand(
        &mut w,
        (head.unit_id, head.id),
        (me, &name(me)),
        b.day.0,
        &[a.id],
    )
    .await?;
    may_stand(
        &mut w,
        (head.unit_id, head.id),
        (b.person_id, &name(b.person_id)),
        a.day.0,
        &[b.id],
    )
    .await?;
    let id = swaps::ask(&mut w, (&a, &b), &reason).await?;
    let at = w.at;
    crate::platform::notices::notify(
        w.conn(),
        b.person_id,
        at,
        "notice.duty_swap_asked",
        &[&name(me), &b.day.0.to_string(), &a.day.0.to_string()],
        &format!("/duty/rosters/{}", head.id),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// One step of a swap (accept, decline, withdraw, approve, refuse; see
/// `duty_office::swap_step`). Approved, the two duties change hands after
/// the rules are asked again (a replacement or another swap may have
/// changed the roster since); both people are told of the decision.
pub async fn step_swap(cx: &Ctx, id: i64, step: &str) -> Result<(), AppError> {
    let step = duty_office::SwapStep::parse(step)
        .ok_or_else(|| AppError::invalid("field.step", Problem::new("problem.required")))?;
    let mut w = cx.write().await?;
    let roster = swaps::get(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?
        .roster_id;
    lock_roster(&mut w, roster).await?;
    let swap = swaps::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    let (head, path) = rosters::get(w.conn(), swap.roster_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = cx.me.person_id;
    let who = duty_office::SwapParty {
        asker: me == Some(swap.asker_id),
        other: me == Some(swap.other_id),
        organizer: cx.me.may_at(Action::KeepDuty, &path),
    };
    if !who.asker && !who.other && !who.organizer {
        return Err(AppError::Forbidden);
    }
    let to = duty_office::swap_step(swap.status, step, who)
        .map_err(|key| AppError::Conflict(Problem::new(key)))?;
    if to == duty_office::SwapStatus::Approved {
        let a = swaps::slot(w.conn(), swap.asker_slot)
            .await?
            .ok_or(AppError::NotFound)?;
        let b = swaps::slot(w.conn(), swap.other_slot)
            .await?
            .ok_or(AppError::NotFound)?;
        if a.person_id != swap.asker_id || b.person_id != swap.other_id {
            return Err(AppError::Conflict(Problem::new("problem.swap_stale")));
        }
        // Who stood a duty that has passed is a record, not a plan.
        if a.day.0 < cx.today || b.day.0 < cx.today {
            return Err(AppError::Conflict(Problem::new("problem.swap_past")));
        }
        let unit = (head.unit_id, head.id);
        may_stand(&mut w, unit, (swap.asker_id, &swap.asker), b.day.0, &[a.id]).await?;
        may_stand(&mut w, unit, (swap.other_id, &swap.other), a.day.0, &[b.id]).await?;
        swaps::hand_over(&mut w, &a, swap.other_id, "duty_roster.swap").await?;
        swaps::hand_over(&mut w, &b, swap.asker_id, "duty_roster.swap").await?;
    }
    swaps::set_status(&mut w, id, (swap.status, to)).await?;
    if !to.is_open() {
        let at = w.at;
        for person in [swap.asker_id, swap.other_id] {
            crate::platform::notices::notify(
                w.conn(),
                person,
                at,
                &format!("notice.duty_swap_{}", to.code()),
                &[&swap.asker_day.to_string(), &swap.other_day.to_string()],
                &format!("/duty/rosters/{}", head.id),
            )
            .await?;
        }
    }
    w.commit().await?;
    Ok(())
}

/// The organizer puts someone else on a duty (replacing `out`, a person
/// on that day) or on an open slot (`out` empty): the person stands the
/// duty's role in the unit and keeps the roster's rules.
pub async fn replace(
    cx: &Ctx,
    roster: i64,
    (day, role): (&str, &str),
    (out, into): (&str, &str),
) -> Result<(), AppError> {
    cx.may(Action::KeepDuty)?;
    let mut w = cx.write().await?;
    let head = roster_to_keep(cx, &mut w, roster).await?;
    let day = crate::domain::iso_date(day).map_err(|p| AppError::invalid("field.day", p))?;
    if day < head.first || day > head.last {
        return Err(AppError::invalid(
            "field.day",
            Problem::new("problem.duty_outside_roster"),
        ));
    }
    if head.published && day < cx.today {
        return Err(AppError::invalid(
            "field.day",
            Problem::new("problem.duty_past"),
        ));
    }
    let role = DutyRole::parse(role.trim())
        .ok_or_else(|| AppError::invalid("field.role", Problem::new("problem.required")))?;
    let into: i64 = into
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("field.into", Problem::new("problem.required")))?;
    // Once people were told, an organizer's own duty changes hands only by
    // a swap another approves.
    let own = |p: i64| head.published && cx.me.person_id == Some(p);
    if own(into) {
        return Err(AppError::Conflict(Problem::new("problem.replace_own")));
    }
    let person = directory::people_of_unit(w.conn(), head.unit_id)
        .await?
        .into_iter()
        .find(|p| p.id == into)
        .ok_or_else(|| AppError::invalid("field.into", Problem::new("problem.duty_not_in_unit")))?;
    if role_of(&person.positions) != Some(role) {
        return Err(AppError::invalid(
            "field.into",
            Problem::new("problem.duty_wrong_role"),
        ));
    }
    match out.trim() {
        "" => {
            may_stand(
                &mut w,
                (head.unit_id, head.id),
                (into, &person.name),
                day,
                &[],
            )
            .await?;
            swaps::fill_gap(&mut w, head.id, (day, role), into).await?;
        }
        raw => {
            let out: i64 = raw
                .parse()
                .map_err(|_| AppError::invalid("field.out", Problem::new("problem.required")))?;
            if own(out) {
                return Err(AppError::Conflict(Problem::new("problem.replace_own")));
            }
            let slot = swaps::slot_of(w.conn(), head.id, (day, role), out)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.out", Problem::new("problem.duty_not_on_day"))
                })?;
            if swaps::open_on(w.conn(), [slot.id, slot.id]).await? {
                return Err(AppError::Conflict(Problem::new("problem.swap_open")));
            }
            may_stand(
                &mut w,
                (head.unit_id, head.id),
                (into, &person.name),
                day,
                &[],
            )
            .await?;
            swaps::hand_over(&mut w, &slot, into, "duty_roster.replace").await?;
        }
    }
    if head.published {
        let at = w.at;
        crate::platform::notices::notify(
            w.conn(),
            into,
            at,
            "notice.duty_assigned",
            &[&head.unit_name, &day.to_string()],
            &format!("/duty/rosters/{}", head.id),
        )
        .await?;
    }
    w.commit().await?;
    Ok(())
}

/// Approved absences' days by person, for another area's unavailability
/// (the training scheduler): of `unit`'s people, or everyone's.
pub async fn absence_days(
    c: &mut sqlx::AnyConnection,
    unit: Option<i64>,
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>, AppError> {
    absences::approved_days(c, unit).await
}

/// Approved absences overlapping `first..=last`, for another area's clash
/// check (drills): (absence id, person id, days).
pub async fn absences_between(
    c: &mut sqlx::AnyConnection,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<(i64, i64, (NaiveDate, NaiveDate))>, AppError> {
    // Where a leader goes stays in this area (see `Booked::Absence`).
    absences::approved_between(c, first, last).await
}

/// Is the caller's person a leader (领导干部)? Their person, if so.
async fn leader_person(cx: &Ctx) -> Result<Option<i64>, AppError> {
    let Some(me) = cx.me.person_id else {
        return Ok(None);
    };
    let mut c = cx.pool().acquire().await?;
    let Some(unit) = directory::own_unit(&mut c, &cx.me).await?.map(|(id, _)| id) else {
        return Ok(None);
    };
    Ok(directory::people_of_unit(&mut c, unit)
        .await?
        .into_iter()
        .find(|p| p.id == me)
        .filter(|p| role_of(&p.positions) == Some(DutyRole::Leader))
        .map(|p| p.id))
}

/// Absence reports: the caller's own (a leader) and those of units within
/// the caller's duty reach, from a month back; which of them the caller
/// may decide (keeps the unit's duty, and is not the leader).
pub async fn absences(cx: &Ctx) -> Result<super::dto::AbsencesPage, AppError> {
    let leader = leader_person(cx).await?;
    if cx.me.person_id.is_none() && !cx.me.may(Action::ViewDuty) {
        return Err(AppError::Forbidden);
    }
    let mut c = cx.pool().acquire().await?;
    let list = absences::within(
        &mut c,
        &cx.me.reach(Action::ViewDuty),
        cx.me.person_id,
        cx.today - chrono::Duration::days(31),
    )
    .await?;
    let places = directory::places(&mut c).await?;
    let path: HashMap<i64, &str> = places.iter().map(|p| (p.id, p.path.as_str())).collect();
    let may_decide = list
        .iter()
        .filter(|a| a.status == "filed" && Some(a.person_id) != cx.me.person_id)
        .filter(|a| {
            path.get(&a.unit_id)
                .is_some_and(|p| cx.me.may_at(Action::KeepDuty, p))
        })
        .map(|a| a.id)
        .collect();
    Ok(super::dto::AbsencesPage {
        absences: list,
        may_file: leader.is_some(),
        may_decide,
        today: cx.today,
    })
}

/// A leader files an absence report for themselves.
pub async fn file_absence(
    cx: &Ctx,
    (first, last): (&str, &str),
    destination: &str,
    reason: &str,
    deputy: &str,
) -> Result<i64, AppError> {
    let person = leader_person(cx).await?.ok_or(AppError::Forbidden)?;
    let a = duty_office::Absence::parse((first, last), destination, reason, deputy, cx.today)
        .map_err(invalid)?;
    let mut w = cx.write().await?;
    let id = absences::add(&mut w, person, &a).await?;
    w.commit().await?;
    Ok(id)
}

/// Someone who keeps the unit's duty, and is not the leader, approves or
/// refuses a filed absence, once; the leader is told.
pub async fn decide_absence(cx: &Ctx, id: i64, decision: &str) -> Result<(), AppError> {
    let status = match decision.trim() {
        "approve" => "approved",
        "refuse" => "refused",
        _ => {
            return Err(AppError::invalid(
                "field.step",
                Problem::new("problem.required"),
            ));
        }
    };
    cx.may(Action::KeepDuty)?;
    let mut w = cx.write().await?;
    let (a, path) = absences::get(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::KeepDuty, &path) {
        return Err(AppError::Forbidden);
    }
    if cx.me.person_id == Some(a.person_id) {
        return Err(AppError::Conflict(Problem::new("problem.absence_own")));
    }
    absences::decide(&mut w, id, status).await?;
    let at = w.at;
    crate::platform::notices::notify(
        w.conn(),
        a.person_id,
        at,
        &format!("notice.absence_{status}"),
        &[&a.first.to_string(), &a.last.to_string()],
        "/duty/absences",
    )
    .await?;
    w.commit().await?;
    Ok(())
}
