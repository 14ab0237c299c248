//! Accuracy of `palisade::email` against the shared corpora.
//!
//! `cargo run --release --no-default-features --example accuracy_email -- [CORPORA_DIR]`
//! (default `../shared/corpora`). Ends with three machine-readable lines:
//! `isemail_agreement: P%`, `disposable_recall: P%`, `free_as_disposable: N`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use palisade::email::{validate, EmailType, Options};
use serde_json::Value;

/// isemail answers as an RFC validator: quoted strings, address literals and single-label domains
/// are valid there. Comparing under our defaults would only count our policy choices as errors, so
/// the headline figure uses the options that express the same policy; the default-options figure is
/// printed too.
fn rfc_options() -> Options {
    Options {
        require_top_level_domain: false,
        allow_domain_literal: true,
        allow_quoted: true,
        allow_utf8_local_part: true,
    }
}

/// Replaces every `\uXXXX` escape of a lone UTF-16 surrogate with `\ufffd`, which is what a
/// JavaScript string holding it becomes on its way into Rust (napi converts to UTF-8 lossily).
/// Paired surrogates are left alone for `serde_json` to combine.
fn lone_surrogates_to_replacement(line: &str) -> String {
    fn hex_at(b: &[u8], i: usize) -> Option<u16> {
        let s = std::str::from_utf8(b.get(i..i + 4)?).ok()?;
        u16::from_str_radix(s, 16).ok()
    }
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if b.get(i + 1) != Some(&b'u') {
            i += 2; // `\\`, `\"`, `\n`, ...: skip the escaped character too
            continue;
        }
        let Some(unit) = hex_at(b, i + 2) else {
            i += 2;
            continue;
        };
        let paired_low = b.get(i + 6) == Some(&b'\\')
            && b.get(i + 7) == Some(&b'u')
            && hex_at(b, i + 8).is_some_and(|u| (0xDC00..=0xDFFF).contains(&u));
        if (0xD800..=0xDBFF).contains(&unit) && paired_low {
            i += 12;
        } else if (0xD800..=0xDFFF).contains(&unit) {
            out.push_str(&line[copied..i]);
            out.push_str("\\ufffd");
            i += 6;
            copied = i;
        } else {
            i += 6;
        }
    }
    out.push_str(&line[copied..]);
    out
}

fn read_jsonl(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_str(&lone_surrogates_to_replacement(l))
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

fn read_lines(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        100.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

fn field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn describe(v: &palisade::email::Verdict) -> String {
    if v.valid {
        "valid".to_owned()
    } else {
        format!(
            "invalid ({})",
            v.reasons
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )
    }
}

/// Agreement on valid/invalid; prints each disagreement with our reason and the source's diagnosis.
fn agreement(name: &str, cases: &[Value], opts: &Options, list: bool) -> (usize, usize) {
    let mut agree = 0;
    for c in cases {
        let address = field(c, "address");
        let expect_valid = field(c, "expect") == "valid";
        let v = validate(address, opts);
        if v.valid == expect_valid {
            agree += 1;
        } else if list {
            let why = [field(c, "diagnosis"), field(c, "test")].concat();
            println!(
                "  {name} differs: {address:?} expected {} ({why}), ours {}",
                field(c, "expect"),
                describe(&v)
            );
        }
    }
    (agree, cases.len())
}

/// Whether `d` (as listed, possibly Unicode) is exactly a public suffix of the PSL's ICANN section.
fn is_icann_suffix(d: &str) -> bool {
    let Ok(ascii) = idna::domain_to_ascii(d) else {
        return false;
    };
    psl::suffix(ascii.as_bytes())
        .is_some_and(|s| s.as_bytes() == ascii.as_bytes() && s.typ() == Some(psl::Type::Icann))
}

/// A deterministic label that looks random, so that subdomain detection is not tested on one name.
fn random_label(i: usize) -> String {
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5151;
    (0..6)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}

/// The headline numbers.
pub struct Report {
    /// isemail.jsonl addresses where we agree on valid/invalid, and their count.
    pub isemail: (usize, usize),
    /// validatorjs.jsonl agreement at default options.
    pub validatorjs: (usize, usize),
    /// Listed domains and random subdomains detected as disposable, and their count.
    pub disposable: (usize, usize),
    /// Real free providers wrongly typed DISPOSABLE.
    pub free_as_disposable: usize,
}

/// Measures everything, printing details as it goes.
pub fn run(dir: &Path) -> Result<Report, String> {
    let email = dir.join("email");
    let isemail = read_jsonl(&email.join("isemail.jsonl"))?;
    let validatorjs = read_jsonl(&email.join("validatorjs.jsonl"))?;
    let disposable = read_lines(&email.join("disposable-domains.txt"))?;
    let free = read_lines(&email.join("free-domains.not-disposable.txt"))?;

    println!("== isemail.jsonl ({} addresses) ==", isemail.len());
    let lone = isemail
        .iter()
        .filter(|c| c.get("lone_surrogate").and_then(Value::as_bool) == Some(true))
        .count();
    println!("  {lone} lone-surrogate addresses read with U+FFFD in place of the surrogate (expected invalid)");
    let (d_agree, d_total) = agreement("isemail/default", &isemail, &Options::default(), false);
    println!(
        "  at default options: {d_agree}/{d_total} = {:.2}%",
        pct(d_agree, d_total)
    );
    let (i_agree, i_total) = agreement("isemail", &isemail, &rfc_options(), true);
    println!(
        "  at RFC options (quoted, literals, no TLD required): {i_agree}/{i_total} = {:.2}%",
        pct(i_agree, i_total)
    );

    println!(
        "== validatorjs.jsonl ({} addresses, default options) ==",
        validatorjs.len()
    );
    let (v_agree, v_total) = agreement("validatorjs", &validatorjs, &Options::default(), true);
    println!(
        "  agreement: {v_agree}/{v_total} = {:.2}%",
        pct(v_agree, v_total)
    );

    println!(
        "== disposable-domains.txt ({} domains) ==",
        disposable.len()
    );
    // A listed entry that is itself an ICANN public suffix (`edu.pl`) would flag every school in a
    // country; palisade never matches a public suffix on its own and does not ship such entries.
    let (suffixes, disposable): (Vec<String>, Vec<String>) =
        disposable.into_iter().partition(|d| is_icann_suffix(d));
    for s in &suffixes {
        println!("  excluded (ICANN public suffix, not a provider): {s}");
    }
    let (mut exact, mut sub) = (0, 0);
    let mut missed = Vec::new();
    for (i, d) in disposable.iter().enumerate() {
        if validate(&format!("user@{d}"), &Options::default()).has(EmailType::Disposable) {
            exact += 1;
        } else {
            missed.push(d.clone());
        }
        if validate(
            &format!("user@{}.{d}", random_label(i)),
            &Options::default(),
        )
        .has(EmailType::Disposable)
        {
            sub += 1;
        } else {
            missed.push(format!("<random>.{d}"));
        }
    }
    println!(
        "  listed domain: {exact}/{} = {:.3}%",
        disposable.len(),
        pct(exact, disposable.len())
    );
    println!(
        "  random subdomain: {sub}/{} = {:.3}%",
        disposable.len(),
        pct(sub, disposable.len())
    );
    for m in missed.iter().take(20) {
        println!("  missed: {m}");
    }

    println!(
        "== free-domains.not-disposable.txt ({} domains) ==",
        free.len()
    );
    let mut free_as_disposable = 0;
    let mut free_as_free = 0;
    for d in &free {
        let v = validate(&format!("user@{d}"), &Options::default());
        if v.has(EmailType::Disposable) {
            free_as_disposable += 1;
            println!("  flagged disposable: {d}");
        }
        if v.has(EmailType::Free) {
            free_as_free += 1;
        }
    }
    println!("  typed FREE: {free_as_free}/{}", free.len());

    Ok(Report {
        isemail: (i_agree, i_total),
        validatorjs: (v_agree, v_total),
        disposable: (exact + sub, 2 * disposable.len()),
        free_as_disposable,
    })
}

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/corpora"), PathBuf::from);
    if !dir.join("email").is_dir() {
        eprintln!(
            "accuracy_email: no corpora at {} (expected an `email/` folder there); pass the corpora directory as the first argument",
            dir.display()
        );
        return ExitCode::from(2);
    }
    match run(&dir) {
        Ok(r) => {
            println!("isemail_agreement: {:.2}%", pct(r.isemail.0, r.isemail.1));
            println!(
                "disposable_recall: {:.2}%",
                pct(r.disposable.0, r.disposable.1)
            );
            println!("free_as_disposable: {}", r.free_as_disposable);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("accuracy_email: {e}");
            ExitCode::FAILURE
        }
    }
}
