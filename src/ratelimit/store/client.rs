//! The Redis connection, its health, and the batch script.
//!
//! # Runtime
//! [`RedisStore`]'s async methods must run inside a Tokio runtime with the `net` and `time` drivers
//! enabled (as for [`crate::email::MxChecker`]). The connection's I/O task and the reconnect task
//! are spawned on the runtime of the check that needed them. Construction does no I/O and needs
//! no runtime.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, ErrorKind, RedisError, ServerErrorKind, Value};
use tokio::sync::watch;
use tokio::time::Instant;

use super::cache::BlockCache;
use super::{Health, RedisConfig, RemoteCheck, RemoteOp, StoreError};
use crate::config::ConfigError;
use crate::ratelimit::{Algorithm, Clock, Outcome};

/// The batch script; see the comments at its top and `docs/redis.md`.
const SCRIPT: &str = include_str!("batch.lua");

/// Extra TTL given to keys when a manual clock replaces the server's: Redis expires keys in real
/// time while the test clock jumps, so keys must outlive any test.
const MANUAL_CLOCK_TTL_SLACK_MS: u64 = 86_400_000;

/// Called once per change of [`Health`]; the binding logs from it. It runs on the thread that saw
/// the change and must not block.
pub type HealthHook = Arc<dyn Fn(&Health) + Send + Sync>;

/// A rate-limit store in Redis. Cheap to clone (one `Arc`); `Send` and `Sync`.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.inner.prefix)
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: redis::Client,
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    reconnect_interval: Duration,
    sha: String,
    /// `None`: the server's clock (`TIME`). A manual clock is for tests only.
    manual_clock: Option<Clock>,
    /// The local clock for the block cache: monotonic, milliseconds.
    clock: Clock,
    cache: BlockCache,
    state: Mutex<State>,
    /// Bumped after every change of `state`, for checks waiting on the first connection.
    changed: watch::Sender<u64>,
    hook: Mutex<Option<HealthHook>>,
    /// Health changes not yet given to the hook, oldest first.
    events: Mutex<std::collections::VecDeque<Health>>,
    /// Held by the one thread delivering `events`.
    delivering: Mutex<()>,
}

struct State {
    conn: Option<MultiplexedConnection>,
    /// Which connection `conn` is, so that a failure seen on an old one cannot drop a new one.
    epoch: u64,
    health: Health,
    /// Id of the running connect task, if any: at most one runs.
    attempt: Option<u64>,
    attempts: u64,
    last_attempt: Option<Instant>,
}

impl RedisStore {
    /// Builds a store. Validates the options and does no I/O: the first check connects.
    pub fn new(config: RedisConfig) -> Result<Self, ConfigError> {
        Self::build(config, None)
    }

    /// A store that reads time from `clock` instead of the server's `TIME`, so that tests can
    /// compare it step by step with [`Algorithm::apply`]. Never use this in production: instance
    /// clocks would matter again. Keys then expire a day after their computed TTL, because Redis
    /// expires them in real time.
    pub fn with_manual_clock(config: RedisConfig, clock: Clock) -> Result<Self, ConfigError> {
        Self::build(config, Some(clock))
    }

    fn build(config: RedisConfig, manual_clock: Option<Clock>) -> Result<Self, ConfigError> {
        let client = config.client("")?;
        let clock = manual_clock.clone().unwrap_or_default();
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                prefix: config.prefix,
                timeout: config.timeout,
                connect_timeout: config.connect_timeout.max(Duration::from_millis(1)),
                reconnect_interval: config.reconnect_interval,
                sha: redis::Script::new(SCRIPT).get_hash().to_owned(),
                manual_clock,
                clock,
                cache: BlockCache::new(config.block_cache_capacity),
                state: Mutex::new(State {
                    conn: None,
                    epoch: 0,
                    health: Health::Connecting,
                    attempt: None,
                    attempts: 0,
                    last_attempt: None,
                }),
                changed: watch::channel(0).0,
                hook: Mutex::new(None),
                events: Mutex::new(std::collections::VecDeque::new()),
                delivering: Mutex::new(()),
            }),
        })
    }

    /// Sets the function called once per change of [`Health`] (replacing any previous one).
    pub fn on_health(&self, hook: impl Fn(&Health) + Send + Sync + 'static) {
        *lock(&self.inner.hook) = Some(Arc::new(hook));
    }

    /// The connection state now.
    #[must_use]
    pub fn health(&self) -> Health {
        lock(&self.inner.state).health.clone()
    }

    /// Runs one request's checks: one `EVALSHA` for the whole batch, within `timeoutMs`.
    ///
    /// Checks apply in order; after the first `LIVE` denial the rest are not run and come back as
    /// `None`, so a denied request never uses up later limits. `DRY_RUN` checks are counted and
    /// reported but never stop the batch. A `LIVE` check that Redis denied recently is answered
    /// from the local block cache: the checks before it still go to Redis (their counts and
    /// denials come first), and when it is the first check no I/O happens at all.
    ///
    /// An error means the store could not answer: nothing in the batch is known, and no denial is
    /// implied. The caller applies the fail mode or the fallback.
    pub async fn check(&self, batch: &[RemoteCheck]) -> Result<Vec<Option<Outcome>>, StoreError> {
        let inner = &self.inner;
        let mut out = vec![None; batch.len()];
        let sent_at = inner.clock.now_ms();
        let cached = inner.cache.first_denied(batch, sent_at);
        let send = cached.map_or(batch, |(i, _)| &batch[..i]);
        if !send.is_empty() {
            let outcomes = self.run(send, sent_at).await?;
            let stopped = outcomes.len() < send.len();
            for ((slot, check), outcome) in out.iter_mut().zip(send).zip(outcomes) {
                inner.cache.note(check, &outcome, sent_at);
                *slot = Some(outcome);
            }
            if stopped {
                return Ok(out);
            }
        }
        if let Some((i, outcome)) = cached {
            out[i] = Some(outcome);
        }
        Ok(out)
    }

    /// One `PING` over the store's connection, under the same timeout and health rules as a check
    /// (for measuring what a check costs beyond the round trip).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let reply: String = self
            .exec(|mut conn| async move { redis::cmd("PING").query_async(&mut conn).await })
            .await?;
        if reply == "PONG" {
            Ok(())
        } else {
            Err(StoreError::Protocol(format!("PING answered {reply:?}")))
        }
    }

    /// Connects now instead of at the first check (for example at startup), and waits up to the
    /// connect timeout for the outcome. A store that is down starts a reconnect attempt at once.
    pub async fn connect(&self) -> Result<(), StoreError> {
        let inner = &self.inner;
        tokio::runtime::Handle::try_current().map_err(|_| no_runtime())?;
        let mut rx = inner.changed.subscribe();
        let deadline = Instant::now() + inner.connect_timeout + inner.timeout;
        {
            let mut st = lock(&inner.state);
            if st.conn.is_some() {
                return Ok(());
            }
            if st.attempt.is_none() {
                st.last_attempt = None;
                self.spawn_attempts(&mut st)?;
            }
        }
        loop {
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Err(_) => return Err(StoreError::Timeout(inner.connect_timeout)),
                Ok(Err(_)) => return Err(StoreError::Unavailable("store dropped".into())),
                Ok(Ok(())) => {}
            }
            let st = lock(&inner.state);
            if st.conn.is_some() {
                return Ok(());
            }
            if let Health::Down { cause, .. } = &st.health {
                return Err(cause.clone());
            }
        }
    }

    async fn run(&self, batch: &[RemoteCheck], now: u64) -> Result<Vec<Outcome>, StoreError> {
        let inner = &self.inner;
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(&inner.sha).arg(batch.len());
        let mut key = String::with_capacity(inner.prefix.len() + 100);
        for c in batch {
            key.clear();
            self.redis_key(c, &mut key);
            cmd.arg(key.as_str());
        }
        match &inner.manual_clock {
            Some(_) => cmd.arg(now.max(1)).arg(MANUAL_CLOCK_TTL_SLACK_MS),
            None => cmd.arg(0).arg(0),
        };
        for c in batch {
            let (kind, p1, p2, p3, cost) = match c.op {
                RemoteOp::Limit {
                    algorithm:
                        Algorithm::TokenBucket {
                            refill_rate,
                            interval_ms,
                            capacity,
                        },
                    cost,
                } => (
                    1,
                    u64::from(refill_rate.max(1)),
                    interval_ms.max(1),
                    u64::from(capacity),
                    cost,
                ),
                RemoteOp::Limit {
                    algorithm: Algorithm::FixedWindow { window_ms, max },
                    cost,
                } => (2, window_ms.max(1), u64::from(max), 0, cost),
                RemoteOp::Limit {
                    algorithm: Algorithm::SlidingWindow { interval_ms, max },
                    cost,
                } => (3, interval_ms.max(1), u64::from(max), 0, cost),
                RemoteOp::IsBlocked => (4, 0, 0, 0, 0),
                RemoteOp::Block { for_ms } => (5, for_ms.max(1), 0, 0, 0),
            };
            cmd.arg(kind)
                .arg(p1)
                .arg(p2)
                .arg(p3)
                .arg(cost)
                .arg(if c.live { "1" } else { "0" });
        }
        let reply: Value = self
            .exec(|mut conn| async move {
                match cmd.query_async(&mut conn).await {
                    // The script cache was flushed, or this is a new server after a failover.
                    Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                        let _: String = redis::cmd("SCRIPT")
                            .arg("LOAD")
                            .arg(SCRIPT)
                            .query_async(&mut conn)
                            .await?;
                        cmd.query_async(&mut conn).await
                    }
                    other => other,
                }
            })
            .await?;
        parse_reply(&reply, batch)
    }

    /// `{prefix}:{<key>}:<scope>:<limit>`. The braces are a Redis Cluster hash tag: all of one
    /// client's keys live in the same slot, whatever the rule.
    fn redis_key(&self, check: &RemoteCheck, out: &mut String) {
        use std::fmt::Write as _;
        out.push_str(&self.inner.prefix);
        out.push_str(":{");
        check.key.write_hex(out);
        out.push_str("}:");
        check.scope.write_hex(out);
        // Writing to a String cannot fail.
        let _ = match check.op {
            RemoteOp::Limit {
                algorithm:
                    Algorithm::TokenBucket {
                        refill_rate,
                        interval_ms,
                        capacity,
                    },
                ..
            } => write!(out, ":tb.{refill_rate}.{interval_ms}.{capacity}"),
            RemoteOp::Limit {
                algorithm: Algorithm::FixedWindow { window_ms, max },
                ..
            } => write!(out, ":fw.{window_ms}.{max}"),
            RemoteOp::Limit {
                algorithm: Algorithm::SlidingWindow { interval_ms, max },
                ..
            } => write!(out, ":sw.{interval_ms}.{max}"),
            RemoteOp::IsBlocked | RemoteOp::Block { .. } => write!(out, ":block"),
        };
    }

    /// Runs `f` on the connection within the timeout; a connection-level failure takes the store
    /// down.
    async fn exec<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let inner = &self.inner;
        // Timers and spawning need a runtime: without one, an error rather than a panic.
        tokio::runtime::Handle::try_current().map_err(|_| no_runtime())?;
        let deadline = Instant::now() + inner.timeout;
        let (conn, epoch) = self.connection(deadline).await?;
        match tokio::time::timeout_at(deadline, f(conn)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                let (err, down) = classify(&e, inner.timeout);
                if down {
                    self.mark_down(epoch, err.clone());
                }
                Err(err)
            }
            Err(_) => {
                // A server that does not answer in time is treated as gone: otherwise every request
                // would wait out the timeout (a black-holed connection never errors by itself).
                let err = StoreError::Timeout(inner.timeout);
                self.mark_down(epoch, err.clone());
                Err(err)
            }
        }
    }

    /// The live connection, or an immediate error while down, or (before the first connection)
    /// a wait for the connect attempt until `deadline`.
    async fn connection(
        &self,
        deadline: Instant,
    ) -> Result<(MultiplexedConnection, u64), StoreError> {
        let inner = &self.inner;
        // Subscribed before reading the state, so that no change between the two is missed.
        let mut rx = inner.changed.subscribe();
        loop {
            {
                let mut st = lock(&inner.state);
                if let Some(conn) = &st.conn {
                    return Ok((conn.clone(), st.epoch));
                }
                if st.attempt.is_none() {
                    // Normally the reconnect task is running; it may have been dropped with the
                    // runtime it ran on.
                    self.spawn_attempts(&mut st)?;
                }
                if let Health::Down { cause, .. } = &st.health {
                    return Err(StoreError::Unavailable(format!(
                        "not connected, reconnecting in the background (last error: {cause})"
                    )));
                }
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Err(_) => return Err(StoreError::Timeout(inner.timeout)),
                Ok(Err(_)) => return Err(StoreError::Unavailable("store dropped".into())),
                Ok(Ok(())) => {}
            }
        }
    }

    fn mark_down(&self, epoch: u64, cause: StoreError) {
        let inner = &self.inner;
        let mut st = lock(&inner.state);
        if st.epoch != epoch || st.conn.is_none() {
            return;
        }
        st.conn = None;
        if st.attempt.is_none() {
            // A connection that just broke is retried at once: a restarted server or a proxy
            // that dropped an idle connection is back within one round trip.
            st.last_attempt = None;
            // Inside `exec`, so inside a runtime: this cannot fail.
            let _ = self.spawn_attempts(&mut st);
        }
        self.set_health(
            st,
            Health::Down {
                since: SystemTime::now(),
                cause,
            },
        );
    }

    /// Starts the connect task: attempts until one succeeds, at most one per reconnect interval.
    fn spawn_attempts(&self, st: &mut State) -> Result<(), StoreError> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| no_runtime())?;
        st.attempts += 1;
        let id = st.attempts;
        st.attempt = Some(id);
        let first_delay = st.last_attempt.map_or(Duration::ZERO, |at| {
            (at + self.inner.reconnect_interval).saturating_duration_since(Instant::now())
        });
        let weak = Arc::downgrade(&self.inner);
        handle.spawn(attempts(weak, id, first_delay));
        Ok(())
    }

    fn set_health(&self, st: MutexGuard<'_, State>, health: Health) {
        set_health(&self.inner, st, health);
    }
}

/// Clears the running-attempt mark if the task ends without finishing (its runtime shut down), so
/// that the next check starts another.
struct AttemptGuard {
    inner: Weak<Inner>,
    id: u64,
}

impl Drop for AttemptGuard {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            let mut st = lock(&inner.state);
            if st.attempt == Some(self.id) {
                st.attempt = None;
            }
        }
    }
}

async fn attempts(weak: Weak<Inner>, id: u64, first_delay: Duration) {
    let _guard = AttemptGuard {
        inner: weak.clone(),
        id,
    };
    let mut delay = first_delay;
    loop {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        // Holding only a weak reference while asleep: a dropped store stops its task.
        let Some(inner) = weak.upgrade() else { return };
        lock(&inner.state).last_attempt = Some(Instant::now());
        let result = connect_once(&inner).await;
        let mut st = lock(&inner.state);
        match result {
            Ok(conn) => {
                st.conn = Some(conn);
                st.epoch += 1;
                st.attempt = None;
                set_health(&inner, st, Health::Up);
                return;
            }
            Err(cause) => {
                if matches!(st.health, Health::Down { .. }) {
                    // Still down: nothing to report, but waiters (the first checks) must hear.
                    drop(st);
                    inner.changed.send_modify(|n| *n += 1);
                } else {
                    set_health(
                        &inner,
                        st,
                        Health::Down {
                            since: SystemTime::now(),
                            cause,
                        },
                    );
                }
            }
        }
        delay = inner.reconnect_interval;
    }
}

async fn connect_once(inner: &Inner) -> Result<MultiplexedConnection, StoreError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(inner.connect_timeout))
        // Each command is bounded by the store's own timeout.
        .set_response_timeout(None);
    let attempt = async {
        let mut conn = inner
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        let sha: String = redis::cmd("SCRIPT")
            .arg("LOAD")
            .arg(SCRIPT)
            .query_async(&mut conn)
            .await?;
        Ok::<_, RedisError>((conn, sha))
    };
    match tokio::time::timeout(inner.connect_timeout, attempt).await {
        Err(_) => Err(StoreError::Timeout(inner.connect_timeout)),
        Ok(Err(e)) => Err(classify(&e, inner.connect_timeout).0),
        Ok(Ok((_, sha))) if !sha.eq_ignore_ascii_case(&inner.sha) => Err(StoreError::Protocol(
            format!("SCRIPT LOAD answered {sha:?}, expected {}", inner.sha),
        )),
        Ok(Ok((conn, _))) => Ok(conn),
    }
}

/// Records a new health and, if its kind changed, queues it for the hook; then delivers queued
/// changes in order, outside every lock, so that a hook may call back into the store.
fn set_health(inner: &Inner, mut st: MutexGuard<'_, State>, health: Health) {
    let changed = std::mem::discriminant(&st.health) != std::mem::discriminant(&health);
    st.health = health.clone();
    if changed {
        // Queued under the state lock, so the queue's order is the order of the changes.
        lock(&inner.events).push_back(health);
    }
    drop(st);
    inner.changed.send_modify(|n| *n += 1);
    if changed {
        deliver(inner);
    }
}

fn deliver(inner: &Inner) {
    loop {
        {
            // Whoever holds this delivers; others leave their event in the queue for it.
            let Ok(_delivering) = inner.delivering.try_lock() else {
                return;
            };
            loop {
                let Some(health) = lock(&inner.events).pop_front() else {
                    break;
                };
                let hook = lock(&inner.hook).clone();
                if let Some(f) = hook {
                    f(&health);
                }
            }
        }
        // An event queued while the lock was being released would otherwise wait for the next.
        if lock(&inner.events).is_empty() {
            return;
        }
    }
}

/// Sorts a client error into the store's kinds; `true` when the connection is no longer usable.
fn classify(e: &RedisError, timeout: Duration) -> (StoreError, bool) {
    if e.is_timeout() {
        return (StoreError::Timeout(timeout), true);
    }
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
        return (StoreError::Unavailable(e.to_string()), true);
    }
    match e.kind() {
        // A replica after a failover, a server still loading, a cluster without quorum: this
        // connection will not serve writes; reconnecting (DNS may point elsewhere now) might.
        ErrorKind::Server(
            ServerErrorKind::ReadOnly
            | ServerErrorKind::BusyLoading
            | ServerErrorKind::MasterDown
            | ServerErrorKind::ClusterDown,
        )
        | ErrorKind::AuthenticationFailed => (StoreError::Unavailable(e.to_string()), true),
        _ if e.code() == Some("BUSY") => (StoreError::Unavailable(e.to_string()), true),
        _ => (StoreError::Protocol(e.to_string()), false),
    }
}

/// Reads the script's reply: one string of four little-endian doubles (32 bytes) per check that
/// ran, in order, each a whole number of magnitude below 2^53 (only the reset's base can be
/// negative: a token bucket's is `at - now`, made up by its steps); fewer checks only after a
/// `LIVE` denial.
fn parse_reply(reply: &Value, batch: &[RemoteCheck]) -> Result<Vec<Outcome>, StoreError> {
    let unexpected = || StoreError::Protocol(format!("the script answered {reply:?}"));
    let Value::BulkString(bytes) = reply else {
        return Err(unexpected());
    };
    if bytes.len() % 32 != 0 || bytes.len() / 32 > batch.len() {
        return Err(unexpected());
    }
    // A double that is a whole number of magnitude below 2^53, as every field is.
    let int = |b: &[u8]| {
        let x = f64::from_le_bytes(b.try_into().unwrap_or([0xff; 8]));
        if x.is_finite() && x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
            Ok(x as i64)
        } else {
            Err(unexpected())
        }
    };
    let mut out = Vec::with_capacity(bytes.len() / 32);
    for (check, four) in batch.iter().zip(bytes.chunks_exact(32)) {
        let (allowed, remaining) = (int(&four[0..8])?, int(&four[8..16])?);
        let (base, steps) = (int(&four[16..24])?, int(&four[24..32])?);
        let remaining = u32::try_from(remaining).map_err(|_| unexpected())?;
        if !(0..=1).contains(&allowed) || steps < 0 {
            return Err(unexpected());
        }
        let (max, window_ms, step_ms) = match check.op {
            RemoteOp::Limit { algorithm, .. } => {
                let step_ms = match algorithm {
                    Algorithm::TokenBucket { interval_ms, .. } => interval_ms,
                    _ => 0,
                };
                (algorithm.max(), algorithm.window_ms(), step_ms)
            }
            RemoteOp::IsBlocked => (0, 0, 0),
            RemoteOp::Block { for_ms } => (0, for_ms, 0),
        };
        // Token bucket resets reach past 2^53 ms for extreme limits: multiplied here, exactly.
        let reset = i128::from(base) + i128::from(steps) * i128::from(step_ms);
        let reset_ms = u64::try_from(reset.max(0)).unwrap_or(u64::MAX);
        out.push(Outcome {
            allowed: allowed == 1,
            max,
            remaining,
            reset_ms,
            window_ms,
        });
    }
    let stopped_early = out.len() < batch.len();
    let last_was_live_denial = out
        .last()
        .zip(batch.get(out.len().wrapping_sub(1)))
        .is_some_and(|(o, c)| !o.allowed && c.live);
    if stopped_early && !last_was_live_denial {
        return Err(unexpected());
    }
    Ok(out)
}

fn no_runtime() -> StoreError {
    StoreError::Unavailable("the Redis store must be used inside a Tokio runtime".into())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The state is updated in single assignments; a panic elsewhere cannot leave it half-written.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::RemoteKey;

    fn check(live: bool) -> RemoteCheck {
        RemoteCheck {
            key: RemoteKey::from_bytes([1; 16]),
            scope: RemoteKey::from_bytes([2; 16]),
            op: RemoteOp::Limit {
                algorithm: Algorithm::FixedWindow {
                    window_ms: 1000,
                    max: 3,
                },
                cost: 1,
            },
            live,
        }
    }

    #[test]
    fn replies_that_the_script_cannot_give_are_protocol_errors() {
        let batch = [check(true), check(true)];
        let packed =
            |v: &[f64]| Value::BulkString(v.iter().flat_map(|n| n.to_le_bytes()).collect());
        let bad = [
            Value::Nil,
            Value::Int(1),
            // The integer array of earlier versions of the script.
            Value::Array(vec![
                Value::Int(1),
                Value::Int(2),
                Value::Int(5),
                Value::Int(0),
            ]),
            packed(&[1.0, 2.0, 3.0]),
            Value::BulkString(vec![0; 31]),
            packed(&[2.0, 0.0, 0.0, 0.0]),
            packed(&[1.0, -1.0, 0.0, 0.0]),
            packed(&[1.0, (1u64 << 40) as f64, 0.0, 0.0]),
            packed(&[1.0, 0.0, 0.0, -1.0]),
            packed(&[1.0, 0.5, 0.0, 0.0]),
            packed(&[1.0, 0.0, f64::NAN, 0.0]),
            packed(&[1.0, 0.0, f64::INFINITY, 0.0]),
            packed(&[1.0, 0.0, 9_007_199_254_740_992.0, 0.0]),
            // Stopped after an allowed check.
            packed(&[1.0, 2.0, 5.0, 0.0]),
            packed(&[0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 5.0, 0.0]),
        ];
        for reply in bad {
            let e = parse_reply(&reply, &batch).unwrap_err();
            assert_eq!(e.code(), "PALISADE_STORE_PROTOCOL", "{reply:?}");
        }
        let out = parse_reply(&packed(&[0.0, 0.0, 700.0, 0.0]), &batch).unwrap();
        assert_eq!(out.len(), 1);
        assert!(!out[0].allowed);
        assert_eq!(
            (out[0].max, out[0].window_ms, out[0].reset_ms),
            (3, 1000, 700)
        );
    }

    #[test]
    fn outside_a_tokio_runtime_a_check_is_an_error_not_a_panic() {
        let store = RedisStore::new(RedisConfig::new("redis://127.0.0.1:1")).unwrap();
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let batch = [check(true)];
        let mut fut = std::pin::pin!(store.check(&batch));
        match std::future::Future::poll(fut.as_mut(), &mut cx) {
            std::task::Poll::Ready(Err(e)) => assert_eq!(e.code(), "PALISADE_STORE_UNAVAILABLE"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_store_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RedisStore>();
    }
}
