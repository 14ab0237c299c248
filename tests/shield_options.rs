//! Options parsing and per-field exclusions.

use palisade::shield::{
    Family, Input, Options, Sensitivity, Shield, DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES,
};
use serde_json::json;

#[test]
fn reads_options_and_accepts_engine_keys() {
    let v = json!({"type": "SHIELD", "mode": "LIVE", "threshold": 3, "blockFor": "1h", "sensitivity": "HIGH", "exclude": ["body.content", "header.X-Html"], "maxBodyBytes": 1024, "bodyTimeoutMs": 250});
    let o = Options::from_value(&v, "rules[0]").expect("valid options");
    assert_eq!(o.body_timeout_ms, 250);
    assert_eq!(o.sensitivity, Sensitivity::High);
    assert_eq!(
        o.exclude,
        vec!["body.content".to_owned(), "header.x-html".to_owned()]
    );
    assert_eq!(o.max_body_bytes, 1024);
    let d = Options::from_value(&json!({}), "").expect("empty is fine");
    assert_eq!(d, Options::default());
    assert_eq!(d.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert_eq!(d.body_timeout_ms, DEFAULT_BODY_TIMEOUT_MS);
}

#[test]
fn rejects_bad_options_with_stable_codes_and_paths() {
    let e = Options::from_value(&json!({"sensitivity": "max"}), "rules[0]").unwrap_err();
    assert_eq!(e.code(), "PALISADE_CONFIG_UNKNOWN");
    assert_eq!(e.path, "rules[0].sensitivity");
    let e = Options::from_value(&json!({"maxBodyBytes": 0}), "rules[0]").unwrap_err();
    assert_eq!(e.code(), "PALISADE_CONFIG_RANGE");
    for bad in [json!(0), json!(60_001), json!("5s"), json!(1.5)] {
        let e = Options::from_value(&json!({ "bodyTimeoutMs": bad }), "rules[0]").unwrap_err();
        assert_eq!(e.path, "rules[0].bodyTimeoutMs", "{bad}");
    }
    // A direct inspection reads no stream, so the key would do nothing there.
    let e = Options::from_direct(&json!({"bodyTimeoutMs": 100}), "detectAttacks()").unwrap_err();
    assert_eq!(e.code(), "PALISADE_CONFIG_UNKNOWN");
    let e = Options::from_value(&json!({"exclude": "body"}), "r").unwrap_err();
    assert_eq!(e.code(), "PALISADE_CONFIG_TYPE");
    let e = Options::from_value(&json!({"exlude": []}), "r").unwrap_err();
    assert_eq!(
        (e.code(), e.path.as_str()),
        ("PALISADE_CONFIG_UNKNOWN", "r.exlude")
    );
}

#[test]
fn excluded_fields_are_not_inspected_but_others_are() {
    let opts = Options {
        exclude: vec!["body.content".into(), "header.x-html".into()],
        ..Options::default()
    };
    let shield = Shield::new(opts);
    let body = br#"{"content": "<script>alert(1)</script>", "title": "<script>alert(2)</script>"}"#;
    let headers = vec![("X-Html".to_owned(), "<script>alert(3)</script>".to_owned())];
    let r = shield.inspect(&Input {
        method: "POST",
        url: "/",
        headers: &headers,
        body: Some(body),
        content_type: Some("application/json"),
    });
    let locations: Vec<&str> = r.findings.iter().map(|f| f.location.as_str()).collect();
    assert!(locations.contains(&"body.title"), "{locations:?}");
    assert!(
        !locations
            .iter()
            .any(|l| l.starts_with("body.content") || *l == "header.x-html"),
        "{locations:?}"
    );
}

#[test]
fn sensitivity_trades_recall_for_false_positives() {
    // A lone `../` inside a sentence is a weak signal: reported only at HIGH.
    let url = "/?q=see%20the%20docs%20in%20foo/../bar";
    let at = |s: Sensitivity| {
        Shield::new(Options {
            sensitivity: s,
            ..Options::default()
        })
        .inspect(&Input {
            method: "GET",
            url,
            headers: &[],
            body: None,
            content_type: None,
        })
        .has(Family::Traversal)
    };
    assert!(at(Sensitivity::High));
    assert!(!at(Sensitivity::Medium));
    assert!(!at(Sensitivity::Low));
}

#[test]
fn snippets_are_short_and_escaped() {
    let url = "/?q=%0a%0d%27%20OR%201=1--%20".to_owned() + &"x".repeat(500);
    let r = Shield::new(Options::default()).inspect(&Input {
        method: "GET",
        url: &url,
        headers: &[],
        body: None,
        content_type: None,
    });
    assert!(r.attack());
    for f in &r.findings {
        assert!(f.snippet.chars().count() <= 64, "{}", f.snippet);
        assert!(!f.snippet.contains(['\n', '\r']), "{}", f.snippet);
    }
}
