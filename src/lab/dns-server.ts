/**
 * A small authoritative DNS server for `secgrade lab` and the tests: UDP and TCP on the same
 * port, static zones, EDNS-aware truncation, and a behaviour hook to simulate broken servers.
 * It must survive any input, so every query is handled inside a catch-all.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';
import { encodeSvcb, encodeWireName } from '../net/dns/svcb.js';
import { formatServer, normalizeName, type DnsRecord } from '../net/dns/types.js';

type ZoneRecordOf<T> = T extends DnsRecord ? Omit<T, 'ttl' | 'text'> & { ttl?: number } : never;

/**
 * A record to serve: the fields of DnsRecord with `ttl` optional (default 300) and without
 * the derived TXT `text`. TLSA `data` and DS `digest` are hex, DNSKEY `key` is base64.
 */
export type ZoneRecord = ZoneRecordOf<DnsRecord>;

export type DnsBehaviour = 'servfail' | 'refused' | 'drop' | 'truncate' | undefined;

export interface DnsServerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: OS-chosen; the same port is bound for UDP and TCP. */
  port?: number;
  /** Apexes we are authoritative for, e.g. ['secgrade.test']. */
  zones: string[];
  records: ZoneRecord[];
  /** Test hook to simulate misbehaving servers; undefined means answer normally. */
  behaviour?: (q: { name: string; type: string; transport: 'udp' | 'tcp' }) => DnsBehaviour;
}

export interface DnsServerHandle {
  host: string;
  port: number;
  /** "127.0.0.1:PORT" ("[::1]:PORT" for IPv6). */
  address: string;
  close(): Promise<void>;
  /** Queries received so far (UDP datagrams and TCP messages). */
  readonly queries: number;
}

const DEFAULT_TTL = 300;
const PLAIN_UDP_LIMIT = 512;
const OUR_PAYLOAD = 1232;
const MAX_CNAME_HOPS = 8;
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 64;
const BIND_ATTEMPTS = 5;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

interface Entry {
  record: ZoneRecord;
  /** dns-packet's type name for the wire ("UNKNOWN_65" for HTTPS). */
  wireType: string;
  answer: packet.Answer;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const zone = new Zone(opts.zones, opts.records);
  let queries = 0;
  const respond = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null => {
    queries++;
    try {
      return answerQuery(msg, transport, zone, opts.behaviour);
    } catch {
      return null; // a bug or hostile input must not take the server down
    }
  };

  const { udp, tcp } = await bindBoth(host, opts.port ?? 0);
  serveUdp(udp, respond);
  const connections = serveTcp(tcp, respond);
  const port = udp.address().port;

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    address: formatServer({ host, port }),
    get queries() {
      return queries;
    },
    close() {
      closing ??= closeAll(udp, tcp, connections);
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Zone data.

class Zone {
  private readonly apexes: string[];
  private readonly byName = new Map<string, Entry[]>();
  /** Empty non-terminals: ancestors of owners (`lab --domains N` makes exists() a per-query hot path). */
  private readonly ancestors = new Set<string>();

  constructor(apexes: string[], records: ZoneRecord[]) {
    // Longest apex first, so a delegated-looking child zone wins over its parent.
    this.apexes = apexes.map(normalizeName).sort((a, b) => b.length - a.length);
    for (const record of records) this.add(record);
  }

  private add(record: ZoneRecord): void {
    const name = normalizeName(record.name);
    if (!this.apexOf(name)) throw new Error(`lab DNS: ${record.name} is outside the zones ${this.apexes.join(', ')}`);
    const entry = toEntry({ ...record, name } as ZoneRecord);
    const list = this.byName.get(name) ?? [];
    list.push(entry);
    this.byName.set(name, list);
    for (let i = name.indexOf('.'); i !== -1; i = name.indexOf('.', i + 1)) this.ancestors.add(name.slice(i + 1));
  }

  apexOf(name: string): string | undefined {
    return this.apexes.find((apex) => name === apex || name.endsWith(`.${apex}`));
  }

  isAncestorOfApex(name: string): boolean {
    return this.apexes.some((apex) => apex.endsWith(`.${name}`));
  }

  entries(name: string): Entry[] {
    return this.byName.get(name) ?? [];
  }

  /** A name exists if it has records, is an apex, or is an empty non-terminal above one. */
  exists(name: string): boolean {
    return this.byName.has(name) || this.apexes.includes(name) || this.ancestors.has(name);
  }

  soa(apex: string): packet.Answer | undefined {
    return this.entries(apex).find((e) => e.record.type === 'SOA')?.answer;
  }
}

/** Build (and test-encode) the dns-packet answer once, so bad zone data fails at startup. */
function toEntry(record: ZoneRecord): Entry {
  encodeWireName(record.name);
  const ttl = record.ttl ?? DEFAULT_TTL;
  const wireType = record.type === 'HTTPS' || record.type === 'SVCB' ? `UNKNOWN_${record.type === 'HTTPS' ? 65 : 64}` : record.type;
  const answer = { type: wireType, name: record.name, ttl, class: 'IN', data: rdataFor(record) } as packet.Answer;
  try {
    packet.encode({ type: 'response', answers: [answer] });
  } catch (err) {
    throw new Error(`lab DNS: cannot encode ${record.type} ${record.name}: ${(err as Error).message}`);
  }
  return { record, wireType, answer };
}

/** The `data` dns-packet expects for each type. */
function rdataFor(r: ZoneRecord): unknown {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      if (net.isIP(r.address) !== (r.type === 'A' ? 4 : 6)) throw new Error(`lab DNS: bad ${r.type} address ${r.address}`);
      return r.address;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      encodeWireName(r.target);
      return r.target;
    case 'MX':
      encodeWireName(r.exchange);
      return { preference: r.preference, exchange: r.exchange };
    case 'TXT':
      return r.strings.map((s) => {
        const b = Buffer.from(s, 'utf8');
        if (b.length > 255) throw new Error(`lab DNS: TXT string over 255 bytes at ${r.name}`);
        return b;
      });
    case 'CAA':
      return { flags: r.flags, tag: r.tag, value: r.value };
    case 'TLSA':
      return { usage: r.usage, selector: r.selector, matchingType: r.matchingType, certificate: Buffer.from(r.data, 'hex') };
    case 'SOA':
      return { mname: r.mname, rname: r.rname, serial: r.serial, refresh: 3600, retry: 600, expire: 86400, minimum: r.minimum };
    case 'DS':
      return { keyTag: r.keyTag, algorithm: r.algorithm, digestType: r.digestType, digest: Buffer.from(r.digest, 'hex') };
    case 'DNSKEY':
      return { flags: r.flags, algorithm: r.algorithm, key: Buffer.from(r.key, 'base64') };
    case 'HTTPS':
    case 'SVCB':
      return encodeSvcb({ priority: r.priority, target: r.target, params: r.params });
  }
}

// ---------------------------------------------------------------------------------------------
// Answering one query.

interface Reply {
  rcode: number;
  answers: packet.Answer[];
  authorities: packet.Answer[];
  truncated?: boolean;
}

function answerQuery(
  msg: Buffer,
  transport: 'udp' | 'tcp',
  zone: Zone,
  behaviour: DnsServerOptions['behaviour'],
): Buffer | null {
  if (msg.length < 12 || (msg.readUInt16BE(2) & 0x8000) !== 0) return null; // not a query header
  const id = msg.readUInt16BE(0);
  let req: packet.DecodedPacket;
  try {
    req = packet.decode(msg);
  } catch {
    return encodeReply(id, 0, undefined, { rcode: RCODE.FORMERR, answers: [], authorities: [] }, undefined);
  }
  const rd = (req.flags ?? 0) & packet.RECURSION_DESIRED;
  const opt = req.additionals?.find((a): a is packet.OptAnswer => a.type === 'OPT');
  const q = req.questions?.[0];
  if ((req as { opcode?: string }).opcode !== 'QUERY') return encodeReply(id, rd, undefined, { rcode: RCODE.NOTIMP, answers: [], authorities: [] }, opt);
  if (!q || req.questions?.length !== 1) return encodeReply(id, rd, undefined, { rcode: RCODE.FORMERR, answers: [], authorities: [] }, opt);
  if (q.class !== 'IN') return encodeReply(id, rd, undefined, { rcode: RCODE.REFUSED, answers: [], authorities: [] }, opt);

  const name = normalizeName(q.name);
  const wireType = String(q.type);
  const verdict = behaviour?.({ name, type: publicTypeName(wireType), transport });
  if (verdict === 'drop') return null;
  const reply = verdictReply(verdict, transport) ?? lookup(zone, name, wireType);
  const encoded = encodeReply(id, rd, q, reply, opt);
  if (transport === 'tcp' || encoded.length <= udpLimit(opt)) return encoded;
  // Too big for the client's buffer: say so and let it retry over TCP (RFC 1035 4.2.1, RFC 6891).
  return encodeReply(id, rd, q, { rcode: reply.rcode, answers: [], authorities: [], truncated: true }, opt);
}

function publicTypeName(wireType: string): string {
  if (wireType === 'UNKNOWN_65') return 'HTTPS';
  if (wireType === 'UNKNOWN_64') return 'SVCB';
  return wireType;
}

function verdictReply(verdict: DnsBehaviour, transport: 'udp' | 'tcp'): Reply | undefined {
  switch (verdict) {
    case 'servfail':
      return { rcode: RCODE.SERVFAIL, answers: [], authorities: [] };
    case 'refused':
      return { rcode: RCODE.REFUSED, answers: [], authorities: [] };
    case 'truncate':
      return transport === 'udp' ? { rcode: RCODE.NOERROR, answers: [], authorities: [], truncated: true } : undefined;
    default:
      return undefined;
  }
}

/** Authoritative lookup, following CNAMEs inside our zones. */
function lookup(zone: Zone, qname: string, wireType: string): Reply {
  const apex = zone.apexOf(qname);
  // The lab's world has only its zones: their ancestors (e.g. the TLD) exist and hold nothing, as
  // a resolver would answer; anything else is outside what this server speaks for.
  if (!apex) return { rcode: zone.isAncestorOfApex(qname) ? RCODE.NOERROR : RCODE.REFUSED, answers: [], authorities: [] };
  const answers: packet.Answer[] = [];
  let owner = qname;
  let ownerApex = apex;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const entries = zone.entries(owner);
    const matching = entries.filter((e) => e.wireType === wireType || wireType === 'ANY');
    if (matching.length > 0) return { rcode: RCODE.NOERROR, answers: [...answers, ...matching.map((e) => e.answer)], authorities: [] };
    const cname = entries.find((e) => e.record.type === 'CNAME');
    if (!cname || !('target' in cname.record)) break;
    answers.push(cname.answer);
    owner = normalizeName(cname.record.target);
    const nextApex = zone.apexOf(owner);
    if (!nextApex) return { rcode: RCODE.NOERROR, answers, authorities: [] }; // chain leaves our data
    ownerApex = nextApex;
  }
  const soa = zone.soa(ownerApex);
  const rcode = zone.exists(owner) ? RCODE.NOERROR : RCODE.NXDOMAIN;
  return { rcode, answers, authorities: soa ? [soa] : [] };
}

function udpLimit(opt: packet.OptAnswer | undefined): number {
  if (!opt) return PLAIN_UDP_LIMIT;
  return Math.min(Math.max(opt.udpPayloadSize, PLAIN_UDP_LIMIT), 65_535);
}

function encodeReply(
  id: number,
  rd: number,
  q: packet.Question | undefined,
  reply: Reply,
  opt: packet.OptAnswer | undefined,
): Buffer {
  let flags = packet.AUTHORITATIVE_ANSWER | (rd & packet.RECURSION_DESIRED) | reply.rcode;
  if (reply.truncated) flags |= packet.TRUNCATED_RESPONSE;
  const additionals: packet.Answer[] = opt
    ? [{ type: 'OPT', name: '.', udpPayloadSize: OUR_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  return packet.encode({
    type: 'response',
    id,
    flags,
    questions: q ? [{ name: q.name, type: q.type, class: 'IN' }] : [],
    answers: reply.answers,
    authorities: reply.authorities,
    additionals,
  });
}

// ---------------------------------------------------------------------------------------------
// Sockets.

type Respond = (msg: Buffer, transport: 'udp' | 'tcp') => Buffer | null;

/** Bind UDP, then TCP on the same port; an OS-chosen UDP port may be taken for TCP, so retry. */
async function bindBoth(host: string, port: number): Promise<{ udp: dgram.Socket; tcp: net.Server }> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(host, port);
    try {
      const tcp = await listenTcp(host, udp.address().port);
      return { udp, tcp };
    } catch (err) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= BIND_ATTEMPTS) throw err;
    }
  }
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve(udp);
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.maxConnections = MAX_TCP_CONNECTIONS;
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function serveUdp(udp: dgram.Socket, respond: Respond): void {
  udp.on('error', () => undefined); // e.g. ICMP errors from a client that went away
  udp.on('message', (msg, rinfo) => {
    const reply = respond(msg, 'udp');
    if (!reply) return;
    try {
      udp.send(reply, rinfo.port, rinfo.address, () => undefined);
    } catch {
      // socket closed meanwhile
    }
  });
}

/** Length-prefixed messages (RFC 1035 4.2.2), several per connection, arbitrary chunking. */
function serveTcp(server: net.Server, respond: Respond): Set<net.Socket> {
  const connections = new Set<net.Socket>();
  server.on('error', () => undefined);
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    let pending = Buffer.alloc(0); // never more than one 65537-byte frame plus one chunk
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (len < 12) return void socket.destroy(); // cannot even hold a header
        if (pending.length < 2 + len) return;
        const reply = respond(pending.subarray(2, 2 + len), 'tcp');
        pending = pending.subarray(2 + len);
        if (reply && !socket.destroyed) socket.write(frame(reply));
      }
    });
  });
  return connections;
}

function frame(msg: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(msg.length, 0);
  return Buffer.concat([prefix, msg]);
}

async function closeAll(udp: dgram.Socket, tcp: net.Server, connections: Set<net.Socket>): Promise<void> {
  for (const socket of connections) socket.destroy();
  await Promise.all([
    new Promise<void>((resolve) => udp.close(() => resolve())),
    new Promise<void>((resolve) => tcp.close(() => resolve())),
  ]);
}
