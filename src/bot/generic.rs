//! The fallback for clients that name no bot of the database.
//!
//! It recognises shapes instead of names: a token that calls itself a bot, crawler or spider;
//! a contact address in the UA; an empty or control-character UA; a bare HTTP tool name. Each
//! rule was checked against real browser UAs (phones named "Spider" or "CUBOT", in-app webviews
//! appending app tokens), which is why the word rule looks at whole tokens, not substrings.

use std::sync::OnceLock;

use regex::Regex;

use super::{Category, MAX_UA_LEN};

/// Id for a client recognised only by shape.
pub const UNKNOWN_BOT: &str = "UNKNOWN_BOT";
/// Id for a client that looks like an HTTP library or command-line tool.
pub const UNKNOWN_HTTP_CLIENT: &str = "UNKNOWN_HTTP_CLIENT";

/// The fallback ids and their categories, registered in every detector.
pub const IDS: [(&str, Category); 2] =
    [(UNKNOWN_BOT, Category::Unknown), (UNKNOWN_HTTP_CLIENT, Category::HttpLibrary)];

struct Rules {
    /// A word that calls the client a robot. Token boundaries are letters, so `CUBOT` and
    /// `IDbot553` (phone models) do not count while `SomeBot/1.0` and `my-crawler` do.
    bot_word: Regex,
    /// Phone and tablet model names that contain a bot word as a whole token.
    device_names: Regex,
    /// A contact URL or mail address, which browsers never put in their UA.
    contact: Regex,
    /// Generic HTTP client shapes that name no specific library of the database.
    http_client: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        bot_word: Regex::new(
            r"(?i)(?:^|[^a-z])[a-z]*(?:bot|crawler|crawl|spider|scraper|scrape|scanner|fetcher|checker|validator|indexer|harvester|slurp|archiver|monitor|preview|http-?client|httpclient|download(?:er)?)(?:[^a-z]|$)",
        )
        .expect("static pattern"),
        device_names: Regex::new(
            r"(?i)(?:;\s*|\b)(?:[a-z] ?bot(?: tab)?[ _]\d|[a-z]bot (?:junior|senior)|power bot|spider \d|[mc]_?bot_tab)",
        )
        .expect("static pattern"),
        contact: Regex::new(r"(?i)(?:\+?https?://|\bwww\.[a-z0-9-]+\.[a-z]|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,})")
            .expect("static pattern"),
        http_client: Regex::new(r"(?i)^(?:[a-z][a-z0-9_.-]*[-_ ]?(?:http|client|sdk|lib|request|fetch|get))(?:/\d|$)")
            .expect("static pattern"),
    })
}

/// The fallback id for `ua` (already cut to [`MAX_UA_LEN`]), or `None` when it may be a browser.
/// `full_len` is the length before cutting.
pub fn classify(ua: &str, full_len: usize) -> Option<&'static str> {
    let trimmed = ua.trim();
    if trimmed.is_empty() || full_len > MAX_UA_LEN {
        return Some(UNKNOWN_BOT);
    }
    // Browsers never send control characters; a UA holding one was written by a program.
    if ua.chars().any(|c| c.is_control()) {
        return Some(UNKNOWN_BOT);
    }
    let rules = rules();
    if rules.http_client.is_match(trimmed) {
        return Some(UNKNOWN_HTTP_CLIENT);
    }
    if rules.bot_word.is_match(ua) && !rules.device_names.is_match(ua) {
        return Some(UNKNOWN_BOT);
    }
    if rules.contact.is_match(ua) {
        return Some(UNKNOWN_BOT);
    }
    None
}
