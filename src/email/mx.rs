//! MX checks: can the domain of an address receive mail at all?
//!
//! # Runtime
//!
//! [`MxChecker::check`] must run inside a Tokio runtime with the `net` and `time` drivers enabled
//! (`tokio::runtime::Builder::new_current_thread().enable_all()` or the multi-thread builder, i.e.
//! tokio features `rt` or `rt-multi-thread`, plus `net` and `time`). The resolver spawns its socket
//! tasks on that runtime.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use super::{syntax, EmailType, Options};
use crate::config::{ConfigError, ConfigErrorKind};

/// What DNS says about a domain's mail servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MxOutcome {
    /// At least one MX record names a mail server.
    HasMx,
    /// No MX record, but the domain has an A or AAAA record, which RFC 5321 §5.1 treats as an
    /// implicit MX: mail can be delivered.
    ImplicitMx,
    /// The domain does not exist, or has neither MX nor address records: mail cannot be delivered.
    NoMxRecords,
    /// The domain publishes the null MX `0 .` (RFC 7505): it accepts no mail. Address records are
    /// deliberately not consulted.
    NullMx,
    /// DNS did not answer within the timeout. This says nothing about the address.
    Timeout,
    /// DNS failed otherwise (SERVFAIL, REFUSED, network error). This says nothing about the address.
    Unavailable,
}

impl MxOutcome {
    /// The email type this outcome adds to a verdict: `NoMxRecords` for a domain that cannot
    /// receive mail, nothing otherwise (in particular nothing for `Timeout` and `Unavailable`).
    #[must_use]
    pub fn email_type(self) -> Option<EmailType> {
        match self {
            Self::NoMxRecords | Self::NullMx => Some(EmailType::NoMxRecords),
            _ => None,
        }
    }

    /// Whether DNS gave an answer about the domain (as opposed to a timeout or failure).
    #[must_use]
    pub fn is_answer(self) -> bool {
        !matches!(self, Self::Timeout | Self::Unavailable)
    }

    /// A stable name for logs and JavaScript.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HasMx => "HAS_MX",
            Self::ImplicitMx => "IMPLICIT_MX",
            Self::NoMxRecords => "NO_MX_RECORDS",
            Self::NullMx => "NULL_MX",
            Self::Timeout => "TIMEOUT",
            Self::Unavailable => "UNAVAILABLE",
        }
    }
}

/// How an [`MxChecker`] resolves and caches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxConfig {
    /// Name servers to ask (UDP, then TCP for truncated answers). Empty means the system's
    /// (`/etc/resolv.conf`).
    pub nameservers: Vec<SocketAddr>,
    /// Upper bound for one whole check (MX query plus the A/AAAA fallback). Default 2 s: long
    /// enough for a cold recursive lookup, short enough for a signup form.
    pub timeout: Duration,
    /// Most domains remembered. Default 10,000 (a few MB at most); 0 disables the cache.
    pub cache_capacity: usize,
    /// How long an answer is reused. Default 1 hour: mail setups change rarely, and a stale
    /// "has MX" only costs one bounced message.
    pub cache_ttl: Duration,
}

impl Default for MxConfig {
    fn default() -> Self {
        Self {
            nameservers: Vec::new(),
            timeout: Duration::from_secs(2),
            cache_capacity: 10_000,
            cache_ttl: Duration::from_secs(3600),
        }
    }
}

/// Two generations of answers: when the young one fills up it becomes the old one and the previous
/// old one is dropped. Bounded memory and O(1) work without tracking recency per entry.
struct Cache {
    half: usize,
    ttl: Duration,
    young: HashMap<String, (Instant, MxOutcome)>,
    old: HashMap<String, (Instant, MxOutcome)>,
}

impl Cache {
    fn get(&self, domain: &str, now: Instant) -> Option<MxOutcome> {
        let (at, outcome) = self.young.get(domain).or_else(|| self.old.get(domain))?;
        (now.duration_since(*at) < self.ttl).then_some(*outcome)
    }

    fn put(&mut self, domain: String, outcome: MxOutcome, now: Instant) {
        if self.half == 0 {
            return;
        }
        if self.young.len() >= self.half {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(domain, (now, outcome));
    }

    fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

/// Asynchronous MX lookups with a timeout and a bounded cache. Build one per application.
pub struct MxChecker {
    resolver: TokioResolver,
    timeout: Duration,
    cache: Mutex<Cache>,
}

impl MxChecker {
    /// Builds a checker. Fails only when no name server is given and the system configuration
    /// cannot be read.
    pub fn new(config: MxConfig) -> Result<Self, ConfigError> {
        let mut opts = ResolverOpts::default();
        opts.timeout = config.timeout;
        opts.attempts = 1;
        // Answers must come from DNS, not from /etc/hosts of the machine running the check.
        opts.use_hosts_file = ResolveHosts::Never;
        let builder = if config.nameservers.is_empty() {
            TokioResolver::builder_tokio().map_err(|e| {
                ConfigError::new(
                    ConfigErrorKind::Missing,
                    "nameservers",
                    format!("none, and the system resolver configuration failed: {e}"),
                    "a readable system resolver configuration or at least one name server",
                )
            })?
        } else {
            let servers = config
                .nameservers
                .iter()
                .map(|addr| {
                    let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                    for conn in &mut ns.connections {
                        conn.port = addr.port();
                    }
                    ns
                })
                .collect();
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(servers),
                TokioRuntimeProvider::default(),
            )
        };
        let resolver = builder.with_options(opts).build().map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Missing,
                "nameservers",
                e,
                "a usable resolver configuration",
            )
        })?;
        Ok(Self {
            resolver,
            timeout: config.timeout,
            cache: Mutex::new(Cache {
                half: config.cache_capacity.div_ceil(2),
                ttl: config.cache_ttl,
                young: HashMap::new(),
                old: HashMap::new(),
            }),
        })
    }

    /// Whether `domain` can receive mail. The domain is normalized like an address's domain (UTS #46,
    /// punycode); a name that is not a valid domain cannot have MX records.
    pub async fn check(&self, domain: &str) -> MxOutcome {
        let lax = Options {
            require_top_level_domain: false,
            ..Options::default()
        };
        let Ok(domain) = syntax::normalize_domain(domain, &lax) else {
            return MxOutcome::NoMxRecords;
        };
        if let Some(hit) = self.cache_lock().get(&domain, Instant::now()) {
            return hit;
        }
        // The trailing dot makes the name fully qualified, so no search domains are tried.
        let fqdn = format!("{domain}.");
        let outcome = match tokio::time::timeout(self.timeout, self.resolve(&fqdn)).await {
            Ok(outcome) => outcome,
            Err(_) => MxOutcome::Timeout,
        };
        if outcome.is_answer() {
            self.cache_lock().put(domain, outcome, Instant::now());
        }
        outcome
    }

    /// Number of cached domains (for tests and metrics).
    #[must_use]
    pub fn cached(&self) -> usize {
        self.cache_lock().len()
    }

    fn cache_lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // The cache holds plain data; a panic elsewhere cannot leave it inconsistent.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn resolve(&self, fqdn: &str) -> MxOutcome {
        match self.resolver.mx_lookup(fqdn).await {
            Ok(lookup) => {
                let mut any = false;
                let mut null = true;
                for record in lookup.answers() {
                    if let RData::MX(mx) = &record.data {
                        any = true;
                        null &= mx.exchange.is_root();
                    }
                }
                match (any, null) {
                    // RFC 7505 §3: a domain with a null MX accepts no mail; the A record that
                    // may sit beside it is for the web, not for SMTP (em-050).
                    (true, true) => return MxOutcome::NullMx,
                    (true, false) => return MxOutcome::HasMx,
                    // Only a CNAME chain without MX at its end: fall back like "no MX".
                    (false, _) => {}
                }
            }
            Err(e) => match classify(&e) {
                Some(Negative::NxDomain) => return MxOutcome::NoMxRecords,
                Some(Negative::NoData) => {}
                None => return failure(&e),
            },
        }
        // RFC 5321 §5.1: without MX records the domain itself is the mail host, if it has an address.
        match self.resolver.lookup_ip(fqdn).await {
            Ok(ips) if ips.iter().next().is_some() => MxOutcome::ImplicitMx,
            Ok(_) => MxOutcome::NoMxRecords,
            Err(e) => match classify(&e) {
                Some(_) => MxOutcome::NoMxRecords,
                None => failure(&e),
            },
        }
    }
}

/// A definite "nothing here" from DNS.
enum Negative {
    /// The name does not exist.
    NxDomain,
    /// The name exists but has no records of the type asked for.
    NoData,
}

fn classify(e: &NetError) -> Option<Negative> {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => {
            Some(if nr.response_code == ResponseCode::NXDomain {
                Negative::NxDomain
            } else {
                Negative::NoData
            })
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::NXDomain)) => Some(Negative::NxDomain),
        _ => None,
    }
}

fn failure(e: &NetError) -> MxOutcome {
    if matches!(e, NetError::Timeout) {
        MxOutcome::Timeout
    } else {
        MxOutcome::Unavailable
    }
}
