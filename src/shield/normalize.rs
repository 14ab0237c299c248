//! Normalization: turns a raw value into the text detectors read.
//!
//! Attackers hide payloads behind encodings that the application (or the browser) undoes later, so
//! every value is decoded the way a lenient consumer would: percent escapes (up to
//! [`DECODE_PASSES`] times, including `%uXXXX` and overlong UTF-8 forms of `.`, `/` and `\`), HTML
//! character references, JavaScript escapes (`\x3c`, `\u003c`, `\u{3c}`), fullwidth ASCII forms, and
//! null bytes. Each pass is one linear scan; a pass runs only when its trigger byte is present, so a
//! clean value costs one table lookup per byte.

use std::borrow::Cow;

/// How many rounds of decoding are applied (double and triple encoding are common evasions; more
/// rounds than that find nothing new in practice and each costs a scan).
pub const DECODE_PASSES: usize = 3;

/// Byte-class bits of [`Norm::mask`].
pub const QUOTE: u32 = 1;
/// `<` or `>`.
pub const ANGLE: u32 = 1 << 1;
/// `(` or `)`.
pub const PAREN: u32 = 1 << 2;
/// `;`, `|` or `&`.
pub const CHAIN: u32 = 1 << 3;
/// `$`.
pub const DOLLAR: u32 = 1 << 4;
/// `{` or `}`.
pub const BRACE: u32 = 1 << 5;
/// `[` or `]`.
pub const BRACKET: u32 = 1 << 6;
/// `/` or `\`.
pub const SLASH: u32 = 1 << 7;
/// `=`.
pub const EQUALS: u32 = 1 << 8;
/// `*`.
pub const STAR: u32 = 1 << 9;
/// `%` (left after decoding).
pub const PERCENT: u32 = 1 << 10;
/// Line breaks, tabs and other control characters.
pub const CONTROL: u32 = 1 << 11;
/// A backtick.
pub const BACKTICK: u32 = 1 << 12;
/// A space.
pub const SPACE: u32 = 1 << 13;
/// `#`.
pub const HASH: u32 = 1 << 14;
/// `:`.
pub const COLON: u32 = 1 << 15;
/// `.`.
pub const DOT: u32 = 1 << 16;
/// `-`.
pub const DASH: u32 = 1 << 17;
/// `@`.
pub const AT: u32 = 1 << 18;
/// `_`.
pub const UNDERSCORE: u32 = 1 << 19;

/// A byte outside ASCII (part of a multi-byte character, or invalid UTF-8).
pub const NONASCII: u32 = 1 << 20;

/// Bits that no attack family can do without.
const SUSPICIOUS: u32 = QUOTE
    | ANGLE
    | PAREN
    | CHAIN
    | DOLLAR
    | BRACE
    | BRACKET
    | SLASH
    | EQUALS
    | STAR
    | PERCENT
    | CONTROL
    | BACKTICK;

const fn class_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 32 {
        t[i] = CONTROL;
        i += 1;
    }
    t[127] = CONTROL;
    let mut j = 128;
    while j < 256 {
        t[j] = NONASCII;
        j += 1;
    }
    t[b'\'' as usize] = QUOTE;
    t[b'"' as usize] = QUOTE;
    t[b'`' as usize] = BACKTICK;
    t[b'<' as usize] = ANGLE;
    t[b'>' as usize] = ANGLE;
    t[b'(' as usize] = PAREN;
    t[b')' as usize] = PAREN;
    t[b';' as usize] = CHAIN;
    t[b'|' as usize] = CHAIN;
    t[b'&' as usize] = CHAIN;
    t[b'$' as usize] = DOLLAR;
    t[b'{' as usize] = BRACE;
    t[b'}' as usize] = BRACE;
    t[b'[' as usize] = BRACKET;
    t[b']' as usize] = BRACKET;
    t[b'/' as usize] = SLASH;
    t[b'\\' as usize] = SLASH;
    t[b'=' as usize] = EQUALS;
    t[b'*' as usize] = STAR;
    t[b'%' as usize] = PERCENT;
    t[b' ' as usize] = SPACE;
    t[b'#' as usize] = HASH;
    t[b':' as usize] = COLON;
    t[b'.' as usize] = DOT;
    t[b'-' as usize] = DASH;
    t[b'@' as usize] = AT;
    t[b'_' as usize] = UNDERSCORE;
    t
}

static CLASS: [u32; 256] = class_table();

/// The byte classes present in `s`.
#[must_use]
pub fn mask(s: &[u8]) -> u32 {
    s.iter().fold(0, |m, &b| m | CLASS[b as usize])
}

/// Substring search with `memchr`'s SIMD searcher (`str::contains` builds a two-way searcher on
/// every call, which costs more than the search on short values).
#[must_use]
pub fn has_str(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, h).any(|i| h[i + 1..].starts_with(rest))
}

/// Keyword bits of [`Norm::words`]: which families' trigger words occur in the value.
/// A SQL keyword, delay/file function or system catalog (see `sqli::possible`).
pub const W_SQL: u32 = 1;
/// A script sink or DOM object name (`alert`, `document`, `eval`, ...).
pub const W_SINK: u32 = 1 << 1;
/// A server-side code execution function (`system`, `exec`, `passthru`, ...).
pub const W_CODE: u32 = 1 << 2;
/// A shell or download tool named by the unambiguous shell constructs (`cmd`, `bash`, `curl`, ...).
pub const W_SHELL: u32 = 1 << 3;

/// Trigger words and the bits they set. A trailing `_` or `.` marks a prefix (`dbms_lock`,
/// `mysql.user`); every other entry must be a whole ASCII word.
const TRIGGERS: &[(&str, u32)] = &[
    ("select", W_SQL),
    ("union", W_SQL),
    ("and", W_SQL),
    ("or", W_SQL),
    ("xor", W_SQL),
    ("where", W_SQL),
    ("having", W_SQL),
    ("limit", W_SQL),
    ("into", W_SQL),
    ("procedure", W_SQL),
    ("offset", W_SQL),
    ("like", W_SQL),
    ("rlike", W_SQL),
    ("regexp", W_SQL),
    ("is", W_SQL),
    ("in", W_SQL),
    ("between", W_SQL),
    ("sounds", W_SQL),
    ("glob", W_SQL),
    ("ilike", W_SQL),
    ("notnull", W_SQL),
    ("isnull", W_SQL),
    ("by", W_SQL),
    ("insert", W_SQL),
    ("update", W_SQL),
    ("delete", W_SQL),
    ("drop", W_SQL),
    ("create", W_SQL),
    ("alter", W_SQL),
    ("truncate", W_SQL),
    ("exec", W_SQL | W_CODE),
    ("execute", W_SQL),
    ("declare", W_SQL),
    ("shutdown", W_SQL),
    ("waitfor", W_SQL),
    ("grant", W_SQL),
    ("revoke", W_SQL),
    ("sleep", W_SQL | W_CODE),
    ("pg_sleep", W_SQL),
    ("benchmark", W_SQL),
    ("load_file", W_SQL),
    ("extractvalue", W_SQL),
    ("updatexml", W_SQL),
    ("xp_cmdshell", W_SQL),
    ("sys_eval", W_SQL),
    ("sys_exec", W_SQL),
    ("load_extension", W_SQL),
    ("randomblob", W_SQL),
    ("xmltype", W_SQL),
    ("ctxsys", W_SQL),
    ("information_schema", W_SQL),
    ("pg_catalog", W_SQL),
    ("sqlite_master", W_SQL),
    ("sysobjects", W_SQL),
    ("syscolumns", W_SQL),
    ("msysaccessobjects", W_SQL),
    ("msysobjects", W_SQL),
    ("pg_shadow", W_SQL),
    ("all_tables", W_SQL),
    ("user_tables", W_SQL),
    ("sysdatabases", W_SQL),
    ("pg_user", W_SQL),
    ("mysql.", W_SQL),
    ("sys.", W_SQL),
    ("dbms_", W_SQL),
    ("utl_", W_SQL),
    ("alert", W_SINK),
    ("prompt", W_SINK),
    ("confirm", W_SINK),
    ("eval", W_SINK | W_CODE),
    ("settimeout", W_SINK),
    ("setinterval", W_SINK),
    ("fromcharcode", W_SINK),
    ("atob", W_SINK),
    ("execscript", W_SINK),
    ("msgbox", W_SINK),
    ("document", W_SINK),
    ("window", W_SINK),
    ("innerhtml", W_SINK),
    ("expression", W_SINK),
    ("top", W_SINK),
    ("self", W_SINK),
    ("constructor", W_SINK),
    ("system", W_CODE),
    ("shell_exec", W_CODE),
    ("passthru", W_CODE),
    ("popen", W_CODE),
    ("proc_open", W_CODE),
    ("pcntl_exec", W_CODE),
    ("phpinfo", W_CODE),
    ("assert", W_CODE),
    ("create_function", W_CODE),
    ("call_user_func", W_CODE),
    ("runtime", W_CODE),
    ("child_process", W_CODE),
    ("spawnsync", W_CODE),
    ("execsync", W_CODE),
    ("os", W_CODE),
    ("subprocess", W_CODE),
    ("php", W_CODE),
    ("print", W_CODE),
    ("require", W_CODE),
    ("cmd", W_SHELL),
    ("powershell", W_SHELL),
    ("nc", W_SHELL),
    ("ncat", W_SHELL),
    ("bash", W_SHELL),
    ("wget", W_SHELL),
    ("curl", W_SHELL),
];

static TRIGGER_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(TRIGGERS.iter().map(|t| t.0))
            .expect("trigger words compile")
    });

fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// One pass over lower-case text (an Aho-Corasick DFA over every trigger word), or-ing the bits
/// of the words found at ASCII word boundaries.
#[must_use]
pub fn words(lower: &str) -> u32 {
    let b = lower.as_bytes();
    let mut bits = 0;
    for m in TRIGGER_AC.find_overlapping_iter(lower) {
        let (word, bit) = TRIGGERS[m.pattern().as_usize()];
        if bits & bit == bit {
            continue;
        }
        let before = m.start() == 0 || !word_byte(b[m.start() - 1]);
        let prefix = word.ends_with(['_', '.']);
        let after = prefix || b.get(m.end()).is_none_or(|&c| !word_byte(c));
        if before && after {
            bits |= bit;
        }
    }
    bits
}

/// True when `raw` needs no decoding and holds nothing any family looks for: ASCII without the
/// suspicious byte classes and without `..`. Such a value goes to the detectors only for the two
/// checks that read letters alone (`__proto__` in keys, SQL keyword runs), see `Shield::inspect`.
#[must_use]
pub fn plain_ascii(raw: &str, mask: u32) -> bool {
    mask & (SUSPICIOUS | NONASCII) == 0 && (mask & DOT == 0 || !has_str(raw, ".."))
}

/// A value prepared for the detectors.
#[derive(Debug, Clone)]
pub struct Norm<'a> {
    /// The value as the request part carried it (already URL-decoded once for query and form).
    pub raw: &'a str,
    /// Fully decoded text in its original case (snippets are cut from here).
    pub text: Cow<'a, str>,
    /// `text` with ASCII letters lower-cased; byte offsets match `text`.
    pub lower: Cow<'a, str>,
    /// Byte classes of `text`.
    pub mask: u32,
    /// Keyword bits of `lower`, computed on first use (`u32::MAX` until then).
    word_cache: std::cell::Cell<u32>,
}

impl<'a> Norm<'a> {
    /// Decodes and folds `raw`.
    #[must_use]
    pub fn new(raw: &'a str) -> Self {
        let m = mask(raw.as_bytes());
        let mut text: Cow<'a, str> = Cow::Borrowed(raw);
        if m & (PERCENT | CHAIN | SLASH | CONTROL) != 0 || !raw.is_ascii() {
            for _ in 0..DECODE_PASSES {
                let next = decode_once(&text);
                match next {
                    Some(s) => text = Cow::Owned(s),
                    None => break,
                }
            }
        }
        let mask = if matches!(text, Cow::Borrowed(_)) {
            m
        } else {
            mask(text.as_bytes())
        };
        let lower = if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            text.clone()
        };
        Self {
            raw,
            text,
            lower,
            mask,
            word_cache: std::cell::Cell::new(u32::MAX),
        }
    }

    /// The keyword bits ([`W_SQL`], [`W_SINK`], [`W_CODE`]) of the text, computed once.
    #[must_use]
    pub fn words(&self) -> u32 {
        let w = self.word_cache.get();
        if w != u32::MAX {
            return w;
        }
        let w = words(&self.lower);
        self.word_cache.set(w);
        w
    }

    /// True when the text holds none of the characters any family needs.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.mask & SUSPICIOUS == 0 && (self.mask & DOT == 0 || !has_str(&self.lower, ".."))
    }

    /// True when any of the byte classes in `bits` is present.
    #[must_use]
    pub fn has(&self, bits: u32) -> bool {
        self.mask & bits != 0
    }

    /// A short printable excerpt around `start..end` of the text (at most 64 characters).
    #[must_use]
    pub fn snippet(&self, start: usize, end: usize) -> String {
        snippet(&self.text, start, end)
    }
}

/// Cuts up to 64 printable characters around `start..end`, escaping the rest (`\n`, `\x00`,
/// `\u{e9}`), so that a log line can never be broken or spoofed by the attacker's bytes.
#[must_use]
pub fn snippet(text: &str, start: usize, end: usize) -> String {
    let mut from = start.saturating_sub(8).min(text.len());
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let end = end.max(start).min(text.len());
    let mut out = String::new();
    let mut count = 0;
    for (i, c) in text[from..].char_indices() {
        if count >= 64 || (from + i >= end && count >= 24) {
            break;
        }
        let piece = match c {
            ' '..='~' => c.to_string(),
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
            c => format!("\\u{{{:x}}}", c as u32),
        };
        count += piece.len();
        out.push_str(&piece);
    }
    if out.len() > 64 {
        let mut cut = 61;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn hex_run(s: &[u8], n: usize) -> Option<u32> {
    if s.len() < n {
        return None;
    }
    let mut v = 0u32;
    for &b in &s[..n] {
        v = v * 16 + u32::from(hex(b)?);
    }
    Some(v)
}

/// Percent-decodes `s` to bytes (`%XX` and `%uXXXX`; `+` is left alone because only the first,
/// form-level decoding turns it into a space). Returns `None` when nothing changed.
#[must_use]
pub fn percent_decode(s: &[u8]) -> Option<Vec<u8>> {
    let first = memchr_byte(b'%', s)?;
    let mut out = Vec::with_capacity(s.len());
    out.extend_from_slice(&s[..first]);
    let mut i = first;
    let mut changed = false;
    while i < s.len() {
        let b = s[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                s.get(i + 1).and_then(|&b| hex(b)),
                s.get(i + 2).and_then(|&b| hex(b)),
            ) {
                out.push(h * 16 + l);
                i += 3;
                changed = true;
                continue;
            }
            if matches!(s.get(i + 1), Some(b'u' | b'U')) {
                if let Some(cp) = hex_run(&s[i + 2..], 4) {
                    push_char(&mut out, cp);
                    i += 6;
                    changed = true;
                    continue;
                }
            }
        }
        out.push(b);
        i += 1;
    }
    changed.then_some(out)
}

fn memchr_byte(needle: u8, s: &[u8]) -> Option<usize> {
    memchr::memchr(needle, s)
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    let c = char::from_u32(cp).unwrap_or('\u{fffd}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Maps overlong and look-alike encodings of `.`, `/` and `\` to ASCII before the bytes are read as
/// UTF-8 (where they would otherwise become U+FFFD and hide a traversal).
fn fold_overlong(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes
        .iter()
        .any(|&b| b == 0xc0 || b == 0xc1 || b == 0xe0 || b == 0xf0)
    {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let two = bytes.get(i + 1).copied();
        match (b, two) {
            (0xc0 | 0xc1, Some(n)) if n & 0xc0 == 0x80 || matches!(n, b'.' | b'/' | b'\\') => {
                // Overlong two-byte form. Lenient decoders (old IIS) keep only the low six bits,
                // so `%c1%af` and `%c0%ee` also mean `/` and `.`; anything else stays invalid.
                let v = (((b & 0x1f) << 6) | (n & 0x3f)) & 0x7f;
                let low = n & 0x3f;
                if matches!(v, b'.' | b'/' | b'\\') {
                    out.push(v);
                } else if matches!(low, b'.' | b'/') || n == b'\\' {
                    out.push(if n == b'\\' { b'\\' } else { low });
                } else {
                    out.push(0xff);
                }
                i += 2;
            }
            (0xe0, Some(0x80..=0x81)) if bytes.get(i + 2).is_some_and(|&n| n & 0xc0 == 0x80) => {
                let n = bytes[i + 2];
                out.push((((two.unwrap_or(0) & 0x3f) << 6) | (n & 0x3f)) & 0x7f);
                i += 3;
            }
            (0xf0, Some(0x80))
                if bytes.get(i + 2) == Some(&0x80)
                    && bytes.get(i + 3).is_some_and(|&n| n & 0xc0 == 0x80) =>
            {
                out.push(bytes[i + 3] & 0x3f);
                i += 4;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// Bytes to text: overlong forms folded, invalid UTF-8 replaced, null bytes removed.
#[must_use]
pub fn bytes_to_text(bytes: &[u8]) -> Cow<'_, str> {
    // Valid UTF-8 holds no overlong forms, so the common case is one validation and one NUL scan.
    if let Ok(s) = std::str::from_utf8(bytes) {
        if memchr_byte(0, bytes).is_none() {
            return Cow::Borrowed(s);
        }
    }
    let folded = fold_overlong(bytes);
    let s: String = match folded {
        Cow::Borrowed(b) => match String::from_utf8_lossy(b) {
            Cow::Borrowed(s) if !s.contains('\0') => return Cow::Borrowed(s),
            other => other.into_owned(),
        },
        Cow::Owned(v) => String::from_utf8_lossy(&v).into_owned(),
    };
    Cow::Owned(s.replace('\0', ""))
}

/// One round of every decoding; `None` when the text is already fully decoded.
fn decode_once(s: &str) -> Option<String> {
    let mut cur: Cow<'_, str> = Cow::Borrowed(s);
    if let Some(bytes) = percent_decode(cur.as_bytes()) {
        cur = Cow::Owned(bytes_to_text(&bytes).into_owned());
    }
    if cur.contains('&') {
        if let Some(d) = html_entities(&cur) {
            cur = Cow::Owned(d);
        }
    }
    if cur.contains('\\') {
        if let Some(d) = js_escapes(&cur) {
            cur = Cow::Owned(d);
        }
    }
    if !cur.is_ascii() || cur.contains('\0') {
        if let Some(d) = fold_unicode(&cur) {
            cur = Cow::Owned(d);
        }
    }
    match cur {
        Cow::Owned(o) if o != s => Some(o),
        _ => None,
    }
}

/// Fullwidth ASCII (U+FF01..U+FF5E) and slash look-alikes to ASCII; null bytes dropped.
fn fold_unicode(s: &str) -> Option<String> {
    let mut changed = false;
    let out: String = s
        .chars()
        .filter_map(|c| {
            let m = match c {
                '\0' => None,
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xff01 + 0x21),
                '\u{2215}' | '\u{2044}' => Some('/'),
                '\u{2216}' | '\u{29f5}' => Some('\\'),
                '\u{2024}' => Some('.'),
                _ => Some(c),
            };
            if m != Some(c) {
                changed = true;
            }
            m
        })
        .collect();
    changed.then_some(out)
}

const NAMED: &[(&str, char)] = &[
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("amp", '&'),
    ("colon", ':'),
    ("semi", ';'),
    ("lpar", '('),
    ("rpar", ')'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("period", '.'),
    ("equals", '='),
    ("tab", '\t'),
    ("newline", '\n'),
    ("nbsp", ' '),
    ("grave", '`'),
    ("lsqb", '['),
    ("rsqb", ']'),
    ("lcub", '{'),
    ("rcub", '}'),
    ("excl", '!'),
    ("num", '#'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("comma", ','),
    ("plus", '+'),
    ("ast", '*'),
    ("vert", '|'),
];

/// Decodes HTML character references the way browsers do (numeric ones even without `;`).
#[allow(clippy::many_single_char_names)] // byte-level scanners read best with `s`, `b`, `i`, `j`
fn html_entities(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut last = 0;
    let mut changed = false;
    while let Some(off) = memchr_byte(b'&', &b[i..]) {
        let at = i + off;
        let mut j = at + 1;
        let mut decoded: Option<char> = None;
        if b.get(j) == Some(&b'#') {
            j += 1;
            let is_hex = matches!(b.get(j), Some(b'x' | b'X'));
            if is_hex {
                j += 1;
            }
            let start = j;
            let mut v: u32 = 0;
            while j < b.len() && j - start < 8 {
                let d = if is_hex {
                    hex(b[j]).map(u32::from)
                } else {
                    (b[j] as char).to_digit(10)
                };
                match d {
                    Some(d) => {
                        v = v
                            .saturating_mul(if is_hex { 16 } else { 10 })
                            .saturating_add(d);
                    }
                    None => break,
                }
                j += 1;
            }
            // Leading zeros are a known padding trick (`&#0000060`): skip the length limit for them.
            while j < b.len() && b[j].is_ascii_digit() && v == 0 {
                j += 1;
            }
            if j > start {
                decoded = Some(char::from_u32(v).unwrap_or('\u{fffd}'));
                if b.get(j) == Some(&b';') {
                    j += 1;
                }
            }
        } else {
            let start = j;
            while j < b.len() && j - start < 10 && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            if j > start && b.get(j) == Some(&b';') {
                let name = s[start..j].to_ascii_lowercase();
                if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == name) {
                    decoded = Some(*c);
                    j += 1;
                }
            }
        }
        if let Some(c) = decoded {
            out.push_str(&s[last..at]);
            if c != '\0' {
                out.push(c);
            }
            last = j;
            changed = true;
            i = j;
        } else {
            i = at + 1;
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&s[last..]);
    Some(out)
}

/// Decodes `\xHH`, `\uHHHH` and `\u{H..}` escapes (JavaScript, JSON in strings, CSS-less).
#[allow(clippy::many_single_char_names)] // byte-level scanners read best with `s`, `b`, `i`, `j`
fn js_escapes(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        if b[i] == b'\\' {
            match b.get(i + 1) {
                Some(b'x' | b'X') => {
                    if let Some(v) = hex_run(&b[i + 2..], 2) {
                        push_char(&mut out, v);
                        i += 4;
                        changed = true;
                        continue;
                    }
                }
                Some(b'u' | b'U') => {
                    if b.get(i + 2) == Some(&b'{') {
                        let start = i + 3;
                        let mut j = start;
                        while j < b.len() && j - start < 6 && hex(b[j]).is_some() {
                            j += 1;
                        }
                        if j > start && b.get(j) == Some(&b'}') {
                            let v = hex_run(&b[start..], j - start).unwrap_or(0xfffd);
                            push_char(&mut out, v);
                            i = j + 1;
                            changed = true;
                            continue;
                        }
                    } else if let Some(v) = hex_run(&b[i + 2..], 4) {
                        push_char(&mut out, v);
                        i += 6;
                        changed = true;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    changed.then(|| String::from_utf8_lossy(&out).into_owned())
}

/// Form-style decoding of one query or form component: `+` is a space, then `%XX` bytes.
#[must_use]
pub fn form_decode(s: &[u8]) -> Cow<'_, str> {
    if !s.contains(&b'+') && !s.contains(&b'%') {
        return bytes_to_text(s);
    }
    let plus: Cow<'_, [u8]> = if s.contains(&b'+') {
        Cow::Owned(
            s.iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    };
    match percent_decode(&plus) {
        Some(v) => Cow::Owned(bytes_to_text(&v).into_owned()),
        None => Cow::Owned(bytes_to_text(&plus).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_layers_of_encoding() {
        assert_eq!(Norm::new("%253Cscript%253E").text, "<script>");
        assert_eq!(Norm::new("&#x3c;svg&#62;").text, "<svg>");
        assert_eq!(Norm::new("\\u003cimg\\x3e").text, "<img>");
        assert_eq!(Norm::new("%u002e%u002e%u2215").text, "../");
        assert_eq!(Norm::new("%c0%ae%c0%ae%c0%af").text, "../");
        assert_eq!(Norm::new("a%00b").text, "ab");
    }

    #[test]
    fn snippet_escapes_controls_and_caps_length() {
        let s = snippet("a\nb\u{e9}", 0, 4);
        assert_eq!(s, "a\\nb\\u{e9}");
        assert!(snippet(&"x".repeat(500), 0, 500).len() <= 64);
    }
}
