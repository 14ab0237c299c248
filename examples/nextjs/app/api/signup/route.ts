// A JSON signup endpoint: the address is read from a clone of the request, so the handler can
// still read the body itself.
import { withPalisade } from 'palisade/next';
import { signup } from '../../../lib/security';

async function emailOf(request: Request): Promise<string> {
  try {
    const body = await request.clone().json();
    return typeof body?.email === 'string' ? body.email : '';
  } catch {
    return '';
  }
}

export const POST = withPalisade(
  signup,
  async (request: Request) => {
    const { email } = await request.json();
    return Response.json({ welcome: email });
  },
  { props: async (request) => ({ email: await emailOf(request) }) },
);
