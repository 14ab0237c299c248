//! Checking that a request claiming to be a known crawler comes from that crawler's network.
//!
//! Several operators (Google, Bing, Apple, the maker of `GPTBot`) publish the address blocks their crawlers use.
//! A UA naming such a crawler from an address outside its blocks is spoofed. The blocks ship in
//! `data/bots/ranges/builtin.txt` and can be replaced at run time from a file, since operators
//! change them. Reverse-DNS confirmation is not implemented: it needs an async resolver, and the
//! published blocks answer the same question without a network round trip.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::OnceLock;

use super::Classification;
use crate::config::{ConfigError, ConfigErrorKind};

const BUILTIN: &str = include_str!("../../data/bots/ranges/builtin.txt");

/// The outcome of checking a claimed crawler against its published ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The UA names a crawler with published ranges and the address is inside them.
    Verified,
    /// The UA names a crawler with published ranges and the address is outside all of them.
    Spoofed,
    /// No crawler named by the UA publishes ranges (or the UA names none): nothing to check.
    Unverifiable,
}

/// One address block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = s.split_once('/')?;
        let network: IpAddr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Cidr { network, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client reached over an IPv6 socket arrives as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Published address blocks per bot id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranges {
    by_bot: HashMap<String, Vec<Cidr>>,
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
            let cidr = Cidr::parse(block).ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Cidr,
                    &path,
                    format!("{block:?}"),
                    "an IPv4 or IPv6 block like 66.249.64.0/19",
                )
            })?;
            ranges.by_bot.entry(id.to_owned()).or_default().push(cidr);
        }
        Ok(ranges)
    }

    /// Reads a file in the [`Ranges::parse`] format.
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
        Ranges::parse(&text, &origin)
    }

    /// Reads an operator's JSON list (`{"prefixes": [{"ipv4Prefix": "..."}, {"ipv6Prefix": "..."}]}`,
    /// the format of the Google, Bing and `GPTBot` files) as the ranges of `bot_id`.
    pub fn from_vendor_json(bot_id: &str, text: &str, origin: &str) -> Result<Ranges, ConfigError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Type,
                origin,
                e,
                "a JSON object with a prefixes array",
            )
        })?;
        let prefixes = value
            .get("prefixes")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Missing,
                    format!("{origin}.prefixes"),
                    "nothing",
                    "an array of prefixes",
                )
            })?;
        let mut blocks = Vec::with_capacity(prefixes.len());
        for (i, item) in prefixes.iter().enumerate() {
            let path = format!("{origin}.prefixes[{i}]");
            let text = item
                .get("ipv4Prefix")
                .or_else(|| item.get("ipv6Prefix"))
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| {
                    ConfigError::new(
                        ConfigErrorKind::Missing,
                        &path,
                        "nothing",
                        "ipv4Prefix or ipv6Prefix",
                    )
                })?;
            blocks.push(Cidr::parse(text).ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Cidr,
                    &path,
                    format!("{text:?}"),
                    "an IPv4 or IPv6 block",
                )
            })?);
        }
        let mut ranges = Ranges::default();
        ranges.by_bot.insert(bot_id.to_owned(), blocks);
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

    /// The bot ids with published blocks.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_bot.keys().map(String::as_str)
    }

    /// Checks the crawlers named in `classification` against the address the request came from.
    /// Verified when the address is inside the blocks of any named crawler that has blocks.
    #[must_use]
    pub fn verify(&self, classification: &Classification, ip: IpAddr) -> Verification {
        let mut checked = false;
        for id in &classification.ids {
            if let Some(blocks) = self.by_bot.get(&**id) {
                checked = true;
                if blocks.iter().any(|b| b.contains(ip)) {
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
