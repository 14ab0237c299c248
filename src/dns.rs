//! DNS plumbing shared by the capabilities that query DNS (`email::MxChecker`,
//! `bot::verify::Verifier`): building a resolver from a list of name servers, telling a definite
//! "nothing here" apart from a failure, and a bounded answer cache.
//!
//! A definite negative (NXDOMAIN, no records of the asked type) is an answer about the name. A
//! timeout, SERVFAIL, REFUSED or network error says nothing about the name, only about DNS; callers
//! must never turn those into a verdict against the client.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::TokioResolver;

use crate::config::{ConfigError, ConfigErrorKind};

/// Builds a resolver that asks `nameservers` (UDP, then TCP for truncated answers), or the system's
/// (`/etc/resolv.conf`) when the list is empty. Each query is tried once and bounded by `timeout`;
/// `/etc/hosts` is never read, because answers must come from DNS, not from the machine running the
/// check. `cache` keeps hickory's own answer cache; callers with a cache of their own turn it off
/// so that an entry they dropped is really asked again.
pub(crate) fn resolver(
    nameservers: &[SocketAddr],
    timeout: Duration,
    cache: bool,
) -> Result<TokioResolver, ConfigError> {
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    opts.use_hosts_file = ResolveHosts::Never;
    if !cache {
        opts.cache_size = 0;
    }
    let builder = if nameservers.is_empty() {
        TokioResolver::builder_tokio().map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Missing,
                "nameservers",
                format!("none, and the system resolver configuration failed: {e}"),
                "a readable system resolver configuration or at least one name server",
            )
        })?
    } else {
        let servers = nameservers
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
    builder.with_options(opts).build().map_err(|e| {
        ConfigError::new(
            ConfigErrorKind::Missing,
            "nameservers",
            e,
            "a usable resolver configuration",
        )
    })
}

/// A definite "nothing here" from DNS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Negative {
    /// The name does not exist.
    NxDomain,
    /// The name exists but has no records of the type asked for.
    NoData,
}

/// The definite negative carried by a lookup error, or `None` for a failure (timeout, SERVFAIL,
/// REFUSED, network error) that says nothing about the name.
pub(crate) fn negative(e: &NetError) -> Option<Negative> {
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

/// Two generations of answers, each with its own expiry: when the young one fills up it becomes the
/// old one and the previous old one is dropped. Bounded memory (at most `capacity` entries, rounded
/// up to even) and O(1) work without tracking recency per entry.
pub(crate) struct GenCache<K, V> {
    half: usize,
    young: HashMap<K, (Instant, V)>,
    old: HashMap<K, (Instant, V)>,
}

impl<K: Eq + Hash, V: Copy> GenCache<K, V> {
    /// A cache of at most about `capacity` entries; 0 disables it.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            half: capacity.div_ceil(2),
            young: HashMap::new(),
            old: HashMap::new(),
        }
    }

    /// The value stored for `key`, unless it has expired.
    pub(crate) fn get(&self, key: &K, now: Instant) -> Option<V> {
        let (expires, value) = self.young.get(key).or_else(|| self.old.get(key))?;
        (now < *expires).then_some(*value)
    }

    /// Stores `value` for `ttl` from `now`.
    pub(crate) fn put(&mut self, key: K, value: V, ttl: Duration, now: Instant) {
        if self.half == 0 || ttl.is_zero() {
            return;
        }
        if self.young.len() >= self.half {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, (now + ttl, value));
    }

    /// Entries held, expired ones included until their generation is dropped.
    pub(crate) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_expires_entries_and_stays_within_capacity() {
        let t0 = Instant::now();
        let mut c = GenCache::new(4);
        c.put(1, 'a', Duration::from_secs(10), t0);
        c.put(2, 'b', Duration::from_secs(1), t0);
        assert_eq!(c.get(&1, t0 + Duration::from_secs(5)), Some('a'));
        assert_eq!(c.get(&2, t0 + Duration::from_secs(5)), None);
        for k in 3..100 {
            c.put(k, 'x', Duration::from_secs(10), t0);
            assert!(c.len() <= 4, "grew to {}", c.len());
        }
        let mut off = GenCache::new(0);
        off.put(1, 'a', Duration::from_secs(10), t0);
        assert_eq!(off.len(), 0);
    }

    #[test]
    fn a_refreshed_key_serves_its_newest_value() {
        let t0 = Instant::now();
        let mut c = GenCache::new(2);
        c.put(1, 'a', Duration::from_secs(10), t0);
        c.put(2, 'b', Duration::from_secs(10), t0);
        // Rotation: 1 and 2 are old now; refresh 1.
        c.put(1, 'c', Duration::from_secs(10), t0);
        assert_eq!(c.get(&1, t0), Some('c'));
        c.put(3, 'd', Duration::from_secs(10), t0);
        assert_eq!(c.get(&1, t0), Some('c'));
    }
}
