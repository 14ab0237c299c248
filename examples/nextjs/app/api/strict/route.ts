import { withPalisade } from 'palisade/next';
import { strict } from '../../../lib/security';

export const GET = withPalisade(strict, () => Response.json({ strict: true }));
