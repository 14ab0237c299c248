//! Email validation speed: `cargo bench --no-default-features --bench email`.

use criterion::{criterion_group, criterion_main, Criterion};
use palisade::email::{validate, Options};
use std::hint::black_box;

fn email(c: &mut Criterion) {
    let opts = Options::default();
    let huge = "a".repeat(1_000_000);
    let inputs = [
        ("valid_common", "jane.doe+news@example.com".to_owned()),
        ("free_provider", "someone@gmail.com".to_owned()),
        ("disposable", "user@mailinator.com".to_owned()),
        (
            "disposable_subdomain",
            "user@jzxz.mailinator.com".to_owned(),
        ),
        ("idn", "test@umläut.com".to_owned()),
        ("typo", "jo@gmial.com".to_owned()),
        ("invalid", "multiple..dots@example.com".to_owned()),
        ("huge", huge),
    ];
    let mut group = c.benchmark_group("email");
    for (name, address) in &inputs {
        group.bench_function(*name, |b| {
            b.iter(|| validate(black_box(address), black_box(&opts)));
        });
    }
    group.finish();
}

criterion_group!(benches, email);
criterion_main!(benches);
