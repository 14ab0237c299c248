//! Request facts: what the engine knows about one request.

/// Header lines searched per lookup, counted from the last line (where proxies add theirs); earlier
/// lines are ignored. Node.js itself stops at 2,000 lines by default.
pub const MAX_HEADERS: usize = 1000;
/// Bytes of a query string or cookie header searched for a characteristic.
pub const MAX_LOOKUP_BYTES: usize = 16 * 1024;

/// One request as the server saw it. Everything here may be hostile.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// HTTP method.
    pub method: String,
    /// Path as received (still percent-encoded), without the query.
    pub path: String,
    /// Query string without the leading `?` (still percent-encoded).
    pub query: String,
    /// Header lines in order, repeated names kept as separate lines. Names in any case.
    pub headers: Vec<(String, String)>,
    /// The socket peer address, when the server can supply it.
    pub peer: Option<String>,
    /// The body bytes the caller read (at most the shield's cap is inspected), if any.
    pub body: Option<Vec<u8>>,
    /// The caller tried to read the body and could not (the stream failed or was already used).
    pub body_unreadable: bool,
}

/// What the application adds to a request: values for custom characteristics and a cost.
#[derive(Clone, Debug, Default)]
pub struct Props {
    /// Values of custom characteristics such as `userId`.
    pub values: Vec<(String, String)>,
    /// How many tokens or requests this call counts for (default 1).
    pub requested: Option<u32>,
    /// The address for email rules.
    pub email: Option<String>,
    /// The MX outcome for the email's domain, looked up by the async entry point.
    pub mx: Option<crate::email::MxOutcome>,
    /// Crawler verifications by rule index, done by the async entry point for bot rules with
    /// `verify`.
    pub verifications: Vec<(usize, crate::bot::verify::Verification)>,
}

impl Request {
    /// The last line of a header, by case-insensitive name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .take(MAX_HEADERS)
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A cookie's value from every `Cookie` line (first occurrence wins, as browsers send the most
    /// specific cookie first).
    #[must_use]
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .skip(self.headers.len().saturating_sub(MAX_HEADERS))
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| capped(v).split(';'))
            .find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name).then(|| v.trim().trim_matches('"'))
            })
    }

    /// A query argument, percent-decoded (first occurrence).
    #[must_use]
    pub fn query_arg(&self, name: &str) -> Option<String> {
        capped(&self.query).split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k) == name).then(|| decode_component(v))
        })
    }
}

fn capped(s: &str) -> &str {
    if s.len() <= MAX_LOOKUP_BYTES {
        return s;
    }
    let mut end = MAX_LOOKUP_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `application/x-www-form-urlencoded` decoding of one component: `+` is a space, `%XX` a byte,
/// malformed escapes stay as written, invalid UTF-8 becomes U+FFFD.
#[must_use]
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)], query: &str) -> Request {
        Request {
            method: "GET".into(),
            path: "/".into(),
            query: query.into(),
            headers: headers
                .iter()
                .map(|(a, b)| ((*a).into(), (*b).into()))
                .collect(),
            peer: None,
            ..Request::default()
        }
    }

    #[test]
    fn reads_cookies_across_lines_and_query_args_decoded() {
        let r = req(
            &[("Cookie", "a=1; sid=\"xyz\""), ("cookie", "sid=other")],
            "x=1&token=a%20b+c&token=2",
        );
        assert_eq!(r.cookie("sid"), Some("xyz"));
        assert_eq!(r.cookie("nope"), None);
        assert_eq!(r.query_arg("token").as_deref(), Some("a b c"));
        assert_eq!(r.header("COOKIE"), Some("sid=other"));
    }

    #[test]
    fn malformed_percent_escapes_stay_literal() {
        assert_eq!(decode_component("%"), "%");
        assert_eq!(decode_component("%4"), "%4");
        assert_eq!(decode_component("%zz%41"), "%zzA");
        assert_eq!(decode_component("%ff"), "\u{fffd}");
    }
}
