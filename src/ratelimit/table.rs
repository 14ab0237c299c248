//! The in-memory store: one 16-byte slot per hashed key, with a hard cap on keys.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use dashmap::DashMap;

use super::{Algorithm, Outcome, Slot};

/// Default `maxKeys`: 100,000 keys is about 5 MB per limit (see `docs/defaults.md`).
pub const DEFAULT_MAX_KEYS: usize = 100_000;
/// The largest `maxKeys` accepted: 50 million keys is about 2.5 GB, more than a Node process should
/// spend on one limit.
pub const MAX_MAX_KEYS: usize = 50_000_000;
/// How many distinct limits the process-wide registry holds; rules built in a loop with ever new
/// parameters would otherwise grow it without bound.
const MAX_REGISTRY_TABLES: usize = 4096;

/// Keys arrive already hashed by [`key_hash`]; hashing them again would only cost time.
#[derive(Default)]
pub struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are ever hashed; fold anything else so the hasher stays total.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn seed() -> &'static ahash::RandomState {
    static SEED: OnceLock<ahash::RandomState> = OnceLock::new();
    SEED.get_or_init(ahash::RandomState::new)
}

/// Hashes the parts of a rate-limit key with a per-process random seed. Parts are length-prefixed
/// so that `("ab", "c")` and `("a", "bc")` differ.
#[must_use]
pub fn key_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut h = seed().build_hasher();
    for p in parts {
        h.write_usize(p.len());
        h.write(p);
    }
    h.finish()
}

/// Counters for one limit.
///
/// # Eviction
/// The table never holds more than `max_keys` entries. When a new key arrives at a full table:
/// 1. entries that are idle (back to a fresh state) are dropped: this changes no answer;
/// 2. if that frees less than an eighth of the table, entries that still have allowance left are
///    dropped until an eighth is free. Such a key restarts with a full allowance, a bounded gift;
/// 3. entries that are being limited are never dropped before their reset, so a client cannot
///    flush its own limit by flooding the table with new keys.
///
/// If every entry is being limited, a new key is answered as a fresh key without being stored
/// (fail-open), and `overflows()` counts it. Sweeps run at most once per eighth of the table
/// filled, so their cost is amortised to O(1) per insert.
pub struct Table {
    algorithm: Algorithm,
    map: DashMap<u64, Slot, BuildHasherDefault<PreHashed>>,
    max_keys: usize,
    len: AtomicUsize,
    sweeping: Mutex<()>,
    overflows: AtomicU64,
}

impl Table {
    /// An empty table for `algorithm` holding at most `max_keys` keys.
    #[must_use]
    pub fn new(algorithm: Algorithm, max_keys: usize) -> Self {
        Self {
            algorithm,
            map: DashMap::with_hasher(BuildHasherDefault::default()),
            max_keys: max_keys.max(1),
            len: AtomicUsize::new(0),
            sweeping: Mutex::new(()),
            overflows: AtomicU64::new(0),
        }
    }

    /// The limit this table counts.
    #[must_use]
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// Keys currently stored.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Whether no key is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// New keys answered without being stored because every entry was being limited.
    #[must_use]
    pub fn overflows(&self) -> u64 {
        self.overflows.load(Ordering::Relaxed)
    }

    /// Counts `cost` for `key` at `now`.
    pub fn check(&self, key: u64, cost: u32, now: u64) -> Outcome {
        if let Some(mut slot) = self.map.get_mut(&key) {
            return self.algorithm.apply(&mut slot, now, cost);
        }
        if self.len() >= self.max_keys {
            self.sweep(now);
            if self.len() >= self.max_keys {
                self.overflows.fetch_add(1, Ordering::Relaxed);
                let mut slot = self.algorithm.fresh(now);
                return self.algorithm.apply(&mut slot, now, cost);
            }
        }
        let mut inserted = false;
        let mut slot = self.map.entry(key).or_insert_with(|| {
            inserted = true;
            self.algorithm.fresh(now)
        });
        if inserted {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
        self.algorithm.apply(&mut slot, now, cost)
    }

    /// Reads a key's state without counting anything.
    #[must_use]
    pub fn peek(&self, key: u64, now: u64) -> Outcome {
        let mut slot = self
            .map
            .get(&key)
            .map_or_else(|| self.algorithm.fresh(now), |s| *s);
        self.algorithm.apply(&mut slot, now, 0)
    }

    fn sweep(&self, now: u64) {
        // One sweep at a time; a caller that finds one running goes on and at worst answers its
        // key as an overflow.
        let Ok(_guard) = self.sweeping.try_lock() else {
            return;
        };
        if self.len() < self.max_keys {
            return;
        }
        let alg = self.algorithm;
        let target = self.max_keys - self.max_keys / 8;
        let removed = AtomicUsize::new(0);
        self.map.retain(|_, s| {
            let keep = !alg.is_idle(s, now);
            if !keep {
                removed.fetch_add(1, Ordering::Relaxed);
            }
            keep
        });
        self.len
            .fetch_sub(removed.load(Ordering::Relaxed), Ordering::Relaxed);
        if self.len() > target {
            let mut excess = self.len() - target;
            let removed = AtomicUsize::new(0);
            self.map.retain(|_, s| {
                if excess == 0 || alg.is_exhausted(s, now) {
                    return true;
                }
                excess -= 1;
                removed.fetch_add(1, Ordering::Relaxed);
                false
            });
            self.len
                .fetch_sub(removed.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }
}

/// The process-wide table for a limit, shared by every engine in the process that declares the
/// same limit (same algorithm, parameters, key cap and `scope`). This is what lets a limit set in
/// `proxy.ts` and the same limit in a route handler count together: Next.js loads the app's modules
/// separately but the addon once.
///
/// Returns `None` when the registry already holds its maximum of distinct limits.
#[must_use]
pub fn registry_table(scope: u64, algorithm: Algorithm, max_keys: usize) -> Option<Arc<Table>> {
    type Registry = Mutex<HashMap<(u64, Algorithm, usize), Arc<Table>>>;
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let mut reg = REGISTRY
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(t) = reg.get(&(scope, algorithm, max_keys)) {
        return Some(Arc::clone(t));
    }
    if reg.len() >= MAX_REGISTRY_TABLES {
        return None;
    }
    let t = Arc::new(Table::new(algorithm, max_keys));
    reg.insert((scope, algorithm, max_keys), Arc::clone(&t));
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FW: Algorithm = Algorithm::FixedWindow {
        window_ms: 1000,
        max: 2,
    };

    #[test]
    fn never_holds_more_than_max_keys() {
        let t = Table::new(FW, 100);
        for k in 0..10_000u64 {
            t.check(k, 1, 0);
            assert!(t.len() <= 100);
        }
    }

    #[test]
    fn flooding_new_keys_never_evicts_a_limited_key() {
        let t = Table::new(FW, 64);
        let attacker = u64::MAX;
        assert!(t.check(attacker, 2, 0).allowed);
        assert!(!t.check(attacker, 1, 0).allowed);
        for k in 0..100_000u64 {
            t.check(k, 1, 1);
        }
        assert!(
            !t.check(attacker, 1, 2).allowed,
            "the attacker's own limit survived the flood"
        );
        assert!(t.check(attacker, 1, 1000).allowed, "and resets on time");
    }

    #[test]
    fn idle_keys_are_swept_first() {
        let t = Table::new(FW, 8);
        for k in 0..8u64 {
            t.check(k, 1, 0);
        }
        t.check(100, 1, 5_000);
        assert_eq!(t.len(), 1, "all eight old keys were idle at t=5000");
    }

    #[test]
    fn a_full_table_of_limited_keys_answers_new_keys_without_storing_them() {
        let t = Table::new(FW, 4);
        for k in 0..4u64 {
            t.check(k, 2, 0);
        }
        let o = t.check(99, 1, 1);
        assert!(o.allowed);
        assert_eq!(t.len(), 4);
        assert_eq!(t.overflows(), 1);
    }

    #[test]
    fn key_hash_separates_part_boundaries() {
        assert_ne!(
            key_hash([b"ab".as_slice(), b"c"]),
            key_hash([b"a".as_slice(), b"bc"])
        );
        assert_eq!(key_hash([b"x".as_slice()]), key_hash([b"x".as_slice()]));
    }

    #[test]
    fn registry_shares_one_table_per_limit() {
        let a = registry_table(7, FW, 10).unwrap();
        let b = registry_table(7, FW, 10).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let c = registry_table(8, FW, 10).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
    }
}
