//! Path traversal and local file inclusion: `../` and `..\` in any encoding (decoded by
//! [`super::normalize`]), and names of files an application never serves (`/etc/passwd`, `win.ini`,
//! `/proc/self/environ`) or stream wrappers that read them (`php://filter`, `file://`).

use super::normalize::{Norm, COLON, SLASH};
use super::{keep, Hit};
use regex::Regex;
use std::sync::LazyLock;

static SENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[/\\=:\s])(?:etc[/\\]+(?:passwd|shadow|group|hosts|issue|motd|crontab|sudoers|hostname|mysql|apache2|nginx|httpd|ssh)|proc[/\\]+(?:self|\d+)[/\\]|boot\.ini|win\.ini|system\.ini|windows[/\\]+(?:system32|win\.ini|system\.ini|repair|panther|debug)|winnt[/\\]|inetpub[/\\]|web-inf[/\\]+web\.xml|system32[/\\]|\.ssh[/\\]|id_[rd]sa|\.htpasswd|\.htaccess|web\.config|wp-config\.php|\.bash_history|\.git[/\\]+(?:config|head)|\.aws[/\\]+credentials|localstart\.asp)",
    )
    .expect("traversal file pattern compiles")
});

static WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:php|zip|phar|expect|glob|compress\.zlib|compress\.bzip2|ogg|rar|ssh2\.\w+)://|(?-u:\b)file:(?://|[/\\])|(?-u:\b)data://")
        .expect("traversal wrapper pattern compiles")
});

/// A `..` step between separators: `../`, `..\`, `/..` at the end, `....//` after filter stripping.
fn dotdot(s: &[u8]) -> (usize, Option<usize>) {
    let mut count = 0;
    let mut first = None;
    let mut i = 0;
    while let Some(off) = memchr::memmem::find(&s[i..], b"..") {
        let at = i + off;
        let mut end = at + 2;
        while end < s.len() && s[end] == b'.' {
            end += 1;
        }
        let before_ok = at == 0
            || matches!(
                s[at - 1],
                b'/' | b'\\' | b'=' | b' ' | b':' | b'\'' | b'"' | b'|' | b'>'
            );
        let after = s.get(end).copied();
        let after_ok = matches!(after, Some(b'/' | b'\\' | b';'))
            || (after.is_none() && at > 0 && matches!(s[at - 1], b'/' | b'\\'));
        if before_ok && after_ok {
            count += 1;
            first.get_or_insert(at);
        }
        i = end;
    }
    (count, first)
}

/// Fuzzers wrap `.` and `/` in encodings no server decodes the same way (`%c1%8s`, `%%32%%66`,
/// `0x2f`, five-byte overlong forms). The skeleton keeps letters, digits, dots, `-` and `_`, and
/// turns every other non-space character, and the residue of a broken escape, into `/`. Path
/// shapes (`../`, `/etc/passwd`) are then searched in the skeleton; spaces are kept so that prose
/// ellipses do not turn into path steps.
fn skeleton(lower: &str) -> String {
    let b = lower.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    let push_sep = |out: &mut String| {
        if !out.ends_with('/') {
            out.push('/');
        }
    };
    while i < b.len() {
        let c = b[i];
        if c == b'0' && b.get(i + 1) == Some(&b'x') {
            match b.get(i + 2..i + 4) {
                Some(b"2e") => {
                    out.push('.');
                    i += 4;
                    continue;
                }
                Some(b"2f" | b"5c") => {
                    push_sep(&mut out);
                    i += 4;
                    continue;
                }
                _ => {}
            }
        }
        if c == b'%' {
            // The residue of an escape that did not decode: `%c1%8s`, `%u2215`, `%bg%qf`.
            i += 1;
            if b.get(i) == Some(&b'u') {
                i += 1;
                let mut k = 0;
                while k < 4 && b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    i += 1;
                    k += 1;
                }
            } else {
                let mut k = 0;
                while k < 2 && b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    i += 1;
                    k += 1;
                }
            }
            push_sep(&mut out);
            continue;
        }
        match c {
            b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b' ' => out.push(c as char),
            0x80.. => {
                // Multi-byte characters (U+FFFD from broken UTF-8, look-alike slashes) separate.
                let ch = lower[i..].chars().next().unwrap_or('/');
                if ch.is_alphanumeric() {
                    out.push(ch);
                } else {
                    push_sep(&mut out);
                }
                i += ch.len_utf8();
                continue;
            }
            _ => push_sep(&mut out),
        }
        i += 1;
    }
    out
}

static SKELETON_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|/)(?:etc/(?:passwd|shadow|issue|hosts|group|motd|hostname|crontab)|boot\.ini|win\.ini|system\.ini|windows/system32|winnt/|web-inf/web\.xml|inetpub/wwwroot|proc/self/|system32/drivers)")
        .expect("traversal skeleton pattern compiles")
});

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(SLASH | COLON | super::normalize::PERCENT)
        && !super::normalize::has_str(&n.lower, "..")
        && !super::normalize::has_str(&n.lower, "0x")
    {
        return None;
    }
    let s = n.lower.as_bytes();
    let mut best: Option<Hit> = None;
    let (steps, first) = dotdot(s);
    if let Some(at) = first {
        // One step at the start of the value (`..\secret`) or several anywhere is a traversal; a
        // single `../` inside a sentence is how people write relative paths.
        let lead = s[..at]
            .iter()
            .all(|&b| matches!(b, b'/' | b'\\' | b'.' | b' '));
        let score = if steps >= 2 || lead { 90 } else { 50 };
        keep(&mut best, score, at, (at + 3).min(s.len()));
    }
    if n.has(SLASH) {
        if let Some(m) = SENSITIVE.find(&n.lower) {
            // The word holding the match is a path to the file: absolute, relative, on any drive
            // (`d:/inetpub/`), or the file's own path (`web-inf/web.xml`); `cat /root/.ssh/id_rsa`
            // names one after a command.
            let token = s[..m.start()]
                .iter()
                .rposition(u8::is_ascii_whitespace)
                .map_or(0, |i| i + 1);
            let t = &s[token..];
            let drive = t.len() > 2 && t[0].is_ascii_alphabetic() && t[1] == b':';
            // In a sentence a path is a mention (`any UID in /etc/passwd with ...`): only the first
            // two words count.
            let early = s[..token]
                .split(u8::is_ascii_whitespace)
                .filter(|w| !w.is_empty())
                .count()
                <= 1;
            let starts_path = early
                && (m.start() == token
                    || drive
                    || t.first()
                        .is_some_and(|&b| matches!(b, b'/' | b'\\' | b'.' | b'~')));
            let score = if steps > 0 {
                95
            } else if starts_path {
                80
            } else {
                55
            };
            keep(&mut best, score, m.start(), m.end());
        }
    }
    if n.has(COLON)
        && n.lower.contains(':')
        && (super::normalize::has_str(&n.lower, "://")
            || super::normalize::has_str(&n.lower, "file:"))
    {
        if let Some(m) = WRAPPER.find(&n.lower) {
            keep(
                &mut best,
                if m.start() == 0 { 85 } else { 55 },
                m.start(),
                m.end(),
            );
        }
    }
    // The skeleton pass is for fuzzer encodings: broken escapes, `0x2f`, dots, non-ASCII.
    let fuzzy = n.raw.contains(['%', '\\', '?'])
        || super::normalize::has_str(&n.lower, "..")
        || super::normalize::has_str(&n.lower, "0x")
        || !n.lower.is_ascii();
    if fuzzy && best.is_none_or(|b| b.score < 85) {
        let sk = skeleton(&n.lower);
        // Only exact `..` steps here: separators are guessed, and `[...]` or `...)` are prose.
        let steps = sk
            .split('/')
            .filter(|p| p.len() != 3 && p.len() >= 2 && p.bytes().all(|b| b == b'.'))
            .count();
        let lead = sk.trim_start_matches('/').starts_with("..");
        if steps >= 2 || (steps == 1 && lead) {
            keep(&mut best, 85, 0, s.len());
        }
        if let Some(m) = SKELETON_FILE.find(&sk) {
            let before = &sk[..m.start()];
            let pathy = before
                .bytes()
                .all(|c| matches!(c, b'/' | b'.' | b'c' | b'd' | b':' | b'?'))
                || steps > 0;
            keep(&mut best, if pathy { 85 } else { 55 }, 0, s.len());
        }
    }
    best
}

/// The request path itself: a traversal that survived the client (raw or encoded) is never a link
/// a browser produced, since browsers resolve `..` before sending.
pub(crate) fn detect_path(n: &Norm) -> Option<Hit> {
    let s = n.lower.as_bytes();
    let (steps, first) = dotdot(s);
    let mut best =
        first.map(|at| Hit::new(if steps > 0 { 85 } else { 0 }, at, (at + 3).min(s.len())));
    // A hidden file or folder (`/.env`, `/.git/config`, `/.cursor/mcp.json`): tools keep secrets
    // and configuration there, and a web app serves none of them (`/.well-known/` is the standard
    // exception).
    let mut at = 0;
    for seg in n.lower.split('/') {
        let hidden = seg.len() > 1
            && seg.starts_with('.')
            && seg.as_bytes()[1].is_ascii_alphanumeric()
            && seg != ".well-known";
        if hidden {
            if best.is_none_or(|b| b.score < 65) {
                best = Some(Hit::new(65, at, at + seg.len()));
            }
            break;
        }
        at += seg.len() + 1;
    }
    if let Some(m) = SENSITIVE.find(&n.lower) {
        let score = if steps > 0 { 95 } else { 70 };
        if best.is_none_or(|b| score > b.score) {
            best = Some(Hit::new(score, m.start(), m.end()));
        }
    }
    best
}
