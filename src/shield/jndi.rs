//! Log4j-style lookups: `${jndi:ldap://...}` and its obfuscations (`${${lower:j}ndi:`,
//! `${${::-j}${::-n}di:`, `${env:X:-j}`). Nested lookups are collapsed innermost first, each to the
//! text it would produce, a bounded number of times, then the result is searched for `${jndi:`.

use super::normalize::{Norm, DOLLAR};
use super::Hit;

/// Collapse rounds: each removes one nesting level; real obfuscations use two or three.
const ROUNDS: usize = 8;

/// Replaces every innermost `${...}` that is not itself a `jndi:` lookup by what it evaluates to.
fn collapse(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
            // Innermost: no `${` before the closing brace.
            let body_start = i + 2;
            if let Some(close) = s[body_start..].find('}') {
                let body = &s[body_start..body_start + close];
                if !super::normalize::has_str(body, "${") && !body.starts_with("jndi:") {
                    out.push_str(&evaluate(body));
                    i = body_start + close + 1;
                    changed = true;
                    continue;
                }
            }
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    changed.then_some(out)
}

/// What a lookup prints: the default after `:-`, the argument of `lower:`/`upper:`, a quoted date
/// pattern literal, otherwise nothing.
fn evaluate(body: &str) -> String {
    if let Some(i) = body.find(":-") {
        return body[i + 2..].to_owned();
    }
    if let Some(rest) = body
        .strip_prefix("lower:")
        .or_else(|| body.strip_prefix("upper:"))
    {
        return rest.to_owned();
    }
    if let Some(rest) = body.strip_prefix("date:") {
        return rest.trim_matches('\'').to_owned();
    }
    String::new()
}

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(DOLLAR) {
        return None;
    }
    let s: &str = &n.lower;
    let start = s.find("${")?;
    if let Some(i) = s.find("${jndi:") {
        return Some(Hit::new(95, i, i + 7));
    }
    let mut cur = s.to_owned();
    for _ in 0..ROUNDS {
        if super::normalize::has_str(&cur, "${jndi:") {
            return Some(Hit::new(95, start, (start + 16).min(s.len())));
        }
        match collapse(&cur) {
            Some(next) => cur = next,
            None => break,
        }
    }
    if super::normalize::has_str(&cur, "${jndi:") {
        return Some(Hit::new(95, start, (start + 16).min(s.len())));
    }
    // Lookups that leak secrets without JNDI (`${env:AWS_SECRET_ACCESS_KEY}`) in a value that
    // reaches a Log4j 2 logger.
    for probe in [
        "${env:",
        "${sys:",
        "${ctx:",
        "${main:",
        "${bundle:",
        "${java:",
        "${docker:",
        "${k8s:",
        "${spring:",
    ] {
        if let Some(i) = s.find(probe) {
            return Some(Hit::new(70, i, i + probe.len()));
        }
    }
    None
}
