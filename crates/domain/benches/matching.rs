//! Matching a cohort of 1,000 members: every pair scored, hard constraints applied, and the
//! blossom algorithm's maximum-weight, maximum-cardinality matching — the largest cohort a
//! proposal is computed for in one request.
#![allow(missing_docs)]

use std::collections::BTreeSet;
use std::time::Duration;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use tandem_domain::Named;
use tandem_domain::matching::{Candidate, CommunicationStyle, LeadershipValue, Rules, propose};

/// A varied, reproducible cohort: values, skills, styles, ten departments, four time zones and
/// a reporting line every 25 members.
fn cohort(n: usize) -> Vec<Candidate> {
    let values = <LeadershipValue as Named>::ALL;
    let styles = <CommunicationStyle as Named>::ALL;
    let skills = [
        "pricing", "hiring", "sales", "ops", "finance", "product", "design",
    ];
    (0..n)
        .map(|i| Candidate {
            id: format!("m{i:04}"),
            name: format!("Member {i}"),
            values: [values[i % values.len()], values[(i * 7 + 3) % values.len()]].into(),
            offers: BTreeSet::from([skills[i % skills.len()].to_owned()]),
            seeks: BTreeSet::from([skills[(i * 3 + 1) % skills.len()].to_owned()]),
            style: Some(styles[(i / 3) % styles.len()]),
            department: Some(format!("dept-{}", i % 10)),
            manager_id: (i % 25 != 0).then(|| format!("m{:04}", i - i % 25)),
            utc_offset_minutes: [0, 60, -300, 330][i % 4],
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    for n in [100, 1_000] {
        let people = cohort(n);
        group.bench_function(format!("propose for {n} members"), |b| {
            b.iter(|| propose(black_box(&people), &Rules::default(), &[]))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
