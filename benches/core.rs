//! Criterion benchmarks for the pure-Rust core: one group per capability, inputs named by class.
//! Run with `cargo bench --no-default-features --bench core`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use palisade::engine::{Engine, Props, Request};
use palisade::ip::{parse_addr, IpConfig};
use palisade::ratelimit::{key_hash, Algorithm, Clock, Table};
use std::hint::black_box;

fn ratelimit(c: &mut Criterion) {
    let mut g = c.benchmark_group("ratelimit");
    g.throughput(Throughput::Elements(1));
    let algorithms = [
        (
            "token_bucket",
            Algorithm::TokenBucket {
                refill_rate: 10,
                interval_ms: 1000,
                capacity: 1_000_000,
            },
        ),
        (
            "fixed_window",
            Algorithm::FixedWindow {
                window_ms: 60_000,
                max: 100_000_000,
            },
        ),
        (
            "sliding_window",
            Algorithm::SlidingWindow {
                interval_ms: 60_000,
                max: 100_000_000,
            },
        ),
    ];
    // A manual clock stepping 1 ms per call: the benchmark never waits and never hits a limit.
    let clock = Clock::manual(1_000_000);
    for (name, alg) in algorithms {
        let table = Table::new(alg, 1_000_000);
        let hot = key_hash([b"203.0.113.7".as_slice()]);
        g.bench_function(BenchmarkId::new("hot_key", name), |b| {
            b.iter(|| {
                clock.advance(1);
                black_box(table.check(hot, 1, clock.now_ms()))
            });
        });
        let keys: Vec<u64> = (0..100_000u32)
            .map(|i| key_hash([i.to_le_bytes().as_slice()]))
            .collect();
        let mut i = 0;
        g.bench_function(BenchmarkId::new("distinct_100k", name), |b| {
            b.iter(|| {
                i = (i + 1) % keys.len();
                black_box(table.check(keys[i], 1, clock.now_ms()))
            });
        });
    }
    g.finish();
}

fn ip(c: &mut Criterion) {
    let mut g = c.benchmark_group("ip");
    for (name, s) in [
        ("v4", "203.0.113.7"),
        ("v4_port", "203.0.113.7:443"),
        ("v6_bracket_port", "[2001:db8::1]:8443"),
        ("junk", "not-an-address"),
    ] {
        g.bench_with_input(BenchmarkId::new("parse_addr", name), s, |b, s| {
            b.iter(|| parse_addr(black_box(s)));
        });
    }
    let cfg = IpConfig::default();
    let short = vec![("x-forwarded-for".to_owned(), "81.2.69.142".to_owned())];
    let long = vec![(
        "x-forwarded-for".to_owned(),
        format!(
            "{}, 81.2.69.142, 10.0.0.1, 127.0.0.1",
            "1.1.1.1, ".repeat(40)
        ),
    )];
    g.bench_function("resolve/xff_one_hop", |b| {
        b.iter(|| cfg.resolve(None, black_box(&short)));
    });
    g.bench_function("resolve/xff_43_hops", |b| {
        b.iter(|| cfg.resolve(None, black_box(&long)));
    });
    g.finish();
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    let options = serde_json::json!({
        "rules": [{ "type": "RATE_LIMIT", "algorithm": "SLIDING_WINDOW", "interval": 60, "max": 100_000_000, "name": "bench" }]
    });
    let engine = Engine::from_value(&options, Clock::manual(1_000_000)).expect("valid options");
    let req = Request {
        method: "GET".into(),
        path: "/api/items".into(),
        query: "page=2".into(),
        headers: [
            ("host", "example.com"),
            ("user-agent", "Mozilla/5.0"),
            ("x-forwarded-for", "81.2.69.142"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect(),
        peer: None,
        ..Request::default()
    };
    g.bench_function("protect/one_rate_limit", |b| {
        b.iter(|| engine.protect(black_box(&req), &Props::default()));
    });
    g.finish();
}

criterion_group!(benches, ratelimit, ip, engine);
criterion_main!(benches);
