//! MX checks: can the domain of an address receive mail at all?
//!
//! # Runtime
//!
//! [`MxChecker::check`] must run inside a Tokio runtime with the `net` and `time` drivers enabled
//! (`tokio::runtime::Builder::new_current_thread().enable_all()` or the multi-thread builder, i.e.
//! tokio features `rt` or `rt-multi-thread`, plus `net` and `time`). The resolver spawns its socket
//! tasks on that runtime.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use super::{syntax, EmailType, Options};
use crate::config::ConfigError;
use crate::dns::{self, GenCache, Negative};

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

/// Asynchronous MX lookups with a timeout and a bounded cache. Build one per application.
pub struct MxChecker {
    resolver: TokioResolver,
    timeout: Duration,
    ttl: Duration,
    cache: Mutex<GenCache<String, MxOutcome>>,
}

impl MxChecker {
    /// Builds a checker. Fails only when no name server is given and the system configuration
    /// cannot be read.
    pub fn new(config: MxConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            resolver: dns::resolver(&config.nameservers, config.timeout, true)?,
            timeout: config.timeout,
            ttl: config.cache_ttl,
            cache: Mutex::new(GenCache::new(config.cache_capacity)),
        })
    }

    /// Whether `domain` can receive mail. The domain is normalized like an address's domain (UTS #46,
    /// punycode); a name that is not a valid domain cannot have MX records.
    pub async fn check(&self, domain: &str) -> MxOutcome {
        let lax = Options {
            require_top_level_domain: false,
            ..Options::default()
        };
        let mut scratch = None;
        let Ok(domain) = syntax::normalize_domain(domain, &lax, &mut scratch).map(str::to_owned)
        else {
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
            self.cache_lock()
                .put(domain, outcome, self.ttl, Instant::now());
        }
        outcome
    }

    /// Number of cached domains (for tests and metrics).
    #[must_use]
    pub fn cached(&self) -> usize {
        self.cache_lock().len()
    }

    fn cache_lock(&self) -> std::sync::MutexGuard<'_, GenCache<String, MxOutcome>> {
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
            Err(e) => match dns::negative(&e) {
                Some(Negative::NxDomain) => return MxOutcome::NoMxRecords,
                Some(Negative::NoData) => {}
                None => return failure(&e),
            },
        }
        // RFC 5321 §5.1: without MX records the domain itself is the mail host, if it has an address.
        match self.resolver.lookup_ip(fqdn).await {
            Ok(ips) if ips.iter().next().is_some() => MxOutcome::ImplicitMx,
            Ok(_) => MxOutcome::NoMxRecords,
            Err(e) => match dns::negative(&e) {
                Some(_) => MxOutcome::NoMxRecords,
                None => failure(&e),
            },
        }
    }
}

fn failure(e: &NetError) -> MxOutcome {
    if matches!(e, NetError::Timeout) {
        MxOutcome::Timeout
    } else {
        MxOutcome::Unavailable
    }
}
