//! Rate limiting: token bucket, fixed window and sliding window.
//!
//! The algorithms are pure functions over a 16-byte [`Slot`]; the [`Table`] keeps one slot per key
//! in memory with a hard key cap. [`RedisStore`] keeps the same counters in Redis, shared by every
//! instance of an app, with the same arithmetic in a Lua script. Time is always passed in (milliseconds since the Unix epoch), so
//! tests drive a manual clock and never sleep, and a shared store can use its own clock.
//!
//! # Untrusted input
//! Keys are hashed to 64 bits with a per-process random seed before they reach the table, so an
//! entry costs the same whatever the key length, and a client cannot aim a key at another client's
//! entry. A table holds at most `max_keys` entries; see [`Table`] for the eviction policy.

mod algorithm;
mod clock;
mod interval;
pub mod store;
mod table;

pub use algorithm::{Algorithm, Outcome, Slot, MAX_LIMIT};
pub use clock::Clock;
pub use interval::{parse as parse_interval, MAX_INTERVAL_SECS};
pub use store::{Health, RedisConfig, RedisStore, RemoteCheck, RemoteKey, RemoteOp, StoreError};
pub use table::{key_hash, registry_table, Table, DEFAULT_MAX_KEYS, MAX_MAX_KEYS};
