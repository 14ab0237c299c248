//! `NoSQL` operator injection: MongoDB-style operators smuggled in as keys (`user[$ne]=x` in a query,
//! `{"$gt": ""}` in JSON) or as JSON text inside a value, and `$where` JavaScript.

use super::normalize::{Norm, DOLLAR};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

const OPERATORS: &[&str] = &[
    "ne",
    "eq",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "nin",
    "regex",
    "where",
    "exists",
    "or",
    "and",
    "not",
    "nor",
    "expr",
    "elemmatch",
    "size",
    "type",
    "all",
    "mod",
    "text",
    "jsonschema",
    "function",
    "accumulator",
    "lookup",
    "options",
];

static IN_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr|elemmatch|function|accumulator)["']?\s*:|\[\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|nor|not)\]|\$where(?-u:\b)|;\s*return\s+(?:true|1|this(?-u:\b))|\|\|\s*['"]?1['"]?\s*==\s*['"]?1|(?-u:\b)db\.[a-z_]+\.(?:find|insert|remove|drop|update)\s*\(|(?-u:\b)sleep\s*\(\s*\d{3,}"#)
        .expect("nosqli value pattern compiles")
});

/// A key: `$op`, `name[$op]`, `name.$op`.
pub(crate) fn detect_key(n: &Norm) -> Option<Hit> {
    if !n.has(DOLLAR) {
        return None;
    }
    let s: &str = &n.lower;
    let mut i = 0;
    while let Some(off) = s[i..].find('$') {
        let at = i + off;
        let boundary = at == 0 || matches!(s.as_bytes()[at - 1], b'[' | b'.');
        let word: String = s[at + 1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if boundary && !word.is_empty() {
            let score = if OPERATORS.contains(&word.as_str()) {
                90
            } else {
                60
            };
            return Some(Hit::new(score, at, at + 1 + word.len()));
        }
        i = at + 1;
    }
    None
}

pub(crate) fn detect_value(n: &Norm) -> Option<Hit> {
    if !n.has(DOLLAR)
        && !super::normalize::has_str(&n.lower, "return")
        && !super::normalize::has_str(&n.lower, "db.")
        && !super::normalize::has_str(&n.lower, "||")
    {
        return None;
    }
    IN_VALUE
        .find(&n.lower)
        .map(|m| Hit::new(80, m.start(), m.end()))
}
