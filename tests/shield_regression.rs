//! Field cases at-010..at-090 from `/work/shared/cases/README.md`: inputs that broke similar tools.

use palisade::shield::{Family, Input, Options, Report, Shield};

fn shield() -> Shield {
    Shield::new(Options::default())
}

fn json(body: &str) -> Report {
    let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    shield().inspect(&Input {
        method: "POST",
        url: "/api",
        headers: &headers,
        body: Some(body.as_bytes()),
        content_type: None,
    })
}

fn get(url: &str, headers: &[(String, String)]) -> Report {
    shield().inspect(&Input {
        method: "GET",
        url,
        headers,
        body: None,
        content_type: None,
    })
}

#[test]
fn regression_at_010_serialized_json_inside_a_json_string_is_benign() {
    let r = json(
        r#"{"parentId":"9L12rBWAt104N0zBgW10","children":[{"id":"9L12rBWAt104N0zBgW12","coordinates":"{\"desktop\":{\"sizex\":4,\"sizey\":6,\"row\":1,\"col\":5}}"}]}"#,
    );
    assert!(!r.attack(), "{:?}", r.findings);
}

#[test]
fn regression_at_020_newline_before_a_word_is_not_a_chained_command() {
    let r = json(r#"{"ljfhg": "\nMeasure"}"#);
    assert!(!r.attack(), "{:?}", r.findings);
}

#[test]
fn regression_at_030_markdown_with_a_placeholder_and_utf8_is_benign() {
    let r = json(
        "{\"doc\": \"# company\\n\\n## Technik\\n\\n### Netzwerk Grünwald\\n\\n#### <Daten>\"}",
    );
    assert!(!r.attack(), "{:?}", r.findings);
}

#[test]
fn regression_at_040_standard_accept_header_never_scores() {
    let headers = vec![("Accept".to_owned(), "image/*;q=0.8".to_owned())];
    let r = get("/", &headers);
    assert!(!r.attack(), "{:?}", r.findings);
    // Even a value that would score elsewhere is not read from a standard header.
    let headers = vec![("Accept-Language".to_owned(), "' OR 1=1--".to_owned())];
    assert!(!get("/", &headers).attack());
}

#[test]
fn regression_at_050_opaque_id_with_double_dash_is_benign() {
    let r = json(r#"{"ids": ["006--u-m4YIaIyga-cq8yK"]}"#);
    assert!(!r.attack(), "{:?}", r.findings);
}

#[test]
fn regression_at_060_sqli_inside_a_json_field_is_found_at_its_location() {
    let r = json(r#"{"text": "') AND (SELECT 1970 FROM (SELECT(SLEEP(5)))pQyY)-- pLgG"}"#);
    let f = r
        .findings
        .iter()
        .find(|f| f.family == Family::Sqli)
        .expect("sqli finding");
    assert_eq!(f.location, "body.text");
    // The same payload nested deeper keeps its full location.
    let r = json(
        r#"{"user": {"bio": ["x", "') AND (SELECT 1970 FROM (SELECT(SLEEP(5)))pQyY)-- pLgG"]}}"#,
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.family == Family::Sqli && f.location == "body.user.bio[1]"),
        "{:?}",
        r.findings
    );
}

#[test]
fn regression_at_070_form_value_or_1_eq_1_is_sqli_with_and_without_trailing_quote() {
    for value in ["%27+OR+1%3D1%3B%27", "%27+OR+1%3D1%3B"] {
        let body = format!("name={value}");
        let r = shield().inspect(&Input {
            method: "POST",
            url: "/login",
            headers: &[],
            body: Some(body.as_bytes()),
            content_type: Some("application/x-www-form-urlencoded"),
        });
        let f = r
            .findings
            .iter()
            .find(|f| f.family == Family::Sqli)
            .unwrap_or_else(|| panic!("sqli for {value}"));
        assert_eq!(f.location, "body.name");
    }
}

#[test]
fn regression_at_080_backslash_traversal_in_a_query_parameter() {
    let r = get("/download?a=..\\secret", &[]);
    assert!(
        r.findings
            .iter()
            .any(|f| f.family == Family::Traversal && f.location == "query.a"),
        "{:?}",
        r.findings
    );
    let r = get("/download?a=..%5Csecret", &[]);
    assert!(r.has(Family::Traversal), "{:?}", r.findings);
}

#[test]
fn regression_at_090_sqli_in_a_path_segment_with_and_without_trailing_slash() {
    for url in [
        "/id/365059-1)%20OR%20556=(SELECT%20556%20FROM%20PG_SLEEP(15))/",
        "/id/365059-1)%20OR%20556=(SELECT%20556%20FROM%20PG_SLEEP(15))",
    ] {
        let r = get(url, &[]);
        assert!(
            r.findings
                .iter()
                .any(|f| f.family == Family::Sqli && f.location == "path.segment[1]"),
            "{url}: {:?}",
            r.findings
        );
    }
}
