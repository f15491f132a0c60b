//! Progress + forecast over 10,000 readings: the worst case a scorecard request computes per goal.
#![allow(missing_docs)]

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use tandem_domain::goal::Direction;
use tandem_domain::progress::{GoalPlan, Reading, StatusThresholds, progress};

fn bench(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let plan = GoalPlan::new(
        Direction::Increase,
        0.0,
        10_000.0,
        start,
        start + Duration::days(364),
        vec![],
        7,
    )
    .unwrap();
    let t0 = start.and_hms_opt(0, 0, 0).unwrap();
    let readings: Vec<Reading> = (0..10_000)
        .map(|i| Reading {
            value: i as f64 * 0.9 + (i % 7) as f64,
            observed_at: t0 + Duration::minutes(i * 50),
        })
        .collect();
    let as_of = t0 + Duration::days(360);
    c.bench_function("progress+forecast over 10k readings", |b| {
        b.iter(|| {
            progress(
                black_box(&plan),
                black_box(&readings),
                as_of,
                StatusThresholds::default(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
