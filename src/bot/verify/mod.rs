//! Checking that a request claiming to be a known crawler comes from that crawler's operator.
//!
//! A User-Agent is whatever the client wrote, so a UA naming Googlebot proves nothing. Operators
//! publish a way to check: Google, Bing, Apple, Yandex and Baidu give their crawlers host names in
//! reverse DNS under domains they own; Google, Bing, Apple and `OpenAI` (among others) publish the
//! address blocks their crawlers use. [`methods`] says which check applies to which bot id.
//!
//! Two entry points share the same answers ([`Verification`]):
//! - [`Ranges::verify`] is synchronous and answers from address blocks only (the shipped
//!   `data/bots/ranges/builtin.txt`, refreshable from a file).
//! - [`Verifier::verify`] is asynchronous: address blocks first (no I/O), then for operators that
//!   name their hosts, reverse DNS plus forward confirmation, with a timeout and a bounded cache.
//!   [`Verifier::verify_now`] is its I/O-free part, for callers that want to stay synchronous
//!   whenever no DNS query is needed.
//!
//! # Untrusted input
//! The client chooses its UA and, through the reverse zone of its own address block, the PTR
//! answer. At most [`MAX_PTR_NAMES`] PTR names are considered and only names under an operator's
//! domain get a forward lookup, so a hostile reverse zone cannot make one check cost more than
//! `1 + MAX_PTR_NAMES` queries, all inside one timeout. A DNS failure (timeout, SERVFAIL, REFUSED)
//! is never [`Verification::Spoofed`]: it says nothing about the client. A client that controls a
//! slow reverse zone can therefore always get [`Verification::Unverifiable`]; grant crawler
//! privileges only to [`Verification::Verified`].

mod methods;
mod ranges;
mod verifier;

pub use methods::{method_of, Method, Operator, METHODS};
pub use ranges::Ranges;
pub use verifier::{
    Verifier, VerifierConfig, MAX_FORWARD_ADDRS, MAX_NAMESERVERS, MAX_PTR_NAMES, MAX_TIMEOUT_MS,
};

/// The outcome of checking a claimed crawler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The UA names a checkable crawler and the address belongs to its operator (inside its
    /// published blocks, or its PTR name is under the operator's domain and resolves back to it).
    Verified,
    /// The UA names a checkable crawler and the operator's data says the address is not one of
    /// its crawlers (outside every block; or no PTR, a PTR outside the operator's domains, or a
    /// PTR name that does not resolve back to the address).
    Spoofed,
    /// Nothing could be decided: the UA names no checkable crawler, or DNS failed or timed out.
    Unverifiable,
}

impl Verification {
    /// A stable name for logs and JavaScript.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "VERIFIED",
            Self::Spoofed => "SPOOFED",
            Self::Unverifiable => "UNVERIFIABLE",
        }
    }
}
