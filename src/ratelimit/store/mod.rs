//! The shared store: rate limits and client blocks counted in Redis, so that every instance of an
//! app sees the same counters.
//!
//! [`RedisStore::check`] sends all of one request's checks as a single `EVALSHA` of an atomic Lua
//! script (one round trip, whatever the number of rules). The script reads the server's clock
//! (`TIME`), applies the checks in order with the same arithmetic as [`Algorithm::apply`], stops
//! after the first `LIVE` denial, and gives every key it writes a TTL of about its window. Key
//! layout, scripts and outage behaviour are described in `docs/redis.md`.
//!
//! # Outages
//! A store error is never a rate-limit denial: `check` returns a [`StoreError`], and the caller
//! applies its fail mode or its in-memory fallback ([`RedisConfig::fallback`]). The fallback is for
//! store errors only; a denial from Redis is final and is never retried elsewhere. After a
//! connection-level failure the store is [`Health::Down`]: every check fails at once, without
//! network I/O, while one background task reconnects every [`RedisConfig::reconnect_interval`].
//! The health hook ([`RedisStore::on_health`]) is called once per state change.
//!
//! # Untrusted input
//! Nothing from a request reaches Redis as text: keys are 128-bit digests ([`RemoteKey`]) written
//! in hex, so a Redis key is under 120 bytes whatever the request, and a client cannot place braces
//! or separators in it. Redis holds one string of at most 40 bytes per key and limit, and every key
//! expires. The local block cache holds at most [`RedisConfig::block_cache_capacity`] entries. A
//! reply that is not what the script returns (a wrong type at a key, a script error, a value someone
//! else wrote) becomes [`StoreError::Protocol`], never a panic.

mod cache;
mod client;

use std::fmt;
use std::time::Duration;

use crate::config::{describe, ConfigError, ConfigErrorKind, Obj};

use super::Algorithm;

pub use client::{HealthHook, RedisStore};

/// Default `timeoutMs`: a Redis on the same network answers in well under a millisecond; 50 ms
/// leaves room for a busy server without letting a sick one stall every request.
pub const DEFAULT_TIMEOUT_MS: u64 = 50;
/// The largest `timeoutMs` accepted: a rate-limit check that waits longer than this is an outage.
pub const MAX_TIMEOUT_MS: u64 = 10_000;
/// Default `reconnectMs`: how often a down store tries to reconnect.
pub const DEFAULT_RECONNECT_MS: u64 = 1_000;
/// Default capacity of the local block cache (about 100 bytes an entry).
pub const DEFAULT_BLOCK_CACHE: usize = 4_096;
/// The longest `prefix` accepted.
pub const MAX_PREFIX_LEN: usize = 64;
/// The longest `url` accepted.
pub const MAX_URL_LEN: usize = 2_048;

/// A key's identity in the shared store: 128 bits, the same in every process.
///
/// The in-memory tables key by [`super::key_hash`], which is seeded per process; two instances
/// would never agree on it. `RemoteKey` is the first 16 bytes of SHA-256 over the length-prefixed
/// parts, so any process that sees the same parts builds the same key, and finding parts that land
/// on another client's key is as hard as a second preimage of SHA-256.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RemoteKey([u8; 16]);

impl RemoteKey {
    /// The key of a list of parts (for a rate limit: the values of its characteristics; for a
    /// rule's scope: its name, mode and characteristic names). Parts are length-prefixed, so
    /// `("ab", "c")` and `("a", "bc")` differ.
    #[must_use]
    pub fn from_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for p in parts {
            ctx.update(&(p.len() as u64).to_le_bytes());
            ctx.update(p);
        }
        let mut out = [0u8; 16];
        out.copy_from_slice(&ctx.finish().as_ref()[..16]);
        Self(out)
    }

    /// A key from 16 bytes the caller already derived.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    fn write_hex(&self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for b in self.0 {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// The 32 lowercase hex digits that appear in the Redis key.
impl fmt::Display for RemoteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(32);
        self.write_hex(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for RemoteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RemoteKey({self})")
    }
}

/// What one check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RemoteOp {
    /// Counts `cost` against a limit, exactly as [`Algorithm::apply`] does in memory.
    Limit {
        /// The limit.
        algorithm: Algorithm,
        /// What this request costs (usually 1).
        cost: u32,
    },
    /// Denies while the client is blocked (by [`RemoteOp::Block`]); writes nothing.
    IsBlocked,
    /// Blocks the client for `for_ms` (a longer block already in place is kept) and denies.
    Block {
        /// How long the block lasts, in milliseconds (at least 1).
        for_ms: u64,
    },
}

/// One check of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteCheck {
    /// Whose counter: the client under this rule's characteristics.
    pub key: RemoteKey,
    /// Which rule: must be stable across processes and differ between rules that must not share
    /// counters (name, mode, characteristics). Algorithm parameters are added to the Redis key by
    /// the store, so two limits with different parameters never share a counter.
    pub scope: RemoteKey,
    /// What to do.
    pub op: RemoteOp,
    /// `LIVE` (a denial stops the batch) or `DRY_RUN` (computed and reported, never stops it).
    pub live: bool,
}

/// Why the store could not answer. None of these is a rate-limit denial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// Not connected: the connection failed or was lost, and checks fail at once until a background
    /// reconnect succeeds.
    Unavailable(String),
    /// No answer within `timeoutMs`.
    Timeout(Duration),
    /// Redis answered, but not as the script does: a wrong type at a key, a script error, a refused
    /// command (ACL), a value written by someone else.
    Protocol(String),
}

impl StoreError {
    /// A stable code for logs and JavaScript: `PALISADE_STORE_UNAVAILABLE`, `_TIMEOUT`, `_PROTOCOL`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "PALISADE_STORE_UNAVAILABLE",
            Self::Timeout(_) => "PALISADE_STORE_TIMEOUT",
            Self::Protocol(_) => "PALISADE_STORE_PROTOCOL",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(m) => write!(f, "redis store unavailable: {m}"),
            Self::Timeout(d) => write!(f, "redis store timed out after {} ms", d.as_millis()),
            Self::Protocol(m) => write!(f, "redis store gave an unexpected answer: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The store's connection state, reported once per change to the health hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not connected yet: the first check starts connecting and waits for it (within its timeout).
    Connecting,
    /// Connected.
    Up,
    /// Not connected: checks fail at once; a background task reconnects.
    Down {
        /// When the store went down.
        since: std::time::SystemTime,
        /// The error that took it down.
        cause: StoreError,
    },
}

/// Options of [`RedisStore`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS (certificates are
    /// checked against the system's roots).
    pub url: String,
    /// First part of every key, so that several apps can share a Redis. Default `palisade`.
    pub prefix: String,
    /// Longest wait for one check, connection included. Default [`DEFAULT_TIMEOUT_MS`].
    pub timeout: Duration,
    /// On a store error, deny (`failMode: "closed"`) instead of allowing with an error (`"open"`,
    /// the default). Applied by the caller.
    pub fail_closed: bool,
    /// On a store error, answer from the in-memory limiter instead. Never used for a denial. Applied
    /// by the caller.
    pub fallback: bool,
    /// How often a down store tries to reconnect. Default [`DEFAULT_RECONNECT_MS`].
    pub reconnect_interval: Duration,
    /// Longest wait for one connection attempt (TCP, TLS, AUTH and loading the script). Default
    /// one second or `timeout`, whichever is longer: a check never waits that long, only the
    /// background attempt does.
    pub connect_timeout: Duration,
    /// Most entries in the local block cache; 0 turns it off. Default [`DEFAULT_BLOCK_CACHE`].
    pub block_cache_capacity: usize,
    /// For `rediss://` with a private CA: the CA certificates (PEM) that the server's certificate
    /// must chain to, instead of the system's roots.
    pub tls_ca_pem: Option<String>,
}

impl RedisConfig {
    /// Defaults for every option but the URL.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        let timeout = Duration::from_millis(DEFAULT_TIMEOUT_MS);
        Self {
            url: url.into(),
            prefix: "palisade".to_owned(),
            timeout,
            fail_closed: false,
            fallback: false,
            reconnect_interval: Duration::from_millis(DEFAULT_RECONNECT_MS),
            connect_timeout: timeout.max(Duration::from_secs(1)),
            block_cache_capacity: DEFAULT_BLOCK_CACHE,
            tls_ca_pem: None,
        }
    }

    /// Reads `redisStore({ url, prefix, timeoutMs, failMode, fallback, reconnectMs, tlsCa })`. Checks
    /// everything that can be checked without a connection: a bad URL or option fails here, with
    /// its key path, never at the first request.
    pub fn from_value(value: &serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        let o = Obj::new(value, path)?;
        o.only(&[
            "url",
            "prefix",
            "timeoutMs",
            "failMode",
            "fallback",
            "reconnectMs",
            "tlsCa",
        ])?;
        let url_value = o.require("url", "a redis:// or rediss:// URL")?;
        let url = url_value.as_str().ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Type,
                o.key_path("url"),
                describe(url_value),
                "a redis:// or rediss:// URL",
            )
        })?;
        let mut cfg = Self::new(url);
        if let Some(prefix) = o.str("prefix")? {
            prefix.clone_into(&mut cfg.prefix);
        }
        if let Some(ms) = o.u64_in("timeoutMs", 1, MAX_TIMEOUT_MS)? {
            cfg.timeout = Duration::from_millis(ms);
            cfg.connect_timeout = cfg.timeout.max(Duration::from_secs(1));
        }
        cfg.fail_closed = o.choice("failMode", &["open", "closed"])? == Some("closed");
        cfg.fallback = o.bool("fallback")?.unwrap_or(false);
        if let Some(ms) = o.u64_in("reconnectMs", 10, 60_000)? {
            cfg.reconnect_interval = Duration::from_millis(ms);
        }
        cfg.tls_ca_pem = o.str("tlsCa")?.map(str::to_owned);
        cfg.validate(path)?;
        Ok(cfg)
    }

    /// Checks every option without connecting (also done by [`RedisStore::new`]); `path` prefixes
    /// key paths in errors.
    pub fn validate(&self, path: &str) -> Result<(), ConfigError> {
        self.client(path).map(drop)
    }

    /// The Redis client for these options: parses the URL and the CA certificates, no I/O.
    fn client(&self, path: &str) -> Result<::redis::Client, ConfigError> {
        let join = |key| crate::config::join(path, key);
        let client = validate_url(
            &self.url,
            &join("url"),
            self.tls_ca_pem.as_deref(),
            &join("tlsCa"),
        )?;
        let p = &self.prefix;
        let ok = !p.is_empty()
            && p.len() <= MAX_PREFIX_LEN
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
        if !ok {
            return Err(ConfigError::new(
                ConfigErrorKind::Range,
                join("prefix"),
                format!("{p:?}"),
                format!("1 to {MAX_PREFIX_LEN} characters from A-Z a-z 0-9 _ - . : (braces would break the Redis Cluster hash tag)"),
            ));
        }
        let ms = self.timeout.as_millis();
        if ms == 0 || ms > u128::from(MAX_TIMEOUT_MS) {
            return Err(ConfigError::new(
                ConfigErrorKind::Range,
                join("timeoutMs"),
                ms,
                format!("an integer from 1 to {MAX_TIMEOUT_MS}"),
            ));
        }
        Ok(client)
    }
}

const URL_EXPECTED: &str = "a redis:// or rediss:// URL: redis://[user:password@]host[:port][/db]";

/// The most bytes of CA certificates accepted (a bundle of a few dozen certificates).
const MAX_CA_LEN: usize = 256 * 1024;

fn validate_url(
    url: &str,
    path: &str,
    ca_pem: Option<&str>,
    ca_path: &str,
) -> Result<::redis::Client, ConfigError> {
    let err = |expected: &str| {
        ConfigError::new(
            ConfigErrorKind::Url,
            path,
            format!("{:?}", redact(url)),
            expected,
        )
    };
    if url.trim().is_empty() {
        return Err(err(URL_EXPECTED));
    }
    if url.len() > MAX_URL_LEN {
        return Err(err(&format!("{URL_EXPECTED}, at most {MAX_URL_LEN} bytes")));
    }
    let lower = url.get(..9).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("redis://") || lower.starts_with("rediss://")) {
        return Err(err(URL_EXPECTED));
    }
    // The parser's messages never repeat the URL, so they cannot leak a password.
    let info = ::redis::IntoConnectionInfo::into_connection_info(url)
        .map_err(|e| err(&format!("{URL_EXPECTED} ({e})")))?;
    let client = match ca_pem {
        None => ::redis::Client::open(info).map_err(|e| err(&format!("{URL_EXPECTED} ({e})")))?,
        Some(pem) => {
            let ca_err = |expected: &str| {
                let shown = if pem.len() > 40 { "a string" } else { pem };
                ConfigError::new(
                    ConfigErrorKind::Type,
                    ca_path,
                    format!("{shown:?}"),
                    expected,
                )
            };
            if !matches!(info.addr(), ::redis::ConnectionAddr::TcpTls { .. }) {
                return Err(ca_err(
                    "no tlsCa, or a rediss:// URL: CA certificates are for TLS",
                ));
            }
            if pem.len() > MAX_CA_LEN || !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(ca_err(&format!(
                    "PEM certificates (-----BEGIN CERTIFICATE-----), at most {MAX_CA_LEN} bytes"
                )));
            }
            let certs = ::redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.as_bytes().to_vec()),
            };
            ::redis::Client::build_with_tls(info, certs)
                .map_err(|e| ca_err(&format!("PEM certificates that parse ({e})")))?
        }
    };
    if let ::redis::ConnectionAddr::TcpTls { insecure: true, .. } =
        client.get_connection_info().addr()
    {
        return Err(err(
            "a rediss:// URL without #insecure: certificate checks cannot be turned off",
        ));
    }
    Ok(client)
}

/// A URL fit for an error message: the user-info part (which may hold a password) is replaced.
fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_user_info_only() {
        assert_eq!(
            redact("redis://user:secret@host:6379/0"),
            "redis://***@host:6379/0"
        );
        assert_eq!(redact("redis://host:6379"), "redis://host:6379");
        assert_eq!(redact("rediss://:p@ss@h/1?x#y"), "rediss://***@h/1?x#y");
    }

    #[test]
    fn remote_keys_are_stable_and_separate_part_boundaries() {
        let a = RemoteKey::from_parts([b"ab".as_slice(), b"c"]);
        assert_ne!(a, RemoteKey::from_parts([b"a".as_slice(), b"bc"]));
        // Fixed by the algorithm, not by the process: every instance must agree.
        let mut hex = String::new();
        RemoteKey::from_parts([b"x".as_slice()]).write_hex(&mut hex);
        // SHA-256 of 01 00 00 00 00 00 00 00 'x', first 16 bytes.
        assert_eq!(hex, "f91b14e7bbea4c5bfa0e1a7040177166");
    }
}
