//! XML external entities: a DTD that declares an entity with `SYSTEM` or `PUBLIC`, a parameter
//! entity, or an `XInclude`, anywhere an XML parser may read it (XML bodies and values).

use super::normalize::{Norm, ANGLE};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

static XXE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<!entity\s+(%\s+)?[^\s>]+\s+(system|public)(?-u:\b)|<!entity\s+%|<!doctype\s+[^\s>\[]+\s+(system)\s+["']|<!doctype[^>]{0,200}\[\s*<!entity|xmlns:xi\s*=\s*["']http://www\.w3\.org/2001/xinclude|<xi:include(?-u:\b)|<!entity\s+[^\s>]+\s+["']"#)
        .expect("xxe pattern compiles")
});

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(ANGLE) {
        return None;
    }
    let c = XXE.captures(&n.lower)?;
    let m = c.get(0)?;
    let score = if c.get(2).is_some() || c.get(1).is_some() || m.as_str().contains("xi") {
        95
    } else {
        75
    };
    Some(Hit::new(score, m.start(), m.end()))
}
