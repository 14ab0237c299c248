// Next.js 16 proxy (formerly middleware), always on the Node.js runtime.
import { createMiddleware } from 'palisade/next';
import type { NextRequest } from 'next/server';
import { api, content } from './lib/security';

const limitApi = createMiddleware(api, { rateLimitHeaders: true });
const guardContent = createMiddleware(content);

export default function proxy(request: NextRequest) {
  return request.nextUrl.pathname.startsWith('/api/content') ? guardContent(request) : limitApi(request);
}

export const config = {
  matcher: ['/api/hello', '/api/content'],
};
