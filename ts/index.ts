// palisade: the public API. This file owns ergonomics only (requests in, decisions out); every
// check runs in the Rust core through the native module.
import { AsyncLocalStorage } from 'node:async_hooks';
import { native, PalisadeError } from './native';
import type { DecisionObject, ReasonObject, RuleResultObject } from '../index';

export { PalisadeError };
/** A request as plain facts, for servers that are neither Web `Request` nor Node.js `IncomingMessage`. */
export interface RequestFacts {
  method: string;
  path: string;
  query?: string;
  /** Header lines as a flat list: name, value, name, value, ... */
  headers: string[];
  /** The socket peer address, if the server has one. */
  peer?: string;
  /** The body bytes read by the wrapper (for the shield), capped by it. */
  body?: Buffer;
  /**
   * The wrapper could not read the body: with no `body`, not at all (already used, or the stream
   * failed); with `body`, only as far as those bytes before its wait ran out (`bodyTimeoutMs`).
   */
  bodyUnreadable?: boolean;
}

/** `LIVE` rules deny; `DRY_RUN` rules only report. palisade's default is `LIVE`. */
export type Mode = 'LIVE' | 'DRY_RUN';
/** Seconds, or a string such as `"30s"`, `"1m"`, `"1h30m"`, `"2d"`. */
export type Interval = number | string;

interface RateLimitCommon {
  mode?: Mode;
  /** What the limit is keyed by. Default `["ip.src"]`. */
  characteristics?: string[];
  /** Hard cap on keys held in memory for this limit. Default 100,000. */
  maxKeys?: number;
  /** Separates otherwise identical limits, which share counters process-wide. */
  name?: string;
}
export interface TokenBucketOptions extends RateLimitCommon {
  refillRate: number;
  interval: Interval;
  capacity: number;
}
export interface FixedWindowOptions extends RateLimitCommon {
  window: Interval;
  max: number;
}
export interface SlidingWindowOptions extends RateLimitCommon {
  interval: Interval;
  max: number;
}

/** A rule as passed in `rules: [...]`. Build it with a factory such as `tokenBucket()`. */
export interface Rule {
  readonly type: string;
  readonly [option: string]: unknown;
}

declare const lookup: unique symbol;
/**
 * A rule that looks something up over the network (an MX check). An instance with one of these
 * returns a `Promise<Decision>` from `protect()`; with only local rules `protect()` is synchronous.
 * (A type-level mark only; the object is an ordinary rule.)
 */
export type AsyncRule = Rule & { readonly [lookup]: true };

type MayBeAsync<R> = R extends AsyncRule ? true : R extends readonly (infer E)[] ? MayBeAsync<E> : false;
type SurelyAsync<T> = T extends readonly [infer H, ...infer Rest]
  ? [H] extends [AsyncRule]
    ? true
    : [H] extends [readonly unknown[]]
      ? SurelyAsync<H> extends true
        ? true
        : SurelyAsync<Rest>
      : SurelyAsync<Rest>
  : false;
/** `true` when some rule of `O` surely looks something up, `false` when none can, else `boolean`. */
export type IsAsync<O extends PalisadeOptions> = O extends { store: RedisStore }
  ? true
  : SurelyAsync<O['rules']> extends true
  ? true
  : true extends MayBeAsync<O['rules'][number]>
    ? boolean
    : false;
/** What `protect()` returns: a `Decision`, or a promise of one when some rule looks something up. */
export type Protected<A extends boolean> = [A] extends [true] ? Promise<Decision> : [A] extends [false] ? Decision : Decision | Promise<Decision>;

export interface PalisadeOptions {
  rules: ReadonlyArray<Rule | ReadonlyArray<Rule>>;
  /** Trusted proxy addresses and CIDR blocks whose hops are skipped in forwarding headers. */
  proxies?: string[];
  /** Hosting platform preset: `cloudflare`, `vercel`, `fly` or `render`. */
  platform?: 'cloudflare' | 'vercel' | 'fly' | 'render';
  /** Leading bits of an IPv6 address that form its rate-limit key. Default 56. */
  ipv6Prefix?: number;
  /** What to do when no client address can be found. Default `SHARED`. */
  unknownClient?: 'SHARED' | 'DENY' | 'SKIP';
  /** Whether an internal fault lets requests through (`open`, default) or denies them. */
  failMode?: 'open' | 'closed';
  /** A manual clock for tests (`new ManualClock()`). */
  clock?: InstanceType<typeof native.ManualClock>;
  /** A shared store for the rate limits (`redisStore({ url })`); `protect()` then returns a promise. */
  store?: RedisStoreOptions;
  /** Where lookups (MX checks, crawler verification) go: `{ nameservers: ["127.0.0.1:5353"] }`. Default: the system resolver. */
  dns?: { nameservers?: string[] };
}

/**
 * Values for custom characteristics, plus `requested` (cost of this call), `email` (for email
 * rules) and `body` (for the shield, when the request's body cannot be read from it: a Node.js
 * `IncomingMessage`, or a server action whose form Next.js already parsed).
 */
export type ProtectProps = { requested?: number; body?: string | Uint8Array } & Record<string, string | number | boolean | Uint8Array | undefined>;

/** Why a rule or decision concluded what it did. */
export class Reason {
  readonly type: string;
  readonly max?: number;
  readonly remaining?: number;
  /** Seconds until a denied request could succeed, or until the allowance is full again. */
  readonly reset?: number;
  /** The window or refill interval in seconds. */
  readonly window?: number;
  readonly message?: string;
  /** Bot reasons: whether the User-Agent is a bot, which bots, their categories. */
  readonly bot?: boolean;
  readonly ids?: string[];
  readonly categories?: string[];
  /** Bot reasons: `VERIFIED`, `SPOOFED` or `UNVERIFIABLE` (see README, "Bots"). */
  readonly verification?: string;
  /** Email reasons: the address's types, why it is invalid, its normalized form, a typo suggestion. */
  readonly emailTypes?: string[];
  readonly reasons?: string[];
  readonly normalized?: string;
  readonly suggestion?: string;
  /** Store errors: `PALISADE_STORE_UNAVAILABLE`, `PALISADE_STORE_TIMEOUT` or `PALISADE_STORE_PROTOCOL`. */
  readonly code?: string;
  /** Shield reasons: the attacks found in this request (empty for a clean request from a blocked client). */
  readonly findings?: Finding[];
  /** Shield reasons: whether the client is blocked for repeated attacks (`reset` says for how many seconds). */
  readonly blocked?: boolean;
  /**
   * Shield reasons: how the body was handled (`ABSENT`, `PARSED`, `TRUNCATED`, `UNPARSEABLE`,
   * `SKIPPED`, `UNREADABLE`: not read at all, or `INCOMPLETE`: it stopped arriving within
   * `bodyTimeoutMs` and what came was inspected).
   */
  readonly body?: string;
  /**
   * Shield reasons: the caps this request reached. `VALUES` (more than 1,024 values), `HEADERS`
   * (more than 64 header lines) and `BODY_INCOMPLETE` (the body stopped arriving) mean some of the
   * request was not inspected; the rule denies such a request unless `uninspected: 'ALLOW'`.
   * `VALUE_BYTES`, `URL_BYTES`, `BODY_BYTES`, `JSON_DEPTH`: something
   * was cut short and its start inspected.
   */
  readonly caps?: string[];
  /** Email reasons, with `checkMx`: what the MX lookup found (`TIMEOUT` and `UNAVAILABLE` say nothing about the address). */
  readonly mx?: string;
  constructor(r: ReasonObject) {
    this.code = r.code;
    this.findings = r.findings as Finding[] | undefined;
    this.blocked = r.blocked;
    this.body = r.body;
    this.caps = r.caps;
    this.mx = r.mx;
    this.emailTypes = r.types;
    this.reasons = r.reasons;
    this.normalized = r.normalized;
    this.suggestion = r.suggestion;
    this.type = r.type;
    this.bot = r.bot;
    this.ids = r.ids;
    this.categories = r.categories;
    this.verification = r.verification;
    this.max = r.max;
    this.remaining = r.remaining;
    this.reset = r.reset;
    this.window = r.window;
    this.message = r.message;
  }
  isRateLimit(): boolean {
    return this.type === 'RATE_LIMIT';
  }
  isUnknownClient(): boolean {
    return this.type === 'UNKNOWN_CLIENT';
  }
  isError(): boolean {
    return this.type === 'ERROR';
  }
  isBot(): boolean {
    return this.type === 'BOT';
  }
  isEmail(): boolean {
    return this.type === 'EMAIL';
  }
  isShield(): boolean {
    return this.type === 'SHIELD';
  }
  /** The shared store (Redis) failed; never a rate limit. */
  isStoreError(): boolean {
    return this.type === 'STORE_ERROR';
  }
  /** A claimed crawler whose address is inside its operator's published ranges. */
  isVerified(): boolean {
    return this.verification === 'VERIFIED';
  }
  /** A claimed crawler whose address is outside its operator's published ranges. */
  isSpoofed(): boolean {
    return this.verification === 'SPOOFED';
  }
}

export interface RuleResult {
  rule: number;
  type: string;
  mode: Mode;
  state: 'RUN' | 'DRY_RUN' | 'NOT_RUN';
  conclusion: 'ALLOW' | 'DENY' | 'ERROR';
  reason: Reason;
}

/**
 * The answer for one request. The core hands it over as JSON text; `conclusion` is read from its
 * start, and the rest is parsed on first use (a request that is simply allowed never pays for it).
 */
export class Decision {
  readonly conclusion: 'ALLOW' | 'DENY' | 'ERROR';
  #json: string;
  #parsed: { id: string; reason: Reason; results: RuleResult[]; ip: { address?: string; source: string } } | undefined;
  constructor(json: string) {
    this.#json = json;
    // `{"conclusion":"ALLOW",...`: the core writes the conclusion first.
    const c = json.startsWith(PREFIX) ? json.slice(PREFIX.length, json.indexOf('"', PREFIX.length)) : (JSON.parse(json) as DecisionObject).conclusion;
    this.conclusion = c as Decision['conclusion'];
  }
  #full() {
    if (this.#parsed === undefined) {
      const d = JSON.parse(this.#json) as DecisionObject;
      this.#parsed = {
        id: d.id,
        reason: new Reason(d.reason),
        results: d.results.map((r: RuleResultObject) => ({ ...r, reason: new Reason(r.reason) }) as RuleResult),
        ip: d.ip,
      };
    }
    return this.#parsed;
  }
  /** A process-unique id for logs. */
  get id(): string {
    return this.#full().id;
  }
  /** Why: the denying rule's reason, the fault, or (when allowed) the tightest rate limit. */
  get reason(): Reason {
    return this.#full().reason;
  }
  /** Every rule's result, in rule order. */
  get results(): RuleResult[] {
    return this.#full().results;
  }
  /** The client address and where it came from. */
  get ip(): { address?: string; source: string } {
    return this.#full().ip;
  }
  /** What `console.log(decision)` shows: every field, as `JSON.stringify` does. */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return this.toJSON();
  }
  /** Plain data for logging (`JSON.stringify(decision)`). */
  toJSON(): { id: string; conclusion: string; reason: Reason; results: RuleResult[]; ip: { address?: string; source: string } } {
    const { id, reason, results, ip } = this.#full();
    return { id, conclusion: this.conclusion, reason, results, ip };
  }
  /** True for ALLOW and for ERROR (fail-open), as in Arcjet. */
  isAllowed(): boolean {
    return this.conclusion !== 'DENY';
  }
  isDenied(): boolean {
    return this.conclusion === 'DENY';
  }
  isErrored(): boolean {
    return this.conclusion === 'ERROR';
  }
}

const PREFIX = '{"conclusion":"';

/** Runs a native call, turning its configuration errors into `PalisadeError`s with the same code. */
function native_<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw asPalisade(err);
  }
}

/** A native error with a palisade code as a `PalisadeError`; anything else as it is. */
function asPalisade(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('PALISADE_') ? new PalisadeError(code, (err as Error).message) : err;
}

function clean<T>(value: T, path: string): T {
  // Plain data for the core, which validates it. Values JSON cannot carry are kept visible as
  // strings (`"NaN"`, `"10n"`, `"[function]"`) so that the core's error names them.
  const replacer = (_key: string, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function' || typeof v === 'symbol') return `[${typeof v}]`;
    return v;
  };
  try {
    return JSON.parse(JSON.stringify(value ?? null, replacer));
  } catch (err) {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${path}\`: got a value that cannot be read as plain data (${(err as Error).message}), expected plain objects, arrays, strings, numbers and booleans`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkClock(clock: unknown, path: string): InstanceType<typeof native.ManualClock> | undefined {
  if (clock === undefined || clock === null) return undefined;
  if (!(clock instanceof native.ManualClock)) {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${path}\`: got ${typeof clock}, expected a ManualClock (new ManualClock(startMs))`);
  }
  return clock;
}

function rule(descriptor: Record<string, unknown>, factory: string): Rule {
  const r = clean(descriptor, factory) as Rule;
  native_(() => native.validateRule(r, factory));
  return Object.freeze(r);
}

function options<T>(value: T, factory: string): T {
  if (!isPlainObject(value)) {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${factory}()\`: got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, expected an options object`);
  }
  // The factory sets these itself: a user's `type: 'BOT'` must not be silently overwritten.
  for (const key of ['type', 'algorithm']) {
    if (Object.hasOwn(value as object, key)) {
      const got = (value as Record<string, unknown>)[key];
      throw new PalisadeError('PALISADE_CONFIG_UNKNOWN', `invalid option \`${factory}.${key}\`: got ${shown(got)}, expected no \`${key}\` key (${factory}() sets it)`);
    }
  }
  return value;
}

/** Token bucket: `capacity` burst, `refillRate` tokens added every `interval`. */
export function tokenBucket(opts: TokenBucketOptions): Rule {
  return rule({ ...options(opts, 'tokenBucket'), type: 'RATE_LIMIT', algorithm: 'TOKEN_BUCKET' }, 'tokenBucket');
}
/** Fixed window: `max` requests per `window`, starting at a key's first request. */
export function fixedWindow(opts: FixedWindowOptions): Rule {
  return rule({ ...options(opts, 'fixedWindow'), type: 'RATE_LIMIT', algorithm: 'FIXED_WINDOW' }, 'fixedWindow');
}
/** Sliding window: `max` requests per rolling `interval`. */
export function slidingWindow(opts: SlidingWindowOptions): Rule {
  return rule({ ...options(opts, 'slidingWindow'), type: 'RATE_LIMIT', algorithm: 'SLIDING_WINDOW' }, 'slidingWindow');
}

const PEER_KEY = Symbol.for('palisade.peer');
/**
 * The socket peer address of the request being handled, set by palisade's server entry
 * (`palisade-next start`). Kept on globalThis so that the CJS and ESM builds share one store.
 */
export function peerStorage(): AsyncLocalStorage<string> {
  const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<string> | undefined>;
  return (g[PEER_KEY] ??= new AsyncLocalStorage<string>());
}

interface WebLikeRequest {
  method: string;
  url: string;
  headers: { forEach(cb: (value: string, key: string) => void): void; get(name: string): string | null };
}
interface NodeLikeRequest {
  method?: string;
  url?: string;
  rawHeaders: string[];
  socket?: { remoteAddress?: string };
}
/** Anything `protect()` accepts: a Web/Next.js `Request`, a Node.js `IncomingMessage`, or facts. */
export type RequestLike = WebLikeRequest | NodeLikeRequest | RequestFacts;

function splitUrl(url: string): { path: string; query: string } {
  // Avoid URL parsing: the core wants the raw path, and a hostile URL must not throw here.
  let rest = url;
  const scheme = rest.indexOf('://');
  if (scheme >= 0 && scheme < 10) {
    const slash = rest.indexOf('/', scheme + 3);
    rest = slash >= 0 ? rest.slice(slash) : '/';
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q >= 0 ? { path: rest.slice(0, q), query: rest.slice(q + 1) } : { path: rest, query: '' };
}

/** Request data as text, whatever it is: hostile data must give a verdict, never a throw. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return String(v);
  } catch {
    return '';
  }
}

/** Converts any supported request into the facts the core reads. */
export function toFacts(request: RequestLike): RequestFacts {
  if (request === null || typeof request !== 'object') {
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `protect() needs a Request, an IncomingMessage or request facts; got ${request === null ? 'null' : typeof request}`);
  }
  try {
    return factsOf(request);
  } catch (err) {
    // A throwing getter or a Proxy posing as a request: the caller's object, not request data.
    throw asRequestError(err, 'protect() could not read the request');
  }
}

function factsOf(request: RequestLike & object): RequestFacts {
  const peer = peerStorage().getStore();
  if ('rawHeaders' in request && Array.isArray(request.rawHeaders)) {
    const { path, query } = splitUrl(text(request.url ?? '/'));
    return { method: text(request.method ?? 'GET'), path, query, headers: request.rawHeaders.map(text), peer: peer ?? request.socket?.remoteAddress };
  }
  const h = (request as WebLikeRequest).headers;
  if (h && typeof h.forEach === 'function' && typeof (request as WebLikeRequest).url === 'string') {
    const headers: string[] = [];
    h.forEach((value, key) => {
      headers.push(text(key), text(value));
    });
    const { path, query } = splitUrl((request as WebLikeRequest).url);
    return { method: text((request as WebLikeRequest).method ?? 'GET'), path, query, headers, peer };
  }
  const f = request as RequestFacts;
  if (typeof f.path === 'string') {
    const query = text(f.query ?? '');
    return {
      method: text(f.method ?? 'GET'),
      path: f.path,
      // The query without its `?` (a leading one would become part of the first name).
      query: query.startsWith('?') ? query.slice(1) : query,
      // Flat `[name, value, ...]` as documented; pairs, a plain object, a Map or Headers are read too.
      headers: headerList(f.headers, 'protect() request.headers'),
      peer: f.peer === undefined || f.peer === null ? peer : text(f.peer),
    };
  }
  if ('path' in f || 'headers' in f) {
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `protect() request.path: got ${f.path === null ? 'null' : typeof f.path}, expected the path as a string such as '/api/items' (request facts are { method, path, query?, headers, peer? })`);
  }
  throw new PalisadeError('PALISADE_INVALID_REQUEST', 'protect() needs a Request, an IncomingMessage or request facts { method, path, headers: [name, value, ...] }');
}

/** What the wrapper read of a body for the shield. */
type BodyRead =
  /** No body to read (none, GET/HEAD, or not a Web request). */
  | undefined
  /** The first `cap + 1` bytes (or all of them). */
  | { bytes: Buffer; incomplete?: false }
  /** Not readable at all (already used, or the stream failed). */
  | 'unreadable'
  /** The bytes that came before the wait ran out. */
  | { bytes: Buffer; incomplete: true };

/**
 * Reads up to `cap + 1` bytes of a Web request's body from a clone, so the route handler can still
 * read the whole body itself; the extra byte tells the core the body went past the cap. Node.js
 * `IncomingMessage` bodies are streams that reading would consume: they are not read (pass
 * `props.body` instead). A client that sends its headers and then stalls must not hold
 * `protect()` forever: after `timeoutMs` the read is cancelled and the bytes that came are
 * inspected as an incomplete body. On a timeout those are never thrown away: an attack followed
 * by a stall would otherwise pass uninspected to the handler, which reads the whole body later.
 * (When the stream fails instead, the handler's copy fails too, and the body is `'unreadable'`.)
 */
async function readBody(request: RequestLike, cap: number, timeoutMs: number): Promise<BodyRead> {
  const r = request as { body?: unknown; bodyUsed?: boolean; clone?: () => { body: ReadableStream<Uint8Array> | null } };
  if (typeof r.clone !== 'function' || r.body === null || r.body === undefined) return undefined;
  const method = (request as WebLikeRequest).method?.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (r.bodyUsed) return 'unreadable';
    const stream = r.clone().body;
    if (!stream) return undefined;
    const reader = stream.getReader();
    let timedOut = false;
    // Each read races the timer, so the wait holds even for a stream whose pending read ignores
    // cancel() (a hand-made request object); a standard one also ends its read on cancel().
    const expired = new Promise<{ done: true; value: undefined }>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        // Ends the pending read; the handler's branch is left alone.
        reader.cancel().catch(() => {});
        resolve({ done: true, value: undefined });
      }, timeoutMs);
    });
    // Not unref'd: while a read is pending, the timer is what ends it (it is cleared below).
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (total <= cap && !timedOut) {
      // (A read that loses the race and fails later is handled by the race: no unhandled rejection.)
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done || value === undefined) break;
      chunks.push(value);
      total += value.byteLength;
    }
    const bytes = Buffer.concat(chunks).subarray(0, cap + 1);
    if (timedOut) return { bytes, incomplete: true };
    // Stop reading this branch; the handler's branch still gets every byte.
    reader.cancel().catch(() => {});
    return { bytes };
  } catch {
    return 'unreadable';
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function checkRequested(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 134_217_727) {
    throw new PalisadeError('PALISADE_INVALID_PROPS', `${where}: got ${shown(v)}, expected an integer from 0 to 134217727`);
  }
  return v;
}

/** Bytes as text (UTF-8, invalid sequences replaced), read in place. */
function utf8(u: Uint8Array): string {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('utf8');
}

/** A value as an error message shows it: strings quoted, so that "1" and 1 differ. */
function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}...` : v) : text(v);
}


/** A field of a packed request: U+0001 and NUL escaped (see `request_of_packed` in src/napi). */
function field(s: string): string {
  return ESCAPED.test(s) ? s.replace(/[\0\x01]/g, (c) => (c === '\0' ? '\x01\x02' : '\x01\x01')) : s;
}
const ESCAPED = /[\0\x01]/;

/**
 * The facts as one string for the core: method, path, query, peer, then header names and values,
 * NUL-separated. One string crosses N-API in one conversion; an object with a list of strings
 * costs a property lookup and a conversion per field.
 */
function pack(f: RequestFacts): string {
  let out = `${field(f.method)}\0${field(f.path)}\0${field(f.query ?? '')}\0${field(f.peer ?? '')}`;
  const h = f.headers;
  for (let i = 0; i + 1 < h.length; i += 2) out += `\0${field(h[i])}\0${field(h[i + 1])}`;
  return out;
}

type NativeProps = { values: string[]; requested?: number; email?: string };

function toProps(props?: ProtectProps): NativeProps | undefined {
  // No props is the common case: nothing to convert on either side of the boundary.
  if (props === undefined || props === null) return undefined;
  if (typeof props !== 'object') {
    throw new PalisadeError('PALISADE_INVALID_PROPS', `protect() props: got ${shown(props)}, expected an object such as { userId: '42' }`);
  }
  const values: string[] = [];
  let requested: number | undefined;
  let email: string | undefined;
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (k === 'email') {
        // Any value is judged (a non-string is simply not a valid address), never thrown on.
        if (v !== undefined && v !== null) email = text(v);
      } else if (k === 'requested') {
        requested = checkRequested(v, 'protect() props.requested');
      } else if (k === 'body') {
        // Read by the shield wrapper (Palisade#withBody), never a characteristic.
      } else if (typeof v === 'string') {
        values.push(k, v);
      } else if (typeof v === 'number' && !Number.isFinite(v)) {
        // NaN would make every request with a failed parse one client ("NaN").
        throw new PalisadeError('PALISADE_INVALID_PROPS', `protect() props.${k}: got ${v}, expected a string, a finite number or a boolean`);
      } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
        values.push(k, String(v));
      } else if (v instanceof Uint8Array) {
        values.push(k, utf8(v));
      } else if (v !== undefined && v !== null) {
        throw new PalisadeError('PALISADE_INVALID_PROPS', `protect() props.${k}: got ${typeof v}, expected a string, number or boolean`);
      }
    }
  }
  return { values, requested, email };
}

/** A configured set of rules. Create one per app, at module scope, and call `protect()` per request. */
export class Palisade<A extends boolean = boolean> {
  readonly #engine: InstanceType<typeof native.Engine>;
  readonly #options: PalisadeOptions;
  /** Whether `protect()` returns a promise (some rule looks something up, e.g. an MX check). */
  readonly async: A;
  constructor(options: PalisadeOptions) {
    if (options === null || typeof options !== 'object') {
      throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`palisade()\`: got ${String(options)}, expected an options object`);
    }
    this.#options = options;
    const { clock, rules, ...rest } = options;
    const flat = Array.isArray(rules) ? rules.flat() : rules;
    const manual = checkClock(clock, 'clock');
    this.#engine = native_(() => new native.Engine(clean({ ...rest, rules: flat }, 'palisade'), manual));
    // How much body the shield rules read and how long they wait for it, from the core.
    [this.#bodyCap, this.#bodyTimeoutMs] = this.#engine.bodyRead ?? [0, 0];
    this.#lookups = this.#engine.needsAsync;
    this.async = (this.#lookups || this.#bodyCap > 0) as A;
  }
  /** Whether the engine must be called through `protectAsync` (read once: a getter crosses N-API). */
  readonly #lookups: boolean;
  /** Body bytes read for the shield (0 without a shield rule). */
  readonly #bodyCap: number;
  /** How long the shield waits for the body before inspecting what came as incomplete. */
  readonly #bodyTimeoutMs: number;
  /**
   * Judges a request. Synchronous when every rule is local (so `await` works too); a promise when
   * some rule looks something up (`validateEmail({ checkMx: true })`) or reads the body
   * (`shield()`). Never throws or rejects for request data or lookup failures; an internal fault
   * gives an ERROR decision. Misuse (not a request, bad props) throws a `PalisadeError`, or, from
   * an instance that returns promises, rejects with it.
   */
  protect(request: RequestLike, props?: ProtectProps): Protected<A> {
    let facts: RequestFacts;
    let converted: NativeProps | undefined;
    try {
      facts = toFacts(request);
      const given = props?.body;
      if (given !== undefined && given !== null && typeof given !== 'string' && !(given instanceof Uint8Array)) {
        throw new PalisadeError('PALISADE_INVALID_PROPS', `protect() props.body: got ${typeof given}, expected a string or a Uint8Array`);
      }
      converted = toProps(props);
    } catch (err) {
      // Misuse (not a request, bad props): thrown by an instance whose protect() is synchronous,
      // a rejected promise from one that returns promises, so `.catch()` sees it.
      if (this.#bodyCap > 0 || this.#lookups) return Promise.reject(err) as Protected<A>;
      throw err;
    }
    if (this.#bodyCap > 0) {
      return this.#withBody(request, facts, props).then((f) => this.#run(f, converted)) as Protected<A>;
    }
    return this.#run(facts, converted) as Protected<A>;
  }
  #run(facts: RequestFacts, props: NativeProps | undefined): Decision | Promise<Decision> {
    // The engine takes the request packed into one string and answers with the decision as JSON
    // text, which Decision parses only when more than the conclusion is read (src/napi, Engine).
    if (this.#lookups) {
      return this.#engine.protectAsync(pack(facts), facts.body, facts.bodyUnreadable, props).then((d) => new Decision(d));
    }
    return new Decision(this.#engine.protect(pack(facts), facts.body, facts.bodyUnreadable, props));
  }
  async #withBody(request: RequestLike, facts: RequestFacts, props?: ProtectProps): Promise<RequestFacts> {
    const given = props?.body;
    if (given !== undefined && given !== null) {
      // Bytes are viewed, not copied (the core copies the first cap + 1 bytes it reads).
      const u = given as Uint8Array;
      const bytes = typeof given === 'string' ? Buffer.from(given, 'utf8') : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      return { ...facts, body: bytes.subarray(0, this.#bodyCap + 1) };
    }
    const read = await readBody(request, this.#bodyCap, this.#bodyTimeoutMs);
    if (read === undefined) return facts;
    if (read === 'unreadable') return { ...facts, bodyUnreadable: true };
    return read.incomplete ? { ...facts, body: read.bytes, bodyUnreadable: true } : { ...facts, body: read.bytes };
  }
  /** A new instance with one more rule (for a route that needs more than the app-wide rules). */
  withRule(rule: Rule | Rule[]): Palisade {
    return new Palisade({ ...this.#options, rules: [...this.#options.rules, rule] });
  }
}

/** Bot entries: ids such as `GOOGLE_CRAWLER`, or categories such as `CATEGORY:AI_CRAWLER`. */
export interface DetectBotOptions {
  mode?: Mode;
  /** Every detected bot not listed here is denied. Give `allow` or `deny`, not both. */
  allow?: string[];
  /** Only the bots listed here are denied. */
  deny?: string[];
  /** A missing or empty User-Agent counts as the bot `UNKNOWN_BOT` (`BOT`, default) or as a person. */
  emptyUserAgent?: 'BOT' | 'HUMAN';
  /**
   * Verify claimed crawlers by reverse DNS plus forward confirmation (Googlebot, Bingbot, Applebot,
   * Yandex, Baidu, ...) and by address blocks, instead of the shipped blocks alone. Makes
   * `protect()` return a promise. `true` for the defaults, or options. Default: off (blocks only,
   * synchronous).
   */
  verify?: boolean | VerifyOptions;
  /**
   * Bots of your own, on top of the builtin database: `{ id: 'ACME_PROBE', pattern: 'acme-probe/\\d',
   * category: 'MONITOR' }`. Patterns use Rust `regex` syntax (linear time), case-insensitive, at
   * most 1,024 bytes each and 1,000 in all; ids at most 64 bytes. A pattern that matches the empty
   * string or an ordinary browser's User-Agent is refused (it would deny every visitor). Ids may
   * then appear in `allow`/`deny`.
   */
  custom?: Array<{ id: string; pattern: string; category: string }>;
}

/** Options of crawler verification by DNS. */
export interface VerifyOptions {
  /** Longest wait for one verification, 1 to 30000 ms. Default 1000. A timeout gives `UNVERIFIABLE`. */
  timeoutMs?: number;
  /** Name servers for this rule; default: the engine's `dns` option, else the system resolver. */
  nameservers?: string[];
  /** A file of address blocks (the vendors' JSON, or `BOT_ID CIDR` lines) replacing the shipped ones per bot. */
  rangesFile?: string;
  /** The same, inline: `{ GOOGLE_CRAWLER: { prefixes: [...] } }` or `{ GOOGLE_CRAWLER: ["66.249.64.0/19"] }`. */
  ranges?: Record<string, unknown>;
}

/** Bot detection on the User-Agent, with verification of claimed crawlers. */
export function detectBot(opts: DetectBotOptions & { verify: true | VerifyOptions }): AsyncRule;
export function detectBot(opts: DetectBotOptions & { verify?: false }): Rule;
export function detectBot(opts: DetectBotOptions): Rule | AsyncRule;
export function detectBot(opts: DetectBotOptions): Rule | AsyncRule {
  return rule({ ...options(opts, 'detectBot'), type: 'BOT' }, 'detectBot');
}

/**
 * Whether a User-Agent is a bot. Never throws: bytes (a `Buffer` of a raw header) are read as
 * UTF-8, as `validateEmail` reads them; anything else that is not a string counts as an empty UA.
 */
export function isBot(userAgent: string | Uint8Array): boolean {
  return native.isBot(uaOf(userAgent));
}

/** Which bots a User-Agent names, and their categories (`SEARCH_ENGINE`, `AI_CRAWLER`, ...). */
export function classifyBot(userAgent: string | Uint8Array): { bot: boolean; ids: string[]; categories: string[] } {
  return native.classifyBot(uaOf(userAgent));
}

function uaOf(v: unknown): string {
  if (typeof v === 'string') return v;
  // Decoding more than 64 KiB would be wasted: the matcher reads the first 1,024 bytes, and past
  // that only the length counts (a very long UA is a signal).
  if (v instanceof Uint8Array) return utf8(v.subarray(0, 64 * 1024));
  return v as string;
}

/** Options of `redisStore()`. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). */
  url: string;
  /** First part of every key, so several apps can share one Redis. Default `palisade`. */
  prefix?: string;
  /** Longest wait for one decision's round trip. Default 50 ms. */
  timeoutMs?: number;
  /** On a store error: let requests through with an ERROR decision (`open`, default) or deny (`closed`). */
  failMode?: 'open' | 'closed';
  /** On a store error (only then, never on a denial), answer from the in-memory limiter. Default false. */
  fallback?: boolean;
  /** How often a dead connection is retried in the background, 10 to 60,000 ms. Default 1,000. */
  reconnectMs?: number;
  /** PEM of a private CA for `rediss://`. */
  tlsCa?: string;
}

declare const storeMark: unique symbol;
/** A store configuration for `palisade({ store })`. */
export type RedisStore = RedisStoreOptions & { readonly [storeMark]: true };

/**
 * Rate limits shared across processes in Redis: atomic scripts on the server's clock, one round
 * trip per `protect()` whatever the number of rules, keys with a TTL of about their window. Bad
 * options throw here with a stable code; nothing connects until the first request.
 */
export function redisStore(opts: RedisStoreOptions): RedisStore {
  const o = options(opts, 'redisStore');
  const store = clean(o, 'redisStore') as RedisStoreOptions;
  // Validates (URL, ranges) without connecting: an engine with no rules and this store.
  native_(() => new native.Engine({ rules: [], store }, undefined));
  return Object.freeze(store) as RedisStore;
}

/** Options of `shield()`. */
export interface ShieldOptions {
  mode?: Mode;
  /** `LOW` (only unambiguous attacks), `MEDIUM` (default) or `HIGH` (also weak signals). */
  sensitivity?: 'LOW' | 'MEDIUM' | 'HIGH';
  /** Attack requests within `blockFor` that block the client, also for clean requests; 0 = never block. Default 3. */
  threshold?: number;
  /** How long a client stays blocked (and the window its attacks are counted in). Default `"15m"`. */
  blockFor?: number | string;
  /** Locations not inspected: `body.content`, `query.html`, `header.x-raw` (a prefix covers `body.post.*`). */
  exclude?: string[];
  /** Body bytes read and inspected, 1 to 16 MiB. Default 65536. */
  maxBodyBytes?: number;
  /**
   * How long `protect()` waits for the request body, 1 to 60,000 ms. Default 5,000. A body still
   * arriving by then (a client that stalls after its headers, or midway) is inspected as far as it
   * came: `reason.body` is `INCOMPLETE` and `reason.caps` has `BODY_INCOMPLETE`, which denies the
   * request unless `uninspected: 'ALLOW'` (the rest, which the handler may still read, was never
   * inspected). With several shield rules, the shortest wait of the `LIVE` ones applies (of the
   * `DRY_RUN` ones when none is `LIVE`).
   */
  bodyTimeoutMs?: number;
  /**
   * A request with more values (query args, form fields, JSON strings, cookies: 1,024) or header
   * lines (64) than the shield inspects, or whose body stopped arriving within `bodyTimeoutMs`:
   * `DENY` (default; an attack could sit after the padding or the stall) or `ALLOW` (still
   * reported in `reason.caps`).
   */
  uninspected?: 'DENY' | 'ALLOW';
  /** Rules with the same settings and name share one block list across the process. */
  name?: string;
}

/**
 * Attack detection (SQL injection, XSS, path traversal, command injection, SSRF, NoSQL operators,
 * prototype pollution, CRLF, SSTI, JNDI, XXE, scanners) on the path, query, headers, cookies and
 * body, with per-client blocking. The body is read from a clone of the request (the handler can
 * still read it), so `protect()` returns a promise.
 */
export function shield(opts: ShieldOptions = {}): AsyncRule {
  return rule({ ...options(opts, 'shield'), type: 'SHIELD' }, 'shield') as AsyncRule;
}

/** One attack found by the shield. */
export interface Finding {
  family: 'sqli' | 'xss' | 'traversal' | 'cmdi' | 'ssrf' | 'nosqli' | 'proto-pollution' | 'crlf' | 'ssti' | 'jndi' | 'xxe' | 'scanner';
  /** Where: `query.id`, `body.user.name`, `header.referer`, `cookie.session`, `path.segment[1]`, ... */
  location: string;
  /** 0 to 100. */
  score: number;
  /** Up to 64 characters around the match, escaped, safe to log. */
  snippet: string;
}

/** Input of `detectAttacks()`. */
export interface AttackInput {
  method?: string;
  /** Path and query (`/search?q=...`), or a full URL as text or a `URL` object. */
  url: string | URL;
  /** A Web `Headers`, a `Map`, a plain object, `[name, value]` pairs or a flat `[name, value, ...]` list. */
  headers?: Headers | Map<string, string> | Record<string, string> | Array<[string, string]> | string[];
  /**
   * Text, bytes (`Uint8Array`, `ArrayBuffer`, `DataView`), `URLSearchParams` (as a urlencoded form)
   * or a parsed JSON value (inspected as its JSON). `Blob`, `FormData` and streams are refused with
   * a `PALISADE_INVALID_REQUEST`: read them first.
   */
  body?: string | Uint8Array | ArrayBuffer | DataView | URLSearchParams | object | number | boolean;
  contentType?: string;
}

/** Inspects one request for attacks, outside `protect()`. Never throws for the request data. */
export function detectAttacks(input: AttackInput, opts?: Pick<ShieldOptions, 'sensitivity' | 'exclude' | 'maxBodyBytes'>): { attack: boolean; findings: Finding[]; body: string; caps: string[] } {
  if (input === null || typeof input !== 'object') {
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `detectAttacks() needs { url, method?, headers?, body?, contentType? }; got ${input === null ? 'null' : typeof input}`);
  }
  let packed: string;
  let body: Buffer | undefined;
  let contentType: string | undefined;
  try {
    const given: unknown = input.url;
    // A URL object is read as its text (the full URL, which the core accepts).
    const url: unknown = given instanceof URL ? given.href : given;
    if (typeof url !== 'string') {
      throw new PalisadeError('PALISADE_INVALID_REQUEST', `detectAttacks() input.url: got ${url === null ? 'null' : typeof url}, expected the path and query (or a full URL) as a string`);
    }
    const flat = headerList(input.headers, 'detectAttacks() input.headers');
    body = attackBody(input.body);
    const method = input.method === undefined ? 'GET' : text(input.method);
    contentType = input.contentType === undefined ? undefined : text(input.contentType);
    // The same packed form as protect() (method, URL, two empty fields, headers): one string across N-API.
    packed = pack({ method, path: url, query: '', headers: flat });
  } catch (err) {
    throw asRequestError(err, 'detectAttacks() could not read its input');
  }
  const json = native_(() => native.detectAttacksPacked(packed, body, contentType, opts === undefined ? undefined : clean(opts, 'detectAttacks'))) as string;
  return JSON.parse(json) as { attack: boolean; findings: Finding[]; body: string; caps: string[] };
}

/**
 * Header lines as the flat list the core reads, from a Web `Headers` or a `Map` (anything with
 * `forEach(value, key)`), a plain object, a flat list `[name, value, ...]` or a list of pairs.
 */
function headerList(h: unknown, where: string): string[] {
  const flat: string[] = [];
  if (h === undefined || h === null) return flat;
  if (Array.isArray(h)) {
    for (let i = 0; i < h.length; i++) {
      const e: unknown = h[i];
      if (Array.isArray(e)) flat.push(text(e[0]), text(e[1]));
      else if (i + 1 < h.length) flat.push(text(e), text(h[++i]));
    }
  } else if (typeof h === 'object' && typeof (h as { forEach?: unknown }).forEach === 'function') {
    (h as { forEach(cb: (v: unknown, k: unknown) => void): void }).forEach((v, k) => flat.push(text(k), text(v)));
  } else if (typeof h === 'object') {
    for (const [k, v] of Object.entries(h)) flat.push(k, text(v));
  } else {
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `${where}: got ${typeof h}, expected Headers, a Map, an object or a list of [name, value]`);
  }
  return flat;
}

/**
 * A `detectAttacks()` body as bytes: text as UTF-8; bytes (`Uint8Array`, `Buffer`, any typed array,
 * `ArrayBuffer`, `DataView`) as they are; `URLSearchParams` as the urlencoded form a browser sends;
 * a parsed JSON value (object, array, number, boolean: what `await req.json()` returns) as its
 * JSON. Bodies that are read asynchronously (`Blob`, `FormData`, a stream) or that JSON would
 * silently empty (`Map`, `Set`) are refused with the way to pass them, rather than inspected as
 * `{}`, which would report a clean body that was never seen.
 */
function attackBody(b: unknown): Buffer | undefined {
  if (b === undefined || b === null) return undefined;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (ArrayBuffer.isView(b)) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer)) return Buffer.from(b);
  if (b instanceof URLSearchParams) return Buffer.from(b.toString(), 'utf8');
  if (typeof b !== 'object') return Buffer.from(typeof b === 'number' || typeof b === 'boolean' ? JSON.stringify(b) : text(b), 'utf8');
  const kind = bodyKind(b);
  if (kind !== undefined) {
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `detectAttacks() input.body: got a ${kind}, expected text, bytes or a parsed JSON value; read it first (e.g. await req.text(), or new Uint8Array(await blob.arrayBuffer())), or use protect(), which reads a Request's body itself`);
  }
  return Buffer.from(jsonText(b), 'utf8');
}

/** The name of a body type that `JSON.stringify` cannot show, or `undefined` for a JSON value. */
function bodyKind(b: object): string | undefined {
  if (typeof Blob !== 'undefined' && b instanceof Blob) return 'Blob';
  if (typeof FormData !== 'undefined' && b instanceof FormData) return 'FormData';
  if (typeof ReadableStream !== 'undefined' && b instanceof ReadableStream) return 'ReadableStream';
  if (b instanceof Map) return 'Map';
  if (b instanceof Set) return 'Set';
  if (b instanceof Promise) return 'Promise';
  if (typeof Request !== 'undefined' && b instanceof Request) return 'Request';
  if (typeof Response !== 'undefined' && b instanceof Response) return 'Response';
  if (typeof (b as { pipe?: unknown }).pipe === 'function' || typeof (b as { getReader?: unknown }).getReader === 'function') return 'stream';
  return undefined;
}

/**
 * An object body as JSON text (what a client would have sent). `JSON.stringify` recurses, so a
 * value parsed from a hostile body nested some thousands of levels deep overflows the stack: that
 * one is written by `deepJsonText` instead, so the body still gets a verdict. A value no client
 * could have sent (cyclic, or holding a BigInt) is the caller's mistake and is refused.
 */
function jsonText(v: object): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch (err) {
    if (err instanceof RangeError) return deepJsonText(v);
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `detectAttacks() input.body: cannot be read as JSON (${(err as Error).message}); pass the text or bytes the client sent`);
  }
}

/** `JSON.stringify` without recursion (no `toJSON`, no replacer): an explicit stack of open containers. */
function deepJsonText(root: object): string {
  type Open = { close: string; items: Array<[string | undefined, unknown]>; next: number; value: object };
  const out: string[] = [];
  const stack: Open[] = [];
  const open = new Set<object>();
  const write = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (open.has(v)) throw new TypeError('Converting circular structure to JSON');
    open.add(v);
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ close: ']', items: v.map((x) => [undefined, x]), next: 0, value: v });
    } else {
      out.push('{');
      const items: Array<[string, unknown]> = [];
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined && typeof x !== 'function' && typeof x !== 'symbol') items.push([k, x]);
      }
      stack.push({ close: '}', items, next: 0, value: v });
    }
  };
  try {
    write(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next === top.items.length) {
        out.push(top.close);
        open.delete(top.value);
        stack.pop();
        continue;
      }
      const [key, x] = top.items[top.next++];
      if (top.next > 1) out.push(',');
      if (key !== undefined) out.push(`${JSON.stringify(key)}:`);
      write(typeof x === 'function' || typeof x === 'symbol' || x === undefined ? null : x);
    }
  } catch (err) {
    throw new PalisadeError('PALISADE_INVALID_REQUEST', `detectAttacks() input.body: cannot be read as JSON (${(err as Error).message}); pass the text or bytes the client sent`);
  }
  return out.join('');
}

/** A fault while reading a caller's request object (a throwing getter, a Proxy) as a PalisadeError. */
function asRequestError(err: unknown, what: string): PalisadeError {
  if (err instanceof PalisadeError) return err;
  return new PalisadeError('PALISADE_INVALID_REQUEST', `${what}: ${err instanceof Error ? err.message : text(err)}`);
}

/** Email types: `INVALID`, `DISPOSABLE`, `FREE`, `NO_MX_RECORDS`, `ROLE`. */
export type EmailType = 'INVALID' | 'DISPOSABLE' | 'FREE' | 'NO_MX_RECORDS' | 'ROLE';

export interface EmailSyntaxOptions {
  /** Reject single-label domains such as `user@localhost`. Default true. */
  requireTopLevelDomain?: boolean;
  /** Accept `user@[192.0.2.1]`. Default false. */
  allowDomainLiteral?: boolean;
  /** Accept quoted local parts such as `"john doe"@example.com`. Default false. */
  allowQuoted?: boolean;
  /** Accept non-ASCII local parts (RFC 6531). Default true. */
  allowUtf8LocalPart?: boolean;
}

export interface ValidateEmailOptions extends EmailSyntaxOptions {
  mode?: Mode;
  /** Types that deny. Give `deny` or `allow`, not both. */
  deny?: EmailType[];
  /** The only types that may pass. */
  allow?: EmailType[];
  /**
   * Look up the domain's MX records (adds `NO_MX_RECORDS` when it cannot receive mail). Makes
   * `protect()` return a promise. A DNS timeout or failure is reported in `reason.mx` and never
   * counts against the address. Default false.
   */
  checkMx?: boolean;
  /** Longest wait for the MX answer, 1 to 30000 ms. Default 2000. */
  mxTimeoutMs?: number;
}

/** Options of `validateEmailAsync()`: the syntax options, the MX timeout, and where to ask. */
export interface ValidateEmailAsyncOptions extends EmailSyntaxOptions {
  /** Longest wait for the MX answer, 1 to 30000 ms. Default 2000. */
  mxTimeoutMs?: number;
  /** Name servers to ask, e.g. `["127.0.0.1:5353"]`. Default: the system resolver. */
  dns?: { nameservers?: string[] };
}

/** What the MX check found. `TIMEOUT` and `UNAVAILABLE` say nothing about the address. */
export type MxOutcome = 'HAS_MX' | 'IMPLICIT_MX' | 'NO_MX_RECORDS' | 'NULL_MX' | 'TIMEOUT' | 'UNAVAILABLE';

export interface EmailVerdict {
  valid: boolean;
  types: EmailType[];
  /** Why an address is invalid: `MISSING_TLD`, `LOCAL_PART_TOO_LONG`, `INVALID_CHARACTER`, ... */
  reasons: string[];
  /** The address with a lower-case punycode domain. */
  normalized?: string;
  /** A likely intended address, for a typo of a big provider's domain. */
  suggestion?: string;
}

/**
 * With an options object: the email rule (the address comes from `protect(req, { email })`).
 * With a string: validates that address now (syntax, IDN, disposable, free, role); never throws
 * for the address.
 */
export function validateEmail(options: ValidateEmailOptions & { checkMx: true }): AsyncRule;
export function validateEmail(options: ValidateEmailOptions & { checkMx?: false }): Rule;
export function validateEmail(options: ValidateEmailOptions): Rule | AsyncRule;
export function validateEmail(address: string | Uint8Array | null | undefined, options?: EmailSyntaxOptions): EmailVerdict;
export function validateEmail(first: ValidateEmailOptions | string | Uint8Array | null | undefined, options?: EmailSyntaxOptions): Rule | EmailVerdict {
  // An address is judged whatever its type (`formData.get('email')` gives null when the field is
  // missing): only an object (or nothing) is read as the rule's options.
  // `validateEmail(undefined)` and `validateEmail(undefined, options)` are the direct call with a
  // missing address, too (only `validateEmail()` with no argument at all asks for a rule). Bytes
  // (a Buffer from a raw body) are an address in UTF-8.
  const bytes = first instanceof Uint8Array;
  if (first === null || bytes || (typeof first !== 'object' && first !== undefined) || (first === undefined && (options !== undefined || arguments.length > 0))) {
    const address = first === null || first === undefined ? '' : typeof first === 'string' ? first : bytes ? utf8(first) : text(first);
    const bits = options === undefined ? undefined : native_(() => native.emailOptions(clean(options, 'validateEmail')));
    let packed;
    try {
      packed = native.emailVerdict(address, bits);
    } catch (err) {
      // Only `PALISADE_INTERNAL` (a fault, not the address): surfaced as `native_` does.
      native_(() => {
        throw err;
      });
    }
    return emailVerdict(address, packed!);
  }
  return rule({ ...options_(first as ValidateEmailOptions), type: 'EMAIL' }, 'validateEmail');
}

// The names the packed verdicts of `native.emailVerdict` index, from the core, and for each set
// of type bits the list it stands for (copied per verdict, so that callers may change theirs).
const EMAIL_NAMES = native.emailNames();
const EMAIL_TYPE_LISTS: EmailType[][] = Array.from({ length: 1 << EMAIL_NAMES.types.length }, (_, bits) =>
  EMAIL_NAMES.types.filter((_, i) => bits & (1 << i)) as EmailType[],
);

/**
 * Unpacks `native.emailVerdict` (layout in src/napi/fast.rs): bit 0 valid, bits 1 to 5 the types,
 * bits 8 to 15 one plus the reason's index; a normalized address that differs from the input and a
 * suggestion come beside the number, in an array. Keys are set as the napi-rs object had them:
 * `normalized` and `suggestion` only when present.
 */
function emailVerdict(address: string, packed: number | [number, string?, string?]): EmailVerdict {
  const code = typeof packed === 'number' ? packed : packed[0];
  const valid = (code & 1) === 1;
  const typeBits = (code >> 1) & 31;
  const types = typeBits === 0 ? [] : EMAIL_TYPE_LISTS[typeBits].slice();
  const reason = code >>> 8;
  const reasons = reason === 0 ? [] : [EMAIL_NAMES.reasons[reason - 1]];
  if (!valid) return { valid, types, reasons };
  if (typeof packed === 'number') return { valid, types, reasons, normalized: address };
  const v: EmailVerdict = { valid, types, reasons, normalized: packed[1] ?? address };
  if (packed[2] !== undefined) v.suggestion = packed[2];
  return v;
}

/**
 * Validates an address like `validateEmail(address)`, then checks that its domain can receive
 * mail (MX, or an address record as the implicit MX; a null MX `0 .` accepts nothing). Resolves
 * with the verdict plus `mx`; never rejects for the address or for DNS failures.
 */
export function validateEmailAsync(address: string, options?: ValidateEmailAsyncOptions): Promise<EmailVerdict & { mx?: MxOutcome }> {
  // As validateEmail: a missing address (null, undefined) is the empty address.
  const a = address === null || address === undefined ? '' : text(address);
  return native_(() => native.validateEmailAsync(a, options === undefined ? undefined : clean(options, 'validateEmailAsync'))) as Promise<EmailVerdict & { mx?: MxOutcome }>;
}

function options_(value: ValidateEmailOptions): ValidateEmailOptions {
  return options(value, 'validateEmail');
}

export interface ProtectSignupOptions {
  email: ValidateEmailOptions;
  bots: DetectBotOptions;
  rateLimit: SlidingWindowOptions;
}

/** Signup protection: email validation, bot detection and a sliding-window limit, in that order. */
export function protectSignup<const O extends ProtectSignupOptions>(
  options: O,
): [
  O['email'] extends { checkMx: true } ? AsyncRule : O['email'] extends { checkMx?: false } ? Rule : Rule | AsyncRule,
  O['bots'] extends { verify: true | VerifyOptions } ? AsyncRule : O['bots'] extends { verify?: false } ? Rule : Rule | AsyncRule,
  Rule,
];
export function protectSignup(options: ProtectSignupOptions): Array<Rule | AsyncRule> {
  if (options === null || typeof options !== 'object') {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`protectSignup()\`: got ${String(options)}, expected { email, bots, rateLimit }`);
  }
  for (const key of ['email', 'bots', 'rateLimit'] as const) {
    const v = options[key];
    if (v === undefined || v === null) {
      throw new PalisadeError('PALISADE_CONFIG_MISSING', `invalid option \`protectSignup.${key}\`: got nothing, expected the options of ${key === 'email' ? 'validateEmail()' : key === 'bots' ? 'detectBot()' : 'slidingWindow()'}`);
    }
    if (typeof v !== 'object') {
      throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`protectSignup.${key}\`: got ${shown(v)}, expected an options object`);
    }
  }
  return [validateEmail(options.email), detectBot(options.bots), slidingWindow(options.rateLimit)];
}

/**
 * Builds a rule set. Bad options throw a `PalisadeError` with a stable `code`. `protect()` is
 * synchronous unless some rule looks something up (then it returns a promise; `await` suits both).
 */
export function palisade<const O extends PalisadeOptions>(options: O): Palisade<IsAsync<O>> {
  return new Palisade<IsAsync<O>>(options);
}
export default palisade;

/**
 * The helpers take what `protect()` returned, resolved: a forgotten `await` (a Promise), or
 * `undefined`, would otherwise fail deep inside with a bare TypeError.
 */
function decisionOf(d: unknown, helper: string): Decision {
  const reason = (d as { reason?: { isRateLimit?: unknown } } | null | undefined)?.reason;
  if (d === null || typeof d !== 'object' || typeof (d as { isDenied?: unknown }).isDenied !== 'function' || typeof reason?.isRateLimit !== 'function') {
    const got = d === null ? 'null' : d instanceof Promise ? 'a Promise (await protect() first)' : typeof d;
    throw new PalisadeError('PALISADE_INVALID_ARGUMENT', `${helper}(): got ${got}, expected the Decision that protect() returned`);
  }
  return d as Decision;
}

/** `RateLimit` and `RateLimit-Policy` headers (IETF draft), plus `Retry-After` when denied. */
export function rateLimitHeaders(decision: Decision): Record<string, string> {
  const r = decisionOf(decision, 'rateLimitHeaders').reason;
  if (!r.isRateLimit() || r.max === undefined) return {};
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"palisade";q=${r.max};w=${r.window}`,
    RateLimit: `"palisade";r=${r.remaining};t=${r.reset}`,
  };
  if (decision.isDenied()) headers['Retry-After'] = String(r.reset);
  return headers;
}

/** The status and JSON body for a denial: 429 for rate limits, 503 for fail-closed faults, 403 otherwise. */
export function denial(decision: Decision): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const r = decisionOf(decision, 'denial').reason;
  if (r.isRateLimit()) {
    return { status: 429, headers: rateLimitHeaders(decision), body: { error: 'Too Many Requests', reason: r.type, id: decision.id, retryAfter: r.reset } };
  }
  if (r.isError() || r.isStoreError()) {
    return { status: 503, headers: {}, body: { error: 'Service Unavailable', reason: r.type, id: decision.id } };
  }
  if (r.isShield() && r.blocked && r.reset) {
    return { status: 403, headers: { 'Retry-After': String(r.reset) }, body: { error: 'Forbidden', reason: r.type, id: decision.id, blocked: true, retryAfter: r.reset } };
  }
  return { status: 403, headers: {}, body: { error: 'Forbidden', reason: r.type, id: decision.id } };
}

/**
 * A manual clock for tests: `new ManualClock(startMs)`, then `advance(ms)` or `set(ms)`. Times are
 * milliseconds, finite, from 0 to 2^53-1 (fractions dropped); anything else throws a
 * `PalisadeError` (`PALISADE_CONFIG_TYPE` or `_RANGE`) rather than leaving the clock where it was.
 * The core checks the values; this class only turns what N-API cannot pass to it (not a number)
 * and the core's errors into `PalisadeError`s.
 */
export class ManualClock extends native.ManualClock {
  constructor(startMs: number = 0) {
    clockArg(startMs, 'ManualClock(startMs)');
    try {
      super(startMs);
    } catch (err) {
      throw asPalisade(err);
    }
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    clockArg(ms, 'ManualClock.advance(ms)');
    native_(() => super.advance(ms));
  }
  /** Sets the clock to `ms` milliseconds since the epoch. */
  set(ms: number): void {
    clockArg(ms, 'ManualClock.set(ms)');
    native_(() => super.set(ms));
  }
}

/** A clock argument must be a number for N-API to pass it on (the core checks its value). */
function clockArg(v: unknown, where: string): void {
  if (typeof v !== 'number') {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${where}\`: got ${shown(v)}, expected a finite number of milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
}
/** The answer of `RateLimiter.check()`. */
export interface LimitResult {
  allowed: boolean;
  max: number;
  remaining: number;
  /** Seconds until a denied call could succeed, or until the allowance is full again. */
  reset: number;
  /** The window or refill interval in seconds. */
  window: number;
  /** Set when palisade could not judge the call (an internal fault); `allowed` is then true (fail-open). */
  error?: string;
}

const PACK = 2 ** 26;

/** One rate limit used directly by key, outside of requests (jobs, sockets, custom servers). */
export class RateLimiter {
  readonly #handle: number;
  readonly max: number;
  readonly window: number;
  constructor(rule: Rule, clock?: InstanceType<typeof native.ManualClock>) {
    const type = (rule as { type?: unknown } | null | undefined)?.type;
    if (type !== 'RATE_LIMIT') {
      const got = rule === null || rule === undefined ? String(rule) : typeof type === 'string' ? `a ${type} rule` : typeof rule;
      throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`rateLimiter()\`: got ${got}, expected a rate-limit rule such as fixedWindow({ window: '1m', max: 10 })`);
    }
    this.#handle = native_(() => native.limiterOpen(clean(rule, 'rateLimiter'), 'rateLimiter', checkClock(clock, 'rateLimiter.clock')));
    [this.max, this.window] = native.limiterInfo(this.#handle);
  }
  /** Counts `requested` (default 1) against `key`, a string (anything else throws `PALISADE_INVALID_ARGUMENT`). */
  check(key: string, requested = 1): LimitResult {
    const code = native.limiterCheck(this.#handle, limiterKey(key, 'check'), checkRequested(requested, 'RateLimiter.check() requested'));
    if (code === 0) return { allowed: true, max: this.max, remaining: 0, reset: 0, window: this.window, error: 'internal fault' };
    const packed = Math.abs(code) - 1;
    const remaining = Math.floor(packed / PACK);
    return { allowed: code > 0, max: this.max, remaining, reset: packed - remaining * PACK, window: this.window };
  }
  /** Counts one call against `key` and answers only whether it is allowed: the fastest path. */
  allow(key: string): boolean {
    return native.limiterCheck(this.#handle, typeof key === 'string' ? key : limiterKey(key, 'allow'), 1) >= 0;
  }
  /** Keys currently held in memory for this limit. */
  get size(): number {
    return native.limiterSize(this.#handle);
  }
}

/**
 * A limiter key must be a string: `String()` of anything else would make every object the one key
 * `[object Object]` and count `5` and `'5'` as one client, silently.
 */
function limiterKey(key: unknown, method: string): string {
  if (typeof key !== 'string') {
    throw new PalisadeError('PALISADE_INVALID_ARGUMENT', `RateLimiter.${method}() key: got ${key === null ? 'null' : typeof key}, expected a string (e.g. \`user:\${id}\`)`);
  }
  return key;
}

/** One rate limit used directly by key, outside of requests. */
export function rateLimiter(rule: Rule, clock?: InstanceType<typeof native.ManualClock>): RateLimiter {
  return new RateLimiter(rule, clock);
}
