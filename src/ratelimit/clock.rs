//! Where the limiter reads the time from.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A source of milliseconds since the Unix epoch.
///
/// Wall-clock time is used (not a monotonic clock) because limits are shared by every limiter in
/// the process and, with a shared store, across processes; the algorithms saturate instead of
/// wrapping if the clock steps back.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that moves only when told to: for tests.
    Manual(Arc<AtomicU64>),
}

impl Clock {
    /// A manual clock starting at `start_ms`.
    #[must_use]
    pub fn manual(start_ms: u64) -> Self {
        Self::Manual(Arc::new(AtomicU64::new(start_ms)))
    }

    /// The current time in milliseconds since the Unix epoch. The system clock is read once per
    /// process and then advanced by a monotonic clock, so a wall-clock step (NTP, a VM resume)
    /// neither stretches nor cuts short a window.
    #[must_use]
    pub fn now_ms(&self) -> u64 {
        match self {
            Self::System => {
                static BASE: OnceLock<(Instant, u64)> = OnceLock::new();
                let (start, wall) = BASE.get_or_init(|| {
                    let wall = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as u64);
                    (Instant::now(), wall)
                });
                wall + start.elapsed().as_millis() as u64
            }
            Self::Manual(t) => t.load(Ordering::Relaxed),
        }
    }

    /// Tells clocks apart: 0 for the system clock, a per-instance number for a manual clock.
    #[must_use]
    pub fn identity(&self) -> u64 {
        match self {
            Self::System => 0,
            Self::Manual(t) => Arc::as_ptr(t) as u64,
        }
    }

    /// Moves a manual clock forward; does nothing to the system clock.
    pub fn advance(&self, ms: u64) {
        if let Self::Manual(t) = self {
            t.fetch_add(ms, Ordering::Relaxed);
        }
    }

    /// Sets a manual clock; does nothing to the system clock.
    pub fn set(&self, ms: u64) {
        if let Self::Manual(t) = self {
            t.store(ms, Ordering::Relaxed);
        }
    }
}
