//! Allow and deny lists over bot ids and categories, as a rule configures them.

use serde_json::Value;

use super::{generic, Category, Classification, Detector};
use crate::config::{join, ConfigError, ConfigErrorKind, Obj};

/// The most entries an allow or deny list may hold.
pub const MAX_LIST_LEN: usize = 1000;

/// One entry of an allow or deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A bot id such as `GOOGLE_CRAWLER`.
    Id(String),
    /// Every bot of a category, written `CATEGORY:SEARCH_ENGINE`.
    Category(Category),
}

impl Entry {
    /// Parses `"GOOGLE_CRAWLER"` or `"CATEGORY:SEARCH_ENGINE"`, checking ids against `detector`.
    pub fn parse(s: &str, path: &str, detector: &Detector) -> Result<Entry, ConfigError> {
        if let Some(name) = s.strip_prefix("CATEGORY:") {
            return Category::parse(name).map(Entry::Category).ok_or_else(|| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                ConfigError::new(
                    ConfigErrorKind::Unknown,
                    path,
                    format!("{s:?}"),
                    format!("CATEGORY: followed by one of {}", names.join(", ")),
                )
            });
        }
        if detector.is_known_id(s) {
            Ok(Entry::Id(s.to_owned()))
        } else {
            Err(ConfigError::new(
                ConfigErrorKind::Unknown,
                path,
                format!("{s:?}"),
                "a known bot id (e.g. GOOGLE_CRAWLER) or CATEGORY:<name> (e.g. CATEGORY:SEARCH_ENGINE)",
            ))
        }
    }

    fn covers(&self, id: &str, category: Option<Category>) -> bool {
        match self {
            Entry::Id(own) => own == id,
            Entry::Category(own) => Some(*own) == category,
        }
    }
}

/// What a rule does with a request that has no `User-Agent`, or an empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmptyUaPolicy {
    /// Treat it as the bot `UNKNOWN_BOT` (category `UNKNOWN`), then apply the lists. The default:
    /// every browser sends a UA, so a missing one is a script, and an allow-list rule then blocks
    /// it unless `UNKNOWN_BOT` or `CATEGORY:UNKNOWN` is allowed.
    #[default]
    Bot,
    /// Treat it as a human: never denied by this rule.
    Human,
}

/// A configured bot rule: either an allow list or a deny list.
#[derive(Debug, Clone)]
pub struct BotRule {
    /// With an allow list, every detected bot not listed is denied.
    pub allow: Vec<Entry>,
    /// With a deny list, only listed bots are denied.
    pub deny: Vec<Entry>,
    /// What to do when the UA is missing or empty.
    pub empty_ua: EmptyUaPolicy,
    /// Verification of claimed crawlers by reverse DNS (and refreshed ranges), when the rule asks
    /// for it with `verify`; `None` keeps the synchronous check against the shipped ranges.
    pub verify: Option<super::verify::VerifierConfig>,
    /// The rule's own detector when it adds custom bots (`custom`); `None` uses the builtin one.
    pub custom: Option<std::sync::Arc<Detector>>,
}

/// Builds a detector with the builtin bots plus `[{ id, pattern, category }]`.
fn custom_detector(list: &Value, path: &str) -> Result<Detector, ConfigError> {
    let arr = list.as_array().ok_or_else(|| {
        ConfigError::new(
            ConfigErrorKind::Type,
            path,
            crate::config::describe(list),
            "an array of { id, pattern, category }",
        )
    })?;
    if arr.len() > super::MAX_CUSTOM {
        return Err(ConfigError::new(
            ConfigErrorKind::Range,
            path,
            format!("{} entries", arr.len()),
            format!("at most {} entries", super::MAX_CUSTOM),
        ));
    }
    let mut bots = Vec::with_capacity(arr.len());
    for (i, item) in arr.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let o = Obj::new(item, &at)?;
        o.only(&["id", "pattern", "category"])?;
        let need = |key: &str| -> Result<String, ConfigError> {
            o.str(key)?.map(str::to_owned).ok_or_else(|| {
                ConfigError::new(
                    ConfigErrorKind::Missing,
                    o.key_path(key),
                    "nothing",
                    "a string",
                )
            })
        };
        let name = need("category")?;
        let category = Category::parse(name.trim_start_matches("CATEGORY:")).ok_or_else(|| {
            let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            ConfigError::new(
                ConfigErrorKind::Unknown,
                o.key_path("category"),
                format!("{name:?}"),
                format!("one of {}", names.join(", ")),
            )
        })?;
        bots.push(super::CustomBot {
            id: need("id")?,
            category,
            pattern: need("pattern")?,
        });
    }
    Detector::with_custom(bots).map_err(|mut e| {
        // The detector names `custom[i].field`; put the rule's path in front.
        e.path = format!("{path}{}", e.path.trim_start_matches("custom"));
        e
    })
}

/// The outcome of a bot rule for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotVerdict {
    /// Whether the rule denies the request.
    pub denied: bool,
    /// What was detected, whether or not it was denied.
    pub classification: Classification,
}

impl BotRule {
    /// Reads a rule from its options, checking ids against the builtin database.
    ///
    /// Keys: `allow` or `deny` (exactly one: a list of ids and `CATEGORY:` names) and optional
    /// `emptyUserAgent` (`"BOT"` or `"HUMAN"`). `mode` and `type` belong to the engine and are
    /// ignored here.
    pub fn from_value(v: &Value, path: &str) -> Result<BotRule, ConfigError> {
        let obj = Obj::new(v, path)?;
        let Some(list) = obj.get("custom") else {
            return Self::from_value_with(v, path, Detector::builtin());
        };
        let detector = std::sync::Arc::new(custom_detector(list, &obj.key_path("custom"))?);
        let mut rule = Self::from_value_with(v, path, &detector)?;
        rule.custom = Some(detector);
        Ok(rule)
    }

    /// The detector this rule classifies with: its own when it adds custom bots.
    #[must_use]
    pub fn detector(&self) -> &Detector {
        self.custom
            .as_deref()
            .unwrap_or_else(|| Detector::builtin())
    }

    /// As [`BotRule::from_value`], checking ids against `detector` (which may hold custom bots).
    pub fn from_value_with(
        v: &Value,
        path: &str,
        detector: &Detector,
    ) -> Result<BotRule, ConfigError> {
        let obj = Obj::new(v, path)?;
        obj.only(&[
            "allow",
            "deny",
            "emptyUserAgent",
            "verify",
            "custom",
            "mode",
            "type",
        ])?;
        let allow = obj.str_list("allow", MAX_LIST_LEN)?;
        let deny = obj.str_list("deny", MAX_LIST_LEN)?;
        let parse = |key: &str, list: Vec<&str>| -> Result<Vec<Entry>, ConfigError> {
            let base = join(path, key);
            list.iter()
                .enumerate()
                .map(|(i, s)| Entry::parse(s, &format!("{base}[{i}]"), detector))
                .collect()
        };
        let (allow, deny) = match (allow, deny) {
            (Some(a), None) => (parse("allow", a)?, Vec::new()),
            (None, Some(d)) => (Vec::new(), parse("deny", d)?),
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Type,
                    obj.key_path("deny"),
                    "both allow and deny",
                    "either an allow list or a deny list, not both",
                ))
            }
            (None, None) => {
                return Err(ConfigError::new(
                    ConfigErrorKind::Missing,
                    obj.key_path("allow"),
                    "nothing",
                    "an allow list or a deny list of bot ids or CATEGORY: names",
                ))
            }
        };
        let empty_ua = match obj.choice("emptyUserAgent", &["BOT", "HUMAN"])? {
            Some("HUMAN") => EmptyUaPolicy::Human,
            _ => EmptyUaPolicy::Bot,
        };
        let verify = match obj.get("verify") {
            None | Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) => Some(super::verify::VerifierConfig::default()),
            Some(v) => Some(super::verify::VerifierConfig::from_value(
                v,
                &obj.key_path("verify"),
            )?),
        };
        Ok(BotRule {
            allow,
            deny,
            empty_ua,
            verify,
            custom: None,
        })
    }

    /// Classifies `ua` and applies the lists. `None` means the request had no `User-Agent`.
    #[must_use]
    pub fn evaluate(&self, detector: &Detector, ua: Option<&str>) -> BotVerdict {
        let classification = match ua {
            Some(text) if !text.trim().is_empty() => detector.classify(text),
            _ => match self.empty_ua {
                EmptyUaPolicy::Human => Classification::default(),
                EmptyUaPolicy::Bot => Classification {
                    bot: true,
                    ids: vec![generic::UNKNOWN_BOT.into()],
                    categories: vec![Category::Unknown],
                },
            },
        };
        let listed = |list: &[Entry], id: &str| {
            let category = detector.category_of(id);
            list.iter().any(|e| e.covers(id, category))
        };
        let denied = if self.deny.is_empty() {
            classification.ids.iter().any(|id| !listed(&self.allow, id))
        } else {
            classification.ids.iter().any(|id| listed(&self.deny, id))
        };
        BotVerdict {
            denied,
            classification,
        }
    }
}
