//! Attack detection ("shield"): inspects one HTTP request in process and reports which attack
//! families it carries and where.
//!
//! The request is split into parts (decoded path and its segments, query arguments, cookies, header
//! values, and the body as a form, JSON, multipart, XML or text), every value is normalized once
//! ([`normalize`]: URL decoding up to three passes, HTML entities, JavaScript and `%u` escapes, null
//! bytes, overlong UTF-8 dots and slashes, ASCII case folding) and then handed to one detector per
//! attack family. Each family lives in its own file and scores what it sees from 0 to 100; a finding
//! is kept when its score reaches the threshold of the configured [`Sensitivity`].
//!
//! # Untrusted input
//! Everything here reads attacker-controlled bytes, so every pass is bounded and linear:
//! - The body is read up to [`Options::max_body_bytes`] (default 64 KiB, see [`DEFAULT_MAX_BODY_BYTES`]);
//!   the rest is not inspected and the report says [`BodyStatus::Truncated`].
//! - At most [`MAX_VALUES`] values (arguments, cookies, JSON strings and keys, multipart fields, text
//!   lines) are inspected per request, at most [`MAX_HEADERS`] header lines, and at most
//!   [`MAX_VALUE_BYTES`] bytes of any one value; the URL is read up to [`MAX_URL_BYTES`].
//! - JSON is walked by an iterative scanner (no recursion), so a 10,000-deep document gives a verdict;
//!   locations stop growing after [`MAX_JSON_DEPTH`] levels while the strings below are still read.
//! - Every cap that was hit is listed in [`Report::caps`], so a caller can treat an over-full request
//!   as suspicious on its own.
//! - Matching uses the `regex` crate (finite automata, no backtracking) and hand-written scanners,
//!   so time is linear in the input. Invalid UTF-8 is replaced, never rejected with an error.
//! - Hostile data is a verdict, never an `Err` and never a panic.

mod body;
mod cmdi;
mod crlf;
mod jndi;
pub mod normalize;
mod nosqli;
mod parts;
mod proto;
mod scanner;
mod sqli;
mod ssrf;
mod ssti;
mod traversal;
mod xss;
mod xxe;

use crate::config::{ConfigError, ConfigErrorKind, Obj};
use normalize::Norm;

/// Default body inspection cap. 64 KiB holds any form or JSON payload a page normally posts, while
/// keeping the worst case per request to a few hundred microseconds; attacks sit near the start
/// of the value that carries them, and a larger upload is a file, not a parameter.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
/// Most values inspected per request. Real forms have tens of fields; a request with more is
/// reported ([`Cap::Values`]) instead of costing unbounded time.
pub const MAX_VALUES: usize = 1024;
/// Most header lines inspected (browsers send 10 to 20).
pub const MAX_HEADERS: usize = 64;
/// Most bytes of a single value that detectors read. Payloads are short; a longer value is cut.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
/// Most bytes of the URL (path and query) inspected; Node.js rejects request heads over 16 KiB.
pub const MAX_URL_BYTES: usize = 16 * 1024;
/// JSON nesting depth up to which locations are tracked exactly.
pub const MAX_JSON_DEPTH: usize = 64;

/// One request as received, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Request method (`GET`, `POST`, ...).
    pub method: &'a str,
    /// Path and `?query` exactly as received on the wire, still percent-encoded.
    pub url: &'a str,
    /// Header lines in order; repeated lines are kept, names may be in any case.
    pub headers: &'a [(String, String)],
    /// The body bytes, if any.
    pub body: Option<&'a [u8]>,
    /// The `Content-Type` header value, if the caller has it at hand (else it is read from `headers`).
    pub content_type: Option<&'a str>,
}

/// Attack family of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// SQL injection.
    Sqli,
    /// Cross-site scripting.
    Xss,
    /// Path traversal and local file inclusion.
    Traversal,
    /// OS command injection.
    Cmdi,
    /// Server-side request forgery (URLs aimed at internal hosts).
    Ssrf,
    /// `NoSQL` operator injection.
    Nosqli,
    /// JavaScript prototype pollution.
    ProtoPollution,
    /// CRLF / header injection.
    Crlf,
    /// Server-side template injection.
    Ssti,
    /// Log4j-style `${jndi:...}` lookups.
    Jndi,
    /// XML external entities.
    Xxe,
    /// Known vulnerability scanners and their probes.
    Scanner,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 12] = [
        Family::Sqli,
        Family::Xss,
        Family::Traversal,
        Family::Cmdi,
        Family::Ssrf,
        Family::Nosqli,
        Family::ProtoPollution,
        Family::Crlf,
        Family::Ssti,
        Family::Jndi,
        Family::Xxe,
        Family::Scanner,
    ];

    /// Stable lower-case name used in logs and by the JavaScript side.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqli => "sqli",
            Self::Xss => "xss",
            Self::Traversal => "traversal",
            Self::Cmdi => "cmdi",
            Self::Ssrf => "ssrf",
            Self::Nosqli => "nosqli",
            Self::ProtoPollution => "proto-pollution",
            Self::Crlf => "crlf",
            Self::Ssti => "ssti",
            Self::Jndi => "jndi",
            Self::Xxe => "xxe",
            Self::Scanner => "scanner",
        }
    }
}

/// One detected attack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which family matched.
    pub family: Family,
    /// Where: `path`, `path.segment[1]`, `query.id`, `body.user.name`, `body.items[0]`,
    /// `header.referer`, `cookie.session`, or `body` for a body inspected as text.
    pub location: String,
    /// Confidence from 0 to 100; at least the sensitivity threshold.
    pub score: u32,
    /// Up to 64 characters around the match, control and non-ASCII characters escaped, safe to log.
    pub snippet: String,
}

/// What happened to the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyStatus {
    /// No body, or an empty one.
    Absent,
    /// Parsed according to its content type and inspected in full.
    Parsed,
    /// Larger than the cap: the first `max_body_bytes` bytes were inspected.
    Truncated,
    /// Not valid for its declared type (invalid JSON, broken multipart): inspected as plain text.
    Unparseable,
    /// Binary content (images, archives, octet streams): not inspected.
    Skipped,
}

impl BodyStatus {
    /// A stable name for logs and JavaScript: `ABSENT`, `PARSED`, `TRUNCATED`, `UNPARSEABLE`,
    /// `SKIPPED`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Absent => "ABSENT",
            Self::Parsed => "PARSED",
            Self::Truncated => "TRUNCATED",
            Self::Unparseable => "UNPARSEABLE",
            Self::Skipped => "SKIPPED",
        }
    }
}

/// A bound that this request reached (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// More than [`MAX_VALUES`] values; the rest were not inspected.
    Values,
    /// More than [`MAX_HEADERS`] header lines; the rest were not inspected.
    Headers,
    /// A value longer than [`MAX_VALUE_BYTES`] was cut.
    ValueBytes,
    /// The URL was longer than [`MAX_URL_BYTES`].
    UrlBytes,
    /// JSON deeper than [`MAX_JSON_DEPTH`]; deeper locations are shortened.
    JsonDepth,
    /// The body was longer than the body cap.
    BodyBytes,
    /// The body stopped arriving before the caller's wait ran out (`bodyTimeoutMs`): the bytes
    /// that came were inspected; the rest, which the application may still read, were not.
    /// Set by the engine from the request, not by [`Shield::inspect`].
    BodyIncomplete,
}

impl Cap {
    /// The name in decisions and `detectAttacks()`: `VALUES`, `HEADERS`, `VALUE_BYTES`,
    /// `URL_BYTES`, `JSON_DEPTH`, `BODY_BYTES`, `BODY_INCOMPLETE`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Values => "VALUES",
            Self::Headers => "HEADERS",
            Self::ValueBytes => "VALUE_BYTES",
            Self::UrlBytes => "URL_BYTES",
            Self::JsonDepth => "JSON_DEPTH",
            Self::BodyBytes => "BODY_BYTES",
            Self::BodyIncomplete => "BODY_INCOMPLETE",
        }
    }
}

/// The verdict for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Findings at or above the threshold, highest score first; at most one per family and location.
    pub findings: Vec<Finding>,
    /// How the body was handled.
    pub body: BodyStatus,
    /// Caps reached while inspecting, each listed once.
    pub caps: Vec<Cap>,
}

impl Report {
    /// True when at least one attack was found.
    #[must_use]
    pub fn attack(&self) -> bool {
        !self.findings.is_empty()
    }

    /// True when whole values or header lines were left uninspected ([`Cap::Values`],
    /// [`Cap::Headers`]): an attack placed after enough harmless ones would not be seen; or the
    /// body stopped arriving ([`Cap::BodyIncomplete`]): an attack held back past the wait would
    /// not be seen, yet reach the application. (The byte caps cut a value or the body short
    /// instead; what they keep is inspected.)
    #[must_use]
    pub fn uninspected(&self) -> bool {
        self.caps
            .iter()
            .any(|c| matches!(c, Cap::Values | Cap::Headers | Cap::BodyIncomplete))
    }

    /// True when a finding of `family` exists.
    #[must_use]
    pub fn has(&self, family: Family) -> bool {
        self.findings.iter().any(|f| f.family == family)
    }

    fn cap(&mut self, cap: Cap) {
        if !self.caps.contains(&cap) {
            self.caps.push(cap);
        }
    }
}

/// How eager detection is. Higher sensitivity finds more attacks and accepts more false positives.
///
/// The default is [`Sensitivity::Medium`]: it meets the accuracy goals in `docs/shield.md`
/// (high recall on public payload lists with at most 0.1% false positives on benign text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sensitivity {
    /// Only unambiguous attacks (score >= 80).
    Low,
    /// The default (score >= 60).
    #[default]
    Medium,
    /// Also weak signals such as a lone `../` inside prose (score >= 40).
    High,
}

impl Sensitivity {
    /// The minimum score a finding needs at this level.
    #[must_use]
    pub fn threshold(self) -> u32 {
        match self {
            Self::Low => 80,
            Self::Medium => 60,
            Self::High => 40,
        }
    }
}

/// Shield options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Detection level; default [`Sensitivity::Medium`].
    pub sensitivity: Sensitivity,
    /// Locations not inspected: an exact location (`body.content`) or a prefix followed by `.` or `[`
    /// (`body.post` also excludes `body.post.html` and `body.post[0]`). `header.x-html` excludes a header.
    pub exclude: Vec<String>,
    /// Body bytes inspected; default [`DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// How long the caller (the Node.js wrapper) waits for a request body before passing on what
    /// came as an incomplete body (`INCOMPLETE`); default [`DEFAULT_BODY_TIMEOUT_MS`]. The engine
    /// tells the caller the wait that applies ([`crate::engine::Engine::body_read`]).
    pub body_timeout_ms: u64,
}

/// Default [`Options::body_timeout_ms`]: 5 seconds.
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 5_000;
/// Largest [`Options::body_timeout_ms`]: one minute.
pub const MAX_BODY_TIMEOUT_MS: u64 = 60_000;

impl Default for Options {
    fn default() -> Self {
        Self {
            sensitivity: Sensitivity::Medium,
            exclude: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            body_timeout_ms: DEFAULT_BODY_TIMEOUT_MS,
        }
    }
}

impl Options {
    /// As [`Options::from_value`] for a direct inspection (`detectAttacks(input, options)`): only
    /// the detector's own keys, since the rule's (`threshold`, `blockFor`, ...) would do nothing.
    pub fn from_direct(v: &serde_json::Value, path: &str) -> Result<Options, ConfigError> {
        Obj::new(v, path)?.only(&["sensitivity", "exclude", "maxBodyBytes"])?;
        Self::from_value(v, path)
    }

    /// Reads options from a JSON-like value. Keys: `sensitivity` (`"LOW"`, `"MEDIUM"`, `"HIGH"`),
    /// `exclude` (array of locations), `maxBodyBytes` (1 to 16 MiB), `bodyTimeoutMs` (1 to 60,000).
    /// `type`, `mode`, `threshold`, `blockFor` and `uninspected` belong to the engine's rule and are
    /// accepted here without being read.
    pub fn from_value(v: &serde_json::Value, path: &str) -> Result<Options, ConfigError> {
        let obj = Obj::new(v, path)?;
        obj.only(&[
            "sensitivity",
            "exclude",
            "maxBodyBytes",
            "bodyTimeoutMs",
            "type",
            "mode",
            "threshold",
            "blockFor",
            "uninspected",
        ])?;
        let mut opts = Options::default();
        if let Some(s) = obj.choice("sensitivity", &["LOW", "MEDIUM", "HIGH"])? {
            opts.sensitivity = match s {
                "LOW" => Sensitivity::Low,
                "HIGH" => Sensitivity::High,
                _ => Sensitivity::Medium,
            };
        }
        if let Some(list) = obj.str_list("exclude", 256)? {
            for (i, item) in list.iter().enumerate() {
                if item.is_empty() || item.len() > 256 {
                    return Err(ConfigError::new(
                        ConfigErrorKind::Range,
                        format!("{}[{i}]", obj.key_path("exclude")),
                        format!("{item:?}"),
                        "a location of 1 to 256 characters, e.g. \"body.content\"",
                    ));
                }
                opts.exclude.push(normalize_location(item));
            }
        }
        if let Some(n) = obj.u64_in("maxBodyBytes", 1, 16 * 1024 * 1024)? {
            opts.max_body_bytes = n as usize;
        }
        if let Some(n) = obj.u64_in("bodyTimeoutMs", 1, MAX_BODY_TIMEOUT_MS)? {
            opts.body_timeout_ms = n;
        }
        Ok(opts)
    }
}

/// Header names are matched case-insensitively, so excluded header locations are lower-cased once.
fn normalize_location(s: &str) -> String {
    if let Some(rest) = s.strip_prefix("header.") {
        format!("header.{}", rest.to_ascii_lowercase())
    } else {
        s.to_owned()
    }
}

/// Where a value sits, which decides the families that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The whole decoded path.
    Path,
    /// One decoded path segment.
    Segment,
    /// A query-string or urlencoded-form value (single line by nature, so CRLF is suspicious).
    Query,
    /// A JSON or multipart value (may hold newlines and prose).
    Value,
    /// The name of a query, form or JSON field.
    Key,
    /// A cookie value.
    Cookie,
    /// A non-standard header value.
    Header,
    /// The User-Agent header.
    UserAgent,
    /// A line of a body inspected as text (plain text, XML, unparseable JSON).
    Text,
    /// A whole XML body (for XXE).
    Xml,
}

/// What a detector returns: its score and the byte range of the normalized text that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub score: u32,
    pub start: usize,
    pub end: usize,
}

impl Hit {
    pub(crate) fn new(score: u32, start: usize, end: usize) -> Self {
        Self { score, start, end }
    }
}

/// Keeps the higher-scoring of `best` and a new hit (zero scores are ignored).
pub(crate) fn keep(best: &mut Option<Hit>, score: u32, start: usize, end: usize) {
    if score > 0 && best.is_none_or(|b| score > b.score) {
        *best = Some(Hit::new(score, start, end));
    }
}

/// The detector. Build once per app and share; `inspect` takes `&self`.
#[derive(Debug, Clone)]
pub struct Shield {
    opts: Options,
}

impl Shield {
    /// Builds a shield with `opts`. Matchers are compiled lazily once per process.
    #[must_use]
    pub fn new(opts: Options) -> Self {
        Self { opts }
    }

    /// The options in use.
    #[must_use]
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Inspects one request. Never fails: malformed data is inspected as well as it can be.
    #[must_use]
    pub fn inspect(&self, input: &Input) -> Report {
        let mut run = parts::Run::new(self);
        run.request(input);
        run.finish()
    }

    pub(crate) fn excluded(&self, location: &str) -> bool {
        self.opts.exclude.iter().any(|e| {
            location == e
                || (location.len() > e.len()
                    && location.starts_with(e.as_str())
                    && matches!(location.as_bytes()[e.len()], b'.' | b'['))
        })
    }

    /// Runs every family that applies to `part` on one normalized value.
    pub(crate) fn detect(part: Part, n: &Norm, out: &mut dyn FnMut(Family, Hit)) {
        use Part as P;
        let mut emit = |family: Family, hit: Option<Hit>| {
            if let Some(h) = hit {
                out(family, h);
            }
        };
        match part {
            P::Path => {
                emit(Family::Traversal, traversal::detect_path(n));
                emit(Family::Scanner, scanner::detect_path(n));
                emit(Family::Crlf, crlf::detect(n));
            }
            P::Xml => emit(Family::Xxe, xxe::detect(n)),
            P::UserAgent => {
                emit(Family::Scanner, scanner::detect_agent(n));
                Self::values(part, n, &mut emit);
            }
            _ => Self::values(part, n, &mut emit),
        }
    }

    /// For a value that [`normalize::plain_ascii`] accepts (no decoding, no punctuation), whether
    /// one of the letter-only checks could fire: `__proto__` as a key, or an SQL keyword run
    /// (`1 union select 1`). Every other value of that kind is skipped without being normalized.
    pub(crate) fn plain_suspect(part: Part, raw: &str, mask: u32) -> bool {
        (part == Part::Key
            && mask & normalize::UNDERSCORE != 0
            && raw
                .as_bytes()
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"__proto__")))
            || (mask & normalize::SPACE != 0 && sqli::keyword_run_possible(raw))
            || (!matches!(part, Part::Key | Part::Text) && cmdi::start_possible(raw))
    }

    fn values(part: Part, n: &Norm, emit: &mut dyn FnMut(Family, Option<Hit>)) {
        use Part as P;
        if part == P::Key && normalize::has_str(&n.lower, "__proto__") {
            // `__proto__` is letters and underscores only, so it must be checked before the
            // plain-text shortcut below.
            emit(Family::ProtoPollution, proto::detect_key(n));
        }
        if n.is_plain() {
            // Letters, digits and a few separators only: nothing any family looks for, except
            // `union select`-style keyword runs, which the SQL tokenizer checks cheaply.
            if n.mask & normalize::SPACE != 0 && sqli::keyword_run_possible(&n.lower) {
                emit(Family::Sqli, sqli::detect(n));
            }
            // `uname -a`, `whoami`: a command as the whole value needs no punctuation.
            if !matches!(part, P::Key | P::Text) && cmdi::start_possible(&n.lower) {
                emit(Family::Cmdi, cmdi::detect(n, false));
            }
            return;
        }
        emit(Family::Sqli, sqli::detect(n));
        emit(Family::Xss, xss::detect(n));
        if part != P::Segment {
            emit(Family::Traversal, traversal::detect(n));
        }
        emit(Family::Cmdi, cmdi::detect(n, part == P::Text));
        if matches!(part, P::Query | P::Value | P::Cookie | P::Text) {
            emit(Family::Ssrf, ssrf::detect(n));
        }
        if part == P::Key {
            emit(Family::Nosqli, nosqli::detect_key(n));
            emit(Family::ProtoPollution, proto::detect_key(n));
        } else {
            emit(Family::Nosqli, nosqli::detect_value(n));
            emit(Family::ProtoPollution, proto::detect_value(n));
        }
        if matches!(
            part,
            P::Query | P::Key | P::Cookie | P::Header | P::Segment | P::UserAgent
        ) {
            emit(Family::Crlf, crlf::detect(n));
        }
        emit(Family::Ssti, ssti::detect(n));
        emit(Family::Jndi, jndi::detect(n));
        emit(Family::Xxe, xxe::detect(n));
    }
}
