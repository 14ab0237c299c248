// `npm run load`: what palisade adds to a request's latency in a real Next.js 16 server, and
// whether the server's memory grows under sustained load.
//
// The example app (release addon, `palisade-next start`, loopback) has two routes with the same
// JSON answer: /api/plain, and /api/guarded behind `withPalisade(guarded)` with shield +
// detectBot + tokenBucket (examples/nextjs/lib/security.ts). Every request carries a browser
// User-Agent and an X-Forwarded-For client (one of 1,000 addresses, so the limiter keeps real
// keys); the app trusts loopback as its proxy.
//
// 1. Latency: after a warm-up of both routes, ROUNDS rounds; each round runs autocannon against
//    both routes in turn (the order alternates, ABBA), with the same connections and duration.
//    Every response time is recorded at full resolution (autocannon's own histogram rounds to
//    whole milliseconds), p50 and p99 are taken per run, and the medians over the rounds are
//    compared: added = (guarded - plain) / plain.
// 2. Soak: the guarded route is hammered for SOAK seconds (10,000 rotating clients) while the
//    server's RSS (VmRSS of the Next.js process) is sampled; growth is the last 30 s against the
//    first 30 s of the soak.
//
// 3. With --ladder, instead of 1 and 2: server CPU per request on /api/plain, then on routes that
//    add one part of /api/guarded at a time (reading the headers without palisade, withPalisade
//    with no rules, then with one rule each: tokenBucket, detectBot, shield), then /api/guarded;
//    interleaved rounds, medians. It says where the added time goes.
//
// Options: --rounds N (8), --duration S per run (8), --connections C (8), --soak S (300, or
// PALISADE_LOAD_SOAK), --skip-prepare (reuse the built example app), --no-soak, --ladder.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { appIsBuilt, prepareApp, startApp } from './lib/example-app.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : dflt;
};
const ROUNDS = opt('rounds', 8);
const DURATION = opt('duration', 8);
const CONNECTIONS = opt('connections', 8);
const SOAK = argv.includes('--no-soak') ? 0 : opt('soak', Number(process.env.PALISADE_LOAD_SOAK ?? 300));
const SAMPLE_MS = 5000;

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const clientIp = (i) => `203.0.${(i >> 8) & 255}.${i & 255}`;

function log(msg) {
  process.stderr.write(`[load] ${msg}\n`);
}

/** The Next.js server: the process with the most memory in the app's process group. */
function serverPid(pgid) {
  let best = null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const rss = rssKb(Number(d));
      if (!best || rss > best.rss) best = { pid: Number(d), rss };
    } catch {
      // The process ended while we looked.
    }
  }
  if (!best) throw new Error(`no process found in group ${pgid}`);
  return best.pid;
}

/** CPU time (user + system) the process has used, in microseconds (clock ticks of 10 ms). */
function cpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

function rssKb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : 0;
}

/**
 * One autocannon run; returns exact percentiles from every 2xx response time, and the server's
 * CPU time per request (not inflated by waiting for a core, unlike latency on a busy machine).
 */
async function run(url, { duration, connections, clients, pid }) {
  let n = 0;
  const cpu0 = cpuUs(pid);
  const instance = autocannon({
    url,
    connections,
    duration,
    headers: { 'user-agent': UA, accept: 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-forwarded-for': clientIp(n++ % clients) } }),
      },
    ],
  });
  const times = [];
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
  });
  const result = await instance;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts`);
  const sorted = Float64Array.from(times).sort();
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  return { p50: pct(0.5), p99: pct(0.99), rps: sorted.length / duration, count: sorted.length, cpu: (cpuUs(pid) - cpu0) / sorted.length };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function ladder(base, cfg) {
  const steps = [
    ['plain', '/api/plain', 'no palisade'],
    ['touch', '/api/ladder/touch', '+ read the headers'],
    ['wrapper', '/api/ladder/wrapper', '+ withPalisade, no rules'],
    ['bucket', '/api/ladder/bucket', 'withPalisade + tokenBucket'],
    ['bot', '/api/ladder/bot', 'withPalisade + detectBot'],
    ['shield', '/api/ladder/shield', 'withPalisade + shield'],
    ['guarded', '/api/guarded', 'all three (the load test)'],
  ];
  for (const [, p] of steps) await run(`${base}${p}`, { ...cfg, duration: 2 });
  const per = Object.fromEntries(steps.map(([name]) => [name, []]));
  console.log(`ladder: ${ROUNDS} rounds, ${CONNECTIONS} connections, ${DURATION} s per route per round; server CPU µs per request`);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? steps : [...steps].reverse();
    for (const [name, p] of order) per[name].push((await run(`${base}${p}`, cfg)).cpu);
    log(`round ${r + 1} of ${ROUNDS} done`);
  }
  const plain = median(per.plain);
  console.log('route                        cpu µs/req   vs plain');
  for (const [name, , what] of steps) {
    const m = median(per[name]);
    console.log(`${what.padEnd(28)} ${m.toFixed(0).padStart(10)} ${`${m - plain >= 0 ? '+' : ''}${(m - plain).toFixed(0)}`.padStart(10)}`);
  }
}

/** Steps 1 and 2: latency rounds on both routes, then the soak of the guarded route. */
async function latencyAndSoak(routes, cfg, pid) {
  log(`warm-up: ${DURATION} s on each route, twice`);
  for (let i = 0; i < 2; i++) for (const url of Object.values(routes)) await run(url, cfg);

  console.log(`latency: ${ROUNDS} rounds, ${CONNECTIONS} connections, ${DURATION} s per route per round (ms; exact percentiles of every response)`);
  console.log('round  order            plain p50     p99   req/s  cpu µs/req   guarded p50     p99   req/s  cpu µs/req');
  const per = { plain: [], guarded: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['plain', 'guarded'] : ['guarded', 'plain'];
    const got = {};
    for (const name of order) got[name] = await run(routes[name], cfg);
    per.plain.push(got.plain);
    per.guarded.push(got.guarded);
    const f = (x) => `${x.p50.toFixed(3).padStart(9)} ${x.p99.toFixed(3).padStart(7)} ${x.rps.toFixed(0).padStart(7)} ${x.cpu.toFixed(0).padStart(11)}`;
    console.log(`${String(r + 1).padStart(5)}  ${order.join(',').padEnd(15)} ${f(got.plain)}      ${f(got.guarded)}`);
  }
  const m = (name, k) => median(per[name].map((x) => x[k]));
  const added = (k) => ((m('guarded', k) - m('plain', k)) / m('plain', k)) * 100;
  console.log(`median over rounds: plain p50 ${m('plain', 'p50').toFixed(3)} ms, p99 ${m('plain', 'p99').toFixed(3)} ms, ${m('plain', 'rps').toFixed(0)} req/s, ${m('plain', 'cpu').toFixed(0)} µs CPU/req; guarded p50 ${m('guarded', 'p50').toFixed(3)} ms, p99 ${m('guarded', 'p99').toFixed(3)} ms, ${m('guarded', 'rps').toFixed(0)} req/s, ${m('guarded', 'cpu').toFixed(0)} µs CPU/req`);
  console.log(`server CPU per request added by palisade: ${(m('guarded', 'cpu') - m('plain', 'cpu')).toFixed(0)} µs (${added('cpu').toFixed(1)}%)`);

  if (SOAK > 0) {
    console.log(`\nsoak: /api/guarded for ${SOAK} s, ${CONNECTIONS} connections, 10,000 rotating clients; server RSS every ${SAMPLE_MS / 1000} s`);
    const before = rssKb(pid);
    const samples = [];
    const started = Date.now();
    const timer = setInterval(() => samples.push({ t: (Date.now() - started) / 1000, kb: rssKb(pid) }), SAMPLE_MS);
    const soak = await run(routes.guarded, { duration: SOAK, connections: CONNECTIONS, clients: 10_000, pid });
    clearInterval(timer);
    samples.push({ t: (Date.now() - started) / 1000, kb: rssKb(pid) });
    const mb = (kb) => (kb / 1024).toFixed(1);
    console.log(`RSS before the soak: ${mb(before)} MB; ${soak.count} requests (${soak.rps.toFixed(0)} req/s, p50 ${soak.p50.toFixed(3)} ms, p99 ${soak.p99.toFixed(3)} ms)`);
    const every = Math.max(1, Math.round(samples.length / 20));
    console.log(samples.filter((_, i) => i % every === 0 || i === samples.length - 1).map((s) => `  t=${s.t.toFixed(0).padStart(4)} s  rss ${mb(s.kb)} MB`).join('\n'));
    const window = Math.min(30, SOAK / 3);
    const firstWindow = samples.filter((s) => s.t <= window);
    const first = median((firstWindow.length ? firstWindow : samples.slice(0, 1)).map((s) => s.kb));
    const last = median(samples.filter((s) => s.t >= samples.at(-1).t - window).map((s) => s.kb));
    console.log(`first ${window} s median ${mb(first)} MB, last ${window} s median ${mb(last)} MB`);
    console.log(`soak_rss_growth_mb: ${((last - first) / 1024).toFixed(1)}`);
  }
  console.log(`added_latency_p50: ${added('p50').toFixed(2)}%`);
  console.log(`added_latency_p99: ${added('p99').toFixed(2)}%`);
}

if (!argv.includes('--skip-prepare') || !appIsBuilt()) prepareApp();
const app = await startApp();
let exitCode = 0;
try {
  const pid = serverPid(app.pid);
  log(`example app at ${app.url}, Next.js server pid ${pid}`);
  const routes = { plain: `${app.url}/api/plain`, guarded: `${app.url}/api/guarded` };
  for (const [name, url] of Object.entries(routes)) {
    const res = await fetch(url, { headers: { 'user-agent': UA, 'x-forwarded-for': clientIp(0) } });
    const body = await res.text();
    if (res.status !== 200 || body !== '{"ok":true}') throw new Error(`${name}: ${res.status} ${body}`);
  }
  const cfg = { duration: DURATION, connections: CONNECTIONS, clients: 1000, pid };
  if (argv.includes('--ladder')) await ladder(app.url, cfg);
  else await latencyAndSoak(routes, cfg, pid);
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  app.stop();
}
process.exit(exitCode);
