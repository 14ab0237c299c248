//! The engine's DNS settings, shared by every rule that looks something up (the email rule's MX
//! check; crawler verification by reverse DNS).

use std::net::SocketAddr;

use crate::config::{ConfigError, ConfigErrorKind, Obj};

/// Most name servers one engine may list.
pub const MAX_NAMESERVERS: usize = 8;

/// Where lookups go. Empty `nameservers` means the system's resolver configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsConfig {
    /// Name servers to ask, in order.
    pub nameservers: Vec<SocketAddr>,
}

impl DnsConfig {
    /// Reads the `dns` option `{ nameservers: ["127.0.0.1:5353", "1.1.1.1"] }` (port 53 when
    /// none is given).
    pub fn from_options(o: &Obj<'_>) -> Result<Self, ConfigError> {
        let Some(v) = o.get("dns") else {
            return Ok(Self::default());
        };
        let d = Obj::new(v, &o.key_path("dns"))?;
        d.only(&["nameservers"])?;
        let list = d
            .str_list("nameservers", MAX_NAMESERVERS)?
            .unwrap_or_default();
        let base = d.key_path("nameservers");
        let nameservers = list
            .iter()
            .enumerate()
            .map(|(i, s)| parse_nameserver(s, &format!("{base}[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { nameservers })
    }
}

/// Parses `ip`, `ip:port` or `[v6]:port`.
pub fn parse_nameserver(s: &str, path: &str) -> Result<SocketAddr, ConfigError> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(ConfigError::new(
        ConfigErrorKind::Type,
        path,
        format!("{s:?}"),
        "a name server address such as \"127.0.0.1:5353\", \"[::1]:53\" or \"1.1.1.1\"",
    ))
}
