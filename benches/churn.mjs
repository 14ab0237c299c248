// `npm run churn`: 10 million distinct client keys through one in-memory limiter capped at
// maxKeys = 100,000, with the RSS curve every million keys. Meanwhile 1,000 "attacker" keys have
// used up their limit before the flood; they must stay limited until their reset, however many new
// keys arrive (the table never evicts a key that is being limited). Ends with:
//   churn_rss_growth_mb: X   (RSS growth from 1M to 10M keys, minus the growth of the same loop
//                             without a limiter in a child process; flat means ~0, and the run
//                             fails above 16 MB)
//   churn_attackers_freed: N (limited keys that got through during the flood; must be 0)
// Exits non-zero when either fails. Time comes from a manual clock, so the result is exact.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { rateLimiter, fixedWindow, ManualClock } = require('palisade');

const TOTAL = Number(process.env.CHURN_KEYS ?? 10_000_000);
const mb = (b) => (b / 1048576).toFixed(1);

// Baseline (a child process): the same loop building the same key strings and passing them across
// the boundary, without a limiter. V8's heap for the strings grows in steps of its own; that
// growth is subtracted so the figure is the limiter's.
if (process.argv[2] === '--baseline') {
  const native = require('../index.js');
  const rows = [];
  for (let done = 0; done < TOTAL; done += TOTAL / 10) {
    for (let i = done; i < done + TOTAL / 10; i++) native.noopStr(`client-${i}`);
    global.gc?.();
    rows.push(process.memoryUsage().rss);
  }
  console.log(JSON.stringify(rows));
  process.exit(0);
}
const MAX_KEYS = 100_000;
const STEP = TOTAL / 10;
const clock = new ManualClock(0);
const rl = rateLimiter(fixedWindow({ window: '1h', max: 3, maxKeys: MAX_KEYS, name: 'churn' }), clock);

const attackers = Array.from({ length: 1_000 }, (_, i) => `attacker-${i}`);
for (const a of attackers) for (let i = 0; i < 3; i++) rl.allow(a);
for (const a of attackers) if (rl.allow(a)) throw new Error(`${a} should be limited before the flood`);

const rows = [];
let freed = 0;
const started = process.hrtime.bigint();
for (let done = 0; done < TOTAL; ) {
  const end = done + STEP;
  for (let i = done; i < end; i++) {
    rl.allow(`client-${i}`);
    // Time moves on (1 ms per 10k keys: 1,000 s over the run, inside the attackers' hour).
    if (i % 10_000 === 0) clock.advance(1);
  }
  done = end;
  for (const a of attackers) if (rl.allow(a)) freed++;
  global.gc?.();
  const rss = process.memoryUsage().rss;
  rows.push({ keys: done, rss, size: rl.size });
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${String(done).padStart(10)} keys  rss ${mb(rss).padStart(7)} MB  held ${String(rl.size).padStart(7)}  ${secs.toFixed(1)} s`);
}
// After the attackers' window ends they are served again.
clock.advance(3_600_000);
const back = attackers.filter((a) => rl.allow(a)).length;

// Baseline: once the table has filled and cycled and V8's heap for key strings has reached its
// working size (after 1M keys, or 30% of a shorter run).
const baseIndex = rows.findIndex((r) => r.keys >= Math.min(1_000_000, TOTAL * 0.3));
const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--baseline'], { encoding: 'utf8', env: process.env });
const baseline = JSON.parse(child.stdout.trim().split('\n').at(-1));
console.log(`\nbaseline without a limiter (RSS per million keys, MB): ${baseline.map(mb).join(' ')}`);
const v8Growth = baseline.at(-1) - baseline[baseIndex];
const growth = rows.at(-1).rss - rows[baseIndex].rss - v8Growth;
console.log(`\nmaxKeys ${MAX_KEYS}: held at most ${Math.max(...rows.map((r) => r.size))} keys; attackers served again after reset: ${back}/${attackers.length}`);
console.log(`churn_rss_growth_mb: ${mb(growth)}`);
console.log(`churn_attackers_freed: ${freed}`);
const ok = freed === 0 && back === attackers.length && growth < 16 * 1048576 && rows.every((r) => r.size <= MAX_KEYS + MAX_KEYS / 8);
if (!ok) {
  console.error('churn: FAILED (RSS grew, a limited key was freed early, or the table overflowed its cap)');
  process.exit(1);
}
