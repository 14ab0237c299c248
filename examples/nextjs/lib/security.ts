// The app's palisade instances. Next.js loads this module separately for proxy.ts and for each
// route, but identical limits share their counters inside the one native addon, so the proxy and a
// route handler that both use `apiLimit` count against the same allowance.
import palisade, { detectBot, fixedWindow, protectSignup, redisStore, shield, tokenBucket } from 'palisade/next';

// The demo traffic script and the end-to-end tests play the load balancer: they connect over
// loopback and say who the client is in X-Forwarded-For. In production, list your real proxies
// (or use a `platform` preset) instead.
const TRUSTED_PROXIES = ['127.0.0.1', '::1'];

/**
 * Lookups need DNS. Set PALISADE_DNS to a name server (`127.0.0.1:5353`, or `system` for the
 * machine's resolver) to turn on MX checks for signups and reverse-DNS verification of crawlers;
 * the end-to-end tests point it at a DNS server they start on loopback. With lookups on, those
 * instances' `protect()` returns a promise (the helpers await it).
 */
const DNS = process.env.PALISADE_DNS;
const checkMx = Boolean(DNS);
const dns = DNS && DNS !== 'system' ? { nameservers: [DNS] } : undefined;

export const apiLimit = fixedWindow({ mode: 'LIVE', window: '1m', max: 5 });

/**
 * With REDIS_URL set (e.g. `redis://127.0.0.1:6379`), the API limit lives in Redis, so every
 * instance of the app behind a load balancer shares one allowance per client. Without it the limit
 * is per process. A Redis outage lets requests through with an ERROR decision (fail-open) and is
 * logged once per state change.
 */
const store = process.env.REDIS_URL ? redisStore({ url: process.env.REDIS_URL, timeoutMs: 100 }) : undefined;

/** Used by proxy.ts and by /api/shared: one allowance for both (and, with REDIS_URL, for every instance). */
export const api = palisade({ proxies: TRUSTED_PROXIES, store, rules: [apiLimit] });

/**
 * Trusts no proxy: the client is the TCP peer (supplied by `palisade-next start`), so whatever a
 * client writes in X-Forwarded-For is ignored.
 */
export const strict = palisade({ rules: [fixedWindow({ window: '1m', max: 3, name: 'strict' })] });

/** A DRY_RUN limit of 1: reported in the decision, never enforced. */
export const dryRun = palisade({
  proxies: TRUSTED_PROXIES,
  rules: [fixedWindow({ mode: 'DRY_RUN', window: '1m', max: 1, name: 'dry' })],
});

/** Server actions: 2 messages per minute per client. */
export const actions = palisade({
  proxies: TRUSTED_PROXIES,
  rules: [fixedWindow({ window: '1m', max: 2, name: 'actions' })],
});

/**
 * Content for people and search engines: AI crawlers, vulnerability scanners and HTTP libraries
 * are denied; a client that claims to be a search engine crawler from outside its operator's
 * published addresses (or, with PALISADE_DNS set, whose reverse DNS does not confirm it) is denied
 * as spoofed.
 */
export const content = palisade({
  proxies: TRUSTED_PROXIES,
  dns,
  rules: [detectBot({ deny: ['CATEGORY:AI_CRAWLER', 'CATEGORY:SCANNER', 'CATEGORY:HTTP_LIBRARY'], verify: DNS ? { timeoutMs: 1000 } : false })],
});


/**
 * Signups (the form at /signup, its server action, and POST /api/signup): a real address (not
 * disposable; with MX checks, a domain that takes mail), not an automated client, 3 per 10
 * minutes per client.
 */
export const signup = palisade({
  proxies: TRUSTED_PROXIES,
  dns,
  rules: protectSignup({
    email: { deny: ['INVALID', 'DISPOSABLE', 'NO_MX_RECORDS'], checkMx, mxTimeoutMs: 1500 },
    bots: { deny: ['CATEGORY:HTTP_LIBRARY', 'CATEGORY:SCANNER', 'CATEGORY:HEADLESS', 'CATEGORY:AI_CRAWLER'] },
    rateLimit: { interval: '10m', max: 3, name: 'signup' },
  }),
});

/**
 * Comments (GET and POST /api/comments): the shield inspects the path, query, headers, cookies and
 * the body (read from a clone, so the handler still reads it). A client with 3 attack requests
 * within 10 minutes is blocked for 10 minutes, even for clean requests.
 */
export const comments = palisade({
  proxies: TRUSTED_PROXIES,
  rules: [shield({ threshold: 3, blockFor: '10m', name: 'comments' })],
});

/**
 * The load test's protected route (/api/guarded): shield, bot detection and a token bucket large
 * enough that the load itself is never limited, so both routes return the same responses.
 */
export const guarded = palisade({
  proxies: TRUSTED_PROXIES,
  rules: [
    shield({ threshold: 0 }),
    detectBot({ deny: ['CATEGORY:AI_CRAWLER', 'CATEGORY:SCANNER'] }),
    tokenBucket({ refillRate: 100_000, interval: 1, capacity: 1_000_000, name: 'load' }),
  ],
});

/**
 * The load ladder (`npm run load -- --ladder`): what each part of /api/guarded costs on its own,
 * in server CPU per request: the wrapper with no rules, then one rule each.
 */
export const ladder = {
  wrapper: palisade({ proxies: TRUSTED_PROXIES, rules: [] }),
  bucket: palisade({ proxies: TRUSTED_PROXIES, rules: [tokenBucket({ refillRate: 100_000, interval: 1, capacity: 1_000_000, name: 'ladder' })] }),
  bot: palisade({ proxies: TRUSTED_PROXIES, rules: [detectBot({ deny: ['CATEGORY:AI_CRAWLER', 'CATEGORY:SCANNER'] })] }),
  shield: palisade({ proxies: TRUSTED_PROXIES, rules: [shield({ threshold: 0 })] }),
};
