//! The shield rule: attack detection on every part of a request, and per-client blocking of
//! clients that keep attacking.

use std::sync::Arc;

use crate::config::{ConfigError, ConfigErrorKind, Obj};
use crate::ip::{limit_key, ClientIp};
use crate::ratelimit::{key_hash, registry_table, Algorithm, Clock, Table, DEFAULT_MAX_KEYS};
use crate::shield::{Finding, Options, Report, Shield};

/// Attack requests within `blockFor` that get a client blocked, by default.
pub const DEFAULT_THRESHOLD: u32 = 3;
/// The most attack requests `threshold` may ask for.
pub const MAX_THRESHOLD: u64 = 1000;
/// How long a client stays blocked by default (and the window its attack requests are counted in).
pub const DEFAULT_BLOCK_FOR_MS: u64 = 15 * 60 * 1000;

/// A configured shield rule.
pub struct ShieldRule {
    /// The detector with its options (sensitivity, exclusions, body cap).
    pub shield: Shield,
    /// Attack requests within `block_for_ms` that block the client; 0 turns blocking off.
    pub threshold: u32,
    /// How long a blocked client stays blocked.
    pub block_for_ms: u64,
    /// Whether a request with values or header lines left uninspected (more than
    /// [`crate::shield::MAX_VALUES`] values or [`crate::shield::MAX_HEADERS`] header lines) is
    /// denied: `uninspected: "DENY"` (the default) or `"ALLOW"`.
    pub deny_uninspected: bool,
    /// Attack requests per client in the current window.
    strikes: Option<Arc<Table>>,
    /// Blocked clients: a slot with nothing left is a block until its window ends.
    blocks: Option<Arc<Table>>,
    /// The rule's identity in a shared store (name, mode, sensitivity, threshold, blockFor), the
    /// same in every process.
    pub remote_scope: crate::ratelimit::RemoteKey,
}

/// What the shield rule found for one request.
pub struct ShieldOutcome {
    /// Whether the rule denies (an attack in this request, a blocked client, or, unless
    /// `uninspected: "ALLOW"`, parts of the request left uninspected).
    pub denied: bool,
    /// The detector's report for this request.
    pub report: Report,
    /// Whether the client is blocked (by this request's strike, or earlier ones).
    pub blocked: bool,
    /// Milliseconds until the block ends (0 when not blocked).
    pub block_reset_ms: u64,
}

impl ShieldRule {
    /// Parses a `SHIELD` rule: the detector's options plus `threshold` (0 to 1000, 0 = never
    /// block; default 3), `blockFor` (an interval; default 15 minutes) and `name` (rules with the
    /// same settings and name share their block list across the process).
    pub fn from_value(
        v: &serde_json::Value,
        path: &str,
        clock: &Clock,
    ) -> Result<Self, ConfigError> {
        let o = Obj::new(v, path)?;
        let name = o.rule_name()?;
        // `name` belongs to the rule (it separates block lists), not to the detector.
        let mut detector_options = v.clone();
        if let Some(m) = detector_options.as_object_mut() {
            m.remove("name");
        }
        let options = Options::from_value(&detector_options, path)?;
        let threshold = o
            .u64_in("threshold", 0, MAX_THRESHOLD)?
            .map_or(DEFAULT_THRESHOLD, |n| n as u32);
        let deny_uninspected = o.choice("uninspected", &["DENY", "ALLOW"])? != Some("ALLOW");
        let block_for_ms = match o.get("blockFor") {
            Some(v) => crate::ratelimit::parse_interval(v, &o.key_path("blockFor"))?,
            None => DEFAULT_BLOCK_FOR_MS,
        };
        let remote_scope = crate::ratelimit::RemoteKey::from_parts([
            b"shield".as_slice(),
            name.as_bytes(),
            o.str("mode")?.unwrap_or("LIVE").as_bytes(),
            format!("{:?}", options.sensitivity).as_bytes(),
            &threshold.to_le_bytes(),
            &block_for_ms.to_le_bytes(),
        ]);
        let (strikes, blocks) = if threshold == 0 {
            (None, None)
        } else {
            let mode = o.str("mode")?.unwrap_or("LIVE");
            let sens = format!("{:?}", options.sensitivity);
            let clock_id = clock.identity().to_le_bytes();
            let scope = |what: &[u8]| {
                key_hash([
                    b"shield".as_slice(),
                    what,
                    name.as_bytes(),
                    mode.as_bytes(),
                    sens.as_bytes(),
                    &threshold.to_le_bytes(),
                    &block_for_ms.to_le_bytes(),
                    clock_id.as_slice(),
                ])
            };
            let table = |what: &[u8], alg| {
                registry_table(scope(what), alg, DEFAULT_MAX_KEYS).ok_or_else(|| {
                    ConfigError::new(
                        ConfigErrorKind::Range,
                        o.path(),
                        "another distinct shield",
                        "at most 4096 distinct limits and shields per process (are rules being built per request?)",
                    )
                })
            };
            (
                Some(table(
                    b"strikes",
                    Algorithm::FixedWindow {
                        window_ms: block_for_ms,
                        max: threshold,
                    },
                )?),
                Some(table(
                    b"blocks",
                    Algorithm::FixedWindow {
                        window_ms: block_for_ms,
                        max: 1,
                    },
                )?),
            )
        };
        Ok(Self {
            shield: Shield::new(options),
            threshold,
            block_for_ms,
            deny_uninspected,
            strikes,
            blocks,
            remote_scope,
        })
    }

    /// The key of a client for blocking (its address, IPv6 by prefix), if known.
    #[must_use]
    pub fn client_key(client: ClientIp, v6_prefix: u8) -> Option<Vec<u8>> {
        match client {
            ClientIp::Known { ip, .. } => Some(match limit_key(ip, v6_prefix) {
                std::net::IpAddr::V4(a) => a.octets().to_vec(),
                std::net::IpAddr::V6(a) => a.octets().to_vec(),
            }),
            ClientIp::Unknown => None,
        }
    }

    /// Applies per-client blocking to one request's inspection (`report`, from this rule's
    /// `shield`). `count` is false for `DRY_RUN` rules, which report a would-be block but never
    /// start one.
    #[must_use]
    pub fn evaluate(
        &self,
        report: Report,
        client: ClientIp,
        v6_prefix: u8,
        now: u64,
        count: bool,
    ) -> ShieldOutcome {
        let attack = report.attack();
        let key = match client {
            ClientIp::Known { ip, .. } => Some(match limit_key(ip, v6_prefix) {
                std::net::IpAddr::V4(a) => key_hash([a.octets().as_slice()]),
                std::net::IpAddr::V6(a) => key_hash([a.octets().as_slice()]),
            }),
            ClientIp::Unknown => None,
        };
        let (mut blocked, mut block_reset_ms) = (false, 0);
        if let (Some(key), Some(strikes), Some(blocks)) = (key, &self.strikes, &self.blocks) {
            let held = blocks.peek(key, now);
            if held.remaining == 0 {
                (blocked, block_reset_ms) = (true, held.reset_ms);
            } else if attack && count {
                let s = strikes.check(key, 1, now);
                if s.remaining == 0 {
                    let b = blocks.check(key, 1, now);
                    (blocked, block_reset_ms) = (true, b.reset_ms.max(self.block_for_ms));
                }
            }
        }
        ShieldOutcome {
            denied: attack || blocked || (self.deny_uninspected && report.uninspected()),
            report,
            blocked,
            block_reset_ms,
        }
    }
}

/// A finding as the decision carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingInfo {
    /// `sqli`, `xss`, ...
    pub family: &'static str,
    /// `query.id`, `body.user.name`, `header.referer`, ...
    pub location: String,
    /// 0 to 100.
    pub score: u32,
    /// Short, redacted, safe to log.
    pub snippet: String,
}

impl From<&Finding> for FindingInfo {
    fn from(f: &Finding) -> Self {
        Self {
            family: f.family.as_str(),
            location: f.location.clone(),
            score: f.score,
            snippet: f.snippet.clone(),
        }
    }
}
