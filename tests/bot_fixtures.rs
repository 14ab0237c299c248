//! The labelled UA fixture: every case gets the verdict (and, where given, the exact ids) it names.

use std::collections::HashSet;

use palisade::bot::Detector;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    ua: String,
    bot: bool,
    ids: Option<Vec<String>>,
    source: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/bot_labels.toml");
    toml::from_str::<Fixture>(text)
        .expect("fixture parses")
        .case
}

#[test]
fn fixture_case_names_are_unique_and_stepped_by_ten() {
    let mut seen = HashSet::new();
    for case in cases() {
        assert!(
            seen.insert(case.name.clone()),
            "duplicate case name {}",
            case.name
        );
        let number: u32 = case
            .name
            .strip_prefix("bot-")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        assert_eq!(number % 10, 0, "{} is not stepped by 10", case.name);
        assert!(
            !case.source.trim().is_empty(),
            "{} has no source",
            case.name
        );
    }
}

#[test]
fn every_fixture_case_gets_its_labelled_verdict_and_ids() {
    let detector = Detector::builtin();
    let mut failures = Vec::new();
    for case in cases() {
        let got = detector.classify(&case.ua);
        if got.bot != case.bot || detector.is_bot(&case.ua) != case.bot {
            failures.push(format!(
                "{}: expected bot={} got {:?}",
                case.name, case.bot, got.ids
            ));
            continue;
        }
        if let Some(ids) = &case.ids {
            let got_ids: Vec<&str> = got.ids.iter().map(AsRef::as_ref).collect();
            if got_ids != ids.iter().map(String::as_str).collect::<Vec<_>>() {
                failures.push(format!(
                    "{}: expected ids {ids:?}, got {got_ids:?}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
