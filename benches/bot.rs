//! Criterion group `bot`: the cost of `is_bot` and `classify` per class of User-Agent.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use palisade::bot::Detector;

fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("short browser UA", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1".to_owned()),
        ("long browser UA", "Mozilla/5.0 (Linux; Android 12; moto g(50) 5G Build/S1RSS32.38-20-9-13; wv) AppleWebKit/537.36 (KHTML,like Gecko) Version/4.0 Chrome/124.0.6367.180 Mobile Safari/537.36 Instagram 333.0.0.42.91 Android (31/12; 280dpi; 720x1462; motorola; moto g(50) 5G; ibiza; qcom; en_US; 607468151)".to_owned()),
        ("known bot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)".to_owned()),
        ("http library", "python-requests/2.32.3".to_owned()),
        ("unknown bot", "Mozilla/5.0 (compatible; ZorblaxFetchBot/3.1)".to_owned()),
        ("huge UA", format!("Mozilla/5.0 {}", "a".repeat(100_000))),
    ]
}

fn bot(c: &mut Criterion) {
    let detector = Detector::builtin();
    let mut group = c.benchmark_group("bot");
    for (name, ua) in inputs() {
        // Warm the lazily compiled regexes so the first-hit cost is not measured.
        let _ = detector.classify(&ua);
        group.bench_with_input(BenchmarkId::new("is_bot", name), &ua, |b, ua| {
            b.iter(|| detector.is_bot(std::hint::black_box(ua)));
        });
        group.bench_with_input(BenchmarkId::new("classify", name), &ua, |b, ua| {
            b.iter(|| detector.classify(std::hint::black_box(ua)));
        });
    }
    group.finish();
}

criterion_group!(benches, bot);
criterion_main!(benches);
