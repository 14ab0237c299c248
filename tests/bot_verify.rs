//! Verification of claimed crawlers against published address blocks.

use std::net::IpAddr;

use palisade::bot::verify::{Ranges, Verification};
use palisade::bot::Detector;
use palisade::config::ConfigErrorKind;

const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn googlebot_from_google_is_verified_and_from_elsewhere_is_spoofed() {
    let claim = Detector::builtin().classify(GOOGLEBOT);
    let ranges = Ranges::builtin();
    assert_eq!(
        ranges.verify(&claim, ip("66.249.66.1")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&claim, ip("::ffff:66.249.66.1")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&claim, ip("2001:4860:4801:10::1")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&claim, ip("66.249.96.1")),
        Verification::Spoofed
    );
    assert_eq!(
        ranges.verify(&claim, ip("203.0.113.9")),
        Verification::Spoofed
    );
}

#[test]
fn bots_without_published_ranges_and_humans_are_unverifiable() {
    let ranges = Ranges::builtin();
    let curl = Detector::builtin().classify("curl/8.5.0");
    assert_eq!(
        ranges.verify(&curl, ip("66.249.66.1")),
        Verification::Unverifiable
    );
    let human = Detector::builtin()
        .classify("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
    assert_eq!(
        ranges.verify(&human, ip("1.2.3.4")),
        Verification::Unverifiable
    );
}

#[test]
fn every_builtin_range_names_a_known_bot() {
    let detector = Detector::builtin();
    let ids: Vec<&str> = Ranges::builtin().ids().collect();
    assert!(ids.len() >= 4);
    for id in ids {
        assert!(detector.is_known_id(id), "{id}");
    }
}

#[test]
fn ranges_reload_from_a_file_and_vendor_json() {
    let dir = std::env::temp_dir().join(format!("palisade-ranges-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ranges.txt");
    std::fs::write(&file, "# test\nGOOGLE_CRAWLER 192.0.2.0/24\n").unwrap();
    let mut ranges = Ranges::builtin().clone();
    ranges.update(Ranges::from_file(&file).unwrap());
    let claim = Detector::builtin().classify(GOOGLEBOT);
    assert_eq!(
        ranges.verify(&claim, ip("192.0.2.7")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&claim, ip("66.249.66.1")),
        Verification::Spoofed
    );

    let json = r#"{"creationTime": "2026-01-01", "prefixes": [{"ipv4Prefix": "198.51.100.0/24"}, {"ipv6Prefix": "2001:db8::/32"}]}"#;
    let vendor = Ranges::from_vendor_json("GOOGLE_CRAWLER", json, "googlebot.json").unwrap();
    assert_eq!(
        vendor.verify(&claim, ip("2001:db8::5")),
        Verification::Verified
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_range_files_fail_with_the_line() {
    let bad = Ranges::parse(
        "GOOGLE_CRAWLER 66.249.64.0/19\nBING_CRAWLER 10.0.0.0/33\n",
        "r.txt",
    )
    .unwrap_err();
    assert_eq!(
        (bad.kind, bad.path.as_str()),
        (ConfigErrorKind::Cidr, "r.txt:2")
    );
    let shape = Ranges::parse("JUST_AN_ID\n", "r.txt").unwrap_err();
    assert_eq!(
        (shape.kind, shape.path.as_str()),
        (ConfigErrorKind::Type, "r.txt:1")
    );
    let json = Ranges::from_vendor_json("X", r#"{"prefixes": [{"ipv4Prefix": "nope"}]}"#, "x.json")
        .unwrap_err();
    assert_eq!(
        (json.kind, json.path.as_str()),
        (ConfigErrorKind::Cidr, "x.json.prefixes[0]")
    );
    let missing = Ranges::from_file(std::path::Path::new("/nonexistent/ranges.txt")).unwrap_err();
    assert_eq!(missing.kind, ConfigErrorKind::Missing);
}
