//! The email rule: syntax, disposable, free and role checks on `props.email`, and (through the
//! async entry point) an MX check.

use crate::config::{ConfigError, ConfigErrorKind, Obj};
use crate::email::{self, EmailType, MxOutcome, Options};

/// The longest MX timeout accepted: a signup form should not wait longer than this for DNS.
pub const MAX_MX_TIMEOUT_MS: u64 = 30_000;
/// The default MX timeout.
pub const DEFAULT_MX_TIMEOUT_MS: u64 = 2_000;

/// A configured email rule.
#[derive(Debug, Clone)]
pub struct EmailRule {
    /// Syntax options.
    pub options: Options,
    /// Types that deny (with `deny`), or the only types that may pass (with `allow`).
    pub list: Vec<EmailType>,
    /// Whether `list` is an allow list.
    pub is_allow: bool,
    /// Whether to look up MX records (only through the async entry point).
    pub check_mx: bool,
    /// The MX lookup timeout.
    pub mx_timeout_ms: u64,
}

/// The outcome of an email rule.
#[derive(Debug, Clone)]
pub struct EmailOutcome {
    /// Whether the rule denies.
    pub denied: bool,
    /// The syntax and domain verdict, with `NO_MX_RECORDS` added when the MX check said so.
    pub verdict: email::Verdict,
    /// What the MX check found, when it ran.
    pub mx: Option<MxOutcome>,
}

const TYPES: [&str; 5] = ["INVALID", "DISPOSABLE", "FREE", "NO_MX_RECORDS", "ROLE"];

fn parse_type(s: &str, path: &str) -> Result<EmailType, ConfigError> {
    Ok(match s {
        "INVALID" => EmailType::Invalid,
        "DISPOSABLE" => EmailType::Disposable,
        "FREE" => EmailType::Free,
        "NO_MX_RECORDS" => EmailType::NoMxRecords,
        "ROLE" => EmailType::Role,
        _ => {
            return Err(ConfigError::new(
                ConfigErrorKind::Unknown,
                path,
                format!("{s:?}"),
                format!("one of {}", TYPES.join(", ")),
            ))
        }
    })
}

impl EmailRule {
    /// Parses an `EMAIL` rule object.
    pub fn from_value(v: &serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        let options = Options::from_value(v, path)?;
        let o = Obj::new(v, path)?;
        let (list, is_allow, key) = match (o.str_list("deny", 5)?, o.str_list("allow", 5)?) {
            (Some(d), None) => (d, false, "deny"),
            (None, Some(a)) => (a, true, "allow"),
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Type,
                    o.key_path("allow"),
                    "both allow and deny",
                    "either an allow list or a deny list of email types",
                ))
            }
            (None, None) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Missing,
                    o.key_path("deny"),
                    "nothing",
                    format!(
                        "a deny (or allow) list of email types: {}",
                        TYPES.join(", ")
                    ),
                ))
            }
        };
        let base = o.key_path(key);
        let list = list
            .iter()
            .enumerate()
            .map(|(i, s)| parse_type(s, &format!("{base}[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            options,
            list,
            is_allow,
            check_mx: o.bool("checkMx")?.unwrap_or(false),
            mx_timeout_ms: o
                .u64_in("mxTimeoutMs", 1, MAX_MX_TIMEOUT_MS)?
                .unwrap_or(DEFAULT_MX_TIMEOUT_MS),
        })
    }

    /// Judges an address, with the MX outcome when the async entry point looked it up.
    #[must_use]
    pub fn evaluate(&self, address: &str, mx: Option<MxOutcome>) -> EmailOutcome {
        let mut verdict = email::validate(address, &self.options);
        let mx = if verdict.valid && self.check_mx {
            mx
        } else {
            None
        };
        if let Some(t) = mx.and_then(MxOutcome::email_type) {
            if !verdict.types.contains(&t) {
                verdict.types.push(t);
            }
        }
        let denied = if self.is_allow {
            verdict.types.iter().any(|t| !self.list.contains(t))
        } else {
            verdict.types.iter().any(|t| self.list.contains(t))
        };
        EmailOutcome {
            denied,
            verdict,
            mx,
        }
    }

    /// The domain whose MX records this rule wants for `address`, if any.
    #[must_use]
    pub fn mx_domain(&self, address: &str) -> Option<String> {
        if !self.check_mx {
            return None;
        }
        let v = email::validate(address, &self.options);
        let normalized = v.normalized?;
        normalized.rsplit_once('@').map(|(_, d)| d.to_owned())
    }
}
