// `npm run fuzz -- [seconds per target] [--no-asan] [target ...]`: runs every cargo-fuzz target in `fuzz/`
// (or the ones named) for a set time each, one after the other, and prints a table of executions.
//
// - Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; runs
//   `cargo +nightly fuzz run <target> fuzz/corpus/<target> -- -max_total_time=<seconds>`.
//   Without a nightly toolchain it uses the stable one with RUSTC_BOOTSTRAP=1 and
//   `--sanitizer none` (libFuzzer's coverage guidance works; AddressSanitizer needs nightly's
//   runtime). The fuzzed code has no `unsafe` (the core is built without napi), so what a
//   sanitizer would add there is small; panics, overflows (checked in the fuzz profile), timeouts
//   and out-of-memory are still caught.
// - The corpus of a target (`fuzz/corpus/<target>`, not committed) is seeded on first use from the
//   repository's own test data: the shield, email and IP fixtures and the benchmark User-Agents.
// - A crash (or a timeout, or running out of memory) stops that target: its input is copied into
//   `tests/fixtures/fuzz/<target>/`, where `tests/fuzz_fixtures.rs` replays it in `cargo test`,
//   and the panic message is printed. The other targets still run; the command then fails.
// - Every run is appended to `fuzz/runs.jsonl` (not committed), and the table also shows the total
//   executions per target over all recorded runs.
// Run it at low priority on a shared machine: `nice -n 19 npm run fuzz -- 600`.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fuzzDir = path.join(root, 'fuzz');
const TARGETS = ['ip_forwarding', 'bot_ua', 'email', 'shield_request', 'shield_normalize', 'config'];

const args = process.argv.slice(2);
// `--no-asan`: build without AddressSanitizer even on nightly (2-3x more executions per second;
// the fuzzed core has no unsafe code, see above).
const noAsan = args.includes('--no-asan');
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 120);
const only = args.filter((a) => !/^\d+$/.test(a) && a !== '--no-asan');
for (const t of only) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}; targets: ${TARGETS.join(', ')}`);
const targets = only.length ? only : TARGETS;

function log(msg) {
  process.stderr.write(`[fuzz] ${msg}\n`);
}

// ---- seeds -------------------------------------------------------------------------------------

/** TOML basic strings `key = "..."` (the fixtures use no multi-line strings); JSON reads them. */
function tomlStrings(file, key) {
  const out = [];
  const re = new RegExp(`^${key}\\s*=\\s*("(?:[^"\\\\]|\\\\.)*")`, 'gm');
  for (const m of readFileSync(file, 'utf8').matchAll(re)) {
    try {
      out.push(JSON.parse(m[1]));
    } catch {
      out.push(m[1].slice(1, -1));
    }
  }
  return out;
}

/** The cases of a TOML fixture file as { key: value } for single-line `key = value` entries. */
function tomlCases(file) {
  const cases = [];
  let cur = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('[[case]]')) cases.push((cur = {}));
    const m = cur && line.match(/^(\w+)\s*=\s*(.*)$/);
    if (!m) continue;
    try {
      cur[m[1]] = JSON.parse(m[2]);
    } catch {
      cur[m[1]] = m[2];
    }
  }
  return cases;
}

const NUL = Buffer.from([0]);
const join = (sel, fields) => Buffer.concat([Buffer.from([sel]), ...fields.flatMap((f, i) => (i ? [NUL, Buffer.from(f)] : [Buffer.from(f)]))]);

function seeds(target) {
  const fixtures = path.join(root, 'tests', 'fixtures');
  const shieldFiles = readdirSync(path.join(fixtures, 'shield')).map((f) => path.join(fixtures, 'shield', f));
  const shieldCases = shieldFiles.flatMap(tomlCases).filter((c) => typeof c.input === 'string');
  switch (target) {
    case 'ip_forwarding':
      return tomlCases(path.join(fixtures, 'ip.toml')).map((c, i) => {
        const headers = Array.isArray(c.headers) ? c.headers.map(([n, v]) => `${n}:${v}`) : [];
        return join(i % 7, [typeof c.peer === 'string' ? c.peer : '', '/a/b?token=x', 'GET', ...headers]);
      });
    case 'bot_ua':
      return readFileSync(path.join(root, 'benches', 'data', 'user-agents.tsv'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => Buffer.from(l.split('\t').slice(2).join('\t')));
    case 'email':
      return tomlStrings(path.join(fixtures, 'email', 'addresses.toml'), 'address').map((a) => Buffer.from(a));
    case 'shield_normalize':
      return shieldCases.map((c) => Buffer.from(c.input));
    case 'shield_request': {
      const out = [];
      shieldCases.forEach((c, i) => {
        const v = c.input;
        const enc = encodeURIComponent(v);
        switch (c.part) {
          case 'json':
            out.push(join(2, ['/api/x', JSON.stringify({ a: { b: [v] } }), 'POST', '\x09application/json']));
            break;
          case 'header':
          case 'cookie':
            out.push(join(0, ['/', '', 'GET', `\x05sid=${enc}`, `x-custom:${v}`, `\x06${v}`]));
            break;
          case 'path':
            out.push(join(0, [`/${v.replaceAll('?', '%3F')}`, '', 'GET']));
            break;
          case 'body':
          case 'text':
            out.push(join(6, ['/', v, 'POST']));
            break;
          default:
            out.push(join(i % 2 ? 1 : 0, [`/search?q=${enc}&a[]=1`, `q=${enc}`, 'POST']));
        }
      });
      out.push(join(3, ['/upload', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n<script>x</script>\r\n--b--\r\n', 'POST']));
      out.push(join(4, ['/xml', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', 'POST']));
      return out;
    }
    case 'config':
      return [
        { rules: [] },
        { rules: [{ type: 'RATE_LIMIT', algorithm: 'FIXED_WINDOW', window: '1m', max: 5, characteristics: ['ip.src', 'userId'] }], proxies: ['10.0.0.0/8', '::1'] },
        { rules: [{ type: 'RATE_LIMIT', algorithm: 'SLIDING_WINDOW', interval: '1h30m', max: 100, maxKeys: 1000 }], platform: 'cloudflare' },
        { rules: [{ type: 'RATE_LIMIT', algorithm: 'TOKEN_BUCKET', refillRate: 1, interval: 10, capacity: 5, mode: 'DRY_RUN' }], unknownClient: 'DENY', failMode: 'closed' },
        { rules: [{ type: 'BOT', deny: ['CATEGORY:AI_CRAWLER', 'CURL'], custom: [{ id: 'ACME', pattern: 'acme-probe/\\d', category: 'MONITOR' }] }] },
        { rules: [{ type: 'BOT', allow: ['CATEGORY:SEARCH_ENGINE'], verify: { timeoutMs: 100, ranges: { GOOGLE_CRAWLER: ['66.249.64.0/19'] } } }], dns: { nameservers: ['127.0.0.1:5353'] } },
        { rules: [{ type: 'EMAIL', deny: ['INVALID', 'DISPOSABLE'], requireTopLevelDomain: false, allowQuoted: true }] },
        { rules: [{ type: 'SHIELD', threshold: 3, blockFor: '10m', sensitivity: 'HIGH', exclude: ['body.content', 'header.X-Html'], maxBodyBytes: 1024 }], ipv6Prefix: 64 },
        '1h30m',
        3600,
        '{"prefixes":[{"ipv4Prefix":"66.249.64.0/27"},{"ipv6Prefix":"2001:4860:4801:10::/64"}]}',
        'GOOGLE_CRAWLER 66.249.64.0/19\n# comment\nBING_CRAWLER 2001:db8::/32\n',
      ].map((v) => Buffer.from(typeof v === 'string' && !v.startsWith('"') ? v : JSON.stringify(v)));
    default:
      return [];
  }
}

function seedCorpus(target) {
  const dir = path.join(fuzzDir, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) return dir;
  const list = seeds(target);
  for (const s of list) writeFileSync(path.join(dir, `seed-${createHash('sha1').update(s).digest('hex').slice(0, 16)}`), s);
  log(`${target}: seeded the corpus with ${list.length} inputs from the repository's fixtures`);
  return dir;
}

// ---- runs --------------------------------------------------------------------------------------

function runTarget(target) {
  const corpus = seedCorpus(target);
  const fuzzArgs = [
    `-max_total_time=${seconds}`,
    '-print_final_stats=1',
    '-timeout=10',
    '-rss_limit_mb=2048',
    '-max_len=8192',
  ];
  const cargoArgs = [...TOOLCHAIN, 'fuzz', 'run', ...SANITIZER, target, corpus, '--', ...fuzzArgs];
  log(`$ cargo ${cargoArgs.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn('cargo', cargoArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let lastProgress = 0;
    const onData = (d) => {
      out += d;
      // libFuzzer logs a line at every power of two and every new coverage; show one a minute.
      const now = Date.now();
      const lines = String(d).split('\n').filter((l) => /^#\d+/.test(l));
      if (lines.length && now - lastProgress > 60_000) {
        lastProgress = now;
        log(`${target}: ${lines.at(-1).slice(0, 120)}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      const num = (re) => {
        const m = out.match(re);
        return m ? Number(m[1]) : null;
      };
      const execs = num(/stat::number_of_executed_runs:\s*(\d+)/) ?? num(/Done (\d+) runs in/);
      const time = num(/Done \d+ runs in (\d+) second/) ?? seconds;
      const artifacts = [...out.matchAll(/Test unit written to (\S+)/g)].map((m) => m[1]);
      const panic = out.match(/panicked at [^\n]*\n[^\n]*/)?.[0] ?? out.match(/==\d+== ERROR: libFuzzer: [^\n]*/)?.[0] ?? null;
      resolve({ target, code, execs, time, artifacts, panic, tail: out.split('\n').slice(-40).join('\n') });
    });
  });
}

function saveCrash(r) {
  const saved = [];
  for (const a of r.artifacts) {
    const src = path.isAbsolute(a) ? a : path.join(root, a);
    if (!existsSync(src)) continue;
    const dir = path.join(root, 'tests', 'fixtures', 'fuzz', r.target);
    mkdirSync(dir, { recursive: true });
    const dest = path.join(dir, path.basename(src));
    copyFileSync(src, dest);
    saved.push(path.relative(root, dest));
  }
  return saved;
}

function totals() {
  const file = path.join(fuzzDir, 'runs.jsonl');
  const sum = {};
  if (!existsSync(file)) return sum;
  for (const l of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(l);
    sum[r.target] = (sum[r.target] ?? 0) + (r.execs ?? 0);
  }
  return sum;
}

if (spawnSync('cargo', ['fuzz', '--version'], { encoding: 'utf8' }).status !== 0) {
  console.error('cargo-fuzz is needed: cargo install cargo-fuzz');
  process.exit(2);
}
const nightly = spawnSync('cargo', ['+nightly', '--version'], { encoding: 'utf8' }).status === 0;
// With nightly: AddressSanitizer on. Without: the stable compiler in bootstrap mode, no sanitizer.
const TOOLCHAIN = nightly ? ['+nightly'] : [];
const SANITIZER = nightly && !noAsan ? [] : ['--sanitizer', 'none'];
if (!nightly) {
  process.env.RUSTC_BOOTSTRAP = '1';
  log('no nightly toolchain: using the stable one with RUSTC_BOOTSTRAP=1 and --sanitizer none');
}
log(`building the fuzz targets (cargo ${[...TOOLCHAIN, 'fuzz', 'build', ...SANITIZER].join(' ')})`);
const build = spawnSync('cargo', [...TOOLCHAIN, 'fuzz', 'build', ...SANITIZER], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const results = [];
for (const t of targets) {
  log(`${t}: fuzzing for ${seconds} s`);
  const r = await runTarget(t);
  appendFileSync(path.join(fuzzDir, 'runs.jsonl'), `${JSON.stringify({ target: t, execs: r.execs, seconds: r.time, crashed: r.code !== 0, at: new Date().toISOString() })}\n`);
  if (r.code !== 0) {
    const saved = saveCrash(r);
    console.log(`\nCRASH in ${t} (exit ${r.code}): ${r.panic ?? 'see the output below'}`);
    console.log(saved.length ? `  input saved as ${saved.join(', ')}: tests/fuzz_fixtures.rs now replays it` : `  no input file was found; the run's last lines:\n${r.tail}`);
  }
  results.push(r);
}

const sum = totals();
console.log('\ntarget              seconds        execs    execs/s   total execs (all runs)   result');
for (const r of results) {
  const rate = r.execs && r.time ? Math.round(r.execs / r.time) : 0;
  console.log(
    `${r.target.padEnd(18)}${String(r.time).padStart(9)}${String(r.execs ?? '?').padStart(13)}${String(rate).padStart(11)}${String(sum[r.target] ?? 0).padStart(25)}   ${r.code === 0 ? 'ok' : 'CRASH'}`,
  );
}
if (results.some((r) => r.code !== 0)) process.exit(1);
