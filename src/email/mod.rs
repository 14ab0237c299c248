//! Email address validation: syntax, internationalized domains, disposable and free providers, role
//! accounts, typo suggestions, and (asynchronously) MX records.
//!
//! [`validate`] is synchronous and does no I/O: it parses the address with a practical subset of
//! RFC 5321/5322 (dot-atom local parts always; quoted local parts and domain literals only when
//! [`Options`] allow them), maps the domain through UTS #46 to its ASCII (punycode) form, and then
//! classifies the domain against lists compiled into the binary. [`MxChecker`] is the one part that
//! talks to the network, and it is separate so that a caller decides when DNS latency is worth it.
//!
//! # Untrusted input
//!
//! - **Length caps.** An address longer than 254 bytes is rejected as [`Reason::TooLong`] before any
//!   other work, so every later step runs on at most 254 bytes. The local part is capped at 64 bytes,
//!   the ASCII domain at 253 and each label at 63 (RFC 5321 §4.5.3.1).
//! - **Linear time.** Parsing is a few forward scans with no backtracking; IDN mapping and the list
//!   lookups (one hash per domain level, into a fixed table) are bounded by the capped length.
//! - **No panics.** Every malformed input becomes an invalid [`Verdict`] with a typed [`Reason`].
//!   Control characters and U+FFFD (what a lone UTF-16 surrogate from JavaScript turns into) are
//!   always invalid.
//! - **Memory.** The disposable and free lists are `&'static str` data embedded in the binary
//!   (2.5 MB of read-only data for 162,079 disposable domains, 69 KB for the free list). The only
//!   heap they use is one hash table over both, 2^18 slots of 4 bytes (1 MB), built once on first
//!   use or by [`preload`]. [`classify`] allocates nothing for an ASCII address; [`validate`]
//!   allocates only the verdict. [`MxChecker`] keeps a bounded cache.
//!
//! # What the verdict means
//!
//! `valid` is about syntax only. A syntactically valid address may still carry types such as
//! [`EmailType::Disposable`] or [`EmailType::Role`]: deciding whether to deny those is the rule's job,
//! not the validator's.

mod domains;
mod mx;
mod syntax;

pub use domains::Provider;
pub use mx::{MxChecker, MxConfig, MxOutcome};
pub use syntax::MAX_ADDRESS;

use crate::config::{ConfigError, ConfigErrorKind, Obj};

/// A property of an address that a rule can allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailType {
    /// The address is not syntactically valid.
    Invalid,
    /// The domain, or a parent below its public suffix, is a known disposable-mail provider.
    Disposable,
    /// The domain is a free mail provider (anyone can sign up: gmail.com, yahoo.com, ...).
    Free,
    /// The domain cannot receive mail: no MX and no address records, or a null MX (RFC 7505).
    NoMxRecords,
    /// The local part names a role or a system mailbox (admin, noreply, postmaster, ...).
    Role,
}

impl EmailType {
    /// Every type, in the order a verdict lists them.
    pub const ALL: [Self; 5] = [
        Self::Invalid,
        Self::Disposable,
        Self::Free,
        Self::NoMxRecords,
        Self::Role,
    ];

    /// The stable name shown to JavaScript.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "INVALID",
            Self::Disposable => "DISPOSABLE",
            Self::Free => "FREE",
            Self::NoMxRecords => "NO_MX_RECORDS",
            Self::Role => "ROLE",
        }
    }
}

/// Why an address is invalid. Exactly one reason is reported: the first fault found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The address is the empty string.
    Empty,
    /// The address is longer than 254 bytes (raw, or after the domain was converted to punycode).
    TooLong,
    /// The local part is longer than 64 bytes.
    LocalPartTooLong,
    /// The ASCII form of the domain is longer than 253 bytes.
    DomainTooLong,
    /// A domain label is longer than 63 bytes (in its ASCII form).
    LabelTooLong,
    /// There is no `@`.
    MissingAt,
    /// Nothing before the `@`.
    MissingLocalPart,
    /// Nothing after the `@`.
    MissingDomain,
    /// The domain has a single label (`user@localhost`) while a top-level domain is required.
    MissingTld,
    /// The top-level domain is numeric or one character long while a real TLD is required.
    InvalidTld,
    /// A character that is not allowed where it appears (including control characters and U+FFFD).
    InvalidCharacter,
    /// A non-ASCII local part while [`Options::allow_utf8_local_part`] is off.
    NonAsciiLocalPart,
    /// Two dots in a row in the local part or the domain.
    ConsecutiveDots,
    /// The local part or the domain starts with a dot.
    LeadingDot,
    /// The local part or the domain ends with a dot.
    TrailingDot,
    /// A domain label starts or ends with a hyphen.
    HyphenAtLabelEdge,
    /// A quoted local part (`"john doe"@example.com`) while [`Options::allow_quoted`] is off.
    QuotedLocalPart,
    /// A quoted local part that is not closed, or has text after its closing quote.
    UnclosedQuote,
    /// A domain literal (`user@[192.0.2.1]`) while [`Options::allow_domain_literal`] is off.
    DomainLiteral,
    /// A domain literal that is not a valid IPv4 or `IPv6:` address.
    InvalidDomainLiteral,
    /// The domain fails UTS #46 processing (bad punycode, disallowed code points, bidi rules, ...).
    InvalidIdn,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: [Self; 21] = [
        Self::Empty,
        Self::TooLong,
        Self::LocalPartTooLong,
        Self::DomainTooLong,
        Self::LabelTooLong,
        Self::MissingAt,
        Self::MissingLocalPart,
        Self::MissingDomain,
        Self::MissingTld,
        Self::InvalidTld,
        Self::InvalidCharacter,
        Self::NonAsciiLocalPart,
        Self::ConsecutiveDots,
        Self::LeadingDot,
        Self::TrailingDot,
        Self::HyphenAtLabelEdge,
        Self::QuotedLocalPart,
        Self::UnclosedQuote,
        Self::DomainLiteral,
        Self::InvalidDomainLiteral,
        Self::InvalidIdn,
    ];

    /// The stable name shown to JavaScript (`SCREAMING_SNAKE_CASE`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "EMPTY",
            Self::TooLong => "TOO_LONG",
            Self::LocalPartTooLong => "LOCAL_PART_TOO_LONG",
            Self::DomainTooLong => "DOMAIN_TOO_LONG",
            Self::LabelTooLong => "LABEL_TOO_LONG",
            Self::MissingAt => "MISSING_AT",
            Self::MissingLocalPart => "MISSING_LOCAL_PART",
            Self::MissingDomain => "MISSING_DOMAIN",
            Self::MissingTld => "MISSING_TLD",
            Self::InvalidTld => "INVALID_TLD",
            Self::InvalidCharacter => "INVALID_CHARACTER",
            Self::NonAsciiLocalPart => "NON_ASCII_LOCAL_PART",
            Self::ConsecutiveDots => "CONSECUTIVE_DOTS",
            Self::LeadingDot => "LEADING_DOT",
            Self::TrailingDot => "TRAILING_DOT",
            Self::HyphenAtLabelEdge => "HYPHEN_AT_LABEL_EDGE",
            Self::QuotedLocalPart => "QUOTED_LOCAL_PART",
            Self::UnclosedQuote => "UNCLOSED_QUOTE",
            Self::DomainLiteral => "DOMAIN_LITERAL",
            Self::InvalidDomainLiteral => "INVALID_DOMAIN_LITERAL",
            Self::InvalidIdn => "INVALID_IDN",
        }
    }
}

/// Syntax policy. The defaults accept what real mailbox providers hand out and reject the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // Independent switches, each mirrored by one JS option.
pub struct Options {
    /// Reject single-label domains (`user@localhost`) and numeric or one-letter TLDs. Default `true`:
    /// no public mailbox lives on a bare TLD, and a numeric "TLD" is an IP address in disguise.
    pub require_top_level_domain: bool,
    /// Accept `user@[192.0.2.1]` and `user@[IPv6:2001:db8::1]`. Default `false`: signup forms never
    /// need them and they bypass every domain-based check.
    pub allow_domain_literal: bool,
    /// Accept quoted local parts (`"john doe"@example.com`). Default `false`: legal but almost never
    /// real, and a common way to smuggle spaces, `@` and quotes into systems downstream.
    pub allow_quoted: bool,
    /// Accept non-ASCII local parts (RFC 6531, `josé@example.com`). Default `true`: SMTPUTF8 is
    /// supported by the large providers and such addresses exist.
    pub allow_utf8_local_part: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            require_top_level_domain: true,
            allow_domain_literal: false,
            allow_quoted: false,
            allow_utf8_local_part: true,
        }
    }
}

/// The syntax options' own keys.
const OWN: [&str; 4] = [
    "requireTopLevelDomain",
    "allowDomainLiteral",
    "allowQuoted",
    "allowUtf8LocalPart",
];

/// Keys of an email rule that the engine reads; accepted here so that one object configures both.
const ENGINE_KEYS: [&str; 6] = ["type", "mode", "deny", "allow", "checkMx", "mxTimeoutMs"];

impl Options {
    /// Reads options from a JSON-like object (keys `requireTopLevelDomain`, `allowDomainLiteral`,
    /// `allowQuoted`, `allowUtf8LocalPart`). Keys owned by the engine are accepted and ignored;
    /// any other key is an error naming `path`.
    pub fn from_value(v: &serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        let obj = Obj::new(v, path)?;
        let allowed: Vec<&str> = OWN.iter().chain(ENGINE_KEYS.iter()).copied().collect();
        obj.only(&allowed)?;
        Self::read(&obj)
    }

    /// As [`Options::from_value`] for a direct check of one address (`validateEmail(address,
    /// options)`): the rule's keys would do nothing there, so they are unknown too, and the MX
    /// keys point to the asynchronous call.
    pub fn from_direct(v: &serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        let obj = Obj::new(v, path)?;
        if let Some(key) = ["checkMx", "mxTimeoutMs", "dns"]
            .into_iter()
            .find(|k| v.get(k).is_some())
        {
            return Err(ConfigError::new(
                ConfigErrorKind::Unknown,
                obj.key_path(key),
                format!("{key:?}"),
                format!(
                    "one of the keys {} (for an MX check call validateEmailAsync(address, options))",
                    OWN.join(", ")
                ),
            ));
        }
        obj.only(&OWN)?;
        Self::read(&obj)
    }

    fn read(obj: &Obj<'_>) -> Result<Self, ConfigError> {
        let d = Self::default();
        Ok(Self {
            require_top_level_domain: obj
                .bool("requireTopLevelDomain")?
                .unwrap_or(d.require_top_level_domain),
            allow_domain_literal: obj
                .bool("allowDomainLiteral")?
                .unwrap_or(d.allow_domain_literal),
            allow_quoted: obj.bool("allowQuoted")?.unwrap_or(d.allow_quoted),
            allow_utf8_local_part: obj
                .bool("allowUtf8LocalPart")?
                .unwrap_or(d.allow_utf8_local_part),
        })
    }
}

/// The answer for one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the syntax is acceptable under the [`Options`] used.
    pub valid: bool,
    /// `[Invalid]` when not valid; otherwise any of `Disposable`, `Free`, `Role` (possibly none).
    pub types: Vec<EmailType>,
    /// Why the address is invalid (empty when valid).
    pub reasons: Vec<Reason>,
    /// The address with its domain lower-cased and in punycode; the local part is kept as written
    /// (local parts are case-sensitive in principle). `None` when invalid.
    pub normalized: Option<String>,
    /// For a likely typo of a large provider's domain, the address with the corrected domain
    /// (`jo@gmial.com` gives `jo@gmail.com`). Never for a domain on the free-provider list; a typo
    /// domain that is also disposable-listed (typosquatters register them) gets both.
    pub suggestion: Option<String>,
}

impl Verdict {
    fn invalid(reason: Reason) -> Self {
        Self {
            valid: false,
            types: vec![EmailType::Invalid],
            reasons: vec![reason],
            normalized: None,
            suggestion: None,
        }
    }

    /// Whether the verdict carries `t`.
    #[must_use]
    pub fn has(&self, t: EmailType) -> bool {
        self.types.contains(&t)
    }
}

/// Validates and classifies one address. Synchronous and free of I/O.
#[must_use]
pub fn validate(address: &str, opts: &Options) -> Verdict {
    let mut buf = DomainBuf::default();
    match classify(address, opts, &mut buf) {
        Ok(c) => Verdict {
            valid: true,
            types: c.types().collect(),
            reasons: Vec::new(),
            normalized: Some(c.normalized()),
            suggestion: c.suggestion(),
        },
        Err(reason) => Verdict::invalid(reason),
    }
}

/// Room for a domain whose normalized form differs from how it was typed (upper case, Unicode),
/// so that [`classify`] can return it without allocating. Make one with `DomainBuf::default()`
/// per call; it is filled in only when needed.
#[derive(Debug, Default)]
pub struct DomainBuf(syntax::Scratch);

/// What [`validate`] finds in a valid address, borrowed from the input (or from a [`DomainBuf`])
/// instead of copied into strings: the parts a binding needs to build a verdict in its own
/// representation without an intermediate [`Verdict`].
#[derive(Debug, Clone)]
pub struct Classified<'a> {
    local: &'a str,
    host: std::borrow::Cow<'a, str>,
    provider: Provider,
    role: bool,
    typo_fix: Option<&'static str>,
}

impl Classified<'_> {
    /// The types of the verdict, in the order [`Verdict::types`] lists them (provider, then role).
    pub fn types(&self) -> impl Iterator<Item = EmailType> {
        let provider = match self.provider {
            Provider::Disposable => Some(EmailType::Disposable),
            Provider::Free => Some(EmailType::Free),
            Provider::Unknown => None,
        };
        provider
            .into_iter()
            .chain(self.role.then_some(EmailType::Role))
    }

    /// Which list claims the domain (a domain literal is [`Provider::Unknown`]).
    #[must_use]
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// Whether the normalized address is `address` itself, byte for byte: then a caller holding
    /// the input need not build [`Self::normalized`].
    #[must_use]
    pub fn normalized_is(&self, address: &str) -> bool {
        let host: &str = &self.host;
        address.len() == self.local.len() + 1 + host.len()
            && address.ends_with(host)
            && address.starts_with(self.local)
    }

    /// [`Verdict::normalized`].
    #[must_use]
    pub fn normalized(&self) -> String {
        let host: &str = &self.host;
        let mut s = String::with_capacity(self.local.len() + 1 + host.len());
        s.push_str(self.local);
        s.push('@');
        s.push_str(host);
        s
    }

    /// [`Verdict::suggestion`].
    #[must_use]
    pub fn suggestion(&self) -> Option<String> {
        self.typo_fix.map(|d| format!("{}@{d}", self.local))
    }
}

/// The work of [`validate`] without building its strings and vectors: the first syntax fault,
/// or the parts of a valid address. For an ASCII address it allocates nothing.
pub fn classify<'a>(
    address: &'a str,
    opts: &Options,
    buf: &'a mut DomainBuf,
) -> Result<Classified<'a>, Reason> {
    let parsed = syntax::parse(address, opts, &mut buf.0)?;
    let (host, provider, typo_fix) = match parsed.host {
        syntax::Host::Name(domain) => {
            let provider = domains::provider(domain);
            // A real provider is never "corrected". A disposable-listed domain still is: the
            // common typos of gmail.com, hotmail.com, ... are registered by typosquatters and
            // sit on the disposable lists, and those are exactly the typos worth pointing out.
            let typo_fix = if provider == Provider::Free {
                None
            } else {
                domains::suggest(domain)
            };
            (std::borrow::Cow::Borrowed(domain), provider, typo_fix)
        }
        syntax::Host::Literal(literal) => {
            (std::borrow::Cow::Owned(literal), Provider::Unknown, None)
        }
    };
    Ok(Classified {
        local: parsed.local,
        host,
        provider,
        role: domains::is_role(parsed.local),
        typo_fix,
    })
}

/// Builds the provider-list table now instead of on the first [`validate`] call (a few ms of
/// work), so that no request pays for it. Returns the heap bytes the table uses.
pub fn preload() -> usize {
    domains::LISTS.preload();
    domains::LISTS.heap_bytes()
}

/// Normalizes a bare domain the way [`validate`] does (UTS #46, punycode, lower case) and reports
/// whether it is a known disposable domain. Useful for checking a list entry without an address.
#[must_use]
pub fn is_disposable_domain(domain: &str) -> bool {
    let mut scratch = None;
    syntax::normalize_domain(domain, &Options::default(), &mut scratch)
        .is_ok_and(|d| domains::provider(d) == Provider::Disposable)
}
