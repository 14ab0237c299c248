//! The multi-pattern matcher: one Aho-Corasick pass over literal tokens picks candidates, and only
//! candidates whose literal does not already prove the match run their own regex.
//!
//! Most requests come from browsers, and a browser UA contains none of the literals, so the common
//! case costs one linear scan and no regex at all.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Literals shorter than this would fire on too many browser UAs to be a useful prefilter.
const MIN_LITERAL_LEN: usize = 3;
/// Literals are cut to this many bytes for the automaton, which keeps it small enough to stay in
/// cache (a DFA over 3,000 full literals costs a cache miss per byte); a hit is then confirmed by
/// comparing the whole literal at that position.
const KEY_LEN: usize = 8;
/// Text that every browser UA is made of. A literal whose cut key occurs in it keeps its full
/// length, so that a browser UA never produces a candidate just for containing `mozilla/`.
const BROWSER_TEXT: &str = "mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/126.0.0.0 safari/537.36 edg/126.0 (macintosh; intel mac os x 10_15_7) version/17.5 mobile/15e148 (iphone; cpu iphone os 17_5 like mac os x) (linux; android 14; sm-s918b build/up1a) (x11; ubuntu; linux x86_64; rv:128.0) gecko/20100101 firefox/128.0 (ipad; cpu os 17_5 like mac os x) crios/126.0 samsungbrowser/25.0 opr/110.0 yabrowser/24.4 (compatible; msie 9.0; trident/5.0) wv) version/4.0 [fban/fbios;fbav/ instagram 333.0 android (31/12; 480dpi";
/// A pattern whose literal set is larger than this is matched by the fallback regex set instead.
const MAX_LITERALS_PER_PATTERN: usize = 32;
/// Compiled-size cap of one regex. Builtin patterns are small; user patterns are checked against
/// it at construction so that one option cannot make every request slow.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// One pattern, with the bot it belongs to.
struct Pattern {
    bot: u32,
    source: String,
    /// `None` when a literal hit is already a match (the pattern is a plain string).
    needs_regex: bool,
    /// Compiled on the first candidate hit: most patterns never see a candidate, so compiling all
    /// of them up front would only slow the first request down.
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn is_match(&self, ua: &str) -> bool {
        if !self.needs_regex {
            return true;
        }
        self.regex
            .get_or_init(|| compile(&self.source).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(ua))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Compiles one pattern with the options every pattern gets.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// All patterns of a detector, compiled.
pub(crate) struct Matcher {
    prefilter: AhoCorasick,
    /// Aho-Corasick pattern id -> the literals starting with that key: (index into `patterns`,
    /// whole literal in lower case).
    literal_owner: Vec<Vec<(u32, Box<[u8]>)>>,
    patterns: Vec<Pattern>,
    /// Patterns without a usable literal; checked on every UA, so kept few.
    rest: RegexSet,
    rest_bots: Vec<u32>,
}

/// The literal tokens of a pattern, or `None` when it has no small set of long-enough ones.
/// The second value says whether a literal hit already proves a match.
fn literals(pattern: &str) -> Option<(Vec<Vec<u8>>, bool)> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let no_assertions = hir.properties().look_set().is_empty();
    for (kind, is_prefix) in [(ExtractKind::Prefix, true), (ExtractKind::Suffix, false)] {
        let mut seq = Extractor::new().kind(kind).extract(&hir);
        seq.dedup();
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty()
            || lits.len() > MAX_LITERALS_PER_PATTERN
            || lits.iter().any(|l| l.as_bytes().len() < MIN_LITERAL_LEN)
        {
            continue;
        }
        // A non-ASCII byte would be matched exactly by the prefilter but case-folded by the
        // regex, so such a hit must still be confirmed.
        let ascii = lits.iter().all(|l| l.as_bytes().is_ascii());
        let exact = is_prefix && no_assertions && ascii && seq.is_exact();
        let mut out: Vec<Vec<u8>> = lits
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect();
        out.sort();
        out.dedup();
        return Some((out, exact));
    }
    None
}

impl Matcher {
    /// Builds the matcher from `(bot index, pattern)` pairs. Every pattern must already have been
    /// checked to compile (builtin data by a test, user patterns at construction).
    pub(crate) fn new<'a>(items: impl IntoIterator<Item = (u32, &'a str)>) -> Self {
        let mut keys: Vec<Vec<u8>> = Vec::new();
        let mut key_index: std::collections::HashMap<Vec<u8>, usize> =
            std::collections::HashMap::new();
        let mut literal_owner: Vec<Vec<(u32, Box<[u8]>)>> = Vec::new();
        let mut patterns = Vec::new();
        let mut rest_sources = Vec::new();
        let mut rest_bots = Vec::new();
        for (bot, source) in items {
            if let Some((found, exact)) = literals(source) {
                let index = patterns.len() as u32;
                for lit in found {
                    let key = if lit.len() > KEY_LEN
                        && !contains(BROWSER_TEXT.as_bytes(), &lit[..KEY_LEN])
                    {
                        lit[..KEY_LEN].to_vec()
                    } else {
                        lit.clone()
                    };
                    let slot = *key_index.entry(key.clone()).or_insert_with(|| {
                        keys.push(key);
                        literal_owner.push(Vec::new());
                        literal_owner.len() - 1
                    });
                    literal_owner[slot].push((index, lit.into_boxed_slice()));
                }
                patterns.push(Pattern {
                    bot,
                    source: source.to_owned(),
                    needs_regex: !exact,
                    regex: OnceLock::new(),
                });
            } else {
                rest_sources.push(source);
                rest_bots.push(bot);
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keys)
            .expect("literal sets are small enough for a DFA");
        let rest = RegexSetBuilder::new(&rest_sources)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT * 8)
            .dfa_size_limit(REGEX_SIZE_LIMIT * 8)
            .build()
            .unwrap_or_else(|_| RegexSet::empty());
        Self {
            prefilter,
            literal_owner,
            patterns,
            rest,
            rest_bots,
        }
    }

    /// How many patterns have no literal prefilter (reported by tests to keep it small).
    pub(crate) fn unfiltered(&self) -> usize {
        self.rest_bots.len()
    }

    /// Calls `visit` once per pattern whose whole literal occurs in `ua`, until it returns false.
    fn candidates_each(&self, ua: &str, mut visit: impl FnMut(&Pattern) -> bool) {
        // Patterns already visited, so that one with several literal hits runs its regex once.
        // A UA rarely has more than a handful; past the inline capacity we just re-check.
        let mut tried = [u32::MAX; 16];
        let mut n_tried = 0;
        let bytes = ua.as_bytes();
        for hit in self.prefilter.find_overlapping_iter(ua) {
            let rest = &bytes[hit.start()..];
            for (index, literal) in &self.literal_owner[hit.pattern().as_usize()] {
                if rest.len() < literal.len()
                    || !rest[..literal.len()].eq_ignore_ascii_case(literal)
                {
                    continue;
                }
                if tried[..n_tried].contains(index) {
                    continue;
                }
                if n_tried < tried.len() {
                    tried[n_tried] = *index;
                    n_tried += 1;
                }
                if !visit(&self.patterns[*index as usize]) {
                    return;
                }
            }
        }
    }

    /// Whether any pattern matches; stops at the first.
    pub(crate) fn any(&self, ua: &str) -> bool {
        if !self.prefilter.is_match(ua) {
            return !self.rest_bots.is_empty() && self.rest.is_match(ua);
        }
        let mut found = false;
        self.candidates_each(ua, |pattern| {
            found = pattern.is_match(ua);
            !found
        });
        found || (!self.rest_bots.is_empty() && self.rest.is_match(ua))
    }

    /// Calls `found` with the bot index of every matching pattern, in pattern order of discovery,
    /// until it returns `false`. Returns whether anything matched.
    pub(crate) fn each(&self, ua: &str, mut found: impl FnMut(u32) -> bool) -> bool {
        // Candidates already tried, so that a pattern with many literal hits runs its regex once.
        // A UA rarely has more than a handful; past the inline capacity we just re-check.
        let mut any = false;
        let mut stopped = false;
        self.candidates_each(ua, |pattern| {
            if pattern.is_match(ua) {
                any = true;
                stopped = !found(pattern.bot);
            }
            !stopped
        });
        if stopped {
            return true;
        }
        if self.rest_bots.is_empty() {
            return any;
        }
        for i in &self.rest.matches(ua) {
            any = true;
            if !found(self.rest_bots[i]) {
                return true;
            }
        }
        any
    }
}
