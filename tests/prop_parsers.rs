//! Property tests: every parser of untrusted input gives an answer for any input, never a panic;
//! normalizing an address is idempotent (as docs/email.md says).

use palisade::bot::Detector;
use palisade::engine::{Engine, Props, Request};
use palisade::ratelimit::Clock;
use palisade::shield::{Input, Options as ShieldOptions, Shield};
use proptest::prelude::*;

/// Strings built from the pieces parsers care about, plus arbitrary Unicode.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("@".to_owned()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("\"".to_owned()),
        Just("<".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(":".to_owned()),
        Just(",".to_owned()),
        Just(";".to_owned()),
        Just("%".to_owned()),
        Just("%2e%2E/".to_owned()),
        Just("\\".to_owned()),
        Just("xn--".to_owned()),
        Just("::ffff:".to_owned()),
        Just("for=".to_owned()),
        Just("Mozilla/5.0 (".to_owned()),
        Just("bot".to_owned()),
        Just("' OR 1=1--".to_owned()),
        Just("<script>".to_owned()),
        Just("{\"a\":[".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{fffd}".to_owned()),
        Just("é".to_owned()),
        "[0-9]{1,4}".prop_map(|s| s),
        "[a-zA-Z]{1,8}".prop_map(|s| s),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn request(
    path: &str,
    query: &str,
    headers: Vec<(String, String)>,
    peer: Option<String>,
) -> Request {
    Request {
        method: "GET".to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        peer,
        ..Request::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn email_validation_answers_anything_and_normalizing_is_idempotent(s in hostile()) {
        let opts = palisade::email::Options::default();
        let v = palisade::email::validate(&s, &opts);
        prop_assert_eq!(v.valid, v.reasons.is_empty());
        if let Some(n) = v.normalized {
            let again = palisade::email::validate(&n, &opts);
            prop_assert_eq!(again.normalized.as_deref(), Some(n.as_str()));
        }
    }

    #[test]
    fn bot_classification_answers_anything_and_agrees_with_is_bot(s in hostile()) {
        let d = Detector::builtin();
        prop_assert_eq!(d.classify(&s).bot, d.is_bot(&s));
    }

    #[test]
    fn client_ip_resolution_answers_any_forwarding_headers(
        xff in hostile(), fwd in hostile(), peer in hostile(), extra in hostile()
    ) {
        let engine = Engine::from_value(
            &serde_json::json!({ "proxies": ["10.0.0.0/8", "::1"], "rules": [
                { "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 5, "name": "prop-ip" }
            ] }),
            Clock::System,
        ).expect("valid options");
        let headers = vec![
            ("x-forwarded-for".to_owned(), xff.clone()),
            ("X-Forwarded-For".to_owned(), extra),
            ("forwarded".to_owned(), fwd),
        ];
        let req = request("/", "", headers, Some(peer));
        let _ = engine.protect(&req, &Props::default());
        let _ = palisade::ip::parse_addr(&xff);
    }

    #[test]
    fn engine_options_either_build_or_fail_with_a_config_error(s in hostile(), n in any::<i64>()) {
        for v in [
            serde_json::json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "TOKEN_BUCKET", "refillRate": n, "interval": s, "capacity": n }] }),
            serde_json::json!({ "rules": [{ "type": "BOT", "deny": [s] }], "proxies": [s] }),
            serde_json::json!({ "rules": [{ "type": "EMAIL", "deny": ["INVALID"], "mxTimeoutMs": n }], "dns": { "nameservers": [s] } }),
            serde_json::json!({ "rules": [{ "type": "RATE_LIMIT", "algorithm": "SLIDING_WINDOW", "interval": n, "max": n, "characteristics": [s] }] }),
            serde_json::from_str::<serde_json::Value>(&s).unwrap_or(serde_json::Value::Null),
        ] {
            if let Err(e) = Engine::from_value(&v, Clock::System) {
                prop_assert!(e.code().starts_with("PALISADE_CONFIG_"));
            }
        }
    }

    #[test]
    fn shield_inspects_any_request_without_panicking(
        url in hostile(), header in hostile(), body in hostile(), ct in 0usize..5
    ) {
        let shield = Shield::new(ShieldOptions::default());
        let headers = vec![
            ("user-agent".to_owned(), header.clone()),
            ("cookie".to_owned(), header.clone()),
            ("referer".to_owned(), header),
        ];
        let content_type = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/xml", "text/plain"][ct];
        let url = format!("/{url}");
        let report = shield.inspect(&Input {
            method: "POST",
            url: &url,
            headers: &headers,
            body: Some(body.as_bytes()),
            content_type: Some(content_type),
        });
        let _ = report.attack();
    }
}
