//! Body parsing: urlencoded forms, JSON (iterative), multipart, XML and text.

use super::normalize::bytes_to_text;
use super::parts::Run;
use super::{BodyStatus, Cap, Part, MAX_JSON_DEPTH};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Inspects a body according to its content type.
pub(crate) fn inspect(run: &mut Run, body: &[u8], content_type: Option<&str>) {
    let cap = run.max_body_bytes();
    let truncated = body.len() > cap;
    let data = if truncated { &body[..cap] } else { body };
    if truncated {
        run.cap(Cap::BodyBytes);
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let mime = ct.split(';').next().unwrap_or("").trim();
    let ok_status = if truncated {
        BodyStatus::Truncated
    } else {
        BodyStatus::Parsed
    };
    let status = if mime == "application/x-www-form-urlencoded" {
        run.pairs(data, "body", Part::Query);
        ok_status
    } else if mime == "application/json"
        || mime.ends_with("+json")
        || (mime.is_empty() && looks_like_json(data))
    {
        // Values are inspected while the document is walked; if it turns out not to be JSON, the
        // findings made so far are dropped and the body is read as text instead.
        let mark = run.mark();
        match json(data, run) {
            Ok(()) => ok_status,
            Err(()) if truncated => BodyStatus::Truncated,
            Err(()) => {
                run.rewind(mark);
                text(run, data);
                BodyStatus::Unparseable
            }
        }
    } else if mime == "multipart/form-data" {
        match boundary(&ct, content_type.unwrap_or("")) {
            Some(b) if multipart(run, data, b.as_bytes()) => ok_status,
            _ => {
                text(run, data);
                BodyStatus::Unparseable
            }
        }
    } else if mime.ends_with("/xml")
        || mime.ends_with("+xml")
        || (mime.is_empty() && data.trim_ascii_start().starts_with(b"<"))
    {
        xml(run, data);
        ok_status
    } else if binary(mime) {
        BodyStatus::Skipped
    } else if mime.is_empty() && looks_like_form(data) {
        run.pairs(data, "body", Part::Query);
        ok_status
    } else {
        text(run, data);
        ok_status
    };
    run.set_body(status);
}

fn binary(mime: &str) -> bool {
    mime.starts_with("image/")
        || mime.starts_with("audio/")
        || mime.starts_with("video/")
        || mime.starts_with("font/")
        || matches!(
            mime,
            "application/octet-stream"
                | "application/zip"
                | "application/gzip"
                | "application/pdf"
                | "application/wasm"
        )
}

fn looks_like_json(data: &[u8]) -> bool {
    matches!(data.trim_ascii_start().first(), Some(b'{' | b'['))
}

fn looks_like_form(data: &[u8]) -> bool {
    let first = data.split(|&b| b == b'&').next().unwrap_or(b"");
    first.contains(&b'=')
        && !first.contains(&b' ')
        && !first.contains(&b'\n')
        && first.iter().position(|&b| b == b'=').unwrap_or(0) > 0
}

/// A body without a usable structure: each line is a value, so that prose far apart cannot combine
/// into one match and the location stays `body`.
pub(crate) fn text(run: &mut Run, data: &[u8]) {
    let s = bytes_to_text(data);
    for line in s.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if !run.budget() {
            return;
        }
        run.check(Part::Text, &|| "body".to_owned(), line);
    }
}

fn xml(run: &mut Run, data: &[u8]) {
    let s = bytes_to_text(data);
    // XXE needs the whole prolog (DOCTYPE with its internal subset), so it reads the document once.
    run.check(Part::Xml, &|| "body".to_owned(), &s);
    // Text nodes and attribute values are what the application reads as data.
    let mut rest: &str = &s;
    while let Some(lt) = rest.find('<') {
        let before = &rest[..lt];
        if !before.trim().is_empty() {
            if !run.budget() {
                return;
            }
            run.check(Part::Value, &|| "body".to_owned(), before.trim());
        }
        let after = &rest[lt..];
        let end = after.find('>').map_or(after.len(), |i| i + 1);
        let tag = &after[..end];
        if tag.starts_with("<![CDATA[") {
            let close = after.find("]]>").map_or(after.len(), |i| i + 3);
            if !run.budget() {
                return;
            }
            run.check(
                Part::Value,
                &|| "body".to_owned(),
                &after[9..close.saturating_sub(3).max(9)],
            );
            rest = &after[close..];
            continue;
        }
        for quoted in tag.split('"').skip(1).step_by(2) {
            if !quoted.is_empty() && run.budget() {
                run.check(Part::Value, &|| "body".to_owned(), quoted);
            }
        }
        rest = &after[end..];
    }
    if !rest.trim().is_empty() && run.budget() {
        run.check(Part::Value, &|| "body".to_owned(), rest.trim());
    }
}

fn boundary(lower_ct: &str, ct: &str) -> Option<String> {
    let i = lower_ct.find("boundary=")?;
    let raw = &ct[i + 9..];
    let raw = raw.split(';').next().unwrap_or("").trim().trim_matches('"');
    (!raw.is_empty() && raw.len() <= 200).then(|| raw.to_owned())
}

/// Multipart: each part's name, filename and (text) content. False when the structure is broken.
fn multipart(run: &mut Run, data: &[u8], boundary: &[u8]) -> bool {
    let mut delim = b"--".to_vec();
    delim.extend_from_slice(boundary);
    let finder = memchr::memmem::Finder::new(&delim);
    let positions: Vec<usize> = finder.find_iter(data).collect();
    if positions.len() < 2 {
        return false;
    }
    for w in positions.windows(2) {
        let part = &data[w[0] + delim.len()..w[1]];
        let part = part
            .strip_prefix(b"\r\n")
            .or_else(|| part.strip_prefix(b"\n"))
            .unwrap_or(part);
        let (head, content) = match memchr::memmem::find(part, b"\r\n\r\n") {
            Some(i) => (&part[..i], &part[i + 4..]),
            None => match memchr::memmem::find(part, b"\n\n") {
                Some(i) => (&part[..i], &part[i + 2..]),
                None => return false,
            },
        };
        let content = content
            .strip_suffix(b"\r\n")
            .or_else(|| content.strip_suffix(b"\n"))
            .unwrap_or(content);
        let head = bytes_to_text(head);
        let mut name = String::new();
        let mut filename: Option<String> = None;
        let mut part_type = String::new();
        for line in head.lines() {
            let (k, v) = line.split_once(':').unwrap_or((line, ""));
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                for p in v.split(';') {
                    let (pk, pv) = p.split_once('=').unwrap_or((p, ""));
                    let pv = pv.trim().trim_matches('"').to_owned();
                    match pk.trim().to_ascii_lowercase().as_str() {
                        "name" => name = pv,
                        "filename" => filename = Some(pv),
                        _ => {}
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part_type = v.trim().to_ascii_lowercase();
            }
        }
        if !run.budget() {
            return true;
        }
        let base = if name.is_empty() {
            "body".to_owned()
        } else {
            format!("body.{name}")
        };
        if !name.is_empty() {
            run.check(Part::Key, &|| base.clone(), &name);
        }
        if let Some(f) = &filename {
            run.check(Part::Value, &|| format!("{base}.filename"), f);
        }
        // File contents are inspected only when they are text: an image is not a parameter.
        let texty = part_type.is_empty()
            || part_type.starts_with("text/")
            || part_type.contains("json")
            || part_type.contains("xml");
        if texty && !content.contains(&0) {
            let value = bytes_to_text(content);
            run.check(Part::Value, &|| base.clone(), &value);
        }
    }
    true
}

enum Frame {
    Object,
    Array(usize),
}

/// Inspects one JSON string (key or value) at the current location.
fn field(run: &mut Run, path: &str, value: &str, key: bool) {
    if !run.budget() {
        return;
    }
    let part = if key { Part::Key } else { Part::Value };
    run.check(part, &|| path.to_owned(), value);
}

/// Walks a JSON document without recursion and inspects every string key and string value with
/// its location (`body.user.name`, `body.items[0]`) as it goes: nothing is copied unless it holds
/// escapes. Deeper than [`MAX_JSON_DEPTH`], locations stop growing (reported as
/// [`Cap::JsonDepth`]) but strings are still inspected. `Err` means the document is not valid JSON.
pub(crate) fn json(data: &[u8], run: &mut Run) -> Result<(), ()> {
    let mut p = Json { b: data, i: 0 };
    let mut stack: Vec<Frame> = Vec::new();
    // Path segments as string lengths, so that popping a level is a truncate.
    let mut path = String::from("body");
    let mut marks: Vec<usize> = Vec::new();
    let mut depth_capped = false;
    p.ws();
    // `expect_value` is true where a value must come next.
    let mut expect_value = true;
    loop {
        p.ws();
        if expect_value {
            match p.peek() {
                Some(b'{') => {
                    p.i += 1;
                    stack.push(Frame::Object);
                    p.ws();
                    if p.peek() == Some(b'}') {
                        p.i += 1;
                        stack.pop();
                    } else {
                        // Read the first key.
                        let key = p.string()?;
                        push_key(&mut path, &mut marks, &key, stack.len(), &mut depth_capped);
                        field(run, &path, &key, true);
                        p.ws();
                        p.eat(b':')?;
                        continue;
                    }
                }
                Some(b'[') => {
                    p.i += 1;
                    stack.push(Frame::Array(0));
                    p.ws();
                    if p.peek() == Some(b']') {
                        p.i += 1;
                        stack.pop();
                    } else {
                        push_index(&mut path, &mut marks, 0, stack.len(), &mut depth_capped);
                        continue;
                    }
                }
                Some(b'"') => {
                    let v = p.string()?;
                    field(run, &path, &v, false);
                }
                Some(_) => p.scalar()?,
                None => return Err(()),
            }
        }
        // After a value: close containers or move to the next member.
        p.ws();
        let Some(top) = stack.last_mut() else {
            break;
        };
        match (top, p.peek()) {
            (Frame::Object, Some(b',')) => {
                p.i += 1;
                pop_seg(&mut path, &mut marks);
                p.ws();
                let key = p.string()?;
                push_key(&mut path, &mut marks, &key, stack.len(), &mut depth_capped);
                field(run, &path, &key, true);
                p.ws();
                p.eat(b':')?;
                expect_value = true;
            }
            (Frame::Array(n), Some(b',')) => {
                p.i += 1;
                *n += 1;
                let n = *n;
                pop_seg(&mut path, &mut marks);
                push_index(&mut path, &mut marks, n, stack.len(), &mut depth_capped);
                expect_value = true;
            }
            (Frame::Object, Some(b'}')) | (Frame::Array(_), Some(b']')) => {
                p.i += 1;
                pop_seg(&mut path, &mut marks);
                stack.pop();
                expect_value = false;
            }
            _ => return Err(()),
        }
    }
    if depth_capped {
        run.cap(Cap::JsonDepth);
    }
    p.ws();
    if p.i == data.len() {
        Ok(())
    } else {
        Err(())
    }
}

fn push_key(path: &mut String, marks: &mut Vec<usize>, key: &str, depth: usize, capped: &mut bool) {
    marks.push(path.len());
    if depth > MAX_JSON_DEPTH {
        *capped = true;
        return;
    }
    path.push('.');
    // Keys are attacker-chosen: keep the location printable and short.
    if key.len() <= 64 && key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        path.push_str(key);
        return;
    }
    for c in key.chars().take(64) {
        if c.is_control() {
            path.push('?');
        } else {
            path.push(c);
        }
    }
}

fn push_index(
    path: &mut String,
    marks: &mut Vec<usize>,
    n: usize,
    depth: usize,
    capped: &mut bool,
) {
    marks.push(path.len());
    if depth > MAX_JSON_DEPTH {
        *capped = true;
        return;
    }
    path.push('[');
    let _ = write!(path, "{n}");
    path.push(']');
}

fn pop_seg(path: &mut String, marks: &mut Vec<usize>) {
    if let Some(m) = marks.pop() {
        path.truncate(m);
    }
}

struct Json<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Json<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), ()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    /// Numbers, `true`, `false`, `null`: validated loosely (their content is never an attack).
    fn scalar(&mut self) -> Result<(), ()> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.') {
                self.i += 1;
            } else {
                break;
            }
        }
        let tok = &self.b[start..self.i];
        let ok = matches!(tok, b"true" | b"false" | b"null")
            || (!tok.is_empty()
                && tok
                    .iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')));
        if ok {
            Ok(())
        } else {
            Err(())
        }
    }

    fn string(&mut self) -> Result<Cow<'a, str>, ()> {
        self.eat(b'"')?;
        let start = self.i;
        // Fast path: no escapes.
        let rest = &self.b[start..];
        let end = memchr::memchr2(b'"', b'\\', rest).ok_or(())?;
        if rest[end] == b'"' {
            self.i = start + end + 1;
            return Ok(bytes_to_text(&rest[..end]));
        }
        let mut out: Vec<u8> = rest[..end].to_vec();
        self.i = start + end;
        loop {
            let c = self.peek().ok_or(())?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or(())?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let hex = self.b.get(self.i..self.i + 4).ok_or(())?;
                            let s = std::str::from_utf8(hex).map_err(|_| ())?;
                            let mut cp = u32::from_str_radix(s, 16).map_err(|_| ())?;
                            self.i += 4;
                            if (0xd800..0xdc00).contains(&cp)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                if let Some(lo) = self
                                    .b
                                    .get(self.i + 2..self.i + 6)
                                    .and_then(|h| std::str::from_utf8(h).ok())
                                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                                {
                                    if (0xdc00..0xe000).contains(&lo) {
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                        self.i += 6;
                                    }
                                }
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(()),
                    }
                }
                _ => out.push(c),
            }
        }
        Ok(Cow::Owned(bytes_to_text(&out).into_owned()))
    }
}
