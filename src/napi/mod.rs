//! The Node.js binding: converts arguments, calls the core, converts the result.
//!
//! No detection logic lives here. Every export that touches request data catches panics: a panic
//! in the core becomes an ERROR decision (fail-open unless configured otherwise), never an abort of
//! the user's Node.js process.
#![allow(missing_docs)]
// Documented in the generated index.d.ts and the TypeScript wrapper.
// One conversion below reads a JS string into a stack buffer through the raw N-API call.
#![allow(unsafe_code)]
// Under `cargo test` napi-rs registers no exports with Node.js, so the exported functions (and
// what only they use) look unused to the compiler; they are used from JavaScript.
#![cfg_attr(test, allow(dead_code))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::ConfigError;
use crate::engine::{self, Decision, Props, Reason, Request};
use crate::ratelimit::{Clock, Table};

mod fast;

/// A configuration error as a JS error whose `code` is the stable palisade code.
fn config_error(e: &ConfigError) -> Error<String> {
    Error::new(e.code().to_owned(), e.to_string())
}

use engine::panic_message;

/// A clock for tests: time moves only when told to.
#[napi]
pub struct ManualClock {
    clock: Clock,
}

#[napi]
impl ManualClock {
    #[napi(constructor)]
    pub fn new(start_ms: Option<f64>) -> Result<Self, String> {
        let start = clock_ms(start_ms.unwrap_or(0.0), "ManualClock(startMs)")?;
        Ok(Self {
            clock: Clock::manual(start),
        })
    }

    /// Moves the clock forward by `ms` milliseconds.
    #[napi]
    pub fn advance(&self, ms: f64) -> Result<(), String> {
        let step = clock_ms(ms, "ManualClock.advance(ms)")?;
        // The time it leads to must be a time the clock can be set to.
        let to = self.clock.now_ms().saturating_add(step);
        clock_ms(to as f64, "ManualClock.advance(ms): the time it leads to")?;
        self.clock.advance(step);
        Ok(())
    }

    /// Sets the clock to `ms` milliseconds since the epoch.
    #[napi]
    pub fn set(&self, ms: f64) -> Result<(), String> {
        self.clock.set(clock_ms(ms, "ManualClock.set(ms)")?);
        Ok(())
    }

    /// The current time in milliseconds.
    #[napi]
    pub fn now(&self) -> f64 {
        self.clock.now_ms() as f64
    }
}

/// A time or a step for the manual clock: a finite number of milliseconds from 0 to 2^53-1,
/// fractions dropped (a test that moves time by `NaN` or backwards by `advance(-1000)` has a bug
/// to be told of, not a clock silently left where it was).
fn clock_ms(ms: f64, path: &str) -> Result<u64, String> {
    const MAX: f64 = 9_007_199_254_740_991.0;
    if ms.is_finite() && (0.0..=MAX).contains(&ms) {
        return Ok(ms as u64);
    }
    let kind = if ms.is_finite() {
        crate::config::ConfigErrorKind::Range
    } else {
        crate::config::ConfigErrorKind::Type
    };
    // As JavaScript writes the number.
    let shown = match ms {
        f64::INFINITY => "Infinity".to_owned(),
        f64::NEG_INFINITY => "-Infinity".to_owned(),
        _ => format!("{ms}"),
    };
    Err(config_error(&ConfigError::new(
        kind,
        path,
        shown,
        "a finite number of milliseconds from 0 to 9007199254740991",
    )))
}

#[napi(object)]
pub struct ProtectProps {
    /// Custom characteristic values as a flat list: name, value, ...
    pub values: Option<Vec<String>>,
    pub requested: Option<u32>,
    /// The address for email rules.
    pub email: Option<String>,
}

// Never built: it declares, for index.d.ts, the shape of the JSON that `decision_json` writes
// (and the test below checks the two against each other).
#[cfg_attr(not(test), allow(dead_code))]
#[napi(object)]
#[derive(serde::Serialize)]
pub struct ReasonObject {
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<f64>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mx: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<FindingObject>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Shield: how the body was handled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Shield: the caps the request reached (`VALUES`, `HEADERS`, `VALUE_BYTES`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caps: Option<Vec<String>>,
    /// Store errors: `PALISADE_STORE_UNAVAILABLE`, `_TIMEOUT` or `_PROTOCOL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct FindingObject {
    pub family: String,
    pub location: String,
    pub score: u32,
    pub snippet: String,
}

// Never built: it declares, for index.d.ts, the shape of the JSON that `decision_json` writes
// (and the test below checks the two against each other).
#[cfg_attr(not(test), allow(dead_code))]
#[napi(object)]
#[derive(serde::Serialize)]
pub struct RuleResultObject {
    pub rule: u32,
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: String,
    pub state: String,
    pub conclusion: String,
    pub reason: ReasonObject,
}

// Never built: it declares, for index.d.ts, the shape of the JSON that `decision_json` writes
// (and the test below checks the two against each other).
#[cfg_attr(not(test), allow(dead_code))]
#[napi(object)]
#[derive(serde::Serialize)]
pub struct IpObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub source: String,
}

// Never built: it declares, for index.d.ts, the shape of the JSON that `decision_json` writes
// (and the test below checks the two against each other).
#[cfg_attr(not(test), allow(dead_code))]
#[napi(object)]
#[derive(serde::Serialize)]
pub struct DecisionObject {
    /// First, so that the wrapper can read it from the JSON text without parsing the rest.
    pub conclusion: String,
    pub id: String,
    pub reason: ReasonObject,
    pub results: Vec<RuleResultObject>,
    pub ip: IpObject,
}

#[cfg(test)]
fn reason_object(r: &Reason) -> ReasonObject {
    let mut o = ReasonObject {
        kind: r.kind().to_owned(),
        max: None,
        remaining: None,
        reset: None,
        window: None,
        message: None,
        bot: None,
        ids: None,
        categories: None,
        verification: None,
        types: None,
        reasons: None,
        normalized: None,
        suggestion: None,
        mx: None,
        findings: None,
        blocked: None,
        body: None,
        caps: None,
        code: None,
    };
    match r {
        Reason::RateLimit {
            max,
            remaining,
            reset_secs,
            window_secs,
        } => {
            o.max = Some(*max);
            o.remaining = Some(*remaining);
            o.reset = Some(*reset_secs as f64);
            o.window = Some(*window_secs as f64);
        }
        Reason::Error { message } => o.message = Some(message.clone()),
        Reason::Bot {
            bot,
            ids,
            categories,
            verification,
        } => {
            o.bot = Some(*bot);
            o.ids = Some(ids.clone());
            o.categories = Some(categories.iter().map(|c| (*c).to_owned()).collect());
            o.verification = Some((*verification).to_owned());
        }
        Reason::Email {
            types,
            reasons,
            normalized,
            suggestion,
            mx,
        } => {
            o.types = Some(types.iter().map(|t| (*t).to_owned()).collect());
            o.reasons = Some(reasons.iter().map(|t| (*t).to_owned()).collect());
            o.normalized.clone_from(normalized);
            o.suggestion.clone_from(suggestion);
            o.mx = mx.map(str::to_owned);
        }
        Reason::Shield {
            findings,
            blocked,
            reset_secs,
            body,
            caps,
        } => {
            o.findings = Some(findings.iter().map(finding_object).collect());
            o.blocked = Some(*blocked);
            o.reset = Some(*reset_secs as f64);
            o.body = Some((*body).to_owned());
            o.caps = Some(caps.iter().map(|c| (*c).to_owned()).collect());
        }
        Reason::StoreError { code, message } => {
            o.code = Some((*code).to_owned());
            o.message = Some(message.clone());
        }
        Reason::None | Reason::UnknownClient => {}
    }
    o
}

fn finding_object(f: &engine::FindingInfo) -> FindingObject {
    FindingObject {
        family: f.family.to_owned(),
        location: f.location.clone(),
        score: f.score,
        snippet: f.snippet.clone(),
    }
}

#[cfg(test)]
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
        ip: IpObject {
            address: d.ip.address,
            source: d.ip.source.to_owned(),
        },
    }
}

/// The decision as the JSON text of a `DecisionObject` (absent fields omitted), written straight
/// from the engine's decision: no intermediate objects, no copies of its strings.
fn decision_json(d: Decision) -> String {
    // Serializing plain strings, numbers and vectors cannot fail; an empty ERROR decision is the
    // answer if it ever did, rather than a panic.
    serde_json::to_string(&DecisionJson(&d)).unwrap_or_else(|e| {
        format!(
            r#"{{"conclusion":"ERROR","id":"","reason":{{"type":"ERROR","message":{}}},"results":[],"ip":{{"source":"unknown"}}}}"#,
            serde_json::Value::String(e.to_string())
        )
    })
}

/// Serializes a [`Decision`] with the keys and key order of [`DecisionObject`] (`conclusion`
/// first, so that the wrapper can read it without parsing the rest).
struct DecisionJson<'a>(&'a Decision);
/// Serializes a [`Reason`] as [`ReasonObject`]: `type`, then the fields of its kind.
struct ReasonJson<'a>(&'a Reason);
struct ResultJson<'a>(&'a engine::RuleResult);
struct FindingJson<'a>(&'a engine::FindingInfo);

impl serde::Serialize for DecisionJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let d = self.0;
        let mut o = s.serialize_struct("Decision", 5)?;
        o.serialize_field("conclusion", d.conclusion.as_str())?;
        o.serialize_field("id", &d.id)?;
        o.serialize_field("reason", &ReasonJson(&d.reason))?;
        let results: Vec<ResultJson<'_>> = d.results.iter().map(ResultJson).collect();
        o.serialize_field("results", &results)?;
        o.serialize_field("ip", &IpJson(&d.ip))?;
        o.end()
    }
}

struct IpJson<'a>(&'a engine::IpInfo);

impl serde::Serialize for IpJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut o = s.serialize_struct("Ip", 2)?;
        if let Some(a) = &self.0.address {
            o.serialize_field("address", a)?;
        }
        o.serialize_field("source", self.0.source)?;
        o.end()
    }
}

impl serde::Serialize for ResultJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let r = self.0;
        let mut o = s.serialize_struct("RuleResult", 6)?;
        o.serialize_field("rule", &(r.rule as u32))?;
        o.serialize_field("type", r.kind)?;
        o.serialize_field("mode", r.mode.as_str())?;
        o.serialize_field("state", r.state.as_str())?;
        o.serialize_field("conclusion", r.conclusion.as_str())?;
        o.serialize_field("reason", &ReasonJson(&r.reason))?;
        o.end()
    }
}

impl serde::Serialize for FindingJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let f = self.0;
        let mut o = s.serialize_struct("Finding", 4)?;
        o.serialize_field("family", f.family)?;
        o.serialize_field("location", &f.location)?;
        o.serialize_field("score", &f.score)?;
        o.serialize_field("snippet", &f.snippet)?;
        o.end()
    }
}

impl serde::Serialize for ReasonJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let r = self.0;
        let mut o = s.serialize_struct("Reason", 6)?;
        o.serialize_field("type", r.kind())?;
        // Field order as in ReasonObject; seconds go out as numbers with a fraction part (f64),
        // as they did through it.
        match r {
            Reason::RateLimit {
                max,
                remaining,
                reset_secs,
                window_secs,
            } => {
                o.serialize_field("max", max)?;
                o.serialize_field("remaining", remaining)?;
                o.serialize_field("reset", &(*reset_secs as f64))?;
                o.serialize_field("window", &(*window_secs as f64))?;
            }
            Reason::Error { message } => o.serialize_field("message", message)?,
            Reason::Bot {
                bot,
                ids,
                categories,
                verification,
            } => {
                o.serialize_field("bot", bot)?;
                o.serialize_field("ids", ids)?;
                o.serialize_field("categories", categories)?;
                o.serialize_field("verification", verification)?;
            }
            Reason::Email {
                types,
                reasons,
                normalized,
                suggestion,
                mx,
            } => {
                o.serialize_field("types", types)?;
                o.serialize_field("reasons", reasons)?;
                if let Some(n) = normalized {
                    o.serialize_field("normalized", n)?;
                }
                if let Some(x) = suggestion {
                    o.serialize_field("suggestion", x)?;
                }
                if let Some(m) = mx {
                    o.serialize_field("mx", m)?;
                }
            }
            Reason::Shield {
                findings,
                blocked,
                reset_secs,
                body,
                caps,
            } => {
                o.serialize_field("reset", &(*reset_secs as f64))?;
                let list: Vec<FindingJson<'_>> = findings.iter().map(FindingJson).collect();
                o.serialize_field("findings", &list)?;
                o.serialize_field("blocked", blocked)?;
                o.serialize_field("body", body)?;
                o.serialize_field("caps", caps)?;
            }
            Reason::StoreError { code, message } => {
                o.serialize_field("message", message)?;
                o.serialize_field("code", code)?;
            }
            Reason::None | Reason::UnknownClient => {}
        }
        o.end()
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
    inner: Arc<engine::Engine>,
}

/// Unescapes one field of a packed request (see [`request_of_packed`]).
fn unpack_field(field: &str) -> String {
    if !field.contains('\u{1}') {
        return field.to_owned();
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1}' {
            match chars.next() {
                Some('\u{2}') => out.push('\0'),
                Some('\u{1}') | None => out.push('\u{1}'),
                Some(other) => {
                    out.push('\u{1}');
                    out.push(other);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The request the wrapper sends as one string, which crosses N-API far more cheaply than an
/// object with a list of strings (one UTF-8 conversion instead of one per header, and no property
/// lookups): method, path, query, peer (empty for none), then header names and values, separated
/// by NUL. Inside a field, the wrapper writes U+0001 as U+0001 U+0001 and NUL as U+0001 U+0002, so a
/// NUL in a header value stays a NUL (the shield looks for them) and cannot start a forged header.
fn request_of_packed(packed: &str, body: Option<Buffer>, body_unreadable: Option<bool>) -> Request {
    let mut fields = packed.split('\0');
    let mut next = || fields.next().map(unpack_field).unwrap_or_default();
    let method = next();
    let path = next();
    let query = next();
    let peer = Some(next()).filter(|p| !p.is_empty());
    let mut headers = Vec::new();
    while let Some(name) = fields.next() {
        let Some(value) = fields.next() else { break };
        headers.push((unpack_field(name), unpack_field(value)));
    }
    Request {
        method,
        path,
        query,
        headers,
        peer,
        body: body.map(|b| b.to_vec()),
        body_unreadable: body_unreadable.unwrap_or(false),
    }
}

fn props_of(props: Option<ProtectProps>) -> Props {
    props.map_or_else(Props::default, |p| Props {
        email: p.email,
        values: pairs(p.values.unwrap_or_default()),
        requested: p.requested,
        ..Props::default()
    })
}

#[napi]
impl Engine {
    #[napi(constructor)]
    pub fn new(options: serde_json::Value, clock: Option<&ManualClock>) -> Result<Self, String> {
        let clock = clock.map_or(Clock::System, |c| c.clock.clone());
        engine::Engine::from_value(&options, clock)
            .map(|inner| Self {
                inner: Arc::new(inner),
            })
            .map_err(|e| config_error(&e))
    }

    /// Whether some rule needs a lookup, so that `protectAsync` is the entry point to use.
    #[napi(getter)]
    pub fn needs_async(&self) -> bool {
        self.inner.needs_async()
    }

    /// `[bytes, waitMs]`: how much of a body to read for the shield rules and how long to wait
    /// for it (`engine::Engine::body_read`); `null` without a shield rule.
    #[napi(getter, ts_return_type = "[number, number] | null")]
    pub fn body_read(&self) -> Option<Vec<u32>> {
        self.inner.body_read().map(|b| {
            vec![
                u32::try_from(b.max_bytes).unwrap_or(u32::MAX),
                u32::try_from(b.timeout_ms).unwrap_or(u32::MAX),
            ]
        })
    }

    /// Judges one request. Never throws for request data; a fault is an ERROR decision.
    ///
    /// Returns the `DecisionObject` as JSON text, which the wrapper parses: one string crossing
    /// the boundary plus `JSON.parse` costs a fraction of building the nested object property by
    /// property through N-API (each property name is re-internalized on every call).
    /// The request comes packed as one string (see `request_of_packed`).
    #[napi(
        ts_args_type = "packed: string, body: Buffer | undefined | null, bodyUnreadable: boolean | undefined | null, props?: ProtectProps | undefined | null",
        ts_return_type = "string"
    )]
    pub fn protect(
        &self,
        packed: String,
        body: Option<Buffer>,
        body_unreadable: Option<bool>,
        props: Option<ProtectProps>,
    ) -> String {
        let run = AssertUnwindSafe(|| {
            let req = request_of_packed(&packed, body, body_unreadable);
            let props = props_of(props);
            self.inner.protect(&req, &props)
        });
        let decision = catch_unwind(run)
            .unwrap_or_else(|p| Decision::fault(panic_message(&*p), self.inner.fail_closed()));
        decision_json(decision)
    }

    /// A raw PING round trip to the configured store (benchmark baseline). Resolves true when the
    /// store answered, false otherwise (or without a store).
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn ping_store(&self, env: Env) -> Result<AsyncBlock<bool>> {
        let engine = Arc::clone(&self.inner);
        AsyncBlockBuilder::new(async move { Ok(matches!(engine.ping_store().await, Some(Ok(())))) })
            .build(&env)
    }

    /// As `protect` (JSON of a `DecisionObject`), after the lookups the rules ask for (MX,
    /// crawler verification, the store). The promise never rejects for request data or lookup
    /// failures.
    #[napi(
        ts_args_type = "packed: string, body: Buffer | undefined | null, bodyUnreadable: boolean | undefined | null, props?: ProtectProps | undefined | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn protect_async(
        &self,
        env: Env,
        packed: String,
        body: Option<Buffer>,
        body_unreadable: Option<bool>,
        props: Option<ProtectProps>,
    ) -> Result<AsyncBlock<String>> {
        let engine = Arc::clone(&self.inner);
        let req = request_of_packed(&packed, body, body_unreadable);
        let props = props_of(props);
        AsyncBlockBuilder::new(async move {
            let decision = engine.protect_async(&req, props).await;
            Ok(decision_json(decision))
        })
        .build(&env)
    }
}

/// Limiters opened from JavaScript, by handle. Handles are plain numbers because a free function
/// taking a number crosses the boundary several times faster than a class method (no `this`
/// unwrapping), and a rate-limit check is meant to cost well under a microsecond.
pub(crate) struct Limiters {
    pub(crate) list: Vec<(Arc<Table>, Clock)>,
}

/// Most limiters one process can open; identical limits on the system clock share a handle.
const MAX_LIMITERS: usize = 4096;

pub(crate) fn limiters() -> &'static std::sync::RwLock<Limiters> {
    static L: std::sync::OnceLock<std::sync::RwLock<Limiters>> = std::sync::OnceLock::new();
    L.get_or_init(|| std::sync::RwLock::new(Limiters { list: Vec::new() }))
}

/// Opens a limiter for one rate-limit rule and returns its handle.
#[napi]
pub fn limiter_open(
    rule: serde_json::Value,
    path: Option<String>,
    clock: Option<&ManualClock>,
) -> Result<u32, String> {
    let path = path.as_deref().unwrap_or("rule");
    let o = crate::config::Obj::new(&rule, path).map_err(|e| config_error(&e))?;
    let clock = clock.map_or(Clock::System, |c| c.clock.clone());
    let rl = engine::RateLimit::from_options(&o, &clock).map_err(|e| config_error(&e))?;
    let mut l = limiters()
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if matches!(clock, Clock::System) {
        if let Some(i) = l
            .list
            .iter()
            .position(|(t, c)| Arc::ptr_eq(t, &rl.table) && matches!(c, Clock::System))
        {
            return Ok(i as u32);
        }
    }
    if l.list.len() >= MAX_LIMITERS {
        return Err(config_error(&ConfigError::new(
            crate::config::ConfigErrorKind::Range,
            path,
            "another limiter",
            format!("at most {MAX_LIMITERS} limiters per process (are limiters being created per request?)"),
        )));
    }
    l.list.push((rl.table, clock));
    Ok((l.list.len() - 1) as u32)
}

/// A string argument of which only the first [`crate::bot::MAX_UA_LEN`] bytes matter (a User-Agent):
/// read into a stack buffer, cut at a character boundary, with the full length kept because a huge
/// UA is itself a signal.
pub struct CappedStr {
    buf: [u8; crate::bot::MAX_UA_LEN + 1],
    len: usize,
    full_len: usize,
}

impl CappedStr {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl TypeName for CappedStr {
    fn type_name() -> &'static str {
        "String"
    }
    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl FromNapiValue for CappedStr {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        value: napi::sys::napi_value,
    ) -> Result<Self> {
        let mut out = Self {
            buf: [0; crate::bot::MAX_UA_LEN + 1],
            len: 0,
            full_len: 0,
        };
        let mut written = 0usize;
        // SAFETY: as for `ShortStr`: N-API writes at most len - 1 bytes and a NUL, whole characters only.
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(
                env,
                value,
                out.buf.as_mut_ptr().cast(),
                out.buf.len(),
                &raw mut written,
            )
        };
        if status != napi::sys::Status::napi_ok {
            // Not a string: an empty UA, which is a verdict of its own, never a throw.
            return Ok(out);
        }
        out.len = written;
        out.full_len = written;
        if written + 4 >= out.buf.len() {
            let mut total = 0usize;
            // SAFETY: a null buffer asks only for the length.
            let status = unsafe {
                napi::sys::napi_get_value_string_utf8(
                    env,
                    value,
                    std::ptr::null_mut(),
                    0,
                    &raw mut total,
                )
            };
            if status == napi::sys::Status::napi_ok {
                out.full_len = total;
            }
        }
        Ok(out)
    }
}

/// `isBot` without the verdict cache, for benchmarks: the cost of a UA seen for the first time.
#[napi(ts_args_type = "userAgent: string")]
pub fn is_bot_uncached(ua: CappedStr) -> bool {
    catch_unwind(|| crate::bot::Detector::builtin().is_bot_uncached(ua.as_str(), ua.full_len))
        .unwrap_or(false)
}

#[napi(object)]
pub struct BotClassification {
    pub bot: bool,
    pub ids: Vec<String>,
    pub categories: Vec<String>,
}

/// Which bots a User-Agent names, and their categories.
#[napi(ts_args_type = "userAgent: string")]
pub fn classify_bot(ua: CappedStr) -> BotClassification {
    catch_unwind(|| {
        let c = crate::bot::Detector::builtin().classify_len(ua.as_str(), ua.full_len);
        BotClassification {
            bot: c.bot,
            ids: c.ids.iter().map(std::string::ToString::to_string).collect(),
            categories: c.categories.iter().map(|c| c.as_str().to_owned()).collect(),
        }
    })
    .unwrap_or(BotClassification {
        bot: false,
        ids: Vec::new(),
        categories: Vec::new(),
    })
}

/// A limiter's `[max, window seconds]`, read once by the wrapper.
#[napi]
pub fn limiter_info(handle: u32) -> Vec<f64> {
    let l = limiters()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    l.list.get(handle as usize).map_or_else(Vec::new, |(t, _)| {
        let a = t.algorithm();
        vec![f64::from(a.max()), a.window_ms().div_ceil(1000) as f64]
    })
}

/// Keys a limiter currently holds.
#[napi]
pub fn limiter_size(handle: u32) -> u32 {
    let l = limiters()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    l.list
        .get(handle as usize)
        .map_or(0, |(t, _)| t.len() as u32)
}

/// Names of the email types and reasons, in the order the numbers of `emailVerdict` index them.
#[napi(object)]
pub struct EmailNames {
    pub types: Vec<String>,
    pub reasons: Vec<String>,
}

/// The names `validateEmail` decodes its packed verdicts with, read once at load.
#[napi]
pub fn email_names() -> EmailNames {
    EmailNames {
        types: crate::email::EmailType::ALL
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        reasons: crate::email::Reason::ALL
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    }
}

#[napi(object)]
pub struct EmailVerdictAsync {
    pub valid: bool,
    pub types: Vec<String>,
    pub reasons: Vec<String>,
    pub normalized: Option<String>,
    pub suggestion: Option<String>,
    /// What the MX check found: `HAS_MX`, `IMPLICIT_MX`, `NO_MX_RECORDS`, `NULL_MX`, `TIMEOUT` or
    /// `UNAVAILABLE`; absent when the address was invalid (no lookup was made).
    pub mx: Option<String>,
}

/// MX checkers for the direct API, one per name-server list, so their caches live as long as the
/// process. Bounded: past the cap a list gets a fresh checker per call (no cache, still correct).
fn direct_mx_checker(
    config: crate::email::MxConfig,
) -> std::result::Result<Arc<crate::email::MxChecker>, ConfigError> {
    const MAX_CHECKERS: usize = 16;
    type Checkers =
        std::sync::Mutex<Vec<(Vec<std::net::SocketAddr>, Arc<crate::email::MxChecker>)>>;
    static CHECKERS: std::sync::OnceLock<Checkers> = std::sync::OnceLock::new();
    let mut list = CHECKERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, c)) = list.iter().find(|(ns, _)| *ns == config.nameservers) {
        return Ok(Arc::clone(c));
    }
    let nameservers = config.nameservers.clone();
    let checker = Arc::new(crate::email::MxChecker::new(config)?);
    if list.len() < MAX_CHECKERS {
        list.push((nameservers, Arc::clone(&checker)));
    }
    Ok(checker)
}

/// Validates one address and, when its syntax is valid, checks that its domain can receive mail.
/// Options: the syntax options of `validateEmail`, plus `mxTimeoutMs` and `dns: { nameservers }`.
/// The promise never rejects for the address or for DNS failures (a timeout is reported as
/// `mx: "TIMEOUT"` and adds no type); bad options throw synchronously with a stable code.
#[napi(ts_return_type = "Promise<EmailVerdictAsync>")]
pub fn validate_email_async(
    env: Env,
    address: String,
    options: Option<serde_json::Value>,
) -> Result<AsyncBlock<EmailVerdictAsync>, String> {
    let mut syntax = options.unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    let (timeout_ms, dns) = {
        let o = crate::config::Obj::new(&syntax, "options").map_err(|e| config_error(&e))?;
        let t = o
            .u64_in("mxTimeoutMs", 1, engine::MAX_MX_TIMEOUT_MS)
            .map_err(|e| config_error(&e))?
            .unwrap_or(engine::DEFAULT_MX_TIMEOUT_MS);
        let dns = engine::DnsConfig::from_options(&o).map_err(|e| config_error(&e))?;
        (t, dns)
    };
    if let Some(m) = syntax.as_object_mut() {
        m.remove("dns");
        m.remove("mxTimeoutMs");
        m.remove("checkMx");
    }
    let opts =
        crate::email::Options::from_value(&syntax, "options").map_err(|e| config_error(&e))?;
    let checker = direct_mx_checker(crate::email::MxConfig {
        nameservers: dns.nameservers,
        timeout: std::time::Duration::from_millis(timeout_ms),
        ..crate::email::MxConfig::default()
    })
    .map_err(|e| config_error(&e))?;
    AsyncBlockBuilder::new(async move {
        let run = async {
            let mut v = crate::email::validate(&address, &opts);
            let mx = match v.normalized.as_deref().and_then(|n| n.rsplit_once('@')) {
                Some((_, domain)) if v.valid => Some(
                    tokio::time::timeout(
                        std::time::Duration::from_millis(timeout_ms),
                        checker.check(domain),
                    )
                    .await
                    .unwrap_or(crate::email::MxOutcome::Timeout),
                ),
                _ => None,
            };
            if let Some(t) = mx.and_then(crate::email::MxOutcome::email_type) {
                if !v.types.contains(&t) {
                    v.types.push(t);
                }
            }
            EmailVerdictAsync {
                valid: v.valid,
                types: v.types.iter().map(|t| t.as_str().to_owned()).collect(),
                reasons: v.reasons.iter().map(|t| t.as_str().to_owned()).collect(),
                normalized: v.normalized,
                suggestion: v.suggestion,
                mx: mx.map(|m| m.as_str().to_owned()),
            }
        };
        engine::catch_unwind_async(run)
            .await
            .map_err(|message| Error::new(Status::GenericFailure, message))
    })
    .build(&env)
    .map_err(|e| Error::new(e.status.as_ref().to_owned(), e.reason.clone()))
}

/// What `detectAttacks` answers, as JSON.
#[derive(serde::Serialize)]
pub struct AttackReport {
    pub attack: bool,
    pub findings: Vec<FindingObject>,
    /// How the body was handled: `ABSENT`, `PARSED`, `TRUNCATED`, `UNPARSEABLE`, `SKIPPED`.
    pub body: String,
    /// Caps the request reached: `VALUES` and `HEADERS` mean whole values or header lines were
    /// not inspected; `VALUE_BYTES`, `URL_BYTES`, `BODY_BYTES` and `JSON_DEPTH` that something
    /// was cut short or shortened.
    pub caps: Vec<String>,
}

/// Shields per options object, so repeated direct calls do not rebuild one; bounded.
fn direct_shield(
    options: Option<serde_json::Value>,
) -> std::result::Result<Arc<crate::shield::Shield>, ConfigError> {
    const MAX_SHIELDS: usize = 16;
    type Shields = std::sync::Mutex<Vec<(String, Arc<crate::shield::Shield>)>>;
    static SHIELDS: std::sync::OnceLock<Shields> = std::sync::OnceLock::new();
    let key = options
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    let mut list = SHIELDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, s)) = list.iter().find(|(k, _)| *k == key) {
        return Ok(Arc::clone(s));
    }
    let opts = match &options {
        Some(v) => crate::shield::Options::from_direct(v, "detectAttacks(input, options)")?,
        None => crate::shield::Options::default(),
    };
    let shield = Arc::new(crate::shield::Shield::new(opts));
    if list.len() < MAX_SHIELDS {
        list.push((key, Arc::clone(&shield)));
    }
    Ok(shield)
}

/// Inspects one request for attacks outside `protect()` (`detectAttacks` in the wrapper). Never
/// throws for request data; bad options throw with a stable code. The request comes packed into one string as for `protect`
/// (method, URL, then two empty fields, then header names and values; see [`request_of_packed`]),
/// the body as bytes, and the report back as JSON text. One string each way costs far less at
/// the boundary than an object with a list of strings and a report object with a findings array.
#[napi]
pub fn detect_attacks_packed(
    packed: String,
    body: Option<Buffer>,
    content_type: Option<String>,
    options: Option<serde_json::Value>,
) -> Result<String, String> {
    let req = request_of_packed(&packed, None, None);
    let shield = direct_shield(options).map_err(|e| config_error(&e))?;
    // A full URL is reduced to its path and query, which is what the shield reads.
    let url = match req.path.find("://") {
        Some(i) => {
            let rest = &req.path[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => req.path.as_str(),
    };
    let report = catch_unwind(AssertUnwindSafe(|| {
        shield.inspect(&crate::shield::Input {
            method: &req.method,
            url,
            headers: &req.headers,
            body: body.as_deref(),
            content_type: content_type.as_deref(),
        })
    }))
    .map_err(|p| Error::new("PALISADE_INTERNAL".to_owned(), panic_message(&*p)))?;
    let report = AttackReport {
        attack: report.attack(),
        findings: report
            .findings
            .iter()
            .map(|f| finding_object(&engine::FindingInfo::from(f)))
            .collect(),
        body: report.body.as_str().to_owned(),
        caps: report.caps.iter().map(|c| c.as_str().to_owned()).collect(),
    };
    serde_json::to_string(&report).map_err(|e| {
        Error::new(
            "PALISADE_INTERNAL".to_owned(),
            format!("internal fault in palisade: {e}"),
        )
    })
}

/// Checks email syntax options and packs them into the number that `emailVerdict` takes.
#[napi]
pub fn email_options(options: serde_json::Value) -> Result<u32, String> {
    crate::email::Options::from_direct(&options, "validateEmail(address, options)")
        .map(|o| fast::email_options_bits(&o))
        .map_err(|e| config_error(&e))
}

/// Validates one rule descriptor without building an engine, so rule factories fail where they
/// are called.
#[napi]
pub fn validate_rule(rule: serde_json::Value, path: Option<String>) -> Result<(), String> {
    engine::Rule::from_value(&rule, path.as_deref().unwrap_or("rule"))
        .map(|_| ())
        .map_err(|e| config_error(&e))
}

/// Measures the bare cost of crossing into the addon (used by the boundary benchmark).
#[napi]
pub fn noop() {}

/// `noop` with a string argument, to measure string conversion.
#[napi]
pub fn noop_str(s: String) -> bool {
    s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Conclusion, FindingInfo, IpInfo, Mode, RuleResult, RuleState};

    fn decision(reason: Reason) -> Decision {
        Decision {
            id: "pal_test".into(),
            conclusion: Conclusion::Deny,
            reason: reason.clone(),
            results: vec![RuleResult {
                rule: 0,
                kind: "X",
                mode: Mode::Live,
                state: RuleState::Run,
                conclusion: Conclusion::Deny,
                reason,
            }],
            ip: IpInfo {
                address: Some("192.0.2.1".into()),
                source: "peer",
            },
        }
    }

    /// The hand-written serializer gives exactly the text the `DecisionObject` path gave, for
    /// every kind of reason (the wrapper reads `conclusion` from the start of the text).
    #[test]
    fn decision_json_matches_the_object_path_for_every_reason() {
        let reasons = [
            Reason::None,
            Reason::UnknownClient,
            Reason::RateLimit {
                max: 5,
                remaining: 0,
                reset_secs: 12,
                window_secs: 60,
            },
            Reason::Bot {
                bot: true,
                ids: vec!["CURL".into()],
                categories: vec!["HTTP_LIBRARY"],
                verification: "UNVERIFIABLE",
            },
            Reason::Email {
                types: vec!["FREE"],
                reasons: vec![],
                normalized: Some("a@gmail.com".into()),
                suggestion: None,
                mx: Some("TIMEOUT"),
            },
            Reason::Shield {
                findings: vec![FindingInfo {
                    family: "sqli",
                    location: "query.id".into(),
                    score: 90,
                    snippet: "1' OR \"1\"=\"1".into(),
                }],
                blocked: true,
                reset_secs: 900,
                body: "PARSED",
                caps: vec!["VALUES"],
            },
            Reason::StoreError {
                code: "PALISADE_STORE_TIMEOUT",
                message: "slow\nstore".into(),
            },
            Reason::Error {
                message: "caught panic: \u{1}".into(),
            },
        ];
        for r in reasons {
            let d = decision(r);
            let old = serde_json::to_string(&decision_object(d.clone())).unwrap();
            let mut unknown = d.clone();
            unknown.ip.address = None;
            let old_unknown = serde_json::to_string(&decision_object(unknown.clone())).unwrap();
            assert_eq!(decision_json(d), old);
            assert_eq!(decision_json(unknown), old_unknown);
            assert!(old.starts_with(r#"{"conclusion":"DENY","#));
        }
    }
}
