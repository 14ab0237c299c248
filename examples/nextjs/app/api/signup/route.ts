// The signup endpoint, for HTML forms (urlencoded or multipart) and for JSON. The address is read
// from a clone of the request, so the handler can still read the body itself.
import { withPalisade } from 'palisade/next';
import { signup } from '../../../lib/security';

type Body = { email: string };

async function read(request: Request): Promise<Body> {
  const type = request.headers.get('content-type') ?? '';
  try {
    if (type.includes('application/json')) {
      const body = await request.json();
      return { email: typeof body?.email === 'string' ? body.email : '' };
    }
    if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
      const form = await request.formData();
      const email = form.get('email');
      return { email: typeof email === 'string' ? email : '' };
    }
  } catch {
    // A malformed body carries no address; the email rule then denies it as INVALID.
  }
  return { email: '' };
}

export const POST = withPalisade(
  signup,
  async (request: Request) => {
    const { email } = await read(request);
    return Response.json({ welcome: email });
  },
  { props: async (request) => ({ email: (await read(request.clone())).email }) },
);
