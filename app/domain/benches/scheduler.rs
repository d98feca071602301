//! Scheduling a district-sized rotation: 20,000 trainees in 500 units, 200
//! batches, a third of the trainees with random unavailable days. Run with
//! `cargo bench -p app --bench scheduler`.

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
