//! Server-side request forgery: a URL in a parameter that points at this machine, the private
//! network, link-local addresses or a cloud metadata service, in any of the spellings that URL
//! parsers accept (decimal `2130706433`, hex `0x7f000001`, octal `0177.0.0.1`, short `127.1`,
//! IPv6 `[::1]` and `[::ffff:127.0.0.1]`, `user@host` prefixes).

use super::normalize::{Norm, COLON};
use super::Hit;
use regex::Regex;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(https?|ftp|gopher|dict|ldap|ldaps|tftp|jar|netdoc|sftp|smb|redis|mysql|postgres|mongodb)://([^/?#\s\\]*)")
        .expect("ssrf url pattern compiles")
});

/// Parses one IPv4 part as URL parsers do: `0x` hex, leading-zero octal, or decimal.
fn part(p: &str) -> Option<u64> {
    if p.is_empty() {
        return None;
    }
    if let Some(h) = p.strip_prefix("0x") {
        return if h.is_empty() {
            Some(0)
        } else {
            u64::from_str_radix(h, 16).ok()
        };
    }
    if p.len() > 1 && p.starts_with('0') {
        return u64::from_str_radix(&p[1..], 8).ok();
    }
    p.parse().ok()
}

/// Reads `a`, `a.b`, `a.b.c` or `a.b.c.d` in any base (the `WHATWG/inet_aton` forms).
fn ipv4(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let nums: Vec<u64> = parts.iter().map(|p| part(p)).collect::<Option<_>>()?;
    let (last, head) = nums.split_last()?;
    let mut v: u64 = 0;
    for (i, n) in head.iter().enumerate() {
        if *n > 255 {
            return None;
        }
        v |= n << (24 - 8 * i);
    }
    let room = 32 - 8 * head.len();
    if room < 64 && *last >= (1u64 << room) {
        return None;
    }
    Some(Ipv4Addr::from((v | last) as u32))
}

fn internal_v4(ip: Ipv4Addr) -> Option<u32> {
    let o = ip.octets();
    if o == [169, 254, 169, 254] || o == [100, 100, 100, 200] || o == [168, 63, 129, 16] {
        return Some(95);
    }
    if ip.is_loopback() || ip.is_unspecified() || ip.is_private() || ip.is_link_local() || o[0] == 0
    {
        return Some(85);
    }
    if o[0] == 100 && (64..128).contains(&o[1]) {
        return Some(70);
    }
    None
}

fn internal_host(host: &str) -> Option<u32> {
    let host = host.trim_end_matches('.');
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let v6 = v6.split('%').next().unwrap_or(v6);
        let ip: Ipv6Addr = v6.parse().ok()?;
        if let Some(v4) = ip.to_ipv4_mapped() {
            return internal_v4(v4);
        }
        let seg = ip.segments();
        if ip.is_loopback()
            || ip.is_unspecified()
            || (seg[0] & 0xfe00) == 0xfc00
            || (seg[0] & 0xffc0) == 0xfe80
        {
            return Some(if seg[0] == 0xfd00 && seg[1] == 0x0ec2 {
                95
            } else {
                85
            });
        }
        return None;
    }
    match host {
        "metadata.google.internal"
        | "metadata"
        | "metadata.azure.com"
        | "instance-data"
        | "instance-data.ec2.internal" => return Some(95),
        "localhost" | "localhost.localdomain" | "ip6-localhost" | "ip6-loopback" => {
            return Some(85)
        }
        _ => {}
    }
    if host.ends_with(".localhost") || host.ends_with(".internal") {
        return Some(70);
    }
    // DNS names that resolve to loopback by design (nip.io style with an internal address).
    if host.ends_with(".nip.io") || host.ends_with(".sslip.io") || host.ends_with(".xip.io") {
        let stem = host.rsplitn(3, '.').nth(2).unwrap_or("");
        let tail: Vec<&str> = stem.rsplit(['.', '-']).take(4).collect();
        if tail.len() == 4 {
            let joined = format!("{}.{}.{}.{}", tail[3], tail[2], tail[1], tail[0]);
            if let Some(ip) = ipv4(&joined) {
                return internal_v4(ip);
            }
        }
    }
    if host
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b'x')
    {
        return ipv4(host).and_then(internal_v4);
    }
    None
}

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(COLON) || !super::normalize::has_str(&n.lower, "://") {
        return None;
    }
    let mut best: Option<Hit> = None;
    for c in URL.captures_iter(&n.lower) {
        let scheme = c.get(1).map_or("", |m| m.as_str());
        let auth = c.get(2).map_or("", |m| m.as_str());
        let hostport = auth.rsplit('@').next().unwrap_or(auth);
        let host = if hostport.starts_with('[') {
            hostport.split_inclusive(']').next().unwrap_or(hostport)
        } else {
            hostport.split(':').next().unwrap_or(hostport)
        };
        let mut score = internal_host(host).unwrap_or(0);
        // Protocols that talk raw TCP to internal services are how SSRF reaches Redis or SMTP.
        if matches!(scheme, "gopher" | "dict") {
            score = score.max(80);
        }
        let m = c.get(0).expect("group 0 always matches");
        // A URL inside a sentence is a mention; a parameter that is a URL is fetched.
        let whole = n.lower[..m.start()].trim().is_empty();
        if !whole {
            score = if score >= 95 { 70 } else { score.min(50) };
        }
        if score > 0 && best.is_none_or(|b| score > b.score) {
            best = Some(Hit::new(score, m.start(), m.end()));
        }
    }
    best
}
