//! Field cases em-010..em-060 (em-050 lives with the DNS test in `email_mx.rs`), options, hostile
//! inputs and classification.

use std::time::{Duration, Instant};

use palisade::config::ConfigErrorKind;
use palisade::email::{is_disposable_domain, validate, EmailType, Options, Reason, Verdict};
use serde_json::json;

fn check(address: &str) -> Verdict {
    validate(address, &Options::default())
}

fn assert_invalid(address: &str, reason: Reason) {
    let v = check(address);
    assert!(!v.valid, "{address:?} should be invalid");
    assert_eq!(v.types, vec![EmailType::Invalid], "{address:?}");
    assert_eq!(v.reasons, vec![reason], "{address:?}");
    assert_eq!(v.normalized, None);
}

#[test]
fn regression_em_010_replacement_character_after_domain_is_invalid() {
    assert_invalid("username@domain.com\u{FFFD}", Reason::InvalidCharacter);
    // The same fault anywhere: the JS layer turns every lone surrogate into U+FFFD.
    assert_invalid("\u{FFFD}@example.com", Reason::InvalidCharacter);
    assert_invalid("a\u{FFFD}b@example.com", Reason::InvalidCharacter);
    let quoted = Options {
        allow_quoted: true,
        ..Options::default()
    };
    assert!(!validate("\"\u{FFFD}\"@example.com", &quoted).valid);
}

#[test]
fn regression_em_020_single_label_domain_needs_an_explicit_option() {
    assert_invalid("invalid@email", Reason::MissingTld);
    let lax = Options {
        require_top_level_domain: false,
        ..Options::default()
    };
    let v = validate("invalid@email", &lax);
    assert!(v.valid);
    assert_eq!(v.normalized.as_deref(), Some("invalid@email"));
    assert!(v.reasons.is_empty());
}

#[test]
fn regression_em_030_fifty_thousand_angle_brackets_fail_fast() {
    let input = "<".repeat(50_000);
    let started = Instant::now();
    let v = check(&input);
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(v.reasons, vec![Reason::TooLong]);
    assert!(!v.valid);
    // Short enough to reach the parser: still a typed fault, never a panic.
    assert_invalid(&"<".repeat(200), Reason::MissingAt);
    assert_invalid(
        &format!("{}@example.com", "<".repeat(50)),
        Reason::InvalidCharacter,
    );
    assert_invalid(&format!("a@{}", "<".repeat(100)), Reason::InvalidCharacter);
}

#[test]
fn regression_em_040_punycode_and_unicode_domains_agree() {
    let a = check("test@xn--umlut-ira.com");
    let b = check("test@umläut.com");
    assert!(a.valid && b.valid);
    assert_eq!(a.normalized.as_deref(), Some("test@xn--umlut-ira.com"));
    assert_eq!(a, b);
    assert_eq!(
        check("test@UMLÄUT.com").normalized.as_deref(),
        Some("test@xn--umlut-ira.com")
    );
    assert_eq!(
        check("test@XN--UMLUT-IRA.COM").normalized.as_deref(),
        Some("test@xn--umlut-ira.com")
    );
    // A label that claims to be punycode but does not decode is not a domain.
    assert_invalid("test@xn--a.com", Reason::InvalidIdn);
}

#[test]
fn regression_em_060_random_subdomain_of_a_listed_domain_is_disposable() {
    // mailinator.com is listed in every source of the embedded union.
    for address in [
        "user@mailinator.com",
        "user@jzxz.mailinator.com",
        "user@a.b.c.mailinator.com",
    ] {
        let v = check(address);
        assert!(v.valid, "{address}");
        assert!(v.has(EmailType::Disposable), "{address}: {v:?}");
    }
    // Parents stop at the registrable domain: a public suffix is never looked up on its own.
    assert!(!check("user@co.uk").has(EmailType::Disposable));
    assert!(!check("user@notlisted-palisade-test.com").has(EmailType::Disposable));
    assert!(is_disposable_domain("JZXZ.Mailinator.COM"));
    assert!(!is_disposable_domain("gmail.com"));
}

#[test]
fn length_limits_have_their_own_reasons() {
    let local64 = "a".repeat(64);
    assert!(check(&format!("{local64}@example.com")).valid);
    assert_invalid(
        &format!("{}@example.com", "a".repeat(65)),
        Reason::LocalPartTooLong,
    );
    let label63 = "b".repeat(63);
    assert!(check(&format!("x@{label63}.com")).valid);
    assert_invalid(&format!("x@{}.com", "b".repeat(64)), Reason::LabelTooLong);
    // 254 bytes in all is the limit.
    let domain = format!(
        "{}.{}.{}.{}",
        "c".repeat(63),
        "d".repeat(63),
        "e".repeat(63),
        "f".repeat(59)
    );
    let at_limit = format!("ab@{domain}");
    assert_eq!(at_limit.len(), 254);
    assert!(check(&at_limit).valid, "{}", at_limit.len());
    assert_invalid(&format!("abc@{domain}"), Reason::TooLong);
    // A short Unicode domain whose punycode form is too long for a label.
    let long_unicode = format!("x@{}.com", "ä".repeat(60));
    assert_invalid(&long_unicode, Reason::LabelTooLong);
}

#[test]
fn structural_faults_have_typed_reasons() {
    assert_invalid("", Reason::Empty);
    assert_invalid("plainaddress", Reason::MissingAt);
    assert_invalid("@example.com", Reason::MissingLocalPart);
    assert_invalid("user@", Reason::MissingDomain);
    assert_invalid(".user@example.com", Reason::LeadingDot);
    assert_invalid("user.@example.com", Reason::TrailingDot);
    assert_invalid("us..er@example.com", Reason::ConsecutiveDots);
    assert_invalid("user@.example.com", Reason::LeadingDot);
    assert_invalid("user@example.com.", Reason::TrailingDot);
    assert_invalid("user@example..com", Reason::ConsecutiveDots);
    assert_invalid("user@-example.com", Reason::HyphenAtLabelEdge);
    assert_invalid("user@example-.com", Reason::HyphenAtLabelEdge);
    assert_invalid("user@_example.com", Reason::InvalidCharacter);
    assert_invalid("us er@example.com", Reason::InvalidCharacter);
    assert_invalid("a@b@example.com", Reason::InvalidCharacter);
    assert_invalid("user@example.c", Reason::InvalidTld);
    assert_invalid("user@192.168.0.1", Reason::InvalidTld);
    assert_invalid("\"john doe\"@example.com", Reason::QuotedLocalPart);
    assert_invalid("user@[192.0.2.1]", Reason::DomainLiteral);
    assert_invalid("user@exa\u{3000}mple.com", Reason::InvalidCharacter);
    assert_invalid("user\u{00A0}x@example.com", Reason::InvalidCharacter);
    assert_invalid("user@exam\u{200B}ple.com", Reason::InvalidCharacter);
}

#[test]
fn control_characters_are_invalid_everywhere() {
    for c in ['\0', '\t', '\n', '\r', '\u{7}', '\u{7F}', '\u{85}'] {
        for address in [
            format!("a{c}b@example.com"),
            format!("ab@exa{c}mple.com"),
            format!("{c}ab@example.com"),
        ] {
            assert_invalid(&address, Reason::InvalidCharacter);
        }
    }
}

#[test]
fn options_widen_the_grammar() {
    let all = Options {
        require_top_level_domain: false,
        allow_domain_literal: true,
        allow_quoted: true,
        allow_utf8_local_part: true,
    };
    for (address, normalized) in [
        ("\"john doe\"@example.com", "\"john doe\"@example.com"),
        ("\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com"),
        ("\"\"@example.com", "\"\"@example.com"),
        ("user@[192.0.2.1]", "user@[192.0.2.1]"),
        ("user@[IPv6:2001:DB8::1]", "user@[IPv6:2001:db8::1]"),
        ("user@localhost", "user@localhost"),
    ] {
        let v = validate(address, &all);
        assert!(v.valid, "{address}: {v:?}");
        assert_eq!(v.normalized.as_deref(), Some(normalized));
    }
    for (address, reason) in [
        ("\"unclosed@example.com", Reason::UnclosedQuote),
        ("\"a\"b@example.com", Reason::UnclosedQuote),
        ("user@[300.1.1.1]", Reason::InvalidDomainLiteral),
        ("user@[tag:anything]", Reason::InvalidDomainLiteral),
        ("user@[192.0.2.1", Reason::InvalidDomainLiteral),
    ] {
        assert_eq!(validate(address, &all).reasons, vec![reason], "{address}");
    }
    let ascii_only = Options {
        allow_utf8_local_part: false,
        ..Options::default()
    };
    assert_eq!(
        validate("josé@example.com", &ascii_only).reasons,
        vec![Reason::NonAsciiLocalPart]
    );
    assert!(check("josé@example.com").valid);
}

#[test]
fn options_are_read_from_json_with_exact_errors() {
    let o = Options::from_value(&json!({}), "rules[0]").expect("empty is fine");
    assert_eq!(o, Options::default());
    let o = Options::from_value(
        &json!({"requireTopLevelDomain": false, "allowQuoted": true, "allowDomainLiteral": true,
                "allowUtf8LocalPart": false, "type": "EMAIL", "mode": "LIVE", "deny": ["DISPOSABLE"],
                "checkMx": true, "mxTimeoutMs": 500}),
        "rules[0]",
    )
    .expect("all keys known");
    assert!(
        !o.require_top_level_domain
            && o.allow_quoted
            && o.allow_domain_literal
            && !o.allow_utf8_local_part
    );
    let e = Options::from_value(&json!({"allowQuote": true}), "rules[2]").unwrap_err();
    assert_eq!(e.kind, ConfigErrorKind::Unknown);
    assert_eq!(e.path, "rules[2].allowQuote");
    assert_eq!(e.code(), "PALISADE_CONFIG_UNKNOWN");
    let e = Options::from_value(&json!({"allowQuoted": "yes"}), "email").unwrap_err();
    assert_eq!(e.kind, ConfigErrorKind::Type);
    assert_eq!(e.path, "email.allowQuoted");
    let e = Options::from_value(&json!([1]), "email").unwrap_err();
    assert_eq!(e.kind, ConfigErrorKind::Type);
}

#[test]
fn hostile_inputs_end_in_a_typed_reason_quickly() {
    let huge = "a".repeat(10_000_000);
    let inputs = [
        huge.clone(),
        format!("{huge}@example.com"),
        format!("a@{huge}"),
        ".".repeat(1_000),
        ".".repeat(200),
        format!("a@{}", ".".repeat(200)),
        format!("{}@a.com", ".".repeat(60)),
        "@".repeat(1_000),
        "@".repeat(100),
        "\"".repeat(100),
        format!("\"{}@a.com", "\\".repeat(60)),
        "\u{FFFD}".repeat(80),
        "\u{0}".repeat(250),
        format!("a@{}", "ä.".repeat(80)),
        format!("a@{}com", "xn--.".repeat(40)),
        format!("a@{}", "-".repeat(250)),
        format!("a@[{}]", ":".repeat(200)),
    ];
    let lax = Options {
        require_top_level_domain: false,
        allow_domain_literal: true,
        allow_quoted: true,
        allow_utf8_local_part: true,
    };
    for input in &inputs {
        for opts in [&Options::default(), &lax] {
            let started = Instant::now();
            let v = validate(input, opts);
            assert!(
                started.elapsed() < Duration::from_millis(50),
                "slow on {:?}",
                &input[..input.len().min(20)]
            );
            assert!(!v.valid, "{:?}", &input[..input.len().min(40)]);
            assert_eq!(v.reasons.len(), 1);
            assert_eq!(v.types, vec![EmailType::Invalid]);
        }
    }
}

#[test]
fn free_role_and_typo_classification() {
    let v = check("someone@gmail.com");
    assert_eq!(v.types, vec![EmailType::Free]);
    assert_eq!(v.suggestion, None);
    let v = check("Admin@example.com");
    assert_eq!(v.types, vec![EmailType::Role]);
    let v = check("no-reply+x@gmail.com");
    assert_eq!(v.types, vec![EmailType::Free, EmailType::Role]);
    assert!(check("postmaster@example.org").has(EmailType::Role));
    assert!(!check("adminton@example.org").has(EmailType::Role));
    assert!(check("jo@example.org").types.is_empty());
    for (typo, fixed) in [
        ("jo@gmial.com", "jo@gmail.com"),
        ("jo@gmal.com", "jo@gmail.com"),
        ("jo@hotmial.com", "jo@hotmail.com"),
        ("jo@yaho.com", "jo@yahoo.com"),
        ("jo@outlok.com", "jo@outlook.com"),
        ("jo@GMAIL.CON", "jo@gmail.com"),
        ("jo@outlook.co", "jo@outlook.com"),
        ("jo@icloud.co", "jo@icloud.com"),
    ] {
        let v = check(typo);
        assert!(v.valid);
        assert_eq!(v.suggestion.as_deref(), Some(fixed), "{typo}");
    }
    // Typosquatted domains are disposable-listed and still get the suggestion.
    assert_eq!(check("jo@gmial.com").types, vec![EmailType::Disposable]);
    // Known and unrelated domains get no suggestion.
    for address in [
        "jo@ymail.com",
        "jo@mail.com",
        "jo@example.com",
        "jo@gmail.com",
    ] {
        assert_eq!(check(address).suggestion, None, "{address}");
    }
}

#[test]
fn names_are_stable() {
    assert_eq!(EmailType::NoMxRecords.as_str(), "NO_MX_RECORDS");
    assert_eq!(EmailType::Disposable.as_str(), "DISPOSABLE");
    assert_eq!(Reason::LocalPartTooLong.as_str(), "LOCAL_PART_TOO_LONG");
    assert_eq!(Reason::InvalidIdn.as_str(), "INVALID_IDN");
}

/// A small deterministic generator, so the invariant test needs no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_inputs_never_panic_and_normalization_is_idempotent() {
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "0",
        ".",
        "..",
        "@",
        "-",
        "_",
        "+",
        "\"",
        "\\",
        "[",
        "]",
        ":",
        " ",
        "ä",
        "ß",
        "郵",
        "😆",
        "xn--",
        "IPv6:",
        "::1",
        "192.0.2.1",
        "com",
        "\u{FFFD}",
        "\u{200B}",
        "。",
        "ｇ",
        "\u{0}",
        "\r\n",
        "mailinator",
        "gmail",
    ];
    let all = Options {
        require_top_level_domain: false,
        allow_domain_literal: true,
        allow_quoted: true,
        allow_utf8_local_part: true,
    };
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut valid = 0;
    for _ in 0..20_000 {
        // Mostly address-shaped (piece soup, `@`, piece soup), sometimes pure soup.
        let soup = |rng: &mut Rng, max: u64| -> String {
            let len = 1 + rng.next() % max;
            (0..len)
                .map(|_| {
                    let r = rng.next();
                    // Two in three pieces are plain letters/digits so that valid shapes occur.
                    let i = if r.is_multiple_of(3) {
                        (r >> 8) % PIECES.len() as u64
                    } else {
                        (r >> 8) % 3
                    };
                    PIECES[i as usize]
                })
                .collect()
        };
        let s = if rng.next().is_multiple_of(4) {
            soup(&mut rng, 24)
        } else {
            let local = soup(&mut rng, 8);
            let domain = soup(&mut rng, 8);
            let tld = if rng.next().is_multiple_of(2) {
                ".com"
            } else {
                ""
            };
            format!("{local}@{domain}{tld}")
        };
        for opts in [&Options::default(), &all] {
            let v = validate(&s, opts);
            assert_eq!(v.valid, v.reasons.is_empty(), "{s:?}");
            assert_eq!(v.valid, v.normalized.is_some(), "{s:?}");
            if let Some(n) = &v.normalized {
                valid += 1;
                assert!(n.len() <= 254);
                let again = validate(n, opts);
                assert_eq!(
                    again.normalized.as_deref(),
                    Some(n.as_str()),
                    "{s:?} -> {n:?}"
                );
                assert_eq!(again.types, v.types, "{s:?}");
            }
        }
    }
    // The generator must actually reach the valid side, or the idempotence check proves nothing.
    assert!(valid > 100, "only {valid} valid inputs generated");
}

#[test]
fn preload_reports_one_hash_table_with_room_to_spare() {
    let lines = |text: &str| text.split_terminator('\n').count();
    let domains = lines(include_str!("../data/email/disposable-domains.txt"))
        + lines(include_str!("../data/email/free-domains.txt"));
    assert!(domains > 160_000);
    // Four bytes per slot, at most two thirds of the slots used, and no more than 1 MB in all.
    let heap = palisade::email::preload();
    assert!(
        heap >= 4 * domains * 3 / 2 && heap <= 1 << 20,
        "{heap} bytes for {domains} domains"
    );
}

#[test]
fn every_reason_and_type_is_listed_once_in_all() {
    // The exhaustive matches stop compiling when a variant is added, as a reminder to list it:
    // the binding sends reasons and types to JavaScript as indexes into these lists.
    let reason_listed = |r: Reason| match r {
        Reason::Empty
        | Reason::TooLong
        | Reason::LocalPartTooLong
        | Reason::DomainTooLong
        | Reason::LabelTooLong
        | Reason::MissingAt
        | Reason::MissingLocalPart
        | Reason::MissingDomain
        | Reason::MissingTld
        | Reason::InvalidTld
        | Reason::InvalidCharacter
        | Reason::NonAsciiLocalPart
        | Reason::ConsecutiveDots
        | Reason::LeadingDot
        | Reason::TrailingDot
        | Reason::HyphenAtLabelEdge
        | Reason::QuotedLocalPart
        | Reason::UnclosedQuote
        | Reason::DomainLiteral
        | Reason::InvalidDomainLiteral
        | Reason::InvalidIdn => Reason::ALL.iter().filter(|&&a| a == r).count() == 1,
    };
    let type_listed = |t: EmailType| match t {
        EmailType::Invalid
        | EmailType::Disposable
        | EmailType::Free
        | EmailType::NoMxRecords
        | EmailType::Role => EmailType::ALL.iter().filter(|&&a| a == t).count() == 1,
    };
    assert!(Reason::ALL.into_iter().all(reason_listed));
    assert!(EmailType::ALL.into_iter().all(type_listed));
    assert!(reason_listed(Reason::InvalidIdn) && type_listed(EmailType::Role));
}

#[test]
fn classify_agrees_with_validate_and_borrows_the_input_when_it_is_already_normal() {
    use palisade::email::{classify, DomainBuf};
    for address in [
        "jane.doe@example.com",
        "Jane.Doe+news@Example.COM",
        "admin@gmial.com",
        "x@mailinator.com",
        "jo@gmail.com",
        "josé@bücher.de",
        "user@localhost",
        "",
    ] {
        let v = check(address);
        let mut buf = DomainBuf::default();
        match classify(address, &Options::default(), &mut buf) {
            Ok(c) => {
                assert!(v.valid, "{address:?}");
                assert_eq!(c.types().collect::<Vec<_>>(), v.types, "{address:?}");
                assert_eq!(Some(c.normalized()), v.normalized, "{address:?}");
                assert_eq!(c.suggestion(), v.suggestion, "{address:?}");
                assert_eq!(
                    c.normalized_is(address),
                    v.normalized.as_deref() == Some(address),
                    "{address:?}"
                );
            }
            Err(reason) => assert_eq!(v.reasons, vec![reason], "{address:?}"),
        }
    }
}

/// A domain whose punycode runs past the 253-byte scratch in the middle of a label: idna 1.1 would
/// panic (`unreachable!`) if the sink failed there; the verdict is that the domain is too long.
#[test]
fn idn_domain_longer_than_the_scratch_is_too_long_not_a_panic() {
    let opts = palisade::email::Options::default();
    for n in [30, 40, 55, 60] {
        let label = format!("{}x", "ü".repeat(n));
        let address = format!("u@{}.com", vec![label; 8].join("."));
        let v = palisade::email::validate(&address, &opts);
        assert!(!v.valid, "{address}");
        assert!(
            v.reasons
                .iter()
                .any(|r| format!("{r:?}").contains("TooLong")),
            "{address}: {:?}",
            v.reasons
        );
    }
    let fuzz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz/email/crash-68017bf25e762e8181de19cc69ab074c11412638"
    ))
    .unwrap();
    let v = palisade::email::validate(&String::from_utf8_lossy(&fuzz), &opts);
    assert!(!v.valid);
}
