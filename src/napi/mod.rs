//! The Node.js binding: converts arguments, calls the core, converts the result.
//!
//! No detection logic lives here. Every export that touches request data catches panics: a panic
//! in the core becomes an ERROR decision (fail-open unless configured otherwise), never an abort of
//! the user's Node.js process.
#![allow(missing_docs)] // Documented in the generated index.d.ts and the TypeScript wrapper.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::ConfigError;
use crate::engine::{self, Decision, Props, Reason, Request};
use crate::ratelimit::{Clock, Table};

/// A configuration error as a JS error whose `code` is the stable palisade code.
fn config_error(e: &ConfigError) -> Error<String> {
    Error::new(e.code().to_owned(), e.to_string())
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let detail = p
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal fault in palisade (caught panic: {detail})")
}

/// A clock for tests: time moves only when told to.
#[napi]
pub struct ManualClock {
    clock: Clock,
}

#[napi]
impl ManualClock {
    #[napi(constructor)]
    pub fn new(start_ms: Option<f64>) -> Self {
        Self { clock: Clock::manual(start_ms.unwrap_or(0.0).max(0.0) as u64) }
    }

    /// Moves the clock forward by `ms` milliseconds.
    #[napi]
    pub fn advance(&self, ms: f64) {
        self.clock.advance(ms.max(0.0) as u64);
    }

    /// Sets the clock to `ms` milliseconds since the epoch.
    #[napi]
    pub fn set(&self, ms: f64) {
        self.clock.set(ms.max(0.0) as u64);
    }

    /// The current time in milliseconds.
    #[napi]
    pub fn now(&self) -> f64 {
        self.clock.now_ms() as f64
    }
}

#[napi(object)]
pub struct RequestFacts {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header lines as a flat list: name, value, name, value, ...
    pub headers: Vec<String>,
    /// The socket peer address, if the server has one.
    pub peer: Option<String>,
}

#[napi(object)]
pub struct ProtectProps {
    /// Custom characteristic values as a flat list: name, value, ...
    pub values: Option<Vec<String>>,
    pub requested: Option<u32>,
}

#[napi(object)]
pub struct ReasonObject {
    #[napi(js_name = "type")]
    pub kind: String,
    pub max: Option<u32>,
    pub remaining: Option<u32>,
    /// Seconds.
    pub reset: Option<f64>,
    /// Seconds.
    pub window: Option<f64>,
    pub message: Option<String>,
}

#[napi(object)]
pub struct RuleResultObject {
    pub rule: u32,
    #[napi(js_name = "type")]
    pub kind: String,
    pub mode: String,
    pub state: String,
    pub conclusion: String,
    pub reason: ReasonObject,
}

#[napi(object)]
pub struct IpObject {
    pub address: Option<String>,
    pub source: String,
}

#[napi(object)]
pub struct DecisionObject {
    pub id: String,
    pub conclusion: String,
    pub reason: ReasonObject,
    pub results: Vec<RuleResultObject>,
    pub ip: IpObject,
}

fn reason_object(r: &Reason) -> ReasonObject {
    let mut o = ReasonObject { kind: r.kind().to_owned(), max: None, remaining: None, reset: None, window: None, message: None };
    match r {
        Reason::RateLimit { max, remaining, reset_secs, window_secs } => {
            o.max = Some(*max);
            o.remaining = Some(*remaining);
            o.reset = Some(*reset_secs as f64);
            o.window = Some(*window_secs as f64);
        }
        Reason::Error { message } => o.message = Some(message.clone()),
        Reason::None | Reason::UnknownClient => {}
    }
    o
}

fn decision_object(d: Decision) -> DecisionObject {
    DecisionObject {
        id: d.id,
        conclusion: d.conclusion.as_str().to_owned(),
        reason: reason_object(&d.reason),
        results: d
            .results
            .iter()
            .map(|r| RuleResultObject {
                rule: r.rule as u32,
                kind: r.kind.to_owned(),
                mode: r.mode.as_str().to_owned(),
                state: r.state.as_str().to_owned(),
                conclusion: r.conclusion.as_str().to_owned(),
                reason: reason_object(&r.reason),
            })
            .collect(),
        ip: IpObject { address: d.ip.address, source: d.ip.source.to_owned() },
    }
}

fn pairs(flat: Vec<String>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    out
}

/// A compiled rule set. Build one per app (module scope) and call `protect` per request.
#[napi]
pub struct Engine {
    inner: engine::Engine,
}

#[napi]
impl Engine {
    #[napi(constructor)]
    pub fn new(options: serde_json::Value, clock: Option<&ManualClock>) -> Result<Self, String> {
        let clock = clock.map_or(Clock::System, |c| c.clock.clone());
        engine::Engine::from_value(&options, clock).map(|inner| Self { inner }).map_err(|e| config_error(&e))
    }

    /// Judges one request. Never throws for request data; a fault is an ERROR decision.
    #[napi]
    pub fn protect(&self, request: RequestFacts, props: Option<ProtectProps>) -> DecisionObject {
        let run = AssertUnwindSafe(|| {
            let req = Request {
                method: request.method,
                path: request.path,
                query: request.query.unwrap_or_default(),
                headers: pairs(request.headers),
                peer: request.peer,
            };
            let props = props.map_or_else(Props::default, |p| Props { values: pairs(p.values.unwrap_or_default()), requested: p.requested });
            self.inner.protect(&req, &props)
        });
        let decision = catch_unwind(run).unwrap_or_else(|p| Decision::fault(panic_message(&*p), self.inner.fail_closed()));
        decision_object(decision)
    }
}

#[napi(object)]
pub struct LimitResult {
    pub allowed: bool,
    pub max: u32,
    pub remaining: u32,
    /// Seconds until a denied call could succeed, or until the allowance is full again.
    pub reset: f64,
    /// Seconds.
    pub window: f64,
}

/// One rate limit used directly by key, outside of requests (jobs, sockets, custom servers).
#[napi]
pub struct RateLimiter {
    table: Arc<Table>,
    clock: Clock,
}

#[napi]
impl RateLimiter {
    #[napi(constructor)]
    pub fn new(rule: serde_json::Value, clock: Option<&ManualClock>) -> Result<Self, String> {
        let o = crate::config::Obj::new(&rule, "rule").map_err(|e| config_error(&e))?;
        let rl = engine::RateLimit::from_options(&o).map_err(|e| config_error(&e))?;
        Ok(Self { table: rl.table, clock: clock.map_or(Clock::System, |c| c.clock.clone()) })
    }

    /// Counts `requested` (default 1) against `key`.
    #[napi]
    pub fn check(&self, key: String, requested: Option<u32>) -> LimitResult {
        let h = crate::ratelimit::key_hash([key.as_bytes()]);
        let o = self.table.check(h, requested.unwrap_or(1), self.clock.now_ms());
        let r = engine::rate_reason(&o);
        let Reason::RateLimit { reset_secs, window_secs, .. } = r else { unreachable!() };
        LimitResult { allowed: o.allowed, max: o.max, remaining: o.remaining, reset: reset_secs as f64, window: window_secs as f64 }
    }

    /// Counts against `key` and answers only whether it was allowed: the fastest path.
    #[napi]
    pub fn allow(&self, key: String) -> bool {
        let h = crate::ratelimit::key_hash([key.as_bytes()]);
        self.table.check(h, 1, self.clock.now_ms()).allowed
    }

    /// Keys currently held in memory.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.table.len() as u32
    }
}

/// Validates one rule descriptor without building an engine, so rule factories fail where they
/// are called.
#[napi]
pub fn validate_rule(rule: serde_json::Value, path: Option<String>) -> Result<(), String> {
    engine::Rule::from_value(&rule, path.as_deref().unwrap_or("rule")).map(|_| ()).map_err(|e| config_error(&e))
}
