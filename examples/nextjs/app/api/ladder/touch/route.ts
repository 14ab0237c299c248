// Load ladder (npm run load -- --ladder): /api/plain plus reading the request's headers, as
// palisade does, without palisade.
export function GET(request: Request) {
  let n = 0;
  request.headers.forEach(() => {
    n++;
  });
  return Response.json({ ok: n >= 0 });
}
