//! Property tests for the limiter: under random timings and costs no algorithm ever allows more
//! than its quota, and flooding the table with new keys never frees a limited key early.

use palisade::ratelimit::{Algorithm, Table};
use proptest::prelude::*;

/// A request: milliseconds since the previous one, and its cost.
fn requests(max_gap: u64, max_cost: u32) -> impl Strategy<Value = Vec<(u64, u32)>> {
    prop::collection::vec((0..max_gap, 1..=max_cost), 1..400)
}

/// Runs the requests against one key; returns (time, cost) of each allowed one.
fn run(alg: Algorithm, reqs: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let table = Table::new(alg, 16);
    let mut now = 1_000_000;
    let mut allowed = Vec::new();
    for &(gap, cost) in reqs {
        now += gap;
        let out = table.check(42, cost, now);
        assert!(out.remaining <= out.max);
        if out.allowed {
            allowed.push((now, cost));
        }
    }
    allowed
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fixed_window_never_allows_more_than_max_per_window(
        window in 1u64..5_000, max in 1u32..20, reqs in requests(3_000, 20)
    ) {
        let reqs: Vec<_> = reqs.into_iter().map(|(g, c)| (g, c.min(max))).collect();
        let allowed = run(Algorithm::FixedWindow { window_ms: window, max }, &reqs);
        // A window starts at the first request after the previous one ended.
        let mut now = 1_000_000;
        let mut start: Option<u64> = None;
        let mut used = 0u64;
        let mut it = allowed.iter().peekable();
        for &(gap, _) in &reqs {
            now += gap;
            if start.is_none_or(|s| now >= s + window) {
                start = Some(now);
                used = 0;
            }
            while let Some(&&(t, c)) = it.peek() {
                if t != now { break; }
                used += u64::from(c);
                it.next();
            }
            prop_assert!(used <= u64::from(max), "window from {start:?}: {used} > {max}");
        }
    }

    #[test]
    fn sliding_window_never_allows_more_than_max_in_any_of_its_windows(
        interval in 1u64..5_000, max in 1u32..20, reqs in requests(3_000, 20)
    ) {
        let reqs: Vec<_> = reqs.into_iter().map(|(g, c)| (g, c.min(max))).collect();
        let allowed = run(Algorithm::SlidingWindow { interval_ms: interval, max }, &reqs);
        // Windows are laid on a grid from the first request.
        let origin = 1_000_000 + reqs[0].0;
        let mut per = std::collections::HashMap::<u64, u64>::new();
        for (t, c) in allowed {
            *per.entry((t - origin) / interval).or_default() += u64::from(c);
        }
        for (k, used) in per {
            prop_assert!(used <= u64::from(max), "window {k}: {used} > {max}");
        }
    }

    #[test]
    fn token_bucket_never_allows_more_than_capacity_plus_refills(
        interval in 1u64..2_000, refill in 1u32..10, capacity in 1u32..30, reqs in requests(1_500, 30)
    ) {
        let allowed = run(Algorithm::TokenBucket { refill_rate: refill, interval_ms: interval, capacity }, &reqs);
        for i in 0..allowed.len() {
            let mut sum = 0u64;
            for j in i..allowed.len() {
                sum += u64::from(allowed[j].1);
                let span = allowed[j].0 - allowed[i].0;
                let bound = u64::from(capacity) + u64::from(refill) * (span / interval + 1);
                prop_assert!(sum <= bound, "{sum} allowed in {span} ms, bound {bound}");
            }
        }
    }

    #[test]
    fn a_request_costing_more_than_the_limit_is_denied_and_changes_nothing(
        max in 1u32..50, extra in 1u32..100, before in 0u32..50
    ) {
        let table = Table::new(Algorithm::FixedWindow { window_ms: 60_000, max }, 16);
        let before = before.min(max);
        if before > 0 {
            prop_assert!(table.check(7, before, 1_000).allowed);
        }
        let left = table.peek(7, 1_000).remaining;
        prop_assert!(!table.check(7, max + extra, 1_000).allowed);
        prop_assert_eq!(table.peek(7, 1_000).remaining, left);
    }

    #[test]
    fn flooding_new_keys_never_frees_a_limited_key_before_its_reset(
        flood in 100usize..3_000, at in 0u64..59_000
    ) {
        let table = Table::new(Algorithm::FixedWindow { window_ms: 60_000, max: 3 }, 64);
        for _ in 0..3 {
            prop_assert!(table.check(1, 1, 0).allowed);
        }
        for k in 0..flood {
            table.check(1_000 + k as u64, 1, at);
        }
        prop_assert!(table.len() <= 64 + 64 / 8);
        prop_assert!(!table.check(1, 1, at).allowed, "the limited key was evicted early");
        prop_assert!(table.check(1, 1, 60_000).allowed, "and it resets on time");
    }
}
