// Load ladder (npm run load -- --ladder): withPalisade with one rule, bucket.
import { withPalisade } from 'palisade/next';
import { ladder } from '../../../../lib/security';

export const GET = withPalisade(ladder.bucket, () => Response.json({ ok: true }));
