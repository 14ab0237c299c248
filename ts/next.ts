// Next.js helpers: proxy.ts (middleware), route handlers, server actions, and next.config.
// Requires the Node.js runtime (proxy.ts always is); see native.ts for the Edge check.
import { NextResponse } from 'next/server';
import { denial, rateLimitHeaders, Palisade, PalisadeError, type Decision, type ProtectProps, type RequestLike } from './index';

export * from './index';
export { default } from './index';

export interface ProtectOptions<R> {
  /** Props for `protect()` computed from the request (custom characteristics, `requested`). */
  props?: (request: R) => ProtectProps | Promise<ProtectProps>;
  /** Also send `RateLimit`/`RateLimit-Policy` on allowed responses. Default false. */
  rateLimitHeaders?: boolean;
}

/**
 * Checks a helper's arguments when it is set up, not when the first request arrives: a wrong
 * import (`undefined`), a handler that is not a function or a misspelt option would otherwise
 * surface as a bare TypeError in production traffic, or be silently ignored.
 */
function checkSetup(helper: string, aj: unknown, options: unknown, handler?: unknown): void {
  if (aj === null || typeof aj !== 'object' || typeof (aj as { protect?: unknown }).protect !== 'function') {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${helper}()\`: got ${aj === null ? 'null' : typeof aj} as the first argument, expected a palisade instance (palisade({ rules }))`);
  }
  if (handler !== undefined && typeof handler !== 'function') {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${helper}()\`: got ${handler === null ? 'null' : typeof handler} as the handler, expected a route handler function`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${helper}.options\`: got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}, expected { props?, rateLimitHeaders? }`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (key === 'props') {
      if (value !== undefined && typeof value !== 'function') {
        throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${helper}.options.props\`: got ${typeof value}, expected a function of the request returning props, e.g. (req) => ({ userId })`);
      }
    } else if (key === 'rateLimitHeaders') {
      if (value !== undefined && typeof value !== 'boolean') {
        throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`${helper}.options.rateLimitHeaders\`: got ${typeof value}, expected true or false`);
      }
    } else {
      throw new PalisadeError('PALISADE_CONFIG_UNKNOWN', `invalid option \`${helper}.options.${key}\`: got ${JSON.stringify(key)}, expected one of the keys props, rateLimitHeaders`);
    }
  }
}

/** The response for a denial: 429 with `Retry-After` and `RateLimit` headers, else 403 (503 for fail-closed faults). */
export function denialResponse(decision: Decision): Response {
  const d = denial(decision);
  return NextResponse.json(d.body, { status: d.status, headers: d.headers });
}

/**
 * A `proxy.ts` (or Node.js-runtime `middleware.ts`) handler: denies with 429/403, otherwise
 * continues. Headers for the route are passed on the request, never copied from the client.
 */
export function createMiddleware<R extends RequestLike = Request>(
  aj: Palisade,
  options: ProtectOptions<R> = {},
): (request: R) => Promise<Response> {
  checkSetup('createMiddleware', aj, options);
  return async (request: R) => {
    const decision = await aj.protect(request, options.props ? await options.props(request) : undefined);
    if (decision.isDenied()) return denialResponse(decision);
    const res = NextResponse.next();
    if (options.rateLimitHeaders) {
      for (const [k, v] of Object.entries(rateLimitHeaders(decision))) res.headers.set(k, v);
    }
    return res;
  };
}

type Handler<C> = (request: Request, context: C) => Response | Promise<Response>;

/** Wraps a route handler: denied requests get the denial response; others reach the handler. */
export function withPalisade<C = unknown>(aj: Palisade, handler: Handler<C>, options: ProtectOptions<Request> = {}): Handler<C> {
  checkSetup('withPalisade', aj, options, handler ?? null);
  return async (request: Request, context: C) => {
    const decision = await aj.protect(request, options.props ? await options.props(request) : undefined);
    if (decision.isDenied()) return denialResponse(decision);
    const res = await handler(request, context);
    // Not a Response: returned as it is, for Next.js to report as it does for any handler.
    if (!options.rateLimitHeaders || !(res instanceof Response)) return res;
    // Responses such as Response.redirect() or a fetch() result have immutable headers: copy.
    const out = new Response(res.body, res);
    for (const [k, v] of Object.entries(rateLimitHeaders(decision))) out.headers.set(k, v);
    return out;
  };
}

/**
 * Judges the current server action's request from its headers (method POST, path from the
 * `next-url` header when present). Call it first in the action and act on `isDenied()`.
 */
export async function protectAction(aj: Palisade, props?: ProtectProps): Promise<Decision> {
  const { headers } = await import('next/headers');
  const h = await headers();
  const flat: string[] = [];
  h.forEach((value: string, key: string) => {
    flat.push(key, value);
  });
  const path = h.get('next-url') ?? '/';
  return await aj.protect({ method: 'POST', path, query: '', headers: flat }, props);
}

/** Adds palisade to `serverExternalPackages`, which Next.js needs to load a native addon. */
export function withPalisadeConfig<T extends { serverExternalPackages?: string[] }>(nextConfig?: T): T;
export function withPalisadeConfig<A extends unknown[], T extends { serverExternalPackages?: string[] }>(nextConfig: (...args: A) => T | Promise<T>): (...args: A) => Promise<T>;
export function withPalisadeConfig(nextConfig: unknown = {}): unknown {
  // Next.js also takes a function of (phase, { defaultConfig }), sync or async.
  if (typeof nextConfig === 'function') {
    return async (...args: unknown[]) => withPalisadeConfig(await (nextConfig as (...a: unknown[]) => unknown)(...args) as object);
  }
  if (nextConfig === null || typeof nextConfig !== 'object' || Array.isArray(nextConfig) || typeof (nextConfig as { then?: unknown }).then === 'function') {
    const got = nextConfig === null ? 'null' : Array.isArray(nextConfig) ? 'an array' : typeof (nextConfig as { then?: unknown })?.then === 'function' ? 'a Promise' : typeof nextConfig;
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`withPalisadeConfig()\`: got ${got}, expected a Next.js config object or a function returning one`);
  }
  const list: unknown = (nextConfig as { serverExternalPackages?: unknown }).serverExternalPackages ?? [];
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`withPalisadeConfig.serverExternalPackages\`: got ${Array.isArray(list) ? 'an array with a non-string' : typeof list}, expected an array of package names`);
  }
  return { ...nextConfig, serverExternalPackages: list.includes('palisade') ? list : [...list, 'palisade'] };
}
