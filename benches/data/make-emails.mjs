// Builds benches/data/emails.jsonl, the labelled addresses `npm run bench:peers` checks agreement
// on: `node benches/data/make-emails.mjs [CORPORA_DIR]` (default ../shared/corpora). Deterministic
// (seeded sample). Each line: { address, valid, disposable, source }, where `valid` is what the
// source says about the syntax and `disposable` whether the domain is on a disposable list.
//   - every case of tests/fixtures/email/addresses.toml (palisade's own labels, at its defaults);
//   - every case of validator.js's `isEmail` tests without options (validatorjs/validator.js
//     test/validators.test.js, MIT), except the 2 with lone UTF-16 surrogates;
//   - 40 cases of the isemail suites (hapijs/isemail, dominicsayers/isemail, BSD-3-Clause): 20 the
//     sources call valid, 20 errors;
//   - 20 addresses at domains of the disposable lists (disposable/disposable-email-domains MIT,
//     ivolo/disposable-email-domains MIT, disposable-email-domains CC0-1.0);
//   - 10 at free-provider domains not on any disposable list (Kikobeats/free-email-domains, MIT).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const corpora = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared', 'corpora'), 'email');

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sample = (list, n) => {
  const pool = [...list];
  const out = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]);
  return out;
};
const jsonl = (f) => readFileSync(path.join(corpora, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const lines = (f) => readFileSync(path.join(corpora, f), 'utf8').split('\n').filter(Boolean);

const rows = [];
// The project's fixtures: `address = "..."` then `valid = ...` and `types = [...]` in each case.
let cur;
for (const line of readFileSync(path.join(root, 'tests', 'fixtures', 'email', 'addresses.toml'), 'utf8').split('\n')) {
  const m = line.match(/^(\w+)\s*=\s*(.*)$/);
  if (line.startsWith('[[case]]')) rows.push((cur = { source: 'tests/fixtures/email/addresses.toml' }));
  else if (m && cur) {
    if (m[1] === 'name') cur.source += ` ${JSON.parse(m[2])}`;
    if (m[1] === 'address') cur.address = JSON.parse(m[2]);
    if (m[1] === 'valid') cur.valid = m[2].trim() === 'true';
    if (m[1] === 'types') cur.disposable = m[2].includes('DISPOSABLE');
  }
}
for (const r of jsonl('validatorjs.jsonl')) {
  if (r.lone_surrogate || /[\ud800-\udfff]/.test(r.address)) continue;
  rows.push({ address: r.address, valid: r.expect === 'valid', disposable: false, source: `validator.js test/validators.test.js line ${r.line}` });
}
const isemail = jsonl('isemail.jsonl').filter((r) => !r.lone_surrogate && !/[\ud800-\udfff]/.test(r.address));
for (const r of [...sample(isemail.filter((r) => r.expect === 'valid'), 20), ...sample(isemail.filter((r) => r.expect === 'invalid'), 20)]) {
  rows.push({ address: r.address, valid: r.expect === 'valid', disposable: false, source: `${r.source} ${r.id} (${r.diagnosis})` });
}
const names = ['jo', 'anna.smith', 'k.lee+shop', 'maria_g', 'tom1987'];
sample(lines('disposable-domains.txt'), 20).forEach((d, i) => {
  rows.push({ address: `${names[i % names.length]}@${d}`, valid: true, disposable: true, source: `disposable domain lists: ${d}` });
});
const disposable = new Set(lines('disposable-domains.txt'));
sample(lines('free-domains.not-disposable.txt').filter((d) => !disposable.has(d)), 10).forEach((d, i) => {
  rows.push({ address: `${names[i % names.length]}@${d}`, valid: true, disposable: false, source: `free-provider list (not disposable): ${d}` });
});
const seen = new Set();
const out = rows.filter((r) => r.address !== undefined && !seen.has(r.address) && seen.add(r.address));
writeFileSync(path.join(here, 'emails.jsonl'), out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`wrote ${out.length} labelled addresses to benches/data/emails.jsonl`);
