//! Server-side template injection: template delimiters (`{{ }}`, `${ }`, `#{ }`, `<%= %>`, `*{ }`,
//! `{% %}`) around arithmetic or object-graph walks (`__class__`, `constructor.constructor`,
//! `T(java.lang.Runtime)`). A placeholder such as `{{name}}` is text.

use super::normalize::{Norm, ANGLE, BRACE};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

static EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\{\{|\$\{|#\{|\*\{|@\{|~\{|<%=?|\{%|\{#|\[\[|\{php\}|\{\$)([^{}]{0,120}?)(?:\}\}|\}|%>|%\}|#\}|\]\]|\{/php\})")
        .expect("ssti pattern compiles")
});

static ARITH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*['\x22]?\d+['\x22]?\s*[*+/-]\s*['\x22]?\d+['\x22]?\s*$")
        .expect("ssti arithmetic compiles")
});

static DANGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"__(?:class|mro|subclasses|globals|builtins|import|init|base|bases|dict)__|(?-u:\b)constructor\s*\.\s*constructor|(?-u:\b)t\s*\(\s*java\.|java\.lang\.|runtime(?-u:\b)|getclass|forname|(?-u:\b)exec\s*\(|(?-u:\b)system\s*\(|(?-u:\b)popen|(?-u:\b)eval\s*\(|(?-u:\b)require\s*\(|process\.|(?-u:\b)config(?-u:\b)|(?-u:\b)self(?-u:\b)|(?-u:\b)request\.|(?-u:\b)lipsum(?-u:\b)|(?-u:\b)cycler(?-u:\b)|(?-u:\b)joiner(?-u:\b)|(?-u:\b)namespace(?-u:\b)|(?-u:\b)settings\.|freemarker|(?-u:\b)new\s*\(|(?-u:\b)objectconstructor|\.getruntime|(?-u:\b)file_get_contents|(?-u:\b)shell_exec|(?-u:\b)passthru|(?-u:\b)proc_open")
        .expect("ssti danger pattern compiles")
});

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(BRACE | ANGLE) && !super::normalize::has_str(&n.lower, "[[") {
        return None;
    }
    let mut best: Option<Hit> = None;
    for c in EXPR.captures_iter(&n.lower) {
        let m = c.get(0).expect("group 0 always matches");
        let inner = c.get(1).map_or("", |m| m.as_str());
        let score = if ARITH.is_match(inner) {
            90
        } else if DANGER.is_match(inner) {
            85
        } else {
            0
        };
        if score > 0 && best.is_none_or(|b| score > b.score) {
            best = Some(Hit::new(score, m.start(), m.end()));
        }
    }
    best
}
