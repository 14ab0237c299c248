// A real redis-server for tests: started on a free loopback port in its own process group, with no
// persistence, and stopped (the whole group) when done. Plus a minimal RESP client for checks the
// tests make behind palisade's back (TTLs, planting wrong types). When redis-server is missing the
// tests skip with a message; under CI (CI=true) that is a failure instead.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

export function redisAvailable() {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('redis-server is not installed, but CI must run the Redis tests (.ci/run installs it)');
  return found;
}

export const SKIP_MESSAGE = 'redis-server not found: Redis tests skipped (apt-get install redis-server)';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, deadlineMs) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts redis-server; `stop()` kills it, `start()` starts it again on the same port. */
export async function startRedis() {
  const port = await freePort();
  let child;
  const server = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { detached: true, stdio: 'ignore' });
      await waitForPort(port, 10_000);
    },
    stop() {
      if (!child) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      child = undefined;
    },
    /** Sends one command and resolves with its reply (errors resolve as { error }). */
    command: (...args) => command(port, args),
  };
  await server.start();
  return server;
}

function encode(args) {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;
}

function parse(buf, at = 0) {
  const end = buf.indexOf('\r\n', at);
  if (end < 0) return undefined;
  const kind = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, end);
  const next = end + 2;
  if (kind === '+') return { value: line, next };
  if (kind === '-') return { value: { error: line }, next };
  if (kind === ':') return { value: Number(line), next };
  if (kind === '$') {
    const n = Number(line);
    if (n < 0) return { value: null, next };
    if (buf.length < next + n + 2) return undefined;
    return { value: buf.toString('utf8', next, next + n), next: next + n + 2 };
  }
  if (kind === '*') {
    const n = Number(line);
    const out = [];
    let pos = next;
    for (let i = 0; i < n; i++) {
      const r = parse(buf, pos);
      if (!r) return undefined;
      out.push(r.value);
      pos = r.next;
    }
    return { value: out, next: pos };
  }
  throw new Error(`unexpected RESP ${kind}`);
}

function command(port, args) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = parse(buf);
      if (r) {
        c.destroy();
        resolve(r.value);
      }
    });
    c.on('error', reject);
    c.write(encode(args));
  });
}
