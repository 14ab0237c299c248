//! Sets of addresses and CIDR blocks (trusted proxies, platform ranges).

use std::net::IpAddr;

use super::parse::{canonical, parse_addr};
use crate::config::{ConfigError, ConfigErrorKind};

/// A set of CIDR blocks. Lookups scan the list: trusted-proxy lists are short, and the scan has no
/// allocation and no hashing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CidrSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

const EXPECTED: &str = "an IP address or CIDR block such as \"10.0.0.0/8\" or \"2001:db8::/32\"";

impl CidrSet {
    /// Parses entries such as `10.0.0.0/8`, `192.0.2.1`, `2001:db8::/32`, `::1`. Host bits set below
    /// the prefix are rejected, because `10.1.2.3/8` is usually a typo for something narrower.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = &'a str>,
        path: &str,
    ) -> Result<Self, ConfigError> {
        let mut set = Self::default();
        for (i, e) in entries.into_iter().enumerate() {
            set.insert(e, &format!("{path}[{i}]"))?;
        }
        Ok(set)
    }

    /// Adds one entry in the syntax [`CidrSet::parse`] accepts; an error names `path`.
    pub fn insert(&mut self, entry: &str, path: &str) -> Result<(), ConfigError> {
        self.add(entry).map_err(|()| {
            ConfigError::new(ConfigErrorKind::Cidr, path, format!("{entry:?}"), EXPECTED)
        })
    }

    fn add(&mut self, entry: &str) -> Result<(), ()> {
        let (addr, len) = match entry.trim().split_once('/') {
            Some((a, l)) => {
                if l.is_empty() || l.len() > 3 || !l.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(());
                }
                (a, Some(l.parse::<u32>().map_err(|_| ())?))
            }
            None => (entry.trim(), None),
        };
        // Mapped IPv6 blocks are not accepted in prefix form: write the IPv4 block instead.
        let ip: IpAddr = addr.parse().map_err(|_| ())?;
        match canonical(ip) {
            IpAddr::V4(v4) if !(matches!(ip, IpAddr::V6(_)) && len.is_some()) => {
                let len = len.unwrap_or(32);
                if len > 32 {
                    return Err(());
                }
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                let bits = u32::from(v4);
                if bits & !mask != 0 {
                    return Err(());
                }
                self.v4.push((bits, mask));
            }
            IpAddr::V6(v6) => {
                let len = len.unwrap_or(128);
                if len > 128 {
                    return Err(());
                }
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - len)
                };
                let bits = u128::from(v6);
                if bits & !mask != 0 {
                    return Err(());
                }
                self.v6.push((bits, mask));
            }
            IpAddr::V4(_) => return Err(()),
        }
        Ok(())
    }

    /// Adds every block of another set.
    pub fn extend(&mut self, other: &CidrSet) {
        self.v4.extend_from_slice(&other.v4);
        self.v6.extend_from_slice(&other.v6);
    }

    /// How many blocks the set holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// Whether the set holds no block.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Whether `ip` falls in any block.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match canonical(ip) {
            IpAddr::V4(v4) => {
                let b = u32::from(v4);
                self.v4.iter().any(|(net, mask)| b & mask == *net)
            }
            IpAddr::V6(v6) => {
                let b = u128::from(v6);
                self.v6.iter().any(|(net, mask)| b & mask == *net)
            }
        }
    }

    /// Whether a header entry parses to an address in the set.
    #[must_use]
    pub fn contains_str(&self, s: &str) -> bool {
        parse_addr(s).is_some_and(|ip| self.contains(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_v4_and_v6_blocks_and_mapped_forms() {
        let s = CidrSet::parse(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"], "proxies").unwrap();
        assert!(s.contains_str("10.200.1.1"));
        assert!(s.contains_str("::ffff:10.0.0.1"));
        assert!(s.contains_str("192.0.2.7"));
        assert!(!s.contains_str("192.0.2.8"));
        assert!(s.contains_str("2001:db8:ffff::1"));
        assert!(!s.contains_str("2001:db9::1"));
    }

    #[test]
    fn malformed_cidr_names_the_entry() {
        for bad in [
            "10.0.0.0/33",
            "10.1.2.3/8",
            "10.0.0/8",
            "banana",
            "::/129",
            "1.2.3.4/",
            "1.2.3.4/-1",
            "::ffff:1.2.3.0/120",
        ] {
            let e = CidrSet::parse(["1.1.1.1", bad], "proxies").unwrap_err();
            assert_eq!(e.code(), "PALISADE_CONFIG_CIDR", "{bad}");
            assert_eq!(e.path, "proxies[1]");
            assert!(e.to_string().contains(bad), "{e}");
        }
    }
}
