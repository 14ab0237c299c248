//! The socket peer address, passed from palisade's server entry to the request handlers.
//!
//! In Next.js 16 app code never sees the TCP peer: `next start` only fills `x-forwarded-for` when
//! the client sent none, so a client can always choose its own. palisade's server entry (which runs
//! Next.js in the same process) stamps every request with `x-palisade-peer: <token> <address>`,
//! replacing any client-sent value. The token is random, issued once per process and known only to
//! this addon; a stamp with the wrong token (a client forging the header, or an app started with
//! plain `next start`, where no token was ever issued) is ignored.

use std::net::IpAddr;
use std::sync::OnceLock;

use super::parse::parse_addr;

/// The request header that carries the stamp.
pub const PEER_HEADER: &str = "x-palisade-peer";

static TOKEN: OnceLock<String> = OnceLock::new();

/// Issues (once) and returns this process's stamp token.
pub fn issue_peer_token() -> &'static str {
    TOKEN.get_or_init(|| {
        // 128 bits from two independently seeded hashers: not predictable from outside the process.
        let a = ahash::RandomState::new().hash_one(0x5eed_u64);
        let b = ahash::RandomState::new().hash_one(std::time::SystemTime::now());
        format!("{a:016x}{b:016x}")
    })
}

/// Reads a stamp. `None` unless a token was issued in this process and the stamp carries it.
#[must_use]
pub fn verify_peer_stamp(value: &str) -> Option<IpAddr> {
    let token = TOKEN.get()?;
    let (given, addr) = value.trim().split_once(' ')?;
    if given.len() != token.len() {
        return None;
    }
    // Compare without an early exit so that timing does not reveal a prefix.
    let diff = given.bytes().zip(token.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    if diff != 0 {
        return None;
    }
    parse_addr(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stamps_with_this_process_token_are_read() {
        assert_eq!(verify_peer_stamp("0000 1.2.3.4"), None);
        let t = issue_peer_token();
        assert_eq!(issue_peer_token(), t, "one token per process");
        assert_eq!(verify_peer_stamp(&format!("{t} 1.2.3.4")).unwrap().to_string(), "1.2.3.4");
        assert_eq!(verify_peer_stamp(&format!("{t} ::ffff:127.0.0.1")).unwrap().to_string(), "127.0.0.1");
        let mut forged = t.to_owned();
        forged.replace_range(0..1, if t.starts_with('0') { "1" } else { "0" });
        assert_eq!(verify_peer_stamp(&format!("{forged} 1.2.3.4")), None);
        assert_eq!(verify_peer_stamp("1.2.3.4"), None);
    }
}
