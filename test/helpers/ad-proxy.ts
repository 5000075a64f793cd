// A scripted fake of a validating resolver, for integration tests that need DNSSEC-validated
// answers without a signed zone: a DNS proxy on 127.0.0.1 (UDP and TCP) in front of the lab DNS
// server that sets the AD bit on every answer whose question lies in one of `secureZones`, and
// clears it on every other. It validates nothing; it says what a validating resolver would say
// about a zone that validates. The real thing (knotd + unbound) is test/conformance/dnssec.ts.
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';

export interface AdProxy {
  host: string;
  port: number;
  close(): Promise<void>;
}

const AD = 0x20; // the AD bit in the low byte of the DNS header flags (RFC 4035 §3.2.3)

function inZones(name: string, zones: readonly string[]): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return zones.some((z) => n === z || n.endsWith(`.${z}`));
}

/** The response with its AD bit set as a validating resolver would set it for these zones. */
function rewrite(response: Buffer, zones: readonly string[]): Buffer {
  const out = Buffer.from(response);
  if (out.length < 12) return out;
  let name = '';
  try {
    name = packet.decode(out).questions?.[0]?.name ?? '';
  } catch {
    return out;
  }
  out[3] = inZones(name, zones) ? out[3]! | AD : out[3]! & ~AD;
  return out;
}

function askUdp(upstream: { host: string; port: number }, query: Buffer): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = (r: Buffer | null): void => {
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    const timer = setTimeout(() => done(null), 3000);
    socket.once('message', (msg) => done(msg));
    socket.once('error', () => done(null));
    socket.send(query, upstream.port, upstream.host);
  });
}

function askTcp(upstream: { host: string; port: number }, framed: Buffer): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = net.connect(upstream.port, upstream.host);
    let data = Buffer.alloc(0);
    const done = (r: Buffer | null): void => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(3000, () => done(null));
    socket.on('error', () => done(null));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) done(data.subarray(2, 2 + data.readUInt16BE(0)));
    });
    socket.write(framed);
  });
}

export async function startAdProxy(upstream: { host: string; port: number }, secureZones: readonly string[]): Promise<AdProxy> {
  const zones = secureZones.map((z) => z.toLowerCase().replace(/\.$/, ''));
  const open = new Set<net.Socket>();
  const tcp = net.createServer((conn) => {
    open.add(conn);
    conn.on('close', () => open.delete(conn));
    let data = Buffer.alloc(0);
    conn.on('error', () => undefined);
    conn.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        const len = data.readUInt16BE(0);
        const framed = data.subarray(0, 2 + len);
        data = data.subarray(2 + len);
        void askTcp(upstream, framed).then((r) => {
          if (!r || conn.destroyed) return;
          const body = rewrite(r, zones);
          const head = Buffer.alloc(2);
          head.writeUInt16BE(body.length, 0);
          conn.write(Buffer.concat([head, body]));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    void askUdp(upstream, msg).then((r) => {
      if (r) udp.send(rewrite(r, zones), rinfo.port, rinfo.address);
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  const closeAll = async (): Promise<void> => {
    for (const c of open) c.destroy();
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
  };
  return { host: '127.0.0.1', port, close: () => (closing ??= closeAll()) };
}
