//! Accuracy of the builtin bot detector on the shared corpora.
//!
//! Run: `cargo run --release --no-default-features --example accuracy_bots -- [CORPORA_DIR]`
//! (default `../shared/corpora`). Prints recall on `bots/crawlers.txt` (all lines, and the curated
//! subset: lines with any source other than the two large noisy lists), the false-positive rate on
//! `bots/browsers.txt` overall and per source, and the misses grouped by class.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use palisade::bot::Detector;

/// The two downloaded lists where "bot" means "not a browser"; lines only they hold are not curated.
const NOISY: [&str; 2] = ["isbot-dl-user-agents.net", "isbot-dl-myip.ms"];

fn read_lines(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // Split on "\n" only: a few UAs hold \x0b or \x0c, which a universal-newline split would cut.
    Ok(text
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Groups near-duplicates the way the corpus holdout does: lower case, digit runs as `0`.
fn group_key(ua: &str) -> String {
    let mut out = String::with_capacity(ua.len());
    let mut in_digits = false;
    for c in ua.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A coarse class for a missed UA: its first product token, or its leading shape.
fn miss_class(ua: &str) -> String {
    let first = ua
        .split([' ', '/', ';', '('])
        .find(|t| !t.is_empty())
        .unwrap_or("");
    if first.eq_ignore_ascii_case("mozilla") {
        let inside = ua.split_once('(').map_or("", |(_, r)| r);
        let platform = inside.split([';', ')']).next().unwrap_or("").trim();
        format!("Mozilla ({})", group_key(platform))
    } else {
        group_key(first)
    }
}

fn pct(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        100.0 * num as f64 / den as f64
    }
}

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/corpora"), PathBuf::from);
    let bots = dir.join("bots");
    if !bots.join("crawlers.txt").is_file() {
        eprintln!(
            "error: corpora not found: {} has no bots/crawlers.txt (pass the corpora directory as the first argument)",
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    let load = |name: &str| -> Result<(Vec<String>, Vec<String>), String> {
        let lines = read_lines(&bots.join(format!("{name}.txt")))?;
        let sources = read_lines(&bots.join(format!("{name}.sources.txt")))?;
        if lines.len() != sources.len() {
            return Err(format!(
                "{name}.txt and {name}.sources.txt are not line-aligned"
            ));
        }
        Ok((lines, sources))
    };
    let ((crawlers, crawler_sources), (browsers, browser_sources)) =
        match (load("crawlers"), load("browsers")) {
            (Ok(c), Ok(b)) => (c, b),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
    let detector = Detector::builtin();
    // PALISADE_ALL_MISSES=1 lists every missed line instead of three per class.
    let all_misses = std::env::var_os("PALISADE_ALL_MISSES").is_some();

    let (mut hits, mut curated, mut curated_hits) = (0, 0, 0);
    let mut groups: BTreeMap<String, bool> = BTreeMap::new();
    let mut misses: BTreeMap<String, Vec<(&str, bool)>> = BTreeMap::new();
    for (ua, sources) in crawlers.iter().zip(&crawler_sources) {
        let is_curated = sources.split(',').any(|s| !NOISY.contains(&s));
        let found = detector.is_bot(ua);
        hits += usize::from(found);
        if is_curated {
            curated += 1;
            curated_hits += usize::from(found);
        }
        *groups.entry(group_key(ua)).or_insert(true) &= found;
        if !found {
            misses
                .entry(miss_class(ua))
                .or_default()
                .push((ua, is_curated));
        }
    }
    let group_hits = groups.values().filter(|v| **v).count();

    let mut fp_by_source: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut fps = Vec::new();
    for (ua, sources) in browsers.iter().zip(&browser_sources) {
        let found = detector.is_bot(ua);
        for source in sources.split(',') {
            let entry = fp_by_source.entry(source).or_default();
            entry.0 += 1;
            entry.1 += usize::from(found);
        }
        if found {
            fps.push((ua, sources, detector.classify(ua).ids));
        }
    }

    println!(
        "== crawlers.txt: {} lines, {} curated, {} near-duplicate groups",
        crawlers.len(),
        curated,
        groups.len()
    );
    println!(
        "recall full:    {hits}/{} = {:.3}%",
        crawlers.len(),
        pct(hits, crawlers.len())
    );
    println!(
        "recall curated: {curated_hits}/{curated} = {:.3}%",
        pct(curated_hits, curated)
    );
    println!(
        "recall by group (a group counts when all its lines are found): {group_hits}/{} = {:.3}%",
        groups.len(),
        pct(group_hits, groups.len())
    );
    let mut classes: Vec<_> = misses.iter().collect();
    classes.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    println!(
        "\n== missed crawlers by class ({} lines in {} classes; * = curated line)",
        crawlers.len() - hits,
        classes.len()
    );
    for (class, uas) in &classes {
        let curated_n = uas.iter().filter(|(_, c)| *c).count();
        println!("{:5} ({curated_n} curated)  {class}", uas.len());
        for (ua, c) in uas.iter().take(if all_misses { usize::MAX } else { 3 }) {
            let shown: String = ua.chars().take(180).collect();
            println!("        {}{shown:?}", if *c { "* " } else { "" });
        }
    }

    println!("\n== browsers.txt: {} lines", browsers.len());
    for (source, (n, fp)) in &fp_by_source {
        println!("false positives {source}: {fp}/{n} = {:.4}%", pct(*fp, *n));
    }
    println!("\n== false positives ({})", fps.len());
    for (ua, sources, ids) in &fps {
        let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
        println!("  [{sources}] {ids:?} {ua:?}");
    }
    println!();
    println!("crawler_recall_full: {:.2}%", pct(hits, crawlers.len()));
    println!("crawler_recall_curated: {:.2}%", pct(curated_hits, curated));
    println!("browser_fp: {:.3}%", pct(fps.len(), browsers.len()));
    ExitCode::SUCCESS
}
