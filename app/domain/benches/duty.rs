//! Filling a year's duty rosters for a district: 60 units of 30 people
//! each (25 staff, 5 leaders), one staff member and one leader a day, one
//! free day between duties, the year's holidays, and a third of the people
//! away for one to three stretches of up to two weeks; the generation
//! alone, and the whole of `yingji roster` without the process for one
//! unit's file. Run with `cargo bench -p yingji-domain --bench duty`.

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use serde_json::json;
use yingji_domain::duty::{DutyPerson, DutyRole, RosterRequest, generate, period};

/// A small deterministic generator (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn holidays() -> Vec<NaiveDate> {
    [
        "2018-01-01",
        "2018-02-15",
        "2018-02-16",
        "2018-02-17",
        "2018-02-18",
        "2018-02-19",
        "2018-02-20",
        "2018-02-21",
        "2018-04-05",
        "2018-04-06",
        "2018-04-07",
        "2018-04-29",
        "2018-04-30",
        "2018-05-01",
        "2018-06-18",
        "2018-09-24",
        "2018-10-01",
        "2018-10-02",
        "2018-10-03",
        "2018-10-04",
        "2018-10-05",
        "2018-10-06",
        "2018-10-07",
    ]
    .iter()
    .map(|s| day(s))
    .collect()
}

/// One unit's year.
fn unit(rng: &mut Lcg, u: usize) -> RosterRequest {
    let first = day("2018-01-01");
    let people = (0..30)
        .map(|p| {
            let unavailable = if rng.next(3) == 0 {
                (0..1 + rng.next(3))
                    .map(|_| {
                        let a = first + Duration::days(rng.next(365) as i64);
                        (a, a + Duration::days(rng.next(14) as i64))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            DutyPerson {
                id: format!("U{u:02}-P{p:02}"),
                role: if p < 25 {
                    DutyRole::Staff
                } else {
                    DutyRole::Leader
                },
                unavailable,
            }
        })
        .collect();
    RosterRequest {
        days: period((first, day("2018-12-31")), &holidays(), 1, 1),
        min_rest_days: 1,
        people,
    }
}

fn district() -> Vec<RosterRequest> {
    let mut rng = Lcg(2018);
    (0..60).map(|u| unit(&mut rng, u)).collect()
}

fn file(req: &RosterRequest) -> String {
    json!({
        "from": "2018-01-01", "to": "2018-12-31",
        "holidays": holidays().iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        "staff_per_day": 1, "leaders_per_day": 1, "min_rest_days": req.min_rest_days,
        "people": req.people.iter().map(|p| json!({
            "id": p.id, "role": p.role.code(),
            "unavailable": p.unavailable.iter().map(|(a, b)| [a.to_string(), b.to_string()]).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn bench(c: &mut Criterion) {
    let units = district();
    c.bench_function("a year for 60 units × 30 people", |b| {
        b.iter(|| {
            for req in &units {
                black_box(generate(black_box(req)));
            }
        })
    });
    let text = file(&units[0]);
    c.bench_function("yingji roster, one unit's year: read, fill, print", |b| {
        b.iter(|| black_box(yingji_domain::roster_file::print(black_box(&text)).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
