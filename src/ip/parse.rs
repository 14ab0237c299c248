//! Addresses as they appear in headers and socket strings.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Parses one address as written by a proxy or a socket API: `1.2.3.4`, `1.2.3.4:5678`,
/// `2001:db8::1`, `[2001:db8::1]:5678`, `"[2001:db8::1]"`, `fe80::1%eth0`. A bare IPv6 address never
/// loses a "port" (field case ip-040). Returns the canonical form (IPv4-mapped becomes IPv4).
#[must_use]
pub fn parse_addr(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"').trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']')?;
        let after = &rest[end + 1..];
        if !(after.is_empty() || (after.starts_with(':') && is_port(&after[1..]))) {
            return None;
        }
        return parse_v6(&rest[..end]).map(|v6| canonical(IpAddr::V6(v6)));
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some((host, port)) = s.rsplit_once(':') {
        // Only an IPv4 address can carry a port without brackets.
        if is_port(port) {
            if let Ok(v4) = host.parse::<Ipv4Addr>() {
                return Some(IpAddr::V4(v4));
            }
        }
    }
    parse_v6(s).map(|v6| canonical(IpAddr::V6(v6)))
}

fn parse_v6(s: &str) -> Option<Ipv6Addr> {
    // A zone id names an interface of the sender; it does not change who the client is.
    let addr = s.split_once('%').map_or(s, |(a, _)| a);
    addr.parse().ok()
}

fn is_port(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u16>().is_ok()
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`, however it is written) becomes the IPv4 address. Decided by
/// the address value, never by its spelling (field case rl-020).
#[must_use]
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    }
}

/// Whether an address is globally routable: not loopback, private, link-local, unique-local,
/// shared (CGNAT), documentation, benchmarking, multicast or unspecified.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || (seg[0] == 0x2001 && seg[1] == 0x0db8))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_ip_040_ports_and_brackets() {
        let p = |s: &str| parse_addr(s).map(|a| a.to_string());
        assert_eq!(p("1.2.3.4:5678").as_deref(), Some("1.2.3.4"));
        assert_eq!(p("2001:db8::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(p("::1").as_deref(), Some("::1"));
        assert_eq!(p("[2001:db8::1]:5678").as_deref(), Some("2001:db8::1"));
        // Looks like "address:port" but is a complete IPv6 address.
        assert_eq!(p("2001:db8::1:80").as_deref(), Some("2001:db8::1:80"));
        assert_eq!(p("fe80::1%eth0").as_deref(), Some("fe80::1"));
        assert_eq!(p("::ffff:127.0.0.1").as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn malformed_addresses_are_none_not_errors() {
        for s in [
            "",
            "unknown",
            "1.2.3",
            "1.2.3.4:99999",
            "[::1",
            "[::1]x",
            "1.2.3.4:",
            "::g",
            "_hidden",
            &"9".repeat(500),
        ] {
            assert_eq!(parse_addr(s), None, "{s:?}");
        }
    }

    #[test]
    fn public_excludes_internal_ranges() {
        for s in [
            "10.1.1.1",
            "127.0.0.1",
            "192.168.0.1",
            "172.16.5.5",
            "100.64.0.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "0.0.0.0",
        ] {
            assert!(!is_public(parse_addr(s).unwrap()), "{s}");
        }
        for s in ["1.1.1.1", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(is_public(parse_addr(s).unwrap()), "{s}");
        }
    }
}
