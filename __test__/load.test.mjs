// Loading: ESM and CJS share one addon, worker threads load it too, and the Edge runtime fails
// with a clear error instead of a missing binding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import * as esm from 'palisade';

const require = createRequire(import.meta.url);

test('ESM and CommonJS entry points share state', () => {
  const cjs = require('palisade');
  assert.equal(typeof cjs.palisade, 'function');
  const name = `shared-${process.pid}`;
  const a = esm.palisade({ rules: [esm.fixedWindow({ window: 60, max: 1, name })] });
  const b = cjs.palisade({ rules: [cjs.fixedWindow({ window: 60, max: 1, name })] });
  const r = { method: 'GET', path: '/', headers: ['x-forwarded-for', '8.8.8.8'] };
  assert.ok(a.protect(r).isAllowed());
  assert.ok(b.protect(r).isDenied(), 'the same limit from the other entry point counts together');
  const next = require('palisade/next');
  assert.equal(typeof next.createMiddleware, 'function');
  assert.deepEqual(next.withPalisadeConfig({ serverExternalPackages: ['x'] }).serverExternalPackages, ['x', 'palisade']);
  assert.deepEqual(next.withPalisadeConfig({ serverExternalPackages: ['palisade'] }).serverExternalPackages, ['palisade']);
});

test('loads and protects inside worker_threads, sharing limits with the main thread', async () => {
  const name = `worker-${process.pid}`;
  const main = esm.palisade({ rules: [esm.fixedWindow({ window: 60, max: 2, name })] });
  const r = { method: 'GET', path: '/', headers: ['x-forwarded-for', '8.8.8.8'] };
  assert.ok(main.protect(r).isAllowed());
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { palisade, fixedWindow } = require('palisade');
    const aj = palisade({ rules: [fixedWindow({ window: 60, max: 2, name: workerData })] });
    const r = { method: 'GET', path: '/', headers: ['x-forwarded-for', '8.8.8.8'] };
    parentPort.postMessage([aj.protect(r).conclusion, aj.protect(r).conclusion]);
  `;
  const w = new Worker(code, { eval: true, workerData: name });
  const result = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  assert.deepEqual(result, ['ALLOW', 'DENY']);
});

test('on the Edge runtime the import fails with PALISADE_EDGE_RUNTIME naming the fix', () => {
  const script = `globalThis.EdgeRuntime = 'edge-runtime'; try { require('palisade'); console.log('loaded') } catch (e) { console.log(e.code + ' ' + e.message) }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname });
  assert.match(r.stdout, /^PALISADE_EDGE_RUNTIME .*proxy\.ts.*runtime: "nodejs"/);
});
