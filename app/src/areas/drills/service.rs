//! The drills' rules of engagement: who sees and keeps which drills, what
//! a drill may name (units, plans and people within the keeper's reach, or
//! already in the drill), clashes (saved over only with a reason, another
//! unit's drill named only to who may see it), holding, evaluating,
//! corrective actions, the calendar and its feeds, and the `drills_held`
//! metric.

use super::dto::{
    ActionsPage, CalDay, CalItem, CalendarPage, ClashRow, DrillDetail, DrillEditor, DrillSaved,
    DrillSummary, DrillsPage, MONTH_CELL_CAP, PICKER_LIMIT,
};
use super::store::actions::{self, ActionFilter};
use super::store::drills::{self as store, StoredDrill};
use super::store::{calendar as cal, clashes as booked};
use crate::areas::directory::service::{self as directory, FeedOwner};
use crate::areas::duty::service as duty;
use crate::areas::eplans::service as eplans;
use crate::areas::training::service as training;
use crate::domain::Problem;
use crate::domain::authz::{Action, Principal};
use crate::domain::calendar::{CalEvent, Span, lay_out, observance, week_of};
use crate::domain::drills::{
    ActionForm, Booked, Booking, ClashKind, DrillDef, DrillForm, DrillStatus, EvaluationRowForm,
    Scenario, drills_metric, may_hold, may_see, parse_evaluation,
};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::Unit;
use crate::platform::{Ctx, Write};
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

/// The unit the caller's person belongs to.
async fn own_unit(c: &mut AnyConnection, me: &Principal) -> Result<Option<i64>, AppError> {
    Ok(directory::own_unit(c, me).await?.map(|(id, _)| id))
}

/// The drill, if the caller may keep it (its organizer unit is in their
/// scope); 404 or 403 otherwise.
async fn to_manage(
    c: &mut AnyConnection,
    me: &Principal,
    id: i64,
) -> Result<StoredDrill, AppError> {
    let drill = store::get(c, id).await?.ok_or(AppError::NotFound)?;
    if me.may_at(Action::ManageDrills, &drill.organizer_path) {
        Ok(drill)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Units the caller may organize drills for.
async fn managed_units(cx: &Ctx) -> Result<Vec<Unit>, AppError> {
    directory::units_where(cx, Action::ManageDrills).await
}

/// A name the directory gave for `id`; none is an error (the id came
/// from a stored drill or clash), never an empty name.
fn name_of(names: &HashMap<i64, String>, id: i64, what: &str) -> Result<String, AppError> {
    names.get(&id).cloned().ok_or_else(|| {
        tracing::error!(id, what, "no name for a stored id");
        AppError::Internal
    })
}

/// Drills organized within the caller's reach and those their own unit
/// takes part in; 403 for whoever sees neither.
pub async fn list(cx: &Ctx) -> Result<DrillsPage, AppError> {
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let own = own_unit(&mut c, me).await?;
    if !me.may(Action::ViewDrills) && own.is_none() {
        return Err(AppError::Forbidden);
    }
    Ok(DrillsPage {
        drills: store::list(&mut c, &me.reach(Action::ViewDrills), own).await?,
        may_manage: me.may(Action::ManageDrills),
    })
}

/// The editor: the drill's form, and what `save` accepts (plans and units
/// within reach and those the drill has already, the people picker).
pub async fn editor(cx: &Ctx, id: Option<i64>) -> Result<DrillEditor, AppError> {
    cx.may(Action::ManageDrills)?;
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let (form, clash_reason, kept_units, kept_plans) = match id {
        Some(id) => {
            let d = to_manage(&mut c, me, id).await?;
            (
                DrillForm::from_def(&d.def, &d.def.person_codes),
                d.clash_reason.unwrap_or_default(),
                d.unit_ids,
                d.def.plan_ids,
            )
        }
        None => (DrillForm::default(), String::new(), Vec::new(), Vec::new()),
    };
    let reach = me.reach(Action::ManageDrills);
    let plans = eplans::within(&mut c, &reach, &kept_plans, cx.today).await?;
    drop(c);
    let units: Vec<Unit> = directory::list_units(cx, String::new(), "")
        .await?
        .into_iter()
        .filter(|u| reach.covers(&u.path) || kept_units.contains(&u.id))
        .collect();
    let organizer_units = managed_units(cx).await?;
    let people = directory::picker(cx.pool(), &reach, PICKER_LIMIT).await?;
    Ok(DrillEditor {
        id,
        form,
        clash_reason,
        plans,
        units,
        organizer_units,
        people,
    })
}

/// Checks a drill and saves it. Clashes are sent back unsaved until a
/// reason is given; the reason and the clashes it answers are kept.
pub async fn save(
    cx: &Ctx,
    id: Option<i64>,
    form: DrillForm,
    clash_reason: &str,
) -> Result<DrillSaved, AppError> {
    cx.may(Action::ManageDrills)?;
    let me = &cx.me;
    let def = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let reason = crate::domain::text_field(clash_reason, 0, 500)
        .map_err(|p| AppError::invalid("field.clash_reason", p))?;
    let mut w = cx.write().await?;
    // What the drill has already stays allowed (a district-wide organizer
    // may have added units, plans or people beyond the caller's reach);
    // anything new must be within it.
    let stored = match id {
        Some(id) => Some(to_manage(w.conn(), me, id).await?),
        None => None,
    };
    let organizer = directory::unit_in(w.conn(), def.organizer_unit_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid("field.organizer_unit", Problem::new("problem.no_such_unit"))
        })?;
    if !me.may_at(Action::ManageDrills, &organizer.path) {
        return Err(AppError::Forbidden);
    }
    let reach = me.reach(Action::ManageDrills);
    let had_unit = |u: &i64| stored.as_ref().is_some_and(|d| d.unit_ids.contains(u));
    for u in &def.unit_ids {
        let unit = directory::unit_in(w.conn(), *u).await?.ok_or_else(|| {
            AppError::invalid(
                "field.participating_units",
                Problem::with("problem.unknown_choice", &[&u.to_string()]),
            )
        })?;
        // A drill writes into its units' calendars, feeds and drills_held
        // metric: new ones only within reach.
        if !reach.covers(&unit.path) && !had_unit(u) {
            return Err(AppError::invalid(
                "field.participating_units",
                Problem::with("problem.outside_scope", &[&unit.code]),
            ));
        }
    }
    // A plan outside reach is no choice of the caller's (its title is not
    // theirs to learn): refused as unknown, as a missing one.
    let had_plan = |p: &i64| stored.as_ref().is_some_and(|d| d.def.plan_ids.contains(p));
    let plan_paths = eplans::paths(w.conn(), &def.plan_ids).await?;
    if let Some(p) = def.plan_ids.iter().find(|&&p| {
        plan_paths
            .get(&p)
            .is_none_or(|path| !reach.covers(path) && !had_plan(&p))
    }) {
        return Err(AppError::invalid(
            "field.plans_exercised",
            Problem::with("problem.unknown_choice", &[&p.to_string()]),
        ));
    }
    // People are named by number, the first unknown one refused; one the
    // caller may not see is refused by number, their name never shown
    // back (no clash row, no drill page naming them).
    let located = directory::located_people(w.conn(), &def.person_codes).await?;
    let mut people = Vec::with_capacity(def.person_codes.len());
    for code in &def.person_codes {
        let Some((id, path)) = located.get(code) else {
            return Err(AppError::invalid(
                "field.participants",
                Problem::with("problem.no_such_person", &[code]),
            ));
        };
        people.push((*id, code, path));
    }
    let had_person = |code: &str| {
        stored
            .as_ref()
            .is_some_and(|d| d.def.person_codes.iter().any(|c| c == code))
    };
    if let Some((_, code, _)) = people
        .iter()
        .find(|(_, code, path)| !me.may_name_person(path) && !had_person(code))
    {
        return Err(AppError::invalid(
            "field.participants",
            Problem::with("problem.person_outside_scope", &[code]),
        ));
    }
    let people: Vec<i64> = people.into_iter().map(|(id, _, _)| id).collect();
    let clashes = clashes(w.conn(), me, &def, &people, id).await?;
    if !clashes.is_empty() && reason.is_empty() {
        return Ok(DrillSaved { id: None, clashes });
    }
    let reason = (!clashes.is_empty()).then_some(reason.as_str());
    let saved = store::save(&mut w, id, &def, &people, reason, &clashes).await?;
    w.commit().await?;
    Ok(DrillSaved {
        id: Some(saved),
        clashes,
    })
}

/// Clashes of a drill, named for people: the place, units and people by
/// name, and what they clash with.
async fn clashes(
    c: &mut AnyConnection,
    me: &Principal,
    def: &DrillDef,
    person_ids: &[i64],
    except: Option<i64>,
) -> Result<Vec<ClashRow>, AppError> {
    let span = Span::Times {
        start: def.start,
        end: def.end,
    };
    let mut booked = booked::bookings(c, span, except).await?;
    // The training batches on those days, with those of `person_ids` who
    // sit in them.
    let wanted: std::collections::HashSet<i64> = person_ids.iter().copied().collect();
    for b in training::batches_on_days(c, span.days()).await? {
        booked.push(Booking {
            what: Booked::Training {
                batch_id: b.id,
                title: b.title,
            },
            span: Span::Days {
                start: b.first_day,
                end: b.last_day,
            },
            place: b.place,
            unit_ids: Vec::new(),
            person_ids: b
                .seated
                .into_iter()
                .filter(|p| wanted.contains(p))
                .collect(),
        });
    }
    // Leaders away on an approved absence on any of those days.
    let (first, last) = span.days();
    for (id, person, (from, to)) in duty::absences_between(c, (first, last)).await? {
        if wanted.contains(&person) {
            booked.push(Booking {
                what: Booked::Absence { id },
                span: Span::Days {
                    start: from,
                    end: to,
                },
                place: String::new(),
                unit_ids: Vec::new(),
                person_ids: vec![person],
            });
        }
    }
    let found =
        crate::domain::drills::clashes(span, &def.place, &def.all_units(), person_ids, &booked);
    let unit_ids: Vec<i64> = found
        .iter()
        .filter_map(|c| match c.kind {
            ClashKind::Unit(u) => Some(u),
            _ => None,
        })
        .collect();
    let people: Vec<i64> = found
        .iter()
        .filter_map(|c| match c.kind {
            ClashKind::Person(p) | ClashKind::Training(p) | ClashKind::Away(p) => Some(p),
            _ => None,
        })
        .collect();
    let unit_names = directory::unit_names(c, &unit_ids).await?;
    let person_names = directory::names_of_people(c, &people).await?;
    // Another subdistrict's drill at the same place or time is named only
    // to who may see it: the clash check is no window into drills out of
    // reach.
    let drill_ids: Vec<i64> = found
        .iter()
        .filter_map(|x| match &x.with {
            Booked::Drill { id, .. } => Some(*id),
            Booked::Training { .. } | Booked::Absence { .. } => None,
        })
        .collect();
    let own = own_unit(c, me).await?;
    let seen = store::seen(c, &me.reach(Action::ViewDrills), own, &drill_ids).await?;
    found
        .into_iter()
        .map(|x| {
            let masked = matches!(&x.with, Booked::Drill { id, .. } if !seen.contains(id));
            let subject = match &x.kind {
                ClashKind::Place(p) => p.clone(),
                ClashKind::Unit(u) => name_of(&unit_names, *u, "unit")?,
                ClashKind::Person(p) | ClashKind::Training(p) | ClashKind::Away(p) => {
                    name_of(&person_names, *p, "person")?
                }
            };
            let link = match &x.with {
                Booked::Drill { id, .. } => format!("/drills/{id}"),
                Booked::Training { .. } => String::new(),
                Booked::Absence { .. } => "/duty/absences".to_string(),
            };
            Ok(ClashRow {
                kind_key: x.kind.label_key().to_string(),
                subject,
                with: if masked {
                    String::new()
                } else {
                    x.with.title().to_string()
                },
                link: if masked { String::new() } else { link },
                start: x.start,
                end: x.end,
                masked,
            })
        })
        .collect()
}

/// One drill with its units, plans, people, evaluation and actions, for
/// whoever may see it.
pub async fn get(cx: &Ctx, id: i64) -> Result<DrillDetail, AppError> {
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let d = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let own = own_unit(&mut c, me).await?;
    if !may_see(
        me,
        &d.organizer_path,
        own.is_some_and(|u| d.unit_ids.contains(&u)),
    ) {
        return Err(AppError::Forbidden);
    }
    let unit_names = directory::unit_names(&mut c, &d.unit_ids).await?;
    let units = d
        .unit_ids
        .iter()
        .map(|u| Ok((*u, name_of(&unit_names, *u, "unit")?)))
        .collect::<Result<_, AppError>>()?;
    let plans = eplans::titles(&mut c, &d.def.plan_ids).await?;
    let people = store::people(&mut c, id).await?;
    let evaluation = store::evaluation(&mut c, id).await?;
    let actions = actions::list(&mut c, ActionFilter::Drill(id), cx.today)
        .await?
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    Ok(DrillDetail {
        may_manage: me.may_at(Action::ManageDrills, &d.organizer_path),
        started: cx.now >= d.summary.start,
        units,
        plans,
        people,
        clash_reason: d.clash_reason,
        // Clashes kept before absences lost their title named where the
        // leader went: not for every viewer of the drill.
        clashes: d
            .clashes
            .into_iter()
            .map(|mut x| {
                if x.kind_key == ClashKind::Away(0).label_key() {
                    x.with.clear();
                }
                x
            })
            .collect(),
        evaluation,
        actions,
        created_by: d.created_by,
        held: d.held,
        evaluated: d.evaluated,
        summary: d.summary,
        def: d.def,
    })
}

/// Marks a planned drill held (not before it starts), with who attended
/// (ticked person ids of the drill's people: another number is refused,
/// never dropped); held drills count for `drills_held`.
pub async fn hold(cx: &Ctx, id: i64, attended: BTreeMap<String, String>) -> Result<(), AppError> {
    let mut w = cx.write().await?;
    let d = to_manage(w.conn(), &cx.me, id).await?;
    may_hold(d.summary.status, d.summary.start, cx.now).map_err(AppError::Conflict)?;
    let mut ticked = Vec::new();
    for (key, value) in &attended {
        let person: i64 = key.trim().parse().map_err(|_| {
            AppError::invalid("field.attended", Problem::new("problem.not_a_number"))
        })?;
        if !value.is_empty() {
            ticked.push(person);
        }
    }
    let people = store::person_ids_of(w.conn(), id).await?;
    if let Some(stranger) = ticked.iter().find(|p| !people.contains(p)) {
        return Err(AppError::invalid(
            "field.attended",
            Problem::with("problem.unknown_choice", &[&stranger.to_string()]),
        ));
    }
    store::hold(&mut w, id, &ticked).await?;
    // As before the areas moved, holding a drill brings both metrics up
    // to date.
    let source = format!("drill:{id}");
    eplans::feed_coverage(&mut w, cx.today, &source).await?;
    feed_held(&mut w, cx.today, &source).await?;
    w.commit().await?;
    Ok(())
}

/// Records the evaluation: a rating and findings for every objective.
pub async fn evaluate(cx: &Ctx, id: i64, rows: Vec<EvaluationRowForm>) -> Result<(), AppError> {
    let mut w = cx.write().await?;
    let d = to_manage(w.conn(), &cx.me, id).await?;
    let parsed = parse_evaluation(&rows, d.def.objectives.len())
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    store::evaluate(&mut w, id, &parsed).await?;
    w.commit().await?;
    Ok(())
}

/// Adds a corrective action to a held drill, owned by a unit that took
/// part in it or one within the caller's reach.
pub async fn add_action(cx: &Ctx, drill_id: i64, form: ActionForm) -> Result<i64, AppError> {
    let def = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let mut w = cx.write().await?;
    let d = to_manage(w.conn(), &cx.me, drill_id).await?;
    if d.summary.status == DrillStatus::Planned {
        return Err(AppError::Conflict(Problem::new("problem.drill_not_held")));
    }
    let owner = directory::unit_in(w.conn(), def.owner_unit_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid("field.owner_unit", Problem::new("problem.no_such_unit"))
        })?;
    // The action lands on the owner unit's list: a unit that took part in
    // the drill, or one within the caller's reach.
    if !d.unit_ids.contains(&owner.id) && !cx.me.may_at(Action::ManageDrills, &owner.path) {
        return Err(AppError::invalid(
            "field.owner_unit",
            Problem::with("problem.outside_scope", &[&owner.code]),
        ));
    }
    let id = actions::add(&mut w, drill_id, &def).await?;
    w.commit().await?;
    Ok(id)
}

/// Closes an action with a note, once: by whoever keeps the drill's
/// organizer unit or the owner unit.
pub async fn close_action(cx: &Ctx, id: i64, note: &str) -> Result<(), AppError> {
    let note = crate::domain::text_field(note, 2, 500)
        .map_err(|p| AppError::invalid("field.closing_note", p))?;
    let mut w = cx.write().await?;
    let (owner_path, organizer_path) = actions::paths(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::ManageDrills, &owner_path)
        && !cx.me.may_at(Action::ManageDrills, &organizer_path)
    {
        return Err(AppError::Forbidden);
    }
    actions::close(&mut w, id, &note).await?;
    w.commit().await?;
    Ok(())
}

/// Corrective actions within reach and of the caller's own unit, with
/// those the caller may close.
pub async fn actions(cx: &Ctx) -> Result<ActionsPage, AppError> {
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let own = own_unit(&mut c, me).await?;
    if !me.may(Action::ViewDrills) && own.is_none() {
        return Err(AppError::Forbidden);
    }
    let rows = actions::list(
        &mut c,
        ActionFilter::Visible(&me.reach(Action::ViewDrills), own),
        cx.today,
    )
    .await?;
    let closable = rows
        .iter()
        .filter(|(a, path)| a.closed_at.is_none() && me.may_at(Action::ManageDrills, path))
        .map(|(a, _)| a.id)
        .collect();
    Ok(ActionsPage {
        actions: rows.into_iter().map(|(a, _)| a).collect(),
        closable,
    })
}

/// Drills and training batches of a month (`2018-05`) or of the week
/// around a day (`2018-05-12`), filtered by unit subtree and scenario; a
/// chosen unit's feed address is under `origin`.
pub async fn calendar(
    cx: &Ctx,
    at: &str,
    unit: Option<i64>,
    scenario: &str,
    origin: &str,
) -> Result<CalendarPage, AppError> {
    cx.may(Action::ViewDrills)?;
    let (me, today) = (&cx.me, cx.today);
    let bad = || AppError::invalid("field.month", Problem::new("problem.bad_date"));
    let (anchor, week) = match at.trim() {
        "" => (today.with_day(1).ok_or_else(bad)?, false),
        s if s.len() == 7 => (
            NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| bad())?,
            false,
        ),
        s => (
            week_of(crate::domain::iso_date(s).map_err(|_| bad())?)[0],
            true,
        ),
    };
    let last = if week {
        anchor + chrono::Duration::days(6)
    } else {
        anchor
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .ok_or_else(bad)?
    };
    let scenario_filter = if scenario.trim().is_empty() {
        None
    } else {
        Some(Scenario::parse(scenario).map_err(|p| AppError::invalid("field.scenario", p))?)
    };
    // Read and laid out once per version of the data, caller, day and
    // filter (the month of a busy district is thousands of drills). The
    // key names the account: reach and own unit differ per caller.
    let key = format!(
        "drill_calendar:{}:{today}:{anchor}:{week}:{unit:?}:{scenario_filter:?}",
        me.account_id
    );
    let page = cx
        .st
        .db
        .memo
        .get_or(cx.pool(), key, async || {
            // The unit filter, and the unit feed it hands out, offer only
            // units within reach: a unit outside is "no such unit".
            let reach = me.reach(Action::ViewDrills);
            let units: Vec<Unit> = directory::list_units(cx, String::new(), "")
                .await?
                .into_iter()
                .filter(|u| reach.covers(&u.path))
                .collect();
            let unit_path = match unit {
                Some(u) => Some(
                    units
                        .iter()
                        .find(|x| x.id == u)
                        .map(|x| x.path.clone())
                        .ok_or_else(|| {
                            AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                        })?,
                ),
                None => None,
            };
            let mut c = cx.pool().acquire().await?;
            let own = own_unit(&mut c, me).await?;
            let mut items = cal::period(
                &mut c,
                &reach,
                own,
                (anchor, last),
                unit_path.as_deref(),
                scenario_filter,
            )
            .await?;
            // Training has no scenario: a scenario filter leaves it out.
            if scenario_filter.is_none() {
                let batches = training::calendar_batches(
                    &mut c,
                    &reach,
                    (anchor, last),
                    unit_path.as_deref(),
                )
                .await?;
                items.extend(batches.into_iter().map(|b| CalItem {
                    drill: false,
                    title: b.title,
                    place: b.place,
                    first_day: b.first_day,
                    last_day: b.last_day,
                    time: None,
                    link: format!("/training/plans/{}", b.rotation),
                    scenario: None,
                }));
            }
            let spans: Vec<_> = items.iter().map(|i| (i.first_day, i.last_day)).collect();
            let cap = if week { usize::MAX } else { MONTH_CELL_CAP };
            let days = lay_out(anchor, last, &spans, cap)
                .into_iter()
                .map(|cell| CalDay {
                    day: cell.day,
                    observance: observance(cell.day).map(str::to_string),
                    items: cell.shown.iter().map(|&i| items[i].clone()).collect(),
                    more: cell.more,
                })
                .collect();
            Ok(CalendarPage {
                anchor,
                week,
                total: items.len(),
                days,
                units,
                unit,
                scenario: String::new(),
                unit_feed: None,
                today,
            })
        })
        .await?;
    // The raw filter and the feed's secret stay out of what is kept: a
    // rotated secret is never served from the memo.
    let mut page = (*page).clone();
    page.scenario = scenario.to_string();
    if let Some(u) = unit {
        let mut c = cx.pool().acquire().await?;
        page.unit_feed = Some(format!(
            "{origin}/calendar/unit-{}.ics",
            directory::calendar_feed(&mut c, FeedOwner::Unit, u).await?
        ));
    }
    Ok(page)
}

/// A new address for a unit's calendar feed; the old one stops working.
/// For those who keep the unit's drills (404 before 403).
pub async fn rotate_unit_feed(cx: &Ctx, unit: i64) -> Result<(), AppError> {
    cx.may(Action::ManageDrills)?;
    let target = directory::get_unit(cx, unit).await?;
    if !cx.me.may_at(Action::ManageDrills, &target.path) {
        return Err(AppError::Forbidden);
    }
    let mut w = cx.write().await?;
    directory::rotate_calendar_feed(&mut w, FeedOwner::Unit, unit).await?;
    w.commit().await?;
    Ok(())
}

/// Writes this year's `plan_coverage` and `drills_held` for every unit,
/// leaving published years alone: (written, left alone).
pub async fn sync_metrics(cx: &Ctx) -> Result<(usize, usize), AppError> {
    cx.may_everywhere(Action::ManageDrills)?;
    let mut w = cx.write().await?;
    let a = eplans::feed_coverage(&mut w, cx.today, "sync").await?;
    let b = feed_held(&mut w, cx.today, "sync").await?;
    w.commit().await?;
    Ok((a.0 + b.0, a.1 + b.1))
}

// ---- for other areas, the feeds and the demo seed, which have checked their callers ----

/// Writes this year's `drills_held` for every required unit (drills held
/// or evaluated that it organized or took part in, up to the two
/// required) through the platform's metric feed, because of `source`;
/// published years are left alone. (written, left alone).
pub async fn feed_held(
    w: &mut Write<'_>,
    today: NaiveDate,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let year = today.year();
    let kinds: Vec<(i64, UnitKind)> = directory::places(w.conn())
        .await?
        .into_iter()
        .map(|u| (u.id, u.kind.0))
        .collect();
    let held = store::held_counts(w.conn(), year).await?;
    let values = drills_metric(&kinds, &held);
    crate::platform::metrics::feed(w, year.into(), "drills_held", &values, source).await
}

/// plan id → the last day a held drill exercised it, of every plan or
/// `only` these.
pub async fn last_drilled(
    c: &mut AnyConnection,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, NaiveDate>, AppError> {
    store::last_drilled(c, only).await
}

/// The drills that exercised a plan, of those `me` sees, newest first.
pub async fn of_plan(
    c: &mut AnyConnection,
    me: &Principal,
    plan_id: i64,
) -> Result<Vec<DrillSummary>, AppError> {
    let own = own_unit(c, me).await?;
    store::of_plan(c, plan_id, &me.reach(Action::ViewDrills), own).await
}

/// The drills a person takes part in, newest first (their own page).
pub async fn of_person(c: &mut AnyConnection, person: i64) -> Result<Vec<DrillSummary>, AppError> {
    store::of_person(c, person).await
}

/// What stands behind each unit's `drills_held` in `year`: (unit id,
/// drill id, "title · day"), by start. The assessment's evidence.
pub async fn held_evidence(
    c: &mut AnyConnection,
    year: i32,
) -> Result<Vec<(i64, i64, String)>, AppError> {
    store::held_in(c, year)
        .await?
        .into_iter()
        .map(|(unit, id, title, start)| {
            let day = crate::domain::local_date(start).ok_or_else(|| {
                tracing::error!(drill = id, start, "a drill's start outside the calendar");
                AppError::Internal
            })?;
            Ok((unit, id, format!("{title} · {day}")))
        })
        .collect()
}

/// A unit's drills and the published batches its people sit in, for the
/// unit's calendar feed (calendar apps do not sign in: the feed's secret
/// was checked).
pub async fn unit_feed(c: &mut AnyConnection, unit: i64) -> Result<Vec<CalEvent>, AppError> {
    let mut events = cal::unit_events(c, unit).await?;
    events.extend(
        training::unit_batches(c, unit)
            .await?
            .into_iter()
            .map(|b| CalEvent {
                uid: format!("batch-{}-unit-{unit}@yingji", b.id),
                summary: b.title,
                location: b.place,
                description: String::new(),
                span: Span::Days {
                    start: b.first_day,
                    end: b.last_day,
                },
            }),
    );
    Ok(events)
}

/// A person's drills, for their calendar feed.
pub async fn person_feed(c: &mut AnyConnection, person: i64) -> Result<Vec<CalEvent>, AppError> {
    cal::person_events(c, person).await
}

#[cfg(test)]
mod tests {
    use super::name_of;
    use std::collections::HashMap;

    #[test]
    fn a_unit_or_person_without_a_name_is_an_error_not_an_empty_name() {
        let names = HashMap::from([(3, "公安分局".to_string())]);
        assert_eq!(name_of(&names, 3, "unit").unwrap(), "公安分局");
        assert!(name_of(&names, 4, "unit").is_err());
    }
}
