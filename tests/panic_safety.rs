//! Panic safety: a panic inside the core becomes an ERROR decision (DENY when fail-closed) on the
//! async path, and is catchable on the sync path (the napi layer catches it there; see
//! `__test__/panic.test.mjs`). The trigger exists only in debug builds with
//! `PALISADE_TEST_HOOKS=1` (see `engine::test_hooks`).
#![cfg(debug_assertions)]

use palisade::engine::{Conclusion, Engine, Props, Reason, Request};
use palisade::ratelimit::Clock;

fn engine(fail_mode: &str) -> Engine {
    let v = serde_json::json!({
        "failMode": fail_mode,
        "rules": [{ "type": "RATE_LIMIT", "algorithm": "FIXED_WINDOW", "window": 60, "max": 5 }]
    });
    Engine::from_value(&v, Clock::System).expect("valid options")
}

fn request(panic: bool) -> Request {
    let mut headers = vec![("user-agent".to_owned(), "Mozilla/5.0".to_owned())];
    if panic {
        headers.push(("x-palisade-test-panic".to_owned(), "1".to_owned()));
    }
    Request {
        method: "GET".to_owned(),
        path: "/".to_owned(),
        query: String::new(),
        headers,
        peer: Some("203.0.113.9".to_owned()),
        ..Request::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn a_panic_in_the_core_is_an_error_decision_fail_open_by_default_and_deny_when_closed() {
    // SAFETY of set_var: this test binary sets the variable before any thread reads it.
    std::env::set_var("PALISADE_TEST_HOOKS", "1");
    let rt = runtime();
    let open = engine("open");
    let d = rt.block_on(open.protect_async(&request(true), Props::default()));
    assert_eq!(d.conclusion, Conclusion::Error);
    assert!(
        matches!(&d.reason, Reason::Error { message } if message.contains("caught panic")),
        "{:?}",
        d.reason
    );
    let closed = engine("closed");
    let d = rt.block_on(closed.protect_async(&request(true), Props::default()));
    assert_eq!(d.conclusion, Conclusion::Deny);
    // The engine keeps working after the panic.
    let d = rt.block_on(open.protect_async(&request(false), Props::default()));
    assert_eq!(d.conclusion, Conclusion::Allow);
    // On the sync path the panic unwinds to the caller, where the binding catches it.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        open.protect(&request(true), &Props::default())
    }));
    assert!(caught.is_err());
    assert_eq!(
        open.protect(&request(false), &Props::default()).conclusion,
        Conclusion::Allow
    );
}
