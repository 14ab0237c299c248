// Next.js 16 proxy (formerly middleware), always on the Node.js runtime.
import { createMiddleware } from 'palisade/next';
import { api } from './lib/security';

export default createMiddleware(api, { rateLimitHeaders: true });

export const config = {
  matcher: ['/api/hello'],
};
