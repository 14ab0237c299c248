// Shared limits on a real redis-server started on loopback for this file: exactness across four
// Node processes for each algorithm, the outage policy (field cases st-010, st-020, st-030), stop
// and restart mid-load, TTLs on every key, and unexpected answers from Redis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import palisade, { denial, fixedWindow, redisStore, slidingWindow, tokenBucket } from 'palisade';
import { redisAvailable, SKIP_MESSAGE, startRedis } from './helpers/redis-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = redisAvailable();
if (!available) console.log(`# ${SKIP_MESSAGE}`);
const skip = available ? false : SKIP_MESSAGE;

let redis;
before(async () => {
  if (available) redis = await startRedis();
});
after(() => redis?.stop());

let n = 0;
const prefix = () => `t${process.pid}x${++n}`;
const facts = (ip = '203.0.113.7') => ({ method: 'GET', path: '/', headers: [], peer: ip });

test('a fixed window in Redis allows exactly max, then denies as a rate limit', { skip }, async () => {
  const aj = palisade({ store: redisStore({ url: redis.url, prefix: prefix() }), rules: [fixedWindow({ window: '1m', max: 3 })] });
  assert.equal(aj.async, true);
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push(await aj.protect(facts()));
  assert.deepEqual(seen.map((d) => d.conclusion), ['ALLOW', 'ALLOW', 'ALLOW', 'DENY']);
  assert.equal(seen[3].reason.isRateLimit(), true);
  assert.equal(seen[3].reason.remaining, 0);
  assert.ok(seen[3].reason.reset > 0 && seen[3].reason.reset <= 60);
  assert.equal(denial(seen[3]).status, 429);
});

test('several rules take one batch; the first LIVE denial stops the later limits from counting', { skip }, async () => {
  const p = prefix();
  const aj = palisade({
    store: redisStore({ url: redis.url, prefix: p }),
    rules: [fixedWindow({ window: '1m', max: 1, name: 'first' }), fixedWindow({ window: '1m', max: 5, name: 'second' })],
  });
  assert.equal((await aj.protect(facts())).isAllowed(), true);
  const d = await aj.protect(facts());
  assert.equal(d.isDenied(), true);
  assert.deepEqual(d.results.map((r) => r.state), ['RUN', 'NOT_RUN']);
  const second = palisade({ store: redisStore({ url: redis.url, prefix: p }), rules: [fixedWindow({ window: '1m', max: 5, name: 'second' })] });
  assert.equal((await second.protect(facts())).reason.remaining, 3, 'the second limit counted only the first request');
});

for (const algorithm of ['FIXED_WINDOW', 'SLIDING_WINDOW', 'TOKEN_BUCKET']) {
  test(`multi-process exactness (${algorithm}): 4 processes x 200 requests on one key allow exactly 100`, { skip, timeout: 120_000 }, async () => {
    const p = prefix();
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [path.join(here, 'helpers', 'redis-hammer.mjs'), redis.url, algorithm, p, '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`hammer exited ${code}`))));
        }),
      ),
    );
    assert.equal(runs.reduce((s, r) => s + r.errors, 0), 0, 'no store errors');
    assert.equal(runs.reduce((s, r) => s + r.allowed, 0), 100, JSON.stringify(runs));
  });
}

test('every key written has a TTL of about its window', { skip }, async () => {
  const p = prefix();
  const aj = palisade({
    store: redisStore({ url: redis.url, prefix: p }),
    rules: [fixedWindow({ window: '1m', max: 10, name: 'a' }), slidingWindow({ interval: '2m', max: 10, name: 'b' }), tokenBucket({ refillRate: 1, interval: '1m', capacity: 5, name: 'c' })],
  });
  for (let i = 0; i < 3; i++) await aj.protect(facts(`198.51.100.${i}`));
  const [, keys] = await redis.command('SCAN', '0', 'MATCH', `${p}:*`, 'COUNT', '1000');
  assert.ok(keys.length >= 9, `keys written: ${keys.length}`);
  for (const k of keys) {
    const ttl = await redis.command('PTTL', k);
    assert.ok(ttl > 0 && ttl <= 10 * 60_000, `${k} has PTTL ${ttl}`);
  }
});

test('regression_st_010 with a fallback and a healthy Redis, a request over the limit is denied as a rate limit', { skip }, async () => {
  const aj = palisade({ store: redisStore({ url: redis.url, prefix: prefix(), fallback: true }), rules: [fixedWindow({ window: '1m', max: 1 })] });
  assert.equal((await aj.protect(facts())).isAllowed(), true);
  const d = await aj.protect(facts());
  assert.equal(d.isDenied(), true);
  assert.equal(d.reason.type, 'RATE_LIMIT', 'the fallback never retries a denial');
});

test('regression_st_020 an unreachable Redis without fallback gives STORE_ERROR within the timeout, never a 429', { skip }, async () => {
  const dead = 'redis://127.0.0.1:9';
  const open = palisade({ store: redisStore({ url: dead, timeoutMs: 200 }), rules: [fixedWindow({ window: '1m', max: 1 })] });
  const t0 = performance.now();
  const d = await open.protect(facts());
  const took = performance.now() - t0;
  assert.equal(d.conclusion, 'ERROR');
  assert.equal(d.isAllowed(), true, 'fail-open by default');
  assert.equal(d.reason.type, 'STORE_ERROR');
  assert.match(d.reason.code, /^PALISADE_STORE_/);
  assert.ok(took < 1500, `answered in ${took.toFixed(0)} ms`);
  const closed = palisade({ store: redisStore({ url: dead, timeoutMs: 200, failMode: 'closed' }), rules: [fixedWindow({ window: '1m', max: 1 })] });
  const c = await closed.protect(facts());
  assert.equal(c.conclusion, 'DENY');
  assert.equal(c.reason.type, 'STORE_ERROR');
  assert.equal(denial(c).status, 503);
});

test('regression_st_030 and outage: stop Redis mid-load, the policy applies within timeoutMs and dead connections fail fast; restart and it recovers', { skip, timeout: 60_000 }, async () => {
  const r = await startRedis();
  try {
    const timeoutMs = 300;
    const withFallback = palisade({ store: redisStore({ url: r.url, prefix: prefix(), timeoutMs, fallback: true, reconnectMs: 100 }), rules: [fixedWindow({ window: '1m', max: 1000, name: 'outage' })] });
    const noFallback = palisade({ store: redisStore({ url: r.url, prefix: prefix(), timeoutMs, reconnectMs: 100 }), rules: [fixedWindow({ window: '1m', max: 1000, name: 'outage2' })] });
    for (let i = 0; i < 20; i++) {
      assert.equal((await withFallback.protect(facts())).conclusion, 'ALLOW');
      assert.equal((await noFallback.protect(facts())).conclusion, 'ALLOW');
    }
    r.stop();
    const t0 = performance.now();
    const first = await noFallback.protect(facts());
    const firstMs = performance.now() - t0;
    assert.equal(first.reason.type, 'STORE_ERROR');
    assert.ok(firstMs < timeoutMs + 700, `first failure after ${firstMs.toFixed(0)} ms`);
    // Known dead: later requests fail fast instead of waiting out the timeout each time.
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) assert.equal((await noFallback.protect(facts())).reason.type, 'STORE_ERROR');
    const each = (performance.now() - t1) / 10;
    assert.ok(each < timeoutMs / 2, `each failure took ${each.toFixed(1)} ms`);
    // st-030: with a fallback the in-memory limiter answers, within milliseconds.
    const t2 = performance.now();
    const fb = await withFallback.protect(facts());
    await withFallback.protect(facts());
    const fbMs = (performance.now() - t2) / 2;
    assert.equal(fb.conclusion, 'ALLOW');
    assert.equal(fb.reason.type, 'RATE_LIMIT', 'answered by the fallback limiter');
    assert.ok(fbMs < timeoutMs, `fallback answered in ${fbMs.toFixed(1)} ms`);
    await r.start();
    const until = Date.now() + 20_000;
    let back;
    do {
      back = await noFallback.protect(facts());
      if (back.reason.type !== 'STORE_ERROR') break;
      await new Promise((res) => setTimeout(res, 50));
    } while (Date.now() < until);
    assert.equal(back.conclusion, 'ALLOW', `recovered: ${JSON.stringify(back.reason)}`);
    assert.equal(back.reason.type, 'RATE_LIMIT');
  } finally {
    r.stop();
  }
});

test('a wrong type at a key is a store error, never a crash or a rate limit', { skip }, async () => {
  const p = prefix();
  const aj = palisade({ store: redisStore({ url: redis.url, prefix: p }), rules: [fixedWindow({ window: '1m', max: 5 })] });
  await aj.protect(facts());
  const [, keys] = await redis.command('SCAN', '0', 'MATCH', `${p}:*`, 'COUNT', '1000');
  assert.ok(keys.length > 0);
  for (const k of keys) {
    await redis.command('DEL', k);
    await redis.command('RPUSH', k, 'not a counter');
  }
  const d = await aj.protect(facts());
  assert.equal(d.reason.type, 'STORE_ERROR');
  assert.equal(d.reason.code, 'PALISADE_STORE_PROTOCOL');
  assert.equal(d.isAllowed(), true);
});

test('bad store options throw at construction with a code', () => {
  assert.throws(() => redisStore({ url: 'http://localhost:6379' }), (e) => /^PALISADE_CONFIG_/.test(e.code) && /url/.test(e.message));
  assert.throws(() => redisStore({ url: '' }), (e) => /^PALISADE_CONFIG_/.test(e.code));
  assert.throws(() => redisStore({ url: 'redis://localhost', timeoutMs: 0 }), (e) => e.code === 'PALISADE_CONFIG_RANGE');
  assert.throws(() => redisStore({ url: 'redis://localhost', failMode: 'maybe' }), (e) => /^PALISADE_CONFIG_/.test(e.code));
  assert.throws(() => redisStore({ url: 'redis://localhost', bogus: 1 }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN');
});

test('the shield blocks through the store: a client blocked by one process is blocked in another', { skip, timeout: 60_000 }, async () => {
  const p = prefix();
  const { shield } = await import('palisade');
  const aj = palisade({ store: redisStore({ url: redis.url, prefix: p }), rules: [shield({ threshold: 2, blockFor: '2m', name: 'shared-block' })] });
  const get = (q) => ({ method: 'GET', path: '/', query: `q=${encodeURIComponent(q)}`, headers: [], peer: '192.0.2.77' });
  assert.equal((await aj.protect(get('<script>alert(1)</script>'))).isDenied(), true);
  assert.equal((await aj.protect(get('ok'))).isAllowed(), true);
  const second = await aj.protect(get("' OR 1=1--"));
  assert.equal(second.reason.blocked, true);
  // Another process with the same rule and store: blocked too, for a clean request.
  const script = `
    import palisade, { redisStore, shield } from 'palisade';
    const aj = palisade({ store: redisStore({ url: ${JSON.stringify(redis.url)}, prefix: ${JSON.stringify(p)} }), rules: [shield({ threshold: 2, blockFor: '2m', name: 'shared-block' })] });
    const d = await aj.protect({ method: 'GET', path: '/', query: 'q=ok', headers: [], peer: '192.0.2.77' });
    const other = await aj.protect({ method: 'GET', path: '/', query: 'q=ok', headers: [], peer: '192.0.2.78' });
    console.log(JSON.stringify({ conclusion: d.conclusion, blocked: d.reason.blocked, reset: d.reason.reset, other: other.conclusion }));
    process.exit(0);`;
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    child.stdout.on('data', (d) => (s += d));
    child.on('error', reject);
    child.on('exit', () => resolve(JSON.parse(s)));
  });
  assert.equal(out.conclusion, 'DENY');
  assert.equal(out.blocked, true);
  assert.ok(out.reset > 0 && out.reset <= 120, `reset ${out.reset}`);
  assert.equal(out.other, 'ALLOW');
});
