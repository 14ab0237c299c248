//! Allow/deny rules and custom bots: parsing with exact error paths and codes, and evaluation.

use palisade::bot::{BotRule, Category, CustomBot, Detector, EmptyUaPolicy, Entry};
use palisade::config::ConfigErrorKind;
use serde_json::json;

const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const CURL: &str = "curl/8.5.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

fn rule(v: serde_json::Value) -> BotRule {
    BotRule::from_value(&v, "rules[0]").expect("valid rule")
}

#[test]
fn allow_list_denies_every_detected_bot_not_listed() {
    let detector = Detector::builtin();
    let r = rule(json!({"type": "BOT", "mode": "LIVE", "allow": ["CATEGORY:SEARCH_ENGINE"]}));
    assert!(!r.evaluate(detector, Some(GOOGLEBOT)).denied);
    assert!(r.evaluate(detector, Some(CURL)).denied);
    let human = r.evaluate(detector, Some(CHROME));
    assert!(!human.denied && !human.classification.bot);
}

#[test]
fn deny_list_denies_only_listed_bots() {
    let detector = Detector::builtin();
    let r = rule(json!({"deny": ["CURL", "CATEGORY:AI_CRAWLER"]}));
    assert!(r.evaluate(detector, Some(CURL)).denied);
    assert!(
        r.evaluate(detector, Some("Mozilla/5.0 (compatible; GPTBot/1.2)"))
            .denied
    );
    assert!(!r.evaluate(detector, Some(GOOGLEBOT)).denied);
    assert!(!r.evaluate(detector, Some(CHROME)).denied);
}

#[test]
fn allow_list_by_id_lets_that_bot_through() {
    let r = rule(json!({"allow": ["GOOGLE_CRAWLER"]}));
    let verdict = r.evaluate(Detector::builtin(), Some(GOOGLEBOT));
    assert!(!verdict.denied);
    assert_eq!(verdict.classification.categories, [Category::SearchEngine]);
}

#[test]
fn missing_or_empty_ua_follows_the_policy_and_defaults_to_bot() {
    let detector = Detector::builtin();
    let default = rule(json!({"allow": []}));
    assert_eq!(default.empty_ua, EmptyUaPolicy::Bot);
    assert!(default.evaluate(detector, None).denied);
    assert!(default.evaluate(detector, Some("  ")).denied);
    let allowed = rule(json!({"allow": ["UNKNOWN_BOT"]}));
    assert!(!allowed.evaluate(detector, None).denied);
    let human = rule(json!({"allow": [], "emptyUserAgent": "HUMAN"}));
    let verdict = human.evaluate(detector, None);
    assert!(!verdict.denied && !verdict.classification.bot);
}

#[test]
fn unknown_id_in_a_list_fails_with_its_path() {
    let err = BotRule::from_value(
        &json!({"allow": ["GOOGLE_CRAWLER", "GOGLE_CRAWLER"]}),
        "rules[1]",
    )
    .unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Unknown);
    assert_eq!(err.code(), "PALISADE_CONFIG_UNKNOWN");
    assert_eq!(err.path, "rules[1].allow[1]");
    assert!(err.value.contains("GOGLE_CRAWLER"));
}

#[test]
fn unknown_category_fails_with_its_path() {
    let err = BotRule::from_value(&json!({"deny": ["CATEGORY:ROBOTS"]}), "r").unwrap_err();
    assert_eq!(
        (err.kind, err.path.as_str()),
        (ConfigErrorKind::Unknown, "r.deny[0]")
    );
}

#[test]
fn both_or_neither_list_is_rejected() {
    let both = BotRule::from_value(&json!({"allow": [], "deny": []}), "r").unwrap_err();
    assert_eq!(
        (both.kind, both.path.as_str()),
        (ConfigErrorKind::Type, "r.deny")
    );
    let neither = BotRule::from_value(&json!({"mode": "LIVE"}), "r").unwrap_err();
    assert_eq!(
        (neither.kind, neither.path.as_str()),
        (ConfigErrorKind::Missing, "r.allow")
    );
}

#[test]
fn misspelt_keys_and_bad_values_are_rejected_with_paths() {
    let typo = BotRule::from_value(&json!({"alow": []}), "r").unwrap_err();
    assert_eq!(
        (typo.kind, typo.path.as_str()),
        (ConfigErrorKind::Unknown, "r.alow")
    );
    let policy =
        BotRule::from_value(&json!({"allow": [], "emptyUserAgent": "maybe"}), "r").unwrap_err();
    assert_eq!(
        (policy.kind, policy.path.as_str()),
        (ConfigErrorKind::Unknown, "r.emptyUserAgent")
    );
    let not_list = BotRule::from_value(&json!({"allow": "CURL"}), "r").unwrap_err();
    assert_eq!(
        (not_list.kind, not_list.path.as_str()),
        (ConfigErrorKind::Type, "r.allow")
    );
    let not_object = BotRule::from_value(&json!(["CURL"]), "r").unwrap_err();
    assert_eq!(
        (not_object.kind, not_object.path.as_str()),
        (ConfigErrorKind::Type, "r")
    );
}

#[test]
fn entries_parse_ids_and_categories() {
    let d = Detector::builtin();
    assert_eq!(
        Entry::parse("CURL", "p", d).unwrap(),
        Entry::Id("CURL".into())
    );
    assert_eq!(
        Entry::parse("CATEGORY:HEADLESS", "p", d).unwrap(),
        Entry::Category(Category::Headless)
    );
    assert!(Entry::parse("curl", "p", d).is_err());
}

fn custom(id: &str, pattern: &str) -> CustomBot {
    CustomBot {
        id: id.into(),
        category: Category::Monitor,
        pattern: pattern.into(),
    }
}

#[test]
fn custom_bots_are_detected_and_usable_in_rules() {
    let detector = Detector::with_custom(vec![custom("ACME_PROBE", r"acme-probe/\d+")]).unwrap();
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 ACME-Probe/3";
    let got = detector.classify(ua);
    assert_eq!(
        got.ids.iter().map(AsRef::as_ref).collect::<Vec<&str>>(),
        ["ACME_PROBE"]
    );
    assert!(detector.is_known_id("ACME_PROBE") && !Detector::builtin().is_known_id("ACME_PROBE"));
    let r = BotRule::from_value_with(&json!({"deny": ["ACME_PROBE"]}), "r", &detector).unwrap();
    assert!(r.evaluate(&detector, Some(ua)).denied);
    assert!(r.evaluate(&detector, Some(GOOGLEBOT)).classification.bot);
}

#[test]
fn invalid_custom_pattern_fails_naming_its_index() {
    let err = Detector::with_custom(vec![
        custom("A_BOT", "ok"),
        custom("B_BOT", "xyzzy-bot"),
        custom("C_BOT", "(unclosed"),
    ])
    .unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Pattern);
    assert_eq!(err.code(), "PALISADE_CONFIG_PATTERN");
    assert_eq!(err.path, "custom[2].pattern");
}

#[test]
fn oversized_custom_pattern_is_rejected() {
    let huge =
        Detector::with_custom(vec![custom("BIG_BOT", r"\w{1000}\w{1000}\w{1000}")]).unwrap_err();
    assert_eq!(
        (huge.kind, huge.path.as_str()),
        (ConfigErrorKind::Pattern, "custom[0].pattern")
    );
    let long = Detector::with_custom(vec![custom("LONG_BOT", &"a".repeat(5000))]).unwrap_err();
    assert_eq!(
        (long.kind, long.path.as_str()),
        (ConfigErrorKind::Pattern, "custom[0].pattern")
    );
}

#[test]
fn a_custom_pattern_that_matches_every_visitor_is_refused() {
    for pattern in [
        "",
        ".*",
        "x*",
        "^",
        "(?:)",
        ".",
        "mozilla",
        "Safari/",
        "gecko",
        "android",
        "Intel Mac",
        "Edg/",
        "OPR/",
        r"K\)",
        "iPad",
    ] {
        let err = Detector::with_custom(vec![custom("ALL_BOT", pattern)]).unwrap_err();
        assert_eq!(
            (err.kind, err.path.as_str()),
            (ConfigErrorKind::Pattern, "custom[0].pattern"),
            "{pattern:?}"
        );
        assert!(err.to_string().contains("every visitor"), "{err}");
    }
    // Patterns naming a real bot, even loosely, are fine.
    assert!(Detector::with_custom(vec![custom("ACME_BOT", "acme")]).is_ok());
}

#[test]
fn custom_ids_must_be_new_and_well_formed() {
    let taken = Detector::with_custom(vec![custom("CURL", "x")]).unwrap_err();
    assert_eq!(
        (taken.kind, taken.path.as_str()),
        (ConfigErrorKind::Unknown, "custom[0].id")
    );
    let twice = Detector::with_custom(vec![custom("MY_BOT", "acme"), custom("MY_BOT", "zzbot")])
        .unwrap_err();
    assert_eq!(twice.path, "custom[1].id");
    let lower = Detector::with_custom(vec![custom("my_bot", "x")]).unwrap_err();
    assert_eq!(
        (lower.kind, lower.path.as_str()),
        (ConfigErrorKind::Type, "custom[0].id")
    );
    let long = Detector::with_custom(vec![custom(&"B".repeat(65), "acme")]).unwrap_err();
    assert_eq!(
        (long.kind, long.path.as_str()),
        (ConfigErrorKind::Type, "custom[0].id")
    );
    assert!(long.to_string().contains("65 bytes"), "{long}");
    assert!(Detector::with_custom(vec![custom(&"B".repeat(64), "acme")]).is_ok());
}

#[test]
fn a_rule_can_add_custom_bots_with_ids_and_categories() {
    let r = rule(json!({
        "deny": ["ACME_PROBE", "CATEGORY:AI_CRAWLER"],
        "custom": [{ "id": "ACME_PROBE", "pattern": "acme-probe/[0-9]", "category": "MONITOR" }]
    }));
    let v = r.evaluate(
        r.detector(),
        Some("Mozilla/5.0 (compatible; acme-probe/2.1)"),
    );
    assert!(v.denied);
    assert_eq!(v.classification.ids.len(), 1);
    assert_eq!(&*v.classification.ids[0], "ACME_PROBE");
    assert_eq!(v.classification.categories, vec![Category::Monitor]);
    assert!(!r.evaluate(r.detector(), Some(CHROME)).denied);
    let err = BotRule::from_value(
        &json!({ "deny": [], "custom": [{ "id": "GOOGLE_CRAWLER", "pattern": "x", "category": "MONITOR" }] }),
        "rules[2]",
    )
    .unwrap_err();
    assert_eq!(err.path, "rules[2].custom[0].id");
    let err = BotRule::from_value(
        &json!({ "deny": [], "custom": [{ "id": "X_BOT", "pattern": "(", "category": "MONITOR" }] }),
        "rules[0]",
    )
    .unwrap_err();
    assert_eq!(err.path, "rules[0].custom[0].pattern");
    let err = BotRule::from_value(
        &json!({ "deny": [], "custom": [{ "id": "X_BOT", "pattern": "x", "category": "ROBOT" }] }),
        "rules[0]",
    )
    .unwrap_err();
    assert_eq!(err.kind, ConfigErrorKind::Unknown);
}
