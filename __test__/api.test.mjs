// The built package as a user imports it: options errors, decisions, time, field cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { fixedWindow, slidingWindow, tokenBucket, ManualClock, rateLimiter, denial, rateLimitHeaders } from 'palisade';

let n = 0;
/** Each test gets its own limits: identical limits share counters process-wide by design. */
const uniq = () => `t${++n}-${process.pid}`;
const req = (xff, extra = []) => ({ method: 'GET', path: '/', headers: xff === undefined ? extra : ['x-forwarded-for', xff, ...extra] });

function assertConfigError(fn, code, ...fragments) {
  assert.throws(fn, (err) => {
    assert.equal(err.code, code, err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `${err.message} should mention ${f}`);
    return true;
  });
}

test('bad options throw at construction with a stable code naming key, value and limit', () => {
  assertConfigError(() => tokenBucket({ refillRate: 1, interval: 60, capacity: -1 }), 'PALISADE_CONFIG_RANGE', 'tokenBucket.capacity', '-1', '134217727');
  assertConfigError(() => fixedWindow({ window: '10 parsecs', max: 5 }), 'PALISADE_CONFIG_INTERVAL', 'fixedWindow.window', '10 parsecs', '1h30m');
  assertConfigError(() => slidingWindow({ interval: 60, max: 5, characteristics: ['ip.dst'] }), 'PALISADE_CONFIG_UNKNOWN', 'slidingWindow.characteristics[0]', 'ip.dst');
  assertConfigError(() => palisade({ rules: [], proxies: ['10.0.0.0/33'] }), 'PALISADE_CONFIG_CIDR', 'proxies[0]', '10.0.0.0/33');
  assertConfigError(() => palisade({ rules: [], platfrom: 'vercel' }), 'PALISADE_CONFIG_UNKNOWN', 'platfrom');
  assertConfigError(() => palisade({ rules: [], platform: 'heroku' }), 'PALISADE_CONFIG_UNKNOWN', 'platform', 'heroku', 'cloudflare');
  assertConfigError(() => palisade({ rules: [{ type: 'RATE_LIMIT', algorithm: 'FIXED_WINDOW', window: 60, max: '5' }] }), 'PALISADE_CONFIG_TYPE', 'rules[0].max');
  assertConfigError(() => palisade({ rules: [{ type: 'NOPE' }] }), 'PALISADE_CONFIG_UNKNOWN', 'rules[0].type');
  assertConfigError(() => palisade({ rules: [{ type: 'RATE_LIMIT', algorithm: 'FIXED_WINDOW', window: 60 }] }), 'PALISADE_CONFIG_MISSING', 'rules[0].max');
  assertConfigError(() => palisade({ rules: 'x' }), 'PALISADE_CONFIG_TYPE', 'rules');
  assertConfigError(() => palisade({ rules: [], ipv6Prefix: 8 }), 'PALISADE_CONFIG_RANGE', 'ipv6Prefix', '16 to 128');
  assertConfigError(() => palisade(null), 'PALISADE_CONFIG_TYPE');
  assertConfigError(() => tokenBucket({ refillRate: 1, interval: 60, capacity: 5, mode: 'live' }), 'PALISADE_CONFIG_UNKNOWN', 'tokenBucket.mode', 'DRY_RUN');
});

test('a rate limit denies past its limit and resets when the manual clock moves', () => {
  const clock = new ManualClock(1_000_000);
  const aj = palisade({ rules: [fixedWindow({ window: '1m', max: 2, name: uniq() })], clock });
  const r = req('8.8.8.8');
  assert.ok(aj.protect(r).isAllowed());
  assert.ok(aj.protect(r).isAllowed());
  const d = aj.protect(r);
  assert.ok(d.isDenied());
  assert.ok(d.reason.isRateLimit());
  assert.deepEqual([d.reason.max, d.reason.remaining, d.reason.reset, d.reason.window], [2, 0, 60, 60]);
  assert.equal(d.ip.address, '8.8.8.8');
  clock.advance(59_000);
  assert.equal(aj.protect(r).reason.reset, 1);
  clock.advance(1_000);
  assert.ok(aj.protect(r).isAllowed());
});

test('token bucket refills by step under the manual clock', () => {
  const clock = new ManualClock(0);
  const aj = palisade({ rules: [tokenBucket({ refillRate: 1, interval: 10, capacity: 3, name: uniq() })], clock });
  const r = req('8.8.8.8');
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push(aj.protect(r).conclusion);
  assert.deepEqual(seen, ['ALLOW', 'ALLOW', 'ALLOW', 'DENY']);
  clock.advance(10_000);
  assert.equal(aj.protect(r).conclusion, 'ALLOW');
  assert.equal(aj.protect(r).conclusion, 'DENY');
});

test('regression_rl_030 an oversized request is denied and leaves the bucket as it was', () => {
  const clock = new ManualClock(0);
  const aj = palisade({ rules: [tokenBucket({ refillRate: 1, interval: '1h', capacity: 10, name: uniq() })], clock });
  const r = req('8.8.8.8');
  assert.equal(aj.protect(r, { requested: 8 }).reason.remaining, 2);
  const d = aj.protect(r, { requested: 5 });
  assert.ok(d.isDenied());
  assert.equal(d.reason.remaining, 2);
  assert.ok(aj.protect(r, { requested: 11 }).isDenied());
  assert.equal(aj.protect(r, { requested: 2 }).reason.remaining, 0);
});

test('regression_rl_010 IPv6 clients inside one /56 share a limit', () => {
  const aj = palisade({ rules: [fixedWindow({ window: 60, max: 1, name: uniq() })] });
  assert.ok(aj.protect(req('2001:db8:1234:5601::1')).isAllowed());
  assert.ok(aj.protect(req('2001:db8:1234:56ff::2')).isDenied());
  const wide = palisade({ ipv6Prefix: 128, rules: [fixedWindow({ window: 60, max: 1, name: uniq() })] });
  assert.ok(wide.protect(req('2001:db8:1234:5601::1')).isAllowed());
  assert.ok(wide.protect(req('2001:db8:1234:56ff::2')).isAllowed());
});

test('regression_rl_020 mapped addresses key by value, NAT64 by prefix', () => {
  const aj = palisade({ rules: [fixedWindow({ window: 60, max: 1, name: uniq() })] });
  assert.ok(aj.protect(req('::ffff:1.2.3.4')).isAllowed());
  const d = aj.protect(req('::ffff:102:304'));
  assert.ok(d.isDenied(), 'the hex spelling is the same client');
  assert.equal(d.ip.address, '1.2.3.4');
  assert.ok(aj.protect(req('::ffff:192.0.2.1')).isAllowed());
  assert.ok(aj.protect(req('::ffff:198.51.100.7')).isAllowed(), 'two mapped clients are two keys');
  assert.equal(aj.protect(req('64:ff9b::1.2.3.4')).ip.address, '64:ff9b::102:304');
});

test('regression_ip_010 to ip_040 client address from forwarding headers', () => {
  const aj = palisade({ rules: [] });
  const ip = (headers, peer) => aj.protect({ method: 'GET', path: '/', headers, peer }).ip.address;
  for (const tail of ['', ', unknown', ', 127.0.0.1']) {
    assert.equal(ip(['X-Forwarded-For', `1.1.1.1, 2.2.2.2, 3.3.3.3${tail}`]), '3.3.3.3');
  }
  assert.equal(ip(['X-Forwarded-For', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2, 3.3.3.3']), '3.3.3.3');
  assert.equal(ip(['Forwarded', 'for=1.1.1.1;proto=http;by=2.2.2.2']), '1.1.1.1');
  assert.equal(ip(['Forwarded', 'for="[2606:4700::1111]:4711"']), '2606:4700::1111');
  assert.equal(ip(['Forwarded', 'for=1.1.1.1, for=3.3.3.3']), '3.3.3.3');
  assert.equal(ip([], '1.2.3.4:5678'), '1.2.3.4');
  assert.equal(ip([], '2001:db8::1'), '2001:db8::1');
  assert.equal(ip([], '::1'), '::1');
  assert.equal(ip([], '[2001:db8::1]:5678'), '2001:db8::1');
  assert.equal(ip(['X-Forwarded-For', '1.1.1.1'], '9.9.9.9'), '9.9.9.9', 'no trusted proxy: the peer, not the header');
});

test('regression_ip_050 an unknown client follows the declared policy, never a shared "undefined" key', () => {
  const facts = { method: 'GET', path: '/', headers: [] };
  const shared = palisade({ rules: [fixedWindow({ window: 60, max: 1, name: uniq() })] });
  const d1 = shared.protect(facts);
  assert.equal(d1.ip.address, undefined);
  assert.equal(d1.ip.source, 'unknown');
  assert.ok(d1.isAllowed());
  assert.ok(shared.protect(facts).isDenied(), 'SHARED: all unknown clients share one explicit key');
  assert.ok(shared.protect(req('8.8.8.8')).isAllowed(), 'a known client is not in that key');
  const deny = palisade({ unknownClient: 'DENY', rules: [fixedWindow({ window: 60, max: 100, name: uniq() })] });
  const d2 = deny.protect(facts);
  assert.ok(d2.isDenied());
  assert.ok(d2.reason.isUnknownClient());
  assert.equal(denial(d2).status, 403);
  const skip = palisade({ unknownClient: 'SKIP', rules: [fixedWindow({ window: 60, max: 1, name: uniq() })] });
  for (let i = 0; i < 3; i++) assert.equal(skip.protect(facts).results[0].state, 'NOT_RUN');
});

test('DRY_RUN rules report a denial but never deny', () => {
  const aj = palisade({ rules: [fixedWindow({ mode: 'DRY_RUN', window: 60, max: 1, name: uniq() })] });
  aj.protect(req('8.8.8.8'));
  const d = aj.protect(req('8.8.8.8'));
  assert.equal(d.conclusion, 'ALLOW');
  assert.equal(d.results[0].state, 'DRY_RUN');
  assert.equal(d.results[0].conclusion, 'DENY');
});

test('rules run in order and a LIVE denial stops later limits from counting', () => {
  const first = fixedWindow({ window: 60, max: 1, name: uniq() });
  const second = fixedWindow({ window: 60, max: 2, name: uniq() });
  const aj = palisade({ rules: [first, second] });
  aj.protect(req('8.8.8.8'));
  const d = aj.protect(req('8.8.8.8'));
  assert.ok(d.isDenied());
  assert.deepEqual(d.results.map((r) => r.state), ['RUN', 'NOT_RUN']);
  const onlySecond = palisade({ rules: [second] });
  assert.equal(onlySecond.protect(req('8.8.8.8')).reason.remaining, 0, 'the second limit counted only the first request');
});

test('characteristics: header, cookie, query argument and custom props form the key', () => {
  const aj = palisade({
    rules: [fixedWindow({ window: 60, max: 1, name: uniq(), characteristics: ['http.request.headers["x-api-key"]', 'http.request.cookie["sid"]', 'http.request.uri.args["t"]', 'userId'] })],
  });
  const r = (key, sid, t) => ({ method: 'GET', path: '/', query: `t=${t}`, headers: ['x-api-key', key, 'cookie', `a=1; sid=${sid}`] });
  assert.ok(aj.protect(r('k', 's', '1'), { userId: 'u1' }).isAllowed());
  assert.ok(aj.protect(r('k', 's', '1'), { userId: 'u1' }).isDenied());
  assert.ok(aj.protect(r('k2', 's', '1'), { userId: 'u1' }).isAllowed());
  assert.ok(aj.protect(r('k', 's2', '1'), { userId: 'u1' }).isAllowed());
  assert.ok(aj.protect(r('k', 's', '2'), { userId: 'u1' }).isAllowed());
  assert.ok(aj.protect(r('k', 's', '1'), { userId: 'u2' }).isAllowed());
});

test('a missing custom characteristic is an ERROR decision: fail-open by default, denied when fail-closed', () => {
  const rule = fixedWindow({ window: 60, max: 5, name: uniq(), characteristics: ['userId'] });
  const open = palisade({ rules: [rule] }).protect(req('8.8.8.8'));
  assert.equal(open.conclusion, 'ERROR');
  assert.ok(open.isAllowed() && open.isErrored() && !open.isDenied());
  assert.ok(open.reason.isError());
  assert.match(open.reason.message, /userId/);
  const closed = palisade({ failMode: 'closed', rules: [rule] }).protect(req('8.8.8.8'));
  assert.ok(closed.isDenied());
  assert.equal(denial(closed).status, 503);
});

test('several limits on one route: the tightest is reported and each counts independently', () => {
  const aj = palisade({ rules: [fixedWindow({ window: 60, max: 10, name: uniq() }), slidingWindow({ interval: 60, max: 3, name: uniq() })] });
  const d = aj.protect(req('8.8.8.8'));
  assert.equal(d.reason.max, 3);
  assert.equal(d.reason.remaining, 2);
  assert.deepEqual(rateLimitHeaders(d), { 'RateLimit-Policy': '"palisade";q=3;w=60', RateLimit: '"palisade";r=2;t=60' });
});

test('accepts Web Requests and Node.js IncomingMessage-like objects', () => {
  const aj = palisade({ rules: [] });
  const web = new Request('http://example.test/a/b?x=1', { headers: { 'x-forwarded-for': '8.8.4.4' } });
  assert.equal(aj.protect(web).ip.address, '8.8.4.4');
  const node = { method: 'GET', url: '/a?b=1', rawHeaders: ['Host', 'x'], socket: { remoteAddress: '::ffff:9.9.9.9' } };
  assert.equal(aj.protect(node).ip.address, '9.9.9.9');
  assert.throws(() => aj.protect(42), (e) => e.code === 'PALISADE_INVALID_REQUEST');
  assert.throws(() => aj.protect(req('1.1.1.1'), { requested: -1 }), (e) => e.code === 'PALISADE_INVALID_PROPS');
});

test('hostile header data yields a verdict, never a throw', () => {
  const aj = palisade({ rules: [fixedWindow({ window: 60, max: 1000, name: uniq() })] });
  const junk = ['\u0000\uFFFD', '[::1', 'for=', '"', ',,,,', 'x'.repeat(1 << 20), '1.1.1.1, '.repeat(50_000), '\uD800'];
  for (const v of junk) {
    for (const name of ['x-forwarded-for', 'forwarded', 'cookie', 'host']) {
      const d = aj.protect({ method: '\u0000', path: v, query: v, headers: [name, v] });
      assert.ok(['ALLOW', 'DENY'].includes(d.conclusion));
    }
  }
  const many = [];
  for (let i = 0; i < 20_000; i++) many.push('x-forwarded-for', `10.0.${i >> 8 & 255}.${i & 255}`);
  assert.ok(aj.protect({ method: 'GET', path: '/', headers: many }).isAllowed());
});

test('rateLimiter checks keys directly and stays within maxKeys', () => {
  const clock = new ManualClock(0);
  const rl = rateLimiter(fixedWindow({ window: 60, max: 2, maxKeys: 100, name: uniq() }), clock);
  assert.deepEqual(rl.check('a'), { allowed: true, max: 2, remaining: 1, reset: 60, window: 60 });
  assert.equal(rl.allow('a'), true);
  assert.equal(rl.allow('a'), false);
  for (let i = 0; i < 1000; i++) rl.allow(`k${i}`);
  assert.ok(rl.size <= 100, `size ${rl.size}`);
  assert.equal(rl.allow('a'), false, 'a limited key survives the flood');
});

test('header values with NUL and U+0001 cross the boundary intact and cannot forge a header', () => {
  // The request crosses N-API packed into one NUL-separated string; NUL and U+0001 inside a
  // field are escaped. A NUL in a value must neither split it into a forged header nor merge two
  // different values into one key.
  const aj = palisade({ proxies: ['127.0.0.1'], rules: [fixedWindow({ window: '1h', max: 1, characteristics: ['http.request.headers["x-k"]'], name: uniq() })] });
  const facts = (v) => ({ method: 'GET', path: '/', headers: ['x-k', v], peer: '127.0.0.1' });
  assert.equal(aj.protect(facts('a\u0000')).conclusion, 'ALLOW');
  assert.equal(aj.protect(facts('a\u0001\u0002')).conclusion, 'ALLOW', 'a NUL and an escaped-looking U+0001 U+0002 are different values');
  assert.equal(aj.protect(facts('a\u0001')).conclusion, 'ALLOW');
  assert.equal(aj.protect(facts('a\u0001\u0001')).conclusion, 'ALLOW');
  assert.equal(aj.protect(facts('a\u0000')).conclusion, 'DENY', 'the same value is the same key');
  const forged = palisade({ proxies: ['127.0.0.1'], rules: [fixedWindow({ window: '1h', max: 5, name: uniq() })] });
  const d = forged.protect({ method: 'GET', path: '/', headers: ['x-evil', 'a\u0000x-forwarded-for\u0000198.51.100.7'], peer: '127.0.0.1' });
  assert.equal(d.ip.address, '127.0.0.1', 'no header is forged out of a value');
});

test('a decision reads its conclusion at once and the rest on demand; JSON.stringify gives every field', () => {
  const aj = palisade({ rules: [fixedWindow({ window: '1h', max: 3, name: uniq() })] });
  const d = aj.protect(req('198.51.100.20'));
  assert.equal(d.conclusion, 'ALLOW');
  assert.ok(d.isAllowed() && !d.isDenied() && !d.isErrored());
  assert.match(d.id, /^pal_[0-9a-f]{20}$/);
  assert.equal(d.reason.type, 'RATE_LIMIT');
  assert.equal(d.reason.remaining, 2);
  assert.equal(d.results.length, 1);
  assert.equal(d.results[0].reason.max, 3);
  const plain = JSON.parse(JSON.stringify(d));
  assert.deepEqual(Object.keys(plain).sort(), ['conclusion', 'id', 'ip', 'reason', 'results']);
  assert.equal(plain.conclusion, 'ALLOW');
  assert.equal(plain.reason.remaining, 2);
  assert.equal(plain.id, d.id);
});

test('console.log of a decision shows every field, not only the conclusion', async () => {
  const { inspect } = await import('node:util');
  const aj = palisade({ rules: [fixedWindow({ window: '1h', max: 3, name: uniq() })] });
  const shown = inspect(aj.protect(req('198.51.100.21')), { depth: 3 });
  for (const field of ['id', 'conclusion', 'reason', 'results', 'ip', 'RATE_LIMIT']) assert.ok(shown.includes(field), `${field} in ${shown}`);
});
