//! Configuration errors shared by every capability.
//!
//! Bad configuration fails once, at construction, with a stable code and a message that names the
//! key path, the value that was given and the limit it broke. Request data never produces these.

use std::fmt;

/// The longest rule `name` accepted, in bytes.
pub const MAX_RULE_NAME_LEN: usize = 256;

/// What kind of configuration mistake was made. Each kind has a stable `code()` that JavaScript
/// callers see as `err.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// A required key is missing.
    Missing,
    /// A value has the wrong type (a string where a number was expected, ...).
    Type,
    /// A number is outside its allowed range.
    Range,
    /// An interval string such as `"1h30m"` could not be parsed.
    Interval,
    /// An IP address or CIDR block could not be parsed.
    Cidr,
    /// A name is not one of the accepted values (rule type, characteristic, mode, preset, ...).
    Unknown,
    /// A pattern (regex) supplied by the user is invalid or too large.
    Pattern,
    /// A store URL is malformed, has an unsupported scheme or turns off certificate checks.
    Url,
}

impl ConfigErrorKind {
    /// The stable error code exposed to JavaScript as `err.code`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "PALISADE_CONFIG_MISSING",
            Self::Type => "PALISADE_CONFIG_TYPE",
            Self::Range => "PALISADE_CONFIG_RANGE",
            Self::Interval => "PALISADE_CONFIG_INTERVAL",
            Self::Cidr => "PALISADE_CONFIG_CIDR",
            Self::Unknown => "PALISADE_CONFIG_UNKNOWN",
            Self::Pattern => "PALISADE_CONFIG_PATTERN",
            Self::Url => "PALISADE_CONFIG_URL",
        }
    }
}

/// A configuration error: which key, what value, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The kind of mistake, which decides the stable code.
    pub kind: ConfigErrorKind,
    /// Key path from the root of the options, e.g. `rules[0].capacity`.
    pub path: String,
    /// The offending value as the user wrote it (truncated to 80 characters).
    pub value: String,
    /// What would have been accepted, e.g. `an integer from 1 to 1000000000`.
    pub expected: String,
}

impl ConfigError {
    /// Builds an error; the value is shortened so that messages stay small.
    #[must_use]
    pub fn new(
        kind: ConfigErrorKind,
        path: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        let mut value = value.to_string();
        if value.chars().count() > 80 {
            value = value.chars().take(77).collect::<String>() + "...";
        }
        Self {
            kind,
            path: path.into(),
            value,
            expected: expected.into(),
        }
    }

    /// The stable error code, e.g. `PALISADE_CONFIG_RANGE`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid option `{}`: got {}, expected {}",
            self.path, self.value, self.expected
        )
    }
}

impl std::error::Error for ConfigError {}

/// Reads one options object (a JSON-like value coming from JavaScript) with exact error paths.
///
/// Every capability parses its options through this, so that all errors look the same: the key path
/// from the root, the value given and the accepted range. Unknown keys are rejected, because a typo in
/// a security setting must not silently fall back to a default.
pub struct Obj<'a> {
    map: &'a serde_json::Map<String, serde_json::Value>,
    path: String,
}

/// Joins a key onto a path: `rules[0]` + `max` gives `rules[0].max`.
#[must_use]
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Describes a JSON value briefly for error messages (`"10 parsecs"`, `-1`, `an object`).
#[must_use]
pub fn describe(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(_) => "an object".to_owned(),
        serde_json::Value::Array(_) => "an array".to_owned(),
        // JavaScript numbers arrive as doubles: a whole one reads as it was written (1e12, not
        // 1000000000000.0).
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                format!("{}", f as i64)
            }
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

impl<'a> Obj<'a> {
    /// Views `value` as an object, or fails naming `path`.
    pub fn new(value: &'a serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        match value {
            serde_json::Value::Object(map) => Ok(Self {
                map,
                path: path.to_owned(),
            }),
            other => Err(ConfigError::new(
                ConfigErrorKind::Type,
                path,
                describe(other),
                "an object",
            )),
        }
    }

    /// The path of this object.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of one of its keys.
    #[must_use]
    pub fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Rejects keys not in `allowed` (a typo must not silently disable a protection). The message
    /// lists the keys a user writes: not `type` and `algorithm`, which the rule factories set.
    pub fn only(&self, allowed: &[&str]) -> Result<(), ConfigError> {
        for key in self.map.keys() {
            if !allowed.contains(&key.as_str()) {
                let listed: Vec<&str> = allowed
                    .iter()
                    .copied()
                    .filter(|k| !matches!(*k, "type" | "algorithm"))
                    .collect();
                return Err(ConfigError::new(
                    ConfigErrorKind::Unknown,
                    self.key_path(key),
                    format!("{key:?}"),
                    format!("one of the keys {}", listed.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// The raw value of a key; `null` counts as absent.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&'a serde_json::Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required key; `expected` says what belongs there, for the message when it is missing.
    pub fn require(&self, key: &str, expected: &str) -> Result<&'a serde_json::Value, ConfigError> {
        self.get(key).ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Missing,
                self.key_path(key),
                "nothing",
                expected,
            )
        })
    }

    /// An optional whole number in `min..=max`.
    pub fn u64_in(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let expected = || format!("an integer from {min} to {max}");
        let n = v.as_f64().ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Type,
                self.key_path(key),
                describe(v),
                expected(),
            )
        })?;
        if n.fract() != 0.0 || n < min as f64 || n > max as f64 {
            return Err(ConfigError::new(
                ConfigErrorKind::Range,
                self.key_path(key),
                describe(v),
                expected(),
            ));
        }
        Ok(Some(n as u64))
    }

    /// An optional boolean.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        v.as_bool().map(Some).ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Type,
                self.key_path(key),
                describe(v),
                "true or false",
            )
        })
    }

    /// A rule's optional `name` (empty when absent), at most [`MAX_RULE_NAME_LEN`] bytes: it is
    /// hashed into every key of the rule and kept for the process's life.
    pub fn rule_name(&self) -> Result<&'a str, ConfigError> {
        let name = self.str("name")?.unwrap_or("");
        if name.len() > MAX_RULE_NAME_LEN {
            return Err(ConfigError::new(
                ConfigErrorKind::Range,
                self.key_path("name"),
                format!("{} bytes", name.len()),
                format!("a name of at most {MAX_RULE_NAME_LEN} bytes"),
            ));
        }
        Ok(name)
    }

    /// An optional string.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        v.as_str().map(Some).ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Type,
                self.key_path(key),
                describe(v),
                "a string",
            )
        })
    }

    /// An optional string that must be one of `choices`.
    pub fn choice(
        &self,
        key: &str,
        choices: &[&'static str],
    ) -> Result<Option<&'static str>, ConfigError> {
        let Some(s) = self.str(key)? else {
            return Ok(None);
        };
        choices
            .iter()
            .find(|c| **c == s)
            .copied()
            .map(Some)
            .ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Unknown,
                    self.key_path(key),
                    format!("{s:?}"),
                    format!("one of {}", choices.join(", ")),
                )
            })
    }

    /// An optional array of strings, at most `max_len` long.
    pub fn str_list(&self, key: &str, max_len: usize) -> Result<Option<Vec<&'a str>>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let path = self.key_path(key);
        let arr = v.as_array().ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Type,
                &path,
                describe(v),
                "an array of strings",
            )
        })?;
        if arr.len() > max_len {
            return Err(ConfigError::new(
                ConfigErrorKind::Range,
                &path,
                format!("{} entries", arr.len()),
                format!("at most {max_len} entries"),
            ));
        }
        arr.iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().ok_or_else(|| {
                    ConfigError::new(
                        ConfigErrorKind::Type,
                        format!("{path}[{i}]"),
                        describe(item),
                        "a string",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}
