// `npm run bench:ratelimit`: one rate-limit check through napi against the in-memory limiters a
// Node.js user would otherwise pick, in one process, interleaved, reported as ratios.
//
// 1. Agreement: on a labelled sequence (limit 3 per window, 5 calls per key) every implementation
//    must allow exactly the first 3. Any difference is listed and the run fails.
// 2. Timing: hot key, and 100k distinct keys, 25 rounds; each round times a batch of each
//    implementation in rotating order. Per-call median, min and p90 over rounds.
// 3. Memory: a child process inserts 1,000,000 distinct keys and reports RSS growth per key, over
//    a baseline run of the same loop without a limiter.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { rateLimiter, fixedWindow } = require('palisade');
const { MemoryStore } = require('express-rate-limit');
const { RateLimiterMemory } = require('rate-limiter-flexible');

if (process.argv[2] === '--memory-child') {
  const keys = Number(process.argv[3]);
  const rl = rateLimiter(fixedWindow({ window: 3600, max: 100, maxKeys: keys * 2, name: 'bench-memory' }));
  // Baseline: the same loop, building the same key strings and passing them across the boundary,
  // without a limiter. What V8 keeps from making a million strings is then already counted.
  const native = require('../index.js');
  for (let i = 0; i < keys; i++) native.noopStr(`client-${i}`);
  global.gc();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < keys; i++) rl.allow(`client-${i}`);
  global.gc();
  const after = process.memoryUsage().rss;
  console.log(JSON.stringify({ keys: rl.size, bytes: after - before }));
  process.exit(0);
}

const WINDOW_MS = 60_000;
function makeImpls(max, tag) {
  const ours = rateLimiter(fixedWindow({ window: WINDOW_MS / 1000, max, maxKeys: 1_000_000, name: `bench-${tag}` }));
  const express = new MemoryStore();
  express.init({ windowMs: WINDOW_MS });
  const flexible = new RateLimiterMemory({ points: max, duration: WINDOW_MS / 1000 });
  return {
    palisade: (key) => ours.check(key).allowed,
    'express-rate-limit': async (key) => (await express.increment(key)).totalHits <= max,
    'rate-limiter-flexible': async (key) => {
      try {
        await flexible.consume(key);
        return true;
      } catch (rej) {
        if (rej instanceof Error) throw rej;
        return false;
      }
    },
    shutdown: () => express.shutdown(),
  };
}

async function agreement() {
  const impls = makeImpls(3, 'agree');
  const expected = [true, true, true, false, false];
  const diffs = [];
  for (const name of ['palisade', 'express-rate-limit', 'rate-limiter-flexible']) {
    for (let k = 0; k < 20; k++) {
      const got = [];
      for (let i = 0; i < expected.length; i++) got.push(await impls[name](`agree-${k}`));
      if (got.join() !== expected.join()) diffs.push(`${name} key ${k}: ${got.join(',')}`);
    }
  }
  impls.shutdown();
  console.log(`agreement: limit 3, 5 calls on each of 20 keys: ${diffs.length === 0 ? 'all three agree' : 'DIFFER'}`);
  for (const d of diffs) console.log(`  differs: ${d}`);
  if (diffs.length) process.exit(1);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], p90: s[Math.floor(s.length * 0.9)] };
};

async function timeScenario(label, keyCount) {
  const impls = makeImpls(100_000_000, label);
  const keys = Array.from({ length: keyCount }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}-${i}`);
  const names = ['palisade', 'express-rate-limit', 'rate-limiter-flexible'];
  const per = Object.fromEntries(names.map((n) => [n, []]));
  const batch = 20_000;
  let cursor = 0;
  for (let round = 0; round < 27; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(round + j) % names.length];
      const fn = impls[name];
      const isAsync = name !== 'palisade';
      const start = process.hrtime.bigint();
      if (isAsync) {
        for (let i = 0; i < batch; i++) await fn(keys[(cursor + i) % keyCount]);
      } else {
        for (let i = 0; i < batch; i++) fn(keys[(cursor + i) % keyCount]);
      }
      const ns = Number(process.hrtime.bigint() - start) / batch;
      if (round >= 2) per[name].push(ns); // the first rounds warm up the JIT and the tables
    }
    cursor += batch;
  }
  impls.shutdown();
  return Object.fromEntries(names.map((n) => [n, stats(per[n])]));
}

function memory() {
  const keys = 1_000_000;
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory-child', String(keys)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  const { keys: held, bytes } = JSON.parse(r.stdout.trim().split('\n').pop());
  return { held, perKey: bytes / held };
}

await agreement();
const rows = [];
for (const [label, n] of [['hot key', 1], ['100k distinct keys', 100_000]]) {
  const r = await timeScenario(label === 'hot key' ? 'hot' : 'distinct', n);
  for (const [name, s] of Object.entries(r)) rows.push({ scenario: label, name, ...s, ratio: r.palisade.median / s.median });
}
console.log('\nns per check (median / min / p90 over 25 rounds of 20,000), and palisade median / peer median:');
console.log('scenario            implementation          median      min      p90   palisade/peer');
for (const r of rows) {
  console.log(`${r.scenario.padEnd(20)}${r.name.padEnd(22)}${r.median.toFixed(0).padStart(8)}${r.min.toFixed(0).padStart(9)}${r.p90.toFixed(0).padStart(9)}   ${r.name === 'palisade' ? '-' : r.ratio.toFixed(3)}`);
}
const mem = memory();
console.log(`\nmemory: ${mem.held} keys held, RSS growth ${mem.perKey.toFixed(1)} bytes per key`);
const vsExpress = rows.find((r) => r.scenario === '100k distinct keys' && r.name === 'express-rate-limit').ratio;
const vsFlexible = rows.find((r) => r.scenario === '100k distinct keys' && r.name === 'rate-limiter-flexible').ratio;
console.log(`ratio_vs_rate_limiter_flexible: ${vsFlexible.toFixed(3)}`);
console.log(`ratio_vs_express_rate_limit: ${vsExpress.toFixed(3)}`);
console.log(`bytes_per_key: ${Math.round(mem.perKey)}`);
