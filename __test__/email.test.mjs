// Email validation through the built package: the direct API, the rule, signup protection, and
// the field cases (em-050, the null MX, runs against a loopback DNS server in the Rust suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { protectSignup, validateEmail, validateEmailAsync } from 'palisade';

test('regression_em_010 a trailing U+FFFD makes the address invalid', () => {
  const v = validateEmail('username@domain.com\uFFFD');
  assert.equal(v.valid, false);
  assert.deepEqual(v.types, ['INVALID']);
  assert.equal(v.reasons.length, 1);
  assert.equal(validateEmail('username@domain.com\uD800').valid, false, 'a lone surrogate arrives as U+FFFD');
});

test('regression_em_020 a single-label domain is invalid unless allowed', () => {
  assert.equal(validateEmail('invalid@email').valid, false);
  assert.deepEqual(validateEmail('invalid@email').reasons, ['MISSING_TLD']);
  assert.equal(validateEmail('invalid@email', { requireTopLevelDomain: false }).valid, true);
});

test('regression_em_030 fifty thousand angle brackets are invalid', () => {
  const v = validateEmail('<'.repeat(50_000));
  assert.equal(v.valid, false);
  for (const s of ['a'.repeat(1 << 20), `a@${'.'.repeat(1000)}com`, '\u0000@x.com', '']) assert.equal(validateEmail(s).valid, false);
});

test('regression_em_040 punycode and Unicode spellings of a domain give the same verdict', () => {
  const a = validateEmail('test@xn--umlut-ira.com');
  const b = validateEmail('test@umläut.com');
  assert.equal(a.valid, true);
  assert.deepEqual(a, b);
  assert.equal(a.normalized, 'test@xn--umlut-ira.com');
});

test('regression_em_060 a subdomain of a disposable domain is disposable', () => {
  assert.ok(validateEmail('user@jzxz.0-mail.com').types.includes('DISPOSABLE'));
  assert.ok(validateEmail('user@0-mail.com').types.includes('DISPOSABLE'));
});

test('free, role and typo suggestions', () => {
  assert.deepEqual(validateEmail('someone@gmail.com').types, ['FREE']);
  assert.ok(validateEmail('admin@example.com').types.includes('ROLE'));
  assert.equal(validateEmail('jo@gmial.com').suggestion, 'jo@gmail.com');
});

test('the email rule reads props.email and denies the listed types', () => {
  const aj = palisade({ rules: [validateEmail({ deny: ['DISPOSABLE', 'INVALID'] })] });
  const req = { method: 'POST', path: '/signup', headers: ['x-forwarded-for', '8.8.8.8'] };
  assert.ok(aj.protect(req, { email: 'someone@example.com' }).isAllowed());
  const d = aj.protect(req, { email: 'x@0-mail.com' });
  assert.ok(d.isDenied() && d.reason.isEmail());
  assert.deepEqual(d.reason.emailTypes, ['DISPOSABLE']);
  assert.ok(aj.protect(req, { email: 'not an address' }).isDenied());
  const missing = aj.protect(req);
  assert.ok(missing.isErrored(), 'forgetting the address is an ERROR decision (fail-open)');
});

test('protectSignup composes email, bots and a rate limit', () => {
  const aj = palisade({
    rules: protectSignup({
      email: { deny: ['DISPOSABLE', 'INVALID'] },
      bots: { deny: ['CATEGORY:HTTP_LIBRARY'] },
      rateLimit: { interval: '10m', max: 2, name: `signup-${process.pid}` },
    }),
  });
  const req = (ua) => ({ method: 'POST', path: '/signup', headers: ['user-agent', ua, 'x-forwarded-for', '9.9.9.9'] });
  const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
  assert.equal(aj.protect(req(chrome), { email: 'x@0-mail.com' }).reason.type, 'EMAIL');
  assert.equal(aj.protect(req('curl/8.0'), { email: 'a@example.com' }).reason.type, 'BOT');
  assert.ok(aj.protect(req(chrome), { email: 'a@example.com' }).isAllowed());
  assert.ok(aj.protect(req(chrome), { email: 'b@example.com' }).isAllowed());
  const limited = aj.protect(req(chrome), { email: 'c@example.com' });
  assert.ok(limited.isDenied() && limited.reason.isRateLimit());
});

test('email options are validated', () => {
  assert.throws(() => validateEmail({ deny: ['SPAM'] }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && e.message.includes('validateEmail.deny[0]'));
  assert.throws(() => validateEmail({}), (e) => e.code === 'PALISADE_CONFIG_MISSING');
  assert.throws(() => validateEmail('a@b.com', { allowQuotes: true }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN');
});

test('validateEmail judges any value as an address: null, numbers and booleans get a verdict, not a configuration error', () => {
  // formData.get('email') gives null for a missing field.
  const none = validateEmail(null);
  assert.equal(none.valid, false);
  assert.deepEqual(none.reasons, ['EMPTY']);
  assert.equal(validateEmail(42).valid, false);
  assert.equal(validateEmail(true).valid, false);
  // An object is still the rule factory's options.
  assert.equal(validateEmail({ deny: ['DISPOSABLE'] }).type, 'EMAIL');
});

test('validateEmail gives the same verdicts as validateEmailAsync, key for key, on every path', async () => {
  // validateEmail unpacks a number from a hand-registered N-API function; validateEmailAsync still
  // returns a napi-rs object. A closed loopback port makes the MX part fail fast and add no type.
  const long = `${'a'.repeat(60)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`;
  const addresses = [
    'jane.doe@example.com', 'Jane.Doe+news@Example.COM', 'jo@gmial.com', 'Jo@GMIAL.com', 'admin@gmail.com',
    'x@jzxz.0-mail.com', 'josé@bücher.de', 'почта@пример.рф', 'test@xn--umlut-ira.com', 'user@[192.0.2.1]',
    '"john doe"@example.com', 'invalid@email', '', '@', 'a@b', 'a\uD800@example.com', '😆@example.com',
    long, `${long}x`, 'é'.repeat(200) + '@example.com', 'a'.repeat(300), `${'a'.repeat(254)}\uD83D\uDE00`,
  ];
  const optionSets = [undefined, { requireTopLevelDomain: false, allowDomainLiteral: true, allowQuoted: true }, { allowUtf8LocalPart: false }];
  for (const options of optionSets) {
    for (const a of addresses) {
      const sync = validateEmail(a, options);
      const { mx, ...async } = await validateEmailAsync(a, { ...options, dns: { nameservers: ['127.0.0.1:9'] }, mxTimeoutMs: 200 });
      if (a.includes('@[') && mx === 'NO_MX_RECORDS') {
        // The MX check does not look inside a domain literal; that type comes from it, not from
        // the verdict compared here.
        async.types = async.types.filter((t) => t !== 'NO_MX_RECORDS');
      } else {
        assert.ok(mx === undefined || mx === 'TIMEOUT' || mx === 'UNAVAILABLE', `${a}: ${mx}`);
      }
      assert.deepEqual(sync, async, `${JSON.stringify(a)} ${JSON.stringify(options)}`);
      assert.deepEqual(Object.keys(sync), Object.keys(async), JSON.stringify(a));
    }
  }
});

test('validateEmail verdicts share no arrays, and bad options still throw with a code', () => {
  const a = validateEmail('admin@gmail.com');
  a.types.push('INVALID');
  assert.deepEqual(validateEmail('admin@gmail.com').types, ['FREE', 'ROLE']);
  assert.throws(() => validateEmail('a@b.com', { allowQuoted: 'yes' }), (e) => e.code?.startsWith('PALISADE_CONFIG'));
  assert.throws(() => validateEmail('a@b.com', { nope: true }), (e) => e.code?.startsWith('PALISADE_CONFIG'));
});
