//! palisade: in-process request protection for Node.js servers.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod config;
pub mod shield;
