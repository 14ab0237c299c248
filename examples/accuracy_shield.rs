//! Accuracy report for the shield against the shared corpora.
//!
//! `cargo run --release --no-default-features --example accuracy_shield -- [CORPORA_DIR]`
//! (default `../shared/corpora`). Single payloads are sent as the query parameter `q`
//! (`GET /?q=<percent-encoded payload>`) with browser-like headers; CRS regression tests are sent as
//! the full requests they describe. Set `SHIELD_MISSES=<dir>` to write missed attacks and false
//! positives, one file per set, for study.

use palisade::shield::{Family, Input, Options, Report, Shield};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn browser_headers() -> Vec<(String, String)> {
    vec![
        ("Host".into(), "shop.example".into()),
        ("User-Agent".into(), "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36".into()),
        ("Accept".into(), "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8".into()),
        ("Accept-Language".into(), "en-US,en;q=0.5".into()),
        ("Accept-Encoding".into(), "gzip, deflate, br".into()),
    ]
}

fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            s.push(b as char);
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s
}

/// libinjection's reader: `+` is a space, `%XX` a byte.
fn url_decode(line: &str) -> Vec<u8> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

struct Probe {
    shield: Shield,
    headers: Vec<(String, String)>,
}

impl Probe {
    fn query(&self, payload: &[u8]) -> Report {
        let url = format!("/?q={}", encode(payload));
        self.shield.inspect(&Input {
            method: "GET",
            url: &url,
            headers: &self.headers,
            body: None,
            content_type: None,
        })
    }
}

#[derive(Default)]
struct Tally {
    total: usize,
    hit: usize,
    samples: Vec<String>,
}

impl Tally {
    fn add(&mut self, hit: bool, sample: impl FnOnce() -> String) {
        self.total += 1;
        if hit {
            self.hit += 1;
        } else {
            self.samples.push(sample());
        }
    }
    fn pct(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.hit as f64 / self.total as f64
        }
    }
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read(p)
        .map(|b| {
            String::from_utf8_lossy(&b)
                .split('\n')
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn jsonl(p: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn crs_family(category: &str) -> Option<Family> {
    match category {
        "sqli" => Some(Family::Sqli),
        "xss" => Some(Family::Xss),
        "lfi" => Some(Family::Traversal),
        "rce" => Some(Family::Cmdi),
        "scanner" => Some(Family::Scanner),
        "protocol-attack" => Some(Family::Crlf),
        _ => None,
    }
}

/// Method, URI, headers and body of a CRS test.
type Request = (String, String, Vec<(String, String)>, Option<Vec<u8>>);

fn crs_request(v: &serde_json::Value) -> Request {
    let method = v["method"].as_str().unwrap_or("GET").trim().to_owned();
    let uri = v["uri"].as_str().unwrap_or("/").to_owned();
    let mut headers: Vec<(String, String)> = v["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let body = v
        .get("sent_body")
        .and_then(|b| b.as_str())
        .or_else(|| v["body"].as_str())
        .map(|b| {
            if v.get("body_charset").and_then(|c| c.as_str()) == Some("latin-1") {
                b.chars().map(|c| c as u32 as u8).collect()
            } else {
                b.as_bytes().to_vec()
            }
        });
    if v.get("content_type_defaulted")
        .and_then(serde_json::Value::as_bool)
        == Some(true)
    {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    (method, uri, headers, body)
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/corpora"), PathBuf::from);
    let attacks = dir.join("attacks");
    if !attacks.is_dir() {
        eprintln!("accuracy_shield: no corpora at {} (expected an `attacks/` folder). Pass the corpora directory as the first argument.", dir.display());
        std::process::exit(2);
    }
    let misses_dir = std::env::var_os("SHIELD_MISSES").map(PathBuf::from);
    let probe = Probe {
        shield: Shield::new(Options::default()),
        headers: browser_headers(),
    };
    let mut recall: BTreeMap<String, Tally> = BTreeMap::new();
    let mut fp: BTreeMap<String, Tally> = BTreeMap::new();

    println!("shield accuracy, sensitivity MEDIUM (default)");
    println!("single payloads: sent as query parameter q (GET /?q=<percent-encoded payload>) with browser headers");
    println!("recall counts a finding of the expected family; CRS counts any finding (what a WAF blocks on)\n");

    // libinjection lines are URL-encoded input: decode to bytes, then send.
    for (file, family) in [
        ("libinjection-sqli.txt", Family::Sqli),
        ("libinjection-xss.txt", Family::Xss),
    ] {
        let t = recall.entry(file.to_owned()).or_default();
        for l in lines(&attacks.join(file)) {
            let r = probe.query(&url_decode(l.trim_end_matches([' ', '\t'])));
            t.add(r.has(family), || l.clone());
        }
    }
    for (file, family) in [
        ("pat-sqli.txt", Family::Sqli),
        ("pat-xss.txt", Family::Xss),
        ("pat-traversal.txt", Family::Traversal),
        ("pat-lfi.txt", Family::Traversal),
        ("pat-cmdi.txt", Family::Cmdi),
        ("pat-nosqli.txt", Family::Nosqli),
        ("pat-ssti.txt", Family::Ssti),
        ("pat-xxe.txt", Family::Xxe),
        ("pat-crlf.txt", Family::Crlf),
    ] {
        let t = recall.entry(file.to_owned()).or_default();
        for l in lines(&attacks.join(file)) {
            let r = probe.query(l.as_bytes());
            t.add(r.has(family), || l.clone());
        }
    }
    // Other families accept a nosqli-looking payload found by any family (operators vs JS).
    for v in jsonl(&attacks.join("httpparams-attacks.jsonl")) {
        let payload = v["payload"].as_str().unwrap_or("");
        let kind = v["attack_type"].as_str().unwrap_or("");
        let family = match kind {
            "sqli" => Family::Sqli,
            "xss" => Family::Xss,
            "path-traversal" => Family::Traversal,
            _ => Family::Cmdi,
        };
        let r = probe.query(payload.as_bytes());
        recall
            .entry(format!("httpparams-{kind}"))
            .or_default()
            .add(r.has(family), || payload.to_owned());
    }
    for v in jsonl(&attacks.join("blns.jsonl")) {
        let s = v["string"].as_str().unwrap_or("");
        let r = probe.query(s.as_bytes());
        match v["expect"].as_str() {
            Some("attack") => recall
                .entry("blns-attack (any family)".into())
                .or_default()
                .add(r.attack(), || s.to_owned()),
            Some("benign") => fp
                .entry("blns-benign".into())
                .or_default()
                .add(!r.attack(), || format!("{s}\t{:?}", r.findings)),
            _ => {}
        }
    }
    for file in [
        "benign-httpparams.txt",
        "benign-prose.txt",
        "benign-prose-codelike.txt",
        "benign-apostrophe-words.txt",
        "benign-libinjection-fp.txt",
    ] {
        let t = fp.entry(file.to_owned()).or_default();
        for l in lines(&attacks.join(file)) {
            let payload = if file == "benign-libinjection-fp.txt" {
                url_decode(l.trim_end_matches([' ', '\t']))
            } else {
                l.as_bytes().to_vec()
            };
            let r = probe.query(&payload);
            t.add(!r.attack(), || {
                format!(
                    "{l}\t{:?}",
                    r.findings
                        .iter()
                        .map(|f| (f.family.as_str(), f.score, f.snippet.clone()))
                        .collect::<Vec<_>>()
                )
            });
        }
    }

    // CRS: whole requests.
    let crs = jsonl(&attacks.join("crs.jsonl"));
    let attack_requests: HashSet<String> = crs
        .iter()
        .filter(|v| v["expect"] == "attack")
        .map(|v| {
            format!(
                "{}|{}|{}|{}",
                v["method"], v["uri"], v["headers"], v["body"]
            )
        })
        .collect();
    let mut crs_recall: BTreeMap<String, Tally> = BTreeMap::new();
    let mut crs_family_recall: BTreeMap<String, Tally> = BTreeMap::new();
    let mut crs_fp: BTreeMap<String, Tally> = BTreeMap::new();
    for v in &crs {
        let category = v["category"].as_str().unwrap_or("");
        if category.starts_with("response")
            || category == "correlation"
            || category == "blocking-evaluation"
        {
            continue;
        }
        let pl = v["rule_paranoia_level"].as_u64().unwrap_or(1);
        let band = if pl <= 2 { "PL1-2" } else { "PL3-4" };
        let (method, uri, headers, body) = crs_request(v);
        let ct = None;
        let report = probe.shield.inspect(&Input {
            method: &method,
            url: &uri,
            headers: &headers,
            body: body.as_deref(),
            content_type: ct,
        });
        let id = v["id"].as_str().unwrap_or("").to_owned();
        match v["expect"].as_str() {
            Some("attack") => {
                let found = report.attack();
                crs_recall
                    .entry(format!("{category} {band}"))
                    .or_default()
                    .add(found, || {
                        format!(
                            "{id}\t{uri}\t{:?}",
                            body.as_deref().map(String::from_utf8_lossy)
                        )
                    });
                if let Some(f) = crs_family(category) {
                    crs_family_recall
                        .entry(format!("{category} {band}"))
                        .or_default()
                        .add(report.has(f), || id.clone());
                }
            }
            Some("benign") => {
                let key = format!(
                    "{}|{}|{}|{}",
                    v["method"], v["uri"], v["headers"], v["body"]
                );
                if attack_requests.contains(&key) {
                    continue;
                }
                let flagged = match crs_family(category) {
                    Some(f) => report.has(f),
                    None => report.attack(),
                };
                crs_fp
                    .entry(category.to_owned())
                    .or_default()
                    .add(!flagged, || format!("{id}\t{uri}\t{:?}", report.findings));
            }
            _ => {}
        }
    }

    println!(
        "{:<36} {:>7} {:>7} {:>8}",
        "attack set", "total", "found", "recall"
    );
    for (k, t) in &recall {
        println!("{:<36} {:>7} {:>7} {:>7.2}%", k, t.total, t.hit, t.pct());
    }
    println!(
        "\n{:<36} {:>7} {:>7} {:>8} {:>8}",
        "CRS attack tests (category, PL)", "total", "found", "any", "family"
    );
    for (k, t) in &crs_recall {
        let fam = crs_family_recall
            .get(k)
            .map_or_else(|| "-".to_owned(), |f| format!("{:.2}%", f.pct()));
        println!(
            "{:<36} {:>7} {:>7} {:>7.2}% {:>8}",
            k,
            t.total,
            t.hit,
            t.pct(),
            fam
        );
    }
    println!(
        "\n{:<36} {:>7} {:>7} {:>8}",
        "benign set", "total", "flagged", "FP rate"
    );
    let mut fp_max: f64 = 0.0;
    for (k, t) in &fp {
        let rate = 100.0 - t.pct();
        fp_max = fp_max.max(rate);
        println!(
            "{:<36} {:>7} {:>7} {:>7.3}%",
            k,
            t.total,
            t.total - t.hit,
            rate
        );
    }
    println!(
        "\n{:<36} {:>7} {:>7} {:>8}",
        "CRS benign tests (own category only)", "total", "flagged", "FP rate"
    );
    for (k, t) in &crs_fp {
        println!(
            "{:<36} {:>7} {:>7} {:>7.3}%",
            k,
            t.total,
            t.total - t.hit,
            100.0 - t.pct()
        );
    }

    if let Some(d) = misses_dir {
        let _ = std::fs::create_dir_all(&d);
        for (k, t) in recall.iter().chain(crs_recall.iter()) {
            let _ = std::fs::write(
                d.join(format!("miss-{}.txt", k.replace([' ', '(', ')'], "_"))),
                t.samples.join("\n"),
            );
        }
        for (k, t) in fp.iter().chain(crs_fp.iter()) {
            let _ = std::fs::write(
                d.join(format!("fp-{}.txt", k.replace([' ', '(', ')'], "_"))),
                t.samples.join("\n"),
            );
        }
    }

    let min_of = |keys: &[&str]| {
        keys.iter()
            .filter_map(|k| recall.get(*k))
            .map(Tally::pct)
            .fold(100.0_f64, f64::min)
    };
    let crs_min = ["sqli PL1-2", "xss PL1-2", "lfi PL1-2", "rce PL1-2"]
        .iter()
        .filter_map(|k| crs_recall.get(*k))
        .map(Tally::pct)
        .fold(100.0_f64, f64::min);
    println!("\n(each *_recall line is the lowest recall among that family's sets; crs_pl12_recall the lowest of sqli, xss, lfi, rce at PL1-2)");
    println!(
        "sqli_recall: {:.2}%",
        min_of(&["libinjection-sqli.txt", "pat-sqli.txt", "httpparams-sqli"])
    );
    println!(
        "xss_recall: {:.2}%",
        min_of(&["libinjection-xss.txt", "pat-xss.txt", "httpparams-xss"])
    );
    println!(
        "traversal_recall: {:.2}%",
        min_of(&["pat-traversal.txt", "httpparams-path-traversal"])
    );
    println!(
        "cmdi_recall: {:.2}%",
        min_of(&["pat-cmdi.txt", "httpparams-cmdi"])
    );
    println!("crs_pl12_recall: {crs_min:.2}%");
    println!("benign_fp_max: {fp_max:.3}%");
}
