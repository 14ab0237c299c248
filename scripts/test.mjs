// `npm test`: every suite, in order, stopping at the first failure.
//   1. cargo test                         the Rust core with the napi binding compiled in
//   2. cargo test --no-default-features   the pure-Rust core, without napi
//   3. build the package (debug addon + TypeScript wrapper)
//   4. node --test __test__/*.test.mjs    the built package as a user imports it
//   5. pack + install + build the example Next.js app, then node --test __test__/e2e/
// Set PALISADE_SKIP_E2E=1 to stop after step 4 (the final summary says so).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildPackage, ensureDeps, prepareApp, root, run } from './lib/example-app.mjs';

const steps = [];
function step(name, fn) {
  const t = Date.now();
  process.stderr.write(`\n[palisade] === ${name}\n`);
  fn();
  steps.push(`${name}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

try {
  ensureDeps();
  step('cargo test', () => run('cargo', ['test']));
  step('cargo test --no-default-features', () => run('cargo', ['test', '--no-default-features']));
  step('build package', () => buildPackage({ release: false }));
  const unit = readdirSync(path.join(root, '__test__')).filter((f) => f.endsWith('.test.mjs')).map((f) => path.join('__test__', f));
  step('JS tests', () => run(process.execPath, ['--test', ...unit]));
  if (process.env.PALISADE_SKIP_E2E === '1') {
    process.stderr.write('\n[palisade] PALISADE_SKIP_E2E=1: the end-to-end tests were SKIPPED\n');
  } else {
    step('build example app', () => prepareApp());
    step('end-to-end tests', () => run(process.execPath, ['--test', '--test-concurrency=1', '__test__/e2e/']));
  }
  process.stderr.write(`\n[palisade] all suites passed\n  ${steps.join('\n  ')}\n`);
} catch (err) {
  process.stderr.write(`\n[palisade] FAILED: ${err.message}\n  ${steps.join('\n  ')}\n`);
  process.exit(1);
}
