//! Scheduling a district-sized rotation: 20,000 trainees in 500 units, 200
//! batches, a third of the trainees with random unavailable days; the
//! scheduling alone, and the whole of `yingji schedule` without the process
//! (the plan file read and checked, scheduled, the roster written as JSON).
//! Run with `cargo bench -p yingji-domain --bench scheduler`.

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use serde_json::json;
use yingji_domain::scheduler::{Batch, Plan, Trainee, Unit, schedule};

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

fn plan() -> Plan {
    let day0 = NaiveDate::from_ymd_opt(2018, 1, 8).unwrap();
    let batches = (0..200)
        .map(|i| {
            let start = day0 + Duration::days(i * 2);
            Batch {
                code: format!("B{i:03}"),
                start,
                end: start,
                capacity: 110,
            }
        })
        .collect();
    let mut rng = Lcg(2018);
    let units = (0..500)
        .map(|u| {
            let staff = 40;
            Unit {
                code: format!("U{u:03}"),
                staff,
                min_on_duty: 30 + (u % 9) as i64,
            }
        })
        .collect();
    let trainees = (0..20_000)
        .map(|t| {
            let unavailable = if rng.next(3) == 0 {
                (0..1 + rng.next(3))
                    .map(|_| {
                        let a = day0 + Duration::days(rng.next(400) as i64);
                        (a, a + Duration::days(rng.next(10) as i64))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Trainee {
                id: format!("P{t:05}"),
                unit: format!("U{:03}", t % 500),
                unavailable,
            }
        })
        .collect();
    Plan {
        batches,
        units,
        trainees,
    }
}

fn bench(c: &mut Criterion) {
    let plan = plan();
    let roster = schedule(&plan);
    println!(
        "placed {} of {} trainees",
        roster.assignments.len(),
        plan.trainees.len()
    );
    c.bench_function("schedule 20000 trainees, 200 batches, 500 units", |b| {
        b.iter(|| schedule(black_box(&plan)))
    });
}

/// The plan as `yingji schedule` reads it.
fn plan_file(plan: &Plan) -> String {
    let d = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    json!({
        "batches": plan.batches.iter().map(|b| json!({
            "code": b.code, "start": d(b.start), "end": d(b.end), "capacity": b.capacity,
        })).collect::<Vec<_>>(),
        "units": plan.units.iter().map(|u| json!({
            "code": u.code, "staff": u.staff, "min_on_duty": u.min_on_duty,
        })).collect::<Vec<_>>(),
        "trainees": plan.trainees.iter().map(|t| json!({
            "id": t.id, "unit": t.unit,
            "unavailable": t.unavailable.iter().map(|(a, b)| json!([d(*a), d(*b)])).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn whole_file(c: &mut Criterion) {
    let text = plan_file(&plan());
    println!("plan file: {} bytes", text.len());
    c.bench_function(
        "yingji schedule: read, check, schedule and print 20000 trainees",
        |b| {
            b.iter(|| {
                yingji_domain::plan_file::print(black_box(&text))
                    .unwrap()
                    .len()
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench, whole_file
}
criterion_main!(benches);
