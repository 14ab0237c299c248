//! The shield rule in the engine: attacks in any request part are denied with their findings, a
//! client that keeps attacking is blocked even for clean requests until the block ends, and
//! `DRY_RUN` reports without blocking.

use palisade::engine::{Conclusion, Engine, Props, Reason, Request};
use palisade::ratelimit::Clock;
use serde_json::json;

fn req(ip: &str, path: &str, query: &str, body: Option<(&str, &str)>) -> Request {
    let mut headers = vec![(
        "user-agent".to_owned(),
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0".to_owned(),
    )];
    if let Some((ct, _)) = body {
        headers.push(("content-type".to_owned(), ct.to_owned()));
    }
    Request {
        method: if body.is_some() { "POST" } else { "GET" }.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        peer: Some(ip.to_owned()),
        body: body.map(|(_, b)| b.as_bytes().to_vec()),
        ..Request::default()
    }
}

fn engine(clock: &Clock, rule: serde_json::Value) -> Engine {
    Engine::from_value(&json!({ "rules": [rule] }), clock.clone()).expect("valid options")
}

fn findings(r: &Reason) -> Vec<(String, String)> {
    match r {
        Reason::Shield { findings, .. } => findings
            .iter()
            .map(|f| (f.family.to_owned(), f.location.clone()))
            .collect(),
        other => panic!("not a shield reason: {other:?}"),
    }
}

#[test]
fn attacks_in_query_json_body_and_path_are_denied_with_where_they_were_found() {
    let clock = Clock::manual(1_000_000);
    let e = engine(
        &clock,
        json!({ "type": "SHIELD", "threshold": 0, "blockFor": "1m" }),
    );
    let d = e.protect(
        &req("203.0.113.1", "/items", "id=1%27%20OR%201%3D1--", None),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Deny);
    assert!(findings(&d.reason).contains(&("sqli".into(), "query.id".into())));
    // at-060: SQL injection inside a nested JSON value.
    let body = r#"{"text":"') AND (SELECT 1970 FROM (SELECT(SLEEP(5)))pQyY)-- pLgG"}"#;
    let d = e.protect(
        &req("203.0.113.1", "/api", "", Some(("application/json", body))),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Deny);
    assert!(
        findings(&d.reason).contains(&("sqli".into(), "body.text".into())),
        "{:?}",
        d.reason
    );
    // A benign JSON body with quotes and apostrophes passes.
    let body = r#"{"name":"O'Brien","note":"Workers' Union (MMWS) said \"hello\" -- twice"}"#;
    let d = e.protect(
        &req("203.0.113.1", "/api", "", Some(("application/json", body))),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Allow, "{:?}", d.reason);
    let d = e.protect(
        &req("203.0.113.1", "/files/..%2f..%2fetc/passwd", "", None),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Deny);
}

#[test]
fn a_client_that_keeps_attacking_is_blocked_for_clean_requests_until_the_block_ends() {
    let clock = Clock::manual(1_000_000);
    let e = engine(
        &clock,
        json!({ "type": "SHIELD", "threshold": 2, "blockFor": "10m", "name": "t" }),
    );
    let attack = || {
        req(
            "198.51.100.7",
            "/",
            "q=%3Cscript%3Ealert(1)%3C/script%3E",
            None,
        )
    };
    let clean = || req("198.51.100.7", "/", "q=shoes", None);
    assert_eq!(
        e.protect(&clean(), &Props::default()).conclusion,
        Conclusion::Allow
    );
    assert_eq!(
        e.protect(&attack(), &Props::default()).conclusion,
        Conclusion::Deny
    );
    assert_eq!(
        e.protect(&clean(), &Props::default()).conclusion,
        Conclusion::Allow,
        "one strike is not a block"
    );
    let d = e.protect(&attack(), &Props::default());
    assert!(
        matches!(
            d.reason,
            Reason::Shield {
                blocked: true,
                reset_secs: 600,
                ..
            }
        ),
        "{:?}",
        d.reason
    );
    let d = e.protect(&clean(), &Props::default());
    assert_eq!(d.conclusion, Conclusion::Deny);
    assert!(
        matches!(&d.reason, Reason::Shield { blocked: true, findings, .. } if findings.is_empty())
    );
    // Another client is not affected.
    assert_eq!(
        e.protect(
            &req("198.51.100.8", "/", "q=shoes", None),
            &Props::default()
        )
        .conclusion,
        Conclusion::Allow
    );
    clock.advance(599_000);
    assert_eq!(
        e.protect(&clean(), &Props::default()).conclusion,
        Conclusion::Deny
    );
    clock.advance(1_000);
    assert_eq!(
        e.protect(&clean(), &Props::default()).conclusion,
        Conclusion::Allow,
        "the block ended"
    );
}

#[test]
fn dry_run_reports_attacks_but_never_denies_or_blocks() {
    let clock = Clock::manual(1_000_000);
    let e = engine(
        &clock,
        json!({ "type": "SHIELD", "mode": "DRY_RUN", "threshold": 1, "blockFor": "10m" }),
    );
    let d = e.protect(
        &req(
            "192.0.2.1",
            "/",
            "x=%24%7Bjndi%3Aldap%3A%2F%2Fx%2Fa%7D",
            None,
        ),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert_eq!(d.results[0].conclusion, Conclusion::Deny);
    let d = e.protect(&req("192.0.2.1", "/", "x=1", None), &Props::default());
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert_eq!(d.results[0].conclusion, Conclusion::Allow);
}

#[test]
fn bad_shield_options_fail_with_the_key_path() {
    for (rule, path) in [
        (
            json!({ "type": "SHIELD", "threshold": 5000 }),
            "rules[0].threshold",
        ),
        (
            json!({ "type": "SHIELD", "blockFor": "soon" }),
            "rules[0].blockFor",
        ),
        (
            json!({ "type": "SHIELD", "sensitivity": "PARANOID" }),
            "rules[0].sensitivity",
        ),
        (
            json!({ "type": "SHIELD", "exclude": [""] }),
            "rules[0].exclude[0]",
        ),
    ] {
        let err = Engine::from_value(&json!({ "rules": [rule] }), Clock::System)
            .err()
            .expect("rejected");
        assert_eq!(err.path, path);
        assert!(err.code().starts_with("PALISADE_CONFIG_"));
    }
}

fn caps(r: &Reason) -> Vec<&'static str> {
    match r {
        Reason::Shield { caps, .. } => caps.clone(),
        other => panic!("not a shield reason: {other:?}"),
    }
}

/// An attack placed after 1,024 harmless values is past what the shield inspects: the request is
/// denied for that (`uninspected: "DENY"`, the default) and says why in `caps`, whatever sits in
/// the uninspected part; `"ALLOW"` lets it through and still reports the cap.
#[test]
fn values_or_headers_left_uninspected_deny_by_default_and_are_reported() {
    let clock = Clock::manual(1_000_000);
    let padded: String = (0..1100)
        .map(|i| format!("p{i}=x"))
        .collect::<Vec<_>>()
        .join("&")
        + "&id=1%27%20OR%201%3D1--";
    let strict = engine(&clock, json!({ "type": "SHIELD", "threshold": 0 }));
    let d = strict.protect(
        &req("203.0.113.9", "/items", &padded, None),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Deny);
    assert!(
        findings(&d.reason).is_empty(),
        "the attack itself was not inspected"
    );
    assert_eq!(caps(&d.reason), vec!["VALUES"]);

    let lenient = engine(
        &clock,
        json!({ "type": "SHIELD", "threshold": 0, "uninspected": "ALLOW" }),
    );
    let d = lenient.protect(
        &req("203.0.113.9", "/items", &padded, None),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert_eq!(caps(&d.reason), vec!["VALUES"]);

    // 70 header lines: the 65th on is not read.
    let mut r = req("203.0.113.9", "/items", "", None);
    for i in 0..70 {
        r.headers.push((format!("x-h{i}"), "v".to_owned()));
    }
    let d = strict.protect(&r, &Props::default());
    assert_eq!(d.conclusion, Conclusion::Deny);
    assert_eq!(caps(&d.reason), vec!["HEADERS"]);

    // A clean request reaches no cap; a long value is cut, inspected from its start, and allowed.
    let d = strict.protect(
        &req("203.0.113.9", "/items", "q=shoes", None),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert!(caps(&d.reason).is_empty());
    let long = format!(r#"{{"note":"{}"}}"#, "a".repeat(20_000));
    let d = strict.protect(
        &req(
            "203.0.113.9",
            "/items",
            "",
            Some(("application/json", &long)),
        ),
        &Props::default(),
    );
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert_eq!(caps(&d.reason), vec!["VALUE_BYTES"]);

    let bad = Engine::from_value(
        &json!({ "rules": [{ "type": "SHIELD", "uninspected": "MAYBE" }] }),
        clock.clone(),
    );
    let err = bad
        .err()
        .expect("an unknown choice is a configuration error");
    assert!(err.to_string().contains("uninspected"), "{err}");
}

fn body_of(r: &Reason) -> &'static str {
    match r {
        Reason::Shield { body, .. } => body,
        other => panic!("not a shield reason: {other:?}"),
    }
}

/// A body that stopped arriving before the wrapper's wait ran out: what came is inspected, and
/// since the rest may still reach the application uninspected (an attack held back past the
/// wait), the request is denied unless `uninspected: "ALLOW"`. A body that could not be read at
/// all (already used, a failed stream) is judged on the other parts and allowed.
#[test]
fn an_incomplete_body_is_inspected_as_far_as_it_came_and_denied_unless_allowed() {
    let clock = Clock::manual(1_000_000);
    let form = "application/x-www-form-urlencoded";
    let strict = engine(&clock, json!({ "type": "SHIELD", "threshold": 0 }));
    let lenient = engine(
        &clock,
        json!({ "type": "SHIELD", "threshold": 0, "uninspected": "ALLOW" }),
    );
    let incomplete = |body: &str| Request {
        body_unreadable: true,
        ..req("203.0.113.9", "/comments", "", Some((form, body)))
    };

    let d = lenient.protect(
        &incomplete("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        &Props::default(),
    );
    assert_eq!(
        d.conclusion,
        Conclusion::Deny,
        "the part that came is inspected"
    );
    assert!(findings(&d.reason).contains(&("xss".to_owned(), "body.q".to_owned())));
    assert_eq!(
        (body_of(&d.reason), caps(&d.reason)),
        ("INCOMPLETE", vec!["BODY_INCOMPLETE"])
    );

    let d = strict.protect(&incomplete("q=shoes"), &Props::default());
    assert_eq!(d.conclusion, Conclusion::Deny, "the rest was never seen");
    assert!(findings(&d.reason).is_empty());
    assert_eq!(caps(&d.reason), vec!["BODY_INCOMPLETE"]);
    let d = strict.protect(&incomplete(""), &Props::default());
    assert_eq!(
        (d.conclusion, body_of(&d.reason)),
        (Conclusion::Deny, "INCOMPLETE")
    );
    let d = lenient.protect(&incomplete("q=shoes"), &Props::default());
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert_eq!(body_of(&d.reason), "INCOMPLETE");

    let unreadable = Request {
        body_unreadable: true,
        body: None,
        ..req("203.0.113.9", "/comments", "", Some((form, "")))
    };
    let d = strict.protect(&unreadable, &Props::default());
    assert_eq!(
        (d.conclusion, body_of(&d.reason)),
        (Conclusion::Allow, "UNREADABLE")
    );
    assert!(caps(&d.reason).is_empty());
}

/// What the caller reads of a body: the largest cap of any shield rule, and the shortest wait of
/// the `LIVE` ones (a `DRY_RUN` rule never shortens it), or of the `DRY_RUN` ones when none is `LIVE`.
#[test]
fn the_body_read_comes_from_the_shield_rules() {
    use palisade::engine::BodyRead;
    let build = |rules: serde_json::Value| {
        Engine::from_value(&json!({ "rules": rules }), Clock::manual(0)).expect("valid options")
    };
    assert_eq!(build(json!([])).body_read(), None);
    assert_eq!(
        build(json!([{ "type": "SHIELD" }])).body_read(),
        Some(BodyRead {
            max_bytes: 64 * 1024,
            timeout_ms: 5_000
        })
    );
    let mixed = build(json!([
        { "type": "SHIELD", "maxBodyBytes": 1024, "bodyTimeoutMs": 3000 },
        { "type": "SHIELD", "mode": "DRY_RUN", "maxBodyBytes": 4096, "bodyTimeoutMs": 20, "name": "dry" },
    ]));
    assert_eq!(
        mixed.body_read(),
        Some(BodyRead {
            max_bytes: 4096,
            timeout_ms: 3000
        })
    );
    let dry = build(json!([{ "type": "SHIELD", "mode": "DRY_RUN", "bodyTimeoutMs": 20 }]));
    assert_eq!(dry.body_read().map(|b| b.timeout_ms), Some(20));
}
