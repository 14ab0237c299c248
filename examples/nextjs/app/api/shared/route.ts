// Not matched by proxy.ts: the route applies the same `api` limit itself.
import { withPalisade } from 'palisade/next';
import { api } from '../../../lib/security';

export const GET = withPalisade(api, () => Response.json({ shared: true }), { rateLimitHeaders: true });
