//! The labelled addresses in `tests/fixtures/email/addresses.toml`.

use std::collections::HashSet;

use palisade::email::{validate, Options};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    address: String,
    valid: bool,
    #[serde(default)]
    normalized: Option<String>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    suggestion: Option<String>,
    source: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/email/addresses.toml");
    toml::from_str::<File>(text).expect("fixture parses").case
}

#[test]
fn fixture_names_are_unique_stepped_by_ten_and_sourced() {
    let cases = cases();
    assert!(cases.len() >= 20);
    let mut seen = HashSet::new();
    for c in &cases {
        assert!(seen.insert(c.name.clone()), "duplicate {}", c.name);
        let n: u32 = c
            .name
            .trim_start_matches("addr-")
            .parse()
            .expect("addr-NNN");
        assert_eq!(n % 10, 0, "{}", c.name);
        assert!(!c.source.trim().is_empty(), "{} has no source", c.name);
    }
}

#[test]
fn fixture_addresses_get_their_labelled_verdicts() {
    let mut failures = Vec::new();
    for c in cases() {
        let v = validate(&c.address, &Options::default());
        let types: Vec<&str> = if v.valid {
            v.types.iter().map(|t| t.as_str()).collect()
        } else {
            Vec::new()
        };
        let reason = v.reasons.first().map(|r| r.as_str());
        let ok = v.valid == c.valid
            && v.normalized == c.normalized
            && (!c.valid || types == c.types)
            && reason == c.reason.as_deref()
            && v.suggestion == c.suggestion;
        if !ok {
            failures.push(format!("{} {:?}: got {v:?}", c.name, c.address));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
