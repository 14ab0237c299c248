//! Address syntax: splitting, local-part grammar, domain names through UTS #46, domain literals.

use std::net::{Ipv4Addr, Ipv6Addr};

use idna::uts46::{
    AsciiDenyList, DnsLength, ErrorPolicy, Hyphens, ProcessingError, ProcessingSuccess, Uts46,
};

use super::{Options, Reason};

/// The longest address accepted, in UTF-8 bytes. RFC 5321 §4.5.3.1.3: a path is at most 256
/// octets including the angle brackets.
pub const MAX_ADDRESS: usize = 254;
/// RFC 5321 §4.5.3.1.1.
const MAX_LOCAL: usize = 64;
/// RFC 1035 §2.3.4 (255 on the wire, which is 253 characters without the root label).
const MAX_DOMAIN: usize = 253;
/// RFC 1035 §2.3.4.
const MAX_LABEL: usize = 63;

/// Room for a domain that differs from how it was typed (upper case, Unicode): parsing borrows the
/// domain from the input when it is already in its final form and writes it here otherwise, so
/// that it never allocates for a domain name. Callers pass `None`; it is filled in only when used.
pub(crate) type Scratch = Option<[u8; MAX_DOMAIN]>;

/// Where mail for the address goes.
#[derive(Debug, Clone)]
pub(crate) enum Host<'a> {
    /// A domain name, ASCII (punycode) and lower-case.
    Name(&'a str),
    /// A domain literal, in canonical bracketed form.
    Literal(String),
}

impl Host<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Name(n) => n,
            Self::Literal(s) => s,
        }
    }
}

/// A syntactically valid address, borrowing its local part from the input.
#[derive(Debug, Clone)]
pub(crate) struct Parsed<'a> {
    pub(crate) local: &'a str,
    pub(crate) host: Host<'a>,
}

/// Parses `address` under `opts`, returning the first fault found.
pub(crate) fn parse<'a>(
    address: &'a str,
    opts: &Options,
    scratch: &'a mut Scratch,
) -> Result<Parsed<'a>, Reason> {
    if address.is_empty() {
        return Err(Reason::Empty);
    }
    // Checked before anything else so that every later scan is over at most 254 bytes.
    if address.len() > MAX_ADDRESS {
        return Err(Reason::TooLong);
    }
    // Control characters (CR, LF, NUL, ...) are never part of an address, not even quoted under
    // RFC 5321; U+FFFD is what a lone surrogate becomes on the way from JavaScript.
    let scan = swar::scan(address.as_bytes());
    let at = if scan.ascii {
        if scan.control {
            return Err(Reason::InvalidCharacter);
        }
        scan.at
    } else {
        if address.chars().any(is_forbidden_anywhere) {
            return Err(Reason::InvalidCharacter);
        }
        // `@` never occurs inside a multi-byte UTF-8 sequence: a byte search finds the character.
        address.bytes().rposition(|b| b == b'@')
    };
    let at = at.ok_or(Reason::MissingAt)?;
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
    check_local(local, opts, scan.ascii)?;
    let host = if domain.starts_with('[') {
        if !opts.allow_domain_literal {
            return Err(Reason::DomainLiteral);
        }
        Host::Literal(parse_literal(domain)?)
    } else if scan.ascii {
        Host::Name(normalize_ascii(domain, opts, scratch)?)
    } else {
        Host::Name(normalize_domain(domain, opts, scratch)?)
    };
    // Punycode can make a short Unicode domain long.
    if local.len() + 1 + host.as_str().len() > MAX_ADDRESS {
        return Err(Reason::TooLong);
    }
    Ok(Parsed { local, host })
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

/// RFC 5322 `atext`, ASCII part, as a table: one load per byte of a local part.
const ATEXT: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
            );
        i += 1;
    }
    t
};

/// `ascii` says that the caller has seen only ASCII in `local`.
fn check_local(local: &str, opts: &Options, ascii: bool) -> Result<(), Reason> {
    if local.starts_with('"') {
        if !opts.allow_quoted {
            return Err(Reason::QuotedLocalPart);
        }
        return check_quoted(local, opts);
    }
    if ascii || local.is_ascii() {
        // The common case in one pass: two dots in a row, or a byte that is neither `atext` nor a
        // dot; reported in the same order as below.
        let (mut double, mut bad, mut prev_dot) = (false, false, false);
        for &b in local.as_bytes() {
            let dot = b == b'.';
            double |= dot & prev_dot;
            // Bitwise on purpose: no branch per byte.
            bad |= !(dot | ATEXT[usize::from(b)]);
            prev_dot = dot;
        }
        return match (local.as_bytes().first(), prev_dot) {
            (Some(b'.'), _) => Err(Reason::LeadingDot),
            (_, true) => Err(Reason::TrailingDot),
            _ if double => Err(Reason::ConsecutiveDots),
            _ if bad => Err(Reason::InvalidCharacter),
            _ => Ok(()),
        };
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
            if c != '.' && !ATEXT[usize::from(c as u8)] {
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
pub(crate) fn normalize_domain<'a>(
    domain: &'a str,
    opts: &Options,
    scratch: &'a mut Scratch,
) -> Result<&'a str, Reason> {
    if domain.is_ascii() {
        normalize_ascii(domain, opts, scratch)
    } else {
        normalize_general(domain, opts, scratch)
    }
}

/// [`normalize_domain`] for a domain the caller knows to be ASCII.
fn normalize_ascii<'a>(
    domain: &'a str,
    opts: &Options,
    scratch: &'a mut Scratch,
) -> Result<&'a str, Reason> {
    let bytes = domain.as_bytes();
    if bytes.len() > MAX_ADDRESS {
        return normalize_general(domain, opts, scratch);
    }
    let checked = match swar::simple_domain(bytes) {
        Some(simple) => {
            // A simple domain has no faults but perhaps the TLD policy's: count its labels.
            let (labels, last) = match simple.last_dot {
                Some(dot) => (2, &bytes[dot + 1..]),
                None => (1, bytes),
            };
            Some(check_tld(labels, last, opts).map(|()| simple.upper))
        }
        None => ascii_domain(bytes, opts),
    };
    let Some(checked) = checked else {
        return normalize_general(domain, opts, scratch);
    };
    if !checked? {
        return Ok(domain);
    }
    let out = &mut scratch.insert([0; MAX_DOMAIN])[..domain.len()];
    out.copy_from_slice(domain.as_bytes());
    out.make_ascii_lowercase();
    // ASCII in, ASCII out: never the `Err` side.
    std::str::from_utf8(out).map_err(|_| Reason::InvalidCharacter)
}

/// Which bytes an ASCII domain may hold before UTS #46: letters, digits, `-` and `.`.
const DOMAIN_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
        i += 1;
    }
    t
};

/// The common case, an ASCII domain of at most 254 bytes, checked in two short passes without
/// copying it. Reports the same first fault as [`normalize_general`] (a test compares the two);
/// `Ok` says whether the domain has upper-case letters to lower. `None` for a domain with an
/// `xn--` label, which only UTS #46 can check.
fn ascii_domain(domain: &[u8], opts: &Options) -> Option<Result<bool, Reason>> {
    let (mut control, mut bad, mut double, mut upper, mut prev) = (false, false, false, false, 0u8);
    for &b in domain {
        control |= b < 0x20 || b == 0x7f;
        bad |= !DOMAIN_BYTE[usize::from(b)];
        double |= b == b'.' && prev == b'.';
        upper |= b.is_ascii_uppercase();
        prev = b;
    }
    let fault = if domain.is_empty() {
        Some(Reason::MissingDomain)
    } else if control {
        Some(Reason::InvalidCharacter)
    } else if domain[0] == b'.' {
        Some(Reason::LeadingDot)
    } else if prev == b'.' {
        Some(Reason::TrailingDot)
    } else if double {
        Some(Reason::ConsecutiveDots)
    } else if bad {
        Some(Reason::InvalidCharacter)
    } else {
        None
    };
    if let Some(reason) = fault {
        return Some(Err(reason));
    }
    let mut labels = 0usize;
    let mut last: &[u8] = b"";
    let mut label_fault = None;
    for label in domain.split(|&b| b == b'.') {
        if label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--") {
            return None;
        }
        if label_fault.is_none() {
            if label.len() > MAX_LABEL {
                label_fault = Some(Reason::LabelTooLong);
            } else if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
                label_fault = Some(Reason::HyphenAtLabelEdge);
            }
        }
        labels += 1;
        last = label;
    }
    if domain.len() > MAX_DOMAIN {
        return Some(Err(Reason::DomainTooLong));
    }
    if let Some(reason) = label_fault {
        return Some(Err(reason));
    }
    Some(check_tld(labels, last, opts).map(|()| upper))
}

/// Top-level domain policy, on the final ASCII labels.
fn check_tld(labels: usize, last: &[u8], opts: &Options) -> Result<(), Reason> {
    if opts.require_top_level_domain {
        if labels < 2 {
            return Err(Reason::MissingTld);
        }
        if last.len() < 2 || last.iter().all(u8::is_ascii_digit) {
            return Err(Reason::InvalidTld);
        }
    }
    Ok(())
}

/// Any domain, through UTS #46 when it holds non-ASCII characters or an `xn--` label.
fn normalize_general<'a>(
    domain: &'a str,
    opts: &Options,
    scratch: &'a mut Scratch,
) -> Result<&'a str, Reason> {
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
        uts46(domain, scratch)?
    } else if domain.len() > MAX_DOMAIN {
        // Lower-casing changes neither the dots nor the length checked below.
        return Err(Reason::DomainTooLong);
    } else {
        let out = &mut scratch.insert([0; MAX_DOMAIN])[..domain.len()];
        out.copy_from_slice(domain.as_bytes());
        out.make_ascii_lowercase();
        std::str::from_utf8(out).map_err(|_| Reason::InvalidCharacter)?
    };
    // UTS #46 deletes some code points (variation selectors) and maps full-width and ideographic
    // dots to `.`, so emptiness and the dot rules are checked again on its output.
    if ascii.is_empty() {
        return Err(Reason::MissingDomain);
    }
    check_dots(ascii)?;
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
    check_tld(labels, last, opts)?;
    // UTS #46 output is ASCII; anything else would be a bug in it, reported as a bad IDN.
    if !ascii.is_ascii() {
        return Err(Reason::InvalidIdn);
    }
    Ok(ascii)
}

/// UTS #46 `ToASCII` of `domain`, written straight into `scratch`: the same call as
/// `Uts46::to_ascii`, without its growing `String`. Output longer than the scratch is always a
/// fault, found again with the allocating call so that the reason is the one a long output gets.
///
/// The sink never fails: it drops what does not fit and remembers that it did. idna 1.1 turns a
/// sink error raised while it encodes punycode into `unreachable!()` (it takes every punycode
/// error for an arithmetic overflow), so a failing sink would panic on a long IDN label (found by
/// the `email` fuzz target; `tests/fixtures/fuzz/email/` replays it).
fn uts46<'a>(domain: &'a str, scratch: &'a mut Scratch) -> Result<&'a str, Reason> {
    struct Sink<'s> {
        buf: &'s mut [u8],
        len: usize,
        overflowed: bool,
    }
    impl std::fmt::Write for Sink<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            match self.buf.get_mut(self.len..end) {
                Some(out) if !self.overflowed => {
                    out.copy_from_slice(s.as_bytes());
                    self.len = end;
                }
                _ => self.overflowed = true,
            }
            Ok(())
        }
    }
    let buf: &'a mut [u8; MAX_DOMAIN] = scratch.insert([0; MAX_DOMAIN]);
    let mut sink = Sink {
        buf: &mut buf[..],
        len: 0,
        overflowed: false,
    };
    let processed = Uts46::new().process(
        domain.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::CheckFirstLast,
        ErrorPolicy::FailFast,
        |_, _, _| false,
        &mut sink,
        None,
    );
    let (len, overflowed) = (sink.len, sink.overflowed);
    match processed {
        Err(ProcessingError::ValidityError) => Err(Reason::InvalidIdn),
        Ok(ProcessingSuccess::Passthrough) => Ok(domain),
        Ok(ProcessingSuccess::WroteToSink) if !overflowed => {
            let buf: &'a [u8; MAX_DOMAIN] = buf;
            std::str::from_utf8(&buf[..len]).map_err(|_| Reason::InvalidIdn)
        }
        // Too long for the scratch (or, unreachable with this sink, a sink error).
        Ok(ProcessingSuccess::WroteToSink) | Err(ProcessingError::SinkError) => {
            let long = Uts46::new()
                .to_ascii(
                    domain.as_bytes(),
                    AsciiDenyList::STD3,
                    Hyphens::CheckFirstLast,
                    DnsLength::Ignore,
                )
                .map_err(|_| Reason::InvalidIdn)?;
            check_dots(&long)?;
            Err(Reason::DomainTooLong)
        }
    }
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

/// Byte-parallel tests on eight ASCII bytes at a time, for the scans that every address goes
/// through. Each test sets the top bit of every matching byte of a word, exactly: with every byte
/// below 0x80 (the callers check that first), the additions never carry from one byte into the next.
mod swar {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;

    /// Bytes in `lo..=hi`, for `hi` below 0x80. Wrapping: [`scan`] also sees non-ASCII words,
    /// whose results it discards, and a byte of 0x80 or more may carry out of the top.
    const fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
        let at_least_lo = x.wrapping_add(ONES * (0x80 - lo as u64));
        let above_hi = x.wrapping_add(ONES * (0x7f - hi as u64));
        at_least_lo & !above_hi & HIGH
    }

    const fn eq(x: u64, c: u8) -> u64 {
        in_range(x, c, c)
    }

    /// Calls `f(offset, word)` for each word of `s`, little-endian, the last one padded with
    /// `a` (which no test matches except "letter", and no caller counts letters).
    #[allow(clippy::inline_always)] // Called with a closure per scan; forced inline so each scan is one loop.
    #[inline(always)]
    fn for_words(s: &[u8], mut f: impl FnMut(usize, u64)) {
        let mut rest = s;
        let mut base = 0;
        while let Some((w, tail)) = rest.split_first_chunk::<8>() {
            f(base, u64::from_le_bytes(*w));
            rest = tail;
            base += 8;
        }
        if !rest.is_empty() {
            // Shifted in byte by byte: a variable-length copy would be a `memcpy` call.
            let w = rest
                .iter()
                .rev()
                .fold(ONES * u64::from(b'a'), |w, &b| (w << 8) | u64::from(b));
            f(base, w);
        }
    }

    /// The byte a mask's highest set bit belongs to.
    fn last_byte(mask: u64) -> usize {
        (63 - mask.leading_zeros() as usize) / 8
    }

    /// What one pass over an address finds.
    pub(super) struct Scan {
        /// Every byte is ASCII. When not, the other fields mean nothing.
        pub(super) ascii: bool,
        /// A control character (below 0x20, or DEL).
        pub(super) control: bool,
        /// The last `@`.
        pub(super) at: Option<usize>,
    }

    pub(super) fn scan(s: &[u8]) -> Scan {
        let (mut high, mut control, mut at) = (0u64, 0u64, None);
        for_words(s, |base, w| {
            high |= w;
            control |= in_range(w, 0, 0x1f) | eq(w, 0x7f);
            let m = eq(w, b'@');
            if m != 0 {
                at = Some(base + last_byte(m));
            }
        });
        Scan {
            ascii: high & HIGH == 0,
            control: control != 0,
            at,
        }
    }

    /// Whether an ASCII domain has the shape nearly all do: at most 63 bytes (so no label can be
    /// too long), only letters, digits, `-` and `.`, and never two of `-`/`.` side by side or
    /// one at either end (so no empty label, no hyphen at a label edge and no `xn--` label).
    /// `Some(has upper case)` when it does; `None` sends it to the exact, byte-by-byte check.
    pub(super) fn simple_domain(s: &[u8]) -> Option<Simple> {
        let (&first, &last) = (s.first()?, s.last()?);
        if s.len() > super::MAX_LABEL || matches!(first, b'.' | b'-') || matches!(last, b'.' | b'-')
        {
            return None;
        }
        let (mut bad, mut upper, mut pairs, mut carry) = (0u64, 0u64, 0u64, 0u64);
        let mut last_dot = None;
        for_words(s, |base, w| {
            let up = in_range(w, b'A', b'Z');
            let dot = eq(w, b'.');
            let sep = dot | eq(w, b'-');
            let ok = up | in_range(w, b'a', b'z') | in_range(w, b'0', b'9') | sep;
            bad |= !ok & HIGH;
            upper |= up;
            // A separator whose previous byte is one too (across words through `carry`).
            pairs |= sep & ((sep << 8) | carry);
            carry = sep >> 56;
            if dot != 0 {
                last_dot = Some(base + last_byte(dot));
            }
        });
        (bad | pairs == 0).then_some(Simple {
            upper: upper != 0,
            last_dot,
        })
    }

    /// What [`simple_domain`] reports about a simple domain.
    pub(super) struct Simple {
        /// It has upper-case letters.
        pub(super) upper: bool,
        /// Where its last dot is (none for a single label).
        pub(super) last_dot: Option<usize>,
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn byte_tests_match_scalar_ones_on_every_ascii_byte() {
            for b in 0u8..0x80 {
                for pos in 0..8 {
                    let mut bytes = [b'a'; 8];
                    bytes[pos] = b;
                    let w = u64::from_le_bytes(bytes);
                    let bit = 1u64 << (pos * 8 + 7);
                    assert_eq!(in_range(w, b'A', b'Z') & bit != 0, b.is_ascii_uppercase());
                    assert_eq!(in_range(w, b'0', b'9') & bit != 0, b.is_ascii_digit());
                    assert_eq!(in_range(w, 0, 0x1f) & bit != 0, b < 0x20);
                    assert_eq!(eq(w, b'@') & bit != 0, b == b'@');
                }
            }
        }

        #[test]
        fn scan_finds_the_last_at_in_any_word() {
            for len in 1..40 {
                for at in 0..len {
                    let mut s = vec![b'x'; len];
                    s[at] = b'@';
                    if at > 2 {
                        s[at - 3] = b'@';
                    }
                    let r = scan(&s);
                    assert!(r.ascii && !r.control && r.at == Some(at), "{len} {at}");
                    s[len - 1 - at] = b'\x7f';
                    assert!(scan(&s).control);
                    s[at] = 0xc3;
                    assert!(!scan(&s).ascii);
                }
            }
            let r = scan(b"abc");
            assert!(r.ascii && !r.control && r.at.is_none());
        }

        #[test]
        fn simple_domains_are_recognised_and_everything_else_is_not() {
            let shape = |s: &[u8]| simple_domain(s).map(|d| (d.upper, d.last_dot));
            assert_eq!(shape(b"example.com"), Some((false, Some(7))));
            assert_eq!(shape(b"Mail.Example-Host.co.uk"), Some((true, Some(20))));
            assert_eq!(shape(b"a"), Some((false, None)));
            assert_eq!(shape(b"abcdefgh.ijklmnop.q"), Some((false, Some(17))));
            let long = [b'a'; 64];
            for bad in [
                &b""[..],
                b".a.com",
                b"a.com.",
                b"-a.com",
                b"a.com-",
                b"a..com",
                b"a.-b.com",
                b"a-.b.com",
                b"xn--a.com",
                b"abcdefg..com",
                b"abcdefg.-com",
                b"a_b.com",
                b"a b.com",
                b"a\x00b.com",
                b"a@b.com",
                &long,
            ] {
                assert!(
                    simple_domain(bad).is_none(),
                    "{}",
                    String::from_utf8_lossy(bad)
                );
            }
        }
    }
}
