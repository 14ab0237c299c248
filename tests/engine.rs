//! Engine behaviour through the public Rust API: rule order, modes, fail modes, unknown clients.

use palisade::engine::{Conclusion, Engine, Props, Reason, Request, RuleState};
use palisade::ratelimit::Clock;
use serde_json::json;

fn request(xff: &str) -> Request {
    Request {
        method: "GET".into(),
        path: "/".into(),
        headers: vec![("x-forwarded-for".into(), xff.into())],
        ..Request::default()
    }
}

fn engine(options: &serde_json::Value) -> (Engine, Clock) {
    let clock = Clock::manual(1_000_000);
    (
        Engine::from_value(options, clock.clone()).expect("valid options"),
        clock,
    )
}

#[test]
fn denies_past_the_limit_and_allows_after_the_window() {
    let (e, clock) = engine(
        &json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": "1m", "max": 2, "name": "engine-1" }] }),
    );
    let r = request("8.8.8.8");
    let conclusions: Vec<Conclusion> = (0..3)
        .map(|_| e.protect(&r, &Props::default()).conclusion)
        .collect();
    assert_eq!(
        conclusions,
        [Conclusion::Allow, Conclusion::Allow, Conclusion::Deny]
    );
    clock.advance(60_000);
    assert_eq!(
        e.protect(&r, &Props::default()).conclusion,
        Conclusion::Allow
    );
}

#[test]
fn dry_run_reports_deny_without_denying() {
    let (e, _) = engine(
        &json!({ "rules": [{ "type": "RATE_LIMIT", "mode": "DRY_RUN", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "name": "engine-2" }] }),
    );
    let r = request("8.8.8.8");
    let _ = e.protect(&r, &Props::default());
    let d = e.protect(&r, &Props::default());
    assert_eq!(d.conclusion, Conclusion::Allow);
    assert_eq!(d.results[0].state, RuleState::DryRun);
    assert_eq!(d.results[0].conclusion, Conclusion::Deny);
}

#[test]
fn a_live_denial_leaves_later_rules_not_run() {
    let (e, _) = engine(&json!({ "rules": [
        { "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "name": "engine-3a" },
        { "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "name": "engine-3b" }
    ] }));
    let r = request("8.8.8.8");
    let _ = e.protect(&r, &Props::default());
    let d = e.protect(&r, &Props::default());
    assert_eq!(d.conclusion, Conclusion::Deny);
    assert_eq!(d.results[1].state, RuleState::NotRun);
}

#[test]
fn missing_custom_characteristic_is_an_error_decision_that_fails_open_or_closed() {
    let rule = json!({ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "characteristics": ["userId"], "name": "engine-4" });
    let (open, _) = engine(&json!({ "rules": [rule.clone()] }));
    let d = open.protect(&request("8.8.8.8"), &Props::default());
    assert_eq!(d.conclusion, Conclusion::Error);
    assert!(matches!(&d.reason, Reason::Error { message } if message.contains("userId")));
    let (closed, _) = engine(&json!({ "rules": [rule], "failMode": "closed" }));
    assert_eq!(
        closed
            .protect(&request("8.8.8.8"), &Props::default())
            .conclusion,
        Conclusion::Deny
    );
    let props = Props {
        values: vec![("userId".into(), "u1".into())],
        ..Props::default()
    };
    assert_eq!(
        closed.protect(&request("8.8.8.8"), &props).conclusion,
        Conclusion::Allow
    );
}

#[test]
fn unknown_client_policies() {
    let rule = |name: &str| json!({ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "name": name });
    let nothing = Request::default();
    let (shared, _) = engine(&json!({ "rules": [rule("engine-5a")] }));
    assert_eq!(
        shared.protect(&nothing, &Props::default()).conclusion,
        Conclusion::Allow
    );
    assert_eq!(
        shared.protect(&nothing, &Props::default()).conclusion,
        Conclusion::Deny
    );
    let (deny, _) = engine(&json!({ "rules": [rule("engine-5b")], "unknownClient": "DENY" }));
    assert_eq!(
        deny.protect(&nothing, &Props::default()).reason,
        Reason::UnknownClient
    );
    let (skip, _) = engine(&json!({ "rules": [rule("engine-5c")], "unknownClient": "SKIP" }));
    for _ in 0..3 {
        let d = skip.protect(&nothing, &Props::default());
        assert_eq!(
            (d.conclusion, d.results[0].state),
            (Conclusion::Allow, RuleState::NotRun)
        );
    }
}

#[test]
fn bad_options_name_the_key_path_value_and_limit() {
    let cases = [
        (
            json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "TOKEN_BUCKET", "refillRate": 1, "interval": 60, "capacity": -1 }] }),
            "PALISADE_CONFIG_RANGE",
            "rules[0].capacity",
        ),
        (
            json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": "10 parsecs", "max": 1 }] }),
            "PALISADE_CONFIG_INTERVAL",
            "rules[0].window",
        ),
        (
            json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "SLIDING_WINDOW", "interval": 60, "max": 1, "characteristics": ["ip.dst"] }] }),
            "PALISADE_CONFIG_UNKNOWN",
            "rules[0].characteristics[0]",
        ),
        (
            json!({ "rules": [], "proxies": ["1.1.1.1", "10.0.0.0/33"] }),
            "PALISADE_CONFIG_CIDR",
            "proxies[1]",
        ),
        (
            json!({ "rules": [], "failMode": "sideways" }),
            "PALISADE_CONFIG_UNKNOWN",
            "failMode",
        ),
        (
            json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "maxKeys": 0 }] }),
            "PALISADE_CONFIG_RANGE",
            "rules[0].maxKeys",
        ),
        (
            json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 1, "name": "n".repeat(257) }] }),
            "PALISADE_CONFIG_RANGE",
            "rules[0].name",
        ),
        (
            json!({ "rules": [{ "type": "SHIELD", "name": "n".repeat(257) }] }),
            "PALISADE_CONFIG_RANGE",
            "rules[0].name",
        ),
    ];
    for (options, code, path) in cases {
        let Err(e) = Engine::from_value(&options, Clock::System) else {
            panic!("{options} should fail")
        };
        assert_eq!(e.code(), code, "{e}");
        assert_eq!(e.path, path, "{e}");
    }
}
