// Shared by the demo and the end-to-end tests: build the package, install it into the example
// app from an `npm pack` tarball (Turbopack cannot follow a file: symlink), build the app, and
// start it on a free port in its own process group so that it can be stopped completely.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const appDir = path.join(root, 'examples', 'nextjs');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

function log(msg) {
  process.stderr.write(`[palisade] ${msg}\n`);
}

export function run(cmd, args, opts = {}) {
  const started = Date.now();
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `  (in ${path.relative(root, opts.cwd) || '.'})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env, cwd: opts.cwd ?? root });
  if (r.status !== 0) {
    if (opts.quiet) process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
    throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
  }
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r;
}

/** Installs the repository's own dev dependencies on a fresh clone (`npm ci`), once. */
export function ensureDeps() {
  if (!existsSync(path.join(root, 'node_modules', '@napi-rs', 'cli', 'package.json'))) {
    log('first run: installing the build tools with npm ci');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  }
}

/** Builds the addon (release or debug) and the TypeScript wrapper. */
export function buildPackage({ release }) {
  run('npx', ['napi', 'build', '--platform', ...(release ? ['--release'] : [])]);
  run('npm', ['run', 'build:ts', '--silent']);
}

/** Packs the package and installs the tarball into the example app, then builds the app. */
export function prepareApp() {
  const packed = run('npm', ['pack', '--silent', '--pack-destination', appDir], { quiet: true });
  const name = String(packed.stdout).trim().split('\n').pop();
  copyFileSync(path.join(appDir, name), path.join(appDir, 'palisade.tgz'));
  rmSync(path.join(appDir, name));
  // A stale copy of palisade in node_modules would survive `npm install` of the same version.
  rmSync(path.join(appDir, 'node_modules', 'palisade'), { recursive: true, force: true });
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: appDir });
  run('npx', ['next', 'build'], { cwd: appDir, quiet: true });
}

/** Whether the app was built after every source file and the packed package changed. */
export function appIsBuilt() {
  const marker = path.join(appDir, '.next', 'BUILD_ID');
  return existsSync(marker) && existsSync(path.join(appDir, 'node_modules', 'palisade', 'package.json'));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the built app with `palisade-next start` (or plain `next start`) on a free port, in a
 * new process group. Returns { url, stop }.
 */
export async function startApp({ plain = false, port, env: extra = {} } = {}) {
  port ??= await freePort();
  const bin = plain ? ['next', 'start', '-p', String(port), '-H', '127.0.0.1'] : ['palisade-next', 'start', '-p', String(port), '-H', '127.0.0.1'];
  const child = spawn('npx', bin, { cwd: appDir, env: { ...env, ...extra }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/dry`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        stop();
        throw new Error(`the app did not answer within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { url, port, stop, output: () => output, pid: child.pid };
}
