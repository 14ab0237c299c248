//! Configuration errors shared by every capability.
//!
//! Bad configuration fails once, at construction, with a stable code and a message that names the
//! key path, the value that was given and the limit it broke. Request data never produces these.

use std::fmt;

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
        Self { kind, path: path.into(), value, expected: expected.into() }
    }

    /// The stable error code, e.g. `PALISADE_CONFIG_RANGE`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid option `{}`: got {}, expected {}", self.path, self.value, self.expected)
    }
}

impl std::error::Error for ConfigError {}
