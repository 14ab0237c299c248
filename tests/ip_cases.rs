//! Client-address resolution against the data suite in `tests/fixtures/ip.toml`.

use std::collections::HashSet;

use palisade::engine::{Engine, Props, Request};
use palisade::ratelimit::Clock;
use serde::Deserialize;

#[derive(Deserialize)]
struct Suite {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[allow(dead_code)] // Read by people: where the case comes from.
    source: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    peer: Option<String>,
    #[serde(default)]
    proxies: Vec<String>,
    expect: String,
}

fn suite() -> Suite {
    toml::from_str(include_str!("fixtures/ip.toml")).expect("ip.toml parses")
}

#[test]
fn case_names_are_unique() {
    let mut seen = HashSet::new();
    for c in suite().case {
        assert!(
            seen.insert(c.name.clone()),
            "duplicate case name {}",
            c.name
        );
    }
}

#[test]
fn every_case_resolves_to_its_expected_client() {
    let mut failures = Vec::new();
    for c in suite().case {
        let options = serde_json::json!({ "rules": [], "proxies": c.proxies });
        let engine = Engine::from_value(&options, Clock::manual(0)).expect("valid options");
        let req = Request {
            method: "GET".into(),
            path: "/".into(),
            headers: c.headers.clone(),
            peer: c.peer.clone(),
            ..Request::default()
        };
        let got = engine
            .protect(&req, &Props::default())
            .ip
            .address
            .unwrap_or_else(|| "unknown".into());
        if got != c.expect {
            failures.push(format!("{}: expected {}, got {got}", c.name, c.expect));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
