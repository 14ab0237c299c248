// Load ladder (npm run load -- --ladder): withPalisade with no rules.
import { withPalisade } from 'palisade/next';
import { ladder } from '../../../../lib/security';

export const GET = withPalisade(ladder.wrapper, () => Response.json({ ok: true }));
