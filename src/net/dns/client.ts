/**
 * A small stub DNS client on dns-packet: UDP with EDNS0 first, TCP when truncated, per-attempt
 * timeouts, retries, server fallback and AbortSignal. Network and parse problems, CNAME loops and
 * over-long CNAME chains come back as `{ status: 'error' }` results, never as exceptions, and
 * never as "no record".
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { buildQuery, classifyResponse, HEADER_SIZE, type Classified, type Message, type QueryFields } from './message.js';
import { encodeWireName, parseIpv6 } from './svcb.js';
import type { DnsRateLimiter } from './rate-limit.js';
import {
  formatServer,
  normalizeName,
  type DnsRecord,
  type DnsServerAddress,
  type LookupResult,
  type RecordType,
  type Transport,
} from './types.js';

export type { DnsServerAddress } from './types.js';

export interface DnsQueryOptions {
  signal?: AbortSignal;
  /** Per attempt; default from the client (2000 ms). */
  timeoutMs?: number;
  /** Extra UDP attempts per server; default from the client (1). */
  retries?: number;
  /** Set the EDNS DO bit. */
  dnssecOk?: boolean;
  /** Set the CD bit: the resolver answers without validating (tells a bogus zone from a dead server). */
  checkingDisabled?: boolean;
}

export interface DnsClientOptions {
  servers: DnsServerAddress[];
  timeoutMs?: number;
  retries?: number;
  /** EDNS0 UDP payload size we advertise; 1232 avoids IP fragmentation (DNS flag day 2020). */
  udpPayloadSize?: number;
  /** Spaces queries per server (a batch's --dns-rate); every attempt, retries included, waits its turn. */
  rateLimit?: DnsRateLimiter | null;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_RETRIES = 1;
const DEFAULT_PAYLOAD = 1232;
const MAX_CNAME_CHAIN = 8;

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  16: 'BADVERS',
};

export class DnsClient {
  private readonly servers: DnsServerAddress[];
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly udpPayloadSize: number;
  private readonly rateLimit: DnsRateLimiter | null;

  constructor(opts: DnsClientOptions) {
    this.servers = [...opts.servers];
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.udpPayloadSize = opts.udpPayloadSize ?? DEFAULT_PAYLOAD;
    this.rateLimit = opts.rateLimit ?? null;
  }

  /**
   * Ask each server in turn until one gives a definitive answer (ok, nodata, nxdomain). When an
   * authoritative-only server (RA=0) answers with a CNAME chain that leaves its answer, the chain
   * is followed by asking for its last target, up to MAX_CNAME_CHAIN CNAMEs in all.
   */
  async query(name: string, type: RecordType, opts: DnsQueryOptions = {}): Promise<LookupResult> {
    try {
      let qname = normalizeName(name);
      let before: string[] = [];
      let authenticated = true;
      for (;;) {
        const result = await this.queryServers(qname, type, opts, before);
        if (result.status !== 'follow') return before.length === 0 ? result : followed(result, [...before, qname], authenticated);
        authenticated &&= result.authenticated;
        before = result.chain.slice(0, -1);
        qname = result.chain[result.chain.length - 1] as string;
      }
    } catch (err) {
      // Last line of defence for the "never throws" contract; reaching it is a bug.
      return { status: 'error', reason: `internal error: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  private async queryServers(qname: string, type: RecordType, opts: DnsQueryOptions, before: readonly string[]): Promise<Answer> {
    const nameError = checkName(qname);
    if (nameError) return { status: 'error', reason: nameError };
    if (this.servers.length === 0) return { status: 'error', reason: 'no DNS servers configured' };

    const failures: string[] = [];
    let rcode: string | undefined;
    for (const server of this.servers) {
      if (opts.signal?.aborted) return aborted();
      const result = await this.askServer(server, qname, type, opts, before);
      if (result.status !== 'error') return result;
      if (result.reason === ABORTED_REASON) return result;
      failures.push(result.reason);
      rcode = result.rcode ?? rcode;
    }
    return rcode === undefined
      ? { status: 'error', reason: failures.join('; ') }
      : { status: 'error', reason: failures.join('; '), rcode };
  }

  /** UDP attempts (with retries) against one server, switching to TCP if the answer is truncated. */
  private async askServer(
    server: DnsServerAddress,
    qname: string,
    type: RecordType,
    opts: DnsQueryOptions,
    before: readonly string[],
  ): Promise<Answer> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const attempts = 1 + Math.max(0, opts.retries ?? this.retries);
    const where = formatServer(server);
    const ask: Question = { server, qname, type, dnssecOk: opts.dnssecOk ?? false, checkingDisabled: opts.checkingDisabled ?? false, payload: this.udpPayloadSize, before };

    for (let i = 0; i < attempts; i++) {
      await this.rateLimit?.wait(where, opts.signal);
      const udp = await exchange('udp', ask, timeoutMs, opts.signal);
      if (udp.kind === 'timeout') continue;
      if (udp.kind !== 'truncated') return toResult(udp, ask, 'udp', where, timeoutMs);
      // TC=1: the full answer is only available over TCP (RFC 7766).
      await this.rateLimit?.wait(where, opts.signal);
      const tcp = await exchange('tcp', ask, timeoutMs, opts.signal);
      return toResult(tcp, ask, 'tcp', where, timeoutMs);
    }
    return {
      status: 'error',
      reason: `timeout: no response from ${where} after ${attempts} attempt(s) of ${timeoutMs} ms`,
    };
  }
}

const ABORTED_REASON = 'aborted';
const aborted = (): LookupResult => ({ status: 'error', reason: ABORTED_REASON });

/**
 * One server's answer, or: its CNAME chain (`chain`, from the first name asked) ends at a name
 * this authoritative-only server gave nothing for; ask for that name next.
 */
type Answer = LookupResult | { status: 'follow'; chain: string[]; authenticated: boolean };

/** The answer for the end of a followed chain, as the answer for the name first asked. */
function followed(result: LookupResult, chain: readonly string[], authenticated: boolean): LookupResult {
  if (result.status === 'error') {
    // A loop or an over-long chain already names the whole chain.
    if (result.reason === ABORTED_REASON || /^CNAME (loop|chain longer)/.test(result.reason)) return result;
    return { ...result, reason: `following the CNAME chain ${chain.join(' → ')}: ${result.reason}` };
  }
  return { ...result, authenticated: authenticated && result.authenticated };
}

/** Query names are validated here because dns-packet would silently mis-encode long labels. */
function checkName(qname: string): string | null {
  try {
    encodeWireName(qname);
    return null;
  } catch (err) {
    return `invalid query name: ${(err as Error).message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// One exchange over one transport (the bytes are message.ts's).

interface Question extends QueryFields {
  server: DnsServerAddress;
  /** The CNAME chain that led to `qname` (names before it), when following one across queries. */
  before: readonly string[];
}

type Outcome =
  | { kind: 'message'; msg: Message }
  | { kind: 'truncated' }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'failed'; reason: string };

function toResult(outcome: Outcome, ask: Question, transport: Transport, where: string, timeoutMs: number): Answer {
  switch (outcome.kind) {
    case 'aborted':
      return aborted();
    case 'timeout':
      return { status: 'error', reason: `timeout: no ${transport.toUpperCase()} response from ${where} after ${timeoutMs} ms` };
    case 'truncated': // only UDP answers are classified as truncated; kept for exhaustiveness
      return { status: 'error', reason: `truncated response from ${where} over ${transport.toUpperCase()}` };
    case 'failed':
      return { status: 'error', reason: `${outcome.reason} (${where} over ${transport.toUpperCase()})` };
    case 'message':
      return interpret(outcome.msg, ask, transport, where);
  }
}

/**
 * Run one query/response exchange with a fresh socket and id. Resolves (never rejects) once,
 * and the timer, abort listener and socket are released on every path.
 */
function exchange(transport: Transport, ask: Question, timeoutMs: number, signal: AbortSignal | undefined): Promise<Outcome> {
  const id = randomInt(0, 0x10000);
  const query = buildQuery(id, ask);
  const classify = (buf: Buffer): Classified => classifyResponse(buf, id, ask, transport);
  return new Promise<Outcome>((resolve) => {
    let done = false;
    let release: (() => void) | undefined;
    const finish = (o: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      release?.();
      resolve(o);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) return finish({ kind: 'aborted' });
    try {
      release = transport === 'udp' ? startUdp(ask.server, query, classify, finish) : startTcp(ask.server, query, classify, finish);
    } catch (err) {
      // e.g. ERR_SOCKET_BAD_PORT is thrown synchronously rather than emitted.
      return finish({ kind: 'failed', reason: `network error: ${errorText(err as Error)}` });
    }
    // `finish` may already have run synchronously, before `release` was assigned.
    if (done) release();
  });
}

function startUdp(server: DnsServerAddress, query: Buffer, classify: (b: Buffer) => Classified, finish: (o: Outcome) => void): () => void {
  const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
  socket.on('error', (err) => finish({ kind: 'failed', reason: `network error: ${errorText(err)}` }));
  socket.on('message', (msg, rinfo) => {
    // Only the server we asked, on the port we asked, may answer (RFC 5452).
    if (rinfo.port !== server.port || !sameAddress(rinfo.address, server.host)) return;
    const c = classify(msg);
    if (c.kind !== 'ignore') finish(c);
  });
  // A connected socket also gets ICMP port-unreachable as ECONNREFUSED instead of a timeout.
  socket.connect(server.port, server.host, (...args: unknown[]) => {
    // Node passes a connect error to this callback instead of emitting 'error'.
    if (args[0] instanceof Error) return finish({ kind: 'failed', reason: `network error: ${errorText(args[0])}` });
    socket.send(query, (err) => {
      if (err) finish({ kind: 'failed', reason: `network error: ${errorText(err)}` });
    });
  });
  return () => {
    try {
      socket.close();
    } catch {
      // already closed
    }
  };
}

function startTcp(server: DnsServerAddress, query: Buffer, classify: (b: Buffer) => Classified, finish: (o: Outcome) => void): () => void {
  const socket = net.connect({ host: server.host, port: server.port });
  const chunks: Buffer[] = [];
  let have = 0;
  let need = -1; // 2 + message length, once the prefix is known; at most 65537
  socket.setNoDelay(true);
  socket.on('connect', () => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(query.length, 0);
    socket.write(Buffer.concat([prefix, query]));
  });
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    have += chunk.length;
    if (need < 0 && have >= 2) {
      const len = Buffer.concat(chunks).readUInt16BE(0);
      if (len < HEADER_SIZE) return finish({ kind: 'failed', reason: `malformed response: ${len}-byte TCP message` });
      need = 2 + len;
    }
    if (need < 0 || have < need) return;
    const c = classify(Buffer.concat(chunks).subarray(2, need));
    finish(c.kind === 'ignore' ? { kind: 'failed', reason: 'malformed response: does not match the query' } : c);
  });
  socket.on('error', (err) => finish({ kind: 'failed', reason: `network error: ${errorText(err)}` }));
  socket.on('close', () => finish({ kind: 'failed', reason: 'connection closed before a complete response' }));
  return () => socket.destroy();
}

function errorText(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}` : err.message;
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseIpv6(a);
  const y = parseIpv6(b);
  return x !== null && y !== null && x.equals(y);
}

// ---------------------------------------------------------------------------------------------
// Turning a parsed message into a LookupResult.

function interpret(msg: Message, ask: Question, transport: Transport, server: string): Answer {
  const authenticated = msg.header.ad;
  const rcodeName = RCODE_NAMES[msg.rcode] ?? `RCODE${msg.rcode}`;
  if (msg.rcode === 3) return { status: 'nxdomain', authenticated, server, transport };
  if (msg.rcode !== 0) {
    return { status: 'error', reason: `${server} answered ${rcodeName} over ${transport.toUpperCase()}`, rcode: rcodeName };
  }
  const walk = walkCnameChain(msg.answers, ask.qname, ask.type, ask.before);
  const from = `(answer from ${server} over ${transport.toUpperCase()})`;
  switch (walk.kind) {
    case 'records':
      return { status: 'ok', records: walk.records, authenticated, server, transport };
    case 'loop':
      return { status: 'error', reason: `CNAME loop: ${walk.chain.join(' → ')} ${from}` };
    case 'too-long':
      return { status: 'error', reason: `CNAME chain longer than ${MAX_CNAME_CHAIN}: ${walk.chain.join(' → ')} ${from}` };
    case 'end':
      // No CNAME in this answer, or a resolver that followed the chain itself: the name has none.
      if (walk.chain[walk.chain.length - 1] === ask.qname || msg.header.ra) return { status: 'nodata', authenticated, server, transport };
      // An authoritative-only server stops where its data does: ask for the rest of the chain.
      return { status: 'follow', chain: walk.chain, authenticated };
  }
}

type NameRecord = Extract<DnsRecord, { type: 'CNAME' | 'NS' | 'PTR' }>;

/**
 * Where the query name's CNAME chain leads in an answer. `chain` lists the names from the first
 * one asked (`before`, when following a chain across queries) to the last reached: records of
 * the asked type there, the end of the chain without any, a name already on it (a loop), or more
 * than MAX_CNAME_CHAIN CNAMEs. Asking for CNAME returns the query name's CNAME itself.
 */
export type CnameWalk =
  | { kind: 'records'; records: DnsRecord[]; chain: string[] }
  | { kind: 'end' | 'loop' | 'too-long'; chain: string[] };

export function walkCnameChain(answers: readonly DnsRecord[], qname: string, type: RecordType, before: readonly string[] = []): CnameWalk {
  const chain = [...before, qname];
  let owner = qname;
  for (;;) {
    const matching = answers.filter((r) => r.type === type && r.name === owner);
    if (matching.length > 0) return { kind: 'records', records: matching, chain };
    const cname = answers.find((r): r is NameRecord => r.type === 'CNAME' && r.name === owner);
    if (!cname) return { kind: 'end', chain };
    if (chain.includes(cname.target)) return { kind: 'loop', chain: [...chain, cname.target] };
    if (chain.length - 1 >= MAX_CNAME_CHAIN) return { kind: 'too-long', chain: [...chain, cname.target] };
    chain.push(cname.target);
    owner = cname.target;
  }
}

/** Records of the asked type at the query name, or at the end of a CNAME chain in the answer. */
export function selectAnswers(answers: DnsRecord[], qname: string, type: RecordType): DnsRecord[] {
  const walk = walkCnameChain(answers, qname, type);
  return walk.kind === 'records' ? walk.records : [];
}
