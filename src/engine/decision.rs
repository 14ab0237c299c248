//! The decision returned for a request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use super::rule::Mode;

/// The overall or per-rule answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conclusion {
    /// Let the request through.
    Allow,
    /// Turn the request away.
    Deny,
    /// Something inside palisade failed; the request was not judged. Fail-open by default.
    Error,
}

impl Conclusion {
    /// `"ALLOW"`, `"DENY"` or `"ERROR"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "ALLOW",
            Self::Deny => "DENY",
            Self::Error => "ERROR",
        }
    }
}

/// Why a rule or decision concluded what it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No rule gave a reason (no rules, or all skipped).
    None,
    /// A rate limit.
    RateLimit {
        /// The limit.
        max: u32,
        /// Left after this request.
        remaining: u32,
        /// Seconds until a denied request could succeed, or until the allowance is full again.
        reset_secs: u64,
        /// The window or refill interval in seconds.
        window_secs: u64,
    },
    /// No client address could be found and the policy is to deny.
    UnknownClient,
    /// Bot detection.
    Bot {
        /// Whether the User-Agent is a bot (known or by shape).
        bot: bool,
        /// Ids of the bots found.
        ids: Vec<String>,
        /// Their categories (`SEARCH_ENGINE`, ...).
        categories: Vec<&'static str>,
        /// `VERIFIED`, `SPOOFED` (claims a crawler whose published ranges exclude the client) or
        /// `UNVERIFIABLE`.
        verification: &'static str,
    },
    /// Email validation.
    Email {
        /// `INVALID`, `DISPOSABLE`, `FREE`, `NO_MX_RECORDS`, `ROLE`.
        types: Vec<&'static str>,
        /// Why an address is invalid (`MISSING_TLD`, ...).
        reasons: Vec<&'static str>,
        /// The address with a lower-case punycode domain.
        normalized: Option<String>,
        /// A likely intended address for a typo of a big provider's domain.
        suggestion: Option<String>,
        /// What the MX check found, when it ran.
        mx: Option<&'static str>,
    },
    /// Attack detection.
    Shield {
        /// What this request carries (empty for a clean request from a blocked client).
        findings: Vec<super::shield::FindingInfo>,
        /// Whether the client is blocked for repeated attacks.
        blocked: bool,
        /// Seconds until the block ends (0 when not blocked).
        reset_secs: u64,
        /// How the body was handled: `ABSENT`, `PARSED`, `TRUNCATED`, `UNPARSEABLE`, `SKIPPED`,
        /// `UNREADABLE` (the caller could not read it; the other parts were inspected), or
        /// `INCOMPLETE` (it stopped arriving; what came was inspected, see `BODY_INCOMPLETE`).
        body: &'static str,
        /// Caps this request reached (`VALUES`, `HEADERS`, `VALUE_BYTES`, `URL_BYTES`,
        /// `JSON_DEPTH`, `BODY_BYTES`, `BODY_INCOMPLETE`): what was not inspected, or not in full.
        caps: Vec<&'static str>,
    },
    /// The shared store failed (unreachable, too slow, or an unexpected answer). Never a rate
    /// limit: the store's `failMode` decides (ERROR, or DENY when closed).
    StoreError {
        /// `PALISADE_STORE_UNAVAILABLE`, `PALISADE_STORE_TIMEOUT` or `PALISADE_STORE_PROTOCOL`.
        code: &'static str,
        /// What happened.
        message: String,
    },
    /// An internal fault or a misuse detected at request time.
    Error {
        /// What went wrong.
        message: String,
    },
}

impl Reason {
    /// The reason's type name as JavaScript sees it.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::RateLimit { .. } => "RATE_LIMIT",
            Self::UnknownClient => "UNKNOWN_CLIENT",
            Self::Bot { .. } => "BOT",
            Self::Email { .. } => "EMAIL",
            Self::Shield { .. } => "SHIELD",
            Self::StoreError { .. } => "STORE_ERROR",
            Self::Error { .. } => "ERROR",
        }
    }
}

/// Whether a rule ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleState {
    /// Ran in LIVE mode.
    Run,
    /// Ran in `DRY_RUN` mode: reported, never denies.
    DryRun,
    /// Not run: an earlier rule denied, or the rule did not apply.
    NotRun,
}

impl RuleState {
    /// `"RUN"`, `"DRY_RUN"` or `"NOT_RUN"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Run => "RUN",
            Self::DryRun => "DRY_RUN",
            Self::NotRun => "NOT_RUN",
        }
    }
}

/// One rule's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleResult {
    /// Position of the rule in `rules`.
    pub rule: usize,
    /// Rule type, e.g. `RATE_LIMIT`.
    pub kind: &'static str,
    /// The rule's mode.
    pub mode: Mode,
    /// Whether it ran.
    pub state: RuleState,
    /// What it concluded (a `DRY_RUN` rule may conclude DENY without denying).
    pub conclusion: Conclusion,
    /// Why.
    pub reason: Reason,
}

/// What was learned of the client address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpInfo {
    /// The address, if found.
    pub address: Option<String>,
    /// Where it came from (`peer`, `x-forwarded-for`, `forwarded`, `platform`), or `unknown`.
    pub source: &'static str,
}

/// The answer for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// A unique id for logs.
    pub id: String,
    /// The overall conclusion.
    pub conclusion: Conclusion,
    /// Why: the denying rule's reason, the fault, or (when allowed) the tightest rate limit.
    pub reason: Reason,
    /// Every rule's result, in rule order.
    pub results: Vec<RuleResult>,
    /// The client address.
    pub ip: IpInfo,
}

/// A process-unique decision id: a random per-process prefix and a counter.
#[must_use]
pub fn new_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let p = *PREFIX.get_or_init(|| ahash::RandomState::new().hash_one(std::process::id()) as u32);
    format!(
        "pal_{p:08x}{:012x}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Decision {
    /// The decision for an internal fault (a panic or an unexpected state), applying the fail mode.
    #[must_use]
    pub fn fault(message: impl Into<String>, fail_closed: bool) -> Self {
        Self {
            id: new_id(),
            conclusion: if fail_closed {
                Conclusion::Deny
            } else {
                Conclusion::Error
            },
            reason: Reason::Error {
                message: message.into(),
            },
            results: Vec::new(),
            ip: IpInfo {
                address: None,
                source: "unknown",
            },
        }
    }
}
