//! Cross-site scripting: markup that a browser would run, read the way an HTML parser reads it.
//!
//! A tag only counts when it can execute or load something: script-capable elements (`script`,
//! `iframe`, `svg`, `object`, ...), any element with an event-handler attribute, or a URL attribute
//! with a `javascript:`/`vbscript:`/`data:text/html` scheme. Angle brackets around a word
//! (`<Daten>`, `<b>`) are text. Outside tags, a quote or bracket that breaks out of an attribute or
//! script string followed by a handler or a script call is the other classic shape.

use super::normalize::{has_str, Norm, ANGLE, BACKTICK, BRACE, CHAIN, COLON, EQUALS, PAREN, QUOTE};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

/// Elements that run script or load active content by themselves.
static DANGEROUS_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<[\s/?]*(script|iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|import|isindex|xml|xss|html|body|form|template|portal|animate|set|handler|listener|layer|ilayer|bgsound|vmlframe|xsl|xmp|plaintext)(?-u:\b)|\+adw-\s*/?\s*(script|img|svg|iframe)|\xbc\s*/?\s*(script|img|svg|iframe)",
    )
    .expect("xss tag pattern compiles")
});

/// Any tag with an event handler attribute, or an attribute whose value is a script URL.
static TAG_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<[a-z!/?][^>]*?[\s"'/`]on[a-z]{3,40}\s*="#).expect("xss handler pattern compiles")
});

static SCRIPT_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s=(`'\x22:,])(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|livescript|asfunction|mocha)\s*:|data\s*:\s*(?:text/html|image/svg|application/(?:x-)?(?:javascript|ecmascript))")
        .expect("xss url pattern compiles")
});

/// Breaking out of an attribute value into a new handler: `" onmouseover="alert(1)`.
static ATTR_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`][^"'`<>=]{0,20}?[\s/]on[a-z]{3,40}\s*="#)
        .expect("xss break pattern compiles")
});

/// Script sinks and exfiltration calls.
static SINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:alert|prompt|confirm|eval|settimeout|setinterval|fromcharcode|atob|execscript|msgbox)\s*(?:\(|`)|document\s*\.\s*(?:cookie|domain|write|location)|window\s*\.\s*(?:location|name)|\.innerhtml\s*=|(?-u:\b)expression\s*\(|top\s*\[|self\s*\[|constructor\s*\(")
        .expect("xss sink pattern compiles")
});

/// Script inside CSS: `expression(...)` (old IE), `-moz-binding`, `behavior: url(...)`.
static STYLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:style\s*=|[:;{]\s*[a-z-]*\s*:?)[^;{}]{0,60}?(?-u:\b)expression\s*\(|-moz-binding\s*:|(?-u:\b)behavior\s*:\s*url\s*\(")
        .expect("xss style pattern compiles")
});

/// Any tag-like construct with attributes (`<x y=...`), used to weigh a sink inside markup.
static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<[a-z][a-z0-9:-]*[\s/]+[^>]*=").expect("xss generic tag compiles")
});

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(ANGLE | QUOTE | PAREN | COLON | BACKTICK | EQUALS) {
        return None;
    }
    let s: &str = &n.lower;
    let sink_possible = n.words() & super::normalize::W_SINK != 0;
    // Without `<`, every shape needs `=` (attribute break, `style=`), `:` (script URLs, CSS), a
    // sink name, or CSS punctuation next to a CSS keyword.
    if !n.has(ANGLE | EQUALS | COLON)
        && !sink_possible
        && !(n.has(CHAIN | BRACE)
            && (has_str(s, "expression") || has_str(s, "binding") || has_str(s, "behavior")))
    {
        return None;
    }
    let mut best: Option<Hit> = None;
    let mut take = |score: u32, m: Option<regex::Match>| {
        if let Some(m) = m {
            if best.is_none_or(|b| score > b.score) {
                best = Some(Hit::new(score, m.start(), m.end()));
            }
        }
        best.is_some()
    };
    if n.has(ANGLE) {
        // Every tag counts, not only the first: `</style><script>` is a script tag.
        for m in DANGEROUS_TAG.find_iter(s) {
            let tag = m.as_str().trim_start_matches(|c: char| {
                c == '<' || c == '/' || c == '?' || c.is_whitespace()
            });
            let score = match tag {
                "script" | "iframe" | "svg" | "object" | "embed" | "applet" | "frameset"
                | "math" | "xss" | "vmlframe" => 90,
                // Frames load a page, not script: quoted markup in mail and docs names them.
                "frame" | "ilayer" | "layer" | "xmp" | "plaintext" | "link" | "html" | "body"
                | "form" | "template" | "set" | "animate" | "handler" | "listener" => 55,
                _ => 75,
            };
            // A closing tag alone (`</style>`) runs nothing; only `</script>` ends a script context
            // that an injection can reopen. `<// style=...>` has attributes, so it is an opening tag.
            let after = &s[m.end()..];
            let attrs = after[..after.find('>').unwrap_or(after.len())].contains('=');
            let closing = m
                .as_str()
                .trim_start_matches('<')
                .trim_start()
                .starts_with('/')
                && !attrs;
            // `<?xml version="1.0"?>` declares a document; it is not an element. (`<?xml-stylesheet`
            // and `<?xml:namespace` load code in some browsers and keep their score.)
            let declaration = m.as_str().starts_with("<?")
                && tag == "xml"
                && s[m.end()..].trim_start().starts_with("version")
                && s[m.end()..].starts_with(|c: char| c.is_ascii_whitespace());
            let score = if (closing && tag != "script") || declaration {
                score.min(55)
            } else {
                score
            };
            let _ = take(score, Some(m));
            if score >= 90 {
                break;
            }
        }
        let _ = take(90, TAG_ATTR.find(s));
        if let Some(m) = ANY_TAG.find(s) {
            if SINK.is_match(&s[m.start()..]) || SCRIPT_URL.is_match(&s[m.start()..]) {
                let _ = take(85, Some(m));
            }
        }
    }
    // Bounded repetitions make these automata large: run them only when their keyword is there.
    let style_possible = super::normalize::has_str(s, "expression")
        || super::normalize::has_str(s, "binding")
        || super::normalize::has_str(s, "behavior");
    if let Some(m) = if style_possible { STYLE.find(s) } else { None } {
        let _ = take(80, Some(m));
    }
    if n.has(COLON) {
        if let Some(m) = SCRIPT_URL.find(s) {
            let t = m.as_str().trim_start();
            // A value that starts with a script URL is a link the app may render (`href`).
            let score = if m.start() == 0 || t.starts_with(['=', '(', '\'', '"', '`']) {
                85
            } else {
                65
            };
            let _ = take(score, Some(m));
        }
    }
    if n.has(QUOTE | BACKTICK) {
        if super::normalize::has_str(s, "on") {
            let _ = take(85, ATTR_BREAK.find(s));
        }
        // A quote that closes a script string followed by a call: `';alert(1)//`, `"-prompt(1)-"`.
        if let Some(m) = if sink_possible { SINK.find(s) } else { None } {
            let before = s[..m.start()].trim_end();
            let broke = before.ends_with([
                ';', '+', '-', '*', '|', '&', ',', '(', '{', '}', '=', '\'', '"', '`', ')',
            ]) && before.contains(['\'', '"', '`']);
            if broke {
                let _ = take(80, Some(m));
            }
        }
    }
    if n.has(PAREN | BACKTICK) && sink_possible && !take(0, None) {
        if let Some(m) = SINK.find(s) {
            // A bare call such as `alert(1)` is weak evidence: JavaScript in a value that is not
            // markup only runs where the app evaluates it.
            let whole = m.start() == 0 || s[..m.start()].trim_end().ends_with([';', '>', '{']);
            let _ = take(if whole { 65 } else { 45 }, Some(m));
        }
    }
    let _ = &mut take;
    best
}
