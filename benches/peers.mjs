// `npm run bench:peers`: palisade against the packages a Node.js user would pick instead, for
// every capability, in one process.
//
// 1. Agreement first, on labelled sets: bots on benches/data/user-agents.tsv (240 UAs), rate limits
//    on a labelled call sequence, email on benches/data/emails.jsonl (147 addresses, sources in each
//    line). Every input where a peer and palisade answer differently is listed.
// 2. Then timing, interleaved: each round times one batch of every implementation of a capability
//    in rotating order (the first rounds are warm-up); median, min and p90 of ns per call over the
//    rounds, and the ratio palisade median / peer median (below 1: palisade is faster).
//
// Public APIs only: palisade's `isBot`, `rateLimiter(fixedWindow(...)).check`, `validateEmail`;
// each peer as its README shows. A peer that cannot be loaded is reported and skipped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const palisade = require('palisade');

const ROUNDS = Number(process.env.PEERS_ROUNDS ?? 22);
const WARMUP = 2;
const BATCH_MS = Number(process.env.PEERS_BATCH_MS ?? 40);

const missing = [];
async function load(name, get) {
  try {
    return await get();
  } catch (e) {
    missing.push(`${name}: could not be loaded (${e.code ?? e.message}); its rows are left out`);
    return null;
  }
}

// ---- peers -------------------------------------------------------------------------------------

const isbotPkg = await load('isbot', () => require('isbot'));
const analyze = await load('@arcjet/analyze', () => import('@arcjet/analyze'));
const flexible = await load('rate-limiter-flexible', () => require('rate-limiter-flexible'));
const expressRl = await load('express-rate-limit', () => require('express-rate-limit'));
const validator = await load('validator', () => require('validator'));
const emailValidator = await load('email-validator', () => require('email-validator'));
const mailchecker = await load('mailchecker', () => require('mailchecker'));

// @arcjet/analyze logs through the context's logger; nothing here needs its debug output.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ajContext = { log: quiet, characteristics: [] };
// "Allow no bot": every bot it recognises comes back in `denied`.
const AJ_BOTS = { tag: 'allowed-bot-config', val: { entities: [], skipCustomDetect: false } };
// Syntax only, at the same policy as palisade's defaults (a TLD required, no domain literals).
const AJ_EMAIL = { tag: 'deny-email-validation-config', val: { requireTopLevelDomain: true, allowDomainLiteral: false, deny: [] } };

// ---- helpers -----------------------------------------------------------------------------------

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] };
};
const short = (s, n = 100) => JSON.stringify(s.length > n ? `${s.slice(0, n)}...` : s);

/**
 * Times `impls` ({ name: { fn, async } }) over `inputs`, interleaved. Each implementation gets a
 * batch size calibrated to about BATCH_MS, so a slow peer does not stretch the rounds of a fast one.
 */
async function timeInterleaved(impls, inputs) {
  const names = Object.keys(impls);
  let sink = 0;
  const runBatch = async (impl, n, offset) => {
    const start = process.hrtime.bigint();
    if (impl.async) {
      for (let i = 0; i < n; i++) sink += (await impl.fn(inputs[(offset + i) % inputs.length])) ? 1 : 0;
    } else {
      for (let i = 0; i < n; i++) sink += impl.fn(inputs[(offset + i) % inputs.length]) ? 1 : 0;
    }
    return Number(process.hrtime.bigint() - start) / n;
  };
  const batch = {};
  for (const name of names) {
    let n = 64;
    for (;;) {
      const ns = await runBatch(impls[name], n, 0);
      if (ns * n > 10e6 || n >= 1 << 20) {
        batch[name] = Math.max(16, Math.round((BATCH_MS * 1e6) / ns));
        break;
      }
      n *= 4;
    }
  }
  const per = Object.fromEntries(names.map((n) => [n, []]));
  let offset = 0;
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(round + j) % names.length];
      const ns = await runBatch(impls[name], batch[name], offset);
      if (round >= WARMUP) per[name].push(ns);
    }
    offset += 9973;
  }
  if (sink < 0) console.log(sink);
  return Object.fromEntries(names.map((n) => [n, stats(per[n])]));
}

const table = [];
/** Three significant digits, so that a ratio far below 1 still shows. */
const ratio = (x) => (x >= 0.1 ? x.toFixed(3) : x.toPrecision(3));
function report(capability, key, timings, ours = 'palisade') {
  for (const [name, s] of Object.entries(timings)) {
    table.push({ capability, key, name, ...s, ratio: name === ours ? null : timings[ours].median / s.median });
  }
}

// ---- bots --------------------------------------------------------------------------------------

async function bots() {
  const rows = readFileSync(new URL('./data/user-agents.tsv', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [label, , ...rest] = l.split('\t');
      return { bot: label === 'bot', ua: rest.join('\t') };
    });
  const impls = { palisade: { fn: (ua) => palisade.isBot(ua) } };
  if (isbotPkg) impls.isbot = { fn: (ua) => isbotPkg.isbot(ua) };
  if (analyze) {
    impls['@arcjet/analyze'] = {
      async: true,
      fn: async (ua) => (await analyze.detectBot(ajContext, { headers: { 'user-agent': ua } }, AJ_BOTS)).denied.length > 0,
    };
  }
  await agreement('bots', `${rows.length} labelled User-Agents (benches/data/user-agents.tsv)`, rows.map((r) => ({ input: r.ua, label: r.bot })), impls, (v) => (v ? 'bot' : 'human'));
  report('bot detection', 'bots', await timeInterleaved(impls, rows.map((r) => r.ua)));
}

/** Lists every input where a peer and palisade differ, and each one's errors against the label. */
async function agreement(what, description, cases, impls, show) {
  const answers = {};
  for (const [name, impl] of Object.entries(impls)) {
    answers[name] = [];
    for (const c of cases) answers[name].push(await impl.fn(c.input));
  }
  console.log(`\n== ${what}: agreement on ${description}`);
  for (const name of Object.keys(impls)) {
    const wrong = cases.filter((c, i) => answers[name][i] !== c.label).length;
    if (name === 'palisade') {
      console.log(`palisade: ${wrong} of ${cases.length} differ from the label`);
      continue;
    }
    const diff = cases.map((c, i) => i).filter((i) => answers[name][i] !== answers.palisade[i]);
    console.log(`${name}: agrees with palisade on ${cases.length - diff.length} of ${cases.length}; ${wrong} differ from the label`);
    for (const i of diff) {
      const c = cases[i];
      console.log(`  differs: palisade=${show(answers.palisade[i])} ${name}=${show(answers[name][i])} label=${show(c.label)}  ${short(c.input)}${c.note ? `  [${c.note}]` : ''}`);
    }
  }
}

// ---- rate limits -------------------------------------------------------------------------------

function limiters(max, tag) {
  const impls = {};
  const ours = palisade.rateLimiter(palisade.fixedWindow({ window: 60, max, maxKeys: 1_000_000, name: `peers-${tag}` }));
  impls.palisade = { fn: (key) => ours.check(key).allowed };
  let shutdown = () => {};
  if (expressRl) {
    const store = new expressRl.MemoryStore();
    store.init({ windowMs: 60_000 });
    shutdown = () => store.shutdown();
    impls['express-rate-limit'] = { async: true, fn: async (key) => (await store.increment(key)).totalHits <= max };
  }
  if (flexible) {
    const rl = new flexible.RateLimiterMemory({ points: max, duration: 60 });
    impls['rate-limiter-flexible'] = {
      async: true,
      fn: async (key) => {
        try {
          await rl.consume(key);
          return true;
        } catch (rej) {
          if (rej instanceof Error) throw rej;
          return false;
        }
      },
    };
  }
  return { impls, shutdown };
}

async function rateLimits() {
  // Labelled: limit 3 per minute, 5 calls on each of 20 keys; the first 3 of each are allowed.
  const { impls, shutdown } = limiters(3, 'agree');
  const cases = [];
  for (let k = 0; k < 20; k++) for (let i = 0; i < 5; i++) cases.push({ input: `agree-${k}`, label: i < 3, note: `call ${i + 1} of key ${k}` });
  await agreement('rate limits', '20 keys x 5 calls, limit 3 per minute', cases, impls, (v) => (v ? 'allow' : 'deny'));
  shutdown();
  // Timing: 100,000 distinct client keys (a busy server's table), never limited.
  const timed = limiters(100_000_000, 'time');
  const keys = Array.from({ length: 100_000 }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}-${i}`);
  report('rate limit (100k keys)', 'ratelimit', await timeInterleaved(timed.impls, keys));
  timed.shutdown();
}

// ---- email -------------------------------------------------------------------------------------

async function email() {
  const rows = readFileSync(new URL('./data/emails.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // What each package answers: syntax (validator, email-validator, @arcjet/analyze without lists)
  // or syntax plus "not disposable" (mailchecker). Palisade is compared on the same question.
  const syntax = { palisade: { fn: (a) => palisade.validateEmail(a).valid } };
  if (validator) syntax.validator = { fn: (a) => validator.isEmail(a) };
  if (emailValidator) syntax['email-validator'] = { fn: (a) => emailValidator.validate(a) };
  if (analyze) syntax['@arcjet/analyze'] = { async: true, fn: async (a) => (await analyze.isValidEmail(ajContext, a, AJ_EMAIL)).validity === 'valid' };
  const show = (v) => (v ? 'valid' : 'invalid');
  await agreement('email syntax', `${rows.length} labelled addresses (benches/data/emails.jsonl)`, rows.map((r) => ({ input: r.address, label: r.valid, note: r.source })), syntax, show);
  const usable = { palisade: { fn: (a) => { const v = palisade.validateEmail(a); return v.valid && !v.types.includes('DISPOSABLE'); } } };
  if (mailchecker) usable.mailchecker = { fn: (a) => mailchecker.isValid(a) };
  await agreement('email syntax and disposable domains', 'the same addresses, label: valid and not disposable', rows.map((r) => ({ input: r.address, label: r.valid && !r.disposable, note: r.source })), usable, (v) => (v ? 'accept' : 'reject'));
  const addresses = rows.map((r) => r.address);
  const all = { ...syntax, ...(usable.mailchecker ? { mailchecker: usable.mailchecker } : {}) };
  report('email validation', 'email', await timeInterleaved(all, addresses));
}

// ---- run ---------------------------------------------------------------------------------------

await bots();
await rateLimits();
await email();

for (const m of missing) console.log(`\nNOTE ${m}`);
console.log(`\nns per call (median / min / p90 over ${ROUNDS} interleaved rounds), and palisade median / peer median:`);
console.log('| capability | implementation | median ns | min | p90 | palisade / peer |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of table) {
  console.log(`| ${r.capability} | ${r.name} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)} | ${r.p90.toFixed(0)} | ${r.ratio === null ? '' : ratio(r.ratio)} |`);
}
for (const r of table.filter((r) => r.ratio !== null)) {
  console.log(`ratio_${r.key}_vs_${r.name.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '')}: ${ratio(r.ratio)}`);
}
