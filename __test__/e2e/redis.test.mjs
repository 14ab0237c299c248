// End to end: two instances of the example app (`palisade-next start`, two processes) on one
// redis-server share the API limit, as two replicas behind a load balancer would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appIsBuilt, buildPackage, prepareApp, startApp } from '../../scripts/lib/example-app.mjs';
import { redisAvailable, SKIP_MESSAGE, startRedis } from '../helpers/redis-server.mjs';

const available = redisAvailable();
if (!available) console.log(`# ${SKIP_MESSAGE}`);

let redis;
let apps = [];
before(async () => {
  if (!available) return;
  if (!appIsBuilt()) {
    buildPackage({ release: false });
    prepareApp();
  }
  redis = await startRedis();
  apps = await Promise.all([startApp({ env: { REDIS_URL: redis.url } }), startApp({ env: { REDIS_URL: redis.url } })]);
});
after(() => {
  for (const a of apps) a.stop();
  redis?.stop();
});

test('two next start instances on one Redis share the limit: 5 per minute in all, not per instance', { skip: available ? false : SKIP_MESSAGE }, async () => {
  const ip = `81.2.${process.pid & 255}.9`;
  const statuses = [];
  for (let i = 0; i < 8; i++) {
    const app = apps[i % 2];
    const res = await fetch(`${app.url}/api/hello`, { headers: { 'x-forwarded-for': ip } });
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  const other = await fetch(`${apps[1].url}/api/hello`, { headers: { 'x-forwarded-for': `81.3.${process.pid & 255}.9` } });
  assert.equal(other.status, 200, 'another client has its own allowance');
});
