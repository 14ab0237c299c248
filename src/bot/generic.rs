//! The fallback for clients that name no bot of the database.
//!
//! It recognises shapes instead of names: a token that calls itself a bot, crawler or spider; a
//! contact address; markup or script in the header; a bare `Mozilla/5.0 Name/1.0`; a UA with
//! none of the tokens every browser family carries. Each rule was checked against real browser
//! UAs (phones named "Spider" or "CUBOT", in-app webviews appending app tokens, feature phones
//! and TVs that never say `Mozilla`), which is why several rules look at token shape rather than
//! substrings.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::{Category, MAX_UA_LEN};

/// Id for a client recognised only by shape.
pub const UNKNOWN_BOT: &str = "UNKNOWN_BOT";
/// Id for a client that looks like an HTTP library or command-line tool (`name/1.2` and nothing
/// browser-like).
pub const UNKNOWN_HTTP_CLIENT: &str = "UNKNOWN_HTTP_CLIENT";

/// The fallback ids and their categories, registered in every detector.
pub const IDS: [(&str, Category); 2] = [
    (UNKNOWN_BOT, Category::Unknown),
    (UNKNOWN_HTTP_CLIENT, Category::HttpLibrary),
];

/// Index of the bot-word signal in [`SIGNALS`]: it alone can be vetoed by a device name.
const BOT_WORD: usize = 0;

/// Signals that a UA was written by a program (case-insensitive, ASCII).
const SIGNALS: [&str; 8] = [
    // A word that calls the client a robot, as a whole token or a token suffix (`FooBot/1.0`,
    // `my-crawler`). Letters on both sides are not a token edge, so `Botbox` or `Robotic` alone
    // do not count; `(?-i:[a-z]Agent)` keeps `GomezAgent` while skipping `MagentaTV`.
    r"(?:^|[^a-z])[a-z]*(?:bot|crawler|crawl|spider|scraper|scrape|checker|monitor|monitoring|lookup|scorer|verifier|validator|fetcher|indexer|scanner|(?-i:[a-z]Agent))(?:[^a-z]|$)",
    // A contact address: browsers never put a URL or mail address in their UA.
    r"(?:https?://|\bwww\.[a-z0-9-]+\.[a-z]|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,})",
    // Markup or script: a scanner probing for reflected output, never a browser. (SQL text is
    // left to the shield; see `SQL_TEXT`.)
    r"(?:<(?:/?(?:script|img|svg|a|li|ul|div|meta|title|style|h[1-6]|iframe|body|html|input|code|hr|i|b|p|span|form|link|table|td|tr|br)\b|!|\?)|&lt;|&gt;|&quot;|javascript:|\$\{)",
    // `Mozilla/5.0 Name/1.0` or `Mozilla/5.0 (Name/1.0)`: the prefix with one product and no platform.
    r"^mozilla/[0-9.]+ (?:[a-z][0-9a-z_.-]*(?:/[0-9a-z_.-]+)?|\((?:compatible; ?)?[a-z][0-9a-z_.-]*/[0-9a-z_.-]+;?\))$",
    // Something written inside the engine comment: `(KHTML, like Gecko; Google-Assess)`.
    r"khtml, ?like gecko;",
    // A `(compatible; ...)` comment after a browser's version token: a tool appending itself to
    // a browser UA (`... Safari/537.36 (compatible; Cloudflare-AMPHTML)`).
    r"(?:safari|chrome|firefox|gecko|mobile)/[0-9.]+ \(compatible;",
    // Another UA or a label glued in front of the real one (`Anonymous, Mozilla/5.0 ...`,
    // `iphone|Mozilla/5.0 ...`): a program's template, never a browser.
    r"^.{1,60}?(?:,|\||\$| -) ?mozilla/",
    // A raw HTTP request line pasted into the header.
    r"^(?:get|post|head|put|delete|options) /",
];

/// Phone and tablet model names containing a bot word as a token (`CUBOT X30`, `M bot 51`,
/// `IDbot553`, `XBot_Senior`, `Spider 8`), and app names ending in one (`CamScanner`). They
/// veto the bot-word signal only.
const DEVICE_NAMES: &str = r"(?:cubot|camscanner|bot[0-9]{3}|(?:;\s*|\b)(?:[a-z]{1,2} ?bot(?: tab)?[ _][0-9]|[a-z]bot[ _](?:junior|senior)|power bot|spider [0-9]|[mc]_?bot_tab))";

/// SQL text in the UA (`') OR 941=(SELECT ...`). It is an injection attempt on the app, which is
/// the shield's to judge (`header.user-agent`), and it says nothing about what kind of client
/// sent it: real browser traffic logs hold such UAs, written over a browser's by a proxy or a
/// tampering tool. So the shape fallback does not call a client a bot merely because SQL text
/// left no browser token in its UA.
const SQL_TEXT: &str =
    r"(?:&#0?39;|\bselect\b.*\bfrom\b|\bunion\b.*\bselect\b|'\)? *\bor\b +[0-9]+ ?=)";

/// Tokens that every browser family carries somewhere: the `Mozilla` prefix (also misspelt),
/// an engine, a feature-phone or TV browser marker, a text browser, an app webview marker, or
/// a platform comment with several fields. A UA with none of them is not a browser.
const BROWSER_SHAPE: &str = r"(?:m[o0]z+il+a|mozac|(?:applewebkit|presto|gecko|trident|dalvik|khtml)\b|ucweb|ucbrowser|\bjuc\b|opera|midp|cldc|up\.browser|\bwap|obigo|\bmaui|\bmre/|netfront|dorado|browser|cfnetwork/.*darwin|appletv|safari/|windows phone|windows nt|windows ce|blackberry|docomo|kddi|hbbtv|smart-?tv|roku|playstation|nintendo|\bxbox|symbian|series ?60|\bbrew\b|lynx|\blinks\b|elinks|dillo|netsurf|ibrowse|aweb|voyager|mosaic|\bopr/|\bomi/|\[fban/|fbav/|quicktime|palmscape|xiino|teleca|player|microsoft office|outlook|pinterest/|gog galaxy|sonos|\bios/|iphone|ipad|ipod|build/|android/|linux; ?u; ?android|cronet|\([^()]*;[^()]*;[^()]*;[^()]*\))";

/// A program's `name/version` at the start of the UA.
const PRODUCT: &str = r"^[a-z][0-9a-z_.+-]*/[0-9]";

struct Rules {
    signals: RegexSet,
    device_names: Regex,
    browser_shape: Regex,
    sql_text: Regex,
    product: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        // Byte-oriented and ASCII-only: the rules only look at ASCII tokens, and without Unicode
        // classes the lazy DFA stays small enough to answer a browser UA in one cached pass.
        let one = |p: &str| {
            RegexBuilder::new(p)
                .unicode(false)
                .case_insensitive(true)
                .build()
                .expect("static pattern")
        };
        Rules {
            signals: RegexSetBuilder::new(SIGNALS)
                .unicode(false)
                .case_insensitive(true)
                .build()
                .expect("static patterns"),
            device_names: one(DEVICE_NAMES),
            browser_shape: one(BROWSER_SHAPE),
            sql_text: one(SQL_TEXT),
            product: one(PRODUCT),
        }
    })
}

/// The fallback id for `ua` (already cut to [`MAX_UA_LEN`]), or `None` when it may be a browser.
/// `full_len` is the length before cutting.
pub fn classify(ua: &str, full_len: usize) -> Option<&'static str> {
    let trimmed = ua.trim();
    // No browser sends an empty UA or one longer than the cap.
    if trimmed.is_empty() || full_len > MAX_UA_LEN {
        return Some(UNKNOWN_BOT);
    }
    // Browsers never send control characters; a UA holding one was written by a program.
    if ua.chars().any(char::is_control) {
        return Some(UNKNOWN_BOT);
    }
    let rules = rules();
    let signals = rules.signals.matches(ua.as_bytes());
    if signals.matched_any() {
        let only_word = signals.iter().all(|i| i == BOT_WORD);
        if !only_word || !rules.device_names.is_match(ua.as_bytes()) {
            return Some(UNKNOWN_BOT);
        }
    }
    if rules.browser_shape.is_match(ua.as_bytes()) || rules.sql_text.is_match(ua.as_bytes()) {
        return None;
    }
    if rules.product.is_match(trimmed.as_bytes()) {
        Some(UNKNOWN_HTTP_CLIENT)
    } else {
        Some(UNKNOWN_BOT)
    }
}
