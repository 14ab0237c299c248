// MX checks through the built package, against a DNS server this test starts on loopback
// (never the internet): the async direct API, the email rule with checkMx (protect() then
// returns a promise), the null MX of RFC 7505 (em-050), timeouts, the cache, and bad options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { validateEmail, validateEmailAsync, detectBot, protectSignup } from 'palisade';
import { startDnsServer } from './helpers/dns-server.mjs';

let dns;
before(async () => {
  dns = await startDnsServer(
    {
      'mx.test.': { MX: [[10, 'mail.mx.test.']] },
      'mail.mx.test.': { A: ['192.0.2.10'] },
      // em-050: a null MX beside an A record for the web site.
      'nullmx.test.': { MX: [[0, '.']], A: ['192.0.2.50'] },
      'aonly.test.': { A: ['192.0.2.20'] },
      'txtonly.test.': { TXT: ['v=spf1 -all'] },
      'cached.test.': { MX: [[10, 'mail.mx.test.']] },
      'xn--umlut-ira.test.': { MX: [[5, 'mail.mx.test.']] },
    },
    { drop: ['slow.test.'] },
  );
});
after(() => dns.close());

const opts = () => ({ dns: { nameservers: [dns.address] } });

test('validateEmailAsync: a domain with MX records passes and reports HAS_MX', async () => {
  const v = await validateEmailAsync('jo@mx.test', opts());
  assert.equal(v.valid, true);
  assert.equal(v.mx, 'HAS_MX');
  assert.ok(!v.types.includes('NO_MX_RECORDS'));
});

test('regression_em_050 a null MX means no mail, with no fallback to the A record', async () => {
  const v = await validateEmailAsync('anything@nullmx.test', opts());
  assert.equal(v.mx, 'NULL_MX');
  assert.ok(v.types.includes('NO_MX_RECORDS'), JSON.stringify(v));
});

test('validateEmailAsync: an A record alone is the implicit MX; TXT only or a missing domain is NO_MX_RECORDS', async () => {
  assert.equal((await validateEmailAsync('a@aonly.test', opts())).mx, 'IMPLICIT_MX');
  const txt = await validateEmailAsync('a@txtonly.test', opts());
  assert.equal(txt.mx, 'NO_MX_RECORDS');
  assert.ok(txt.types.includes('NO_MX_RECORDS'));
  const gone = await validateEmailAsync('a@missing.test', opts());
  assert.equal(gone.mx, 'NO_MX_RECORDS');
});

test('validateEmailAsync: an IDN domain is looked up by its punycode name', async () => {
  const v = await validateEmailAsync('jo@umläut.test', opts());
  assert.equal(v.normalized, 'jo@xn--umlut-ira.test');
  assert.equal(v.mx, 'HAS_MX');
});

test('validateEmailAsync: a DNS timeout is reported and never counts against the address', async () => {
  const v = await validateEmailAsync('jo@slow.test', { ...opts(), mxTimeoutMs: 150 });
  assert.equal(v.mx, 'TIMEOUT');
  assert.equal(v.valid, true);
  assert.deepEqual(v.types, []);
});

test('validateEmailAsync: an invalid address makes no lookup', async () => {
  const before = dns.queries.length;
  const v = await validateEmailAsync('not an address', opts());
  assert.equal(v.valid, false);
  assert.equal(v.mx, undefined);
  assert.equal(dns.queries.length, before);
});

test('validateEmailAsync: answers are cached, so a second check asks DNS nothing', async () => {
  await validateEmailAsync('a@cached.test', opts());
  const asked = dns.queries.filter((q) => q.name === 'cached.test.').length;
  assert.ok(asked >= 1);
  assert.equal((await validateEmailAsync('b@cached.test', opts())).mx, 'HAS_MX');
  assert.equal(dns.queries.filter((q) => q.name === 'cached.test.').length, asked);
});

test('the email rule with checkMx makes protect() return a promise and denies a domain without mail', async () => {
  const aj = palisade({ ...opts(), rules: [validateEmail({ mode: 'LIVE', deny: ['INVALID', 'NO_MX_RECORDS'], checkMx: true })] });
  assert.equal(aj.async, true);
  const req = new Request('http://localhost/signup', { method: 'POST', headers: { 'user-agent': 'Mozilla/5.0' } });
  const pending = aj.protect(req, { email: 'jo@nullmx.test' });
  assert.ok(pending instanceof Promise);
  const denied = await pending;
  assert.equal(denied.isDenied(), true);
  assert.equal(denied.reason.mx, 'NULL_MX');
  assert.ok(denied.reason.emailTypes.includes('NO_MX_RECORDS'));
  const ok = await aj.protect(req, { email: 'jo@mx.test' });
  assert.equal(ok.isAllowed(), true, JSON.stringify(ok));
  assert.equal(ok.reason.mx, 'HAS_MX');
});

test('a DNS timeout inside protect() allows the request and says TIMEOUT', async () => {
  const aj = palisade({ ...opts(), rules: [validateEmail({ mode: 'LIVE', deny: ['NO_MX_RECORDS'], checkMx: true, mxTimeoutMs: 150 })] });
  const d = await aj.protect(new Request('http://localhost/'), { email: 'jo@slow.test' });
  assert.equal(d.isAllowed(), true);
  assert.equal(d.reason.mx, 'TIMEOUT');
});

test('without checkMx protect() stays synchronous and makes no lookup', () => {
  const aj = palisade({ ...opts(), rules: [validateEmail({ mode: 'LIVE', deny: ['INVALID'] }), detectBot({ mode: 'LIVE', deny: ['CATEGORY:AI_CRAWLER'] })] });
  assert.equal(aj.async, false);
  const before = dns.queries.length;
  const d = aj.protect(new Request('http://localhost/'), { email: 'jo@nullmx.test' });
  assert.equal(d instanceof Promise, false);
  assert.equal(d.isAllowed(), true);
  assert.equal(dns.queries.length, before);
});

test('protectSignup with checkMx denies a signup whose domain takes no mail', async () => {
  const aj = palisade({
    ...opts(),
    rules: protectSignup({
      email: { mode: 'LIVE', deny: ['INVALID', 'DISPOSABLE', 'NO_MX_RECORDS'], checkMx: true },
      bots: { mode: 'LIVE', allow: [] },
      rateLimit: { mode: 'LIVE', interval: '1m', max: 100 },
    }),
  });
  const req = new Request('http://localhost/signup', { method: 'POST', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' } });
  assert.equal((await aj.protect(req, { email: 'jo@missing.test' })).isDenied(), true);
  assert.equal((await aj.protect(req, { email: 'jo@mx.test' })).isAllowed(), true);
});

test('bad DNS and MX options throw at construction with a code and the key path', () => {
  assert.throws(() => palisade({ dns: { nameservers: ['not-a-server'] }, rules: [] }), (e) => e.code === 'PALISADE_CONFIG_TYPE' && /dns\.nameservers\[0\]/.test(e.message));
  assert.throws(() => palisade({ dns: { servers: [] }, rules: [] }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && /dns\.servers/.test(e.message));
  assert.throws(() => validateEmail({ mode: 'LIVE', deny: ['INVALID'], checkMx: true, mxTimeoutMs: 0 }), (e) => e.code === 'PALISADE_CONFIG_RANGE');
  assert.throws(() => validateEmailAsync('a@b.test', { mxTimeoutMs: 60_000 }), (e) => e.code === 'PALISADE_CONFIG_RANGE' && /mxTimeoutMs/.test(e.message));
  assert.throws(() => validateEmailAsync('a@b.test', { dns: { nameservers: ['1.2.3.4:99999'] } }), (e) => e.code === 'PALISADE_CONFIG_TYPE');
});

test('validateEmailAsync never rejects for hostile addresses', async () => {
  for (const a of ['<'.repeat(50_000), `a@${'.'.repeat(1000)}com`, 'a\u0000@mx.test', '\uD800@mx.test', 'x'.repeat(1 << 20)]) {
    const v = await validateEmailAsync(a, opts());
    assert.equal(v.valid, false);
    assert.deepEqual(v.types, ['INVALID']);
  }
});
