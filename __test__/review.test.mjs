// Regressions found by a fresh-user review: each names the fault it keeps fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import palisade, { fixedWindow, slidingWindow, tokenBucket, ManualClock, PalisadeError, rateLimiter } from 'palisade';

const require = createRequire(import.meta.url);
const req = (ip) => ({ method: 'GET', path: '/', headers: ['x-forwarded-for', ip] });

test('regression_dry_run_never_uses_up_a_live_allowance', () => {
  const name = `dry-live-${process.pid}`;
  const live = palisade({ rules: [fixedWindow({ window: '1m', max: 2, name })] });
  const dry = palisade({ rules: [fixedWindow({ window: '1m', max: 2, name, mode: 'DRY_RUN' })] });
  for (let i = 0; i < 3; i++) dry.protect(req('8.8.8.8'));
  assert.ok(live.protect(req('8.8.8.8')).isAllowed());
});

test('regression_manual_clocks_never_share_counters_with_the_system_clock', () => {
  const name = `clock-${process.pid}`;
  const future = palisade({ clock: new ManualClock(Date.now() + 10 * 365 * 86_400_000), rules: [fixedWindow({ window: '1m', max: 2, name })] });
  future.protect(req('8.8.8.8'));
  future.protect(req('8.8.8.8'));
  const real = palisade({ rules: [fixedWindow({ window: '1m', max: 2, name })] });
  const d = real.protect(req('8.8.8.8'));
  assert.ok(d.isAllowed());
  assert.ok(d.reason.reset <= 60);
});

test('regression_requested_above_the_limit_gets_a_bounded_reset', () => {
  for (const rule of [fixedWindow({ window: '1m', max: 3 }), slidingWindow({ interval: '1m', max: 3 }), tokenBucket({ refillRate: 1, interval: 10, capacity: 3 })]) {
    const d = palisade({ rules: [rule] }).protect(req('9.9.9.9'), { requested: 4 });
    assert.ok(d.isDenied());
    assert.ok(d.reason.reset >= 1 && d.reason.reset <= 120, `reset ${d.reason.reset}`);
  }
});

test('regression_padding_header_lines_cannot_hide_the_proxy_hop', () => {
  const aj = palisade({ proxies: ['10.0.0.0/8'], rules: [] });
  const headers = ['x-forwarded-for', '1.2.3.4'];
  for (let i = 0; i < 1500; i++) headers.push('x-junk', String(i));
  headers.push('x-forwarded-for', '8.8.8.8');
  assert.equal(aj.protect({ method: 'GET', path: '/', headers, peer: '10.0.0.1' }).ip.address, '8.8.8.8');
});

test('regression_props_names_are_not_characteristics', () => {
  for (const c of ['email', 'requested']) {
    assert.throws(() => fixedWindow({ window: 60, max: 5, characteristics: [c] }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && e.message.includes(c));
  }
});

test('regression_every_options_error_is_a_PalisadeError_with_a_code', () => {
  const cases = [
    [() => tokenBucket({ refillRate: 1, interval: 60, capacity: NaN }), 'PALISADE_CONFIG_TYPE', 'NaN'],
    [() => tokenBucket({ refillRate: 1, interval: 60, capacity: Infinity }), 'PALISADE_CONFIG_TYPE', 'Infinity'],
    [() => tokenBucket({ refillRate: 1, interval: 60, capacity: 10n }), 'PALISADE_CONFIG_TYPE', '10n'],
    [() => tokenBucket('x'), 'PALISADE_CONFIG_TYPE', 'tokenBucket()'],
    [() => fixedWindow({ window: 60, max: -1 }), 'PALISADE_CONFIG_RANGE', 'fixedWindow.max'],
    [() => palisade({ rules: [], clock: {} }), 'PALISADE_CONFIG_TYPE', 'clock'],
    [() => rateLimiter(fixedWindow({ window: 60, max: 1 }), 5), 'PALISADE_CONFIG_TYPE', 'rateLimiter.clock'],
    [() => palisade({}), 'PALISADE_CONFIG_MISSING', 'rules'],
  ];
  const circular = { window: 60, max: 1 };
  circular.self = circular;
  cases.push([() => fixedWindow(circular), 'PALISADE_CONFIG_TYPE', 'fixedWindow']);
  for (const [fn, code, fragment] of cases) {
    assert.throws(fn, (e) => {
      assert.ok(e instanceof PalisadeError, `${e.name}: ${e.message}`);
      assert.equal(e.code, code, e.message);
      assert.ok(e.message.includes(fragment), e.message);
      return true;
    });
  }
});

test('regression_request_facts_of_any_type_give_a_verdict', () => {
  const aj = palisade({ rules: [] });
  const evil = { toString() { throw new Error('boom'); } };
  for (const facts of [{ path: '/', headers: [], peer: 1234 }, { path: '/', headers: [], method: 5, query: 5 }, { path: '/', headers: ['x', evil] }]) {
    assert.ok(['ALLOW', 'DENY'].includes(aj.protect(facts).conclusion));
  }
});

test('regression_rateLimiter_check_validates_requested', () => {
  const rl = rateLimiter(fixedWindow({ window: 60, max: 5, name: `rq-${process.pid}` }));
  for (const bad of [NaN, 1.5, Infinity, null, -1, '2']) {
    assert.throws(() => rl.check('k', bad), (e) => e.code === 'PALISADE_INVALID_PROPS', String(bad));
  }
  assert.equal(rl.check('k', 2).remaining, 3);
});

test('regression_rate_limit_headers_on_an_immutable_response', async () => {
  const { withPalisade } = require('palisade/next');
  const aj = palisade({ rules: [fixedWindow({ window: 60, max: 5, name: `imm-${process.pid}` })] });
  const handler = withPalisade(aj, () => Response.redirect('http://example.test/next', 302), { rateLimitHeaders: true });
  const res = await handler(new Request('http://example.test/', { headers: { 'x-forwarded-for': '8.8.8.8' } }), {});
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), 'http://example.test/next');
  assert.match(res.headers.get('ratelimit'), /^"palisade";r=4;t=60$/);
});

test('misuse gets a PalisadeError naming the key, not a raw TypeError or a silently ignored option', async () => {
  const { default: palisade, validateEmail, detectAttacks, fixedWindow, protectSignup, tokenBucket } = await import('palisade');
  const code = (c, part) => (e) => e.code === c && (part === undefined || e.message.includes(part));
  // Rule-only options passed to the direct functions would do nothing there.
  assert.throws(() => validateEmail('a@b.com', { checkMx: true }), code('PALISADE_CONFIG_UNKNOWN', 'validateEmail(address, options).checkMx'));
  assert.throws(() => detectAttacks({ url: '/' }, { threshold: 3 }), code('PALISADE_CONFIG_UNKNOWN', 'detectAttacks(input, options).threshold'));
  assert.equal(validateEmail('a@b.com', { allowQuoted: true }).valid, true);
  const aj = palisade({ rules: [tokenBucket({ refillRate: 1, interval: 1, capacity: 5 })] });
  const facts = { method: 'GET', path: '/', headers: [], peer: '192.0.2.1' };
  assert.throws(() => aj.protect(facts, 'user-1'), code('PALISADE_INVALID_PROPS', '"user-1"'));
  assert.throws(() => aj.protect(facts, { userId: { toString() { throw new Error('boom'); } } }), code('PALISADE_INVALID_PROPS', 'props.userId'));
  assert.throws(() => aj.protect(facts, { requested: '1' }), code('PALISADE_INVALID_PROPS', 'got "1"'));
  assert.equal(aj.protect(facts, { userId: 42, beta: true }).conclusion, 'ALLOW');
  assert.throws(() => aj.protect({ url: '/x', headers: { forEach() { throw new Error('nope'); } } }), code('PALISADE_INVALID_REQUEST', 'nope'));
  assert.throws(() => fixedWindow({ window: '60', max: 1 }), code('PALISADE_CONFIG_INTERVAL', '"60s"'));
  assert.throws(() => fixedWindow({ max: 1 }), code('PALISADE_CONFIG_MISSING', 'fixedWindow.window'));
  assert.throws(() => fixedWindow({ max: 1 }), (e) => e.message.includes('"1m"'));
  assert.throws(() => protectSignup({}), code('PALISADE_CONFIG_MISSING', 'protectSignup.email'));
  assert.throws(() => protectSignup({ email: {}, bots: 'x', rateLimit: {} }), code('PALISADE_CONFIG_TYPE', 'protectSignup.bots'));
});

test('detectAttacks reads headers from Headers, a Map or pairs, an object body as JSON, and names a missing url', async () => {
  const { detectAttacks, PalisadeError } = await import('palisade');
  const sqli = "1' OR 1=1--";
  for (const headers of [new Headers({ 'x-a': sqli }), new Map([['x-a', sqli]]), [['x-a', sqli]], ['x-a', sqli], { 'x-a': sqli }]) {
    const r = detectAttacks({ url: '/', headers });
    assert.ok(r.findings.some((f) => f.location === 'header.x-a'), `${headers.constructor.name}: ${JSON.stringify(r)}`);
  }
  assert.throws(() => detectAttacks({ url: '/', headers: 'x-a: 1' }), (e) => e instanceof PalisadeError && e.code === 'PALISADE_INVALID_REQUEST');
  const obj = detectAttacks({ url: '/', body: { q: sqli }, contentType: 'application/json' });
  assert.equal(obj.body, 'PARSED');
  assert.ok(obj.findings.some((f) => f.location === 'body.q'), JSON.stringify(obj));
  for (const input of [{}, { url: 42 }]) assert.throws(() => detectAttacks(input), (e) => e.code === 'PALISADE_INVALID_REQUEST' && e.message.includes('input.url'));
  const getter = { get url() { throw new Error('no url'); } };
  assert.throws(() => detectAttacks(getter), (e) => e.code === 'PALISADE_INVALID_REQUEST' && e.message.includes('no url'));
});

test('protect(): paired facts headers are read, a throwing getter is PALISADE_INVALID_REQUEST, and an async instance rejects instead of throwing', async () => {
  const { default: palisade, shield } = await import('palisade');
  const aj = palisade({ rules: [shield({ threshold: 0 })] });
  const d = await aj.protect({ method: 'GET', path: '/', headers: [['cookie', "id=1' OR 1=1--"]], peer: '203.0.113.7' });
  assert.equal(d.conclusion, 'DENY');
  assert.ok(d.reason.findings.some((f) => f.location === 'cookie.id'));
  const p = aj.protect(null);
  assert.ok(p instanceof Promise, 'a promise, not a throw');
  await assert.rejects(p, (e) => e.code === 'PALISADE_INVALID_REQUEST');
  await assert.rejects(aj.protect({ method: 'GET', path: '/', headers: [] }, 'x'), (e) => e.code === 'PALISADE_INVALID_PROPS');
  const getter = { headers: new Headers(), get url() { throw new Error('gone'); } };
  await assert.rejects(aj.protect(getter), (e) => e.code === 'PALISADE_INVALID_REQUEST' && e.message.includes('gone'));
});

test('validateEmail(undefined, options) and validateEmailAsync(null) judge the empty address; checkMx on the sync call points to validateEmailAsync', async () => {
  const { validateEmail, validateEmailAsync } = await import('palisade');
  assert.deepEqual(validateEmail(undefined, {}).reasons, ['EMPTY']);
  assert.deepEqual(validateEmail(null).reasons, ['EMPTY']);
  const a = await validateEmailAsync(null, { dns: { nameservers: ['127.0.0.1:9'] }, mxTimeoutMs: 200 });
  assert.deepEqual(a.reasons, ['EMPTY']);
  assert.throws(() => validateEmail('a@b.com', { checkMx: true }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && e.message.includes('validateEmailAsync'));
});

test('a factory refuses a `type` or `algorithm` key instead of overwriting it, and unknown-key messages list only the keys a user writes', async () => {
  const { detectBot, shield } = await import('palisade');
  for (const [make, name, key, value] of [
    [slidingWindow, 'slidingWindow', 'type', 'BOT'],
    [fixedWindow, 'fixedWindow', 'algorithm', 'TOKEN_BUCKET'],
    [detectBot, 'detectBot', 'type', 'SHIELD'],
    [shield, 'shield', 'type', 'BOT'],
  ]) {
    assert.throws(
      () => make({ interval: '1m', window: '1m', max: 5, [key]: value }),
      (e) => e instanceof PalisadeError && e.code === 'PALISADE_CONFIG_UNKNOWN' && e.message.includes(`\`${name}.${key}\``) && e.message.includes(JSON.stringify(value)),
      name,
    );
  }
  assert.throws(
    () => slidingWindow({ interval: '1m', max: 5, bogus: 1 }),
    (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && /one of the keys mode, characteristics, maxKeys, name, interval, max$/.test(e.message),
  );
});

test('detectAttacks reads bytes in every form and a URLSearchParams form, and refuses bodies it cannot see instead of inspecting "{}"', async () => {
  const { detectAttacks } = await import('palisade');
  const attack = 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E';
  const form = { url: '/f', method: 'POST', contentType: 'application/x-www-form-urlencoded' };
  const bytes = new TextEncoder().encode(attack);
  for (const body of [bytes, bytes.buffer, new DataView(bytes.buffer), Buffer.from(attack), new URLSearchParams({ q: '<script>alert(1)</script>' })]) {
    const r = detectAttacks({ ...form, body });
    assert.ok(r.findings.some((f) => f.family === 'xss' && f.location === 'body.q'), `${Object.prototype.toString.call(body)}: ${JSON.stringify(r)}`);
  }
  // A parsed JSON value, whatever its type, is inspected as its JSON.
  assert.equal(detectAttacks({ url: '/j', method: 'POST', contentType: 'application/json', body: 42 }).attack, false);
  for (const body of [new Blob([attack]), new FormData(), new ReadableStream(), new Map([['q', '<script>']]), new Set(['x'])]) {
    assert.throws(() => detectAttacks({ ...form, body }), (e) => e.code === 'PALISADE_INVALID_REQUEST' && /input\.body: got a \w+/.test(e.message), Object.prototype.toString.call(body));
  }
});

test('a rateLimiter key must be a string: objects and numbers no longer collide with other keys', () => {
  const rl = rateLimiter(fixedWindow({ window: '1m', max: 1, name: `keys-${process.pid}` }));
  for (const key of [{ id: 1 }, 5, null, undefined, Symbol('k')]) {
    assert.throws(() => rl.check(key), (e) => e instanceof PalisadeError && e.code === 'PALISADE_INVALID_ARGUMENT' && /RateLimiter\.check\(\) key/.test(e.message));
    assert.throws(() => rl.allow(key), (e) => e.code === 'PALISADE_INVALID_ARGUMENT' && /RateLimiter\.allow\(\) key/.test(e.message));
  }
  assert.equal(rl.allow('5'), true);
  assert.equal(rl.allow('[object Object]'), true, 'no object was counted under its String()');
});

test('a non-finite number as a prop throws instead of making every failed parse one client "NaN"', () => {
  const aj = palisade({ rules: [fixedWindow({ window: '1m', max: 1, characteristics: ['userId'], name: `nan-${process.pid}` })] });
  for (const userId of [NaN, Infinity, -Infinity]) {
    assert.throws(() => aj.protect(req('8.8.8.8'), { userId }), (e) => e.code === 'PALISADE_INVALID_PROPS' && e.message.includes(`props.userId: got ${userId}`));
  }
  assert.equal(aj.protect(req('8.8.8.8'), { userId: 0 }).isAllowed(), true);
});

test('validateEmail judges bytes as a UTF-8 address and undefined as the empty address; only no argument at all asks for a rule', async () => {
  const { validateEmail } = await import('palisade');
  const v = validateEmail(Buffer.from('Ann@Example.com'));
  assert.equal(v.valid, true);
  assert.equal(v.normalized, 'Ann@example.com');
  assert.equal(validateEmail(new TextEncoder().encode('not-an-address')).valid, false);
  const empty = validateEmail(undefined);
  assert.equal(empty.valid, false);
  assert.ok(empty.reasons.length > 0);
  assert.throws(() => validateEmail(), (e) => e.code === 'PALISADE_CONFIG_TYPE');
});

test('denial() and rateLimitHeaders() name what they got instead of a bare TypeError', async () => {
  const { denial, rateLimitHeaders } = await import('palisade');
  const pending = Promise.resolve();
  for (const [fn, name] of [[denial, 'denial'], [rateLimitHeaders, 'rateLimitHeaders']]) {
    for (const [arg, got] of [[undefined, 'undefined'], [null, 'null'], [{}, 'object'], [pending, 'a Promise']]) {
      assert.throws(() => fn(arg), (e) => e instanceof PalisadeError && e.code === 'PALISADE_INVALID_ARGUMENT' && e.message.startsWith(`${name}(): got ${got}`), `${name}(${got})`);
    }
  }
  const aj = palisade({ rules: [fixedWindow({ window: '1m', max: 1, name: `helpers-${process.pid}` })] });
  assert.equal(rateLimitHeaders(aj.protect(req('9.9.9.9'))).RateLimit, '"palisade";r=0;t=60');
  assert.equal(denial(aj.protect(req('9.9.9.9'))).status, 429);
});

test('ManualClock refuses NaN, infinite and negative times instead of silently standing still', () => {
  for (const bad of [NaN, Infinity, -1, '5', null]) assert.throws(() => new ManualClock(bad), (e) => e instanceof PalisadeError && /^PALISADE_CONFIG_(TYPE|RANGE)$/.test(e.code) && e.message.includes('ManualClock(startMs)'));
  assert.throws(() => new ManualClock(Number.MAX_SAFE_INTEGER).advance(1e15), (e) => e instanceof PalisadeError && e.code === 'PALISADE_CONFIG_RANGE');
  const clock = new ManualClock(1_000);
  for (const bad of [NaN, -1000, Infinity]) {
    assert.throws(() => clock.advance(bad), (e) => /^PALISADE_CONFIG_(TYPE|RANGE)$/.test(e.code) && e.message.includes('advance(ms)'));
    assert.throws(() => clock.set(bad), (e) => /^PALISADE_CONFIG_(TYPE|RANGE)$/.test(e.code));
  }
  assert.equal(clock.now(), 1_000);
  clock.advance(1.9);
  assert.equal(clock.now(), 1_001, 'fractions of a millisecond are dropped');
});

test('custom bot patterns that match every visitor, and over-long ids or rule names, fail at construction', async () => {
  const { detectBot, shield } = await import('palisade');
  for (const pattern of ['', '.*', 'mozilla']) {
    assert.throws(() => detectBot({ deny: [], custom: [{ id: 'ALL', pattern, category: 'MONITOR' }] }), (e) => e.code === 'PALISADE_CONFIG_PATTERN' && e.message.includes('custom[0].pattern') && /every visitor/.test(e.message));
  }
  assert.throws(() => detectBot({ deny: [], custom: [{ id: 'B'.repeat(100_000), pattern: 'acme', category: 'MONITOR' }] }), (e) => e.code === 'PALISADE_CONFIG_TYPE' && e.message.includes('100000 bytes'));
  assert.throws(() => fixedWindow({ window: '1m', max: 1, name: 'n'.repeat(1 << 20) }), (e) => e.code === 'PALISADE_CONFIG_RANGE' && /name/.test(e.message) && /256 bytes/.test(e.message));
  assert.throws(() => shield({ name: 'n'.repeat(257) }), (e) => e.code === 'PALISADE_CONFIG_RANGE');
});

test('option messages say "an array" for an array and list `clock` among palisade()\'s keys', () => {
  assert.throws(() => fixedWindow([]), (e) => e.code === 'PALISADE_CONFIG_TYPE' && /got an array/.test(e.message));
  assert.throws(() => palisade({ rules: [], clok: 1 }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && /\bclock\b/.test(e.message));
});

test('palisade-next names a bad port as given and a missing app directory plainly', () => {
  const { spawnSync } = require('node:child_process');
  const bin = require.resolve('palisade/package.json').replace(/package\.json$/, 'dist/bin/palisade-next.js');
  const port = spawnSync(process.execPath, [bin, 'start', '-p', 'abc'], { encoding: 'utf8' });
  assert.equal(port.status, 2);
  assert.match(port.stderr, /invalid port "abc"/);
  for (const [args, said] of [[['start', '-p'], /-p needs a port number/], [['start', '-x'], /unknown option "-x"/], [['dev'], /unknown command "dev"/], [['start', 'a', 'b'], /one app directory only/]]) {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, said);
  }
  const dir = spawnSync(process.execPath, [bin, 'start', '/nonexistent-palisade-app', '-p', '0'], { encoding: 'utf8' });
  assert.equal(dir.status, 1);
  assert.match(dir.stderr, /\/nonexistent-palisade-app is not a directory/);
});

test('detectAttacks inspects a parsed JSON body nested too deep for JSON.stringify, and refuses values no client could send', async () => {
  const { detectAttacks } = await import('palisade');
  let deep = ['end'];
  for (let i = 0; i < 20_000; i++) deep = [deep];
  const r = detectAttacks({ url: '/api', method: 'POST', contentType: 'application/json', body: { q: '<script>alert(1)</script>', pad: deep } });
  assert.ok(r.findings.some((f) => f.family === 'xss' && f.location === 'body.q'), JSON.stringify(r));
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  for (const body of [cyclic, { n: 1n }, new Request('http://x/'), new Response('x')]) {
    assert.throws(() => detectAttacks({ url: '/api', method: 'POST', contentType: 'application/json', body }), (e) => e instanceof PalisadeError && e.code === 'PALISADE_INVALID_REQUEST');
  }
});

test('the Next.js helpers check their arguments when they are set up, not on the first request', async () => {
  const { withPalisade, createMiddleware, withPalisadeConfig } = await import('palisade/next');
  const aj = palisade({ rules: [fixedWindow({ window: '1m', max: 5, name: `next-${process.pid}` })] });
  const h = () => new Response('ok');
  const coded = (code, re) => (e) => e instanceof PalisadeError && e.code === code && re.test(e.message);
  assert.throws(() => withPalisade(undefined, h), coded('PALISADE_CONFIG_TYPE', /palisade instance/));
  assert.throws(() => createMiddleware(undefined), coded('PALISADE_CONFIG_TYPE', /palisade instance/));
  assert.throws(() => withPalisade(aj, undefined), coded('PALISADE_CONFIG_TYPE', /route handler function/));
  assert.throws(() => withPalisade(aj, h, { props: { userId: '1' } }), coded('PALISADE_CONFIG_TYPE', /options\.props/));
  assert.throws(() => withPalisade(aj, h, { rateLimitHeader: true }), coded('PALISADE_CONFIG_UNKNOWN', /rateLimitHeader/));
  // A handler that returns no Response is passed on as it is, for Next.js to report.
  const odd = withPalisade(aj, () => undefined, { rateLimitHeaders: true });
  assert.equal(await odd(new Request('http://localhost/x', { headers: { 'x-forwarded-for': '8.8.4.4' } }), {}), undefined);
  // Config: a function config is wrapped; a string list and a Promise are refused.
  const fn = withPalisadeConfig(async () => ({ serverExternalPackages: ['sharp'] }));
  assert.deepEqual((await fn('phase-production-build', {})).serverExternalPackages, ['sharp', 'palisade']);
  assert.throws(() => withPalisadeConfig({ serverExternalPackages: 'foo' }), coded('PALISADE_CONFIG_TYPE', /serverExternalPackages/));
  assert.throws(() => withPalisadeConfig(Promise.resolve({})), coded('PALISADE_CONFIG_TYPE', /a Promise/));
});

test('request facts take headers in every form detectAttacks takes, say which field is wrong, and drop a leading ? from the query', async () => {
  // One request per key: if a form of headers were not read, every request would share the
  // empty key and the second form's first request would already be denied.
  const aj = palisade({ rules: [fixedWindow({ window: '1m', max: 1, characteristics: ['http.request.headers["x-key"]'], name: `facts-${process.pid}` })] });
  const forms = [(k) => ({ 'x-key': k }), (k) => new Headers({ 'x-key': k }), (k) => new Map([['x-key', k]]), (k) => [['x-key', k]], (k) => ['x-key', k]];
  forms.forEach((form, i) => {
    const facts = () => ({ method: 'GET', path: '/', headers: form(`k${i}`), peer: '8.8.8.8' });
    assert.equal(aj.protect(facts()).isAllowed(), true, `form ${i}: first request`);
    assert.equal(aj.protect(facts()).isDenied(), true, `form ${i}: second request with the same key`);
  });
  const { shield } = await import('palisade');
  const guard = palisade({ rules: [shield({ threshold: 0 })] });
  const d = await guard.protect({ method: 'GET', path: '/', query: '?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', headers: [], peer: '8.8.8.8' });
  assert.ok(d.reason.findings.some((f) => f.location === 'query.q'), JSON.stringify(d.reason.findings));
  assert.throws(() => aj.protect({ method: 'GET', path: 5, headers: [] }), (e) => e.code === 'PALISADE_INVALID_REQUEST' && /request\.path: got number/.test(e.message));
  assert.throws(() => aj.protect({ method: 'GET', headers: [] }), (e) => e.code === 'PALISADE_INVALID_REQUEST' && /request\.path: got undefined/.test(e.message));
});

test('isBot and classifyBot read bytes as UTF-8, rateLimiter names a rule of the wrong kind, and detectAttacks takes a URL object', async () => {
  const { isBot, classifyBot, shield, detectAttacks } = await import('palisade');
  assert.equal(isBot(Buffer.from('curl/8.4.0')), true);
  assert.equal(isBot(new TextEncoder().encode('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')), false);
  assert.deepEqual(classifyBot(Buffer.from('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')).ids, ['GOOGLE_CRAWLER']);
  assert.throws(() => rateLimiter(shield()), (e) => e instanceof PalisadeError && e.code === 'PALISADE_CONFIG_TYPE' && /got a SHIELD rule/.test(e.message));
  assert.throws(() => rateLimiter(undefined), (e) => e.code === 'PALISADE_CONFIG_TYPE' && /got undefined/.test(e.message));
  const r = detectAttacks({ url: new URL('http://shop.example/items?id=1%27%20OR%201%3D1--') });
  assert.ok(r.findings.some((f) => f.family === 'sqli' && f.location === 'query.id'), JSON.stringify(r));
});
