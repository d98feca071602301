//! Results: the evaluation of a scheme (kept until the data moves), the
//! ranking as the caller may see it with what changed since they last
//! looked, one unit's sheet with its explanation, the exports' table, and
//! the evidence publishing freezes.

use super::super::dto::{
    ChangeFeed, FeedUnit, ResultRow, Results, SnapshotDetail, StoredScheme, UnitAssessment,
};
use super::super::store::{
    bonuses, changes, events, metrics, schemes, scores, sheets, snapshots, vetoes,
};
use super::scheme;
use crate::domain::assessment::{self as rules, Method, Outcome, Points, Sheet, listing_order};
use crate::domain::authz::{Action, Principal};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::model::Unit;
use crate::platform::db::Db;
use crate::platform::{Ctx, Write};
use std::collections::HashMap;
use std::sync::Arc;

/// The evaluation a caller's footing reads.
pub(super) async fn evaluate(
    cx: &Ctx,
    scheme: &StoredScheme,
) -> Result<Arc<Vec<(Unit, Outcome)>>, AppError> {
    evaluate_scheme(&cx.st.db, scheme).await
}

/// A scheme's units with their outcomes: a published year's from the
/// evidence frozen at publication, an open year's from the stored records.
///
/// Kept until the data moves (`platform::memo`): the ranking, the unit
/// pages' year-over-year trend, the exports and the publication check read
/// one evaluation per version of the data. The key holds the scheme as the
/// caller read it, so that a scheme changed between that read and the
/// version's is not kept under the newer version.
pub async fn evaluate_scheme(
    db: &Db,
    scheme: &StoredScheme,
) -> Result<Arc<Vec<(Unit, Outcome)>>, AppError> {
    use std::hash::{Hash, Hasher};
    let mut fingerprint = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(scheme)
        .map_err(|_| AppError::Internal)?
        .hash(&mut fingerprint);
    let key = format!("evaluate_scheme:{}:{:x}", scheme.id, fingerprint.finish());
    db.memo
        .get_or(&db.pool, key, async || {
            let mut c = db.pool.acquire().await?;
            let sheets = match (scheme.published, scheme.snapshot_id) {
                (true, Some(snapshot)) => snapshots::sheets(&mut c, snapshot).await?,
                _ => sheets::live(&mut c, scheme).await?,
            };
            drop(c);
            let (units, sheets): (Vec<Unit>, Vec<Sheet>) = sheets.into_iter().unzip();
            let outcomes = rules::evaluate(&scheme.def.scheme, &sheets);
            Ok(units.into_iter().zip(outcomes).collect())
        })
        .await
}

/// The ranking of a scheme, in listing order, with the distribution chart,
/// as the caller may see it: a published ranking whole (it is public to
/// everyone who sees the assessment); an unpublished one only for the
/// units within the caller's reach (the ranks are still among all units,
/// as they will be published). The page and both exports read this.
pub async fn results(db: &Db, me: &Principal, id: i64, lang: Lang) -> Result<Results, AppError> {
    results_and_outcomes(db, me, id, lang).await.map(|(r, _)| r)
}

/// `results`, and every unit's full outcome (the feed and the export read
/// them; evaluating once serves both).
pub async fn results_and_outcomes(
    db: &Db,
    me: &Principal,
    id: i64,
    lang: Lang,
) -> Result<(Results, Arc<Vec<(Unit, Outcome)>>), AppError> {
    let pool = &db.pool;
    let scheme = scheme(pool, id).await?;
    let all = evaluate_scheme(db, &scheme).await?;
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
    let units: HashMap<&str, &Unit> = all
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
        let undecided = vetoes::undecided_units(&mut *pool.acquire().await?, &scheme).await?;
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
    let quota_places = scheme
        .def
        .scheme
        .excellent_quota_percent
        .map(|q| (ranked as i64 * q / 100) as u32);
    Ok((
        Results {
            feed: None,
            gaps,
            quota_places,
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

/// The ranking page: the results, and for an assessor of an open year what
/// moved since they last looked.
pub async fn scheme_results(cx: &Ctx, id: i64, lang: Lang) -> Result<Results, AppError> {
    cx.may(Action::ViewAssessment)?;
    let (mut results, evaluated) = results_and_outcomes(&cx.st.db, &cx.me, id, lang).await?;
    if cx.me.may(Action::Assess) && !results.scheme.published {
        results.feed = Some(feed(cx, &results.scheme, &evaluated).await?);
    }
    Ok(results)
}

/// The most changes "since you last looked" lists.
pub const FEED_LIMIT: usize = 300;

/// What moved in a scheme's open year since the caller last marked its
/// results seen: the units (within their reach) whose totals changed or
/// that have changes, each with its changes. Before the first mark, the
/// year's changes from the start, with no totals to compare.
async fn feed(
    cx: &Ctx,
    scheme: &StoredScheme,
    evaluated: &[(Unit, Outcome)],
) -> Result<ChangeFeed, AppError> {
    use crate::domain::evidence::moved_totals;
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let seen = changes::seen(&mut c, me.account_id, scheme.id).await?;
    let (after_id, seen_at, totals) = match seen {
        Some((last, at, totals)) => (last, Some(at), totals),
        None => (0, None, HashMap::new()),
    };
    let mut list = changes::after(
        &mut c,
        scheme.def.year.into(),
        after_id,
        FEED_LIMIT as i64 + 1,
    )
    .await?;
    drop(c);
    let truncated = list.len() > FEED_LIMIT;
    list.truncate(FEED_LIMIT);
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
        let mine: Vec<_> = list.iter().filter(|c| c.unit_id == u.id).cloned().collect();
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

/// Marks a scheme's results seen by the caller: "since you last looked"
/// starts again from here.
pub async fn mark_results_seen(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let scheme = scheme(cx.pool(), id).await?;
    let evaluated = evaluate(cx, &scheme).await?;
    let totals = evaluated
        .iter()
        .filter(|(u, _)| cx.me.may_at(Action::ViewAssessment, &u.path))
        .map(|(u, o)| (u.code.clone(), o.total))
        .collect();
    let mut w = cx.write().await?;
    let last = changes::last(w.conn(), scheme.def.year.into()).await?;
    changes::mark_seen(w.conn(), (cx.me.account_id, id), cx.now, last, &totals).await?;
    w.commit().await?;
    Ok(())
}

/// The ratio indicators' metric keys of a scheme.
fn ratio_keys(scheme: &StoredScheme) -> Vec<&str> {
    scheme
        .def
        .scheme
        .indicators
        .iter()
        .filter(|i| matches!(i.method, Method::Ratio { .. }))
        .map(|i| i.metric_key())
        .collect()
}

/// One unit's sheet and explanation in a scheme: a published year reads
/// what publishing froze; an open one the records as they stand, with the
/// records each computed value counts and the unit's changes.
pub async fn unit_assessment(
    cx: &Ctx,
    scheme_id: i64,
    unit_id: i64,
    lang: Lang,
) -> Result<UnitAssessment, AppError> {
    cx.may(Action::ViewAssessment)?;
    let pool = cx.pool();
    let scheme = scheme(pool, scheme_id).await?;
    let year = i64::from(scheme.def.year);
    let evaluated = evaluate(cx, &scheme).await?;
    let units_ranked = evaluated
        .iter()
        .filter(|(_, o)| !o.vetoed && !o.incomplete)
        .count();
    let (unit, outcome) = evaluated
        .iter()
        .find(|(u, _)| u.id == unit_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::ViewAssessment, &unit.path) {
        return Err(AppError::Forbidden);
    }
    let frozen = match (scheme.published, scheme.snapshot_id) {
        (true, Some(s)) => snapshots::detail(pool, s, unit_id).await?,
        _ => None,
    };
    let keys = ratio_keys(&scheme);
    let detail = match frozen {
        Some(d) => d,
        None => {
            let mut c = pool.acquire().await?;
            let evidence =
                super::evidence::of_unit(&mut c, scheme.def.year, cx.today, unit_id, &keys).await?;
            drop(c);
            SnapshotDetail {
                scores: scores::of_scheme(pool, scheme_id, Some(unit_id)).await?,
                metrics: metrics::of_year(pool, year)
                    .await?
                    .into_iter()
                    .filter(|m| m.unit_id == unit_id)
                    .collect(),
                events: events::of_year(pool, year, Some(unit_id)).await?,
                bonuses: bonuses::of_year(pool, year, Some(unit_id)).await?,
                vetoes: vetoes::list(pool, Some(year), Some(unit_id)).await?,
                evidence,
            }
        }
    };
    let changes = if scheme.published {
        Vec::new()
    } else {
        changes::of_unit(&mut *pool.acquire().await?, year, unit_id, 100).await?
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
    let mut summaries = schemes::list(pool).await?;
    summaries.sort_by_key(|s| s.year);
    for s in summaries
        .iter()
        .filter(|s| s.unit_kinds.contains(&unit.kind))
    {
        let total = if s.id == scheme.id {
            outcome.total
        } else {
            let other = super::scheme(pool, s.id).await?;
            evaluate(cx, &other)
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
        may_score: cx.me.may_at(Action::Assess, &unit.path) && !scheme.published,
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
    let outcomes: HashMap<&str, &Outcome> = all.iter().map(|(u, o)| (u.code.as_str(), o)).collect();
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

/// Freezes what a scheme's results read now: every unit's sheet and the
/// detail its explanation shows (scores, metric values with where they
/// came from and the records they counted, events, bonuses, vetoes), and
/// points the scheme at it. Called by publishing, in its transaction.
pub(super) async fn take_snapshot(
    w: &mut Write<'_>,
    scheme: &StoredScheme,
) -> Result<i64, AppError> {
    let year = i64::from(scheme.def.year);
    let sheets = sheets::live(w.conn(), scheme).await?;
    let mut details: HashMap<i64, SnapshotDetail> = HashMap::new();
    for s in scores::of_scheme(w.conn(), scheme.id, None).await? {
        details.entry(s.unit_id).or_default().scores.push(s);
    }
    for m in metrics::of_year(w.conn(), year).await? {
        details.entry(m.unit_id).or_default().metrics.push(m);
    }
    for e in events::of_year(w.conn(), year, None).await? {
        details.entry(e.unit_id).or_default().events.push(e);
    }
    for b in bonuses::of_year(w.conn(), year, None).await? {
        details.entry(b.unit_id).or_default().bonuses.push(b);
    }
    for v in vetoes::list(w.conn(), Some(year), None).await? {
        details.entry(v.unit_id).or_default().vetoes.push(v);
    }
    let today = crate::platform::today_at(w.at)?;
    let mut evidence = super::evidence::all(w.conn(), scheme.def.year, today).await?;
    let id = snapshots::create(w, scheme.id).await?;
    let keys = ratio_keys(scheme);
    for (unit, sheet) in &sheets {
        let mut detail = details.remove(&unit.id).unwrap_or_default();
        detail.metrics.retain(|m| keys.contains(&m.metric.as_str()));
        for key in &keys {
            if let Some(list) = evidence.remove(&(unit.id, key.to_string())) {
                detail.evidence.push((key.to_string(), list));
            }
        }
        snapshots::add_unit(w, id, unit, sheet, &detail).await?;
    }
    schemes::set_snapshot(w, scheme.id, id).await?;
    Ok(id)
}

/// Published schemes from before publishing froze its evidence get their
/// snapshot now, taken from the records as they stand; run once at
/// start-up. Returns how many.
pub async fn backfill_snapshots(db: &Db, now: i64) -> Result<usize, AppError> {
    let mut w = Write::begin(db, crate::platform::Actor::system("snapshot-backfill"), now).await?;
    let ids = schemes::published_without_snapshot(w.conn()).await?;
    for id in &ids {
        if let Some(scheme) = schemes::get(w.conn(), *id).await? {
            take_snapshot(&mut w, &scheme).await?;
        }
    }
    w.commit().await?;
    Ok(ids.len())
}
