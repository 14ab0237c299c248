//! A small lock-free cache of `is_bot` verdicts for recently seen User-Agents.
//!
//! Real traffic repeats a few hundred UAs over and over (every visitor on the same browser version
//! sends the same string), so remembering the verdict of recent UAs skips the matcher for most
//! requests. The cache is a fixed array of 4,096 words (32 KiB): each holds a 63-bit hash of the UA
//! (seeded per process, so nobody can aim a UA at another's slot) and the verdict bit. A collision
//! of the full 63 bits would be needed to read a wrong verdict; a UA that lands on a taken slot only
//! replaces it, which costs speed, never correctness.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

const SLOTS: usize = 4096;

/// The verdict cache of one detector.
pub(super) struct VerdictCache {
    slots: Box<[AtomicU64]>,
}

fn seed() -> &'static ahash::RandomState {
    static SEED: OnceLock<ahash::RandomState> = OnceLock::new();
    SEED.get_or_init(ahash::RandomState::new)
}

impl VerdictCache {
    pub(super) fn new() -> Self {
        Self {
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// The cached verdict for `ua` (of total length `full_len`), or computes and stores it.
    pub(super) fn get_or(&self, ua: &str, full_len: usize, compute: impl FnOnce() -> bool) -> bool {
        let h = seed().hash_one((ua, full_len));
        // Bit 0 holds the verdict; bit 1 is forced on so that an empty slot (0) never matches.
        let tag = (h | 2) & !1;
        let slot = &self.slots[(h >> 52) as usize % SLOTS];
        let seen = slot.load(Ordering::Relaxed);
        if seen & !1 == tag {
            return seen & 1 == 1;
        }
        let verdict = compute();
        slot.store(tag | u64::from(verdict), Ordering::Relaxed);
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_verdicts_and_recomputes_after_a_slot_is_taken() {
        let c = VerdictCache::new();
        assert!(c.get_or("a", 1, || true));
        assert!(c.get_or("a", 1, || panic!("cached")));
        assert!(!c.get_or("b", 1, || false));
        assert!(!c.get_or("b", 1, || panic!("cached")));
        // The same prefix with another full length is another UA.
        assert!(c.get_or("a", 2000, || true));
        for i in 0..100_000 {
            let ua = format!("ua-{i}");
            let v = i % 3 == 0;
            assert_eq!(c.get_or(&ua, ua.len(), || v), v);
        }
    }
}
