// XMPP STARTTLS (RFC 6120 §5): our stream header with `to=`, the server's header and
// <stream:features> (listing <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>), our <starttls/>,
// its <proceed/> (or <failure/>). Client-to-server uses jabber:client, server-to-server jabber:server.
//
// Not an XML parser: a bounded scan for the few elements that matter. No DTD or entity is ever
// expanded: RFC 6120 §11.1 forbids them in a stream, so `<!` anywhere fails the dialogue.
import { isIP } from 'node:net';
import { printable, type DialogueIo, type FrameProtocol } from './runner.js';

const TLS_NS = 'urn:ietf:params:xml:ns:xmpp-tls';
const NAME = '(?:[A-Za-z0-9_.-]+:)?';
const FEATURES_START = new RegExp(`<${NAME}features\\b`);
const FEATURES_END = new RegExp(`</${NAME}features\\s*>|<${NAME}features\\b[^<>]{0,1024}/>`, 'g');
const STREAM_ERROR = new RegExp(`<${NAME}error\\b[^<>]{0,1024}>\\s*<([A-Za-z-]{1,64})\\b`, 'g');
const PROCEED = new RegExp(`<proceed\\b[^<>]{0,1024}(?:/>|>\\s*</proceed\\s*>)`, 'g');
const FAILURE = new RegExp(`<failure\\b[^<>]{0,1024}(?:/>|>)`, 'g');

/** `to=` must be a domain or an address: never anything that could leave the attribute. */
export function validXmppDomain(name: string): boolean {
  return name.length <= 253 && (isIP(name) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name));
}

function search(re: RegExp, text: string, from: number): RegExpExecArray | null {
  re.lastIndex = from;
  return re.exec(text);
}

export const xmppDialogue =
  (server: boolean) =>
  (): FrameProtocol => {
    let stage: 'features' | 'proceed' = 'features';
    // The unread bytes are searched once: each read scans only what is new, plus an overlap for a
    // marker that straddles two reads (every pattern is bounded to ~1 KiB), so the work is linear.
    let scanned = 0;
    let featuresAt = -1;
    const OVERLAP = 1100;
    const label = server ? 'XMPP server' : 'XMPP';
    const streamError = (text: string, io: DialogueIo): boolean => {
      const e = search(STREAM_ERROR, text, 0);
      if (!e) return false;
      const condition = e[1] ?? 'undefined-condition';
      io.fail(condition === 'resource-constraint' ? 'throttled' : stage === 'features' ? 'greeting-error' : 'starttls-refused', `the server sent the stream error <${condition}/>`);
      return true;
    };
    return {
      protocol: server ? 'xmpp-server' : 'xmpp',
      framing: 'frames',
      first: `no ${label} stream header`,
      start(io) {
        const to = io.ctx.spec.xmppHost ?? io.ctx.servername ?? io.ctx.ip;
        if (!validXmppDomain(to)) return io.fail('protocol-error', `not a valid XMPP domain for to=: ${JSON.stringify(to.slice(0, 64))}`);
        const ns = server ? 'jabber:server' : 'jabber:client';
        io.send(`<?xml version='1.0'?><stream:stream xmlns='${ns}' xmlns:stream='http://etherx.jabber.org/streams' to='${to}' version='1.0'>`, `no ${label} stream features`);
      },
      onBytes(data, io) {
        const from = Math.max(0, scanned - OVERLAP);
        scanned = data.length;
        const text = data.toString('latin1', from);
        if (text.includes('<!')) {
          io.fail('protocol-error', 'the server sent a DTD, entity or comment in the XML stream (RFC 6120 §11.1 forbids them)');
          return 0;
        }
        if (streamError(text, io)) return 0;
        if (stage === 'features') {
          if (io.evidence.greeting === null) {
            const header = /<(?:[A-Za-z0-9_.-]+:)?stream\b([^<>]{0,2048})>/.exec(text);
            if (header) io.evidence.greeting = printable(header[1]?.trim() ?? '', 300);
          }
          if (featuresAt < 0) {
            const start = text.search(FEATURES_START);
            if (start >= 0) featuresAt = from + start;
          }
          const end = search(FEATURES_END, text, 0);
          if (!end || featuresAt < 0) return 0;
          const endAt = from + end.index + end[0].length;
          const features = data.toString('latin1', featuresAt, endAt);
          const names = [...features.matchAll(/<([A-Za-z0-9_.:-]{1,64})[\s/>]/g)].map((m) => m[1] ?? '').filter((n) => !/(^|:)features$/.test(n));
          io.evidence.capabilities = [...new Set(names)].slice(0, 50);
          io.evidence.starttlsOffered = /<starttls\b[^<>]{0,512}xmlns\s*=\s*['"]urn:ietf:params:xml:ns:xmpp-tls['"]/.test(features);
          if (!io.evidence.starttlsOffered) {
            io.fail('no-starttls', 'the server does not offer <starttls/> among its stream features', '</stream:stream>');
            return 0;
          }
          stage = 'proceed';
          scanned = 0;
          featuresAt = -1;
          io.send(`<starttls xmlns='${TLS_NS}'/>`, 'no reply to <starttls/>');
          return endAt;
        }
        const ok = search(PROCEED, text, 0);
        if (ok) {
          io.proceed(ok[0]);
          return from + ok.index + ok[0].length;
        }
        if (search(FAILURE, text, 0)) {
          io.fail('starttls-refused', 'the server answered <starttls/> with <failure/>', '</stream:stream>');
          return 0;
        }
        return 0;
      },
    };
  };
