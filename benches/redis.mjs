// `npm run bench:redis`: one decision through the Redis store against a raw PING round trip from
// the same process, on a redis-server this script starts on a free loopback port.
//
// 1. Agreement: a fixed window of 3 gives ALLOW x3 then DENY through the store.
// 2. Latency, one request at a time, interleaved rounds: a raw PING over palisade's own
//    connection (the same client, runtime and thread hops as a decision: what one round trip
//    costs from this process through this stack), protect() with one and with three rate-limit
//    rules (still one round trip), and, for reference, a PING written on a plain Node socket (no
//    thread hop at all: the floor for any native client).
// 3. Throughput with 64 requests in flight, for the raw PING and for protect().
// Ends with `ratio_vs_ping: X` = protect() (one rule) median / raw PING (same connection) median.
import net from 'node:net';
import { createRequire } from 'node:module';
import { startRedis } from '../scripts/lib/redis-server.mjs';

const require = createRequire(import.meta.url);
const { default: palisade, fixedWindow, redisStore } = require('palisade');
const native = require('../index.js');

const redis = await startRedis();
try {
  await main();
} finally {
  redis.stop();
}

function rawPinger(port) {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  const waiting = [];
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      buf = buf.slice(i + 2);
      waiting.shift()?.();
    }
  });
  const ready = new Promise((r) => sock.once('connect', r));
  return {
    ready,
    ping: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        sock.write('PING\r\n');
      }),
    close: () => sock.destroy(),
  };
}

async function main() {
  const prefix = `bench${process.pid}`;
  const check = palisade({ store: redisStore({ url: redis.url, prefix: `${prefix}a`, timeoutMs: 1000 }), rules: [fixedWindow({ window: '1h', max: 3, name: 'agree' })] });
  const facts = (ip) => ({ method: 'GET', path: '/', headers: [], peer: ip });
  const got = [];
  for (let i = 0; i < 4; i++) got.push((await check.protect(facts('203.0.113.1'))).conclusion);
  const expected = ['ALLOW', 'ALLOW', 'ALLOW', 'DENY'];
  console.log(`agreement: fixed window of 3 gave ${got.join(' ')} (expected ${expected.join(' ')})`);
  if (got.join() !== expected.join()) process.exit(1);

  const store = redisStore({ url: redis.url, prefix, timeoutMs: 1000 });
  const one = palisade({ store, rules: [fixedWindow({ window: '1h', max: 100_000_000, name: 'one' })] });
  const three = palisade({
    store,
    rules: [fixedWindow({ window: '1h', max: 100_000_000, name: 'r1' }), fixedWindow({ window: '1m', max: 100_000_000, name: 'r2' }), fixedWindow({ window: '1s', max: 100_000_000, name: 'r3' })],
  });
  const engine = new native.Engine({ rules: [], store }, undefined);
  const raw = rawPinger(redis.port);
  await raw.ready;

  let k = 0;
  const ips = Array.from({ length: 1024 }, (_, i) => facts(`198.51.${i >> 8}.${i & 255}`));
  const impls = {
    'raw PING (same connection)': () => engine.pingStore(),
    'PING on a plain Node socket': () => raw.ping(),
    'protect(), 1 rule': () => one.protect(ips[k++ & 1023]),
    'protect(), 3 rules': () => three.protect(ips[k++ & 1023]),
  };
  const names = Object.keys(impls);
  for (const n of names) for (let i = 0; i < 300; i++) await impls[n]();
  const per = Object.fromEntries(names.map((n) => [n, []]));
  const rounds = 15;
  const batch = 400;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(round + j) % names.length];
      const fn = impls[name];
      const samples = [];
      for (let i = 0; i < batch; i++) {
        const t = process.hrtime.bigint();
        await fn();
        samples.push(Number(process.hrtime.bigint() - t));
      }
      samples.sort((a, b) => a - b);
      per[name].push(samples[batch >> 1]);
    }
  }
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: s[s.length >> 1], min: s[0], p90: s[Math.floor(s.length * 0.9)] };
  };
  const st = Object.fromEntries(names.map((n) => [n, stats(per[n])]));
  const us = (ns) => (ns / 1000).toFixed(1);
  console.log(`\nlatency per call, one at a time (µs; median / min / p90 of ${rounds} round medians, ${batch} calls each):`);
  for (const n of names) console.log(`  ${n.padEnd(32)} ${us(st[n].median).padStart(7)} ${us(st[n].min).padStart(7)} ${us(st[n].p90).padStart(7)}   x${(st[n].median / st[names[0]].median).toFixed(2)} of the raw PING`);

  const throughput = async (fn, total = 20_000, inflight = 64) => {
    let started = 0;
    const t = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (started < total) {
          started++;
          await fn();
        }
      }),
    );
    return total / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  const tpRaw = await throughput(impls[names[0]]);
  const tpOne = await throughput(impls[names[2]]);
  const tpSock = await throughput(impls[names[1]]);
  console.log(`\nthroughput with 64 in flight: raw PING (same connection) ${tpRaw.toFixed(0)}/s, protect() 1 rule ${tpOne.toFixed(0)}/s, plain-socket PING ${tpSock.toFixed(0)}/s`);
  raw.close();
  console.log(`ratio_vs_ping: ${(st[names[2]].median / st[names[0]].median).toFixed(3)}`);
}
process.exit(0);
