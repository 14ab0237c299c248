//! Address syntax: splitting, local-part grammar, domain names through UTS #46, domain literals.

use std::net::{Ipv4Addr, Ipv6Addr};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use super::{Options, Reason};

/// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
pub(crate) const MAX_ADDRESS: usize = 254;
/// RFC 5321 §4.5.3.1.1.
const MAX_LOCAL: usize = 64;
/// RFC 1035 §2.3.4 (255 on the wire, which is 253 characters without the root label).
const MAX_DOMAIN: usize = 253;
/// RFC 1035 §2.3.4.
const MAX_LABEL: usize = 63;

/// Where mail for the address goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A domain name, ASCII (punycode) and lower-case.
    Name(String),
    /// A domain literal, in canonical bracketed form.
    Literal(String),
}

/// A syntactically valid address.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub(crate) local: String,
    pub(crate) host: Host,
    pub(crate) normalized: String,
}

/// Parses `address` under `opts`, returning the first fault found.
pub(crate) fn parse(address: &str, opts: &Options) -> Result<Parsed, Reason> {
    if address.is_empty() {
        return Err(Reason::Empty);
    }
    // Checked before anything else so that every later scan is over at most 254 bytes.
    if address.len() > MAX_ADDRESS {
        return Err(Reason::TooLong);
    }
    // Control characters (CR, LF, NUL, ...) are never part of an address, not even quoted under
    // RFC 5321; U+FFFD is what a lone surrogate becomes on the way from JavaScript.
    if address.chars().any(is_forbidden_anywhere) {
        return Err(Reason::InvalidCharacter);
    }
    let at = address.rfind('@').ok_or(Reason::MissingAt)?;
    let (local, domain) = (&address[..at], &address[at + 1..]);
    if local.is_empty() {
        return Err(Reason::MissingLocalPart);
    }
    if domain.is_empty() {
        return Err(Reason::MissingDomain);
    }
    if local.len() > MAX_LOCAL {
        return Err(Reason::LocalPartTooLong);
    }
    check_local(local, opts)?;
    let host = if domain.starts_with('[') {
        if !opts.allow_domain_literal {
            return Err(Reason::DomainLiteral);
        }
        Host::Literal(parse_literal(domain)?)
    } else {
        Host::Name(normalize_domain(domain, opts)?)
    };
    let host_text = match &host {
        Host::Name(s) | Host::Literal(s) => s.as_str(),
    };
    // Punycode can make a short Unicode domain long.
    if local.len() + 1 + host_text.len() > MAX_ADDRESS {
        return Err(Reason::TooLong);
    }
    let mut normalized = String::with_capacity(local.len() + 1 + host_text.len());
    normalized.push_str(local);
    normalized.push('@');
    normalized.push_str(host_text);
    Ok(Parsed {
        local: local.to_owned(),
        host,
        normalized,
    })
}

/// Characters rejected wherever they appear.
fn is_forbidden_anywhere(c: char) -> bool {
    c.is_control() || c == '\u{FFFD}'
}

/// Invisible or space-like code points that make two addresses look the same; never part of a
/// local part even when UTF-8 is allowed.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// RFC 5322 `atext`, ASCII part.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

fn check_local(local: &str, opts: &Options) -> Result<(), Reason> {
    if local.starts_with('"') {
        if !opts.allow_quoted {
            return Err(Reason::QuotedLocalPart);
        }
        return check_quoted(local, opts);
    }
    if local.starts_with('.') {
        return Err(Reason::LeadingDot);
    }
    if local.ends_with('.') {
        return Err(Reason::TrailingDot);
    }
    if has_double_dot(local) {
        return Err(Reason::ConsecutiveDots);
    }
    for c in local.chars() {
        if c.is_ascii() {
            if c != '.' && !is_atext(c as u8) {
                return Err(Reason::InvalidCharacter);
            }
        } else if is_invisible(c) {
            return Err(Reason::InvalidCharacter);
        } else if !opts.allow_utf8_local_part {
            return Err(Reason::NonAsciiLocalPart);
        }
    }
    Ok(())
}

/// RFC 5321 `Quoted-string` (no CR/LF folding), widened to UTF-8 by RFC 6531 when allowed.
fn check_quoted(local: &str, opts: &Options) -> Result<(), Reason> {
    let mut chars = local.chars().skip(1);
    loop {
        match chars.next() {
            None => return Err(Reason::UnclosedQuote),
            Some('"') => break,
            Some('\\') => match chars.next() {
                Some(' '..='~') => {}
                None => return Err(Reason::UnclosedQuote),
                Some(_) => return Err(Reason::InvalidCharacter),
            },
            Some(' '..='~') => {}
            Some(c) if !c.is_ascii() => {
                if is_invisible(c) && c != ' ' {
                    return Err(Reason::InvalidCharacter);
                }
                if !opts.allow_utf8_local_part {
                    return Err(Reason::NonAsciiLocalPart);
                }
            }
            Some(_) => return Err(Reason::InvalidCharacter),
        }
    }
    // Text after the closing quote (`"a"b@x`, `"a"."b"@x`) is the obsolete or broken form.
    if chars.next().is_some() {
        return Err(Reason::UnclosedQuote);
    }
    Ok(())
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3). General address literals (`[tag:...]`)
/// name no deliverable transport and are rejected.
fn parse_literal(domain: &str) -> Result<String, Reason> {
    let inner = domain
        .strip_prefix('[')
        .and_then(|d| d.strip_suffix(']'))
        .ok_or(Reason::InvalidDomainLiteral)?;
    if let Some(v6) = inner
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("IPv6:"))
        .map(|_| &inner[5..])
    {
        let ip: Ipv6Addr = v6.parse().map_err(|_| Reason::InvalidDomainLiteral)?;
        return Ok(format!("[IPv6:{ip}]"));
    }
    let ip: Ipv4Addr = inner.parse().map_err(|_| Reason::InvalidDomainLiteral)?;
    Ok(format!("[{ip}]"))
}

/// Turns a domain as typed into its lower-case ASCII form, checking every DNS and policy limit.
pub(crate) fn normalize_domain(domain: &str, opts: &Options) -> Result<String, Reason> {
    if domain.is_empty() {
        return Err(Reason::MissingDomain);
    }
    if domain.len() > MAX_ADDRESS || domain.chars().any(is_forbidden_anywhere) {
        return Err(if domain.len() > MAX_ADDRESS {
            Reason::TooLong
        } else {
            Reason::InvalidCharacter
        });
    }
    check_dots(domain)?;
    let mut needs_idna = false;
    for c in domain.chars() {
        if c.is_ascii() {
            if !(c.is_ascii_alphanumeric() || c == '-' || c == '.') {
                return Err(Reason::InvalidCharacter);
            }
        } else if is_invisible(c) {
            return Err(Reason::InvalidCharacter);
        } else {
            needs_idna = true;
        }
    }
    // An ASCII label starting `xn--` claims to be punycode: decode it to check that it really is.
    needs_idna = needs_idna
        || domain
            .as_bytes()
            .split(|&b| b == b'.')
            .any(|l| l.len() >= 4 && l[..4].eq_ignore_ascii_case(b"xn--"));
    let ascii = if needs_idna {
        Uts46::new()
            .to_ascii(
                domain.as_bytes(),
                AsciiDenyList::STD3,
                Hyphens::CheckFirstLast,
                DnsLength::Ignore,
            )
            .map_err(|_| Reason::InvalidIdn)?
            .into_owned()
    } else {
        domain.to_ascii_lowercase()
    };
    // UTS #46 deletes some code points (variation selectors) and maps full-width and ideographic
    // dots to `.`, so emptiness and the dot rules are checked again on its output.
    if ascii.is_empty() {
        return Err(Reason::MissingDomain);
    }
    check_dots(&ascii)?;
    if ascii.len() > MAX_DOMAIN {
        return Err(Reason::DomainTooLong);
    }
    let mut labels = 0usize;
    let mut last: &[u8] = b"";
    for label in ascii.as_bytes().split(|&b| b == b'.') {
        if label.len() > MAX_LABEL {
            return Err(Reason::LabelTooLong);
        }
        if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            return Err(Reason::HyphenAtLabelEdge);
        }
        labels += 1;
        last = label;
    }
    if opts.require_top_level_domain {
        if labels < 2 {
            return Err(Reason::MissingTld);
        }
        if last.len() < 2 || last.iter().all(u8::is_ascii_digit) {
            return Err(Reason::InvalidTld);
        }
    }
    Ok(ascii)
}

/// `s.contains("..")` without the general substring searcher, which costs more on short strings.
fn has_double_dot(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b"..")
}

fn check_dots(s: &str) -> Result<(), Reason> {
    if s.starts_with('.') {
        Err(Reason::LeadingDot)
    } else if s.ends_with('.') {
        // The root dot of an FQDN is not part of an address's domain (RFC 5321 §2.3.5).
        Err(Reason::TrailingDot)
    } else if has_double_dot(s) {
        Err(Reason::ConsecutiveDots)
    } else {
        Ok(())
    }
}
