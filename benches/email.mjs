// `npm run bench:email`: palisade's validateEmail() through napi against email-validator, validator
// and mailchecker, in one process, interleaved, on the 147 labelled addresses of
// benches/data/emails.jsonl (sources in each line). Median / min / p90 of ns per call over the
// rounds; ratios are palisade's median over the peer's. Ends with `ratio_vs_email_validator: R`.
//
// palisade does more per call than email-validator (one regular expression): a full parse with
// per-part limits, IDN to ASCII, and lookups in the disposable and free lists. Both answer "is this
// address well formed"; the agreement on the labels is printed first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { validateEmail } = require('palisade');
const emailValidator = require('email-validator');
const validator = require('validator');
const mailchecker = require('mailchecker');

const rows = readFileSync(new URL('./data/emails.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const addresses = rows.map((r) => r.address);
const impls = {
  palisade: (a) => validateEmail(a).valid,
  'email-validator': (a) => emailValidator.validate(a),
  validator: (a) => validator.isEmail(a),
  mailchecker: (a) => mailchecker.isValid(a),
};
for (const [name, fn] of Object.entries(impls)) {
  const right = rows.filter((r) => fn(r.address) === (name === 'mailchecker' ? r.valid && !r.disposable : r.valid)).length;
  console.log(`${name.padEnd(16)} agrees with the label on ${right} of ${rows.length}${name === 'mailchecker' ? ' (label: valid and not disposable)' : ''}`);
}

const names = Object.keys(impls);
const per = Object.fromEntries(names.map((n) => [n, []]));
const ROUNDS = 25;
for (let round = 0; round < ROUNDS + 3; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + j) % names.length];
    const fn = impls[name];
    const reps = 20;
    const t = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) for (const a of addresses) fn(a);
    const ns = Number(process.hrtime.bigint() - t) / (reps * addresses.length);
    if (round >= 3) per[name].push(ns);
  }
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], p90: s[Math.floor(s.length * 0.9)] };
};
console.log(`\nns per call (median / min / p90 over ${ROUNDS} interleaved rounds), palisade / peer:`);
console.log('| implementation | median ns | min | p90 | palisade / peer |');
console.log('|---|---:|---:|---:|---:|');
const st = Object.fromEntries(names.map((n) => [n, stats(per[n])]));
for (const n of names) {
  const r = n === 'palisade' ? '' : (st.palisade.median / st[n].median).toFixed(3);
  console.log(`| ${n} | ${st[n].median.toFixed(0)} | ${st[n].min.toFixed(0)} | ${st[n].p90.toFixed(0)} | ${r} |`);
}
console.log(`ratio_vs_email_validator: ${(st.palisade.median / st['email-validator'].median).toFixed(3)}`);
