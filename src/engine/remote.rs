//! Rate limits in a shared store (Redis): one round trip per request, whatever the number of
//! rules, and an explicit policy when the store fails.
//!
//! Rules still run in order and the first LIVE denial still ends the evaluation, so the store must
//! know which rate limits would run before it is asked. The local rules (bots, email, shield) are
//! pure until they commit their side effects, so they are judged first to find the first local
//! denial; every rate limit before it goes into one batch, which the store's script applies in
//! order, stopping at the first LIVE denial. The usual evaluation then runs with the batch's
//! answers, committing local side effects (shield strikes) only for rules that really ran.

use std::sync::{Mutex, OnceLock, PoisonError};

use super::{
    bot_check, email_check, rate_reason, Conclusion, Decision, Engine, KeyError, Mode, Props,
    Reason, Request, RuleKind, RuleState,
};
use crate::config::ConfigError;
use crate::ip::UnknownClient;
use crate::ratelimit::{Health, RedisConfig, RedisStore, RemoteCheck, RemoteKey, RemoteOp};

/// Distinct store configurations kept per process: every engine configured with the same store
/// options shares one connection.
pub const MAX_STORES: usize = 64;

/// A configured store and the policy that applies when it fails.
pub struct Store {
    redis: RedisStore,
    fail_closed: bool,
    fallback: bool,
}

impl Store {
    /// Reads the `store` option (`redisStore({ url, prefix, timeoutMs, failMode, fallback, ... })`)
    /// and reuses the process's connection for identical options. No I/O happens here.
    pub fn from_value(v: &serde_json::Value, path: &str) -> Result<Self, ConfigError> {
        let config = RedisConfig::from_value(v, path)?;
        let (fail_closed, fallback) = (config.fail_closed, config.fallback);
        Ok(Self {
            redis: shared(config)?,
            fail_closed,
            fallback,
        })
    }

    /// The store itself (for health and the benchmark's `ping`).
    #[must_use]
    pub fn redis(&self) -> &RedisStore {
        &self.redis
    }
}

/// One connection per distinct configuration, with its health logged once per change.
fn shared(config: RedisConfig) -> Result<RedisStore, ConfigError> {
    type Stores = Mutex<Vec<(RedisConfig, RedisStore)>>;
    static STORES: OnceLock<Stores> = OnceLock::new();
    let mut list = STORES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, s)) = list.iter().find(|(c, _)| *c == config) {
        return Ok(s.clone());
    }
    let prefix = config.prefix.clone();
    let store = RedisStore::new(config.clone())?;
    store.on_health(move |h| log_health(&prefix, h));
    if list.len() < MAX_STORES {
        list.push((config, store.clone()));
    }
    Ok(store)
}

/// Logs a change of the store's state (called once per change, never per request).
fn log_health(prefix: &str, h: &Health) {
    match h {
        Health::Up => eprintln!("[palisade] redis store ({prefix}): connected"),
        Health::Down { cause, .. } => eprintln!(
            "[palisade] redis store ({prefix}): down ({cause}); rate limits apply the store's failMode (or its fallback) until it is back"
        ),
        Health::Connecting => {}
    }
}

fn state_of(mode: Mode) -> RuleState {
    match mode {
        Mode::Live => RuleState::Run,
        Mode::DryRun => RuleState::DryRun,
    }
}

impl Engine {
    /// A raw `PING` round trip to the store over the connection the rules use (for the
    /// benchmark's baseline); `None` without a store.
    pub async fn ping_store(&self) -> Option<Result<(), crate::ratelimit::StoreError>> {
        match &self.store {
            Some(s) => Some(s.redis().ping().await),
            None => None,
        }
    }

    /// [`Engine::protect`] with the rate limits answered by `store` in one round trip.
    pub(super) async fn protect_remote(
        &self,
        store: &Store,
        req: &Request,
        props: &Props,
    ) -> Decision {
        super::test_hooks::maybe_panic(req);
        let now = self.clock.now_ms();
        let client = self.client_ip(req);
        let n = self.rules.len();

        // 1. The first LIVE denial among the local rules, judged without side effects. Shield
        // reports are kept: whether the client is blocked is the store's to say.
        let mut stop = n;
        let mut reports: Vec<Option<crate::shield::Report>> = vec![None; n];
        for (i, rule) in self.rules.iter().enumerate() {
            if let RuleKind::Shield(s) = &rule.kind {
                reports[i] = Some(super::inspect_request(&s.shield, req));
            }
            if rule.mode != Mode::Live {
                continue;
            }
            let denies = match &rule.kind {
                RuleKind::RateLimit(_) => false,
                RuleKind::Bot(b) => {
                    let checked = props
                        .verifications
                        .iter()
                        .find(|(at, _)| *at == i)
                        .map(|(_, v)| *v);
                    bot_check(b, req, client, checked).0 == Conclusion::Deny
                }
                RuleKind::Email(e) => email_check(e, props).0 == Conclusion::Deny,
                RuleKind::Shield(_) => reports[i]
                    .as_ref()
                    .is_some_and(crate::shield::Report::attack),
            };
            if denies {
                stop = i;
                break;
            }
        }

        // 2. Every rate limit before it, in one batch.
        let mut answers: Vec<Option<(Conclusion, Reason, RuleState)>> = vec![None; n];
        let mut checks = Vec::new();
        let mut at = Vec::new();
        let shared_unknown = self.ip.unknown == UnknownClient::Shared;
        // What each shield rule sent: (rule, index of its IsBlocked check, index of its strike).
        let mut shields: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate().take((stop + 1).min(n)) {
            if let RuleKind::Shield(s) = &rule.kind {
                let key = crate::engine::ShieldRule::client_key(client, self.ip.v6_prefix);
                if let (Some(key), true) = (key, s.threshold > 0) {
                    let key = RemoteKey::from_parts([key.as_slice()]);
                    let live = rule.mode == Mode::Live;
                    checks.push(RemoteCheck {
                        key,
                        scope: s.remote_scope,
                        op: RemoteOp::IsBlocked,
                        live,
                    });
                    at.push(i);
                    let blocked_at = checks.len() - 1;
                    let mut strike = None;
                    if live
                        && reports[i]
                            .as_ref()
                            .is_some_and(crate::shield::Report::attack)
                    {
                        // Counted but never stopping the batch: reaching the threshold is what
                        // starts a block, below.
                        checks.push(RemoteCheck {
                            key,
                            scope: s.remote_scope,
                            op: RemoteOp::Limit {
                                algorithm: crate::ratelimit::Algorithm::FixedWindow {
                                    window_ms: s.block_for_ms,
                                    max: s.threshold,
                                },
                                cost: 1,
                            },
                            live: false,
                        });
                        at.push(i);
                        strike = Some(checks.len() - 1);
                    }
                    shields.push((i, blocked_at, strike));
                }
                continue;
            }
            if i == stop {
                break;
            }
            let RuleKind::RateLimit(rl) = &rule.kind else {
                continue;
            };
            let state = state_of(rule.mode);
            match rl.key_parts(req, props, client, self.ip.v6_prefix, shared_unknown) {
                Ok(parts) => {
                    checks.push(RemoteCheck {
                        key: RemoteKey::from_parts(parts.iter().map(Vec::as_slice)),
                        scope: rl.remote_scope,
                        op: RemoteOp::Limit {
                            algorithm: rl.algorithm,
                            cost: props.requested.unwrap_or(1),
                        },
                        live: rule.mode == Mode::Live,
                    });
                    at.push(i);
                }
                Err(KeyError::UnknownClient) => {
                    if self.ip.unknown == UnknownClient::Skip {
                        answers[i] = Some((Conclusion::Allow, Reason::None, RuleState::NotRun));
                    } else {
                        answers[i] = Some((Conclusion::Deny, Reason::UnknownClient, state));
                        if rule.mode == Mode::Live {
                            break;
                        }
                    }
                }
                // The in-memory path words this error; let it.
                Err(KeyError::MissingProp(_)) => {}
            }
        }
        if !checks.is_empty() {
            match store.redis.check(&checks).await {
                Ok(outcomes) => {
                    for &(i, blocked_at, strike) in &shields {
                        let RuleKind::Shield(s) = &self.rules[i].kind else {
                            continue;
                        };
                        let Some(report) = reports[i].take() else {
                            continue;
                        };
                        let Some(held) = outcomes[blocked_at] else {
                            // Not run: an earlier rule denied.
                            continue;
                        };
                        let (mut blocked, mut reset_ms) = (!held.allowed, held.reset_ms);
                        if let Some(Some(count)) = strike.map(|k| outcomes[k]) {
                            if !blocked && count.remaining == 0 {
                                // This strike reached the threshold: block (a second round trip,
                                // once per block). If it fails the block is simply not started.
                                let block = RemoteCheck {
                                    op: RemoteOp::Block {
                                        for_ms: s.block_for_ms,
                                    },
                                    live: true,
                                    ..checks[blocked_at]
                                };
                                if store.redis.check(&[block]).await.is_ok() {
                                    (blocked, reset_ms) = (true, s.block_for_ms);
                                }
                            }
                        }
                        let denied = report.attack()
                            || blocked
                            || (s.deny_uninspected && report.uninspected());
                        answers[i] = Some((
                            if denied {
                                Conclusion::Deny
                            } else {
                                Conclusion::Allow
                            },
                            Reason::Shield {
                                findings: report
                                    .findings
                                    .iter()
                                    .map(super::FindingInfo::from)
                                    .collect(),
                                blocked,
                                reset_secs: super::secs(if blocked { reset_ms } else { 0 }),
                                body: super::body_status(req, &report),
                                caps: report.caps.iter().map(|c| c.as_str()).collect(),
                            },
                            state_of(self.rules[i].mode),
                        ));
                    }
                    for (k, outcome) in outcomes.iter().enumerate() {
                        let i = at[k];
                        if matches!(self.rules[i].kind, RuleKind::Shield(_)) {
                            continue;
                        }
                        answers[i] = Some(match outcome {
                            Some(o) => (
                                if o.allowed {
                                    Conclusion::Allow
                                } else {
                                    Conclusion::Deny
                                },
                                rate_reason(o),
                                state_of(self.rules[i].mode),
                            ),
                            None => (Conclusion::Allow, Reason::None, RuleState::NotRun),
                        });
                    }
                }
                // The fallback answers from memory (left as `None` below), and only here: a
                // denial from the store is never retried against it.
                Err(_) if store.fallback => {}
                Err(e) => {
                    let conclusion = if store.fail_closed {
                        Conclusion::Deny
                    } else {
                        Conclusion::Error
                    };
                    for &i in &at {
                        // A shield without its store falls back to its in-memory block list.
                        if matches!(self.rules[i].kind, RuleKind::Shield(_)) {
                            continue;
                        }
                        answers[i] = Some((
                            conclusion,
                            Reason::StoreError {
                                code: e.code(),
                                message: e.to_string(),
                            },
                            state_of(self.rules[i].mode),
                        ));
                    }
                }
            }
        }

        // 3. The usual evaluation, with the batch's answers.
        self.evaluate(req, props, client, now, &mut |i, _| answers[i].take())
    }
}
