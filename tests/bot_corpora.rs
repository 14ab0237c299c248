//! Accuracy floors on the shared corpora. The corpora live outside the crate: set
//! `PALISADE_CORPORA` or place them at `../shared/corpora`; without them the test says so and
//! passes (the labelled fixture in tests/fixtures covers the same classes in small).

use std::path::PathBuf;

use palisade::bot::Detector;

fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("PALISADE_CORPORA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"),
        PathBuf::from,
    );
    dir.join("bots/crawlers.txt").is_file().then_some(dir)
}

fn lines(path: PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn shared_corpora_meet_the_recall_and_false_positive_floors() {
    let Some(dir) = corpora() else {
        eprintln!(
            "SKIPPED: bot corpora not found (set PALISADE_CORPORA or provide ../shared/corpora)"
        );
        return;
    };
    let detector = Detector::builtin();
    let crawlers = lines(dir.join("bots/crawlers.txt"));
    let crawler_sources = lines(dir.join("bots/crawlers.sources.txt"));
    let browsers = lines(dir.join("bots/browsers.txt"));
    let browser_sources = lines(dir.join("bots/browsers.sources.txt"));
    assert_eq!(crawlers.len(), crawler_sources.len());
    assert_eq!(browsers.len(), browser_sources.len());

    let noisy = ["isbot-dl-user-agents.net", "isbot-dl-myip.ms"];
    let (mut found, mut curated, mut curated_found) = (0usize, 0usize, 0usize);
    for (ua, sources) in crawlers.iter().zip(&crawler_sources) {
        let hit = detector.is_bot(ua);
        found += usize::from(hit);
        if sources.split(',').any(|s| !noisy.contains(&s)) {
            curated += 1;
            curated_found += usize::from(hit);
        }
    }
    let mut fps = Vec::new();
    for (ua, sources) in browsers.iter().zip(&browser_sources) {
        if detector.is_bot(ua) {
            fps.push((ua.as_str(), sources.as_str()));
        }
    }
    let recall = found as f64 / crawlers.len() as f64;
    let curated_recall = curated_found as f64 / curated as f64;
    let fp_rate = fps.len() as f64 / browsers.len() as f64;
    eprintln!(
        "recall {recall:.4}, curated {curated_recall:.4}, browser fp {fp_rate:.5} ({} lines)",
        fps.len()
    );
    // Floors a little under the measured values (docs/bots.md), so that a regression fails.
    assert!(recall >= 0.993, "crawler recall {recall}");
    assert!(
        curated_recall >= 0.99,
        "curated crawler recall {curated_recall}"
    );
    assert!(
        fp_rate <= 0.0002,
        "browser false positives {fp_rate}: {fps:?}"
    );
    // The goal for isbot's browser fixtures is zero.
    let isbot: Vec<_> = fps
        .iter()
        .filter(|(_, s)| s.contains("isbot-browsers"))
        .collect();
    assert!(isbot.is_empty(), "{isbot:?}");
}
