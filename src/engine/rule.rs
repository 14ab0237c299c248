//! Rules: what to check, how to key it, and whether a denial counts (LIVE) or is only reported
//! (`DRY_RUN`).

use std::sync::Arc;

use super::request::{Props, Request};
use crate::config::{join, ConfigError, ConfigErrorKind, Obj};
use crate::ip::{limit_key, ClientIp};
use crate::ratelimit::{
    key_hash, parse_interval, registry_table, Algorithm, Clock, Table, DEFAULT_MAX_KEYS, MAX_LIMIT,
    MAX_MAX_KEYS,
};

/// Whether a rule's denial takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Denials deny. The default: a protection a user adds should protect.
    #[default]
    Live,
    /// The rule runs and reports, but never denies.
    DryRun,
}

impl Mode {
    /// `"LIVE"` or `"DRY_RUN"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "LIVE",
            Self::DryRun => "DRY_RUN",
        }
    }

    pub(crate) fn from_options(o: &Obj<'_>) -> Result<Self, ConfigError> {
        Ok(match o.choice("mode", &["LIVE", "DRY_RUN"])? {
            Some("DRY_RUN") => Self::DryRun,
            _ => Self::Live,
        })
    }
}

/// One part of a rate-limit key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Characteristic {
    /// `ip.src`: the client address (IPv6 by prefix).
    Ip,
    /// `http.host`.
    Host,
    /// `http.method`.
    Method,
    /// `http.request.uri.path`.
    Path,
    /// `http.request.headers["name"]`.
    Header(String),
    /// `http.request.cookie["name"]`.
    Cookie(String),
    /// `http.request.uri.args["name"]`.
    Query(String),
    /// A plain identifier such as `userId`, whose value the application passes to `protect()`.
    Custom(String),
}

const CHARACTERISTIC_HELP: &str = "\"ip.src\", \"http.host\", \"http.method\", \"http.request.uri.path\", \
http.request.headers[\"<name>\"], http.request.cookie[\"<name>\"], http.request.uri.args[\"<name>\"], \
or an identifier such as \"userId\" passed in protect() props";

impl Characteristic {
    /// Parses Arcjet-style characteristic names.
    pub fn parse(s: &str, path: &str) -> Result<Self, ConfigError> {
        let err = || {
            ConfigError::new(
                ConfigErrorKind::Unknown,
                path,
                format!("{s:?}"),
                CHARACTERISTIC_HELP,
            )
        };
        let bracket = |prefix: &str| -> Option<String> {
            let inner = s.strip_prefix(prefix)?.strip_suffix("\"]")?;
            let ok = !inner.is_empty()
                && inner.len() <= 256
                && inner.bytes().all(|b| b.is_ascii_graphic() && b != b'"');
            ok.then(|| inner.to_owned())
        };
        Ok(match s {
            "ip.src" => Self::Ip,
            "http.host" => Self::Host,
            "http.method" => Self::Method,
            "http.request.uri.path" => Self::Path,
            _ if s.starts_with("http.request.headers[\"") => Self::Header(
                bracket("http.request.headers[\"")
                    .ok_or_else(err)?
                    .to_ascii_lowercase(),
            ),
            _ if s.starts_with("http.request.cookie[\"") => {
                Self::Cookie(bracket("http.request.cookie[\"").ok_or_else(err)?)
            }
            _ if s.starts_with("http.request.uri.args[\"") => {
                Self::Query(bracket("http.request.uri.args[\"").ok_or_else(err)?)
            }
            _ => {
                let mut chars = s.chars();
                let ident = s.len() <= 64
                    && chars
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ident {
                    return Err(err());
                }
                if s == "email" || s == "requested" || s == "body" {
                    // protect() reads these props itself; as characteristics they could never be set.
                    return Err(ConfigError::new(
                        ConfigErrorKind::Unknown,
                        path,
                        format!("{s:?}"),
                        "a name other than \"email\", \"requested\" and \"body\", which protect() props reserve (use e.g. \"userEmail\")",
                    ));
                }
                Self::Custom(s.to_owned())
            }
        })
    }

    fn canonical(&self) -> String {
        match self {
            Self::Ip => "ip.src".into(),
            Self::Host => "http.host".into(),
            Self::Method => "http.method".into(),
            Self::Path => "http.request.uri.path".into(),
            Self::Header(n) => format!("http.request.headers[\"{n}\"]"),
            Self::Cookie(n) => format!("http.request.cookie[\"{n}\"]"),
            Self::Query(n) => format!("http.request.uri.args[\"{n}\"]"),
            Self::Custom(n) => n.clone(),
        }
    }
}

/// A rate limit: algorithm, key, and its process-wide table.
pub struct RateLimit {
    /// The algorithm and its parameters.
    pub algorithm: Algorithm,
    /// What the key is made of, in order.
    pub characteristics: Vec<Characteristic>,
    /// The counters, shared with every other rate limit in the process that has the same
    /// parameters, characteristics, `maxKeys` and name.
    pub table: Arc<Table>,
    /// The rule's identity in a shared store: name, mode and characteristics, the same in every
    /// process (the store adds the algorithm's parameters to its keys).
    pub remote_scope: crate::ratelimit::RemoteKey,
}

/// Why a rate limit could not key a request.
pub enum KeyError {
    /// The client address is unknown.
    UnknownClient,
    /// The application did not pass a custom characteristic.
    MissingProp(String),
}

impl RateLimit {
    /// Parses a `RATE_LIMIT` rule object.
    ///
    /// Identical limits share one process-wide table, so a limit's identity includes everything
    /// that changes its counting: algorithm and parameters, key, `maxKeys`, `name`, `mode` (a
    /// `DRY_RUN` trial must not use up a `LIVE` allowance) and the clock (a manual clock in tests
    /// must not share counters with the system clock).
    pub fn from_options(o: &Obj<'_>, clock: &Clock) -> Result<Self, ConfigError> {
        // Keys every rate limit accepts; each algorithm adds its own parameters.
        const COMMON: [&str; 6] = [
            "type",
            "mode",
            "algorithm",
            "characteristics",
            "maxKeys",
            "name",
        ];
        let only = |own: &[&str]| o.only(&[&COMMON[..], own].concat());
        let interval = |key: &str| -> Result<u64, ConfigError> {
            parse_interval(
                o.require(
                    key,
                    "an interval: whole seconds, or a string like \"30s\", \"1m\", \"1h30m\"",
                )?,
                &o.key_path(key),
            )
        };
        let algorithm = match o.choice(
            "algorithm",
            &["TOKEN_BUCKET", "FIXED_WINDOW", "SLIDING_WINDOW"],
        )? {
            Some("TOKEN_BUCKET") => {
                only(&["refillRate", "interval", "capacity"])?;
                Algorithm::TokenBucket {
                    refill_rate: required_limit(o, "refillRate")?,
                    interval_ms: interval("interval")?,
                    capacity: required_limit(o, "capacity")?,
                }
            }
            Some("FIXED_WINDOW") => {
                only(&["window", "max"])?;
                Algorithm::FixedWindow {
                    window_ms: interval("window")?,
                    max: required_limit(o, "max")?,
                }
            }
            Some(_) => {
                only(&["interval", "max"])?;
                Algorithm::SlidingWindow {
                    interval_ms: interval("interval")?,
                    max: required_limit(o, "max")?,
                }
            }
            None => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Missing,
                    o.key_path("algorithm"),
                    "nothing",
                    "one of TOKEN_BUCKET, FIXED_WINDOW, SLIDING_WINDOW",
                ))
            }
        };
        let characteristics = match o.str_list("characteristics", 16)? {
            None => vec![Characteristic::Ip],
            Some(list) if list.is_empty() => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Range,
                    o.key_path("characteristics"),
                    "[]",
                    "at least one characteristic",
                ))
            }
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    Characteristic::parse(s, &format!("{}[{i}]", o.key_path("characteristics")))
                })
                .collect::<Result<_, _>>()?,
        };
        let max_keys = o
            .u64_in("maxKeys", 1, MAX_MAX_KEYS as u64)?
            .map_or(DEFAULT_MAX_KEYS, |n| n as usize);
        let name = o.rule_name()?;
        let mode = o.str("mode")?.unwrap_or("LIVE");
        let clock_id = clock.identity().to_le_bytes();
        let canon: Vec<String> = characteristics
            .iter()
            .map(Characteristic::canonical)
            .collect();
        let scope = key_hash(
            [name.as_bytes(), mode.as_bytes(), clock_id.as_slice()]
                .into_iter()
                .chain(canon.iter().map(String::as_bytes)),
        );
        let remote_scope = crate::ratelimit::RemoteKey::from_parts(
            [name.as_bytes(), mode.as_bytes()]
                .into_iter()
                .chain(canon.iter().map(String::as_bytes)),
        );
        let table = registry_table(scope, algorithm, max_keys).ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Range,
                o.path(),
                "another distinct rate limit",
                "at most 4096 distinct rate limits per process (are rules being built per request?)",
            )
        })?;
        Ok(Self {
            algorithm,
            characteristics,
            table,
            remote_scope,
        })
    }

    /// The key of a request under this limit.
    pub fn key(
        &self,
        req: &Request,
        props: &Props,
        client: ClientIp,
        v6_prefix: u8,
        shared_unknown: bool,
    ) -> Result<u64, KeyError> {
        let parts = self.key_parts(req, props, client, v6_prefix, shared_unknown)?;
        Ok(key_hash(parts.iter().map(Vec::as_slice)))
    }

    /// The values the key is made of, in order (hashed per process for memory, and with a stable
    /// hash for a shared store).
    pub fn key_parts(
        &self,
        req: &Request,
        props: &Props,
        client: ClientIp,
        v6_prefix: u8,
        shared_unknown: bool,
    ) -> Result<Vec<Vec<u8>>, KeyError> {
        let mut parts: Vec<Vec<u8>> = Vec::with_capacity(self.characteristics.len());
        for c in &self.characteristics {
            // A missing header, cookie or argument is a value of its own ("absent"), shared by every
            // request lacking it; it must not be an error, or leaving it out would bypass the limit.
            let part: Vec<u8> = match c {
                Characteristic::Ip => match client {
                    ClientIp::Known { ip, .. } => match limit_key(ip, v6_prefix) {
                        std::net::IpAddr::V4(a) => a.octets().to_vec(),
                        std::net::IpAddr::V6(a) => a.octets().to_vec(),
                    },
                    ClientIp::Unknown if shared_unknown => b"\0unknown-client".to_vec(),
                    ClientIp::Unknown => return Err(KeyError::UnknownClient),
                },
                Characteristic::Host => opt(req.header("host").map(str::to_ascii_lowercase)),
                Characteristic::Method => req.method.to_ascii_uppercase().into_bytes(),
                Characteristic::Path => req.path.as_bytes().to_vec(),
                Characteristic::Header(n) => opt(req.header(n).map(str::to_owned)),
                Characteristic::Cookie(n) => opt(req.cookie(n).map(str::to_owned)),
                Characteristic::Query(n) => opt(req.query_arg(n)),
                Characteristic::Custom(n) => match props.values.iter().find(|(k, _)| k == n) {
                    Some((_, v)) => v.as_bytes().to_vec(),
                    None => return Err(KeyError::MissingProp(n.clone())),
                },
            };
            parts.push(part);
        }
        Ok(parts)
    }

    /// Whether the key uses the client address.
    #[must_use]
    pub fn uses_ip(&self) -> bool {
        self.characteristics.contains(&Characteristic::Ip)
    }
}

fn opt(v: Option<String>) -> Vec<u8> {
    v.map_or_else(
        || b"\0absent".to_vec(),
        |mut s| {
            s.insert(0, '=');
            s.into_bytes()
        },
    )
}

fn required_limit(o: &Obj<'_>, key: &str) -> Result<u32, ConfigError> {
    o.u64_in(key, 1, u64::from(MAX_LIMIT))?
        .map(|n| n as u32)
        .ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Missing,
                join(o.path(), key),
                "nothing",
                format!("an integer from 1 to {MAX_LIMIT}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characteristics_parse_arcjet_names_and_reject_malformed_ones() {
        assert_eq!(
            Characteristic::parse("ip.src", "c").unwrap(),
            Characteristic::Ip
        );
        assert_eq!(
            Characteristic::parse("http.request.headers[\"X-Api-Key\"]", "c").unwrap(),
            Characteristic::Header("x-api-key".into())
        );
        assert_eq!(
            Characteristic::parse("userId", "c").unwrap(),
            Characteristic::Custom("userId".into())
        );
        for bad in [
            "ip.dst",
            "http.request.headers[x]",
            "http.request.headers[\"\"]",
            "user id",
            "1abc",
            "",
            "a.b",
        ] {
            let e = Characteristic::parse(bad, "rules[0].characteristics[0]").unwrap_err();
            assert_eq!(e.code(), "PALISADE_CONFIG_UNKNOWN", "{bad}");
            assert!(e.to_string().contains("rules[0].characteristics[0]"));
        }
    }
}
