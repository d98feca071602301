//! The annual assessment's server functions: schemes, the scoring sheet
//! (scores, events, bonuses), the two-person veto, incident reports,
//! metrics, results with their explanation, publishing. Assessors write;
//! admins, assessors and organizers read.

use crate::domain::scheme::SchemeForm;
use crate::error::AppError;
use crate::model::{IncidentRow, MetricRow, Results, SchemeSummary, Unit, UnitAssessment, VetoRow};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// One manual score as the sheet form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreInput {
    pub indicator: String,
    pub points: String,
    pub note: String,
}

/// The scheme editor's content: the form, and whether it may be changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeEditor {
    pub id: Option<i64>,
    pub form: SchemeForm,
    pub published: bool,
}

/// The metric table of a year: units of the year's schemes, the metrics
/// their ratio indicators read, and the values entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTable {
    pub year: i64,
    pub units: Vec<Unit>,
    pub metrics: Vec<String>,
    pub values: Vec<MetricRow>,
}

#[cfg(feature = "ssr")]
pub mod server {
    //! What the pages, the export handler and the import command share.
    use crate::db::Db;
    use crate::db::assessment as store;
    use crate::domain::assessment::{Outcome, Points, listing_order};
    use crate::domain::authz::{Action, Principal, Reach};
    use crate::error::AppError;
    use crate::i18n::Lang;
    use crate::model::{ResultRow, Results, StoredScheme, Unit};
    use sqlx::AnyPool;

    /// Scheme management reaches the whole district.
    pub fn require_scheme_manager(me: &Principal) -> Result<(), AppError> {
        if me.reach(Action::Assess) == Reach::Everywhere {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The unit, if the caller may assess it: 404 when there is no such
    /// unit, 403 when it lies outside their scope.
    pub async fn unit_to_assess(
        pool: &AnyPool,
        me: &Principal,
        unit_id: i64,
    ) -> Result<Unit, AppError> {
        let unit = crate::db::units::get(pool, unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if me.may_at(Action::Assess, &unit.path) {
            Ok(unit)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Every unit's materialized path, for filtering lists by scope.
    pub async fn unit_paths(
        pool: &AnyPool,
    ) -> Result<std::collections::HashMap<i64, String>, AppError> {
        Ok(crate::db::units::list(pool, &Default::default())
            .await?
            .into_iter()
            .map(|u| (u.id, u.path))
            .collect())
    }

    /// Keeps what the caller may see under `action`, by the unit it is for.
    pub async fn within_reach<T>(
        pool: &AnyPool,
        me: &Principal,
        action: Action,
        items: Vec<T>,
        unit_of: impl Fn(&T) -> i64,
    ) -> Result<Vec<T>, AppError> {
        if me.reach(action) == Reach::Everywhere {
            return Ok(items);
        }
        let paths = unit_paths(pool).await?;
        Ok(items
            .into_iter()
            .filter(|x| paths.get(&unit_of(x)).is_some_and(|p| me.may_at(action, p)))
            .collect())
    }

    /// A scheme id that names none, said as a field problem.
    pub fn no_such_scheme(e: AppError) -> AppError {
        match e {
            AppError::NotFound => AppError::invalid(
                "field.scheme",
                crate::domain::Problem::new("problem.no_such_scheme"),
            ),
            e => e,
        }
    }

    pub async fn scheme(pool: &AnyPool, id: i64) -> Result<StoredScheme, AppError> {
        store::get_scheme(pool, id).await?.ok_or(AppError::NotFound)
    }

    /// The ranking of a scheme, in listing order, with the distribution
    /// chart, as the caller may see it: a published ranking whole (it is
    /// public to everyone who sees the assessment); an unpublished one
    /// only for the units within the caller's reach (the ranks are still
    /// among all units, as they will be published). The page and both
    /// exports read this.
    pub async fn results(
        db: &Db,
        me: &Principal,
        id: i64,
        lang: Lang,
    ) -> Result<Results, AppError> {
        results_and_outcomes(db, me, id, lang).await.map(|(r, _)| r)
    }

    /// `results`, and every unit's full outcome (the feed and the export
    /// read them; evaluating once serves both).
    pub async fn results_and_outcomes(
        db: &Db,
        me: &Principal,
        id: i64,
        lang: Lang,
    ) -> Result<(Results, std::sync::Arc<Vec<(Unit, Outcome)>>), AppError> {
        let pool = &db.pool;
        let scheme = scheme(pool, id).await?;
        let all = store::evaluate_scheme(db, &scheme).await?;
        let ranked = all
            .iter()
            .filter(|(_, o)| !o.vetoed && !o.incomplete)
            .count();
        let mut listed: Vec<(String, Outcome)> = all
            .iter()
            .map(|(u, o)| (u.code.clone(), o.clone()))
            .collect();
        listing_order(&mut listed);
        // The kept evaluation is read, not copied: only the units shown.
        let units: std::collections::HashMap<&str, &Unit> = all
            .iter()
            .filter(|(u, _)| scheme.published || me.may_at(Action::ViewAssessment, &u.path))
            .map(|(u, _)| (u.code.as_str(), u))
            .collect();
        let rows: Vec<ResultRow> = listed
            .iter()
            .filter_map(|(code, o)| {
                units.get(code.as_str()).map(|u| ResultRow {
                    unit_id: u.id,
                    unit_code: u.code.clone(),
                    unit_name: u.name.clone(),
                    unit_kind: u.kind,
                    outcome: o.into(),
                })
            })
            .collect();
        let chart_svg = distribution_chart(&rows, lang);
        let gaps = if scheme.published {
            Vec::new()
        } else {
            let mut c = pool.acquire().await?;
            let undecided = store::undecided_veto_units(&mut c, &scheme).await?;
            let outcomes: Vec<Outcome> = listed.iter().map(|(_, o)| o.clone()).collect();
            crate::domain::assessment::publish_gaps(&outcomes, &undecided)
                .into_iter()
                .filter_map(|g| {
                    units
                        .get(g.unit.as_str())
                        .map(|u| (u.id, u.name.clone(), g.kind))
                })
                .collect()
        };
        Ok((
            Results {
                feed: None,
                gaps,
                quota_places: scheme
                    .def
                    .scheme
                    .excellent_quota_percent
                    .map(|q| (ranked as i64 * q / 100) as u32),
                scheme,
                rows,
                chart_svg,
            },
            all,
        ))
    }

    fn distribution_chart(rows: &[ResultRow], lang: Lang) -> String {
        let bands: [(&str, i64); 5] = [
            ("90–100", 900),
            ("80–89.9", 800),
            ("70–79.9", 700),
            ("60–69.9", 600),
            ("0–59.9", 0),
        ];
        let mut counts = vec![0i64; bands.len() + 2];
        for r in rows {
            let o = &r.outcome;
            if o.vetoed {
                counts[bands.len()] += 1;
            } else if let Some(t) = o.total {
                let i = bands.iter().position(|(_, min)| t.0 >= *min).unwrap_or(4);
                counts[i] += 1;
            } else {
                counts[bands.len() + 1] += 1;
            }
        }
        let mut labels: Vec<String> = bands.iter().map(|(l, _)| l.to_string()).collect();
        labels.push(lang.t("assessment.vetoed").to_string());
        labels.push(lang.t("assessment.incomplete").to_string());
        crate::charts::bar_chart(lang.t("assessment.distribution"), &labels, &counts)
    }

    /// The most changes "since you last looked" lists.
    pub const FEED_LIMIT: usize = 300;

    /// What moved in a scheme's open year since the caller last marked its
    /// results seen: the units (within their reach) whose totals changed or
    /// that have changes, each with its changes. Before the first mark, the
    /// year's changes from the start, with no totals to compare.
    pub async fn feed(
        pool: &AnyPool,
        me: &Principal,
        scheme: &StoredScheme,
        evaluated: &[(Unit, Outcome)],
    ) -> Result<crate::model::ChangeFeed, AppError> {
        use crate::domain::evidence::moved_totals;
        use crate::model::{ChangeFeed, FeedUnit};
        use std::collections::HashMap;
        let mut c = pool.acquire().await?;
        let seen = store::seen(&mut c, me.account_id, scheme.id).await?;
        let (after_id, seen_at, totals) = match seen {
            Some((last, at, totals)) => (last, Some(at), totals),
            None => (0, None, HashMap::new()),
        };
        let mut changes = store::changes(
            &mut c,
            scheme.def.year as i64,
            after_id,
            None,
            FEED_LIMIT as i64 + 1,
        )
        .await?;
        drop(c);
        let truncated = changes.len() > FEED_LIMIT;
        changes.truncate(FEED_LIMIT);
        let visible: Vec<&(Unit, Outcome)> = evaluated
            .iter()
            .filter(|(u, _)| me.may_at(Action::ViewAssessment, &u.path))
            .collect();
        let now: Vec<(String, Option<Points>)> = visible
            .iter()
            .map(|(u, o)| (u.code.clone(), o.total))
            .collect();
        let moved: Vec<String> = if seen_at.is_some() {
            moved_totals(&totals, &now)
                .into_iter()
                .map(|m| m.unit)
                .collect()
        } else {
            Vec::new()
        };
        let mut units: Vec<FeedUnit> = Vec::new();
        for (u, o) in visible {
            let mine: Vec<_> = changes
                .iter()
                .filter(|c| c.unit_id == u.id)
                .cloned()
                .collect();
            if mine.is_empty() && !moved.contains(&u.code) {
                continue;
            }
            units.push(FeedUnit {
                unit_id: u.id,
                unit_name: u.name.clone(),
                before: totals.get(&u.code).copied().flatten(),
                after: o.total,
                changes: mine,
            });
        }
        Ok(ChangeFeed {
            seen_at,
            units,
            truncated,
        })
    }

    /// The results as people read them in a spreadsheet: a title line
    /// (scheme, year, whether published), column titles in the reader's
    /// language, and per unit in ranking order its code, name, each
    /// indicator's score, the bonus counted, the total, grade, rank and a
    /// veto. `numeric` says which columns hold numbers.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ExportTable {
        pub title: String,
        pub header: Vec<String>,
        pub numeric: Vec<bool>,
        pub rows: Vec<Vec<String>>,
    }

    pub async fn export_table(
        db: &Db,
        me: &Principal,
        id: i64,
        lang: Lang,
    ) -> Result<ExportTable, AppError> {
        let (r, all) = results_and_outcomes(db, me, id, lang).await?;
        let outcomes: std::collections::HashMap<&str, &Outcome> =
            all.iter().map(|(u, o)| (u.code.as_str(), o)).collect();
        let def = &r.scheme.def;
        let indicators = &def.scheme.indicators;
        let mut header = vec![
            lang.t("field.unit_code").to_string(),
            lang.t("field.unit").to_string(),
        ];
        header.extend(indicators.iter().map(|i| i.name.clone()));
        for key in [
            "export.bonus",
            "assessment.total",
            "assessment.grade",
            "assessment.rank",
            "assessment.vetoed",
        ] {
            header.push(lang.t(key).to_string());
        }
        let mut numeric = vec![false, false];
        numeric.extend(indicators.iter().map(|_| true));
        numeric.extend([true, true, false, true, false]);
        let status = match (r.scheme.published, r.scheme.published_at) {
            (true, Some(at)) => lang.tf("export.published_at", &[&crate::domain::local_time(at)]),
            _ => lang.t("export.not_published").to_string(),
        };
        let title = lang.tf(
            "export.results_title",
            &[&def.name, &def.year.to_string(), &status],
        );
        let rows = r
            .rows
            .iter()
            .map(|row| {
                let o = &row.outcome;
                let full = outcomes.get(row.unit_code.as_str()).copied();
                let mut cells = vec![row.unit_code.clone(), row.unit_name.clone()];
                cells.extend((0..indicators.len()).map(|i| {
                    full.and_then(|f| f.lines.get(i))
                        .and_then(|l| l.score)
                        .map(|p| p.to_string())
                        .unwrap_or_default()
                }));
                cells.push(
                    full.map(|f| f.bonus_counted.to_string())
                        .unwrap_or_default(),
                );
                cells.push(o.total.map(|t: Points| t.to_string()).unwrap_or_default());
                cells.push(
                    o.grade
                        .map(|g| lang.t(g.label_key()).to_string())
                        .unwrap_or_else(|| {
                            if o.incomplete {
                                lang.t("assessment.incomplete").to_string()
                            } else {
                                String::new()
                            }
                        }),
                );
                cells.push(o.rank.map(|k| k.to_string()).unwrap_or_default());
                cells.push(if o.vetoed {
                    lang.t("assessment.vetoed").to_string()
                } else {
                    String::new()
                });
                cells
            })
            .collect();
        Ok(ExportTable {
            title,
            header,
            numeric,
            rows,
        })
    }
}

#[server(endpoint = "list_schemes")]
pub async fn list_schemes() -> Result<Vec<SchemeSummary>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            require_may(Action::ViewAssessment)?;
            crate::db::assessment::list_schemes(&state()?.db.pool).await
        }
        .await,
    )
}

/// The editor for a new scheme (`id` absent) or a stored one.
#[server(endpoint = "scheme_editor")]
pub async fn load_scheme_editor(
    #[server(default)] id: Option<i64>,
) -> Result<SchemeEditor, AppError> {
    use chrono::Datelike;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            server::require_scheme_manager(&me)?;
            let st = state()?;
            Ok(match id {
                None => {
                    let year = st.clock.today_and_now()?.0.year();
                    SchemeEditor {
                        id: None,
                        form: SchemeForm::blank(year, 6),
                        published: false,
                    }
                }
                Some(id) => {
                    let s = server::scheme(&st.db.pool, id).await?;
                    SchemeEditor {
                        id: Some(id),
                        form: SchemeForm::from_def(&s.def, 3),
                        published: s.published,
                    }
                }
            })
        }
        .await,
    )
}

/// Creates or changes a scheme; every field is checked and the first
/// problem names its field and row.
#[server(endpoint = "save_scheme")]
pub async fn save_scheme(
    #[server(default)] id: Option<i64>,
    form: SchemeForm,
) -> Result<i64, AppError> {
    use crate::db::assessment as store;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            server::require_scheme_manager(&me)?;
            let def = form
                .parse()
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let st = state()?;
            let now = st.clock.now_secs();
            let mut tx = st.db.write().await?;
            let id = match id {
                Some(id) => {
                    store::update_scheme(&mut tx, &actor(&me), now, id, &def).await?;
                    id
                }
                None => store::create_scheme(&mut tx, &actor(&me), now, &def).await?,
            };
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Starts next year's scheme from this one (same indicators, rules and
/// grades) and returns the new scheme's id.
#[server(endpoint = "copy_scheme")]
pub async fn copy_scheme(id: i64) -> Result<i64, AppError> {
    use crate::db::assessment as store;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            server::require_scheme_manager(&me)?;
            let st = state()?;
            let from = server::scheme(&st.db.pool, id).await?;
            let def = from.def.copy_for(from.def.year + 1);
            let mut tx = st.db.write().await?;
            let id = store::create_scheme(&mut tx, &actor(&me), st.clock.now_secs(), &def).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Publishes a scheme's results, locking its year (`publish` = "1"), or
/// asks to reopen a published year with a reason (`publish` = "0"): the
/// year stays published until a second scheme manager confirms the request
/// (`decide_reopen`).
#[server(endpoint = "publish_scheme")]
pub async fn publish_scheme(
    id: i64,
    publish: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::domain::scheme::propose_reopen;
    use crate::domain::{Problem, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            server::require_scheme_manager(&me)?;
            let publish = publish == "1";
            let reason = if publish {
                match reason.trim() {
                    "" => String::new(),
                    text => text_field(text, 1, 500)
                        .map_err(|p| AppError::invalid("field.reason", p))?,
                }
            } else {
                text_field(&reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?
            };
            let st = state()?;
            let now = st.clock.now_secs();
            // A year is published finished: every unit scored, every veto
            // decided. Otherwise only with a reason, and those units are
            // marked in the ranking.
            let gaps = if publish {
                let scheme = server::scheme(&st.db.pool, id).await?;
                let evaluated = crate::db::assessment::evaluate_scheme(&st.db, &scheme).await?;
                let mut c = st.db.pool.acquire().await?;
                let undecided =
                    crate::db::assessment::undecided_veto_units(&mut c, &scheme).await?;
                drop(c);
                let names: std::collections::HashMap<String, String> = evaluated
                    .iter()
                    .map(|(u, _)| (u.code.clone(), u.name.clone()))
                    .collect();
                let outcomes: Vec<_> = evaluated.iter().map(|(_, o)| o.clone()).collect();
                let gaps = crate::domain::assessment::publish_gaps(&outcomes, &undecided);
                if !gaps.is_empty() && reason.is_empty() {
                    let named: Vec<String> = gaps
                        .iter()
                        .map(|g| {
                            names
                                .get(&g.unit)
                                .cloned()
                                .unwrap_or_else(|| g.unit.clone())
                        })
                        .collect();
                    return Err(AppError::Conflict(Problem::with(
                        "problem.publish_gaps",
                        &[
                            &gaps.len().to_string(),
                            &named.join(crate::components::detect_lang().sep()),
                        ],
                    )));
                }
                gaps.into_iter().map(|g| g.unit).collect::<Vec<_>>()
            } else {
                Vec::new()
            };
            let mut tx = st.db.write().await?;
            let done = if publish {
                crate::db::assessment::publish(&mut tx, &actor(&me), now, id, &reason, &gaps).await
            } else {
                let rule = |s: &crate::model::StoredScheme| {
                    propose_reopen(s.published, s.reopen.is_some(), &reason)
                        .map_err(AppError::Conflict)
                };
                crate::db::assessment::propose_reopen(&mut tx, &actor(&me), now, id, &reason, rule)
                    .await
            };
            done.map_err(server::no_such_scheme)?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Decides a request to reopen a published year: another scheme manager
/// confirms it (`decision` = "confirm", the year opens) or rejects it
/// ("reject"); the proposer may take it back ("withdraw"). Deciding one's
/// own request, or withdrawing another's, is refused.
#[server(endpoint = "decide_reopen")]
pub async fn decide_reopen(
    id: i64,
    decision: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use crate::domain::scheme::{self, ReopenDecision};
    use crate::domain::text_field;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            server::require_scheme_manager(&me)?;
            let decision = ReopenDecision::parse(&decision)
                .map_err(|p| AppError::invalid("field.decision", p))?;
            let note = match note.trim() {
                "" => String::new(),
                text => text_field(text, 1, 500).map_err(|p| AppError::invalid("field.note", p))?,
            };
            let me_id = me.account_id;
            let rule = |s: &crate::model::StoredScheme| {
                // A request made without an account is decided by any
                // other manager.
                let proposer = s.reopen.as_ref().map(|r| r.by_id.unwrap_or(-1));
                scheme::decide_reopen(s.published, proposer, me_id, decision).map_err(|p| {
                    if p.key == "problem.reopen_own_proposal" || p.key == "problem.reopen_not_yours"
                    {
                        AppError::Forbidden
                    } else {
                        AppError::Conflict(p)
                    }
                })
            };
            let st = state()?;
            let mut tx = st.db.write().await?;
            crate::db::assessment::decide_reopen(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                id,
                decision.action(),
                &note,
                rule,
            )
            .await
            .map_err(server::no_such_scheme)?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "scheme_results")]
pub async fn scheme_results(id: i64) -> Result<Results, AppError> {
    use crate::components::detect_lang;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewAssessment)?;
            let pool = &state()?.db.pool;
            let (mut results, evaluated) =
                server::results_and_outcomes(&state()?.db, &me, id, detect_lang()).await?;
            if me.may(Action::Assess) && !results.scheme.published {
                results.feed = Some(server::feed(pool, &me, &results.scheme, &evaluated).await?);
            }
            Ok(results)
        }
        .await,
    )
}

/// Marks a scheme's results seen by the caller: "since you last looked"
/// starts again from here.
#[server(endpoint = "mark_results_seen")]
pub async fn mark_results_seen(id: i64) -> Result<(), AppError> {
    use crate::db::assessment as store;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::Assess)?;
            let st = state()?;
            let scheme = server::scheme(&st.db.pool, id).await?;
            let evaluated = store::evaluate_scheme(&st.db, &scheme).await?;
            let totals = evaluated
                .iter()
                .filter(|(u, _)| me.may_at(Action::ViewAssessment, &u.path))
                .map(|(u, o)| (u.code.clone(), o.total))
                .collect();
            let mut tx = st.db.write().await?;
            let last = store::last_change(&mut tx, scheme.def.year as i64).await?;
            store::mark_seen(
                &mut tx,
                me.account_id,
                id,
                st.clock.now_secs(),
                last,
                &totals,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// One unit's sheet and explanation in a scheme.
#[server(endpoint = "unit_assessment")]
pub async fn load_unit_assessment(
    scheme_id: i64,
    unit_id: i64,
) -> Result<UnitAssessment, AppError> {
    use crate::components::detect_lang;
    use crate::db::assessment as store;
    use crate::domain::assessment::{Method, Points};
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewAssessment)?;
            let st = state()?;
            let pool = &st.db.pool;
            let lang = detect_lang();
            let scheme = server::scheme(pool, scheme_id).await?;
            let year = scheme.def.year as i64;
            let evaluated = store::evaluate_scheme(&st.db, &scheme).await?;
            let units_ranked = evaluated
                .iter()
                .filter(|(_, o)| !o.vetoed && !o.incomplete)
                .count();
            let (unit, outcome) = evaluated
                .iter()
                .find(|(u, _)| u.id == unit_id)
                .cloned()
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::ViewAssessment, &unit.path) {
                return Err(AppError::Forbidden);
            }
            // A published year reads what publishing froze; an open one
            // the records as they stand, with the records each computed
            // value counts and the unit's changes.
            let frozen = match (scheme.published, scheme.snapshot_id) {
                (true, Some(s)) => store::snapshot_detail(pool, s, unit_id).await?,
                _ => None,
            };
            let keys: Vec<&str> = scheme
                .def
                .scheme
                .indicators
                .iter()
                .filter(|i| matches!(i.method, Method::Ratio { .. }))
                .map(|i| i.metric_key())
                .collect();
            let detail = match frozen {
                Some(d) => d,
                None => {
                    let (today, _) = crate::api::ssr::today_and_now()?;
                    let mut c = pool.acquire().await?;
                    let evidence =
                        crate::db::evidence::of_unit(&mut c, year as i32, today, unit_id, &keys)
                            .await?;
                    crate::model::SnapshotDetail {
                        scores: store::scores(pool, scheme_id, Some(unit_id)).await?,
                        metrics: store::metrics(pool, year)
                            .await?
                            .into_iter()
                            .filter(|m| m.unit_id == unit_id)
                            .collect(),
                        events: store::events(pool, year, Some(unit_id)).await?,
                        bonuses: store::bonuses(pool, year, Some(unit_id)).await?,
                        vetoes: store::vetoes(pool, Some(year), Some(unit_id)).await?,
                        evidence,
                    }
                }
            };
            let changes = if scheme.published {
                Vec::new()
            } else {
                let mut c = pool.acquire().await?;
                store::unit_changes(&mut c, year, unit_id, 100).await?
            };
            let ratios = scheme
                .def
                .scheme
                .indicators
                .iter()
                .filter(|i| matches!(i.method, Method::Ratio { .. }))
                .filter_map(|i| {
                    detail
                        .metrics
                        .iter()
                        .find(|m| m.metric == i.metric_key())
                        .map(|m| (i.code.clone(), m.clone()))
                })
                .collect();
            // Category totals: the sum of indicator scores per category.
            let mut categories: Vec<(String, i64)> = Vec::new();
            for line in &outcome.lines {
                let ind = &scheme.def.scheme.indicators[line.indicator];
                let label = lang.t(&format!("category.{}", ind.category)).to_string();
                let score = line.score.map(|p| p.0).unwrap_or(0);
                match categories.iter_mut().find(|(c, _)| *c == label) {
                    Some((_, v)) => *v += score,
                    None => categories.push((label, score)),
                }
            }
            let (labels, values): (Vec<String>, Vec<i64>) = categories.into_iter().unzip();
            let category_svg = crate::charts::bar_chart_points(
                &format!("{} · {}", unit.name, lang.t("assessment.by_category")),
                &labels,
                &values,
            );
            // Year over year: this unit's totals in every scheme covering it.
            let mut trend: Vec<(String, Option<Points>)> = Vec::new();
            let mut summaries = store::list_schemes(pool).await?;
            summaries.sort_by_key(|s| s.year);
            for s in summaries
                .iter()
                .filter(|s| s.unit_kinds.contains(&unit.kind))
            {
                let total = if s.id == scheme.id {
                    outcome.total
                } else {
                    let other = server::scheme(pool, s.id).await?;
                    store::evaluate_scheme(&st.db, &other)
                        .await?
                        .iter()
                        .find(|(u, _)| u.id == unit_id)
                        .and_then(|(_, o)| o.total)
                };
                trend.push((s.year.to_string(), total));
            }
            let trend_svg = (trend.len() > 1).then(|| {
                crate::charts::trend_chart(
                    &format!("{} · {}", unit.name, lang.t("assessment.trend")),
                    &trend,
                )
            });
            Ok(UnitAssessment {
                may_score: me.may_at(Action::Assess, &unit.path) && !scheme.published,
                scores: detail.scores,
                events: detail.events,
                bonuses: detail.bonuses,
                vetoes: detail.vetoes,
                evidence: detail.evidence,
                changes,
                quota_places: scheme
                    .def
                    .scheme
                    .excellent_quota_percent
                    .map(|q| (units_ranked as i64 * q / 100) as u32),
                ratios,
                scheme,
                unit,
                outcome,
                units_ranked,
                category_svg,
                trend_svg,
            })
        }
        .await,
    )
}

/// The scheme and unit a sheet change is for, after the caller's checks.
#[cfg(feature = "ssr")]
async fn sheet_target(
    me: &crate::domain::authz::Principal,
    scheme_id: i64,
    unit_id: i64,
) -> Result<(crate::model::StoredScheme, Unit), AppError> {
    let st = ssr::state()?;
    let scheme = server::scheme(&st.db.pool, scheme_id).await?;
    let unit = server::unit_to_assess(&st.db.pool, me, unit_id).await?;
    if !scheme.def.unit_kinds.contains(&unit.kind) {
        return Err(AppError::invalid(
            "field.unit",
            crate::domain::Problem::with("problem.unit_not_in_scheme", &[&unit.code]),
        ));
    }
    Ok((scheme, unit))
}

/// Saves a unit's manual scores (blank clears one); returns how many
/// changed. Every value is checked before anything is written.
#[server(endpoint = "save_scores")]
pub async fn save_scores(
    scheme_id: i64,
    unit_id: i64,
    #[server(default)] scores: Vec<ScoreInput>,
) -> Result<usize, AppError> {
    use crate::domain::assessment::Method;
    use crate::domain::{Problem, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let (scheme, unit) = sheet_target(&me, scheme_id, unit_id).await?;
            let mut checked = Vec::new();
            for (row, s) in scores.iter().enumerate() {
                let field = |f: &str| format!("field.score_row:{}:{f}", row + 1);
                let ind = scheme
                    .def
                    .scheme
                    .indicators
                    .iter()
                    .find(|i| i.code == s.indicator && i.method == Method::Manual)
                    .ok_or_else(|| AppError::Invalid {
                        field: field("field.indicator"),
                        problem: Problem::with("problem.unknown_indicator", &[&s.indicator]),
                    })?;
                let points = crate::domain::assessment::manual_points(&s.points, ind.max).map_err(
                    |problem| AppError::Invalid {
                        field: field("field.points"),
                        problem,
                    },
                )?;
                let note = if s.note.trim().is_empty() {
                    String::new()
                } else {
                    text_field(&s.note, 1, 500).map_err(|problem| AppError::Invalid {
                        field: field("field.note"),
                        problem,
                    })?
                };
                checked.push((ind.code.clone(), points, note));
            }
            let st = state()?;
            let now = st.clock.now_secs();
            let mut tx = st.db.write().await?;
            crate::db::assessment::open_unit(&mut tx, scheme.def.year as i64, unit.id).await?;
            let mut changed = 0;
            for (indicator, points, note) in &checked {
                if crate::db::assessment::save_score(
                    &mut tx,
                    &actor(&me),
                    now,
                    (scheme.id, scheme.def.year as i64),
                    unit.id,
                    indicator,
                    *points,
                    note,
                )
                .await?
                {
                    changed += 1;
                }
            }
            tx.commit().await?;
            Ok(changed)
        }
        .await,
    )
}

/// The district's current year by the server's clock.
#[cfg(feature = "ssr")]
fn current_year() -> Result<i64, AppError> {
    use chrono::Datelike;
    Ok(date_or_today("", "")?.year() as i64)
}

/// The local date a form gave, or today when blank.
#[cfg(feature = "ssr")]
fn date_or_today(raw: &str, field: &str) -> Result<chrono::NaiveDate, AppError> {
    use crate::domain::iso_date;
    if raw.trim().is_empty() {
        return Ok(ssr::state()?.clock.today_and_now()?.0);
    }
    iso_date(raw).map_err(|p| AppError::invalid(field, p))
}

/// Records an event (late report, absence from the duty post, ...) against
/// a unit's year.
#[server(endpoint = "add_event")]
pub async fn add_event(
    scheme_id: i64,
    unit_id: i64,
    event: String,
    #[server(default)] count: String,
    #[server(default)] occurred_on: String,
    #[server(default)] description: String,
) -> Result<i64, AppError> {
    use crate::db::assessment::{self as store, NewEvent};
    use crate::domain::{Problem, code_field, text_field};
    use chrono::Datelike;
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let (scheme, unit) = sheet_target(&me, scheme_id, unit_id).await?;
            let event = code_field(&event).map_err(|p| AppError::invalid("field.event", p))?;
            let count = match count.trim() {
                "" => 1,
                c => c
                    .parse::<i64>()
                    .ok()
                    .filter(|c| (1..=crate::domain::assessment::MAX_EVENT_COUNT).contains(c))
                    .ok_or_else(|| {
                        AppError::invalid(
                            "field.count",
                            Problem::with(
                                "problem.between",
                                &["1", &crate::domain::assessment::MAX_EVENT_COUNT.to_string()],
                            ),
                        )
                    })?,
            };
            let day = date_or_today(&occurred_on, "field.occurred_on")?;
            if day.year() != scheme.def.year {
                return Err(AppError::invalid(
                    "field.occurred_on",
                    Problem::with("problem.not_in_year", &[&scheme.def.year.to_string()]),
                ));
            }
            let description = text_field(&description, 2, 500)
                .map_err(|p| AppError::invalid("field.description", p))?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let id = store::add_event(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                &NewEvent {
                    year: scheme.def.year as i64,
                    unit_id: unit.id,
                    event,
                    count,
                    occurred_on: day.to_string(),
                    description,
                    incident_id: None,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "remove_event")]
pub async fn remove_event(id: i64) -> Result<(), AppError> {
    use crate::db::assessment as store;
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let st = state()?;
            let unit_id = store::event_unit(&st.db.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            server::unit_to_assess(&st.db.pool, &me, unit_id).await?;
            let mut tx = st.db.write().await?;
            store::remove_event(&mut tx, &actor(&me), st.clock.now_secs(), id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "add_bonus")]
pub async fn add_bonus(
    scheme_id: i64,
    unit_id: i64,
    points: String,
    reason: String,
) -> Result<i64, AppError> {
    use crate::domain::assessment::Points;
    use crate::domain::{Problem, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let (scheme, unit) = sheet_target(&me, scheme_id, unit_id).await?;
            let points = match Points::parse(&points) {
                Some(p) if p > Points::ZERO && p <= crate::domain::assessment::MAX_ITEM_POINTS => p,
                _ => {
                    return Err(AppError::invalid(
                        "field.points",
                        Problem::with(
                            "problem.between",
                            &[
                                "0.1",
                                &crate::domain::assessment::MAX_ITEM_POINTS.to_string(),
                            ],
                        ),
                    ));
                }
            };
            let reason =
                text_field(&reason, 2, 200).map_err(|p| AppError::invalid("field.reason", p))?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let id = crate::db::assessment::add_bonus(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                scheme.def.year as i64,
                unit.id,
                points,
                &reason,
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "remove_bonus")]
pub async fn remove_bonus(id: i64) -> Result<(), AppError> {
    use crate::db::assessment as store;
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let st = state()?;
            let unit_id = store::bonus_unit(&st.db.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            server::unit_to_assess(&st.db.pool, &me, unit_id).await?;
            let mut tx = st.db.write().await?;
            store::remove_bonus(&mut tx, &actor(&me), st.clock.now_secs(), id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Proposes a veto for a unit's year, with reason and evidence.
#[server(endpoint = "propose_veto")]
pub async fn propose_veto(
    scheme_id: i64,
    unit_id: i64,
    reason: String,
    evidence: String,
) -> Result<i64, AppError> {
    use crate::domain::text_field;
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let (scheme, unit) = sheet_target(&me, scheme_id, unit_id).await?;
            let reason =
                text_field(&reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?;
            let evidence = text_field(&evidence, 2, 2000)
                .map_err(|p| AppError::invalid("field.evidence", p))?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let id = crate::db::assessment::propose_veto(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                scheme.def.year as i64,
                unit.id,
                &reason,
                &evidence,
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// A second assessor confirms (`decision` = "confirm") or rejects a
/// proposed veto; the proposer is refused. Revoking a confirmed veto takes
/// two assessors too: one asks with a reason (`decision` = "revoke"), and
/// another confirms ("confirm_revoke") or rejects ("reject_revoke") the
/// request; the veto counts until then, and its proposer is refused.
#[server(endpoint = "decide_veto")]
pub async fn decide_veto(
    id: i64,
    decision: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use crate::db::assessment::{self as store, Revocation};
    use crate::domain::authz::Action;
    use crate::domain::veto::{decide, decide_revocation, propose_revocation};
    use crate::domain::{Problem, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::Assess)?;
            let st = state()?;
            let veto = store::get_veto(&st.db.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            server::unit_to_assess(&st.db.pool, &me, veto.unit_id).await?;
            let note = match (decision.as_str(), note.trim()) {
                ("revoke", reason) => {
                    text_field(reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?
                }
                (_, "") => String::new(),
                (_, text) => {
                    text_field(text, 1, 500).map_err(|p| AppError::invalid("field.note", p))?
                }
            };
            let me_id = me.account_id;
            // Deciding one's own proposal is refused as not allowed; every
            // other broken rule is a conflict with the veto's state.
            let refuse = |p: Problem| {
                if p.key == "problem.veto_own_proposal"
                    || p.key == "problem.revocation_own_proposal"
                {
                    AppError::Forbidden
                } else {
                    AppError::Conflict(p)
                }
            };
            let now = st.clock.now_secs();
            let mut tx = st.db.write().await?;
            // Each rule runs on the veto as read inside the transaction.
            match decision.as_str() {
                "confirm" | "reject" => {
                    let rule = |v: &crate::model::VetoRow| {
                        decide(
                            v.status,
                            v.proposed_by_id.unwrap_or(-1),
                            me_id,
                            decision == "confirm",
                        )
                        .map_err(refuse)
                    };
                    store::change_veto(&mut tx, &actor(&me), now, id, rule, &note).await?;
                }
                "revoke" => {
                    let rule = |v: &crate::model::VetoRow| {
                        propose_revocation(v.status, v.revoke_proposed_by.is_some(), &note)
                            .map_err(refuse)
                    };
                    store::revocation(
                        &mut tx,
                        &actor(&me),
                        now,
                        id,
                        Revocation::Propose,
                        rule,
                        &note,
                    )
                    .await?;
                }
                "confirm_revoke" | "reject_revoke" => {
                    let confirm = decision == "confirm_revoke";
                    let rule = |v: &crate::model::VetoRow| {
                        // A request someone made without an account is
                        // decided by anyone signed in.
                        let proposer = v
                            .revoke_proposed_by
                            .as_ref()
                            .map(|_| v.revoke_proposed_by_id.unwrap_or(-1));
                        decide_revocation(v.status, proposer, me_id, confirm)
                            .map(|_| ())
                            .map_err(refuse)
                    };
                    let step = if confirm {
                        Revocation::Confirm
                    } else {
                        Revocation::Reject
                    };
                    store::revocation(&mut tx, &actor(&me), now, id, step, rule, &note).await?;
                }
                other => {
                    return Err(AppError::Conflict(Problem::with(
                        "problem.unknown_value",
                        &[other],
                    )));
                }
            }
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Vetoes of a year (all years when 0), for the review list.
#[server(endpoint = "list_vetoes")]
pub async fn list_vetoes(#[server(default)] year: i64) -> Result<Vec<VetoRow>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewAssessment)?;
            let pool = &state()?.db.pool;
            let all = crate::db::assessment::vetoes(pool, (year > 0).then_some(year), None).await?;
            let mut list =
                server::within_reach(pool, &me, Action::ViewAssessment, all, |v| v.unit_id).await?;
            // A published year decides nothing: its buttons are not shown.
            let published: Vec<(i64, Vec<crate::domain::unit::UnitKind>)> =
                crate::db::assessment::list_schemes(pool)
                    .await?
                    .into_iter()
                    .filter(|s| s.published)
                    .map(|s| (s.year, s.unit_kinds))
                    .collect();
            let kinds: std::collections::HashMap<i64, crate::domain::unit::UnitKind> =
                crate::db::units::list(pool, &Default::default())
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u.kind))
                    .collect();
            for v in &mut list {
                v.locked = kinds.get(&v.unit_id).is_some_and(|k| {
                    published
                        .iter()
                        .any(|(y, ks)| *y == v.year && ks.contains(k))
                });
            }
            Ok(list)
        }
        .await,
    )
}

/// Local `YYYY-MM-DDTHH:MM` (a datetime-local input) as Unix seconds.
#[cfg(feature = "ssr")]
fn local_instant(raw: &str, field: &str) -> Result<i64, AppError> {
    use crate::domain::{LOCAL_OFFSET_SECS, Problem};
    let raw = raw.trim();
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .map(|t| t.and_utc().timestamp() - LOCAL_OFFSET_SECS)
        .map_err(|_| AppError::invalid(field, Problem::new("problem.bad_datetime")))
}

/// Logs an incident report. When the year's scheme for the unit's kind
/// sets a deadline for the level and the first report came later, a
/// `late_report` event is recorded for the unit in the same transaction.
#[server(endpoint = "log_incident")]
pub async fn log_incident(
    unit_id: i64,
    level: String,
    title: String,
    occurred_at: String,
    reported_at: String,
    reported_by: String,
) -> Result<i64, AppError> {
    use crate::db::assessment::{self as store, NewEvent, NewIncident};
    use crate::domain::authz::Action;
    use crate::domain::incident::{Level, check_times, is_late, report_delay_minutes};
    use crate::domain::{local_date, local_time, text_field};
    use chrono::Datelike;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::LogIncidents)?;
            let st = state()?;
            let unit = crate::db::units::get(&st.db.pool, unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::LogIncidents, &unit.path) {
                return Err(AppError::Forbidden);
            }
            let level = Level::parse(&level).map_err(|p| AppError::invalid("field.level", p))?;
            let title =
                text_field(&title, 2, 200).map_err(|p| AppError::invalid("field.title", p))?;
            let occurred = local_instant(&occurred_at, "field.occurred_at")?;
            let reported = local_instant(&reported_at, "field.reported_at")?;
            check_times(occurred, reported)
                .map_err(|p| AppError::invalid("field.reported_at", p))?;
            let reported_by = text_field(&reported_by, 1, 80)
                .map_err(|p| AppError::invalid("field.reported_by", p))?;
            let local_day = local_date(occurred).ok_or(AppError::Internal)?;
            let year = local_day.year() as i64;
            let now = st.clock.now_secs();
            let mut tx = st.db.write().await?;
            store::open_unit(&mut tx, year, unit_id).await?;
            let id = store::create_incident(
                &mut tx,
                &actor(&me),
                now,
                &NewIncident {
                    unit_id,
                    level,
                    title: title.clone(),
                    occurred_at: occurred,
                    reported_at: reported,
                    reported_by,
                },
            )
            .await?;
            if let Some(scheme) = store::scheme_for(&mut *tx, year, unit.kind).await?
                && is_late(occurred, reported, scheme.def.deadline(level))
            {
                store::add_event(
                    &mut tx,
                    &actor(&me),
                    now,
                    &NewEvent {
                        year,
                        unit_id,
                        event: "late_report".into(),
                        count: 1,
                        occurred_on: local_day.to_string(),
                        description: format!(
                            "{title}({} → {},{} min > {} min)",
                            local_time(occurred),
                            local_time(reported),
                            report_delay_minutes(occurred, reported),
                            scheme.def.deadline(level)
                        ),
                        incident_id: Some(id),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// An assessor marks an incident's report false, concealed or omitted; the
/// event counts in the year it is found.
#[server(endpoint = "mark_finding")]
pub async fn mark_finding(
    incident_id: i64,
    finding: String,
    #[server(default)] found_on: String,
    #[server(default)] description: String,
) -> Result<i64, AppError> {
    use crate::db::assessment::{self as store, NewEvent};
    use crate::domain::incident::Finding;
    use crate::domain::text_field;
    use chrono::Datelike;
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let st = state()?;
            let incident = store::get_incident(&st.db.pool, incident_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let unit = server::unit_to_assess(&st.db.pool, &me, incident.unit_id).await?;
            let finding =
                Finding::parse(&finding).map_err(|p| AppError::invalid("field.finding", p))?;
            let day = date_or_today(&found_on, "field.found_on")?;
            let happened =
                crate::domain::local_date(incident.occurred_at).ok_or(AppError::Internal)?;
            if day < happened {
                return Err(AppError::invalid(
                    "field.found_on",
                    crate::domain::Problem::new("problem.found_before_incident"),
                ));
            }
            let already = store::events(&st.db.pool, day.year() as i64, Some(unit.id))
                .await?
                .into_iter()
                .chain(store::events(&st.db.pool, happened.year() as i64, Some(unit.id)).await?)
                .any(|e| e.incident_id == Some(incident_id) && e.event == finding.event());
            if already {
                return Err(AppError::Conflict(crate::domain::Problem::new(
                    "problem.finding_recorded",
                )));
            }
            let description = if description.trim().is_empty() {
                incident.title.clone()
            } else {
                text_field(&description, 2, 500)
                    .map_err(|p| AppError::invalid("field.description", p))?
            };
            let mut tx = st.db.write().await?;
            let id = store::add_event(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                &NewEvent {
                    year: day.year() as i64,
                    unit_id: unit.id,
                    event: finding.event().into(),
                    count: 1,
                    occurred_on: day.to_string(),
                    description,
                    incident_id: Some(incident_id),
                },
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Incidents that happened in a year (local time).
#[server(endpoint = "list_incidents")]
pub async fn list_incidents(#[server(default)] year: i64) -> Result<Vec<IncidentRow>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::LogIncidents)?;
            let year = if year > 0 { year } else { current_year()? };
            let start = |y: i64| {
                chrono::NaiveDate::from_ymd_opt(y as i32, 1, 1)
                    .map(crate::domain::local_day_start)
                    .unwrap_or(0)
            };
            let pool = &state()?.db.pool;
            let all = crate::db::assessment::incidents(pool, start(year), start(year + 1)).await?;
            server::within_reach(pool, &me, Action::LogIncidents, all, |i| i.unit_id).await
        }
        .await,
    )
}

/// The metric table of a year.
#[server(endpoint = "metric_table")]
pub async fn load_metric_table(#[server(default)] year: i64) -> Result<MetricTable, AppError> {
    use crate::db::assessment as store;
    use crate::domain::assessment::Method;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewAssessment)?;
            let year = if year > 0 { year } else { current_year()? };
            let pool = &state()?.db.pool;
            let mut units = Vec::new();
            let mut metrics: Vec<String> = Vec::new();
            for s in store::list_schemes(pool)
                .await?
                .into_iter()
                .filter(|s| s.year == year)
            {
                let scheme = server::scheme(pool, s.id).await?;
                for i in &scheme.def.scheme.indicators {
                    if matches!(i.method, Method::Ratio { .. })
                        && !metrics.iter().any(|m| m == i.metric_key())
                    {
                        metrics.push(i.metric_key().to_string());
                    }
                }
                for kind in &scheme.def.unit_kinds {
                    units.extend(
                        crate::db::units::list(
                            pool,
                            &crate::db::units::UnitFilter {
                                kind: Some(*kind),
                                ..Default::default()
                            },
                        )
                        .await?,
                    );
                }
            }
            units.sort_by(|a, b| a.path.cmp(&b.path));
            units.retain(|u| me.may_at(Action::ViewAssessment, &u.path));
            // Values of the units within reach only, as the units listed.
            let values =
                store::metrics_within(pool, year, &me.reach(Action::ViewAssessment)).await?;
            Ok(MetricTable {
                year,
                units,
                metrics,
                values,
            })
        }
        .await,
    )
}

/// Enters one metric value (numerator of denominator) for a unit's year.
/// For a metric the platform computes this is an override, and needs a
/// reason; it stands until removed, later syncs keeping the computed value
/// beside it.
#[server(endpoint = "save_metric")]
pub async fn save_metric(
    year: i64,
    unit_id: i64,
    metric: String,
    numerator: String,
    denominator: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::domain::{Problem, code_field, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let st = state()?;
            server::unit_to_assess(&st.db.pool, &me, unit_id).await?;
            if !(2000..=2100).contains(&year) {
                return Err(AppError::invalid(
                    "field.year",
                    Problem::new("problem.bad_year"),
                ));
            }
            let metric = code_field(&metric).map_err(|p| AppError::invalid("field.metric", p))?;
            let whole = |raw: &str, field: &str| {
                raw.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (0..=crate::domain::assessment::MAX_RATIO_TERM).contains(n))
                    .ok_or_else(|| {
                        AppError::invalid(
                            field,
                            Problem::with(
                                "problem.between",
                                &["0", &crate::domain::assessment::MAX_RATIO_TERM.to_string()],
                            ),
                        )
                    })
            };
            let n = whole(&numerator, "field.numerator")?;
            let d = whole(&denominator, "field.denominator")?;
            let reason = match reason.trim() {
                "" if crate::domain::evidence::is_computed(&metric) => {
                    return Err(AppError::invalid(
                        "field.reason",
                        Problem::new("problem.override_needs_reason"),
                    ));
                }
                "" => String::new(),
                text => {
                    text_field(text, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?
                }
            };
            let mut tx = st.db.write().await?;
            crate::db::assessment::open_unit(&mut tx, year, unit_id).await?;
            crate::db::assessment::save_metric(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                &crate::db::assessment::EnteredMetric {
                    year,
                    unit_id,
                    metric: &metric,
                    numerator: n,
                    denominator: d,
                    reason: &reason,
                    source: "form",
                },
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Takes an assessor's override of a computed metric back: the computed
/// value counts again.
#[server(endpoint = "remove_metric_override")]
pub async fn remove_metric_override(
    year: i64,
    unit_id: i64,
    metric: String,
) -> Result<(), AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require_may(crate::domain::authz::Action::Assess)?;
            let st = state()?;
            server::unit_to_assess(&st.db.pool, &me, unit_id).await?;
            let mut tx = st.db.write().await?;
            crate::db::assessment::open_unit(&mut tx, year, unit_id).await?;
            crate::db::assessment::remove_override(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                year,
                unit_id,
                &metric,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
