//! The duty-aware rotation scheduler (分批次轮训): places trainees into the
//! batches of a plan so that no batch exceeds its capacity, nobody sits in a
//! batch that meets one of their unavailable days, and no batch takes so
//! many people of one unit that fewer than its `min_on_duty` of its `staff`
//! stay at post (at most `staff − min_on_duty` per unit per batch).
//!
//! It places as many trainees as any assignment could: a maximum flow
//! source → trainee group → (unit, batch) → batch → sink, where trainees of
//! one unit who can attend the same batches form one group. The result is
//! deterministic (inputs are taken in their order, batches by start date),
//! and every trainee left out gets a reason a person understands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub code: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub capacity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: String,
    pub staff: i64,
    pub min_on_duty: i64,
}

impl Unit {
    /// How many may be away in one batch.
    pub fn max_away(&self) -> i64 {
        (self.staff - self.min_on_duty).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trainee {
    pub id: String,
    pub unit: String,
    /// Inclusive date ranges.
    pub unavailable: Vec<(NaiveDate, NaiveDate)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub batches: Vec<Batch>,
    pub units: Vec<Unit>,
    pub trainees: Vec<Trainee>,
}

/// Why a trainee was not placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Every batch meets one of their unavailable days.
    NoBatchFits,
    /// Their unit cannot spare anyone: staff equals the minimum on duty.
    UnitCannotSpare {
        unit: String,
        staff: i64,
        min_on_duty: i64,
    },
    /// The batches they could attend are full.
    BatchesFull { batches: Vec<String> },
    /// In the batches they could attend, their unit already has as many
    /// away as it can spare.
    DutyLimit {
        unit: String,
        max_away: i64,
        batches: Vec<String>,
    },
    /// Some of those batches are full and in the others their unit has
    /// reached what it can spare.
    FullOrDutyLimit {
        unit: String,
        full: Vec<String>,
        duty: Vec<String>,
    },
}

impl Reason {
    /// The reason in one language, as the roster page says it.
    pub fn say(&self, lang: crate::i18n::Lang) -> String {
        match self {
            Reason::NoBatchFits => lang.t("unplaced.no_batch_fits").to_string(),
            Reason::UnitCannotSpare {
                unit,
                staff,
                min_on_duty,
            } => lang.tf(
                "unplaced.unit_cannot_spare",
                &[unit, &staff.to_string(), &min_on_duty.to_string()],
            ),
            Reason::BatchesFull { batches } => {
                lang.tf("unplaced.batches_full", &[&lang.list(batches)])
            }
            Reason::DutyLimit {
                unit,
                max_away,
                batches,
            } => lang.tf(
                "unplaced.duty_limit",
                &[&lang.list(batches), unit, &max_away.to_string()],
            ),
            Reason::FullOrDutyLimit { unit, full, duty } => lang.tf(
                "unplaced.full_or_duty_limit",
                &[&lang.list(full), &lang.list(duty), unit],
            ),
        }
    }

    /// A reason as stored (JSON of `Reason`) in one language; rows from
    /// before that kept both languages in one text, of which the page's
    /// half is shown.
    pub fn say_stored(stored: &str, lang: crate::i18n::Lang) -> String {
        match serde_json::from_str::<Reason>(stored) {
            Ok(r) => r.say(lang),
            Err(_) => match (stored.split_once(" / "), lang) {
                (Some((zh, _)), crate::i18n::Lang::Zh) => zh.to_string(),
                (Some((_, en)), crate::i18n::Lang::En) => en.to_string(),
                (None, _) => stored.to_string(),
            },
        }
    }

    /// The reason in words, Chinese first (the `schedule` command's
    /// output, read by people of either language).
    pub fn text(&self) -> String {
        match self {
            Reason::NoBatchFits => {
                "每个批次都与其不可参训日期冲突 / every batch falls on days they are unavailable"
                    .to_string()
            }
            Reason::UnitCannotSpare {
                unit,
                staff,
                min_on_duty,
            } => format!(
                "{unit} 共 {staff} 人,值班至少需 {min_on_duty} 人在岗,无人可离岗参训 / {unit} has {staff} staff and needs {min_on_duty} on duty, so nobody can be away"
            ),
            Reason::BatchesFull { batches } => format!(
                "可参加的批次({})已满 / the batches they can attend ({}) are full",
                batches.join("、"),
                batches.join(", ")
            ),
            Reason::DutyLimit {
                unit,
                max_away,
                batches,
            } => format!(
                "在可参加的批次({})中,{unit} 已有 {max_away} 人离岗参训,再多值班人数将不足 / in the batches they can attend ({}), {unit} already has {max_away} away, the most it can spare",
                batches.join("、"),
                batches.join(", ")
            ),
            Reason::FullOrDutyLimit { unit, full, duty } => format!(
                "批次 {} 已满,批次 {} 中 {unit} 已达可离岗人数上限 / batches {} are full and in {} {unit} can spare nobody more",
                full.join("、"),
                duty.join("、"),
                full.join(", "),
                duty.join(", ")
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roster {
    /// (trainee index, batch index), in trainee order.
    pub assignments: Vec<(usize, usize)>,
    /// (trainee index, reason), in trainee order.
    pub unassigned: Vec<(usize, Reason)>,
}

/// Does an inclusive range meet a batch's days?
fn meets(range: (NaiveDate, NaiveDate), b: &Batch) -> bool {
    range.0 <= b.end && b.start <= range.1
}

/// A maximum-flow network (Dinic's algorithm) over integer capacities.
struct Flow {
    head: Vec<Vec<usize>>,
    to: Vec<usize>,
    cap: Vec<i64>,
}

impl Flow {
    fn new(nodes: usize) -> Flow {
        Flow {
            head: vec![Vec::new(); nodes],
            to: Vec::new(),
            cap: Vec::new(),
        }
    }

    /// Adds an edge and its reverse; returns the edge's index (its reverse
    /// is the index + 1).
    fn edge(&mut self, from: usize, to: usize, cap: i64) -> usize {
        let e = self.to.len();
        self.head[from].push(e);
        self.to.push(to);
        self.cap.push(cap);
        self.head[to].push(e + 1);
        self.to.push(from);
        self.cap.push(0);
        e
    }

    fn levels(&self, s: usize, t: usize) -> Option<Vec<u32>> {
        let mut level = vec![u32::MAX; self.head.len()];
        let mut queue = std::collections::VecDeque::new();
        level[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            for &e in &self.head[v] {
                let w = self.to[e];
                if self.cap[e] > 0 && level[w] == u32::MAX {
                    level[w] = level[v] + 1;
                    queue.push_back(w);
                }
            }
        }
        (level[t] != u32::MAX).then_some(level)
    }

    /// Pushes up to `limit` from `v` towards `t` along the level graph.
    fn push(&mut self, v: usize, t: usize, limit: i64, level: &[u32], next: &mut [usize]) -> i64 {
        if v == t {
            return limit;
        }
        while next[v] < self.head[v].len() {
            let e = self.head[v][next[v]];
            let w = self.to[e];
            if self.cap[e] > 0 && level[w] == level[v] + 1 {
                let pushed = self.push(w, t, limit.min(self.cap[e]), level, next);
                if pushed > 0 {
                    self.cap[e] -= pushed;
                    self.cap[e ^ 1] += pushed;
                    return pushed;
                }
            }
            next[v] += 1;
        }
        0
    }

    fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let mut total = 0;
        while let Some(level) = self.levels(s, t) {
            let mut next = vec![0usize; self.head.len()];
            loop {
                let pushed = self.push(s, t, i64::MAX, &level, &mut next);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
        total
    }
}

/// Places the plan's trainees. The plan is assumed checked (`plan_file`
/// does that for files); a trainee whose unit is not in the plan is left
/// out as fitting no batch.
pub fn schedule(plan: &Plan) -> Roster {
    // Batches by start date (then input order), as the roster reads them.
    let mut order: Vec<usize> = (0..plan.batches.len()).collect();
    order.sort_by_key(|&b| (plan.batches[b].start, b));
    let unit_index: HashMap<&str, usize> = plan
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();

    // Batches that do not overlap, sorted by start, are sorted by end too:
    // the batches a range meets are then found by binary search.
    let by_end = order
        .windows(2)
        .all(|w| plan.batches[w[0]].end < plan.batches[w[1]].start);
    let blocked_by = |range: (NaiveDate, NaiveDate), out: &mut Vec<usize>| {
        if by_end {
            let first = order.partition_point(|&b| plan.batches[b].end < range.0);
            out.extend(
                order[first..]
                    .iter()
                    .take_while(|&&b| plan.batches[b].start <= range.1),
            );
        } else {
            out.extend(order.iter().filter(|&&b| meets(range, &plan.batches[b])));
        }
    };

    // Trainees of one unit who cannot attend the same batches form a group.
    let mut group_of_key: HashMap<(usize, Vec<usize>), usize> = HashMap::new();
    let mut groups: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new(); // (unit, batches, trainees)
    let mut trainee_group = vec![usize::MAX; plan.trainees.len()];
    let mut blocked = Vec::new();
    for (t, trainee) in plan.trainees.iter().enumerate() {
        let Some(&u) = unit_index.get(trainee.unit.as_str()) else {
            continue;
        };
        blocked.clear();
        for r in &trainee.unavailable {
            blocked_by(*r, &mut blocked);
        }
        blocked.sort_unstable();
        blocked.dedup();
        let g = match group_of_key.get(&(u, blocked.clone())) {
            Some(&g) => g,
            None => {
                let fits: Vec<usize> = order
                    .iter()
                    .copied()
                    .filter(|b| blocked.binary_search(b).is_err())
                    .collect();
                groups.push((u, fits, Vec::new()));
                group_of_key.insert((u, blocked.clone()), groups.len() - 1);
                groups.len() - 1
            }
        };
        groups[g].2.push(t);
        trainee_group[t] = g;
    }

    // Nodes: source, sink, groups, (unit, batch) pairs in use, batches.
    let (s, t) = (0, 1);
    let group_node = |g: usize| 2 + g;
    let batch_base = 2 + groups.len();
    let pair_base = batch_base + plan.batches.len();
    // Pair nodes are numbered unit × batches + batch (unused ones stay
    // isolated): no hashing on the hot path.
    let nb = plan.batches.len();
    let pair = |u: usize, b: usize| pair_base + u * nb + b;
    let mut flow = Flow::new(pair_base + plan.units.len() * nb);
    let mut used = vec![false; plan.units.len() * nb];
    let mut group_edges: Vec<Vec<(usize, usize)>> = Vec::with_capacity(groups.len());
    for (g, (u, fits, members)) in groups.iter().enumerate() {
        flow.edge(s, group_node(g), members.len() as i64);
        group_edges.push(
            fits.iter()
                .map(|&b| {
                    used[u * nb + b] = true;
                    (
                        b,
                        flow.edge(group_node(g), pair(*u, b), members.len() as i64),
                    )
                })
                .collect(),
        );
    }
    for (u, unit) in plan.units.iter().enumerate() {
        for &b in &order {
            if used[u * nb + b] {
                flow.edge(pair(u, b), batch_base + b, unit.max_away());
            }
        }
    }
    for &b in &order {
        flow.edge(batch_base + b, t, plan.batches[b].capacity.max(0));
    }
    flow.max_flow(s, t);

    // Hand each group's flow to its members, in input order.
    let mut batch_of: Vec<Option<usize>> = vec![None; plan.trainees.len()];
    for (g, (_, _, members)) in groups.iter().enumerate() {
        let mut members = members.iter();
        for &(b, e) in &group_edges[g] {
            let used = flow.cap[e ^ 1];
            for _ in 0..used {
                if let Some(&m) = members.next() {
                    batch_of[m] = Some(b);
                }
            }
        }
    }

    let mut loads = vec![0i64; plan.batches.len()];
    for b in batch_of.iter().flatten() {
        loads[*b] += 1;
    }
    let mut roster = Roster::default();
    for (i, placed) in batch_of.iter().enumerate() {
        match placed {
            Some(b) => roster.assignments.push((i, *b)),
            None => {
                let g = trainee_group[i];
                let reason = if g == usize::MAX {
                    Reason::NoBatchFits
                } else {
                    let (u, fits, _) = &groups[g];
                    let unit = &plan.units[*u];
                    if fits.is_empty() {
                        Reason::NoBatchFits
                    } else if unit.max_away() == 0 {
                        Reason::UnitCannotSpare {
                            unit: unit.code.clone(),
                            staff: unit.staff,
                            min_on_duty: unit.min_on_duty,
                        }
                    } else {
                        let mut full = Vec::new();
                        let mut duty = Vec::new();
                        for &b in fits {
                            let code = plan.batches[b].code.clone();
                            if loads[b] >= plan.batches[b].capacity {
                                full.push(code);
                            } else {
                                duty.push(code);
                            }
                        }
                        match (full.is_empty(), duty.is_empty()) {
                            (false, true) => Reason::BatchesFull { batches: full },
                            (true, _) => Reason::DutyLimit {
                                unit: unit.code.clone(),
                                max_away: unit.max_away(),
                                batches: duty,
                            },
                            (false, false) => Reason::FullOrDutyLimit {
                                unit: unit.code.clone(),
                                full,
                                duty,
                            },
                        }
                    }
                };
                roster.unassigned.push((i, reason));
            }
        }
    }
    roster
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn batch(code: &str, start: &str, end: &str, capacity: i64) -> Batch {
        Batch {
            code: code.into(),
            start: d(start),
            end: d(end),
            capacity,
        }
    }

    fn trainee(id: &str, unit: &str, unavailable: &[(&str, &str)]) -> Trainee {
        Trainee {
            id: id.into(),
            unit: unit.into(),
            unavailable: unavailable.iter().map(|(a, b)| (d(a), d(b))).collect(),
        }
    }

    #[test]
    fn a_duty_desk_that_needs_most_of_its_staff_is_spread_across_batches() {
        let plan = Plan {
            batches: vec![
                batch("B1", "2018-04-02", "2018-04-04", 30),
                batch("B2", "2018-04-09", "2018-04-11", 30),
                batch("B3", "2018-04-16", "2018-04-18", 30),
            ],
            units: vec![Unit {
                code: "GA".into(),
                staff: 12,
                min_on_duty: 9,
            }],
            trainees: (0..9)
                .map(|i| trainee(&format!("P{i}"), "GA", &[]))
                .collect(),
        };
        let roster = schedule(&plan);
        assert_eq!(roster.assignments.len(), 9);
        for b in 0..3 {
            assert_eq!(
                roster.assignments.iter().filter(|(_, x)| *x == b).count(),
                3
            );
        }
    }

    #[test]
    fn unavailable_days_keep_a_trainee_out_of_a_batch_and_say_why() {
        let plan = Plan {
            batches: vec![
                batch("B1", "2018-04-02", "2018-04-04", 1),
                batch("B2", "2018-04-09", "2018-04-11", 1),
            ],
            units: vec![Unit {
                code: "GA".into(),
                staff: 10,
                min_on_duty: 0,
            }],
            trainees: vec![
                trainee("P1", "GA", &[("2018-04-04", "2018-04-05")]),
                trainee("P2", "GA", &[]),
                trainee("P3", "GA", &[("2018-04-01", "2018-04-30")]),
                trainee("P4", "GA", &[]),
            ],
        };
        let roster = schedule(&plan);
        // P1 only fits B2, so P2 must take B1 for both to be placed.
        assert_eq!(roster.assignments, vec![(0, 1), (1, 0)]);
        assert_eq!(roster.unassigned[0], (2, Reason::NoBatchFits));
        assert_eq!(
            roster.unassigned[1],
            (
                3,
                Reason::BatchesFull {
                    batches: vec!["B1".into(), "B2".into()]
                }
            )
        );
    }

    #[test]
    fn a_unit_that_cannot_spare_anyone_is_named() {
        let plan = Plan {
            batches: vec![batch("B1", "2018-04-02", "2018-04-04", 10)],
            units: vec![
                Unit {
                    code: "ZB".into(),
                    staff: 3,
                    min_on_duty: 3,
                },
                Unit {
                    code: "GA".into(),
                    staff: 5,
                    min_on_duty: 4,
                },
            ],
            trainees: vec![
                trainee("P1", "ZB", &[]),
                trainee("P2", "GA", &[]),
                trainee("P3", "GA", &[]),
            ],
        };
        let roster = schedule(&plan);
        assert_eq!(roster.assignments, vec![(1, 0)]);
        assert!(matches!(
            roster.unassigned[0].1,
            Reason::UnitCannotSpare { .. }
        ));
        assert_eq!(
            roster.unassigned[1].1,
            Reason::DutyLimit {
                unit: "GA".into(),
                max_away: 1,
                batches: vec!["B1".into()]
            }
        );
        assert!(roster.unassigned[1].1.text().contains("GA"));
    }

    /// The most trainees any assignment could place, by trying them all.
    fn brute_force(plan: &Plan) -> usize {
        fn go(
            plan: &Plan,
            t: usize,
            load: &mut Vec<i64>,
            away: &mut HashMap<(usize, usize), i64>,
        ) -> usize {
            if t == plan.trainees.len() {
                return 0;
            }
            let mut best = go(plan, t + 1, load, away);
            let tr = &plan.trainees[t];
            let u = plan.units.iter().position(|u| u.code == tr.unit).unwrap();
            for (b, batch) in plan.batches.iter().enumerate() {
                let fits = !tr.unavailable.iter().any(|r| meets(*r, batch));
                let used = *away.get(&(u, b)).unwrap_or(&0);
                if fits && load[b] < batch.capacity && used < plan.units[u].max_away() {
                    load[b] += 1;
                    away.insert((u, b), used + 1);
                    best = best.max(1 + go(plan, t + 1, load, away));
                    load[b] -= 1;
                    away.insert((u, b), used);
                }
            }
            best
        }
        go(
            plan,
            0,
            &mut vec![0; plan.batches.len()],
            &mut HashMap::new(),
        )
    }

    fn small_plan() -> impl Strategy<Value = Plan> {
        let batches = prop::collection::vec((0u32..3, 0i64..4), 1..4).prop_map(|bs| {
            bs.into_iter()
                .enumerate()
                .map(|(i, (len, cap))| {
                    let start = d("2018-04-02") + chrono::Duration::days(i as i64 * 7);
                    Batch {
                        code: format!("B{i}"),
                        start,
                        end: start + chrono::Duration::days(len as i64),
                        capacity: cap,
                    }
                })
                .collect::<Vec<_>>()
        });
        let units = prop::collection::vec((1i64..5, 0i64..4), 1..3).prop_map(|us| {
            us.into_iter()
                .enumerate()
                .map(|(i, (staff, min))| Unit {
                    code: format!("U{i}"),
                    staff,
                    min_on_duty: min.min(staff),
                })
                .collect::<Vec<_>>()
        });
        (batches, units).prop_flat_map(|(batches, units)| {
            let n_units = units.len();
            let trainees = prop::collection::vec((0..n_units, prop::option::of(0i64..25)), 0..7);
            (Just(batches), Just(units), trainees).prop_map(|(batches, units, ts)| {
                let trainees = ts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (u, off))| Trainee {
                        id: format!("P{i}"),
                        unit: format!("U{u}"),
                        unavailable: off
                            .map(|o| {
                                let a = d("2018-04-01") + chrono::Duration::days(o);
                                vec![(a, a + chrono::Duration::days(2))]
                            })
                            .unwrap_or_default(),
                    })
                    .collect();
                Plan {
                    batches,
                    units,
                    trainees,
                }
            })
        })
    }

    proptest! {
        #[test]
        fn the_scheduler_places_as_many_as_any_assignment_and_breaks_no_rule(plan in small_plan()) {
            let roster = schedule(&plan);
            prop_assert_eq!(roster.assignments.len(), brute_force(&plan));
            prop_assert_eq!(roster.assignments.len() + roster.unassigned.len(), plan.trainees.len());
            for (b, batch) in plan.batches.iter().enumerate() {
                let here: Vec<usize> = roster.assignments.iter().filter(|(_, x)| *x == b).map(|(t, _)| *t).collect();
                prop_assert!(here.len() as i64 <= batch.capacity);
                for u in &plan.units {
                    let n = here.iter().filter(|t| plan.trainees[**t].unit == u.code).count() as i64;
                    prop_assert!(n <= u.max_away());
                }
                for t in here {
                    prop_assert!(!plan.trainees[t].unavailable.iter().any(|r| meets(*r, batch)));
                }
            }
            prop_assert_eq!(schedule(&plan), roster, "deterministic");
        }
    }
}
