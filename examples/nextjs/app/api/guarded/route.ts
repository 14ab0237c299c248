// The load test's protected route: shield + detectBot + tokenBucket, same answer as /api/plain.
import { withPalisade } from 'palisade/next';
import { guarded } from '../../../lib/security';

export const GET = withPalisade(guarded, () => Response.json({ ok: true }));
