//! Asynchronous verification: address blocks first, then reverse DNS with forward confirmation.
//!
//! # Runtime
//!
//! [`Verifier::verify`] must run inside a Tokio runtime with the `net` and `time` drivers enabled
//! (`tokio::runtime::Builder::new_current_thread().enable_all()` or the multi-thread builder), like
//! `email::MxChecker::check`: the resolver spawns its socket tasks on that runtime.
//! [`Verifier::new`] and [`Verifier::verify_now`] need no runtime.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hickory_resolver::proto::rr::{Name, RData};
use hickory_resolver::TokioResolver;
use serde_json::Value;

use super::methods::{method_of, Method, Operator};
use super::{Ranges, Verification};
use crate::bot::Classification;
use crate::config::{ConfigError, ConfigErrorKind, Obj};
use crate::dns::{self, GenCache};
use crate::ip::canonical;

/// PTR names considered per address, in answer order. Genuine crawler addresses have one; the cap
/// bounds the forward lookups a hostile reverse zone can trigger.
pub const MAX_PTR_NAMES: usize = 4;
/// Address records of a forward answer compared with the client address. Crawler host names have
/// one; the cap bounds the work per answer whatever the server sends.
pub const MAX_FORWARD_ADDRS: usize = 32;
/// Name servers accepted in [`VerifierConfig::nameservers`].
pub const MAX_NAMESERVERS: usize = 8;
/// The largest `timeoutMs` accepted: a request held longer than this for a crawler check is a
/// misconfiguration.
pub const MAX_TIMEOUT_MS: u64 = 30_000;

/// How a [`Verifier`] resolves and caches, and which address blocks it knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Name servers to ask (UDP, then TCP for truncated answers). Empty means the system's
    /// (`/etc/resolv.conf`).
    pub nameservers: Vec<SocketAddr>,
    /// Upper bound for one whole verification (every PTR and forward query it makes). Default 1 s:
    /// a cold lookup through a recursive resolver takes a few hundred ms, and a crawler's first
    /// request waits for it.
    pub timeout: Duration,
    /// Most (address, operator) answers remembered. Default 10,000 (well under 1 MB); 0 disables
    /// the cache.
    pub cache_capacity: usize,
    /// How long a Verified answer is reused. Default 1 hour: crawler host names are stable, and
    /// operators publish their PTR records with TTLs of hours.
    pub verified_ttl: Duration,
    /// How long a Spoofed answer from DNS is reused. Default 5 minutes: a definite answer, but
    /// shorter so that an operator's DNS change or a propagation delay heals quickly.
    pub spoofed_ttl: Duration,
    /// How long a DNS failure (timeout, SERVFAIL, REFUSED) is remembered as Unverifiable. Default
    /// 30 s: long enough that a dead resolver or a deliberately slow reverse zone delays at most
    /// one request per address and operator per 30 s, short enough to retry soon.
    pub failure_ttl: Duration,
    /// Address blocks consulted before DNS. Default: [`Ranges::builtin`].
    pub ranges: Ranges,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            nameservers: Vec::new(),
            timeout: Duration::from_secs(1),
            cache_capacity: 10_000,
            verified_ttl: Duration::from_secs(3600),
            spoofed_ttl: Duration::from_secs(300),
            failure_ttl: Duration::from_secs(30),
            ranges: Ranges::builtin().clone(),
        }
    }
}

impl VerifierConfig {
    /// Reads `{ nameservers?, timeoutMs?, rangesFile?, ranges? }`.
    ///
    /// - `nameservers`: up to [`MAX_NAMESERVERS`] strings `"IP:PORT"`, `"[IPv6]:PORT"` or a bare
    ///   IP (port 53); errors are `PALISADE_CONFIG_CIDR` at `path.nameservers[i]`.
    /// - `timeoutMs`: 1 to [`MAX_TIMEOUT_MS`].
    /// - `rangesFile`: a file read now by [`Ranges::from_file`] (JSON or `BOT_ID CIDR` lines);
    ///   `ranges`: the same JSON object inline ([`Ranges::from_value`]). At most one of the two.
    ///   Bots they list replace the shipped blocks of those bots; others keep the shipped blocks.
    ///
    /// Unknown keys are rejected. Bot ids in ranges are checked for shape only: a caller with a
    /// detector should also check them with `Detector::is_known_id`.
    pub fn from_value(v: &Value, path: &str) -> Result<Self, ConfigError> {
        let obj = Obj::new(v, path)?;
        obj.only(&["nameservers", "timeoutMs", "rangesFile", "ranges"])?;
        let mut config = Self::default();
        if let Some(list) = obj.str_list("nameservers", MAX_NAMESERVERS)? {
            let list_path = obj.key_path("nameservers");
            config.nameservers = list
                .iter()
                .enumerate()
                .map(|(i, s)| parse_nameserver(s, &format!("{list_path}[{i}]")))
                .collect::<Result<_, _>>()?;
        }
        if let Some(ms) = obj.u64_in("timeoutMs", 1, MAX_TIMEOUT_MS)? {
            config.timeout = Duration::from_millis(ms);
        }
        match (obj.str("rangesFile")?, obj.get("ranges")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Type,
                    obj.key_path("ranges"),
                    "both rangesFile and ranges",
                    "either rangesFile or ranges, not both",
                ))
            }
            (Some(file), None) => {
                let loaded = Ranges::from_file(Path::new(file)).map_err(|mut e| {
                    e.path = format!("{} ({})", obj.key_path("rangesFile"), e.path);
                    e
                })?;
                config.ranges.update(loaded);
            }
            (None, Some(inline)) => {
                config
                    .ranges
                    .update(Ranges::from_value(inline, &obj.key_path("ranges"))?);
            }
            (None, None) => {}
        }
        Ok(config)
    }
}

fn parse_nameserver(s: &str, path: &str) -> Result<SocketAddr, ConfigError> {
    s.parse::<SocketAddr>()
        .or_else(|_| s.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| {
            ConfigError::new(
                ConfigErrorKind::Cidr,
                path,
                format!("{s:?}"),
                "a name server address such as \"127.0.0.1:5353\", \"[::1]:53\" or \"192.0.2.53\"",
            )
        })
}

/// What one operator's DNS says about one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Verified,
    Spoofed,
    /// DNS failed or timed out: no answer about the address.
    Failed,
}

/// What is known without I/O.
enum Plan {
    Done(Verification),
    Ask {
        operators: Vec<&'static Operator>,
        spoofed: bool,
        failed: bool,
    },
}

type Key = (IpAddr, &'static str);

/// Verifies claimed crawlers by address blocks and by reverse DNS plus forward confirmation.
/// Build one per application and share it; it is `Send + Sync`.
pub struct Verifier {
    ranges: Ranges,
    resolver: TokioResolver,
    timeout: Duration,
    verified_ttl: Duration,
    spoofed_ttl: Duration,
    failure_ttl: Duration,
    cache: Mutex<GenCache<Key, Outcome>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("timeout", &self.timeout)
            .field("cached", &self.cached())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Builds a verifier. Fails only when no name server is given and the system resolver
    /// configuration cannot be read.
    pub fn new(config: VerifierConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            // The verdict cache below is the only cache: hickory's would hold the same answers
            // a second time, and would hide a dropped verdict from a fresh query.
            resolver: dns::resolver(&config.nameservers, config.timeout, false)?,
            ranges: config.ranges,
            timeout: config.timeout,
            verified_ttl: config.verified_ttl,
            spoofed_ttl: config.spoofed_ttl,
            failure_ttl: config.failure_ttl,
            cache: Mutex::new(GenCache::new(config.cache_capacity)),
        })
    }

    /// The address blocks consulted before DNS.
    #[must_use]
    pub fn ranges(&self) -> &Ranges {
        &self.ranges
    }

    /// Checks the crawlers named in `claimed` against the address the request came from.
    ///
    /// For each named bot: a hit in its address blocks is Verified; a bot checked by blocks only
    /// ([`Method::Ranges`], or any bot with blocks and no DNS method) is Spoofed outside them;
    /// a bot with a [`Method::ReverseDns`] operator is asked of DNS (once per operator, cached).
    /// Combined: Verified if any bot verifies; otherwise Unverifiable if any DNS check failed;
    /// otherwise Spoofed if any bot was checked; otherwise (no checkable bot, no DNS traffic)
    /// Unverifiable. The whole call is bounded by the configured timeout.
    pub async fn verify(&self, claimed: &Classification, ip: IpAddr) -> Verification {
        let ip = canonical(ip);
        let (operators, mut spoofed, mut failed) = match self.plan(claimed, ip) {
            Plan::Done(v) => return v,
            Plan::Ask {
                operators,
                spoofed,
                failed,
            } => (operators, spoofed, failed),
        };
        let deadline = tokio::time::Instant::now() + self.timeout;
        for op in operators {
            let outcome = tokio::time::timeout_at(deadline, self.reverse(op, ip))
                .await
                .unwrap_or(Outcome::Failed);
            let ttl = match outcome {
                Outcome::Verified => self.verified_ttl,
                Outcome::Spoofed => self.spoofed_ttl,
                Outcome::Failed => self.failure_ttl,
            };
            self.cache_lock()
                .put((ip, op.name), outcome, ttl, Instant::now());
            match outcome {
                Outcome::Verified => return Verification::Verified,
                Outcome::Spoofed => spoofed = true,
                Outcome::Failed => failed = true,
            }
        }
        combine(spoofed, failed)
    }

    /// The answer [`Verifier::verify`] would give, when it needs no DNS query (no checkable bot
    /// named, an address-block answer, or every needed DNS answer cached); `None` otherwise.
    /// Lets a synchronous caller skip the async hop for almost every request.
    #[must_use]
    pub fn verify_now(&self, claimed: &Classification, ip: IpAddr) -> Option<Verification> {
        match self.plan(claimed, canonical(ip)) {
            Plan::Done(v) => Some(v),
            Plan::Ask { .. } => None,
        }
    }

    /// Number of cached (address, operator) answers, expired ones included until evicted (for
    /// tests and metrics).
    #[must_use]
    pub fn cached(&self) -> usize {
        self.cache_lock().len()
    }

    fn plan(&self, claimed: &Classification, ip: IpAddr) -> Plan {
        let now = Instant::now();
        let mut spoofed = false;
        let mut failed = false;
        let mut operators: Vec<&'static Operator> = Vec::new();
        for id in &claimed.ids {
            let operator = match method_of(id) {
                Some(Method::ReverseDns(op)) => Some(op),
                Some(Method::Ranges) | None => None,
            };
            if let Some(blocks) = self.ranges.blocks(id) {
                if blocks.contains(ip) {
                    return Plan::Done(Verification::Verified);
                }
                // Shipped blocks may be stale; for an operator that names its hosts, DNS decides.
                if operator.is_none() {
                    spoofed = true;
                }
            }
            let Some(op) = operator else { continue };
            match self.cache_lock().get(&(ip, op.name), now) {
                Some(Outcome::Verified) => return Plan::Done(Verification::Verified),
                Some(Outcome::Spoofed) => spoofed = true,
                Some(Outcome::Failed) => failed = true,
                None => {
                    if !operators.iter().any(|o| std::ptr::eq(*o, op)) {
                        operators.push(op);
                    }
                }
            }
        }
        if operators.is_empty() {
            Plan::Done(combine(spoofed, failed))
        } else {
            Plan::Ask {
                operators,
                spoofed,
                failed,
            }
        }
    }

    /// Reverse DNS, then forward confirmation of each PTR name under the operator's domains.
    async fn reverse(&self, op: &Operator, ip: IpAddr) -> Outcome {
        let lookup = match self.resolver.reverse_lookup(Name::from(ip)).await {
            Ok(lookup) => lookup,
            // Every operator in the table says all its crawlers have PTR records: a definite
            // "no such name" or "no PTR" is a proof, anything else is a failure.
            Err(e) => {
                return if dns::negative(&e).is_some() {
                    Outcome::Spoofed
                } else {
                    Outcome::Failed
                }
            }
        };
        let names = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::PTR(ptr) => Some(&ptr.0),
                _ => None,
            })
            .take(MAX_PTR_NAMES);
        let mut failed = false;
        for name in names {
            if !op.suffixes.iter().any(|s| in_domain(name, s)) {
                continue;
            }
            match self.resolves_to(name, ip).await {
                Some(true) => return Outcome::Verified,
                Some(false) => {}
                None => failed = true,
            }
        }
        if failed {
            Outcome::Failed
        } else {
            Outcome::Spoofed
        }
    }

    /// Whether `name` has an address record equal to `ip` (only the family of `ip` is asked);
    /// `None` when DNS failed.
    async fn resolves_to(&self, name: &Name, ip: IpAddr) -> Option<bool> {
        let lookup = match ip {
            IpAddr::V4(_) => self.resolver.ipv4_lookup(name.clone()).await,
            IpAddr::V6(_) => self.resolver.ipv6_lookup(name.clone()).await,
        };
        match lookup {
            Ok(lookup) => Some(
                lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match (&r.data, ip) {
                        (RData::A(a), IpAddr::V4(_)) => Some(IpAddr::V4(a.0)),
                        (RData::AAAA(a), IpAddr::V6(_)) => Some(IpAddr::V6(a.0)),
                        _ => None,
                    })
                    .take(MAX_FORWARD_ADDRS)
                    .any(|found| found == ip),
            ),
            Err(e) => dns::negative(&e).map(|_| false),
        }
    }

    fn cache_lock(&self) -> MutexGuard<'_, GenCache<Key, Outcome>> {
        // The cache holds plain data; a panic elsewhere cannot leave it inconsistent.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn combine(spoofed: bool, failed: bool) -> Verification {
    if failed {
        Verification::Unverifiable
    } else if spoofed {
        Verification::Spoofed
    } else {
        Verification::Unverifiable
    }
}

/// Whether `name` is `domain` or below it, comparing whole labels (ASCII case ignored):
/// `crawl-1.googlebot.com.` is in `googlebot.com`, `evilgooglebot.com.` and a single label
/// `x.googlebot` under `com.` are not.
fn in_domain(name: &Name, domain: &str) -> bool {
    let mut labels = name.iter().rev();
    domain.split('.').rev().all(|want| {
        labels
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(want.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    #[test]
    fn domain_match_is_by_whole_labels() {
        assert!(in_domain(
            &name("crawl-66-249-66-1.googlebot.com."),
            "googlebot.com"
        ));
        assert!(in_domain(&name("CRAWL-1.GoogleBot.COM."), "googlebot.com"));
        assert!(in_domain(&name("googlebot.com."), "googlebot.com"));
        assert!(in_domain(
            &name("geo-crawl-1.geo.googlebot.com"),
            "googlebot.com"
        ));
        assert!(!in_domain(&name("evilgooglebot.com."), "googlebot.com"));
        assert!(!in_domain(
            &name("googlebot.com.evil.net."),
            "googlebot.com"
        ));
        assert!(!in_domain(&name("com."), "googlebot.com"));
        // One label that contains a dot is not two labels.
        assert!(!in_domain(&name("crawl\\.googlebot.com."), "googlebot.com"));
        assert!(!in_domain(
            &name("1.2.3.4.bc.googleusercontent.com."),
            "gae.googleusercontent.com"
        ));
        assert!(in_domain(
            &name("1-2-3-4.gae.googleusercontent.com."),
            "gae.googleusercontent.com"
        ));
    }

    #[test]
    fn a_dns_failure_outweighs_a_spoofed_answer_but_never_a_verified_one() {
        assert_eq!(combine(true, true), Verification::Unverifiable);
        assert_eq!(combine(true, false), Verification::Spoofed);
        assert_eq!(combine(false, false), Verification::Unverifiable);
    }

    #[test]
    fn nameservers_accept_a_port_or_default_to_53() {
        assert_eq!(
            parse_nameserver("127.0.0.1:5353", "n").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(
            parse_nameserver("192.0.2.53", "n").unwrap(),
            "192.0.2.53:53".parse().unwrap()
        );
        assert_eq!(
            parse_nameserver("[::1]:53", "n").unwrap(),
            "[::1]:53".parse().unwrap()
        );
        assert_eq!(
            parse_nameserver("::1", "n").unwrap(),
            "[::1]:53".parse().unwrap()
        );
        let e = parse_nameserver("dns.google", "verify.nameservers[0]").unwrap_err();
        assert_eq!(e.code(), "PALISADE_CONFIG_CIDR");
        assert_eq!(e.path, "verify.nameservers[0]");
    }
}
