#!/usr/bin/env node
// `palisade-next start [dir] [-p port] [-H hostname]`: `next start` with the client's TCP address
// made available to palisade.
import { startServer } from '../server';

function usage(code: number, problem?: string): never {
  if (problem) console.error(`palisade-next: ${problem}`);
  console.error('usage: palisade-next start [dir] [-p|--port PORT] [-H|--hostname HOST]');
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--help' || argv[0] === '-h') usage(0);
  if (argv[0] !== 'start') usage(2, argv[0] === undefined ? 'missing command' : `unknown command ${JSON.stringify(argv[0])} (only start; use next dev for development)`);
  let dir: string | undefined;
  let portText = process.env.PORT ?? '3000';
  let hostname = '0.0.0.0';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-p' || a === '--port') portText = argv[++i] ?? usage(2, `${a} needs a port number`);
    else if (a === '-H' || a === '--hostname') hostname = argv[++i] ?? usage(2, `${a} needs a host name or address`);
    else if (a === '--help' || a === '-h') usage(0);
    else if (a.startsWith('-')) usage(2, `unknown option ${JSON.stringify(a)}`);
    else if (dir !== undefined) usage(2, `one app directory only (got ${JSON.stringify(dir)} and ${JSON.stringify(a)})`);
    else dir = a;
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`palisade-next: invalid port ${JSON.stringify(portText)}: expected a number from 0 to 65535`);
    process.exit(2);
  }
  const s = await startServer({ dir, port, hostname });
  console.log(`palisade-next: ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${s.port}`);
  const stop = () => {
    void s.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err) => {
  console.error('palisade-next:', err instanceof Error ? err.message : err);
  process.exit(1);
});
