//! Splits a request into the values that detectors read, with a location for each.

use super::body;
use super::normalize::{bytes_to_text, form_decode, Norm};
use super::{BodyStatus, Cap, Family, Finding, Hit, Input, Part, Report, Shield};
use super::{MAX_HEADERS, MAX_URL_BYTES, MAX_VALUES, MAX_VALUE_BYTES};

/// Header values that browsers and proxies send with fixed grammars (media types, languages, cache
/// validators, client hints, addresses). They cannot carry an injection that the application reads
/// as data, and their punctuation (`*/*;q=0.8`) looks like code, so they are never scored.
fn standard_header(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "accept",
        "accept-language",
        "accept-encoding",
        "accept-charset",
        "accept-datetime",
        "cache-control",
        "connection",
        "content-type",
        "content-length",
        "content-encoding",
        "content-language",
        "host",
        "if-none-match",
        "if-match",
        "if-modified-since",
        "if-unmodified-since",
        "if-range",
        "pragma",
        "upgrade-insecure-requests",
        "dnt",
        "te",
        "priority",
        "keep-alive",
        "transfer-encoding",
        "upgrade",
        "range",
        "origin",
        "authorization",
        "proxy-authorization",
        "date",
        "expect",
        "purpose",
        "save-data",
        "downlink",
        "rtt",
        "ect",
        "device-memory",
        "viewport-width",
        "dpr",
        "width",
        "access-control-request-method",
        "access-control-request-headers",
    ];
    EXACT.contains(&name) || name.starts_with("sec-")
}

/// One inspection in progress.
pub(crate) struct Run<'s> {
    shield: &'s Shield,
    report: Report,
    values: usize,
    threshold: u32,
}

impl<'s> Run<'s> {
    pub(crate) fn new(shield: &'s Shield) -> Self {
        Self {
            shield,
            report: Report {
                findings: Vec::new(),
                body: BodyStatus::Absent,
                caps: Vec::new(),
            },
            values: 0,
            threshold: shield.opts.sensitivity.threshold(),
        }
    }

    pub(crate) fn finish(mut self) -> Report {
        self.report
            .findings
            .sort_by(|a, b| b.score.cmp(&a.score).then(a.family.cmp(&b.family)));
        self.report
    }

    pub(crate) fn cap(&mut self, cap: Cap) {
        self.report.cap(cap);
    }

    pub(crate) fn set_body(&mut self, status: BodyStatus) {
        self.report.body = status;
    }

    pub(crate) fn max_body_bytes(&self) -> usize {
        self.shield.opts.max_body_bytes
    }

    /// The state to return to if a body parse fails half-way (see [`Run::rewind`]).
    pub(crate) fn mark(&self) -> (usize, usize, usize) {
        (
            self.report.findings.len(),
            self.report.caps.len(),
            self.values,
        )
    }

    /// Forgets the findings, caps and value count since `mark`.
    pub(crate) fn rewind(&mut self, mark: (usize, usize, usize)) {
        self.report.findings.truncate(mark.0);
        self.report.caps.truncate(mark.1);
        self.values = mark.2;
    }

    /// Counts a value against [`MAX_VALUES`]; false once the budget is spent.
    pub(crate) fn budget(&mut self) -> bool {
        if self.values >= MAX_VALUES {
            self.cap(Cap::Values);
            return false;
        }
        self.values += 1;
        true
    }

    /// Inspects one value; `location` is built only when needed (exclusions or a finding).
    pub(crate) fn check(&mut self, part: Part, location: &dyn Fn() -> String, value: &str) {
        if value.is_empty() {
            return;
        }
        let mut value = value;
        if value.len() > MAX_VALUE_BYTES {
            self.cap(Cap::ValueBytes);
            let mut cut = MAX_VALUE_BYTES;
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            value = &value[..cut];
        }
        let mut loc: Option<String> = None;
        if !self.shield.opts.exclude.is_empty() {
            let l = location();
            if self.shield.excluded(&l) {
                return;
            }
            loc = Some(l);
        }
        if !matches!(part, Part::Path | Part::UserAgent | Part::Xml) {
            let mask = super::normalize::mask(value.as_bytes());
            if super::normalize::plain_ascii(value, mask)
                && !Shield::plain_suspect(part, value, mask)
            {
                return;
            }
        }
        let n = Norm::new(value);
        let threshold = self.threshold;
        let mut hits: Vec<(Family, Hit)> = Vec::new();
        Shield::detect(part, &n, &mut |family, hit| {
            if hit.score >= threshold {
                hits.push((family, hit));
            }
        });
        if hits.is_empty() {
            return;
        }
        let location = loc.unwrap_or_else(location);
        for (family, hit) in hits {
            self.add(Finding {
                family,
                location: location.clone(),
                score: hit.score.min(100),
                snippet: n.snippet(hit.start, hit.end),
            });
        }
    }

    fn add(&mut self, f: Finding) {
        if let Some(old) = self
            .report
            .findings
            .iter_mut()
            .find(|o| o.family == f.family && o.location == f.location)
        {
            if f.score > old.score {
                *old = f;
            }
            return;
        }
        self.report.findings.push(f);
    }

    pub(crate) fn request(&mut self, input: &Input) {
        let mut url = input.url;
        if url.len() > MAX_URL_BYTES {
            self.cap(Cap::UrlBytes);
            let mut cut = MAX_URL_BYTES;
            while !url.is_char_boundary(cut) {
                cut -= 1;
            }
            url = &url[..cut];
        }
        let (path, query) = match url.find('?') {
            Some(i) => (&url[..i], Some(&url[i + 1..])),
            None => (url, None),
        };
        // An absolute-form request target (`GET http://host/path`) carries the path after the host.
        let path = strip_origin(path);
        self.path(path);
        if let Some(q) = query {
            // A fragment is never sent by browsers; if present it is still data the server sees.
            self.pairs(q.as_bytes(), "query", Part::Query);
        }
        self.headers(input.headers);
        let content_type = input.content_type.or_else(|| {
            input
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.as_str())
        });
        if let Some(b) = input.body {
            if !b.is_empty() {
                body::inspect(self, b, content_type);
            }
        }
    }

    fn path(&mut self, path: &str) {
        if path.is_empty() {
            return;
        }
        self.check(Part::Path, &|| "path".to_owned(), path);
        // Segments come from the raw path so that an encoded `%2F` stays inside its segment.
        let mut index = 0;
        for seg in path.split('/') {
            if seg.is_empty() {
                continue;
            }
            if !self.budget() {
                return;
            }
            let text = bytes_to_text(
                super::normalize::percent_decode(seg.as_bytes())
                    .as_deref()
                    .unwrap_or(seg.as_bytes()),
            )
            .into_owned();
            let i = index;
            self.check(Part::Segment, &|| format!("path.segment[{i}]"), &text);
            index += 1;
        }
    }

    /// Inspects `k=v&k=v` pairs (query strings and urlencoded bodies) under `prefix`.
    pub(crate) fn pairs(&mut self, data: &[u8], prefix: &str, part: Part) {
        for pair in data.split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            if !self.budget() {
                return;
            }
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            let key = form_decode(k);
            let value = form_decode(v);
            let loc = || format!("{prefix}.{key}");
            self.check(Part::Key, &loc, &key);
            self.check(part, &loc, &value);
        }
    }

    fn headers(&mut self, headers: &[(String, String)]) {
        for (i, (name, value)) in headers.iter().enumerate() {
            if i >= MAX_HEADERS {
                self.cap(Cap::Headers);
                return;
            }
            let lname = name.to_ascii_lowercase();
            if standard_header(&lname) {
                continue;
            }
            match lname.as_str() {
                "cookie" => self.cookies(value),
                "user-agent" => {
                    self.check(Part::UserAgent, &|| "header.user-agent".to_owned(), value);
                }
                _ => {
                    let loc = || format!("header.{lname}");
                    self.check(Part::Header, &loc, value);
                    // Header names are attacker-chosen too (CRS sends payloads as names).
                    if !lname
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    {
                        self.check(Part::Key, &loc, name);
                    }
                }
            }
        }
    }

    fn cookies(&mut self, header: &str) {
        for pair in header.split(';') {
            let pair = pair.trim_start();
            if pair.is_empty() {
                continue;
            }
            if !self.budget() {
                return;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = form_decode(k.trim().as_bytes());
            let value = form_decode(v.trim().trim_matches('"').as_bytes());
            let loc = || format!("cookie.{key}");
            self.check(Part::Key, &loc, &key);
            self.check(Part::Cookie, &loc, &value);
        }
    }
}

fn strip_origin(path: &str) -> &str {
    let lower = path
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower.starts_with("http://") {
        &path[7..]
    } else if lower.starts_with("https://") {
        &path[8..]
    } else {
        return path;
    };
    rest.find('/').map_or("/", |i| &rest[i..])
}
