//! The local block cache: keys that Redis just denied, answered here until their reset.
//!
//! A denial for cost `c` at time `t` with reset `r` means every request of cost `c` or more is
//! denied until `t + r`: other instances can only use up more of the allowance, and every algorithm
//! denies a larger cost whenever it denies a smaller one. So within that time such a request is
//! answered locally, with no round trip. `t` is taken when the script is sent, before Redis read its
//! clock, so the local deadline is never later than Redis's own reset.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{RemoteCheck, RemoteKey, RemoteOp};
use crate::ratelimit::{Algorithm, Outcome};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Limit(Algorithm),
    Blocked,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Entry {
    scope: RemoteKey,
    key: RemoteKey,
    kind: Kind,
}

#[derive(Clone, Copy)]
struct Denied {
    /// Local clock time (ms) until which the key stays denied.
    until: u64,
    /// The smallest cost known to be denied until then.
    min_cost: u32,
    /// The denial as Redis gave it (`remaining` as of then).
    outcome: Outcome,
}

/// Two generations, like the MX cache: when the young one is full it becomes the old one and the
/// previous old one is dropped. O(1) per insert, at most `capacity` entries, no per-entry recency.
struct Gens {
    young: HashMap<Entry, Denied>,
    old: HashMap<Entry, Denied>,
}

pub(super) struct BlockCache {
    half: usize,
    gens: Mutex<Gens>,
}

impl BlockCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            half: capacity / 2,
            gens: Mutex::new(Gens {
                young: HashMap::new(),
                old: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Gens> {
        // Plain data: a panic elsewhere cannot leave it inconsistent.
        self.gens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn entry(check: &RemoteCheck) -> Option<(Entry, u32)> {
        let (kind, cost) = match check.op {
            RemoteOp::Limit { algorithm, cost } => (Kind::Limit(algorithm), cost),
            RemoteOp::IsBlocked => (Kind::Blocked, 0),
            // Setting a block must reach Redis.
            RemoteOp::Block { .. } => return None,
        };
        Some((
            Entry {
                scope: check.scope,
                key: check.key,
                kind,
            },
            cost,
        ))
    }

    /// The first `LIVE` check of the batch known to be denied at `now`, with its answer.
    pub(super) fn first_denied(&self, batch: &[RemoteCheck], now: u64) -> Option<(usize, Outcome)> {
        if self.half == 0 {
            return None;
        }
        let gens = self.lock();
        if gens.young.is_empty() && gens.old.is_empty() {
            return None;
        }
        batch.iter().enumerate().find_map(|(i, check)| {
            if !check.live {
                return None;
            }
            let (entry, cost) = Self::entry(check)?;
            let d = gens.young.get(&entry).or_else(|| gens.old.get(&entry))?;
            (d.until > now && cost >= d.min_cost).then_some((
                i,
                Outcome {
                    reset_ms: d.until - now,
                    ..d.outcome
                },
            ))
        })
    }

    /// Remembers a `LIVE` denial that Redis gave for a script sent at `sent_at`.
    pub(super) fn note(&self, check: &RemoteCheck, outcome: &Outcome, sent_at: u64) {
        if self.half == 0 || outcome.allowed || !check.live {
            return;
        }
        let Some((entry, cost)) = Self::entry(check).or_else(|| match check.op {
            // A block just set is a block to answer locally.
            RemoteOp::Block { .. } => Self::entry(&RemoteCheck {
                op: RemoteOp::IsBlocked,
                ..*check
            }),
            _ => None,
        }) else {
            return;
        };
        let denied = Denied {
            until: sent_at.saturating_add(outcome.reset_ms),
            min_cost: cost,
            outcome: *outcome,
        };
        let mut gens = self.lock();
        if gens.young.len() >= self.half && !gens.young.contains_key(&entry) {
            gens.old = std::mem::take(&mut gens.young);
        }
        gens.young.insert(entry, denied);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let g = self.lock();
        g.young.len() + g.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FW: Algorithm = Algorithm::FixedWindow {
        window_ms: 1000,
        max: 5,
    };

    fn check(key: u8, cost: u32, live: bool) -> RemoteCheck {
        RemoteCheck {
            key: RemoteKey::from_bytes([key; 16]),
            scope: RemoteKey::from_bytes([0; 16]),
            op: RemoteOp::Limit {
                algorithm: FW,
                cost,
            },
            live,
        }
    }

    fn denied(reset_ms: u64) -> Outcome {
        Outcome {
            allowed: false,
            max: 5,
            remaining: 2,
            reset_ms,
            window_ms: 1000,
        }
    }

    #[test]
    fn a_denial_answers_the_same_or_larger_cost_until_its_reset() {
        let c = BlockCache::new(16);
        c.note(&check(1, 3, true), &denied(100), 1000);
        assert_eq!(
            c.first_denied(&[check(1, 3, true)], 1050)
                .unwrap()
                .1
                .reset_ms,
            50
        );
        assert!(c.first_denied(&[check(1, 4, true)], 1099).is_some());
        assert!(
            c.first_denied(&[check(1, 2, true)], 1050).is_none(),
            "a smaller cost may fit"
        );
        assert!(
            c.first_denied(&[check(1, 3, true)], 1100).is_none(),
            "reset reached"
        );
        assert!(
            c.first_denied(&[check(1, 3, false)], 1050).is_none(),
            "DRY_RUN asks Redis"
        );
    }

    #[test]
    fn the_first_known_denial_in_the_batch_is_reported() {
        let c = BlockCache::new(16);
        c.note(&check(2, 1, true), &denied(100), 0);
        let batch = [check(1, 1, true), check(2, 1, true), check(3, 1, true)];
        assert_eq!(c.first_denied(&batch, 10).map(|(i, _)| i), Some(1));
    }

    #[test]
    fn stays_bounded_and_can_be_turned_off() {
        let c = BlockCache::new(64);
        for k in 0..=255u8 {
            c.note(&check(k, 1, true), &denied(1_000), 0);
            assert!(c.len() <= 64);
        }
        let off = BlockCache::new(0);
        off.note(&check(1, 1, true), &denied(100), 0);
        assert!(off.first_denied(&[check(1, 1, true)], 0).is_none());
    }
}
