//! CRLF injection: a line break in a value that ends up in a response header, followed by text
//! shaped like a header (`Set-Cookie:`, `Location:`) or by a blank line and a body. Only applied to
//! single-line parts (path, query, cookies, headers); body fields hold newlines legitimately.

use super::normalize::{Norm, CONTROL};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

static HEADER_AFTER_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\r\n\u{560a}\u{560d}][\t ]*([a-z][a-z0-9-]{1,40})[\t ]*:|(?:\r?\n){2}\s*<|\r\n\r\n",
    )
    .expect("crlf pattern compiles")
});

const KNOWN: &[&str] = &[
    "set-cookie",
    "location",
    "content-type",
    "content-length",
    "refresh",
    "x-xss-protection",
    "access-control-allow-origin",
    "content-security-policy",
    "cache-control",
    "link",
    "host",
    "cookie",
    "transfer-encoding",
    "connection",
];

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(CONTROL) && !n.text.contains(['\u{560a}', '\u{560d}']) {
        return None;
    }
    let c = HEADER_AFTER_BREAK.captures(&n.lower)?;
    let m = c.get(0)?;
    let score = match c.get(1) {
        Some(name) if KNOWN.contains(&name.as_str()) || name.as_str().starts_with("x-") => 90,
        Some(_) => 65,
        None => 80,
    };
    Some(Hit::new(score, m.start(), m.end()))
}
