// `npm run bench:bots`: isBot through napi against the isbot package, on one mixed list of 240
// User-Agents (benches/data/user-agents.tsv), in one process, interleaved, reported as a ratio.
// isBot keeps a small cache of recent verdicts (real traffic repeats UAs); the uncached detector
// is timed too, so both figures are visible. First lists every UA where the two disagree with each other or with the label.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { isBot } = require('palisade');
// The same detector without its verdict cache: what a UA seen for the first time costs.
const { isBotUncached } = require('../index.js');
const { isbot } = require('isbot');

const rows = readFileSync(new URL('./data/user-agents.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [label, sources, ...rest] = l.split('\t');
    return { label, sources, ua: rest.join('\t') };
  });

let diff = 0;
const wrong = { palisade: 0, isbot: 0 };
for (const r of rows) {
  const ours = isBot(r.ua);
  const theirs = isbot(r.ua);
  const truth = r.label === 'bot';
  if (ours !== truth) wrong.palisade++;
  if (theirs !== truth) wrong.isbot++;
  if (ours !== theirs) {
    diff++;
    console.log(`differs: palisade=${ours} isbot=${theirs} label=${r.label} [${r.sources}] ${r.ua.slice(0, 120)}`);
  }
}
console.log(`agreement on ${rows.length} labelled UAs: ${rows.length - diff} agree, ${diff} differ; wrong vs label: palisade ${wrong.palisade}, isbot ${wrong.isbot}\n`);

const uas = rows.map((r) => r.ua);
const impls = { palisade: isBot, 'palisade (no cache)': isBotUncached, isbot };
const names = Object.keys(impls);
const per = Object.fromEntries(names.map((n) => [n, []]));
const reps = 40;
let sink = 0;
for (let round = 0; round < 27; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + j) % names.length];
    const fn = impls[name];
    const start = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) for (let i = 0; i < uas.length; i++) sink += fn(uas[i]) ? 1 : 0;
    const ns = Number(process.hrtime.bigint() - start) / (reps * uas.length);
    if (round >= 2) per[name].push(ns);
  }
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], p90: s[Math.floor(s.length * 0.9)] };
};
const st = Object.fromEntries(names.map((n) => [n, stats(per[n])]));
console.log(`ns per call over ${uas.length} UAs (median / min / p90 over 25 rounds):`);
for (const n of names) console.log(`  ${n.padEnd(20)} ${st[n].median.toFixed(0).padStart(7)} ${st[n].min.toFixed(0).padStart(7)} ${st[n].p90.toFixed(0).padStart(7)}`);
if (sink < 0) console.log(sink);
console.log(`ratio_vs_isbot_uncached: ${(st['palisade (no cache)'].median / st.isbot.median).toFixed(3)}`);
console.log(`ratio_vs_isbot: ${(st.palisade.median / st.isbot.median).toFixed(3)}`);
