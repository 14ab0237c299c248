//! Path traversal and local file inclusion: `../` and `..\` in any encoding (decoded by
//! [`super::normalize`]), and names of files an application never serves (`/etc/passwd`, `win.ini`,
//! `/proc/self/environ`) or stream wrappers that read them (`php://filter`, `file://`).

use super::normalize::{Norm, COLON, SLASH};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

static SENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[/\\=:\s])(?:etc[/\\]+(?:passwd|shadow|group|hosts|issue|motd|crontab|sudoers|hostname|mysql|apache2|nginx|httpd|ssh)|proc[/\\]+(?:self|\d+)[/\\]|boot\.ini|win\.ini|system\.ini|windows[/\\]+(?:system32|win\.ini|system\.ini|repair|panther|debug)|winnt[/\\]|inetpub[/\\]|system32[/\\]|var[/\\]+(?:log|www|lib|run|mail|spool)[/\\]|\.ssh[/\\]|id_[rd]sa|\.htpasswd|\.htaccess|web\.config|wp-config\.php|\.bash_history|\.git[/\\]+(?:config|head)|usr[/\\]+local[/\\]|\.aws[/\\]+credentials|localstart\.asp)",
    )
    .expect("traversal file pattern compiles")
});

static WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:php|zip|phar|expect|glob|compress\.zlib|compress\.bzip2|ogg|rar|ssh2\.\w+)://|\bfile:(?://|[/\\])|\bdata://")
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
        let before_ok = at == 0 || matches!(s[at - 1], b'/' | b'\\' | b'=' | b' ' | b':' | b'\'' | b'"' | b'|' | b'>');
        let after = s.get(end).copied();
        let after_ok = matches!(after, Some(b'/' | b'\\' | b';')) || (after.is_none() && at > 0 && matches!(s[at - 1], b'/' | b'\\'));
        if before_ok && after_ok {
            count += 1;
            first.get_or_insert(at);
        }
        i = end;
    }
    (count, first)
}

pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    if !n.has(SLASH | COLON) && !n.lower.contains("..") {
        return None;
    }
    let s = n.lower.as_bytes();
    let mut best: Option<Hit> = None;
    let mut take = |score: u32, start: usize, end: usize| {
        if best.map_or(true, |b| score > b.score) {
            best = Some(Hit::new(score, start, end));
        }
    };
    let (steps, first) = dotdot(s);
    if let Some(at) = first {
        // One step at the start of the value (`..\secret`) or several anywhere is a traversal; a
        // single `../` inside a sentence is how people write relative paths.
        let lead = s[..at].iter().all(|&b| matches!(b, b'/' | b'\\' | b'.' | b' '));
        let score = if steps >= 2 || lead { 90 } else { 50 };
        take(score, at, (at + 3).min(s.len()));
    }
    if n.has(SLASH) {
        if let Some(m) = SENSITIVE.find(&n.lower) {
            let starts_path = s.first().is_some_and(|&b| matches!(b, b'/' | b'\\' | b'c' | b'.'));
            let score = if steps > 0 { 95 } else if starts_path { 80 } else { 55 };
            take(score, m.start(), m.end());
        }
    }
    if n.has(COLON) {
        if let Some(m) = WRAPPER.find(&n.lower) {
            take(if m.start() == 0 { 85 } else { 65 }, m.start(), m.end());
        }
    }
    best
}

/// The request path itself: a traversal that survived the client (raw or encoded) is never a link
/// a browser produced, since browsers resolve `..` before sending.
pub(crate) fn detect_path(n: &Norm) -> Option<Hit> {
    let s = n.lower.as_bytes();
    let (steps, first) = dotdot(s);
    let mut best = first.map(|at| Hit::new(if steps > 0 { 85 } else { 0 }, at, (at + 3).min(s.len())));
    if let Some(m) = SENSITIVE.find(&n.lower) {
        let score = if steps > 0 { 95 } else { 70 };
        if best.map_or(true, |b| score > b.score) {
            best = Some(Hit::new(score, m.start(), m.end()));
        }
    }
    best
}
