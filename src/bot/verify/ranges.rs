//! Published address blocks per bot id.
//!
//! The blocks ship in `data/bots/ranges/builtin.txt` and can be replaced at run time from a file,
//! since operators change them. Three formats are read:
//!
//! - lines `BOT_ID CIDR` (`#` starts a comment), the shipped format ([`Ranges::parse`]);
//! - one operator's JSON file as published, `{"prefixes": [{"ipv4Prefix": "..."}, {"ipv6Prefix":
//!   "..."}]}` (Google, Bing, `OpenAI`), for one bot id ([`Ranges::from_vendor_json`]);
//! - a JSON object keyed by bot id whose values are either such an operator file pasted as is or a
//!   plain list of CIDR strings ([`Ranges::from_json`]):
//!   `{"GOOGLE_CRAWLER": {"prefixes": [...]}, "DUCKDUCKGO_CRAWLER": ["20.191.45.212/32"]}`.
//!
//! Blocks use [`CidrSet`] syntax: a block with host bits set below its prefix (`10.1.2.3/8`) is
//! rejected as a likely typo, and a bare address is a single-address block.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use super::Verification;
use crate::bot::Classification;
use crate::config::{describe, join, ConfigError, ConfigErrorKind};
use crate::ip::CidrSet;

const BUILTIN: &str = include_str!("../../../data/bots/ranges/builtin.txt");

/// Published address blocks per bot id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranges {
    by_bot: HashMap<String, CidrSet>,
}

impl Ranges {
    /// The ranges shipped with the crate.
    ///
    /// # Panics
    /// Only if the embedded data file is malformed, which the test suite rules out.
    #[must_use]
    pub fn builtin() -> &'static Ranges {
        static BUILT: OnceLock<Ranges> = OnceLock::new();
        BUILT.get_or_init(|| {
            Ranges::parse(BUILTIN, "builtin.txt")
                .unwrap_or_else(|e| panic!("embedded ranges are malformed: {e}"))
        })
    }

    /// Parses `BOT_ID CIDR` lines (blank lines and `#` comments ignored). Errors name
    /// `origin:line`.
    pub fn parse(text: &str, origin: &str) -> Result<Ranges, ConfigError> {
        let mut ranges = Ranges::default();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let path = format!("{origin}:{}", i + 1);
            let mut parts = line.split_whitespace();
            let (Some(id), Some(block), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(ConfigError::new(
                    ConfigErrorKind::Type,
                    path,
                    format!("{line:?}"),
                    "a line `BOT_ID CIDR`",
                ));
            };
            check_id(id, &path)?;
            ranges
                .by_bot
                .entry(id.to_owned())
                .or_default()
                .insert(block, &path)?;
        }
        Ok(ranges)
    }

    /// Reads a file: JSON in the [`Ranges::from_json`] format when its first non-blank character
    /// is `{`, otherwise lines in the [`Ranges::parse`] format. Errors name the file.
    pub fn from_file(path: &Path) -> Result<Ranges, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Missing,
                &origin,
                e,
                "a readable ranges file",
            )
        })?;
        if text.trim_start().starts_with('{') {
            Ranges::from_json(&text, &origin)
        } else {
            Ranges::parse(&text, &origin)
        }
    }

    /// Reads an operator's JSON list (`{"prefixes": [{"ipv4Prefix": "..."}, {"ipv6Prefix": "..."}]}`,
    /// the format of the Google, Bing and `GPTBot` files) as the ranges of `bot_id`.
    pub fn from_vendor_json(bot_id: &str, text: &str, origin: &str) -> Result<Ranges, ConfigError> {
        check_id(bot_id, origin)?;
        let value = parse_json(text, origin)?;
        let mut ranges = Ranges::default();
        ranges
            .by_bot
            .insert(bot_id.to_owned(), vendor_blocks(&value, origin)?);
        Ok(ranges)
    }

    /// Reads a JSON object keyed by bot id. Each value is either an operator's file as published
    /// (`{"prefixes": [{"ipv4Prefix": "..."}, ...]}`, other keys ignored) or a list of CIDR strings.
    /// Errors name the key path from `origin`, e.g. `ranges.json.GOOGLE_CRAWLER.prefixes[3]`.
    pub fn from_json(text: &str, origin: &str) -> Result<Ranges, ConfigError> {
        Ranges::from_value(&parse_json(text, origin)?, origin)
    }

    /// As [`Ranges::from_json`], for a value already parsed (inline configuration).
    pub fn from_value(value: &Value, path: &str) -> Result<Ranges, ConfigError> {
        let Value::Object(map) = value else {
            return Err(ConfigError::new(
                ConfigErrorKind::Type,
                path,
                describe(value),
                "an object keyed by bot id, e.g. {\"GOOGLE_CRAWLER\": [\"66.249.64.0/19\"]}",
            ));
        };
        let mut ranges = Ranges::default();
        for (id, blocks) in map {
            let path = join(path, id);
            check_id(id, &path)?;
            let set = match blocks {
                Value::Array(list) => {
                    let mut set = CidrSet::default();
                    for (i, item) in list.iter().enumerate() {
                        let item_path = format!("{path}[{i}]");
                        let Some(text) = item.as_str() else {
                            return Err(ConfigError::new(
                                ConfigErrorKind::Type,
                                item_path,
                                describe(item),
                                "a CIDR string such as \"66.249.64.0/19\"",
                            ));
                        };
                        set.insert(text, &item_path)?;
                    }
                    non_empty(set, &path)?
                }
                Value::Object(_) => vendor_blocks(blocks, &path)?,
                other => {
                    return Err(ConfigError::new(
                        ConfigErrorKind::Type,
                        path,
                        describe(other),
                        "a list of CIDR strings or an operator file {\"prefixes\": [...]}",
                    ))
                }
            };
            ranges.by_bot.insert(id.clone(), set);
        }
        Ok(ranges)
    }

    /// Replaces the blocks of every bot that `newer` lists, keeping the others.
    pub fn update(&mut self, newer: Ranges) {
        self.by_bot.extend(newer.by_bot);
    }

    /// Whether `bot_id` has published blocks here.
    #[must_use]
    pub fn covers(&self, bot_id: &str) -> bool {
        self.by_bot.contains_key(bot_id)
    }

    /// The blocks of `bot_id`, if it has any here.
    #[must_use]
    pub fn blocks(&self, bot_id: &str) -> Option<&CidrSet> {
        self.by_bot.get(bot_id)
    }

    /// The bot ids with published blocks.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_bot.keys().map(String::as_str)
    }

    /// Checks the crawlers named in `classification` against the address the request came from,
    /// using address blocks only. Verified when the address is inside the blocks of any named
    /// crawler that has blocks; Spoofed when some named crawler has blocks and none contains it.
    #[must_use]
    pub fn verify(&self, classification: &Classification, ip: IpAddr) -> Verification {
        let mut checked = false;
        for id in &classification.ids {
            if let Some(blocks) = self.by_bot.get(&**id) {
                checked = true;
                if blocks.contains(ip) {
                    return Verification::Verified;
                }
            }
        }
        if checked {
            Verification::Spoofed
        } else {
            Verification::Unverifiable
        }
    }
}

fn parse_json(text: &str, origin: &str) -> Result<Value, ConfigError> {
    serde_json::from_str(text).map_err(|e| {
        ConfigError::new(
            ConfigErrorKind::Type,
            origin,
            e,
            "valid JSON (an operator's ranges file or an object keyed by bot id)",
        )
    })
}

/// Bot ids are `SCREAMING_SNAKE`, as in the bot database: a typo in lower case, or a UA token
/// written where an id belongs, must not silently cover nothing.
fn check_id(id: &str, path: &str) -> Result<(), ConfigError> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && !id.as_bytes()[0].is_ascii_digit();
    if valid {
        Ok(())
    } else {
        Err(ConfigError::new(
            ConfigErrorKind::Type,
            path,
            format!("{id:?}"),
            "a bot id of upper-case letters, digits and underscores, e.g. GOOGLE_CRAWLER",
        ))
    }
}

/// An empty list is refused: a truncated download would otherwise turn every genuine claim of
/// that crawler into Spoofed.
fn non_empty(set: CidrSet, path: &str) -> Result<CidrSet, ConfigError> {
    if set.is_empty() {
        Err(ConfigError::new(
            ConfigErrorKind::Range,
            path,
            "no blocks",
            "at least one address block",
        ))
    } else {
        Ok(set)
    }
}

/// The blocks of an operator's `{"prefixes": [...]}` file.
fn vendor_blocks(value: &Value, path: &str) -> Result<CidrSet, ConfigError> {
    let prefixes_path = join(path, "prefixes");
    let prefixes = value
        .get("prefixes")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ConfigError::new(
                ConfigErrorKind::Missing,
                &prefixes_path,
                "nothing",
                "an array of prefixes",
            )
        })?;
    let mut set = CidrSet::default();
    for (i, item) in prefixes.iter().enumerate() {
        let item_path = format!("{prefixes_path}[{i}]");
        let text = item
            .get("ipv4Prefix")
            .or_else(|| item.get("ipv6Prefix"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Missing,
                    &item_path,
                    describe(item),
                    "an object with an ipv4Prefix or ipv6Prefix string",
                )
            })?;
        set.insert(text, &item_path)?;
    }
    non_empty(set, &prefixes_path)
}
