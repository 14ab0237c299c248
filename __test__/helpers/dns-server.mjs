// A small authoritative DNS server on loopback UDP, for tests that must never touch the internet.
// It answers A, AAAA, MX, PTR and TXT from a zone given as plain data, NXDOMAIN for unknown names,
// and NODATA (with an SOA) for known names without the asked type. Names listed in `drop` get no
// answer at all, to exercise timeouts. It counts the queries it receives.
import dgram from 'node:dgram';

const TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28 };
const NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));

function encodeName(name) {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const bufs = parts.map((p) => {
    const b = Buffer.from(p, 'ascii');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function readName(buf, off) {
  const labels = [];
  for (let guard = 0; guard < 128; guard++) {
    const len = buf[off];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) return { name: `${labels.join('.')}.`, off: off + 1 };
    if ((len & 0xc0) !== 0) throw new Error('compressed names are not expected in questions');
    labels.push(buf.subarray(off + 1, off + 1 + len).toString('ascii').toLowerCase());
    off += 1 + len;
  }
  throw new Error('name too long');
}

function ipv6Bytes(text) {
  const [head, tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function rdata(type, value) {
  switch (type) {
    case 'A':
      return Buffer.from(value.split('.').map(Number));
    case 'AAAA':
      return ipv6Bytes(value);
    case 'MX': {
      const pref = Buffer.alloc(2);
      pref.writeUInt16BE(value[0]);
      return Buffer.concat([pref, encodeName(value[1])]);
    }
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return encodeName(value);
    case 'TXT': {
      const b = Buffer.from(value, 'utf8');
      return Buffer.concat([Buffer.from([b.length]), b]);
    }
    case 'SOA': {
      const nums = Buffer.alloc(20);
      [1, 3600, 600, 86400, 60].forEach((n, i) => nums.writeUInt32BE(n, i * 4));
      return Buffer.concat([encodeName(value[0]), encodeName(value[1]), nums]);
    }
    default:
      throw new Error(`unsupported type ${type}`);
  }
}

function record(name, type, value, ttl = 60) {
  const data = rdata(type, value);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPES[type], 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(name), fixed, data]);
}

/** The PTR owner name of an IPv4 address: `1.66.249.66.in-addr.arpa.`. */
export function ptrName(ip) {
  if (ip.includes(':')) {
    const hex = ipv6Bytes(ip).toString('hex');
    return `${[...hex].reverse().join('.')}.ip6.arpa.`;
  }
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
}

/**
 * Starts the server. `zone` maps fully qualified lower-case names (`"mx.test."`) to
 * `{ A: [...], AAAA: [...], MX: [[10, "mail.test."]], PTR: [...], TXT: [...] }`.
 * `drop` lists names whose queries are swallowed. Resolves with `{ address, port, queries, close }`.
 */
export async function startDnsServer(zone, { drop = [] } = {}) {
  const socket = dgram.createSocket('udp4');
  const state = { queries: [] };
  const soa = ['ns.test.', 'hostmaster.test.'];
  socket.on('message', (msg, rinfo) => {
    let reply;
    try {
      const id = msg.readUInt16BE(0);
      const { name, off } = readName(msg, 12);
      const qtype = msg.readUInt16BE(off);
      const question = msg.subarray(12, off + 4);
      const type = NAMES[qtype] ?? String(qtype);
      state.queries.push({ name, type });
      if (drop.includes(name)) return;
      const entry = zone[name];
      const answers = entry && entry[type] ? entry[type].map((v) => record(name, type, v)) : [];
      const rcode = entry ? 0 : 3;
      const authority = answers.length === 0 ? [record(name.split('.').slice(-2).join('.') || '.', 'SOA', soa)] : [];
      const header = Buffer.alloc(12);
      header.writeUInt16BE(id, 0);
      // QR, AA, RD copied, RA; rcode.
      header.writeUInt16BE(0x8000 | 0x0400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2);
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(answers.length, 6);
      header.writeUInt16BE(authority.length, 8);
      header.writeUInt16BE(0, 10);
      reply = Buffer.concat([header, question, ...answers, ...authority]);
    } catch {
      return;
    }
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  const { address, port } = socket.address();
  return {
    address: `${address}:${port}`,
    port,
    queries: state.queries,
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
