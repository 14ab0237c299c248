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
  return async (request: Request, context: C) => {
    const decision = await aj.protect(request, options.props ? await options.props(request) : undefined);
    if (decision.isDenied()) return denialResponse(decision);
    const res = await handler(request, context);
    if (!options.rateLimitHeaders) return res;
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
export function withPalisadeConfig<T extends { serverExternalPackages?: string[] }>(nextConfig: T = {} as T): T {
  if (nextConfig === null || typeof nextConfig !== 'object') {
    throw new PalisadeError('PALISADE_CONFIG_TYPE', `invalid option \`withPalisadeConfig()\`: got ${String(nextConfig)}, expected a Next.js config object`);
  }
  const list = nextConfig.serverExternalPackages ?? [];
  return { ...nextConfig, serverExternalPackages: list.includes('palisade') ? list : [...list, 'palisade'] };
}
