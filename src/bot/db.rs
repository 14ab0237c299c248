//! The builtin bot list: JSON Lines files under `data/bots/`, embedded in the binary.
//!
//! `curated.jsonl` holds entries we maintain by hand (vendor documentation, tool defaults);
//! `monperrus.jsonl` is generated from monperrus/crawler-user-agents (MIT) by
//! `data/bots/import_monperrus.py`. One line is one bot.

use serde::Deserialize;

use super::Category;

const CURATED: &str = include_str!("../../data/bots/curated.jsonl");
const MONPERRUS: &str = include_str!("../../data/bots/monperrus.jsonl");

/// One bot of the database as written in the data files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Stable `SCREAMING_SNAKE` identifier, used in allow and deny lists.
    pub id: String,
    /// Category name as in [`Category::as_str`].
    pub category: String,
    /// Case-insensitive patterns in `regex` crate syntax; any one matching identifies the bot.
    pub patterns: Vec<String>,
    /// Where the operator documents the bot, when known.
    #[serde(default)]
    pub url: Option<String>,
    /// Where this entry comes from.
    pub source: String,
    /// Patterns of the imported list that this curated entry supersedes (used by the importer).
    #[serde(default)]
    pub replaces: Vec<String>,
}

impl Record {
    /// The parsed category; `None` for a name that is not a [`Category`].
    #[must_use]
    pub fn category(&self) -> Option<Category> {
        Category::parse(&self.category)
    }
}

/// Every builtin record, curated entries first, with the 1-based line and file for messages.
///
/// # Errors
/// Returns `(file, line, message)` for the first line that is not a valid record.
pub fn records() -> Result<Vec<Record>, (&'static str, usize, String)> {
    let mut out = Vec::with_capacity(1600);
    for (file, text) in [("curated.jsonl", CURATED), ("monperrus.jsonl", MONPERRUS)] {
        for (i, line) in text.split('\n').enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: Record =
                serde_json::from_str(line).map_err(|e| (file, i + 1, e.to_string()))?;
            out.push(record);
        }
    }
    Ok(out)
}
