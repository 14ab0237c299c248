// Panic safety through the built addon: a panic inside the core (triggered by a test-only hook,
// present only in debug builds with PALISADE_TEST_HOOKS=1) becomes an ERROR decision, fail-open by
// default and a denial when fail-closed, on the sync and the async path; Node keeps running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { denial, fixedWindow, validateEmail } from 'palisade';

// Read by the addon on the first protect() call, after this line.
process.env.PALISADE_TEST_HOOKS = '1';

const boom = () => new Request('http://localhost/', { headers: { 'x-palisade-test-panic': '1', 'x-forwarded-for': '203.0.113.7' } });
const calm = () => new Request('http://localhost/', { headers: { 'x-forwarded-for': '203.0.113.7' } });

test('a panic in the core is an ERROR decision that lets the request through (fail-open default)', () => {
  const aj = palisade({ proxies: ['0.0.0.0/0'], rules: [fixedWindow({ window: '1m', max: 5, name: 'panic-open' })] });
  const d = aj.protect(boom());
  assert.equal(d.conclusion, 'ERROR');
  assert.equal(d.isAllowed(), true);
  assert.equal(d.reason.isError(), true);
  assert.match(d.reason.message, /caught panic/);
  assert.equal(aj.protect(calm()).conclusion, 'ALLOW', 'the engine still works afterwards');
});

test('with failMode closed the same panic denies, with a 503 and not a 429', () => {
  const aj = palisade({ failMode: 'closed', rules: [fixedWindow({ window: '1m', max: 5, name: 'panic-closed' })] });
  const d = aj.protect(boom());
  assert.equal(d.conclusion, 'DENY');
  assert.equal(denial(d).status, 503);
});

test('the async path turns the panic into an ERROR decision and never rejects', async () => {
  const aj = palisade({ dns: { nameservers: ['127.0.0.1:9'] }, rules: [validateEmail({ deny: ['INVALID'], checkMx: true, mxTimeoutMs: 50 })] });
  assert.equal(aj.async, true);
  const d = await aj.protect(boom(), { email: 'a@b.test' });
  assert.equal(d.conclusion, 'ERROR');
  assert.match(d.reason.message, /caught panic/);
});
