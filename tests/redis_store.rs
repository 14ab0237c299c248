//! The Redis store against a real `redis-server` that each test starts on a free loopback port.
//! Tests that need a server print a SKIP line and pass when `redis-server` is not on PATH.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade::ratelimit::{
    Algorithm, Clock, Health, Outcome, RedisConfig, RedisStore, RemoteCheck, RemoteKey, RemoteOp,
    StoreError, MAX_LIMIT,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

// ---------------------------------------------------------------------------------------------
// A redis-server of our own.

struct Server {
    port: u16,
    /// Extra arguments (TLS).
    args: Vec<String>,
    child: Option<Child>,
}

impl Server {
    /// Starts a server, or returns `None` (after printing why) when `redis-server` is missing.
    fn start(test: &str) -> Option<Self> {
        Self::start_with(test, |_| Vec::new())
    }

    /// A server whose extra arguments depend on its port.
    fn start_with(test: &str, args: impl FnOnce(u16) -> Vec<String>) -> Option<Self> {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            println!("SKIP {test}: redis-server is not on PATH (apt-get install redis-server)");
            return None;
        }
        let port = free_port();
        let mut s = Self {
            port,
            args: args(port),
            child: None,
        };
        s.spawn();
        Some(s)
    }

    fn spawn(&mut self) {
        let mut child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(if self.args.is_empty() {
                vec!["--port".to_owned(), self.port.to_string()]
            } else {
                self.args.clone()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        // Ready when it says so: no polling, no sleeping.
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut log = Vec::new();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains("Ready to accept connections") => break,
                Some(Ok(line)) => log.push(line),
                _ => {
                    let _ = child.kill();
                    panic!("redis-server did not start: {}", log.join("\n"));
                }
            }
        }
        // Keep draining its log so that it can never block on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        self.child = Some(child);
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    async fn raw(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A TCP proxy that can turn into a black hole: after `cut`, it keeps every connection open and
/// swallows all bytes, like a network partition (no reset, no answer).
struct BlackHole {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl BlackHole {
    async fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let c = Arc::clone(&cut);
        tokio::spawn(async move {
            while let Ok((down, _)) = listener.accept().await {
                let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    continue;
                };
                let (dr, dw) = down.into_split();
                let (ur, uw) = up.into_split();
                tokio::spawn(pipe(dr, uw, Arc::clone(&c)));
                tokio::spawn(pipe(ur, dw, Arc::clone(&c)));
            }
        });
        Self { port, cut }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn set_cut(&self, cut: bool) {
        self.cut.store(cut, Ordering::SeqCst);
    }
}

async fn pipe(
    mut r: tokio::net::tcp::OwnedReadHalf,
    mut w: tokio::net::tcp::OwnedWriteHalf,
    cut: Arc<AtomicBool>,
) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            return;
        }
        if !cut.load(Ordering::SeqCst) && w.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn config(url: &str) -> RedisConfig {
    let mut c = RedisConfig::new(url);
    // Generous: a loaded CI machine must not turn a slow answer into a failed test.
    c.timeout = Duration::from_secs(1);
    c.reconnect_interval = Duration::from_millis(20);
    c.connect_timeout = Duration::from_millis(500);
    c
}

fn key(n: u64) -> RemoteKey {
    RemoteKey::from_parts([b"client".as_slice(), &n.to_le_bytes()])
}

fn scope(name: &str) -> RemoteKey {
    RemoteKey::from_parts([name.as_bytes()])
}

fn limit(k: RemoteKey, rule: &str, algorithm: Algorithm, cost: u32, live: bool) -> RemoteCheck {
    RemoteCheck {
        key: k,
        scope: scope(rule),
        op: RemoteOp::Limit { algorithm, cost },
        live,
    }
}

fn fw(max: u32) -> Algorithm {
    Algorithm::FixedWindow {
        window_ms: 60_000,
        max,
    }
}

async fn one(store: &RedisStore, check: RemoteCheck) -> Result<Outcome, StoreError> {
    let mut out = store.check(&[check]).await?;
    Ok(out.pop().flatten().expect("a single check always runs"))
}

/// Every health change the store reports, in order.
fn watch_health(store: &RedisStore) -> mpsc::UnboundedReceiver<Health> {
    let (tx, rx) = mpsc::unbounded_channel();
    store.on_health(move |h| {
        let _ = tx.send(h.clone());
    });
    rx
}

async fn next_health(rx: &mut mpsc::UnboundedReceiver<Health>) -> Health {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a health change within 10 s")
        .expect("the store is alive")
}

macro_rules! server {
    ($name:literal) => {
        match Server::start($name) {
            Some(s) => s,
            None => return,
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Configuration (no server needed).

#[test]
fn bad_urls_fail_at_construction_with_a_code_and_the_key_path() {
    for url in [
        "",
        "   ",
        "http://127.0.0.1:6379",
        "127.0.0.1:6379",
        "redis://",
        "redis://host:notaport",
        "rediss://host/#insecure",
    ] {
        let e = RedisConfig::from_value(&json!({ "url": url }), "redisStore").unwrap_err();
        assert_eq!(e.code(), "PALISADE_CONFIG_URL", "{url:?}: {e}");
        assert_eq!(e.path, "redisStore.url");
        let e = RedisStore::new(RedisConfig::new(url)).unwrap_err();
        assert_eq!(e.code(), "PALISADE_CONFIG_URL", "{url:?}: {e}");
    }
    let long = format!("redis://{}", "a".repeat(3000));
    let e = RedisConfig::from_value(&json!({ "url": long }), "s").unwrap_err();
    assert_eq!(e.code(), "PALISADE_CONFIG_URL");
}

#[test]
fn a_bad_url_never_shows_its_password() {
    let e = RedisConfig::from_value(
        &json!({ "url": "http://admin:hunter2@10.0.0.1:6379" }),
        "redisStore",
    )
    .unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(e.to_string().contains("***@10.0.0.1"), "{e}");
}

#[test]
fn bad_options_fail_with_their_codes() {
    let cases = [
        (json!({}), "PALISADE_CONFIG_MISSING", "s.url"),
        (json!({ "url": 6379 }), "PALISADE_CONFIG_TYPE", "s.url"),
        (
            json!({ "url": "redis://h", "timeoutMs": 0 }),
            "PALISADE_CONFIG_RANGE",
            "s.timeoutMs",
        ),
        (
            json!({ "url": "redis://h", "timeoutMs": 600_000 }),
            "PALISADE_CONFIG_RANGE",
            "s.timeoutMs",
        ),
        (
            json!({ "url": "redis://h", "timeoutMs": 2.5 }),
            "PALISADE_CONFIG_RANGE",
            "s.timeoutMs",
        ),
        (
            json!({ "url": "redis://h", "failMode": "sometimes" }),
            "PALISADE_CONFIG_UNKNOWN",
            "s.failMode",
        ),
        (
            json!({ "url": "redis://h", "timeout": 50 }),
            "PALISADE_CONFIG_UNKNOWN",
            "s.timeout",
        ),
        (
            json!({ "url": "redis://h", "prefix": "a{b}" }),
            "PALISADE_CONFIG_RANGE",
            "s.prefix",
        ),
        (
            json!({ "url": "redis://h", "prefix": "" }),
            "PALISADE_CONFIG_RANGE",
            "s.prefix",
        ),
        (
            json!({ "url": "redis://h", "fallback": "yes" }),
            "PALISADE_CONFIG_TYPE",
            "s.fallback",
        ),
        (
            json!({ "url": "redis://h", "reconnectMs": 1 }),
            "PALISADE_CONFIG_RANGE",
            "s.reconnectMs",
        ),
        (json!("redis://h"), "PALISADE_CONFIG_TYPE", "s"),
    ];
    for (value, code, path) in cases {
        let e = RedisConfig::from_value(&value, "s").unwrap_err();
        assert_eq!((e.code(), e.path.as_str()), (code, path), "{value}: {e}");
    }
}

#[test]
fn options_are_read_with_their_defaults() {
    let c = RedisConfig::from_value(&json!({ "url": "rediss://u:p@cache.internal:6380/2" }), "s")
        .unwrap();
    assert_eq!(c.prefix, "palisade");
    assert_eq!(c.timeout, Duration::from_millis(50));
    assert!(!c.fail_closed && !c.fallback);
    let c = RedisConfig::from_value(
        &json!({ "url": "redis://h", "prefix": "app:rl", "timeoutMs": 20, "failMode": "closed",
                 "fallback": true, "reconnectMs": 250 }),
        "s",
    )
    .unwrap();
    assert_eq!(c.prefix, "app:rl");
    assert_eq!(c.timeout, Duration::from_millis(20));
    assert!(c.fail_closed && c.fallback);
    assert_eq!(c.reconnect_interval, Duration::from_millis(250));
    // Construction does no I/O and needs no runtime, even for TLS.
    RedisStore::new(c).unwrap();
    RedisStore::new(RedisConfig::new("rediss://cache.internal:6380")).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Field cases.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_st_010_over_the_limit_with_a_fallback_is_a_rate_limit_denial_not_a_store_error()
{
    let server = server!("st_010");
    let mut cfg = config(&server.url());
    cfg.fallback = true;
    let store = RedisStore::new(cfg).unwrap();
    let k = key(10);
    for expected in [true, true, false, false] {
        // Ok(...) is what keeps the engine's fallback out: it is used only on Err.
        let o = one(&store, limit(k, "st-010", fw(2), 1, true))
            .await
            .expect("a healthy Redis answers");
        assert_eq!(o.allowed, expected);
        assert_eq!(o.max, 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_st_020_unreachable_redis_without_fallback_is_a_store_error_within_the_timeout()
{
    // Nothing listens on this port: connection refused.
    let mut cfg = config(&format!("redis://127.0.0.1:{}", free_port()));
    cfg.timeout = Duration::from_millis(200);
    let store = RedisStore::new(cfg).unwrap();
    for _ in 0..5 {
        let started = Instant::now();
        let e = one(&store, limit(key(20), "st-020", fw(2), 1, true))
            .await
            .expect_err("no counters without a server");
        assert!(
            matches!(e, StoreError::Unavailable(_) | StoreError::Timeout(_)),
            "{e}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(200 + 300),
            "{:?}",
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_st_020_a_redis_that_never_answers_gives_a_timeout_within_the_timeout() {
    let server = server!("st_020_hung");
    let hole = BlackHole::start(server.port).await;
    hole.set_cut(true);
    let mut cfg = config(&hole.url());
    cfg.timeout = Duration::from_millis(200);
    let store = RedisStore::new(cfg).unwrap();
    let started = Instant::now();
    let e = one(&store, limit(key(21), "st-020", fw(2), 1, true))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "PALISADE_STORE_TIMEOUT", "{e}");
    assert!(started.elapsed() < Duration::from_millis(200 + 300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_st_030_a_lost_connection_fails_fast_instead_of_waiting_out_the_timeout() {
    let server = server!("st_030");
    let hole = BlackHole::start(server.port).await;
    let mut cfg = config(&hole.url());
    cfg.timeout = Duration::from_millis(600);
    cfg.connect_timeout = Duration::from_millis(300);
    let timeout = cfg.timeout;
    let store = RedisStore::new(cfg).unwrap();
    let mut health = watch_health(&store);
    let check = limit(key(30), "st-030", fw(1_000), 1, true);
    assert!(one(&store, check).await.unwrap().allowed);
    assert_eq!(next_health(&mut health).await, Health::Up);

    // The network drops every packet: the first check waits out its timeout ...
    hole.set_cut(true);
    let started = Instant::now();
    let e = one(&store, check).await.unwrap_err();
    assert_eq!(e.code(), "PALISADE_STORE_TIMEOUT");
    assert!(started.elapsed() >= timeout);
    assert!(matches!(
        next_health(&mut health).await,
        Health::Down { .. }
    ));
    // ... and the next ones fail at once, so a fallback answers within milliseconds.
    for _ in 0..20 {
        let started = Instant::now();
        let e = one(&store, check).await.unwrap_err();
        assert_eq!(e.code(), "PALISADE_STORE_UNAVAILABLE", "{e}");
        assert!(started.elapsed() < timeout / 2, "{:?}", started.elapsed());
    }

    // The network heals: the store reconnects by itself and reports it once.
    hole.set_cut(false);
    assert_eq!(next_health(&mut health).await, Health::Up);
    assert!(one(&store, check).await.unwrap().allowed);
    assert!(health.try_recv().is_err(), "one report per change");
}

// ---------------------------------------------------------------------------------------------
// Outages.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_fails_within_the_timeout_then_fast_and_a_restart_recovers() {
    let mut server = server!("restart");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let timeout = Duration::from_secs(1);
    let mut health = watch_health(&store);
    let check = limit(key(40), "restart", fw(1_000), 1, true);
    assert!(one(&store, check).await.unwrap().allowed);
    assert_eq!(next_health(&mut health).await, Health::Up);

    server.kill();
    let started = Instant::now();
    assert!(one(&store, check).await.is_err());
    assert!(started.elapsed() < timeout);
    let Health::Down { cause, .. } = next_health(&mut health).await else {
        panic!("down expected");
    };
    assert_eq!(cause.code(), "PALISADE_STORE_UNAVAILABLE", "{cause}");
    for _ in 0..50 {
        let started = Instant::now();
        let e = one(&store, check).await.unwrap_err();
        assert_eq!(e.code(), "PALISADE_STORE_UNAVAILABLE");
        assert!(started.elapsed() < timeout / 2);
    }

    server.restart();
    assert_eq!(next_health(&mut health).await, Health::Up);
    // A new server has an empty script cache: the store loaded the script when it reconnected.
    assert!(one(&store, check).await.unwrap().allowed);
    assert!(
        health.try_recv().is_err(),
        "fifty failed checks, still one report per change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_down_at_startup_is_picked_up_when_it_starts() {
    let mut server = server!("late_start");
    let url = server.url();
    server.kill();
    let store = RedisStore::new(config(&url)).unwrap();
    let mut health = watch_health(&store);
    assert!(one(&store, limit(key(41), "late", fw(5), 1, true))
        .await
        .is_err());
    assert!(matches!(
        next_health(&mut health).await,
        Health::Down { .. }
    ));
    server.spawn();
    assert_eq!(next_health(&mut health).await, Health::Up);
    assert!(
        one(&store, limit(key(41), "late", fw(5), 1, true))
            .await
            .unwrap()
            .allowed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flushed_script_cache_is_reloaded_on_noscript() {
    let server = server!("noscript");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let check = limit(key(50), "noscript", fw(3), 1, true);
    assert_eq!(one(&store, check).await.unwrap().remaining, 2);
    let mut raw = server.raw().await;
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(one(&store, check).await.unwrap().remaining, 1);
    assert_eq!(store.health(), Health::Up);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_type_or_foreign_value_at_a_key_is_a_protocol_error_not_a_crash() {
    let server = server!("wrongtype");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let mut raw = server.raw().await;
    for (i, alg) in [
        fw(5),
        Algorithm::SlidingWindow {
            interval_ms: 60_000,
            max: 5,
        },
        Algorithm::TokenBucket {
            refill_rate: 1,
            interval_ms: 1_000,
            capacity: 5,
        },
    ]
    .into_iter()
    .enumerate()
    {
        let k = key(60 + i as u64);
        let check = limit(k, "wrongtype", alg, 1, true);
        assert!(one(&store, check).await.unwrap().allowed);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut raw)
            .await
            .unwrap();
        let hex = k.to_string();
        let redis_key = keys
            .iter()
            .find(|name| name.contains(&hex))
            .expect("the key holds the client's hex digest");
        let _: () = redis::pipe()
            .del(redis_key)
            .rpush(redis_key, "x")
            .query_async(&mut raw)
            .await
            .unwrap();
        let e = one(&store, check).await.unwrap_err();
        assert_eq!(e.code(), "PALISADE_STORE_PROTOCOL", "{e}");
        let _: () = redis::cmd("SET")
            .arg(redis_key)
            .arg("not a palisade value")
            .query_async(&mut raw)
            .await
            .unwrap();
        let e = one(&store, check).await.unwrap_err();
        assert_eq!(e.code(), "PALISADE_STORE_PROTOCOL", "{e}");
        // One bad key is not an outage.
        assert_eq!(store.health(), Health::Up);
        assert!(
            one(&store, limit(key(99), "wrongtype", alg, 1, true))
                .await
                .unwrap()
                .allowed
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_in_the_text_form_of_earlier_versions_is_still_read() {
    // Up to 0.1.0 a key held "at:a:b" as text; now 25 bytes packed by the script. A Redis shared
    // with an instance of the earlier version keeps counting instead of failing.
    let server = server!("legacy");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let mut raw = server.raw().await;
    let k = key(70);
    let check = limit(k, "legacy", fw(5), 1, true);
    let first = one(&store, check).await.unwrap();
    assert_eq!((first.allowed, first.remaining), (true, 4));
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw)
        .await
        .unwrap();
    let redis_key = keys
        .iter()
        .find(|n| n.contains(&k.to_string()))
        .unwrap()
        .clone();
    let packed: Vec<u8> = redis::cmd("GET")
        .arg(&redis_key)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(
        (packed.len(), packed[0]),
        (25, 0),
        "a zero tag byte, then three doubles"
    );
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query_async(&mut raw).await.unwrap();
    let now_ms = secs * 1000 + micros / 1000;
    // Four of five used, in the text form.
    let _: () = redis::cmd("SET")
        .arg(&redis_key)
        .arg(format!("{now_ms}:4:0"))
        .arg("PX")
        .arg(60_000)
        .query_async(&mut raw)
        .await
        .unwrap();
    let last = one(&store, check).await.unwrap();
    assert_eq!((last.allowed, last.remaining), (true, 0));
    assert!(!one(&store, check).await.unwrap().allowed);
    // Rewritten in the packed form by the counted request.
    let packed: Vec<u8> = redis::cmd("GET")
        .arg(&redis_key)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(packed.len(), 25);
    // 25 bytes that are neither form: a protocol error, as any foreign value.
    let _: () = redis::cmd("SET")
        .arg(&redis_key)
        .arg("x".repeat(25))
        .query_async(&mut raw)
        .await
        .unwrap();
    // (Asked through another store: this one answers its recent denial from its block cache.)
    let other = RedisStore::new(config(&server.url())).unwrap();
    let e = one(&other, check).await.unwrap_err();
    assert_eq!(e.code(), "PALISADE_STORE_PROTOCOL", "{e}");
}

// ---------------------------------------------------------------------------------------------
// Counting.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_checks_allow_exactly_the_limit_for_every_algorithm() {
    let server = server!("concurrency");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let algorithms = [
        Algorithm::TokenBucket {
            refill_rate: 1,
            interval_ms: 3_600_000,
            capacity: 100,
        },
        fw(100),
        Algorithm::SlidingWindow {
            interval_ms: 3_600_000,
            max: 100,
        },
    ];
    for alg in algorithms {
        let check = limit(key(70), "concurrency", alg, 1, true);
        let tasks: Vec<_> = (0..500)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { one(&store, check).await })
            })
            .collect();
        let mut allowed = 0;
        for t in tasks {
            if t.await.unwrap().unwrap().allowed {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 100, "{alg:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_applies_in_order_and_stops_after_the_first_live_denial() {
    let server = server!("batch_order");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let client = key(80);
    let first = limit(client, "a", fw(5), 1, true);
    let tight = limit(client, "b", fw(1), 1, true);
    let after = limit(client, "c", fw(5), 1, true);
    let out = store.check(&[first, tight, after]).await.unwrap();
    assert!(out.iter().all(|o| o.unwrap().allowed));
    // `tight` is now over: `first` (before it) is counted, `after` is neither run nor counted.
    let out = store.check(&[first, tight, after]).await.unwrap();
    assert_eq!(out[0].unwrap().remaining, 3);
    assert!(!out[1].unwrap().allowed);
    assert_eq!(out[2], None);
    assert_eq!(
        one(&store, after).await.unwrap().remaining,
        3,
        "`after` was used once before, and once now"
    );

    // A DRY_RUN denial is reported and never stops the batch.
    let dry = limit(client, "dry", fw(1), 1, false);
    let live = limit(client, "d", fw(5), 1, true);
    store.check(&[dry]).await.unwrap();
    let out = store.check(&[dry, live]).await.unwrap();
    assert!(!out[0].unwrap().allowed);
    assert!(out[1].unwrap().allowed);

    // A cost larger than the limit is denied without touching the counter (rl-030).
    let counted = limit(client, "e", fw(5), 1, true);
    assert_eq!(one(&store, counted).await.unwrap().remaining, 4);
    let big = limit(client, "e", fw(5), 9, true);
    assert!(!one(&store, big).await.unwrap().allowed);
    assert_eq!(one(&store, counted).await.unwrap().remaining, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_written_has_a_ttl_of_about_its_window() {
    let server = server!("ttl");
    let mut cfg = config(&server.url());
    cfg.prefix = "ttltest".into();
    let store = RedisStore::new(cfg).unwrap();
    let checks = [
        limit(
            key(90),
            "tb",
            Algorithm::TokenBucket {
                refill_rate: 1,
                interval_ms: 10_000,
                capacity: 3,
            },
            2,
            true,
        ),
        limit(key(90), "fw", fw(3), 1, true),
        limit(
            key(90),
            "sw",
            Algorithm::SlidingWindow {
                interval_ms: 30_000,
                max: 3,
            },
            1,
            false,
        ),
        RemoteCheck {
            key: key(90),
            scope: scope("shield"),
            op: RemoteOp::Block { for_ms: 5_000 },
            live: false,
        },
    ];
    store.check(&checks).await.unwrap();
    let mut raw = server.raw().await;
    let keys: Vec<String> = redis::cmd("SCAN")
        .arg(0)
        .arg("MATCH")
        .arg("ttltest:*")
        .arg("COUNT")
        .arg(1000)
        .query_async::<(u64, Vec<String>)>(&mut raw)
        .await
        .unwrap()
        .1;
    assert_eq!(keys.len(), 4, "{keys:?}");
    for k in keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&k)
            .query_async(&mut raw)
            .await
            .unwrap();
        // Token bucket: until full (2 steps of 10 s); fixed: 60 s; sliding: 2 x 30 s; block: 5 s.
        let bound = if k.ends_with(":block") {
            5_000
        } else if k.contains(":tb.") {
            20_000
        } else {
            60_000
        };
        assert!(ttl > 0 && ttl <= bound, "{k}: {ttl}");
        assert!(
            k.starts_with("ttltest:{"),
            "hash tag right after the prefix: {k}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_deny_until_they_expire_and_are_never_shortened() {
    let server = server!("blocks");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let shield = scope("shield");
    let check = |k, op| RemoteCheck {
        key: k,
        scope: shield,
        op,
        live: true,
    };
    assert!(
        one(&store, check(key(100), RemoteOp::IsBlocked))
            .await
            .unwrap()
            .allowed
    );
    let o = one(&store, check(key(100), RemoteOp::Block { for_ms: 60_000 }))
        .await
        .unwrap();
    assert!(!o.allowed);
    let o = one(&store, check(key(100), RemoteOp::Block { for_ms: 1_000 }))
        .await
        .unwrap();
    assert!(o.reset_ms > 50_000, "a shorter block keeps the longer one");
    let o = one(&store, check(key(100), RemoteOp::IsBlocked))
        .await
        .unwrap();
    assert!(!o.allowed && o.reset_ms > 50_000 && o.reset_ms <= 60_000);
    assert!(
        one(&store, check(key(101), RemoteOp::IsBlocked))
            .await
            .unwrap()
            .allowed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_denial_is_answered_locally_without_redis() {
    let mut server = server!("block_cache");
    let store = RedisStore::new(config(&server.url())).unwrap();
    let over = limit(key(110), "cache", fw(1), 1, true);
    let other = limit(key(111), "cache", fw(1), 1, true);
    assert!(one(&store, over).await.unwrap().allowed);
    assert!(!one(&store, over).await.unwrap().allowed);
    server.kill();
    // No server at all, yet the denied key is still denied, with its reset counting down.
    let o = one(&store, over)
        .await
        .expect("answered from the block cache");
    assert!(!o.allowed && o.reset_ms > 0 && o.reset_ms <= 60_000);
    // A batch whose first check is known denied needs no Redis either.
    let out = store.check(&[over, other]).await.unwrap();
    assert!(!out[0].unwrap().allowed);
    assert_eq!(out[1], None);
    // Anything that needs Redis fails as a store error.
    assert!(one(&store, other).await.is_err());
    assert!(store.check(&[other, over]).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_round_trips_over_the_store_connection() {
    let server = server!("ping");
    let store = RedisStore::new(config(&server.url())).unwrap();
    store.ping().await.unwrap();
    store.connect().await.unwrap();
    assert_eq!(store.health(), Health::Up);
}

/// A CA and a server certificate for 127.0.0.1, made with the `openssl` tool in `dir`.
fn make_certs(dir: &std::path::Path) -> bool {
    let run = |args: &str| {
        Command::new("openssl")
            .args(args.split(' '))
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    let key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run(&format!(
        "req -x509 {key} -keyout ca.key -out ca.pem -days 1 -subj /CN=palisade-test-ca"
    )) && run(&format!(
        "req {key} -keyout server.key -out server.csr -subj /CN=127.0.0.1"
    )) && run(
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
         -days 1 -extfile san.ext",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_urls_speak_tls_and_check_the_certificate() {
    let dir = std::env::temp_dir().join(format!("palisade-tls-{}", std::process::id()));
    if !make_certs(&dir) {
        println!("SKIP rediss: the openssl tool is missing or failed");
        return;
    }
    let d = dir.clone();
    let Some(server) = Server::start_with("rediss", move |port| {
        let f = |name: &str| d.join(name).to_string_lossy().into_owned();
        vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            f("server.pem"),
            "--tls-key-file".into(),
            f("server.key"),
            "--tls-ca-cert-file".into(),
            f("ca.pem"),
            "--tls-auth-clients".into(),
            "no".into(),
        ]
    }) else {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    let url = format!("rediss://127.0.0.1:{}", server.port);
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let mut cfg = config(&url);
    cfg.tls_ca_pem = Some(ca);
    let store = RedisStore::new(cfg).unwrap();
    let check = limit(key(120), "tls", fw(2), 1, true);
    assert!(
        one(&store, check)
            .await
            .expect("TLS with the right CA")
            .allowed
    );

    // The system roots do not know this CA: the handshake fails, as a store error.
    let untrusted = RedisStore::new(config(&url)).unwrap();
    let e = one(&untrusted, check).await.unwrap_err();
    assert_eq!(e.code(), "PALISADE_STORE_UNAVAILABLE", "{e}");
    let Health::Down { cause, .. } = untrusted.health() else {
        panic!("down expected");
    };
    assert!(cause.to_string().to_lowercase().contains("cert"), "{cause}");
    // Plain text to a TLS port is no answer either.
    let plain = RedisStore::new(config(&format!("redis://127.0.0.1:{}", server.port))).unwrap();
    assert!(one(&plain, check).await.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tls_ca_options_are_checked_at_construction() {
    let e = RedisConfig::from_value(
        &json!({ "url": "redis://h", "tlsCa": "-----BEGIN CERTIFICATE-----" }),
        "s",
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.path.as_str()),
        ("PALISADE_CONFIG_TYPE", "s.tlsCa"),
        "{e}"
    );
    let e = RedisConfig::from_value(&json!({ "url": "rediss://h", "tlsCa": "not a pem" }), "s")
        .unwrap_err();
    assert_eq!(
        (e.code(), e.path.as_str()),
        ("PALISADE_CONFIG_TYPE", "s.tlsCa"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// The script computes exactly what the in-memory algorithms compute.

const YEAR: u64 = 365 * 24 * 3_600_000;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_script_matches_algorithm_apply_step_by_step() {
    let server = server!("differential");
    let algorithms = [
        Algorithm::TokenBucket {
            refill_rate: 2,
            interval_ms: 10_000,
            capacity: 5,
        },
        Algorithm::TokenBucket {
            refill_rate: 1,
            interval_ms: 1_000,
            capacity: 1,
        },
        Algorithm::TokenBucket {
            refill_rate: 7,
            interval_ms: YEAR,
            capacity: MAX_LIMIT,
        },
        Algorithm::TokenBucket {
            refill_rate: MAX_LIMIT,
            interval_ms: 3_000,
            capacity: MAX_LIMIT,
        },
        Algorithm::FixedWindow {
            window_ms: 60_000,
            max: 5,
        },
        Algorithm::FixedWindow {
            window_ms: YEAR,
            max: MAX_LIMIT,
        },
        Algorithm::SlidingWindow {
            interval_ms: 60_000,
            max: 10,
        },
        Algorithm::SlidingWindow {
            interval_ms: 7_000,
            max: 3,
        },
        Algorithm::SlidingWindow {
            interval_ms: YEAR,
            max: MAX_LIMIT,
        },
        Algorithm::SlidingWindow {
            interval_ms: YEAR - 1,
            max: MAX_LIMIT - 2,
        },
    ];
    let clock = Clock::manual(1_700_000_000_000);
    let mut cfg = config(&server.url());
    // The cache would answer repeated denials with the remaining count as of the first one.
    cfg.block_cache_capacity = 0;
    let store = RedisStore::with_manual_clock(cfg, clock.clone()).unwrap();
    // Three seeds here; forty seeds (120,000 steps) passed when this was written.
    for seed in 0..3u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1234_5678_9ABC));
        for (n, alg) in algorithms.iter().enumerate() {
            let client = key(1_000 * (seed + 1) + n as u64);
            let window = alg.window_ms();
            let max = u64::from(alg.max());
            let mut slot = None;
            for step in 0..300 {
                let advance = match rng.below(8) {
                    0..=2 => 0,
                    3 => 1,
                    4 => rng.below(1_000),
                    5 => rng.below(window / 3 + 1),
                    6 => window - 1,
                    _ => rng.below(3 * window),
                };
                clock.advance(advance);
                let cost = match rng.below(6) {
                    0 => 0,
                    1 | 2 => 1,
                    3 => rng.below(max + 2),
                    4 => max / 2 + rng.below(max / 2 + 2),
                    _ => rng.below(4),
                } as u32;
                let now = clock.now_ms();
                let slot = slot.get_or_insert_with(|| alg.fresh(now));
                let expected = alg.apply(slot, now, cost);
                let got = one(&store, limit(client, "diff", *alg, cost, false))
                    .await
                    .unwrap();
                assert_eq!(
                    got, expected,
                    "{alg:?} seed {seed} step {step} at +{advance} ms, cost {cost}"
                );
            }
        }
    }
}
