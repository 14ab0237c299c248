//! palisade: in-process request protection for Node.js servers.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bot;
pub mod config;
mod dns;
pub mod email;
pub mod engine;
pub mod ip;
pub mod ratelimit;
pub mod shield;

#[cfg(feature = "napi")]
mod napi;
