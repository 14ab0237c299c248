// The load test's baseline: the same answer as /api/guarded, without palisade.
export function GET() {
  return Response.json({ ok: true });
}
