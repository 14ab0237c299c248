export function GET() {
  return Response.json({ article: 'Hello, human (or search engine).' });
}
