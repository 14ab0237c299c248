//! Prototype pollution: keys that reach `Object.prototype` when a server merges request data into
//! an object (`__proto__`, `constructor[prototype]`, `constructor.prototype`).

use super::normalize::Norm;
use super::Hit;

fn find(s: &str) -> Option<(usize, usize, bool)> {
    if let Some(i) = s.find("__proto__") {
        return Some((i, i + 9, true));
    }
    let i = s.find("constructor")?;
    let rest = s[i + 11..].trim_start_matches(['[', '.', ']', '"', '\'', ' ']);
    rest.starts_with("prototype").then_some((
        i,
        i + 11 + (s.len() - i - 11 - rest.len()) + 9,
        false,
    ))
}

pub(crate) fn detect_key(n: &Norm) -> Option<Hit> {
    let (start, end, _) = find(&n.lower)?;
    Some(Hit::new(95, start, end))
}

/// In a value the same names only matter as a path (`__proto__.isAdmin`, `["__proto__"]`): a lone
/// word in prose is not a merge.
pub(crate) fn detect_value(n: &Norm) -> Option<Hit> {
    if !super::normalize::has_str(&n.lower, "__proto__")
        && !super::normalize::has_str(&n.lower, "prototype")
    {
        return None;
    }
    let (start, end, proto) = find(&n.lower)?;
    let s = n.lower.as_bytes();
    let next = s.get(end).copied();
    let prev = start.checked_sub(1).map(|p| s[p]);
    let pathy = matches!(next, Some(b'.' | b'[' | b'"' | b'\'' | b']' | b'='))
        || matches!(prev, Some(b'.' | b'[' | b'"' | b'\''));
    if pathy {
        Some(Hit::new(if proto { 80 } else { 75 }, start, end))
    } else {
        Some(Hit::new(45, start, end))
    }
}
