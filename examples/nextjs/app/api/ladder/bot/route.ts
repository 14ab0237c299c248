// Load ladder (npm run load -- --ladder): withPalisade with one rule, bot.
import { withPalisade } from 'palisade/next';
import { ladder } from '../../../../lib/security';

export const GET = withPalisade(ladder.bot, () => Response.json({ ok: true }));
