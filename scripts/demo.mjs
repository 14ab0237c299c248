// `npm run demo`: build palisade (release), install it into the example Next.js app from a
// tarball, build and start the app on a free port, replay a scripted mix of traffic, print what
// each client got, then leave the server up with curl lines to try. `npm run demo -- --exit`
// stops the server and exits instead.
import { buildPackage, ensureDeps, prepareApp, startApp } from './lib/example-app.mjs';

const exitAfter = process.argv.includes('--exit');

// The script plays a load balancer on loopback: it names the client in X-Forwarded-For, and the
// example app trusts loopback as a proxy (see examples/nextjs/lib/security.ts).
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';
const clients = [
  { name: 'alice (browsing)', ip: '81.2.69.142', plan: ['/api/hello', '/', '/api/shared', '/api/hello'] },
  { name: 'bob (browsing)', ip: '2a02:8070:1234:5600::17', plan: ['/', '/api/hello', '/api/hello'] },
  { name: 'carol (browsing)', ip: '175.45.176.9', plan: ['/api/shared', '/', '/api/hello'] },
  { name: 'mallory (burst)', ip: '203.0.114.66', plan: Array(20).fill('/api/hello') },
  { name: 'gptbot (AI crawler)', ip: '52.230.152.10', ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)', plan: ['/api/content', '/api/content'] },
  { name: 'googlebot (verified)', ip: '66.249.66.1', ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', plan: ['/api/content', '/api/content'] },
  { name: 'fake googlebot', ip: '185.220.101.7', ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', plan: ['/api/content'] },
  { name: 'dave (searching)', ip: '92.40.1.8', plan: ['/api/comments?q=blue+shirt', "/api/comments?q=O'Neil+%26+Sons"] },
  {
    name: 'eve (injecting, then blocked)',
    ip: '45.83.64.2',
    plan: ['/api/comments?q=1%27%20UNION%20SELECT%20password%20FROM%20users--', '/api/comments?q=%3Csvg%20onload%3Dalert(1)%3E', '/api/comments?q=..%2F..%2Fetc%2Fpasswd', '/api/comments?q=hello'],
  },
];

async function main() {
  ensureDeps();
  buildPackage({ release: true });
  prepareApp();
  const app = await startApp();
  process.stderr.write(`[palisade] example app up at ${app.url} (pid group ${app.pid})\n\n`);

  const tally = new Map(clients.map((c) => [c.name, {}]));
  // Interleave the clients' requests, one step at a time, as concurrent traffic would arrive.
  const longest = Math.max(...clients.map((c) => c.plan.length));
  for (let i = 0; i < longest; i++) {
    await Promise.all(
      clients.filter((c) => i < c.plan.length).map(async (c) => {
        const res = await fetch(`${app.url}${c.plan[i]}`, { headers: { 'x-forwarded-for': c.ip, 'user-agent': c.ua ?? BROWSER } });
        await res.arrayBuffer();
        const t = tally.get(c.name);
        t[res.status] = (t[res.status] ?? 0) + 1;
      }),
    );
  }

  const statuses = [...new Set([...tally.values()].flatMap((t) => Object.keys(t)))].sort();
  const rows = clients.map((c) => [c.name, c.ip, String(c.plan.length), ...statuses.map((s) => String(tally.get(c.name)[s] ?? 0))]);
  const head = ['client', 'address', 'requests', ...statuses.map((s) => `HTTP ${s}`)];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('\n/api/hello and /api/shared share one limit of 5 requests per minute per client;');
  console.log('/api/content denies AI crawlers, scanners, HTTP libraries and crawlers claiming to be Google from elsewhere;');
  console.log('/api/comments is under the shield: attacks are denied, and after 3 a client is blocked even for clean requests.');

  if (exitAfter) {
    app.stop();
    return;
  }
  console.log(`\nThe app is still running at ${app.url}. Try:\n`);
  console.log(`  curl -i ${app.url}/api/hello -H 'x-forwarded-for: 8.8.8.8'     # 5 times, then 429`);
  console.log(`  curl -i ${app.url}/api/strict -H 'x-forwarded-for: 1.2.3.4'    # keys on your TCP address: the header is ignored`);
  console.log(`  curl -s ${app.url}/api/dry                                      # a DRY_RUN limit: reported, never enforced`);
  console.log(`  curl -i ${app.url}/api/content                                  # curl is an HTTP library: 403 (add -A 'Mozilla/5.0 ... Chrome/131.0.0.0 Safari/537.36')`);
  console.log(`  curl -i ${app.url}/api/signup -H 'content-type: application/json' -A 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' -d '{"email":"x@0-mail.com"}'   # disposable: 403`);
  console.log(`  curl -i '${app.url}/api/comments?q=%27%20OR%201%3D1--' -A 'Mozilla/5.0'      # the shield: 403, reason SHIELD (the findings stay server-side, in decision.reason.findings)`);
  console.log(`  open ${app.url}/ in a browser and send 3 messages (server action, 2 per minute)`);
  console.log(`  open ${app.url}/signup and sign up with a disposable or mistyped address (server action)`);
  console.log('\nPress Ctrl-C to stop.');
  const stop = () => {
    app.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => {});
}

main().catch((err) => {
  console.error(`[palisade] demo failed: ${err.message}`);
  process.exit(1);
});
