//! Hostile inputs: each must produce a verdict without panicking (no timing asserts).

use std::fmt::Write as _;

use palisade::shield::{BodyStatus, Cap, Family, Input, Options, Shield};

fn inspect(
    url: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    ct: Option<&str>,
) -> palisade::shield::Report {
    Shield::new(Options::default()).inspect(&Input {
        method: "POST",
        url,
        headers,
        body,
        content_type: ct,
    })
}

#[test]
fn invalid_utf8_everywhere_gets_a_verdict() {
    let body: &[u8] = b"{\"a\": \"\xff\xfe' OR 1=1--\"}";
    let r = inspect(
        "/%ff%fe?q=%c3%28%27%20or%201=1--",
        &[],
        Some(body),
        Some("application/json"),
    );
    // The JSON is not valid UTF-8 inside the string, yet the payload is still seen.
    assert!(r.has(Family::Sqli), "{:?}", r.findings);
    let r = inspect(
        "/",
        &[],
        Some(b"\xc0\xae\xc0\xae/\xc0\xae\xc0\xae/etc/passwd"),
        Some("text/plain"),
    );
    assert!(r.has(Family::Traversal), "{:?}", r.findings);
}

#[test]
fn ten_thousand_deep_json_gives_a_verdict_and_reports_the_depth_cap() {
    let mut s = String::new();
    for _ in 0..10_000 {
        s.push_str("{\"a\":[");
    }
    s.push_str("\"' OR 1=1--\"");
    for _ in 0..10_000 {
        s.push_str("]}");
    }
    let r = inspect("/", &[], Some(s.as_bytes()), Some("application/json"));
    assert!(
        r.caps.contains(&Cap::JsonDepth) || r.body == BodyStatus::Truncated,
        "{:?}",
        r.caps
    );
    // The deep value is inside the body cap only if the document fits; either way no panic.
    let deep = "[".repeat(10_000);
    let r = inspect("/", &[], Some(deep.as_bytes()), Some("application/json"));
    assert_eq!(r.body, BodyStatus::Unparseable);
}

#[test]
fn ten_megabyte_body_is_truncated_to_the_cap() {
    let mut body = vec![b'a'; 10 * 1024 * 1024];
    body[..20].copy_from_slice(b"x=<script>alert(1)//");
    let r = inspect(
        "/",
        &[],
        Some(&body),
        Some("application/x-www-form-urlencoded"),
    );
    assert_eq!(r.body, BodyStatus::Truncated);
    assert!(r.caps.contains(&Cap::BodyBytes));
    assert!(r.has(Family::Xss), "{:?}", r.findings);
}

#[test]
fn hundred_thousand_query_args_hit_the_value_cap() {
    let mut url = String::from("/?");
    for i in 0..100_000 {
        let _ = write!(url, "k{i}=v&");
    }
    let r = inspect(&url, &[], None, None);
    assert!(
        r.caps.contains(&Cap::Values) || r.caps.contains(&Cap::UrlBytes),
        "{:?}",
        r.caps
    );
    assert!(!r.attack());
}

#[test]
fn broken_multipart_is_inspected_as_text() {
    let ct = "multipart/form-data; boundary=XyZ";
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n<script>alert(1)</script>";
    let r = inspect("/", &[], Some(body), Some(ct));
    assert_eq!(r.body, BodyStatus::Unparseable);
    assert!(r.has(Family::Xss), "{:?}", r.findings);
    let good =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\n' OR 1=1--\r\n--XyZ--\r\n";
    let r = inspect("/", &[], Some(good), Some(ct));
    assert_eq!(r.body, BodyStatus::Parsed);
    assert!(
        r.findings
            .iter()
            .any(|f| f.location == "body.bio" && f.family == Family::Sqli),
        "{:?}",
        r.findings
    );
}

#[test]
fn many_headers_hit_the_header_cap() {
    let headers: Vec<(String, String)> = (0..500)
        .map(|i| (format!("x-h{i}"), "v".to_owned()))
        .collect();
    let r = inspect("/", &headers, None, None);
    assert!(r.caps.contains(&Cap::Headers));
}

#[test]
fn long_runs_of_special_characters_get_a_verdict() {
    for s in [
        "'".repeat(100_000),
        "<".repeat(100_000),
        "${".repeat(50_000),
        "%25".repeat(30_000),
        "../".repeat(30_000),
    ] {
        let body = serde_json::json!({ "v": s }).to_string();
        let _ = inspect("/", &[], Some(body.as_bytes()), Some("application/json"));
    }
}
