// Load ladder (npm run load -- --ladder): withPalisade with one rule, shield.
import { withPalisade } from 'palisade/next';
import { ladder } from '../../../../lib/security';

export const GET = withPalisade(ladder.shield, () => Response.json({ ok: true }));
