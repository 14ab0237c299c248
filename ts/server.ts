// Runs a built Next.js app like `next start`, in this process, and makes the TCP peer address of
// each request available to palisade. `next start` never shows app code the peer: it only fills
// `x-forwarded-for` when the client sent none, so any client can pick its own address. Here the
// peer travels in an AsyncLocalStorage around Next's request handler, out of the client's reach.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { peerStorage } from './index';

export interface ServerOptions {
  /** The Next.js app directory. Default: the current directory. */
  dir?: string;
  port?: number;
  hostname?: string;
}

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dir = path.resolve(options.dir ?? process.cwd());
  const hostname = options.hostname ?? '0.0.0.0';
  const port = options.port ?? 3000;
  // What `next start` would say, before Next.js is even looked for: a wrong directory otherwise
  // surfaces as "Cannot find module 'next'", which points at the wrong fix.
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${dir} is not a directory: give the Next.js app's directory (default: the current directory)`);
  }
  let resolved: string;
  try {
    resolved = require.resolve('next', { paths: [dir] });
  } catch {
    throw new Error(`Next.js is not installed for ${dir}: run \`npm install next\` in the app (is this the app's directory?)`);
  }
  if (!fs.existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
    throw new Error(`${dir} has no production build (.next/BUILD_ID): run \`next build\` first`);
  }
  // The app's own copy of Next.js, as `next start` would use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nextModule = require(resolved);
  const next = (nextModule.default ?? nextModule) as (o: object) => {
    prepare(): Promise<void>;
    getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
    close?(): Promise<void>;
  };
  const app = next({ dev: false, dir, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const store = peerStorage();
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    store.run(peer, () => {
      handle(req, res).catch((err: unknown) => {
        console.error('palisade-next: request failed', err);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
