//! Which check applies to which crawler: the per-bot method table.
//!
//! An operator is listed under [`Method::ReverseDns`] only when its own guidance says that every
//! one of its crawlers has a PTR name under the listed domains that resolves back to the address.
//! That is what makes a missing PTR (NXDOMAIN or no PTR record) a proof of spoofing rather than an
//! absence of evidence. Operators that publish address blocks but no host names are
//! [`Method::Ranges`]: the check is [`super::Ranges`] alone, and a bot without blocks loaded is
//! Unverifiable.
//!
//! Facts were taken from the operators' published guidance (URLs in [`Operator::source`]), not
//! from third-party lists. Keep this table and the "Verification" section of `docs/bots.md` in step.

/// An operator whose crawlers have reverse-DNS names under domains it owns.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    /// A stable name (part of the verification cache key), e.g. `google`.
    pub name: &'static str,
    /// Domains a PTR name must be in (equal to, or a subdomain at a label boundary; ASCII case
    /// ignored): `crawl-1.googlebot.com` is in `googlebot.com`, `evilgooglebot.com` is not.
    pub suffixes: &'static [&'static str],
    /// Where the operator documents this.
    pub source: &'static str,
}

/// How a claimed crawler is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reverse DNS of the address, then a forward lookup of each PTR name under the operator's
    /// domains, which must return the address. Published blocks, when loaded for the bot, are
    /// consulted first and a hit there answers without DNS.
    ReverseDns(&'static Operator),
    /// Published address blocks only.
    Ranges,
}

/// Google's common crawlers (`crawl-*.googlebot.com`, `geo-crawl-*.geo.googlebot.com`) and
/// special-case crawlers (`rate-limited-proxy-*.google.com`).
pub static GOOGLE: Operator = Operator {
    name: "google",
    suffixes: &["googlebot.com", "google.com"],
    source: "https://developers.google.com/crawling/docs/crawlers-fetchers/verifying-googlebot",
};

/// Google's user-triggered fetchers: `google-proxy-*.google.com` for fetchers Google controls,
/// `*.gae.googleusercontent.com` for fetches made by apps that Google Cloud customers run. The
/// second kind proves only that the request left Google's App Engine, which anyone can use; it is
/// deliberately not accepted for Googlebot, and the wider `googleusercontent.com` (which also
/// names ordinary Compute Engine VMs) is accepted for nobody.
pub static GOOGLE_USER_TRIGGERED: Operator = Operator {
    name: "google-user-triggered",
    suffixes: &["google.com", "gae.googleusercontent.com"],
    source: "https://developers.google.com/crawling/docs/crawlers-fetchers/verifying-googlebot",
};

/// Bing: every Bing crawler resolves under `search.msn.com`.
pub static BING: Operator = Operator {
    name: "bing",
    suffixes: &["search.msn.com"],
    source: "https://www.bing.com/webmaster/help/how-to-verify-bingbot-3905dc26",
};

/// Applebot: `*.applebot.apple.com`.
pub static APPLE: Operator = Operator {
    name: "apple",
    suffixes: &["applebot.apple.com"],
    source: "https://support.apple.com/en-us/119829",
};

/// Yandex robots: names in `yandex.ru`, `yandex.net` or `yandex.com`.
pub static YANDEX: Operator = Operator {
    name: "yandex",
    suffixes: &["yandex.ru", "yandex.net", "yandex.com"],
    source: "https://yandex.com/support/webmaster/robot-workings/check-yandex-robots.html",
};

/// Baiduspider: `*.baidu.com` or `*.baidu.jp`.
pub static BAIDU: Operator = Operator {
    name: "baidu",
    suffixes: &["baidu.com", "baidu.jp"],
    source: "https://www.baidu.com/search/spider.html",
};

/// The method for each checkable bot id. Ids not listed are checked by address blocks when a
/// loaded [`super::Ranges`] covers them, and are Unverifiable otherwise.
pub static METHODS: &[(&str, Method)] = &[
    // Google common and special-case crawlers. GOOGLE_EXTENDED and APPLE_EXTENDED are robots.txt
    // tokens crawled by the main crawlers; a UA naming them is checked like those crawlers.
    ("GOOGLE_CRAWLER", Method::ReverseDns(&GOOGLE)),
    ("GOOGLE_INSPECTION_TOOL", Method::ReverseDns(&GOOGLE)),
    ("GOOGLE_OTHER", Method::ReverseDns(&GOOGLE)),
    ("GOOGLE_STORE_BOT", Method::ReverseDns(&GOOGLE)),
    ("GOOGLE_EXTENDED", Method::ReverseDns(&GOOGLE)),
    ("GOOGLE_ADSBOT", Method::ReverseDns(&GOOGLE)),
    ("GOOGLE_CLOUD_VERTEX", Method::ReverseDns(&GOOGLE)),
    // Google user-triggered fetchers.
    (
        "GOOGLE_FEEDFETCHER",
        Method::ReverseDns(&GOOGLE_USER_TRIGGERED),
    ),
    (
        "GOOGLE_READ_ALOUD",
        Method::ReverseDns(&GOOGLE_USER_TRIGGERED),
    ),
    (
        "GOOGLE_SITE_VERIFICATION",
        Method::ReverseDns(&GOOGLE_USER_TRIGGERED),
    ),
    (
        "GOOGLE_NOTEBOOKLM",
        Method::ReverseDns(&GOOGLE_USER_TRIGGERED),
    ),
    ("BING_CRAWLER", Method::ReverseDns(&BING)),
    ("BINGPREVIEW", Method::ReverseDns(&BING)),
    ("APPLE_CRAWLER", Method::ReverseDns(&APPLE)),
    ("APPLE_EXTENDED", Method::ReverseDns(&APPLE)),
    ("YANDEX_CRAWLER", Method::ReverseDns(&YANDEX)),
    ("BAIDU_CRAWLER", Method::ReverseDns(&BAIDU)),
    // Operators that publish address blocks and no reverse-DNS names. Only OPENAI_CRAWLER has
    // blocks shipped today; load the others' published lists (see docs/bots.md).
    ("OPENAI_CRAWLER", Method::Ranges),
    ("OPENAI_SEARCH", Method::Ranges),
    ("OPENAI_USER", Method::Ranges),
    ("DUCKDUCKGO_CRAWLER", Method::Ranges),
    ("DUCKDUCKGO_ASSIST", Method::Ranges),
    ("PERPLEXITY_CRAWLER", Method::Ranges),
    ("PERPLEXITY_USER", Method::Ranges),
];

/// The method for `bot_id`, if the table lists one.
#[must_use]
pub fn method_of(bot_id: &str) -> Option<Method> {
    METHODS
        .iter()
        .find(|(id, _)| *id == bot_id)
        .map(|&(_, method)| method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::Detector;

    #[test]
    fn every_listed_id_is_a_known_bot_and_listed_once() {
        let detector = Detector::builtin();
        let mut seen = std::collections::HashSet::new();
        for (id, _) in METHODS {
            assert!(detector.is_known_id(id), "{id}");
            assert!(seen.insert(*id), "{id} listed twice");
        }
    }

    #[test]
    fn suffixes_are_lower_case_domains_without_dots_at_the_ends() {
        for (_, method) in METHODS {
            if let Method::ReverseDns(op) = method {
                assert!(!op.suffixes.is_empty(), "{}", op.name);
                for s in op.suffixes {
                    assert!(
                        s.contains('.') && !s.starts_with('.') && !s.ends_with('.'),
                        "{s}"
                    );
                    assert_eq!(s.to_ascii_lowercase(), *s);
                }
            }
        }
    }
}
