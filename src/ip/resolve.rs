//! Finding the client address of a request.

use std::net::IpAddr;

use super::{cidr::CidrSet, parse::is_public, parse::parse_addr, MAX_CHAIN, MAX_HEADER_BYTES};
use crate::config::{ConfigError, ConfigErrorKind, Obj};

/// Default IPv6 key prefix: most ISPs delegate a /56 to a subscriber (RIPE-690), so anything longer
/// lets one subscriber rotate through 256 or more keys.
pub const DEFAULT_V6_PREFIX: u8 = 56;

/// Hosting platforms whose edge sets a client-address header and whose proxy hops can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Cloudflare: `CF-Connecting-IP`, and Cloudflare's published ranges as trusted hops.
    Cloudflare,
    /// Vercel: `X-Real-IP` (Vercel overwrites it and `X-Forwarded-For` at its edge).
    Vercel,
    /// Fly.io: `Fly-Client-IP`.
    Fly,
    /// Render: Cloudflare in front of a private proxy, so Cloudflare's ranges are trusted hops.
    Render,
}

impl Platform {
    const NAMES: [&'static str; 4] = ["cloudflare", "vercel", "fly", "render"];

    fn parse(s: &str) -> Option<Self> {
        match s {
            "cloudflare" => Some(Self::Cloudflare),
            "vercel" => Some(Self::Vercel),
            "fly" | "fly-io" => Some(Self::Fly),
            "render" => Some(Self::Render),
            _ => None,
        }
    }

    fn header(self) -> Option<&'static str> {
        match self {
            Self::Cloudflare => Some("cf-connecting-ip"),
            Self::Vercel => Some("x-real-ip"),
            Self::Fly => Some("fly-client-ip"),
            Self::Render => None,
        }
    }

    fn ranges(self) -> CidrSet {
        match self {
            Self::Cloudflare | Self::Render => {
                CidrSet::parse(CLOUDFLARE_RANGES.iter().copied(), "platform").unwrap_or_default()
            }
            Self::Vercel | Self::Fly => CidrSet::default(),
        }
    }
}

/// Cloudflare's published edge ranges (cloudflare.com/ips, as of 2026).
const CLOUDFLARE_RANGES: &[&str] = &[
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
    "2400:cb00::/32",
    "2606:4700::/32",
    "2803:f800::/32",
    "2405:b500::/32",
    "2405:8100::/32",
    "2a06:98c0::/29",
    "2c0f:f248::/32",
];

/// What to do when no client address can be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnknownClient {
    /// All unknown clients share one explicit rate-limit key (`unknown`).
    #[default]
    Shared,
    /// Rules keyed by IP deny the request.
    Deny,
    /// Rules keyed by IP are skipped for the request (reported as not run).
    Skip,
}

/// How to find the client address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpConfig {
    /// Proxies whose hops are trusted (their own entries are skipped when walking the chain).
    pub proxies: CidrSet,
    /// A hosting platform preset.
    pub platform: Option<Platform>,
    /// How many leading bits of an IPv6 address form its rate-limit key.
    pub v6_prefix: u8,
    /// Policy for requests whose client cannot be found.
    pub unknown: UnknownClient,
}

impl Default for IpConfig {
    fn default() -> Self {
        Self {
            proxies: CidrSet::default(),
            platform: None,
            v6_prefix: DEFAULT_V6_PREFIX,
            unknown: UnknownClient::Shared,
        }
    }
}

/// Where the client address was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The socket peer.
    Peer,
    /// `X-Forwarded-For`.
    ForwardedFor,
    /// RFC 7239 `Forwarded`.
    Forwarded,
    /// A platform header such as `CF-Connecting-IP`.
    Platform,
}

impl Source {
    /// A short name for decisions and logs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Peer => "peer",
            Self::ForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
            Self::Platform => "platform",
        }
    }
}

/// The client address of a request, or an explicit unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientIp {
    /// Found.
    Known {
        /// The address (canonical: mapped IPv6 is IPv4).
        ip: IpAddr,
        /// Where it came from.
        source: Source,
    },
    /// No address could be found; handled by [`UnknownClient`].
    Unknown,
}

impl IpConfig {
    /// Reads `proxies`, `platform`, `ipv6Prefix` and `unknownClient` from the root options.
    pub fn from_options(o: &Obj<'_>) -> Result<Self, ConfigError> {
        let mut cfg = Self::default();
        if let Some(list) = o.str_list("proxies", 1024)? {
            cfg.proxies = CidrSet::parse(list, &o.key_path("proxies"))?;
        }
        if let Some(name) = o.str("platform")? {
            let p = Platform::parse(name).ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Unknown,
                    o.key_path("platform"),
                    format!("{name:?}"),
                    format!("one of {}", Platform::NAMES.join(", ")),
                )
            })?;
            cfg.proxies.extend(&p.ranges());
            cfg.platform = Some(p);
        }
        if let Some(n) = o.u64_in("ipv6Prefix", 16, 128)? {
            cfg.v6_prefix = n as u8;
        }
        if let Some(u) = o.choice("unknownClient", &["SHARED", "DENY", "SKIP"])? {
            cfg.unknown = match u {
                "DENY" => UnknownClient::Deny,
                "SKIP" => UnknownClient::Skip,
                _ => UnknownClient::Shared,
            };
        }
        Ok(cfg)
    }

    /// Finds the client address from the socket peer (when the server could supply one) and the
    /// forwarding headers.
    ///
    /// - Peer known, and not a trusted proxy: the peer. Forwarding headers are ignored: anyone can
    ///   write them.
    /// - Peer known and trusted: walk the chain from the right, skipping trusted hops; the first
    ///   untrusted address is the client.
    /// - Peer unknown (plain `next start`): the rightmost public, untrusted address of the chain
    ///   (field case ip-010); failing that, the rightmost address at all; failing that, unknown.
    #[must_use]
    pub fn resolve(&self, peer: Option<IpAddr>, headers: &[(String, String)]) -> ClientIp {
        if let Some(p) = self.platform {
            let edge_reachable = peer.is_none_or(|ip| !is_public(ip) || self.proxies.contains(ip));
            if let (Some(name), true) = (p.header(), edge_reachable) {
                if let Some(ip) = last_header(headers, name)
                    .and_then(|v| parse_addr(v.rsplit(',').next().unwrap_or("")))
                {
                    return ClientIp::Known {
                        ip,
                        source: Source::Platform,
                    };
                }
            }
        }
        let (chain, source) = chain(headers);
        match peer {
            Some(p) if self.proxies.is_empty() || !self.proxies.contains(p) => ClientIp::Known {
                ip: p,
                source: Source::Peer,
            },
            Some(p) => {
                // Every hop trusted: the farthest one is the client, reported with where it came from.
                let mut farthest = (p, Source::Peer);
                for ip in chain.iter().rev().filter_map(|e| parse_addr(e)) {
                    if !self.proxies.contains(ip) {
                        return ClientIp::Known { ip, source };
                    }
                    farthest = (ip, source);
                }
                ClientIp::Known {
                    ip: farthest.0,
                    source: farthest.1,
                }
            }
            None => {
                let mut fallback = None;
                for ip in chain.iter().rev().filter_map(|e| parse_addr(e)) {
                    if self.proxies.contains(ip) {
                        continue;
                    }
                    if is_public(ip) {
                        return ClientIp::Known { ip, source };
                    }
                    fallback.get_or_insert(ip);
                }
                fallback.map_or(ClientIp::Unknown, |ip| ClientIp::Known { ip, source })
            }
        }
    }
}

fn last_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The right end of `s`, at most `MAX_HEADER_BYTES` long, cut at a comma so no entry is split.
fn right_end(s: &str) -> &str {
    if s.len() <= MAX_HEADER_BYTES {
        return s;
    }
    let mut start = s.len() - MAX_HEADER_BYTES;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    let tail = &s[start..];
    tail.find(',').map_or("", |i| &tail[i + 1..])
}

/// The forwarding chain, oldest hop first, at most `MAX_CHAIN` entries from the right. Every
/// `X-Forwarded-For` line counts, in order (field case ip-020). `Forwarded` is read only when no
/// `X-Forwarded-For` is present, because most proxies write only the latter and a client could
/// otherwise pick whichever header its proxy does not overwrite.
fn chain(headers: &[(String, String)]) -> (Vec<&str>, Source) {
    let mut out: Vec<&str> = Vec::new();
    for (_, v) in headers
        .iter()
        .rev()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-forwarded-for"))
    {
        for e in right_end(v).rsplit(',') {
            if out.len() == MAX_CHAIN {
                break;
            }
            out.push(e.trim());
        }
    }
    if !out.is_empty() {
        out.reverse();
        return (out, Source::ForwardedFor);
    }
    for (_, v) in headers
        .iter()
        .rev()
        .filter(|(n, _)| n.eq_ignore_ascii_case("forwarded"))
    {
        for element in right_end(v).rsplit(',') {
            if out.len() == MAX_CHAIN {
                break;
            }
            let for_value = element.split(';').find_map(|pair| {
                let (k, val) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| val.trim())
            });
            // An element without `for=` is still a hop; an empty entry parses to nothing.
            out.push(for_value.unwrap_or(""));
        }
    }
    out.reverse();
    (out, Source::Forwarded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    fn client(cfg: &IpConfig, peer: Option<&str>, headers: &[(&str, &str)]) -> String {
        match cfg.resolve(peer.and_then(parse_addr), &h(headers)) {
            ClientIp::Known { ip, .. } => ip.to_string(),
            ClientIp::Unknown => "unknown".to_owned(),
        }
    }

    #[test]
    fn regression_ip_010_rightmost_public_entry_without_trusted_proxies() {
        let cfg = IpConfig::default();
        for xff in [
            "1.1.1.1, 2.2.2.2, 3.3.3.3",
            "1.1.1.1, 2.2.2.2, 3.3.3.3, unknown",
            "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1",
        ] {
            assert_eq!(
                client(&cfg, None, &[("X-Forwarded-For", xff)]),
                "3.3.3.3",
                "{xff}"
            );
        }
    }

    #[test]
    fn regression_ip_020_repeated_header_lines_form_one_list_in_order() {
        let cfg = IpConfig::default();
        let headers = [
            ("X-Forwarded-For", "1.1.1.1"),
            ("x-forwarded-for", "2.2.2.2, 3.3.3.3"),
        ];
        assert_eq!(client(&cfg, None, &headers), "3.3.3.3");
        let proxies = IpConfig {
            proxies: CidrSet::parse(["3.3.3.3", "2.2.2.2"], "p").unwrap(),
            ..IpConfig::default()
        };
        assert_eq!(
            client(&proxies, None, &headers),
            "1.1.1.1",
            "the first line is read after the second"
        );
    }

    #[test]
    fn regression_ip_030_forwarded_header_syntax() {
        let cfg = IpConfig::default();
        assert_eq!(
            client(
                &cfg,
                None,
                &[("Forwarded", "for=1.1.1.1;proto=http;by=2.2.2.2")]
            ),
            "1.1.1.1"
        );
        assert_eq!(
            client(
                &cfg,
                None,
                &[("Forwarded", "for=\"[2606:4700::1111]:4711\"")]
            ),
            "2606:4700::1111"
        );
        assert_eq!(
            client(&cfg, None, &[("Forwarded", "for=1.1.1.1, for=3.3.3.3")]),
            "3.3.3.3"
        );
        assert_eq!(
            client(&cfg, None, &[("Forwarded", "For=\"1.1.1.1:80\"")]),
            "1.1.1.1"
        );
    }

    #[test]
    fn regression_ip_050_no_headers_and_no_peer_is_an_explicit_unknown() {
        let cfg = IpConfig::default();
        assert_eq!(cfg.resolve(None, &[]), ClientIp::Unknown);
        assert_eq!(
            cfg.resolve(None, &h(&[("X-Forwarded-For", "unknown, , garbage")])),
            ClientIp::Unknown
        );
    }

    #[test]
    fn regression_xff_ignored_when_the_peer_is_known_and_no_proxy_is_trusted() {
        let cfg = IpConfig::default();
        assert_eq!(
            client(&cfg, Some("203.0.113.9"), &[("X-Forwarded-For", "1.1.1.1")]),
            "203.0.113.9"
        );
    }

    #[test]
    fn trusted_peer_walks_the_chain_skipping_trusted_hops() {
        let cfg = IpConfig {
            proxies: CidrSet::parse(["10.0.0.0/8"], "p").unwrap(),
            ..IpConfig::default()
        };
        let xff = [("X-Forwarded-For", "6.6.6.6, 5.5.5.5, 10.0.0.2")];
        assert_eq!(
            client(&cfg, Some("10.0.0.1"), &xff),
            "5.5.5.5",
            "the leftmost entry is the client's own claim"
        );
        assert_eq!(
            client(&cfg, Some("9.9.9.9"), &xff),
            "9.9.9.9",
            "an untrusted peer is the client"
        );
        assert_eq!(
            client(&cfg, Some("10.0.0.1"), &[("X-Forwarded-For", "10.0.0.3")]),
            "10.0.0.3"
        );
    }

    #[test]
    fn when_every_hop_is_trusted_the_farthest_is_reported_with_its_source() {
        let cfg = IpConfig {
            proxies: CidrSet::parse(["0.0.0.0/0"], "p").unwrap(),
            ..IpConfig::default()
        };
        let got = cfg.resolve(
            parse_addr("10.0.0.1"),
            &h(&[("X-Forwarded-For", "1.2.3.4, 5.6.7.8")]),
        );
        assert_eq!(
            got,
            ClientIp::Known {
                ip: parse_addr("1.2.3.4").unwrap(),
                source: Source::ForwardedFor
            }
        );
        let alone = cfg.resolve(parse_addr("10.0.0.1"), &[]);
        assert_eq!(
            alone,
            ClientIp::Known {
                ip: parse_addr("10.0.0.1").unwrap(),
                source: Source::Peer
            }
        );
    }

    #[test]
    fn cloudflare_header_is_read_only_when_the_edge_could_have_set_it() {
        let cfg = IpConfig {
            platform: Some(Platform::Cloudflare),
            proxies: Platform::Cloudflare.ranges(),
            ..IpConfig::default()
        };
        assert_eq!(
            client(&cfg, Some("104.16.0.1"), &[("CF-Connecting-IP", "8.8.8.8")]),
            "8.8.8.8"
        );
        assert_eq!(
            client(&cfg, Some("9.9.9.9"), &[("CF-Connecting-IP", "8.8.8.8")]),
            "9.9.9.9"
        );
    }

    #[test]
    fn huge_and_hostile_forwarding_headers_yield_a_verdict() {
        let cfg = IpConfig::default();
        let long = format!("{}, 4.4.4.4", "1.1.1.1, ".repeat(200_000));
        assert_eq!(client(&cfg, None, &[("X-Forwarded-For", &long)]), "4.4.4.4");
        let junk = "\u{0}\u{7f},,,;;==\"[".repeat(10_000);
        let _ = client(
            &cfg,
            None,
            &[("X-Forwarded-For", &junk), ("Forwarded", &junk)],
        );
        let many: Vec<(&str, &str)> = (0..10_000)
            .map(|_| ("X-Forwarded-For", "10.0.0.1"))
            .collect();
        assert_eq!(client(&cfg, None, &many), "10.0.0.1");
    }
}
