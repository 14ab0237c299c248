// Crawler verification by reverse DNS plus forward confirmation, through the built package, against
// a DNS server this test starts on loopback (never the internet).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { detectBot } from 'palisade';
import { startDnsServer, ptrName } from './helpers/dns-server.mjs';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const BINGBOT = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)';

let dns;
before(async () => {
  dns = await startDnsServer(
    {
      // A Googlebot at an address outside the shipped blocks, with matching PTR and A records.
      [ptrName('34.100.1.1')]: { PTR: ['crawl-34-100-1-1.googlebot.com.'] },
      'crawl-34-100-1-1.googlebot.com.': { A: ['34.100.1.1'] },
      // A look-alike domain: the suffix must match at a label boundary.
      [ptrName('34.100.1.2')]: { PTR: ['crawl-34-100-1-2.evilgooglebot.com.'] },
      'crawl-34-100-1-2.evilgooglebot.com.': { A: ['34.100.1.2'] },
      // A PTR the attacker wrote in its own reverse zone, whose name does not resolve back.
      [ptrName('34.100.1.3')]: { PTR: ['crawl-66-249-66-9.googlebot.com.'] },
      'crawl-66-249-66-9.googlebot.com.': { A: ['66.249.66.9'] },
      [ptrName('40.77.1.1')]: { PTR: ['msnbot-40-77-1-1.search.msn.com.'] },
      'msnbot-40-77-1-1.search.msn.com.': { A: ['40.77.1.1'] },
    },
    { drop: [ptrName('34.100.1.4')] },
  );
});
after(() => dns.close());

const from = (ip, ua) => ({ method: 'GET', path: '/', headers: ['user-agent', ua], peer: ip });
const engine = (extra = {}) =>
  palisade({ dns: { nameservers: [dns.address] }, rules: [detectBot({ allow: ['CATEGORY:SEARCH_ENGINE'], verify: { timeoutMs: 300 }, ...extra })] });

test('a crawler whose PTR is under its operator and resolves back is VERIFIED (protect() is async)', async () => {
  const aj = engine();
  assert.equal(aj.async, true);
  const d = await aj.protect(from('34.100.1.1', GOOGLEBOT));
  assert.equal(d.isAllowed(), true);
  assert.equal(d.reason.verification, 'VERIFIED');
  assert.equal(d.reason.isVerified(), true);
  const bing = await aj.protect(from('40.77.1.1', BINGBOT));
  assert.equal(bing.reason.verification, 'VERIFIED');
});

test('look-alike domains, PTRs that do not resolve back and missing PTRs are SPOOFED and denied', async () => {
  const aj = engine();
  for (const ip of ['34.100.1.2', '34.100.1.3', '198.51.100.99']) {
    const d = await aj.protect(from(ip, GOOGLEBOT));
    assert.equal(d.reason.verification, 'SPOOFED', ip);
    assert.equal(d.isDenied(), true, ip);
  }
});

test('a DNS timeout is UNVERIFIABLE, never SPOOFED, and the request is judged by the lists', async () => {
  const d = await engine().protect(from('34.100.1.4', GOOGLEBOT));
  assert.equal(d.reason.verification, 'UNVERIFIABLE');
  assert.equal(d.isAllowed(), true);
});

test('answers are cached: the same crawler address asks DNS once', async () => {
  const aj = engine();
  await aj.protect(from('34.100.1.1', GOOGLEBOT));
  const asked = dns.queries.length;
  await aj.protect(from('34.100.1.1', GOOGLEBOT));
  assert.equal(dns.queries.length, asked);
});

test('a shipped-range hit and a browser need no DNS at all', async () => {
  const aj = engine();
  const asked = dns.queries.length;
  const g = await aj.protect(from('66.249.66.1', GOOGLEBOT));
  assert.equal(g.reason.verification, 'VERIFIED');
  const person = await aj.protect(from('34.100.9.9', 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'));
  assert.equal(person.isAllowed(), true);
  assert.equal(dns.queries.length, asked);
});

test('ranges can be given inline and replace the shipped blocks of that bot', async () => {
  const aj = engine({ verify: { timeoutMs: 300, ranges: { GOOGLE_CRAWLER: ['34.100.2.0/24'] } } });
  const d = await aj.protect(from('34.100.2.7', GOOGLEBOT));
  assert.equal(d.reason.verification, 'VERIFIED');
});

test('without verify the rule stays synchronous and uses the shipped blocks', () => {
  const aj = palisade({ rules: [detectBot({ allow: ['CATEGORY:SEARCH_ENGINE'] })] });
  assert.equal(aj.async, false);
  const d = aj.protect(from('34.100.1.1', GOOGLEBOT));
  assert.equal(d.reason.verification, 'SPOOFED');
});

test('bad verify options throw at construction with a code and the key path', () => {
  assert.throws(() => detectBot({ allow: [], verify: { timeoutMs: 0 } }), (e) => e.code === 'PALISADE_CONFIG_RANGE' && /verify\.timeoutMs/.test(e.message));
  assert.throws(() => detectBot({ allow: [], verify: { nameservers: ['nope'] } }), (e) => /^PALISADE_CONFIG_/.test(e.code) && /verify\.nameservers\[0\]/.test(e.message));
  assert.throws(() => detectBot({ allow: [], verify: { rangesFile: '/nonexistent/ranges.json' } }), (e) => /^PALISADE_CONFIG_/.test(e.code) && /rangesFile/.test(e.message));
  assert.throws(() => detectBot({ allow: [], verify: { bogus: 1 } }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN');
});
