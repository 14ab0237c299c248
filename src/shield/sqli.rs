//! SQL injection: a small SQL tokenizer turns the value into a fingerprint of token classes, and
//! rules over that fingerprint recognise the shapes of injected SQL.
//!
//! A value can land in a query as a bare number or name, or inside a `'...'` or `"..."` literal. So
//! it is tokenized up to three times: as is, and as if a quote were open before it (only when it
//! contains that quote). In the quoted contexts the first token is the rest of the broken literal,
//! and an injection shows up as what follows it: `' OR 1=1--` reads `s&1o1c`. Prose with
//! apostrophes (`O'Brien`, `Workers' Union (MMWS)`) gives `sn`, `sU(n)`: a literal followed by a
//! plain word, which no rule accepts. Keywords only count in SQL positions, so `union` or `select`
//! in a sentence is harmless.
//!
//! Fingerprint letters: `s` string, `n` name, `1` number (and `null`, `true`, `false`), `v` `@var`,
//! `S` select, `X` delete, `I` insert, `P` update, `D` drop/create/alter/truncate, `W` other
//! statements (exec, declare, shutdown, waitfor, ...), `U` union, `B` order/group by, `h` clause
//! keyword after a condition (where, having, limit, into, procedure), `k` other keyword, `&` logic
//! (and, or, xor, `&&`, `||`), `=` comparison symbol, `L` comparison word (like, is, in), `o` other operator, `f` function call, `(`, `)`, `,`, `;`, `.`, `c`
//! comment (kept only as the last token), `?` anything else.

use super::normalize::Norm;
use super::Hit;
use regex::RegexSet;
use std::sync::LazyLock;

/// Most tokens fingerprinted per context; the rules look at the start and at local shapes.
const MAX_TOKENS: usize = 96;

struct Rule {
    pattern: &'static str,
    score: u32,
    /// Only in the quoted contexts (the first token is the rest of a broken literal).
    quoted: bool,
}

const RULES: &[Rule] = &[
    // UNION [ALL] SELECT anywhere.
    Rule {
        pattern: r"U\(*S",
        score: 95,
        quoted: false,
    },
    // A stacked statement with the shape of real SQL.
    Rule {
        pattern: r";\(*(S([o=(v1f]|[1nsv][,k]|\(*[nv]?$)|[DX]k|Ih|Pn|W)",
        score: 85,
        quoted: false,
    },
    // A sub-select as an operand: `=(SELECT`, `AND (SELECT`.
    Rule {
        pattern: r"[o=&,]\(+S",
        score: 85,
        quoted: false,
    },
    // Broken literal, then a condition: `' OR 1=1`, `' AND (SELECT`, `') or ('a'='a`, `' or 'x`.
    Rule {
        pattern: r"^s\)*&\(*([1v]|s\)*([o=&;c]|$)|f\(|S|\(+[1sv])",
        score: 90,
        quoted: true,
    },
    Rule {
        pattern: r"^s\)*&\(*n\)*([=(&c;])",
        score: 80,
        quoted: true,
    },
    // Broken literal, then a new statement or the end of the query.
    Rule {
        pattern: r"^s\)*;(c|$|\(*[SIPXDW&])",
        score: 85,
        quoted: true,
    },
    // Broken literal, operator, short operand, then a condition or comment: `aa'|3!='4`, `X' != 'Y' = 0`.
    Rule {
        pattern: r"^s\)*[o=L]\(*([1svf][)(1fo.]{0,4}[&=Lc]|n[)(1fo.]{0,4}[&Lc])",
        score: 75,
        quoted: true,
    },
    Rule {
        pattern: r"^s\)*c$",
        score: 70,
        quoted: true,
    },
    Rule {
        pattern: r"^s\)*(B1|h\(*[1sv]\)*[=L&c])",
        score: 85,
        quoted: true,
    },
    Rule {
        pattern: r"^s\)*;?\(*(S([o=v(f]|[1nsv][,k])|Ih|Pnk|[DX]k|W)",
        score: 80,
        quoted: true,
    },
    // Broken literal, then an operator and an operand: `'='`, `'||'x`, `'+sleep(5)+'`.
    Rule {
        pattern: r"^s\)*[=oL]\(*(f\(|S)|^s\)*=\(*([1sv]\)*([c;&]|$)|[1sv][o=][1sv]\)*([c&]|$))",
        score: 75,
        quoted: true,
    },
    // Numeric context: `1 OR 1=1`, `1) AND SLEEP(5)`, `-1 OR 2>1`, `1-1) OR 5=(SELECT`.
    Rule {
        pattern: r"^[1v]([o=L][1nv])*\)*&\(*([1svn]\)*[=L]|f\(|[1sv]\)*c|\(*S|[1sv]\)*[&;B])",
        score: 85,
        quoted: false,
    },
    Rule {
        pattern: r"^n\)*&\(*([1sv][=L]|f\(|\(*S)",
        score: 70,
        quoted: false,
    },
    Rule {
        pattern: r"^[1v]\)+[&;Uc]",
        score: 80,
        quoted: false,
    },
    Rule {
        pattern: r"^[1nv]\)*B1",
        score: 80,
        quoted: false,
    },
    Rule {
        pattern: r"^[1v]\)*[Bh]",
        score: 70,
        quoted: false,
    },
    // A value that is a condition on its own: `or 1=1`, `and sleep(5)`.
    Rule {
        pattern: r"^&\(*([1sv][=L][1sv(f]|f\(|\(*S|[1sv]\)*c$)",
        score: 80,
        quoted: false,
    },
    // A value that is a whole query: `select * from users`, `select @@version`, `(select user())`.
    Rule {
        pattern: r"^\(*S(o|v|f\(|[1nsv],|[1sv]k|\(*S)",
        score: 80,
        quoted: false,
    },
    Rule {
        pattern: r"^\(+S(\(|[1svf]|n[(,=o])",
        score: 75,
        quoted: false,
    },
    Rule {
        pattern: r"^[DX]k[n.]|^In?h|^Pnk",
        score: 70,
        quoted: false,
    },
    // A parenthesised expression with SQL in it, closed and then commented out, so that the rest
    // of the query is dropped: `( COS ( 'b') )  --`, `(1 OR @a) --`. Prose in parentheses
    // (`(see above) --`) has no operator, call or variable inside.
    Rule {
        pattern: r"^\([^c]*[f&Sov=][^c]*\)c$",
        score: 70,
        quoted: false,
    },
    // A value that starts with a clause: ` ORDER BY 13--`, ` HAVING 1=1--`, `WHERE 1=1 AND 1=0`.
    Rule {
        pattern: r"^B1|^h\(*[1sv][=L]|h\(*1=1",
        score: 80,
        quoted: false,
    },
];

static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(RULES.iter().map(|r| r.pattern)).expect("SQL fingerprint rules compile")
});

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Token {
    kind: u8,
    start: usize,
    end: usize,
}

/// For values without punctuation, only keyword runs can be SQL (`1 union select 1`,
/// `order by 5`, `1 having 1`): without one of these words the tokenizer is not run.
pub(crate) fn keyword_run_possible(text: &str) -> bool {
    // One case-insensitive Aho-Corasick DFA pass instead of one substring search per word (and
    // no lower-cased copy of the value).
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build([
                "union",
                "select",
                " by ",
                "having",
                "where",
                "limit",
                "into",
                "procedure",
                "sleep",
                "benchmark",
                "waitfor",
                "information_schema",
            ])
            .expect("keyword automaton builds")
    });
    WORDS.is_match(text)
}

/// Which contexts any rule could match in, from what the value holds. Every rule that applies
/// as-is needs a SQL keyword (`&` from `and`/`or`, `S`, `U`, clauses, statements, delay functions
/// and catalogs are all keywords), `&&`/`||`, a comment, or `;` after a leading number
/// (`1);`). The quoted contexts also accept a comparison, a `;` or a function call right after
/// the broken literal (`'='`, `';`, `'-ascii(1)-'`). Values with none of these (text with
/// parentheses or apostrophes, `Mary O'Neil`, a browser User-Agent) skip the tokenizer.
fn gate(n: &Norm) -> (bool, bool) {
    use super::normalize::{ANGLE, EQUALS, HASH, QUOTE};
    let s = n.lower.as_bytes();
    let has2 = |a: u8, b: u8| memchr::memchr_iter(a, s).any(|i| s.get(i + 1) == Some(&b));
    let semicolon = memchr::memchr(b';', s).is_some();
    let numeric_start = s
        .trim_ascii_start()
        .first()
        .is_some_and(|&c| c.is_ascii_digit() || matches!(c, b'@' | b'-' | b'+' | b'.'));
    let unquoted = n.has(HASH)
        || has2(b'-', b'-')
        || has2(b'/', b'*')
        || has2(b'&', b'&')
        || has2(b'|', b'|')
        || (semicolon && numeric_start)
        || n.words() & super::normalize::W_SQL != 0;
    let quoted = n.has(QUOTE)
        && (unquoted
            || semicolon
            || n.has(EQUALS | ANGLE)
            // A call: a word character right before `(`.
            || memchr::memchr_iter(b'(', s).any(|i| i > 0 && is_word(s[i - 1])));
    (unquoted, quoted)
}

/// Scores a value; `None` when no SQL shape was found.
pub(crate) fn detect(n: &Norm) -> Option<Hit> {
    let (unquoted, quoted) = gate(n);
    if !unquoted && !quoted {
        return None;
    }
    let s = n.lower.as_bytes();
    let mut best: Option<Hit> = None;
    let mut consider = |h: Option<Hit>| {
        if let Some(h) = h {
            if best.is_none_or(|b| h.score > b.score) {
                best = Some(h);
            }
        }
    };
    if unquoted {
        consider(context(s, 0));
    }
    if !quoted {
        return best;
    }
    if s.contains(&b'\'') {
        consider(context(s, b'\''));
    }
    if s.contains(&b'"') {
        consider(context(s, b'"'));
    }
    best
}

fn context(s: &[u8], quote: u8) -> Option<Hit> {
    let (tokens, danger) = tokenize(s, quote);
    if tokens.len() < 2 && danger.is_none() {
        return None;
    }
    let fp: Vec<u8> = tokens.iter().map(|t| t.kind).collect();
    let fp = String::from_utf8(fp).unwrap_or_default();
    // In a quoted context the first token is the value the attacker typed before breaking out of
    // the literal: a short word (`admin`, `1`, an e-mail). Prose before a quote (`DRESS WITH HAT
    // 18';`, `great nations." --`) is how people write inches and quotations.
    let prefix_spaces = if quote == 0 {
        0
    } else {
        let p = &s[..tokens.first().map_or(0, |t| t.end.saturating_sub(1))];
        if p.len() > 40 {
            usize::MAX
        } else {
            // Leading whitespace is padding; a space right before the quote is prose (`The "x"`).
            p.trim_ascii_start()
                .iter()
                .filter(|b| b.is_ascii_whitespace())
                .count()
        }
    };
    let mut score = 0;
    for i in &SET.matches(&fp) {
        let r = &RULES[i];
        if r.quoted && (quote == 0 || prefix_spaces > 0) {
            continue;
        }
        if r.score > score {
            score = r.score;
        }
    }
    // A delay or file function called with arguments is SQL whatever surrounds it.
    if let Some(d) = danger {
        score = score.max(d);
    }
    if score == 0 {
        return None;
    }
    let start = tokens.first().map_or(0, |t| t.start);
    let end = tokens.last().map_or(s.len(), |t| t.end);
    Some(Hit::new(score, start, end))
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Classifies a lower-case word.
fn word_kind(w: &[u8]) -> u8 {
    match w {
        b"select" => b'S',
        b"delete" => b'X',
        b"insert" => b'I',
        b"update" => b'P',
        b"drop" | b"create" | b"alter" | b"truncate" => b'D',
        b"exec" | b"execute" | b"declare" | b"shutdown" | b"waitfor" | b"grant" | b"revoke" => b'W',
        b"union" => b'U',
        b"and" | b"or" | b"xor" => b'&',
        b"where" | b"having" | b"limit" | b"into" | b"procedure" | b"offset" => b'h',
        b"like" | b"rlike" | b"regexp" | b"is" | b"in" | b"between" | b"sounds" | b"glob"
        | b"ilike" | b"notnull" | b"isnull" => b'L',
        b"not" | b"div" | b"mod" | b"collate" | b"escape" => b'o',
        b"null" | b"true" | b"false" => b'1',
        b"from" | b"table" | b"database" | b"schema" | b"case" | b"when" | b"then" | b"else"
        | b"end" | b"exists" | b"top" | b"join" | b"values" | b"set" | b"all" | b"distinct"
        | b"outfile" | b"dumpfile" | b"order" | b"group" | b"by" | b"asc" | b"desc" | b"on"
        | b"using" | b"if" | b"delay" => b'k',
        _ => b'n',
    }
}

/// Functions whose call is an injection on its own (time delays, file and network access, error
/// based extraction), with the score of a call.
fn danger_score(w: &[u8]) -> Option<u32> {
    match w {
        b"sleep"
        | b"pg_sleep"
        | b"benchmark"
        | b"load_file"
        | b"extractvalue"
        | b"updatexml"
        | b"xp_cmdshell"
        | b"sys_eval"
        | b"sys_exec"
        | b"dbms_pipe.receive_message"
        | b"dbms_lock.sleep"
        | b"utl_inaddr.get_host_address"
        | b"utl_http.request"
        | b"load_extension"
        | b"randomblob"
        | b"ctxsys.drithsx.sn"
        | b"dbms_xmlgen.getxml"
        | b"xmltype" => Some(80),
        _ => None,
    }
}

/// System catalogs: named only by queries that map a database, never by people filling in forms.
fn catalog(w: &[u8]) -> bool {
    matches!(
        w,
        b"information_schema"
            | b"pg_catalog"
            | b"sqlite_master"
            | b"sysobjects"
            | b"syscolumns"
            | b"msysaccessobjects"
            | b"msysobjects"
            | b"mysql.user"
            | b"mysql.db"
            | b"pg_shadow"
            | b"all_tables"
            | b"user_tables"
            | b"sys.objects"
            | b"sys.tables"
            | b"master..sysdatabases"
            | b"sysdatabases"
            | b"pg_user"
    ) || w.starts_with(b"information_schema.")
}

/// Tokenizes `s` (lower-case bytes); `quote` opens a literal before the first byte.
#[allow(clippy::many_single_char_names)] // byte-level scanners read best with `s`, `b`, `i`, `j`
fn tokenize(s: &[u8], quote: u8) -> (Vec<Token>, Option<u32>) {
    let mut out: Vec<Token> = Vec::with_capacity(16);
    let mut danger: Option<u32> = None;
    let mut i = 0;
    if quote != 0 {
        let end = string_end(s, 0, quote);
        out.push(Token {
            kind: b's',
            start: 0,
            end,
        });
        i = end;
    }
    while i < s.len() && out.len() < MAX_TOKENS {
        let b = s[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0 | 0xa0 => {
                i += 1;
                continue;
            }
            b'\'' | b'"' => {
                i = string_end(s, i + 1, b);
                b's'
            }
            b'`' => {
                i = string_end(s, i + 1, b'`');
                b'n'
            }
            b'0'..=b'9' => {
                i = number_end(s, i);
                b'1'
            }
            b'.' if s.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(s, i);
                b'1'
            }
            b'@' => {
                i += 1;
                while i < s.len() && (is_word(s[i]) || s[i] == b'@' || s[i] == b'.') {
                    i += 1;
                }
                b'v'
            }
            b'(' | b')' | b',' | b';' | b'.' => {
                i += 1;
                b
            }
            // `--define` is an option, not a comment: MySQL needs a space after `--`, and the
            // other dialects' payloads put one there too.
            b'-' if s.get(i + 1) == Some(&b'-')
                && !s.get(i + 2).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                i = line_end(s, i);
                b'c'
            }
            // `#2` is a number sign in text, not a MySQL comment.
            b'#' if !s.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = line_end(s, i);
                b'c'
            }
            b'/' if s.get(i + 1) == Some(&b'*') => {
                if s.get(i + 2) == Some(&b'!') {
                    // MySQL executes `/*!50000 ... */`: read its content as code.
                    i += 3;
                    while i < s.len() && s[i].is_ascii_digit() {
                        i += 1;
                    }
                    continue;
                }
                i = memchr::memmem::find(&s[i + 2..], b"*/").map_or(s.len(), |e| i + 2 + e + 2);
                b'c'
            }
            b'*' if s.get(i + 1) == Some(&b'/') => {
                i += 2;
                continue;
            }
            b'|' if s.get(i + 1) == Some(&b'|') => {
                i += 2;
                b'&'
            }
            b'&' if s.get(i + 1) == Some(&b'&') => {
                i += 2;
                b'&'
            }
            b'=' | b'<' | b'>' | b'!' | b'|' | b'&' | b'^' | b'~' | b'+' | b'-' | b'*' | b'/'
            | b'%' | b':' => {
                i += 1;
                while i < s.len()
                    && matches!(s[i], b'=' | b'<' | b'>' | b'!' | b':')
                    && i - start < 3
                {
                    i += 1;
                }
                let op = &s[start..i];
                let comparison = matches!(
                    op,
                    b"=" | b"<"
                        | b">"
                        | b"<>"
                        | b"!="
                        | b"<="
                        | b">="
                        | b"<=>"
                        | b"=="
                        | b"!<"
                        | b"!>"
                );
                // A sign before a number belongs to the number: `-1 OR 1=1` starts with `1`.
                if matches!(b, b'-' | b'+')
                    && i == start + 1
                    && s.get(i).is_some_and(u8::is_ascii_digit)
                    && out
                        .last()
                        .is_none_or(|t| !matches!(t.kind, b'1' | b's' | b'n' | b'v' | b')'))
                {
                    continue;
                }
                if comparison {
                    b'='
                } else {
                    b'o'
                }
            }
            b if is_word(b) => {
                while i < s.len()
                    && (is_word(s[i])
                        || (s[i] == b'.' && s.get(i + 1).is_some_and(|&c| is_word(c))))
                {
                    i += 1;
                }
                let w = &s[start..i];
                if catalog(w) {
                    danger = Some(danger.unwrap_or(0).max(70));
                }
                let mut k = word_kind(w);
                // A call needs `(` right after the name (`Bristol (UK)` is prose); the dangerous
                // functions are recognised with spaces too, as databases accept them.
                let next = skip_ws(s, i);
                if k == b'n' && s.get(next) == Some(&b'(') {
                    if let Some(d) = danger_score(w) {
                        danger = Some(danger.unwrap_or(0).max(d));
                        k = b'f';
                    } else if next == i {
                        k = b'f';
                    }
                }
                if w == b"by" {
                    if let Some(last) = out.last_mut() {
                        let prev = &s[last.start..last.end];
                        if prev == b"order" || prev == b"group" {
                            last.kind = b'B';
                            last.end = i;
                            continue;
                        }
                    }
                }
                if (w == b"all" || w == b"distinct") && out.last().is_some_and(|t| t.kind == b'U') {
                    continue;
                }
                if w == b"delay" && out.last().is_some_and(|t| &s[t.start..t.end] == b"waitfor") {
                    danger = Some(danger.unwrap_or(0).max(85));
                }
                if (w == b"outfile" || w == b"dumpfile")
                    && out.last().is_some_and(|t| &s[t.start..t.end] == b"into")
                {
                    danger = Some(danger.unwrap_or(0).max(85));
                }
                k
            }
            _ => {
                i += 1;
                b'?'
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    // Comments are whitespace to the database, except that a trailing one cuts off the rest of the
    // original query, which is itself a signal (`admin'--`).
    let last = out.len().saturating_sub(1);
    let mut k = 0;
    out.retain(|t| {
        let keep = t.kind != b'c' || k == last;
        k += 1;
        keep
    });
    // Qualified names (`t.col`, `db..tbl`) are one name.
    let mut merged: Vec<Token> = Vec::with_capacity(out.len());
    for t in out {
        if let Some(prev) = merged.last() {
            if t.kind == b'.' && matches!(prev.kind, b'n' | b'.') {
                continue;
            }
            if t.kind == b'n' && prev.kind == b'.' {
                merged.pop();
                if let Some(p) = merged.last_mut() {
                    if p.kind == b'n' {
                        p.end = t.end;
                        continue;
                    }
                }
                merged.push(t);
                continue;
            }
        }
        merged.push(t);
    }
    (merged, danger)
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End of a literal that started before `i` with `q`; a doubled quote or a backslash escape stays
/// inside. Unterminated literals run to the end.
fn string_end(s: &[u8], mut i: usize, q: u8) -> usize {
    while i < s.len() {
        let c = s[i];
        if c == b'\\' && q != b'`' {
            i += 2;
            continue;
        }
        if c == q {
            if s.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    s.len()
}

fn number_end(s: &[u8], mut i: usize) -> usize {
    if s[i] == b'0' && matches!(s.get(i + 1), Some(b'x' | b'b')) {
        i += 2;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    while i < s.len() && (s[i].is_ascii_digit() || s[i] == b'.') {
        i += 1;
    }
    if i < s.len()
        && s[i] == b'e'
        && s.get(i + 1)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+')
    {
        i += 2;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

fn line_end(s: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &s[i..]).map_or(s.len(), |e| i + e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(s: &str, q: u8) -> String {
        let (t, _) = tokenize(s.to_ascii_lowercase().as_bytes(), q);
        t.iter().map(|t| t.kind as char).collect()
    }

    #[test]
    fn fingerprints_classic_shapes() {
        assert_eq!(fp("' or 1=1--", b'\''), "s&1=1c");
        assert_eq!(fp("1 union all select 1,2", 0), "1US1,1");
        assert_eq!(fp("x' order by 3#", b'\''), "sB1c");
        assert_eq!(fp("O'Brien", b'\''), "sn");
        assert_eq!(fp("1 like 2", 0), "1L1");
        assert_eq!(fp("Bristol (UK)", 0), "n(n)");
    }
}
