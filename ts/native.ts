// Loads the generated napi-rs loader (../index.js), after checking that this is Node.js.
// A `.node` addon cannot load on the Edge runtime; without this check the failure would be a
// confusing "Cannot find native binding" on every request.

export class PalisadeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PalisadeError';
    this.code = code;
  }
}

const g = globalThis as { EdgeRuntime?: unknown; process?: { env?: Record<string, string | undefined> } };
if (typeof g.EdgeRuntime !== 'undefined' || g.process?.env?.NEXT_RUNTIME === 'edge') {
  throw new PalisadeError(
    'PALISADE_EDGE_RUNTIME',
    'palisade needs the Node.js runtime, but it was loaded on the Edge runtime. In Next.js 16 use ' +
      'proxy.ts (always Node.js); with middleware.ts add `export const config = { runtime: "nodejs" }`; ' +
      'in route handlers remove `export const runtime = "edge"`.',
  );
}

/**
 * Functions the addon registers by hand (src/napi/fast.rs), so the generated index.d.ts does not
 * list them.
 */
interface FastPaths {
  /** Packed rate-limit answer: ±(remaining * 2^26 + reset + 1), 0 for a fault. */
  limiterCheck(handle: number, key: string, requested: number): number;
  isBot(userAgent: string): boolean;
  /**
   * The packed verdict of `validateEmail(address)`: a number, or `[number, normalized?,
   * suggestion?]` when strings come with it (layout in src/napi/fast.rs); `options` is a number
   * from `emailOptions`. Throws `PALISADE_INTERNAL` for a non-string or an internal fault.
   */
  emailVerdict(address: string, options?: number): number | [number, string?, string?];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: typeof import('../index') & FastPaths = require('../index.js');
