// Bot detection through the built package: the direct API, the rule, and the field cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import palisade, { classifyBot, detectBot, isBot } from 'palisade';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.199 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

test('regression_bot_010 an in-app webview with googleplay is not a bot', () => {
  const ua = 'Mozilla/5.0 (Linux; Android 10; SM-G973F Build/QQ3A.200805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/85.0.4183.101 Mobile Safari/537.36 trill_2021806060 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/18.6.6 ByteLocale/fr ByteFullLocale/fr Region/FR';
  assert.equal(isBot(ua), false);
  assert.deepEqual(classifyBot(ua), { bot: false, ids: [], categories: [] });
});

test('regression_bot_020 a phone model name is not a crawler token', () => {
  assert.equal(isBot('Mozilla/5.0 (Linux; Android 7.1; Pixel Build/NDE63P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.68 Mobile Safari/537.36'), false);
});

test('regression_bot_030 a consent scanner appended to a browser UA is a bot', () => {
  assert.equal(isBot(`${CHROME};OneTrust;`), true);
});

test('regression_bot_040 and 050 pathological UAs get a verdict, not a known bot', () => {
  const long = `Chrome/${'0'.repeat(3000)}`;
  const c = classifyBot(long);
  assert.ok(c.ids.every((id) => id.startsWith('UNKNOWN_')), JSON.stringify(c.ids));
  for (let i = 0; i < 1000; i++) isBot(long);
  const iphone = `iphone os ${'a'.repeat(64)}`;
  assert.equal(typeof isBot(iphone), 'boolean');
  assert.ok(classifyBot(iphone).ids.every((id) => id.startsWith('UNKNOWN_')));
});

test('names and categorises known bots', () => {
  assert.deepEqual(classifyBot('Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)'), {
    bot: true,
    ids: ['OPENAI_CRAWLER'],
    categories: ['AI_CRAWLER'],
  });
  assert.deepEqual(classifyBot('sqlmap/1.7.2#stable (https://sqlmap.org)').categories, ['SCANNER']);
  assert.deepEqual(classifyBot('curl/8.4.0').categories, ['HTTP_LIBRARY']);
  assert.deepEqual(classifyBot(GOOGLEBOT).categories, ['SEARCH_ENGINE']);
  assert.equal(isBot(CHROME), false);
});

test('hostile User-Agents yield a verdict, never a throw', () => {
  for (const ua of ['', '\u0000\u0001', '\uD800', 'x'.repeat(1 << 20), undefined, null, 42, {}]) {
    assert.equal(typeof isBot(ua), 'boolean');
  }
  assert.equal(typeof classifyBot('\uFFFF'.repeat(10_000)).bot, 'boolean');
});

test('detectBot denies by category and verifies claimed crawlers by address', () => {
  const aj = palisade({ rules: [detectBot({ deny: ['CATEGORY:AI_CRAWLER', 'CATEGORY:HTTP_LIBRARY'] })] });
  const req = (ua, ip) => ({ method: 'GET', path: '/', headers: ['user-agent', ua, 'x-forwarded-for', ip] });
  assert.ok(aj.protect(req(CHROME, '8.8.8.8')).isAllowed());
  const ai = aj.protect(req('GPTBot/1.0 (+https://openai.com/gptbot)', '8.8.8.8'));
  assert.ok(ai.isDenied() && ai.reason.isBot());
  assert.deepEqual(ai.reason.categories, ['AI_CRAWLER']);
  const real = aj.protect(req(GOOGLEBOT, '66.249.66.1'));
  assert.ok(real.isAllowed());
  assert.ok(real.reason.isVerified());
  const fake = aj.protect(req(GOOGLEBOT, '8.8.8.8'));
  assert.ok(fake.isDenied(), 'a Googlebot UA from outside Google is spoofed');
  assert.ok(fake.reason.isSpoofed());
});

test('detectBot options are validated at construction', () => {
  assert.throws(() => detectBot({ allow: ['NOT_A_BOT'] }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN' && e.message.includes('detectBot.allow[0]'));
  assert.throws(() => detectBot({ allow: [], deny: [] }), (e) => e.code === 'PALISADE_CONFIG_TYPE');
  assert.throws(() => detectBot({}), (e) => e.code === 'PALISADE_CONFIG_MISSING');
  assert.throws(() => detectBot({ deny: ['CATEGORY:NOPE'] }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN');
});

test('detectBot accepts custom bots with an id and a category, usable in its lists', () => {
  const aj = palisade({
    rules: [detectBot({ deny: ['ACME_PROBE'], custom: [{ id: 'ACME_PROBE', pattern: 'acme-probe/\\d', category: 'MONITOR' }] })],
  });
  const d = aj.protect({ method: 'GET', path: '/', headers: ['user-agent', 'Mozilla/5.0 (compatible; acme-probe/2.1)'], peer: '203.0.113.1' });
  assert.equal(d.isDenied(), true);
  assert.deepEqual(d.reason.ids, ['ACME_PROBE']);
  assert.deepEqual(d.reason.categories, ['MONITOR']);
  assert.throws(
    () => detectBot({ deny: [], custom: [{ id: 'X_BOT', pattern: '(', category: 'MONITOR' }] }),
    (e) => e.code === 'PALISADE_CONFIG_PATTERN' && /custom\[0\]\.pattern/.test(e.message),
  );
  assert.throws(() => detectBot({ deny: ['NOT_A_BOT'] }), (e) => e.code === 'PALISADE_CONFIG_UNKNOWN');
});
