//! The fuzz harnesses: one function per cargo-fuzz target in `fuzz/fuzz_targets/`. The main crate's
//! `tests/fuzz_fixtures.rs` includes this file and replays every saved crash input
//! (`tests/fixtures/fuzz/<target>/`) through the same functions, so a fixed crash stays fixed.
//!
//! Public APIs only. Every harness takes raw bytes and must never panic; the few invariants the
//! property tests (`tests/prop_parsers.rs`) already state are asserted here too, so the fuzzer
//! reports a broken invariant as a crash.
//!
//! Input layout, shared by the request-shaped targets: the first byte selects options (which
//! engine, content type, sensitivity...), the rest is split on NUL bytes into fields, each read as
//! UTF-8 with invalid sequences replaced (what Node.js hands the addon is always valid UTF-8).

use std::sync::OnceLock;

use palisade::bot::Detector;
use palisade::engine::{Engine, Props, Request};
use palisade::ratelimit::Clock;
use palisade::shield::{normalize, Input, Options as ShieldOptions, Sensitivity, Shield};

/// A harness: raw bytes in, a panic on a bug.
pub type Harness = fn(&[u8]);

/// Every target by name, in the order `scripts/fuzz.mjs` runs them.
pub const TARGETS: [(&str, Harness); 6] = [
    ("ip_forwarding", ip_forwarding),
    ("bot_ua", bot_ua),
    ("email", email),
    ("shield_request", shield_request),
    ("shield_normalize", shield_normalize),
    ("config", config),
];

/// The selector byte and the NUL-separated fields after it.
fn split(data: &[u8]) -> (u8, Vec<String>) {
    let Some((&sel, rest)) = data.split_first() else {
        return (0, Vec::new());
    };
    let fields = rest
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    (sel, fields)
}

/// Header names that a byte below 0x10 at the start of a header field stands for, so that the
/// fuzzer reaches the headers that matter without having to spell them.
const KNOWN_HEADERS: [&str; 12] = [
    "x-forwarded-for",
    "forwarded",
    "x-real-ip",
    "cf-connecting-ip",
    "fly-client-ip",
    "cookie",
    "user-agent",
    "x-api-key",
    "host",
    "content-type",
    "referer",
    "X-Forwarded-For",
];

/// A header field: `<byte below 0x10><value>` for a known name, else `name:value`.
fn header(field: &str) -> (String, String) {
    match field.as_bytes().first() {
        Some(&b) if b < 0x10 => (
            KNOWN_HEADERS[usize::from(b) % KNOWN_HEADERS.len()].to_owned(),
            field[1..].to_owned(),
        ),
        _ => {
            let (name, value) = field.split_once(':').unwrap_or((field, ""));
            (name.to_owned(), value.to_owned())
        }
    }
}

fn ip_engines() -> &'static [Engine] {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let limit = |name: &str, characteristics: serde_json::Value| {
            serde_json::json!({ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 5,
                "maxKeys": 4096, "name": name, "characteristics": characteristics })
        };
        let ip = serde_json::json!(["ip.src"]);
        let every = serde_json::json!([
            "ip.src", "http.host", "http.method", "http.request.uri.path",
            "http.request.headers[\"x-api-key\"]", "http.request.cookie[\"sid\"]",
            "http.request.uri.args[\"token\"]"
        ]);
        let proxies = serde_json::json!(["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8", "2001:db8::/32"]);
        [
            serde_json::json!({ "proxies": proxies, "rules": [limit("fuzz-ip-0", ip.clone())] }),
            serde_json::json!({ "unknownClient": "DENY", "rules": [limit("fuzz-ip-1", ip.clone())] }),
            serde_json::json!({ "platform": "cloudflare", "proxies": proxies, "rules": [limit("fuzz-ip-2", ip.clone())] }),
            serde_json::json!({ "platform": "vercel", "rules": [limit("fuzz-ip-3", ip.clone())] }),
            serde_json::json!({ "platform": "fly", "unknownClient": "SKIP", "rules": [limit("fuzz-ip-4", ip.clone())] }),
            serde_json::json!({ "platform": "render", "ipv6Prefix": 64, "rules": [limit("fuzz-ip-5", ip)] }),
            serde_json::json!({ "proxies": proxies, "rules": [limit("fuzz-ip-6", every)] }),
        ]
        .iter()
        .map(|v| Engine::from_value(v, Clock::manual(0)).expect("the fuzz engines are valid"))
        .collect()
    })
}

/// Client-IP resolution and rate-limit keys: `[engine] peer \0 url \0 method \0 header...`, where
/// the engine (proxies, platform presets, unknown-client policies, every characteristic) is picked
/// by the first byte. Also parses every field and every comma-separated entry as an address.
pub fn ip_forwarding(data: &[u8]) {
    let (sel, fields) = split(data);
    let engines = ip_engines();
    let engine = &engines[usize::from(sel) % engines.len()];
    let get = |i: usize| fields.get(i).map_or("", String::as_str);
    let url = get(1);
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let req = Request {
        method: get(2).to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: fields.iter().skip(3).map(|f| header(f)).collect(),
        peer: (!get(0).is_empty()).then(|| get(0).to_owned()),
        ..Request::default()
    };
    let _ = engine.client_ip(&req);
    let _ = engine.protect(&req, &Props::default());
    for f in &fields {
        for entry in std::iter::once(f.as_str()).chain(f.split(',')) {
            if let Some(ip) = palisade::ip::parse_addr(entry) {
                let _ = palisade::ip::is_public(ip);
                let _ = palisade::ip::limit_key(ip, 16 + sel % 113);
            }
        }
    }
}

/// The builtin User-Agent matcher, cached and uncached, on the whole input.
pub fn bot_ua(data: &[u8]) {
    let ua = String::from_utf8_lossy(data);
    let d = Detector::builtin();
    let c = d.classify(&ua);
    assert_eq!(c.bot, d.is_bot(&ua), "classify and is_bot disagree");
    let head = palisade::bot::inspected(&ua);
    let _ = d.is_bot_uncached(head, ua.len());
    let _ = d.classify_len(head, ua.len());
}

/// The email parser with the default and the most permissive options. Invariants (as in the
/// property tests): valid exactly when there is no reason, and normalizing is idempotent.
pub fn email(data: &[u8]) {
    let address = String::from_utf8_lossy(data);
    let permissive = palisade::email::Options {
        require_top_level_domain: false,
        allow_domain_literal: true,
        allow_quoted: true,
        allow_utf8_local_part: true,
    };
    for opts in [palisade::email::Options::default(), permissive] {
        let v = palisade::email::validate(&address, &opts);
        assert_eq!(
            v.valid,
            v.reasons.is_empty(),
            "valid but with reasons, or invalid without"
        );
        if let Some(n) = v.normalized {
            let again = palisade::email::validate(&n, &opts);
            assert_eq!(
                again.normalized.as_deref(),
                Some(n.as_str()),
                "normalizing is not idempotent"
            );
        }
    }
    if let Some((_, domain)) = address.rsplit_once('@') {
        let _ = palisade::email::is_disposable_domain(domain);
    }
}

const CONTENT_TYPES: [Option<&str>; 10] = [
    None,
    Some("application/x-www-form-urlencoded"),
    Some("application/json"),
    Some("multipart/form-data; boundary=b"),
    Some("text/xml"),
    Some("application/xml; charset=utf-8"),
    Some("text/plain"),
    Some("application/octet-stream"),
    Some("application/vnd.api+json"),
    Some("multipart/form-data; boundary=\"--x y\""),
];

fn shields() -> &'static [Shield] {
    static SHIELDS: OnceLock<Vec<Shield>> = OnceLock::new();
    SHIELDS.get_or_init(|| {
        vec![
            Shield::new(ShieldOptions::default()),
            Shield::new(ShieldOptions {
                sensitivity: Sensitivity::High,
                max_body_bytes: 64,
                ..ShieldOptions::default()
            }),
            Shield::new(ShieldOptions {
                sensitivity: Sensitivity::Low,
                exclude: vec!["body.a".into(), "query.q".into(), "header.x-html".into()],
                ..ShieldOptions::default()
            }),
        ]
    })
}

/// The shield on a whole request: `[sel] url \0 body \0 method \0 header...`. The low bits of
/// the first byte pick the content type (none, form, JSON, multipart, XML, text, binary; or, past
/// the list, the third field is the content type), the next bits the shield's options. The body
/// is the second field, so it holds no NUL; the header lines follow the method.
pub fn shield_request(data: &[u8]) {
    let (sel, fields) = split(data);
    let get = |i: usize| fields.get(i).map_or("", String::as_str);
    let pick = usize::from(sel & 0x0f);
    let content_type = match CONTENT_TYPES.get(pick) {
        Some(ct) => *ct,
        None => Some(get(2)),
    };
    let shields = shields();
    let shield = &shields[usize::from(sel >> 4) % shields.len()];
    let headers: Vec<(String, String)> = fields.iter().skip(3).map(|f| header(f)).collect();
    let body = fields.get(1).map(String::as_bytes);
    let report = shield.inspect(&Input {
        method: if get(2).is_empty() { "POST" } else { get(2) },
        url: get(0),
        headers: &headers,
        body,
        content_type,
    });
    let _ = report.attack();
    // Again with the raw bytes of the input as the body: invalid UTF-8 and NULs as sent.
    let raw = data.get(1..).unwrap_or_default();
    let _ = shield.inspect(&Input {
        method: "PUT",
        url: get(0),
        headers: &headers,
        body: Some(raw),
        content_type,
    });
}

/// The normalizer's public functions on the raw bytes and on their text. The first two bytes
/// give the snippet range.
pub fn shield_normalize(data: &[u8]) {
    let _ = normalize::mask(data);
    let decoded = normalize::percent_decode(data);
    let _ = normalize::bytes_to_text(data);
    let _ = normalize::form_decode(data);
    if let Some(d) = decoded {
        let _ = normalize::bytes_to_text(&d);
    }
    let text = String::from_utf8_lossy(data);
    let n = normalize::Norm::new(&text);
    assert_eq!(
        n.text.len(),
        n.lower.len(),
        "lower-casing moved byte offsets"
    );
    let _ = n.is_plain();
    let _ = n.has(u32::MAX);
    let start = usize::from(data.first().copied().unwrap_or(0));
    let end = start + usize::from(data.get(1).copied().unwrap_or(0));
    let _ = n.snippet(start, end);
    let _ = n.snippet(end, start);
    let _ = normalize::snippet(&text, start, end);
    let _ = normalize::snippet(&n.lower, end, start);
}

/// Removes every `rangesFile` key: it names a file that `Engine::from_value` reads, and a fuzzer
/// that found `/dev/zero` would hang on it. What such a file holds is fuzzed below through the
/// same parsers (`Ranges::from_json`, `Ranges::parse`).
fn strip_files(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.remove("rangesFile");
            map.values_mut().for_each(strip_files);
        }
        serde_json::Value::Array(list) => list.iter_mut().for_each(strip_files),
        _ => {}
    }
}

/// Configuration: the input as JSON options for `Engine::from_value` (which reads every rule,
/// proxies, platform, DNS and bot-verification ranges) and for `parse_interval`; a built engine
/// then judges one request. The text is also read as an interval string and as a ranges file.
/// A configuration either builds or fails with a `PALISADE_CONFIG_*` error.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = palisade::ratelimit::parse_interval(
        &serde_json::Value::String(text.to_string()),
        "interval",
    );
    let _ = palisade::bot::verify::Ranges::parse(&text, "fuzz");
    let _ = palisade::bot::verify::Ranges::from_json(&text, "fuzz");
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    strip_files(&mut v);
    let _ = palisade::ratelimit::parse_interval(&v, "interval");
    match Engine::from_value(&v, Clock::manual(0)) {
        Ok(engine) => {
            let req = Request {
                method: "POST".into(),
                path: "/a/../b".into(),
                query: "id=1%27%20OR%201=1--&token=t".into(),
                headers: vec![
                    ("user-agent".into(), "curl/8.0".into()),
                    ("x-forwarded-for".into(), "203.0.113.7, 10.0.0.1".into()),
                    ("cookie".into(), "sid=abc".into()),
                    ("content-type".into(), "application/json".into()),
                ],
                peer: Some("10.0.0.2".into()),
                body: Some(br#"{"q":"<script>alert(1)</script>"}"#.to_vec()),
                ..Request::default()
            };
            let props = Props {
                values: vec![("userId".into(), "u1".into())],
                email: Some("jo@example.com".into()),
                ..Props::default()
            };
            let _ = engine.protect(&req, &props);
        }
        Err(e) => assert!(
            e.code().starts_with("PALISADE_CONFIG_"),
            "unexpected error code {}",
            e.code()
        ),
    }
}
