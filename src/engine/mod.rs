//! The engine: request facts in, rules evaluated in order, one decision out.
//!
//! Rules run in the order given. The first LIVE rule that denies ends the evaluation (later rules
//! are reported as not run, so a denied request does not use up other limits). `DRY_RUN` rules run
//! and report what they would have done, but never deny. A rule that cannot judge the request
//! (an internal fault, a missing custom characteristic) gives an ERROR result; the decision is then
//! ERROR (fail-open, the default) or DENY (fail-closed), unless a LIVE rule denied.

mod decision;
mod dns;
mod email;
mod remote;
mod request;
mod rule;
mod shield;

pub use decision::{new_id, Conclusion, Decision, IpInfo, Reason, RuleResult, RuleState};
pub use dns::{parse_nameserver, DnsConfig, MAX_NAMESERVERS};
pub use email::{EmailOutcome, EmailRule, DEFAULT_MX_TIMEOUT_MS, MAX_MX_TIMEOUT_MS};
pub use request::{decode_component, Props, Request, MAX_HEADERS};
pub use rule::{Characteristic, KeyError, Mode, RateLimit};
pub use shield::{FindingInfo, ShieldOutcome, ShieldRule, DEFAULT_BLOCK_FOR_MS, DEFAULT_THRESHOLD};

use crate::config::{ConfigError, ConfigErrorKind, Obj};
use crate::ip::{parse_addr, ClientIp, IpConfig, UnknownClient};
use crate::ratelimit::{Clock, Outcome};

/// What a rule concluded, why, and whether it ran.
type RuleAnswer = (Conclusion, Reason, RuleState);

/// Most rules one engine accepts.
pub const MAX_RULES: usize = 64;

/// A rule of any kind.
pub enum RuleKind {
    /// A rate limit.
    RateLimit(RateLimit),
    /// Bot detection on the User-Agent, with verification of claimed crawlers.
    Bot(crate::bot::BotRule),
    /// Email validation of `props.email`.
    Email(EmailRule),
    /// Attack detection on every part of the request, with per-client blocking.
    Shield(Box<ShieldRule>),
}

/// What a caller reads of a request body for the shield rules ([`Engine::body_read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRead {
    /// Bytes to read; one more tells the shield the body went past its cap.
    pub max_bytes: usize,
    /// How long to wait for them before passing on what came as an incomplete body.
    pub timeout_ms: u64,
}

/// A rule with its mode.
pub struct Rule {
    /// LIVE or `DRY_RUN`.
    pub mode: Mode,
    /// What it checks.
    pub kind: RuleKind,
}

impl Rule {
    /// Parses one rule object (`type` decides the kind).
    pub fn from_value(v: &serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        Self::with_clock(v, path, &Clock::System)
    }

    /// As [`Rule::from_value`], for an engine on `clock` (rate limits on different clocks never
    /// share counters).
    pub fn with_clock(
        v: &serde_json::Value,
        path: &str,
        clock: &Clock,
    ) -> Result<Self, ConfigError> {
        let o = Obj::new(v, path)?;
        let mode = Mode::from_options(&o)?;
        let kind = match o.choice("type", &["RATE_LIMIT", "BOT", "EMAIL", "SHIELD"])? {
            Some("BOT") => RuleKind::Bot(crate::bot::BotRule::from_value(v, path)?),
            Some("EMAIL") => RuleKind::Email(EmailRule::from_value(v, path)?),
            Some("SHIELD") => RuleKind::Shield(Box::new(ShieldRule::from_value(v, path, clock)?)),
            Some(_) => RuleKind::RateLimit(RateLimit::from_options(&o, clock)?),
            None => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Missing,
                    o.key_path("type"),
                    "nothing",
                    "a rule type such as RATE_LIMIT (use the rule factories)",
                ))
            }
        };
        Ok(Self { mode, kind })
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            RuleKind::RateLimit(_) => "RATE_LIMIT",
            RuleKind::Bot(_) => "BOT",
            RuleKind::Email(_) => "EMAIL",
            RuleKind::Shield(_) => "SHIELD",
        }
    }
}

/// A compiled set of rules and the settings that apply to all of them.
pub struct Engine {
    rules: Vec<Rule>,
    ip: IpConfig,
    fail_closed: bool,
    clock: Clock,
    /// The MX checker, when an email rule asks for MX checks.
    mx: Option<std::sync::Arc<crate::email::MxChecker>>,
    /// Crawler verifiers by rule index, for bot rules with `verify`.
    verifiers: Vec<(usize, crate::bot::verify::Verifier)>,
    /// The shared store for rate limits, when configured (`store`).
    store: Option<remote::Store>,
}

impl Engine {
    /// Builds an engine from the options object `{ rules, proxies, platform, ipv6Prefix,
    /// unknownClient, failMode, dns, store }`. Every mistake fails here, never at request time.
    /// `clock` is accepted and not read: the Node.js wrapper takes it there and passes it as
    /// `clock`, and a misspelt key's message should list it.
    pub fn from_value(v: &serde_json::Value, clock: Clock) -> Result<Self, ConfigError> {
        let o = Obj::new(v, "")?;
        o.only(&[
            "rules",
            "clock",
            "proxies",
            "platform",
            "ipv6Prefix",
            "unknownClient",
            "failMode",
            "dns",
            "store",
        ])?;
        let ip = IpConfig::from_options(&o)?;
        let dns = DnsConfig::from_options(&o)?;
        let fail_closed = o.choice("failMode", &["open", "closed"])? == Some("closed");
        let rules: Vec<Rule> = match o.get("rules") {
            None => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Missing,
                    "rules",
                    "nothing",
                    "an array of rules (it may be empty)",
                ))
            }
            Some(serde_json::Value::Array(list)) => {
                if list.len() > MAX_RULES {
                    return Err(ConfigError::new(
                        ConfigErrorKind::Range,
                        "rules",
                        format!("{} rules", list.len()),
                        format!("at most {MAX_RULES} rules"),
                    ));
                }
                list.iter()
                    .enumerate()
                    .map(|(i, r)| Rule::with_clock(r, &format!("rules[{i}]"), &clock))
                    .collect::<Result<_, _>>()?
            }
            Some(other) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Type,
                    "rules",
                    crate::config::describe(other),
                    "an array of rules",
                ))
            }
        };
        let mx = mx_checker(&rules, &dns)?;
        let verifiers = verifiers(&rules, &dns)?;
        let store = match o.get("store") {
            Some(v) => Some(remote::Store::from_value(v, &o.key_path("store"))?),
            None => None,
        };
        Ok(Self {
            rules,
            ip,
            fail_closed,
            clock,
            mx,
            verifiers,
            store,
        })
    }

    /// Whether [`Engine::protect_async`] can find out more than [`Engine::protect`]: some rule
    /// needs a lookup (an MX check, crawler verification by DNS). Without one, both give the same
    /// decision.
    #[must_use]
    pub fn needs_async(&self) -> bool {
        self.mx.is_some() || !self.verifiers.is_empty() || self.store.is_some()
    }

    /// How much of a request body the caller should read for the shield rules, and how long to
    /// wait for it; `None` without a shield rule (the body is not read at all).
    ///
    /// The cap is the largest `maxBodyBytes` of any shield rule (each inspects up to its own).
    /// The wait is the shortest `bodyTimeoutMs` of the `LIVE` shield rules, or of the `DRY_RUN`
    /// ones when none is `LIVE`: a `DRY_RUN` rule must not change what a `LIVE` one decides.
    #[must_use]
    pub fn body_read(&self) -> Option<BodyRead> {
        let shields = || {
            self.rules.iter().filter_map(|r| match &r.kind {
                RuleKind::Shield(s) => Some((r.mode, s.shield.options())),
                _ => None,
            })
        };
        let max_bytes = shields().map(|(_, o)| o.max_body_bytes).max()?;
        let live = shields()
            .filter(|(m, _)| *m == Mode::Live)
            .map(|(_, o)| o.body_timeout_ms)
            .min();
        let timeout_ms = live.or_else(|| shields().map(|(_, o)| o.body_timeout_ms).min())?;
        Some(BodyRead {
            max_bytes,
            timeout_ms,
        })
    }

    /// Evaluates every rule, first doing the lookups the rules ask for (each bounded by its
    /// timeout; a timeout is reported, never taken as a verdict on the request). Must run inside
    /// a Tokio runtime with the `net` and `time` drivers. A panic anywhere inside becomes an ERROR
    /// decision (DENY when fail-closed).
    pub async fn protect_async(&self, req: &Request, mut props: Props) -> Decision {
        let lookups = async {
            let mx = async {
                match (&self.mx, self.mx_lookup(&props)) {
                    (Some(checker), Some((domain, timeout_ms))) => {
                        let timeout = std::time::Duration::from_millis(timeout_ms);
                        Some(
                            tokio::time::timeout(timeout, checker.check(&domain))
                                .await
                                .unwrap_or(crate::email::MxOutcome::Timeout),
                        )
                    }
                    _ => None,
                }
            };
            let (mx, verifications) = tokio::join!(mx, self.verify_crawlers(req));
            props.mx = mx;
            props.verifications = verifications;
            match &self.store {
                Some(store) => self.protect_remote(store, req, &props).await,
                None => self.protect(req, &props),
            }
        };
        match catch_unwind_async(lookups).await {
            Ok(decision) => decision,
            Err(message) => Decision::fault(message, self.fail_closed),
        }
    }

    /// The domains whose MX records the email rules want for these props (for the async entry
    /// point, which looks them up and passes the outcome in `Props::mx`).
    #[must_use]
    pub fn mx_lookup(&self, props: &Props) -> Option<(String, u64)> {
        let address = props.email.as_deref()?;
        self.rules.iter().find_map(|r| match &r.kind {
            RuleKind::Email(e) => e.mx_domain(address).map(|d| (d, e.mx_timeout_ms)),
            _ => None,
        })
    }

    /// Verifies the crawler a request claims to be, for every bot rule with `verify` (answers
    /// without I/O when the ranges or the cache decide; each verifier bounds its own DNS time).
    async fn verify_crawlers(
        &self,
        req: &Request,
    ) -> Vec<(usize, crate::bot::verify::Verification)> {
        let mut out = Vec::new();
        if self.verifiers.is_empty() {
            return out;
        }
        let ClientIp::Known { ip, .. } = self.client_ip(req) else {
            return out;
        };
        let Some(ua) = req.header("user-agent").filter(|u| !u.trim().is_empty()) else {
            return out;
        };
        let claimed = crate::bot::Detector::builtin().classify(ua);
        if !claimed.bot {
            return out;
        }
        for (i, verifier) in &self.verifiers {
            let v = match verifier.verify_now(&claimed, ip) {
                Some(v) => v,
                None => verifier.verify(&claimed, ip).await,
            };
            out.push((*i, v));
        }
        out
    }

    /// Whether internal faults deny (fail-closed) rather than pass as ERROR (fail-open).
    #[must_use]
    pub fn fail_closed(&self) -> bool {
        self.fail_closed
    }

    /// The engine's clock.
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The client address of a request under this engine's IP settings.
    #[must_use]
    pub fn client_ip(&self, req: &Request) -> ClientIp {
        // Forwarding headers are read from the end, where trusted proxies add theirs; `resolve`
        // bounds its own work, so padding a request with junk lines cannot hide them.
        let peer = req.peer.as_deref().and_then(parse_addr);
        self.ip.resolve(peer, &req.headers)
    }

    /// Evaluates every rule against a request.
    #[must_use]
    pub fn protect(&self, req: &Request, props: &Props) -> Decision {
        test_hooks::maybe_panic(req);
        let now = self.clock.now_ms();
        let client = self.client_ip(req);
        self.evaluate(req, props, client, now, &mut |_, _| None)
    }

    /// Runs the rules in order. `answered` may answer a rule that runs (a store's batch answer);
    /// otherwise it is evaluated here, in memory.
    fn evaluate(
        &self,
        req: &Request,
        props: &Props,
        client: ClientIp,
        now: u64,
        answered: &mut dyn FnMut(usize, RuleState) -> Option<RuleAnswer>,
    ) -> Decision {
        let mut results: Vec<RuleResult> = Vec::with_capacity(self.rules.len());
        let mut denied: Option<Reason> = None;
        for (i, rule) in self.rules.iter().enumerate() {
            let state = match (&denied, rule.mode) {
                (Some(_), _) => RuleState::NotRun,
                (None, Mode::Live) => RuleState::Run,
                (None, Mode::DryRun) => RuleState::DryRun,
            };
            let (conclusion, reason, state) = if state == RuleState::NotRun {
                (Conclusion::Allow, Reason::None, state)
            } else if let Some(answer) = answered(i, state) {
                answer
            } else {
                match &rule.kind {
                    RuleKind::RateLimit(rl) => self.rate_limit(rl, req, props, client, now, state),
                    RuleKind::Bot(rule) => {
                        let checked = props
                            .verifications
                            .iter()
                            .find(|(at, _)| *at == i)
                            .map(|(_, v)| *v);
                        let (c, r) = bot_check(rule, req, client, checked);
                        (c, r, state)
                    }
                    RuleKind::Email(rule) => {
                        let (c, r) = email_check(rule, props);
                        (c, r, state)
                    }
                    RuleKind::Shield(rule) => {
                        let (c, r) = self.shield_check(rule, req, client, now, state);
                        (c, r, state)
                    }
                }
            };
            if conclusion == Conclusion::Deny && state == RuleState::Run {
                denied = Some(reason.clone());
            }
            results.push(RuleResult {
                rule: i,
                kind: rule.kind_name(),
                mode: rule.mode,
                state,
                conclusion,
                reason,
            });
        }
        let live_error = results
            .iter()
            .find(|r| r.state == RuleState::Run && r.conclusion == Conclusion::Error);
        let (conclusion, reason) = if let Some(reason) = denied {
            (Conclusion::Deny, reason)
        } else if let Some(err) = live_error {
            (
                if self.fail_closed {
                    Conclusion::Deny
                } else {
                    Conclusion::Error
                },
                err.reason.clone(),
            )
        } else {
            (Conclusion::Allow, tightest_limit(&results))
        };
        let ip = match client {
            ClientIp::Known { ip, source } => IpInfo {
                address: Some(ip.to_string()),
                source: source.as_str(),
            },
            ClientIp::Unknown => IpInfo {
                address: None,
                source: "unknown",
            },
        };
        Decision {
            id: new_id(),
            conclusion,
            reason,
            results,
            ip,
        }
    }

    fn rate_limit(
        &self,
        rl: &RateLimit,
        req: &Request,
        props: &Props,
        client: ClientIp,
        now: u64,
        state: RuleState,
    ) -> (Conclusion, Reason, RuleState) {
        let shared_unknown = self.ip.unknown == UnknownClient::Shared;
        let key = match rl.key(req, props, client, self.ip.v6_prefix, shared_unknown) {
            Ok(k) => k,
            Err(KeyError::UnknownClient) => {
                return match self.ip.unknown {
                    UnknownClient::Skip => (Conclusion::Allow, Reason::None, RuleState::NotRun),
                    _ => (Conclusion::Deny, Reason::UnknownClient, state),
                };
            }
            Err(KeyError::MissingProp(name)) => {
                let message = format!("characteristic `{name}` was not passed to protect(): pass it in the props, e.g. protect(req, {{ {name}: ... }})");
                return (Conclusion::Error, Reason::Error { message }, state);
            }
        };
        let cost = props.requested.unwrap_or(1);
        let outcome = rl.table.check(key, cost, now);
        let conclusion = if outcome.allowed {
            Conclusion::Allow
        } else {
            Conclusion::Deny
        };
        (conclusion, rate_reason(&outcome), state)
    }
}

/// Builds the MX checker when some email rule checks MX, with the longest of their timeouts as
/// its own bound (each rule also bounds its wait separately).
fn mx_checker(
    rules: &[Rule],
    dns: &DnsConfig,
) -> Result<Option<std::sync::Arc<crate::email::MxChecker>>, ConfigError> {
    let timeout_ms = rules
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::Email(e) if e.check_mx => Some(e.mx_timeout_ms),
            _ => None,
        })
        .max();
    let Some(timeout_ms) = timeout_ms else {
        return Ok(None);
    };
    let config = crate::email::MxConfig {
        nameservers: dns.nameservers.clone(),
        timeout: std::time::Duration::from_millis(timeout_ms),
        ..crate::email::MxConfig::default()
    };
    crate::email::MxChecker::new(config)
        .map(|c| Some(std::sync::Arc::new(c)))
        .map_err(|mut e| {
            e.path = format!("dns.{}", e.path);
            e
        })
}

/// A panic trigger for the panic-safety tests. It exists only in debug builds (the test profile;
/// the shipped addon is a release build) and only when `PALISADE_TEST_HOOKS=1` is set in the
/// environment: then a request carrying the header `x-palisade-test-panic` panics inside the core.
mod test_hooks {
    #[cfg(debug_assertions)]
    pub fn maybe_panic(req: &super::Request) {
        use std::sync::OnceLock;
        static ON: OnceLock<bool> = OnceLock::new();
        let on = *ON.get_or_init(|| std::env::var("PALISADE_TEST_HOOKS").is_ok_and(|v| v == "1"));
        assert!(
            !(on && req.header("x-palisade-test-panic").is_some()),
            "test hook: panic requested by x-palisade-test-panic"
        );
    }

    #[cfg(not(debug_assertions))]
    #[inline(always)]
    pub fn maybe_panic(_: &super::Request) {}
}

/// Runs a future, turning a panic inside it into `Err(message)`.
pub async fn catch_unwind_async<F: std::future::Future>(fut: F) -> Result<F::Output, String> {
    CatchUnwind {
        inner: Box::pin(fut),
    }
    .await
}

/// Builds a crawler verifier for every bot rule with `verify`; a rule without its own name
/// servers uses the engine's `dns` setting.
fn verifiers(
    rules: &[Rule],
    dns: &DnsConfig,
) -> Result<Vec<(usize, crate::bot::verify::Verifier)>, ConfigError> {
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        if let RuleKind::Bot(bot) = &rule.kind {
            if let Some(config) = &bot.verify {
                let mut config = config.clone();
                if config.nameservers.is_empty() {
                    config.nameservers.clone_from(&dns.nameservers);
                }
                let verifier = crate::bot::verify::Verifier::new(config).map_err(|mut e| {
                    e.path = format!("rules[{i}].verify ({})", e.path);
                    e
                })?;
                out.push((i, verifier));
            }
        }
    }
    Ok(out)
}

/// Polls a future inside `catch_unwind`, turning a panic into a message: an internal fault must
/// become an ERROR decision, not a rejected promise or a torn-down runtime.
struct CatchUnwind<F> {
    inner: std::pin::Pin<Box<F>>,
}

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(p) => std::task::Poll::Ready(Err(panic_message(&*p))),
        }
    }
}

/// The message of a caught panic.
#[must_use]
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let detail = p
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal fault in palisade (caught panic: {detail})")
}

impl Engine {
    fn shield_check(
        &self,
        rule: &ShieldRule,
        req: &Request,
        client: ClientIp,
        now: u64,
        state: RuleState,
    ) -> (Conclusion, Reason) {
        let out = rule.evaluate(
            inspect_request(&rule.shield, req),
            client,
            self.ip.v6_prefix,
            now,
            state == RuleState::Run,
        );
        let reason = Reason::Shield {
            findings: out.report.findings.iter().map(FindingInfo::from).collect(),
            blocked: out.blocked,
            reset_secs: secs(out.block_reset_ms),
            body: body_status(req, &out.report),
            caps: out.report.caps.iter().map(|c| c.as_str()).collect(),
        };
        (
            if out.denied {
                Conclusion::Deny
            } else {
                Conclusion::Allow
            },
            reason,
        )
    }
}

/// The path and query as they came on the wire, which is what the shield reads.
fn shield_url(req: &Request) -> std::borrow::Cow<'_, str> {
    if req.query.is_empty() {
        std::borrow::Cow::Borrowed(req.path.as_str())
    } else {
        std::borrow::Cow::Owned(format!("{}?{}", req.path, req.query))
    }
}

fn shield_input<'a>(req: &'a Request, url: &'a str) -> crate::shield::Input<'a> {
    crate::shield::Input {
        method: &req.method,
        url,
        headers: &req.headers,
        body: req.body.as_deref(),
        content_type: None,
    }
}

/// Inspects a request with a shield. A body the caller stopped waiting for (unreadable, yet with
/// the bytes that came) is inspected as far as it came and reported as [`Cap::BodyIncomplete`].
///
/// [`Cap::BodyIncomplete`]: crate::shield::Cap::BodyIncomplete
fn inspect_request(shield: &crate::shield::Shield, req: &Request) -> crate::shield::Report {
    let url = shield_url(req);
    let mut report = shield.inspect(&shield_input(req, &url));
    if req.body_unreadable && req.body.is_some() {
        report.caps.push(crate::shield::Cap::BodyIncomplete);
    }
    report
}

/// How the body was handled: `UNREADABLE` when the caller could not read it at all (already
/// used, or the stream failed), `INCOMPLETE` when it stopped arriving and the bytes that came
/// were inspected, otherwise what the shield did with it.
fn body_status(req: &Request, report: &crate::shield::Report) -> &'static str {
    match (req.body_unreadable, req.body.is_some()) {
        (true, false) => "UNREADABLE",
        (true, true) => "INCOMPLETE",
        (false, _) => report.body.as_str(),
    }
}

/// Runs a bot rule: classify the UA, apply the lists, and check a claimed crawler's address
/// against its published ranges. A client that claims a verifiable crawler from outside its ranges
/// is denied whatever the lists say: it is lying about who it is.
fn bot_check(
    rule: &crate::bot::BotRule,
    req: &Request,
    client: ClientIp,
    checked: Option<crate::bot::verify::Verification>,
) -> (Conclusion, Reason) {
    use crate::bot::{verify::Ranges, verify::Verification};
    let verdict = rule.evaluate(rule.detector(), req.header("user-agent"));
    let verification = match (checked, client) {
        (Some(v), _) => v,
        (None, ClientIp::Known { ip, .. }) if verdict.classification.bot => {
            Ranges::builtin().verify(&verdict.classification, ip)
        }
        _ => Verification::Unverifiable,
    };
    let denied = verdict.denied || verification == Verification::Spoofed;
    let c = verdict.classification;
    let reason = Reason::Bot {
        bot: c.bot,
        ids: c.ids.iter().map(ToString::to_string).collect(),
        categories: c.categories.iter().map(|k| k.as_str()).collect(),
        verification: match verification {
            Verification::Verified => "VERIFIED",
            Verification::Spoofed => "SPOOFED",
            Verification::Unverifiable => "UNVERIFIABLE",
        },
    };
    (
        if denied {
            Conclusion::Deny
        } else {
            Conclusion::Allow
        },
        reason,
    )
}

fn email_check(rule: &EmailRule, props: &Props) -> (Conclusion, Reason) {
    let Some(address) = props.email.as_deref() else {
        let message =
            "the email rule needs the address: pass it as protect(req, { email })".to_owned();
        return (Conclusion::Error, Reason::Error { message });
    };
    let out = rule.evaluate(address, props.mx);
    let v = out.verdict;
    let reason = Reason::Email {
        types: v.types.iter().map(|t| t.as_str()).collect(),
        reasons: v.reasons.iter().map(|r| r.as_str()).collect(),
        normalized: v.normalized,
        suggestion: v.suggestion,
        mx: out.mx.map(crate::email::MxOutcome::as_str),
    };
    (
        if out.denied {
            Conclusion::Deny
        } else {
            Conclusion::Allow
        },
        reason,
    )
}

/// Seconds for headers: rounded up, so a client that waits that long is never early.
fn secs(ms: u64) -> u64 {
    ms.div_ceil(1000)
}

/// The reason for a rate-limit outcome.
#[must_use]
pub fn rate_reason(o: &Outcome) -> Reason {
    Reason::RateLimit {
        max: o.max,
        remaining: o.remaining,
        reset_secs: secs(o.reset_ms),
        window_secs: secs(o.window_ms),
    }
}

/// The reason of an allowed decision: the tightest rate limit (what rate-limit headers show), or
/// else the last rule that ran.
fn tightest_limit(results: &[RuleResult]) -> Reason {
    let ran = || results.iter().filter(|r| r.state != RuleState::NotRun);
    ran()
        .filter(|r| r.state == RuleState::Run)
        .filter_map(|r| match r.reason {
            Reason::RateLimit { remaining, .. } => Some((remaining, &r.reason)),
            _ => None,
        })
        .min_by_key(|(rem, _)| *rem)
        .map(|(_, r)| r.clone())
        .or_else(|| ran().next_back().map(|r| r.reason.clone()))
        .unwrap_or(Reason::None)
}
