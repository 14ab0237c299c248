//! Runs the data-driven suites in `tests/fixtures/shield/<family>.toml`.

use palisade::shield::{Input, Options, Report, Shield};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(serde::Deserialize)]
struct Suite {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    source: String,
    part: String,
    input: String,
    attack: bool,
    family: Option<String>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shield")
}

fn suites() -> Vec<(String, Suite)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir()).expect("fixture folder exists") {
        let path = entry.expect("readable entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).expect("readable fixture");
            let suite: Suite =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                suite,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn encode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// Builds the request a case describes and inspects it.
fn run(shield: &Shield, c: &Case) -> Report {
    let mut headers = vec![
        ("Host".to_owned(), "app.example".to_owned()),
        ("Accept".to_owned(), "*/*".to_owned()),
    ];
    let mut url = "/".to_owned();
    let mut body: Option<Vec<u8>> = None;
    let mut ct: Option<&str> = None;
    match c.part.as_str() {
        "query" => url = format!("/search?q={}", encode(&c.input)),
        "rawquery" => url = format!("/search?{}", c.input),
        "path" => url = format!("/items/{}", encode(&c.input)),
        "rawpath" => url.clone_from(&c.input),
        "form" => {
            body = Some(format!("q={}", encode(&c.input)).into_bytes());
            ct = Some("application/x-www-form-urlencoded");
        }
        "json" => {
            body = Some(serde_json::json!({ "q": c.input }).to_string().into_bytes());
            ct = Some("application/json");
        }
        "rawjson" => {
            body = Some(c.input.clone().into_bytes());
            ct = Some("application/json");
        }
        "xml" => {
            body = Some(c.input.clone().into_bytes());
            ct = Some("application/xml");
        }
        "header" => headers.push(("X-Custom".to_owned(), c.input.clone())),
        "useragent" => headers.push(("User-Agent".to_owned(), c.input.clone())),
        "cookie" => headers.push(("Cookie".to_owned(), format!("session={}", c.input))),
        other => panic!("{}: unknown part {other}", c.name),
    }
    let method = if body.is_some() { "POST" } else { "GET" };
    shield.inspect(&Input {
        method,
        url: &url,
        headers: &headers,
        body: body.as_deref(),
        content_type: ct,
    })
}

#[test]
fn every_fixture_case_gets_the_expected_verdict() {
    let shield = Shield::new(Options::default());
    let mut failures = Vec::new();
    let mut count = 0;
    for (_, suite) in suites() {
        for c in &suite.case {
            count += 1;
            let r = run(&shield, c);
            let ok = match (&c.family, c.attack) {
                (Some(f), true) => r.findings.iter().any(|x| x.family.as_str() == f),
                (None, true) => r.attack(),
                (_, false) => !r.attack(),
            };
            if !ok {
                failures.push(format!(
                    "{} ({}): {:?} -> {:?}",
                    c.name, c.source, c.input, r.findings
                ));
            }
        }
    }
    assert!(count >= 60, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_case_names_are_unique_and_stepped_by_ten() {
    let mut seen = HashSet::new();
    for (file, suite) in suites() {
        let mut last = 0;
        for c in &suite.case {
            assert!(
                seen.insert(c.name.clone()),
                "duplicate case name {}",
                c.name
            );
            let (prefix, number) = c.name.rsplit_once('-').expect("name is <family>-<number>");
            assert_eq!(prefix, file, "{} lives in {file}.toml", c.name);
            let n: u32 = number.parse().expect("numeric suffix");
            assert!(
                n.is_multiple_of(10) && n > last,
                "{}: numbers step by 10 and increase",
                c.name
            );
            last = n;
            assert!(!c.source.is_empty(), "{} names its source", c.name);
        }
    }
}
