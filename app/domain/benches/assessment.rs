//! Evaluating a district-sized assessment: 10,000 units × 50 indicators,
//! 5 events each. Run with `cargo bench -p app --bench assessment`.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use yingji_domain::assessment::{
    DeductionRule, Entry, Indicator, Method, Points, Scheme, Sheet, Thresholds, evaluate,
};

fn scheme() -> Scheme {
    let indicators = (0..50)
        .map(|i| Indicator {
            code: format!("i{i:02}"),
            category: format!("c{}", i % 5),
            name: format!("指标{i}"),
            max: Points(20),
            method: if i % 5 == 4 {
                Method::Ratio { target_bp: 9700 }
            } else {
                Method::Manual
            },
            metric: String::new(),
        })
        .collect();
    let deductions = (0..10)
        .map(|r| DeductionRule {
            event: format!("e{r}"),
            indicator: format!("i{:02}", r * 5),
            points: Points(5),
            bars_excellent: r == 9,
        })
        .collect();
    Scheme {
        indicators,
        deductions,
        thresholds: Thresholds {
            excellent: Points(900),
            good: Points(800),
            pass: Points(600),
        },
        bonus_cap: Points(50),
        excellent_quota_percent: Some(35),
    }
}

fn sheets(scheme: &Scheme, n: usize) -> Vec<Sheet> {
    (0..n)
        .map(|u| Sheet {
            unit: format!("U{u:05}"),
            entries: scheme
                .indicators
                .iter()
                .enumerate()
                .map(|(i, ind)| match ind.method {
                    Method::Manual => Entry::Score(Points(((u * 7 + i * 3) % 21) as i64)),
                    Method::Ratio { .. } => Entry::Ratio(((u + i) % 20) as i64, 20),
                })
                .collect(),
            events: (0..5).map(|e| ((u + e) % 10, 1 + (e as i64 % 2))).collect(),
            bonuses: vec![Points((u % 30) as i64)],
            vetoed: u % 97 == 0,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let scheme = scheme();
    let sheets = sheets(&scheme, 10_000);
    c.bench_function(
        "evaluate 10,000 units × 50 indicators, 5 events each",
        |b| b.iter(|| evaluate(black_box(&scheme), black_box(&sheets))),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
