// One of several processes hammering one key through a Redis store (the multi-process exactness
// test). Prints the number of allowed requests as JSON.
import palisade, { fixedWindow, redisStore, slidingWindow, tokenBucket } from 'palisade';

const [url, algorithm, prefix, count] = process.argv.slice(2);
const rules = {
  FIXED_WINDOW: fixedWindow({ window: '1h', max: 100, name: 'hammer' }),
  SLIDING_WINDOW: slidingWindow({ interval: '1h', max: 100, name: 'hammer' }),
  TOKEN_BUCKET: tokenBucket({ refillRate: 1, interval: '1h', capacity: 100, name: 'hammer' }),
};
const aj = palisade({ store: redisStore({ url, prefix, timeoutMs: 2000 }), rules: [rules[algorithm]] });
const facts = { method: 'GET', path: '/', headers: [], peer: '203.0.113.50' };
let allowed = 0;
let errors = 0;
// Many requests in flight at once from each process, as a busy server would send them.
await Promise.all(
  Array.from({ length: Number(count) }, async () => {
    const d = await aj.protect(facts);
    if (d.conclusion === 'ALLOW') allowed++;
    else if (d.conclusion === 'ERROR') errors++;
  }),
);
console.log(JSON.stringify({ allowed, errors }));
process.exit(0);
