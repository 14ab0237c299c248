// Comments, under the shield. The wrapper reads the body from a clone of the request, so the
// handler reads it again here as usual: nothing is lost.
import { withPalisade } from 'palisade/next';
import { comments } from '../../../lib/security';

export const GET = withPalisade(comments, async (request: Request) => {
  const q = new URL(request.url).searchParams.get('q') ?? '';
  return Response.json({ results: [], q });
});

export const POST = withPalisade(comments, async (request: Request) => {
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    const body = await request.json().catch(() => null);
    return Response.json({ saved: body });
  }
  const form = await request.formData().catch(() => null);
  return Response.json({ saved: form ? Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)])) : null });
});
