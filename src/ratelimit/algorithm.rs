//! The three algorithms as pure functions over one slot.

/// The largest `max`/`capacity`/`refillRate` accepted (2^27 - 1, about 134 million). Counts are
/// stored in 32 bits so that an entry stays 16 bytes, and the binding packs `remaining` into 27 bits.
pub const MAX_LIMIT: u32 = (1 << 27) - 1;

/// One limit's parameters. All times are milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `capacity` tokens; `refill_rate` tokens are added every `interval_ms`, up to `capacity`.
    TokenBucket {
        /// Tokens added per interval.
        refill_rate: u32,
        /// Refill interval in milliseconds.
        interval_ms: u64,
        /// Bucket size, and the burst allowed to a new key.
        capacity: u32,
    },
    /// At most `max` per window; a key's window starts at its first request.
    FixedWindow {
        /// Window length in milliseconds.
        window_ms: u64,
        /// Requests allowed per window.
        max: u32,
    },
    /// At most `max` per rolling interval, estimated from the current and previous window counts
    /// weighted by how much of the previous window still overlaps.
    SlidingWindow {
        /// Interval length in milliseconds.
        interval_ms: u64,
        /// Requests allowed per interval.
        max: u32,
    },
}

/// A key's state: 16 bytes whatever the algorithm, so that memory per key is fixed.
///
/// Token bucket: `at` = time of the last refill step, `a` = tokens. Fixed window: `at` = window
/// start, `a` = count. Sliding window: `at` = current window start, `a` = current count,
/// `b` = previous window count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slot {
    /// A time in milliseconds; meaning depends on the algorithm.
    pub at: u64,
    /// First counter.
    pub a: u32,
    /// Second counter.
    pub b: u32,
}

/// The answer to one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the request fits in the limit (and was counted).
    pub allowed: bool,
    /// The limit: capacity or max.
    pub max: u32,
    /// What is left after this request.
    pub remaining: u32,
    /// Milliseconds until a denied request could succeed, or, when allowed, until the key is back
    /// to its full allowance.
    pub reset_ms: u64,
    /// The window or refill interval in milliseconds.
    pub window_ms: u64,
}

impl Algorithm {
    /// The limit (capacity or max).
    #[must_use]
    pub fn max(&self) -> u32 {
        match *self {
            Self::TokenBucket { capacity, .. } => capacity,
            Self::FixedWindow { max, .. } | Self::SlidingWindow { max, .. } => max,
        }
    }

    /// The window or refill interval.
    #[must_use]
    pub fn window_ms(&self) -> u64 {
        match *self {
            Self::TokenBucket { interval_ms, .. } | Self::SlidingWindow { interval_ms, .. } => {
                interval_ms
            }
            Self::FixedWindow { window_ms, .. } => window_ms,
        }
    }

    /// The slot of a key never seen before, at `now`.
    #[must_use]
    pub fn fresh(&self, now: u64) -> Slot {
        match *self {
            Self::TokenBucket { capacity, .. } => Slot {
                at: now,
                a: capacity,
                b: 0,
            },
            Self::FixedWindow { .. } | Self::SlidingWindow { .. } => Slot {
                at: now,
                a: 0,
                b: 0,
            },
        }
    }

    /// Brings a slot up to `now` (refills, rolls windows) without counting anything.
    fn roll(&self, s: &mut Slot, now: u64) {
        match *self {
            Self::TokenBucket {
                refill_rate,
                interval_ms,
                capacity,
            } => {
                if now <= s.at {
                    return;
                }
                let steps = (now - s.at) / interval_ms;
                if steps == 0 {
                    return;
                }
                let added = steps.saturating_mul(u64::from(refill_rate));
                let tokens = (u64::from(s.a) + added).min(u64::from(capacity)) as u32;
                s.a = tokens;
                // A full bucket restarts its refill clock at the first consumption, not before.
                s.at = if tokens == capacity {
                    now
                } else {
                    s.at + steps * interval_ms
                };
            }
            Self::FixedWindow { window_ms, .. } => {
                if now >= s.at.saturating_add(window_ms) {
                    *s = Slot {
                        at: now,
                        a: 0,
                        b: 0,
                    };
                }
            }
            Self::SlidingWindow { interval_ms, .. } => {
                if now >= s.at.saturating_add(interval_ms) {
                    let windows = (now - s.at) / interval_ms;
                    s.b = if windows == 1 { s.a } else { 0 };
                    s.a = 0;
                    s.at += windows * interval_ms;
                }
            }
        }
    }

    /// Counts `cost` against the slot if it fits. A request that does not fit changes nothing: no
    /// partial deduction, no extension of the window (field case rl-030).
    pub fn apply(&self, s: &mut Slot, now: u64, cost: u32) -> Outcome {
        self.roll(s, now);
        let max = self.max();
        let window_ms = self.window_ms();
        match *self {
            Self::TokenBucket {
                refill_rate,
                interval_ms,
                capacity,
            } => {
                let tokens = s.a;
                let next_step = s.at.saturating_add(interval_ms).saturating_sub(now).max(1);
                let time_for = |missing: u32| -> u64 {
                    if missing == 0 {
                        return 0;
                    }
                    let steps = u64::from(missing).div_ceil(u64::from(refill_rate.max(1)));
                    next_step + (steps - 1) * interval_ms
                };
                if cost <= tokens {
                    s.a = tokens - cost;
                    if tokens == capacity {
                        // The refill clock starts when the bucket stops being full.
                        s.at = now;
                    }
                    let reset_ms = if s.a == capacity {
                        0
                    } else {
                        let steps =
                            u64::from(capacity - s.a).div_ceil(u64::from(refill_rate.max(1)));
                        s.at.saturating_add(steps * interval_ms).saturating_sub(now)
                    };
                    Outcome {
                        allowed: true,
                        max,
                        remaining: s.a,
                        reset_ms,
                        window_ms,
                    }
                } else {
                    // A request larger than the bucket can never pass; say when the bucket is full.
                    let reset_ms =
                        time_for(cost.min(capacity) - tokens.min(cost.min(capacity))).max(1);
                    Outcome {
                        allowed: false,
                        max,
                        remaining: tokens,
                        reset_ms,
                        window_ms,
                    }
                }
            }
            Self::FixedWindow { window_ms, max } => {
                // Clamped to the window: a clock that stepped back must not stretch a lockout.
                let reset_ms =
                    s.at.saturating_add(window_ms)
                        .saturating_sub(now)
                        .clamp(1, window_ms);
                if u64::from(s.a) + u64::from(cost) <= u64::from(max) {
                    s.a += cost;
                    Outcome {
                        allowed: true,
                        max,
                        remaining: max - s.a,
                        reset_ms,
                        window_ms,
                    }
                } else {
                    Outcome {
                        allowed: false,
                        max,
                        remaining: max - s.a.min(max),
                        reset_ms,
                        window_ms,
                    }
                }
            }
            Self::SlidingWindow { interval_ms, max } => {
                let into = now.saturating_sub(s.at).min(interval_ms);
                // Share of the previous window still inside the rolling interval, rounded up so
                // that the estimate never undercounts.
                let carried = (u64::from(s.b) * (interval_ms - into)).div_ceil(interval_ms);
                let used = carried + u64::from(s.a);
                let reset_ms = (interval_ms - into).max(1);
                if used + u64::from(cost) <= u64::from(max) {
                    s.a += cost;
                    let remaining = (u64::from(max) - used - u64::from(cost)) as u32;
                    Outcome {
                        allowed: true,
                        max,
                        remaining,
                        reset_ms,
                        window_ms,
                    }
                } else {
                    let reset_ms = sliding_wait(
                        interval_ms,
                        into,
                        s.a,
                        s.b,
                        max.saturating_sub(cost.min(max)),
                    );
                    let remaining = u64::from(max).saturating_sub(used) as u32;
                    Outcome {
                        allowed: false,
                        max,
                        remaining,
                        reset_ms,
                        window_ms,
                    }
                }
            }
        }
    }

    /// Whether the slot is back to the state of a key never seen, so it can be dropped without
    /// changing any future answer.
    #[must_use]
    pub fn is_idle(&self, s: &Slot, now: u64) -> bool {
        let mut rolled = *s;
        self.roll(&mut rolled, now);
        match *self {
            Self::TokenBucket { capacity, .. } => rolled.a == capacity,
            Self::FixedWindow { .. } => rolled.a == 0,
            Self::SlidingWindow { .. } => rolled.a == 0 && rolled.b == 0,
        }
    }

    /// Whether the key has nothing left right now (it is being limited). Such keys are never
    /// evicted before they reset, so flooding the table cannot wipe an attacker's own limit.
    #[must_use]
    pub fn is_exhausted(&self, s: &Slot, now: u64) -> bool {
        let mut probe = *s;
        !self.apply(&mut probe, now, 1).allowed
    }
}

/// How long until the sliding estimate leaves room for `budget` more requests' worth: either the
/// previous window's share decays enough within this window, or (when the current count alone is
/// too high) the current count becomes the previous window and decays in its turn.
fn sliding_wait(interval: u64, into: u64, current: u32, previous: u32, room: u32) -> u64 {
    let (a, b, room) = (u64::from(current), u64::from(previous), u64::from(room));
    let wait = if a > room {
        // Next window: carried = ceil(a * (I - x) / I) <= room  <=>  x >= I * (a - room) / a.
        (interval - into) + (interval * (a - room)).div_ceil(a)
    } else if b > 0 {
        // This window: ceil(b * (I - x) / I) <= room - a  <=>  x >= I * (b - (room - a)) / b.
        let free = room - a;
        let x = (interval * b.saturating_sub(free)).div_ceil(b);
        x.saturating_sub(into)
    } else {
        0
    };
    wait.clamp(1, 2 * interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(alg: &Algorithm, s: &mut Slot, now: u64, n: u32) -> Vec<bool> {
        (0..n).map(|_| alg.apply(s, now, 1).allowed).collect()
    }

    #[test]
    fn token_bucket_allows_burst_then_refills_by_step() {
        let alg = Algorithm::TokenBucket {
            refill_rate: 2,
            interval_ms: 1000,
            capacity: 5,
        };
        let mut s = alg.fresh(0);
        assert_eq!(
            run(&alg, &mut s, 0, 6),
            [true, true, true, true, true, false]
        );
        assert!(!alg.apply(&mut s, 999, 1).allowed);
        let o = alg.apply(&mut s, 1000, 1);
        assert!(o.allowed);
        assert_eq!(o.remaining, 1);
        assert!(alg.apply(&mut s, 1000, 1).allowed);
        assert!(!alg.apply(&mut s, 1000, 1).allowed);
    }

    #[test]
    fn regression_rl_030_token_bucket_denies_oversized_request_without_deducting() {
        let alg = Algorithm::TokenBucket {
            refill_rate: 1,
            interval_ms: 60_000,
            capacity: 10,
        };
        let mut s = alg.fresh(0);
        assert!(alg.apply(&mut s, 0, 8).allowed);
        let before = s;
        let o = alg.apply(&mut s, 10, 5);
        assert!(!o.allowed);
        assert_eq!(o.remaining, 2);
        assert_eq!(s, before, "a denied request must not touch the bucket");
        let o = alg.apply(&mut s, 20, 11);
        assert!(!o.allowed, "more than the capacity is never allowed");
        assert_eq!(s, before);
        assert!(alg.apply(&mut s, 30, 2).allowed);
    }

    #[test]
    fn token_bucket_denial_says_when_enough_tokens_arrive() {
        let alg = Algorithm::TokenBucket {
            refill_rate: 1,
            interval_ms: 1000,
            capacity: 3,
        };
        let mut s = alg.fresh(0);
        assert!(alg.apply(&mut s, 0, 3).allowed);
        let o = alg.apply(&mut s, 400, 2);
        assert!(!o.allowed);
        assert_eq!(o.reset_ms, 1600, "second token arrives at t=2000");
    }

    #[test]
    fn fixed_window_resets_after_window_from_first_request() {
        let alg = Algorithm::FixedWindow {
            window_ms: 10_000,
            max: 2,
        };
        let mut s = alg.fresh(5_000);
        assert_eq!(run(&alg, &mut s, 5_000, 3), [true, true, false]);
        let o = alg.apply(&mut s, 14_999, 1);
        assert!(!o.allowed);
        assert_eq!(o.reset_ms, 1);
        assert!(alg.apply(&mut s, 15_000, 1).allowed);
    }

    #[test]
    fn sliding_window_carries_weighted_previous_count() {
        let alg = Algorithm::SlidingWindow {
            interval_ms: 1000,
            max: 10,
        };
        let mut s = alg.fresh(0);
        assert_eq!(run(&alg, &mut s, 0, 10).iter().filter(|a| **a).count(), 10);
        assert!(!alg.apply(&mut s, 999, 1).allowed);
        // Halfway into the next window, half of the previous 10 still counts.
        assert_eq!(
            run(&alg, &mut s, 1500, 10).iter().filter(|a| **a).count(),
            5
        );
        // Two windows later nothing carries over.
        assert_eq!(
            run(&alg, &mut s, 3000, 11).iter().filter(|a| **a).count(),
            10
        );
    }

    #[test]
    fn sliding_window_reset_is_never_early() {
        for start in [0u64, 30_000] {
            let alg = Algorithm::SlidingWindow {
                interval_ms: 60_000,
                max: 10,
            };
            let mut s = alg.fresh(start);
            for _ in 0..10 {
                assert!(alg.apply(&mut s, start, 1).allowed);
            }
            let mut now = start;
            let mut o = alg.apply(&mut s, now, 1);
            assert!(!o.allowed);
            // Waiting exactly `reset` always succeeds, and one millisecond less never does.
            for _ in 0..5 {
                let mut probe = s;
                assert!(
                    !alg.apply(&mut probe, now + o.reset_ms - 1, 1).allowed,
                    "early at {start}"
                );
                now += o.reset_ms;
                o = alg.apply(&mut s, now, 1);
                assert!(o.allowed, "reset {} from {start} was too early", o.reset_ms);
                for _ in 0..20 {
                    o = alg.apply(&mut s, now, 1);
                    if !o.allowed {
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn requests_larger_than_the_limit_get_a_bounded_reset() {
        for alg in [
            Algorithm::TokenBucket {
                refill_rate: 1,
                interval_ms: 1000,
                capacity: 2,
            },
            Algorithm::FixedWindow {
                window_ms: 60_000,
                max: 3,
            },
            Algorithm::SlidingWindow {
                interval_ms: 60_000,
                max: 3,
            },
        ] {
            let mut s = alg.fresh(0);
            let o = alg.apply(&mut s, 0, 4);
            assert!(!o.allowed);
            assert!(
                o.reset_ms >= 1 && o.reset_ms <= 120_000,
                "{alg:?}: {}",
                o.reset_ms
            );
        }
    }

    #[test]
    fn idle_and_exhausted_are_read_without_changing_the_slot() {
        let alg = Algorithm::FixedWindow {
            window_ms: 100,
            max: 1,
        };
        let mut s = alg.fresh(0);
        assert!(alg.is_idle(&s, 0));
        alg.apply(&mut s, 0, 1);
        let copy = s;
        assert!(alg.is_exhausted(&s, 50));
        assert!(!alg.is_idle(&s, 50));
        assert!(alg.is_idle(&s, 100));
        assert_eq!(s, copy);
    }

    #[test]
    fn clock_stepping_back_never_panics_or_grants_extra() {
        for alg in [
            Algorithm::TokenBucket {
                refill_rate: 1,
                interval_ms: 1000,
                capacity: 2,
            },
            Algorithm::FixedWindow {
                window_ms: 1000,
                max: 2,
            },
            Algorithm::SlidingWindow {
                interval_ms: 1000,
                max: 2,
            },
        ] {
            let mut s = alg.fresh(10_000);
            let allowed = [10_000, 5_000, 0, 9_999]
                .iter()
                .filter(|t| alg.apply(&mut s, **t, 1).allowed)
                .count();
            assert_eq!(allowed, 2, "{alg:?}");
        }
    }
}
