//! Checks against the shared corpora when they are present (`PALISADE_CORPORA` or
//! `../shared/corpora`); prints why it skips otherwise. The full report is
//! `examples/accuracy_shield.rs`.

use palisade::shield::{Input, Options, Shield};
use std::path::PathBuf;

fn corpora() -> Option<PathBuf> {
    let p = std::env::var_os("PALISADE_CORPORA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"),
        PathBuf::from,
    );
    if p.join("attacks").is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: no corpora at {} (set PALISADE_CORPORA)",
            p.display()
        );
        None
    }
}

#[test]
fn apostrophe_words_never_score() {
    let Some(dir) = corpora() else { return };
    let text =
        std::fs::read_to_string(dir.join("attacks/benign-apostrophe-words.txt")).expect("readable");
    let shield = Shield::new(Options::default());
    let mut flagged = Vec::new();
    for word in text.split('\n').filter(|l| !l.is_empty()) {
        let body = serde_json::json!({ "name": word }).to_string();
        let r = shield.inspect(&Input {
            method: "POST",
            url: "/",
            headers: &[],
            body: Some(body.as_bytes()),
            content_type: Some("application/json"),
        });
        if r.attack() {
            flagged.push(word.to_owned());
        }
    }
    assert!(
        flagged.is_empty(),
        "{} flagged: {:?}",
        flagged.len(),
        &flagged[..flagged.len().min(10)]
    );
}

#[test]
fn libinjection_unit_cases_that_are_attacks_are_mostly_found() {
    let Some(dir) = corpora() else { return };
    let text = std::fs::read_to_string(dir.join("attacks/libinjection-sqli-unit.jsonl"))
        .expect("readable");
    let shield = Shield::new(Options::default());
    let (mut total, mut found) = (0, 0);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        if v["expect"] != "attack" {
            continue;
        }
        total += 1;
        let body = serde_json::json!({ "q": v["input"] }).to_string();
        let r = shield.inspect(&Input {
            method: "POST",
            url: "/",
            headers: &[],
            body: Some(body.as_bytes()),
            content_type: Some("application/json"),
        });
        found += usize::from(r.attack());
    }
    eprintln!("libinjection unit attacks found: {found}/{total}");
    assert!(total > 0 && found * 2 >= total, "{found}/{total}");
}
