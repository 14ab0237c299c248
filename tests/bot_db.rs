//! The builtin database: well-formed, large enough, every entry compiles and is attributed.

use std::collections::HashSet;

use palisade::bot::{records, Category, Detector};

#[test]
fn database_has_at_least_850_well_formed_entries_with_unique_ids() {
    let records = records().expect("embedded data parses");
    assert!(records.len() >= 850, "only {} entries", records.len());
    let mut ids = HashSet::new();
    for record in &records {
        assert!(ids.insert(record.id.as_str()), "duplicate id {}", record.id);
        assert!(
            !record.id.is_empty()
                && record
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                && !record.id.starts_with(|c: char| c.is_ascii_digit()),
            "id {:?} is not SCREAMING_SNAKE",
            record.id
        );
        assert!(
            record.category().is_some(),
            "{}: unknown category {:?}",
            record.id,
            record.category
        );
        assert!(!record.source.trim().is_empty(), "{}: no source", record.id);
        assert!(!record.patterns.is_empty(), "{}: no pattern", record.id);
    }
}

#[test]
fn every_builtin_pattern_compiles_in_the_regex_crate() {
    let mut bad = Vec::new();
    for record in records().expect("embedded data parses") {
        for pattern in &record.patterns {
            if let Err(e) = regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
            {
                bad.push(format!("{}: {pattern:?}: {e}", record.id));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn fallback_ids_are_not_used_by_database_entries() {
    let records = records().expect("embedded data parses");
    assert!(records.iter().all(|r| !r.id.starts_with("UNKNOWN_")));
    let detector = Detector::builtin();
    assert!(detector.is_known_id("UNKNOWN_BOT") && detector.is_known_id("UNKNOWN_HTTP_CLIENT"));
    assert_eq!(detector.len(), records.len() + 2);
}

#[test]
fn almost_every_pattern_goes_through_the_literal_prefilter() {
    // Patterns without a literal run on every request; keep them rare so browsers stay cheap.
    let unfiltered = Detector::builtin().unfiltered_patterns();
    assert!(
        unfiltered <= 10,
        "{unfiltered} patterns bypass the prefilter"
    );
}

#[test]
fn category_names_round_trip_and_are_distinct() {
    let names: HashSet<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names.len(), Category::ALL.len());
    for category in Category::ALL {
        assert_eq!(Category::parse(category.as_str()), Some(category));
    }
    assert_eq!(Category::parse("search_engine"), None);
    assert_eq!(Category::parse("SEARCH"), None);
}

#[test]
fn the_ai_agents_the_product_promises_are_all_named() {
    let detector = Detector::builtin();
    for (token, id) in [
        ("GPTBot/1.2", "OPENAI_CRAWLER"),
        ("ChatGPT-User/1.0", "OPENAI_USER"),
        ("OAI-SearchBot/1.0", "OPENAI_SEARCH"),
        ("ClaudeBot/1.0", "ANTHROPIC_CRAWLER"),
        ("Claude-User/1.0", "ANTHROPIC_USER"),
        ("Claude-SearchBot/1.0", "ANTHROPIC_SEARCH"),
        ("anthropic-ai/1.0", "ANTHROPIC_CRAWLER"),
        ("PerplexityBot/1.0", "PERPLEXITY_CRAWLER"),
        ("Perplexity-User/1.0", "PERPLEXITY_USER"),
        ("Google-Extended", "GOOGLE_EXTENDED"),
        ("Bytespider", "BYTEDANCE_CRAWLER"),
        ("CCBot/2.0", "COMMON_CRAWL"),
        ("Amazonbot/0.1", "AMAZON_CRAWLER"),
        ("Applebot-Extended/0.1", "APPLE_EXTENDED"),
        ("meta-externalagent/1.1", "META_CRAWLER"),
        ("Diffbot/2.0", "DIFFBOT"),
        ("cohere-ai", "COHERE_CRAWLER"),
        ("YouBot/1.0", "YOU_CRAWLER"),
    ] {
        let ua = format!("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; {token}; +https://example.com/bot");
        let got = detector.classify(&ua);
        assert!(got.ids.iter().any(|i| &**i == id), "{token}: {:?}", got.ids);
    }
}

#[test]
fn http_libraries_headless_browsers_and_scanners_are_named() {
    let detector = Detector::builtin();
    for (ua, id) in [
        ("curl/8.5.0", "CURL"),
        ("Wget/1.21.4", "WGET"),
        ("Python/3.11 aiohttp/3.9.5", "AIOHTTP"),
        ("python-httpx/0.27.0", "HTTPX"),
        ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "NODE_FETCH"),
        ("axios/1.7.2", "AXIOS"),
        ("undici", "UNDICI"),
        ("okhttp/4.12.0", "OKHTTP"),
        ("Java/17.0.2", "JAVA"),
        ("libwww-perl/6.72", "LIBWWW_PERL"),
        ("GuzzleHttp/7", "GUZZLE"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/125.0.0.0 Safari/537.36", "HEADLESS_CHROME"),
        ("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", "PHANTOMJS"),
        ("Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)", "NIKTO"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.169 Safari/537.36 Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "NUCLEI"),
        ("Mozilla/5.0 zgrab/0.x", "ZGRAB"),
        ("masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "MASSCAN"),
        ("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "NMAP"),
        ("WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)", "WPSCAN"),
    ] {
        let got = detector.classify(ua);
        assert!(got.ids.iter().any(|i| &**i == id), "{ua}: {:?}", got.ids);
    }
}
