//! Bot detection from the `User-Agent` header.
//!
//! A [`Detector`] holds a database of named bots (about 1,500 entries, each with a stable id such
//! as `GOOGLE_CRAWLER` and a [`Category`]) compiled into one multi-pattern matcher, plus a
//! fallback that recognises clients which name no known bot but do not look like a browser
//! (`somebot/1.0`, `libfoo/2.3`, an empty header). [`BotRule`] turns a classification into an
//! allow/deny verdict the way a rule configuration asks for.
//!
//! # Untrusted input
//! The UA is attacker-controlled. Only its first [`MAX_UA_LEN`] bytes are inspected (cut back to
//! a character boundary); every pattern is matched with the `regex` crate or Aho-Corasick, both
//! linear in the input, so the time per UA is bounded by a constant whatever is sent. Request
//! data never produces an error: every string, including empty ones and ones full of control
//! characters, gets a verdict. User-supplied patterns are size-limited when the detector is built.

mod cache;
mod db;
mod generic;
mod matcher;
mod rule;
pub mod verify;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::config::{ConfigError, ConfigErrorKind};

pub use db::{records, Record};
pub use rule::{BotRule, BotVerdict, EmptyUaPolicy, Entry};

/// How many leading bytes of a User-Agent are inspected.
///
/// Real browser UAs stay under 500 bytes even with in-app tokens appended, and every bot token
/// in the database sits well inside the first kilobyte. Capping keeps the cost per request
/// constant: a 100 KB header costs the same as a 1 KB one. A longer UA is also classified by the
/// fallback as not a browser, so padding a bot token past the cap does not hide it as human.
pub const MAX_UA_LEN: usize = 1024;

/// The most custom patterns a detector accepts.
pub const MAX_CUSTOM: usize = 1000;
/// The longest custom pattern accepted, in bytes.
pub const MAX_CUSTOM_PATTERN_LEN: usize = 1024;
/// The longest custom bot id accepted, in bytes (builtin ids are at most 40).
pub const MAX_CUSTOM_ID_LEN: usize = 64;

/// Ordinary browsers' User-Agents that no custom pattern may match: a pattern that matches them
/// (`.`, `mozilla`, `android`, `edg/`) would make every visitor, or every visitor on one platform,
/// a bot and deny them all. The current major browsers on each platform.
const BROWSER_UAS: [&str; 12] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
];

/// What kind of client a bot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Search engine indexers (Googlebot, Bingbot, ...).
    SearchEngine,
    /// Crawlers collecting data for AI models or AI search indexes (`GPTBot`, `ClaudeBot`, `CCBot`, ...).
    AiCrawler,
    /// Fetches made on behalf of a user of an AI assistant (ChatGPT-User, Claude-User, ...).
    AiAssistant,
    /// SEO and marketing crawlers (`AhrefsBot`, `SemrushBot`, ...).
    Seo,
    /// Uptime monitors, site checkers and audits.
    Monitor,
    /// Link preview fetchers of chat apps (Slackbot, Discordbot, ...).
    Preview,
    /// Social networks fetching shared pages (facebookexternalhit, Twitterbot, ...).
    Social,
    /// Feed readers and aggregators.
    Feed,
    /// Web archives.
    Archive,
    /// Research crawlers.
    Academic,
    /// Ad verification and ad network crawlers.
    Advertising,
    /// HTTP client libraries and command-line tools (curl, python-requests, ...).
    HttpLibrary,
    /// Headless and automated browsers (`HeadlessChrome`, Playwright, Selenium, ...).
    Headless,
    /// Vulnerability and internet-wide scanners (sqlmap, Nuclei, zgrab, ...).
    Scanner,
    /// A client recognised as a bot by shape only.
    Unknown,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 15] = [
        Category::SearchEngine,
        Category::AiCrawler,
        Category::AiAssistant,
        Category::Seo,
        Category::Monitor,
        Category::Preview,
        Category::Social,
        Category::Feed,
        Category::Archive,
        Category::Academic,
        Category::Advertising,
        Category::HttpLibrary,
        Category::Headless,
        Category::Scanner,
        Category::Unknown,
    ];

    /// The name used in configuration and data files, e.g. `SEARCH_ENGINE`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Category::SearchEngine => "SEARCH_ENGINE",
            Category::AiCrawler => "AI_CRAWLER",
            Category::AiAssistant => "AI_ASSISTANT",
            Category::Seo => "SEO",
            Category::Monitor => "MONITOR",
            Category::Preview => "PREVIEW",
            Category::Social => "SOCIAL",
            Category::Feed => "FEED",
            Category::Archive => "ARCHIVE",
            Category::Academic => "ACADEMIC",
            Category::Advertising => "ADVERTISING",
            Category::HttpLibrary => "HTTP_LIBRARY",
            Category::Headless => "HEADLESS",
            Category::Scanner => "SCANNER",
            Category::Unknown => "UNKNOWN",
        }
    }

    /// Parses a name written as by [`Category::as_str`] (exact, upper case).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What a detector found in one UA.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Classification {
    /// Whether the UA is a bot (known or by shape).
    pub bot: bool,
    /// Ids of the bots found, without duplicates, in database order of discovery.
    pub ids: Vec<Arc<str>>,
    /// Their categories, without duplicates, in the order of `ids`.
    pub categories: Vec<Category>,
}

/// A bot added by the user on top of the builtin database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomBot {
    /// Its id, used in allow and deny lists; may not reuse a builtin id.
    pub id: String,
    /// Its category.
    pub category: Category,
    /// A case-insensitive pattern in `regex` crate syntax.
    pub pattern: String,
}

/// One bot known to a detector.
#[derive(Debug)]
struct Bot {
    id: Arc<str>,
    category: Category,
}

/// Classifies User-Agent strings. Build once per application and share.
pub struct Detector {
    bots: Vec<Bot>,
    by_id: HashMap<Arc<str>, usize>,
    /// The builtin patterns, built once and shared by every detector.
    matcher: Arc<matcher::Matcher>,
    /// The custom patterns of this detector, apart: adding a few bots builds a small matcher
    /// instead of the builtin one again.
    custom: Option<matcher::Matcher>,
    cache: cache::VerdictCache,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("bots", &self.bots.len())
            .finish_non_exhaustive()
    }
}

/// Cuts a UA to at most [`MAX_UA_LEN`] bytes at a character boundary.
#[must_use]
pub fn inspected(ua: &str) -> &str {
    if ua.len() <= MAX_UA_LEN {
        return ua;
    }
    let mut end = MAX_UA_LEN;
    while !ua.is_char_boundary(end) {
        end -= 1;
    }
    &ua[..end]
}

impl Detector {
    /// The detector over the builtin database, built on first use.
    ///
    /// # Panics
    /// Only if the embedded data files are malformed, which the test suite rules out.
    #[must_use]
    pub fn builtin() -> &'static Detector {
        static BUILTIN: OnceLock<Detector> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let records = records().unwrap_or_else(|(file, line, msg)| {
                panic!("embedded bot data {file}:{line} is malformed: {msg}")
            });
            Detector::from_records(&records)
        })
    }

    /// The builtin database plus `custom` bots.
    ///
    /// Errors name the offending entry: a pattern that does not compile or is too large gives
    /// [`ConfigErrorKind::Pattern`] at `custom[i].pattern`, as does one that matches the empty
    /// string or an ordinary browser's User-Agent (it would deny every visitor); an id that is
    /// empty, longer than [`MAX_CUSTOM_ID_LEN`] or not `SCREAMING_SNAKE` gives
    /// [`ConfigErrorKind::Type`], one already taken [`ConfigErrorKind::Unknown`], at `custom[i].id`.
    pub fn with_custom(custom: Vec<CustomBot>) -> Result<Detector, ConfigError> {
        if custom.len() > MAX_CUSTOM {
            return Err(ConfigError::new(
                ConfigErrorKind::Range,
                "custom",
                format!("{} entries", custom.len()),
                format!("at most {MAX_CUSTOM} entries"),
            ));
        }
        let builtin = Detector::builtin();
        let mut seen: Vec<&str> = Vec::new();
        for (i, bot) in custom.iter().enumerate() {
            let valid_id = !bot.id.is_empty()
                && bot.id.len() <= MAX_CUSTOM_ID_LEN
                && bot
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                && !bot.id.as_bytes()[0].is_ascii_digit();
            if !valid_id {
                return Err(ConfigError::new(
                    ConfigErrorKind::Type,
                    format!("custom[{i}].id"),
                    if bot.id.len() > MAX_CUSTOM_ID_LEN {
                        format!("{} bytes", bot.id.len())
                    } else {
                        format!("{:?}", bot.id)
                    },
                    format!("an id of 1 to {MAX_CUSTOM_ID_LEN} upper-case letters, digits and underscores, e.g. MY_CRAWLER"),
                ));
            }
            if builtin.is_known_id(&bot.id) || seen.contains(&bot.id.as_str()) {
                return Err(ConfigError::new(
                    ConfigErrorKind::Unknown,
                    format!("custom[{i}].id"),
                    format!("{:?}", bot.id),
                    "an id not already used by a builtin or another custom bot",
                ));
            }
            seen.push(&bot.id);
            let path = format!("custom[{i}].pattern");
            if bot.pattern.len() > MAX_CUSTOM_PATTERN_LEN {
                return Err(ConfigError::new(
                    ConfigErrorKind::Pattern,
                    path,
                    format!("{} bytes", bot.pattern.len()),
                    format!("a pattern of at most {MAX_CUSTOM_PATTERN_LEN} bytes"),
                ));
            }
            let compiled = matcher::compile(&bot.pattern);
            if let Ok(re) = &compiled {
                let everyone = if re.is_match("") {
                    Some("the empty string")
                } else {
                    BROWSER_UAS
                        .iter()
                        .any(|ua| re.is_match(ua))
                        .then_some("an ordinary browser's User-Agent")
                };
                if let Some(what) = everyone {
                    return Err(ConfigError::new(
                        ConfigErrorKind::Pattern,
                        path,
                        format!("{:?}", bot.pattern),
                        format!("a pattern that does not match {what} (it would make every visitor this bot)"),
                    ));
                }
            }
            if let Err(e) = compiled {
                let why = match e {
                    regex::Error::CompiledTooBig(limit) => {
                        format!("a pattern that compiles to at most {limit} bytes")
                    }
                    other => format!(
                        "a valid regex ({})",
                        other.to_string().lines().last().unwrap_or("")
                    ),
                };
                return Err(ConfigError::new(
                    ConfigErrorKind::Pattern,
                    path,
                    format!("{:?}", bot.pattern),
                    why,
                ));
            }
        }
        // The builtin bots keep their indices (those of the shared matcher); custom ones follow.
        let mut bots: Vec<Bot> = builtin
            .bots
            .iter()
            .map(|b| Bot {
                id: b.id.clone(),
                category: b.category,
            })
            .collect();
        let mut by_id = builtin.by_id.clone();
        let mut items: Vec<(u32, &str)> = Vec::with_capacity(custom.len());
        for bot in &custom {
            let id: Arc<str> = Arc::from(bot.id.as_str());
            let index = bots.len();
            by_id.insert(id.clone(), index);
            bots.push(Bot {
                id,
                category: bot.category,
            });
            items.push((index as u32, bot.pattern.as_str()));
        }
        Ok(Detector {
            matcher: builtin.matcher.clone(),
            custom: (!items.is_empty()).then(|| matcher::Matcher::new(items)),
            bots,
            by_id,
            cache: cache::VerdictCache::new(),
        })
    }

    fn from_records(records: &[Record]) -> Detector {
        let mut bots = Vec::with_capacity(records.len() + generic::IDS.len());
        let mut by_id = HashMap::with_capacity(bots.capacity());
        let mut items: Vec<(u32, &str)> = Vec::new();
        let mut add = |id: &str, category: Category, bots: &mut Vec<Bot>| -> u32 {
            let id: Arc<str> = Arc::from(id);
            let index = bots.len();
            by_id.entry(id.clone()).or_insert(index);
            bots.push(Bot { id, category });
            index as u32
        };
        for record in records {
            let category = record.category().unwrap_or(Category::Unknown);
            let index = add(&record.id, category, &mut bots);
            items.extend(record.patterns.iter().map(|p| (index, p.as_str())));
        }
        for (id, category) in generic::IDS {
            add(id, category, &mut bots);
        }
        Detector {
            matcher: Arc::new(matcher::Matcher::new(items)),
            custom: None,
            bots,
            by_id,
            cache: cache::VerdictCache::new(),
        }
    }

    /// Whether a pattern, builtin or custom, matches.
    fn any_pattern(&self, ua: &str) -> bool {
        self.matcher.any(ua) || self.custom.as_ref().is_some_and(|m| m.any(ua))
    }

    /// Whether `ua` is a bot: a known one, or a client that does not look like a browser.
    #[must_use]
    pub fn is_bot(&self, ua: &str) -> bool {
        self.is_bot_len(ua, ua.len())
    }

    /// As [`Detector::is_bot_len`] without the verdict cache: what a UA seen for the first time costs.
    #[must_use]
    pub fn is_bot_uncached(&self, ua: &str, full_len: usize) -> bool {
        let ua = inspected(ua);
        self.any_pattern(ua) || generic::classify(ua, full_len.max(ua.len())).is_some()
    }

    /// As [`Detector::is_bot`], for a caller that read only the first bytes of a longer UA:
    /// `full_len` is the length of the whole UA in bytes.
    #[must_use]
    pub fn is_bot_len(&self, ua: &str, full_len: usize) -> bool {
        let ua = inspected(ua);
        let full_len = full_len.max(ua.len());
        self.cache.get_or(ua, full_len, || {
            self.any_pattern(ua) || generic::classify(ua, full_len).is_some()
        })
    }

    /// Which bots `ua` names; falls back to a shape-based verdict when it names none.
    #[must_use]
    pub fn classify(&self, ua: &str) -> Classification {
        self.classify_len(ua, ua.len())
    }

    /// As [`Detector::classify`], for a caller that read only the first bytes of a longer UA.
    #[must_use]
    pub fn classify_len(&self, ua: &str, full_len: usize) -> Classification {
        let text = inspected(ua);
        let mut out = Classification::default();
        let mut push = |index: u32| {
            self.push(&mut out, index as usize);
            true
        };
        self.matcher.each(text, &mut push);
        if let Some(custom) = &self.custom {
            custom.each(text, &mut push);
        }
        if out.ids.is_empty() {
            if let Some(id) = generic::classify(text, full_len.max(ua.len())) {
                if let Some(&index) = self.by_id.get(id) {
                    self.push(&mut out, index);
                }
            }
        }
        out.bot = !out.ids.is_empty();
        out
    }

    fn push(&self, out: &mut Classification, index: usize) {
        let bot = &self.bots[index];
        if !out.ids.contains(&bot.id) {
            out.ids.push(bot.id.clone());
        }
        if !out.categories.contains(&bot.category) {
            out.categories.push(bot.category);
        }
    }

    /// Whether `id` names a bot of this detector (builtin, custom, or a fallback id such as
    /// `UNKNOWN_BOT`). Used to validate allow and deny lists.
    #[must_use]
    pub fn is_known_id(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The category of a known id.
    #[must_use]
    pub fn category_of(&self, id: &str) -> Option<Category> {
        self.by_id.get(id).map(|&i| self.bots[i].category)
    }

    /// How many bots this detector knows, fallback ids included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bots.len()
    }

    /// Whether the detector knows no bot (never true for a built detector).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bots.is_empty()
    }

    /// How many patterns bypass the literal prefilter and run on every UA.
    #[must_use]
    pub fn unfiltered_patterns(&self) -> usize {
        self.matcher.unfiltered() + self.custom.as_ref().map_or(0, matcher::Matcher::unfiltered)
    }
}
