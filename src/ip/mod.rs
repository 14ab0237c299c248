//! Client IP: parsing addresses as proxies write them, trusted proxy chains, CIDR sets, and the
//! key a client is rate limited by.
//!
//! # Untrusted input
//! Forwarding headers are written by whoever sent the request. At most [`MAX_CHAIN`] hops are
//! read from the right (the hops added by your own proxies come last), header values longer than
//! [`MAX_HEADER_BYTES`] are cut, and nothing here allocates per hop beyond the parsed address.

mod cidr;
mod parse;
mod resolve;

pub use cidr::CidrSet;
pub use parse::{canonical, is_public, parse_addr};
pub use resolve::{ClientIp, IpConfig, Platform, UnknownClient, DEFAULT_V6_PREFIX};

use std::net::IpAddr;

/// Hops read from a forwarding chain, counted from the right.
pub const MAX_CHAIN: usize = 32;
/// Bytes read from any one forwarding header value.
pub const MAX_HEADER_BYTES: usize = 4096;

/// The rate-limit key of an address: IPv4 (including IPv4-mapped IPv6, decided by value) as the
/// address; IPv6 as its first `v6_prefix` bits, because one subscriber usually holds a whole /56 or
/// /64 and can rotate addresses inside it at will (field case rl-010).
#[must_use]
pub fn limit_key(ip: IpAddr, v6_prefix: u8) -> IpAddr {
    match canonical(ip) {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let prefix = u32::from(v6_prefix.min(128));
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - prefix)
            };
            IpAddr::V6((bits & mask).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        limit_key(parse_addr(s).unwrap(), DEFAULT_V6_PREFIX).to_string()
    }

    #[test]
    fn regression_rl_010_ipv6_clients_in_one_56_share_a_key() {
        assert_eq!(key("2001:db8:1234:5601::1"), key("2001:db8:1234:56ff::2"));
        assert_ne!(key("2001:db8:1234:5601::1"), key("2001:db8:1234:5701::1"));
    }

    #[test]
    fn regression_rl_020_mapped_addresses_key_by_value() {
        assert_eq!(key("::ffff:1.2.3.4"), "1.2.3.4");
        assert_eq!(key("::ffff:102:304"), "1.2.3.4");
        assert_ne!(key("::ffff:192.0.2.1"), key("::ffff:198.51.100.7"));
        assert_eq!(key("::ffff:192.0.2.1"), "192.0.2.1");
        // NAT64 is a real IPv6 prefix, not a mapped IPv4 address.
        assert_eq!(key("64:ff9b::1.2.3.4"), "64:ff9b::");
    }

    #[test]
    fn prefix_is_configurable() {
        let ip = parse_addr("2001:db8:1:2:3:4:5:6").unwrap();
        assert_eq!(limit_key(ip, 64).to_string(), "2001:db8:1:2::");
        assert_eq!(limit_key(ip, 128).to_string(), "2001:db8:1:2:3:4:5:6");
    }
}
