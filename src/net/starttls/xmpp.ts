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
    // Where the scan of the unread text may resume (a marker can straddle two reads).
    let scanned = 0;
    const label = server ? 'XMPP server' : 'XMPP';
    const streamError = (text: string, from: number, io: DialogueIo): boolean => {
      const e = search(STREAM_ERROR, text, from);
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
        const text = data.toString('latin1');
        const from = Math.max(0, scanned - 1100);
        scanned = text.length;
        if (text.indexOf('<!', from) !== -1) {
          io.fail('protocol-error', 'the server sent a DTD, entity or comment in the XML stream (RFC 6120 §11.1 forbids them)');
          return 0;
        }
        if (stage === 'features') {
          const header = /<(?:[A-Za-z0-9_.-]+:)?stream\b([^<>]{0,2048})>/.exec(text);
          if (header && io.evidence.greeting === null) io.evidence.greeting = printable(header[1]?.trim() ?? '', 300);
          if (streamError(text, from, io)) return 0;
          const end = search(FEATURES_END, text, from);
          if (!end) return 0;
          const start = text.search(new RegExp(`<${NAME}features\\b`));
          const features = text.slice(start < 0 ? 0 : start, end.index + end[0].length);
          const names = [...features.matchAll(/<([A-Za-z0-9_.:-]{1,64})[\s/>]/g)].map((m) => m[1] ?? '').filter((n) => !/(^|:)features$/.test(n));
          io.evidence.capabilities = [...new Set(names)];
          io.evidence.starttlsOffered = /<starttls\b[^<>]{0,512}xmlns\s*=\s*['"]urn:ietf:params:xml:ns:xmpp-tls['"]/.test(features);
          if (!io.evidence.starttlsOffered) {
            io.fail('no-starttls', 'the server does not offer <starttls/> among its stream features', '</stream:stream>');
            return 0;
          }
          stage = 'proceed';
          scanned = 0;
          io.send(`<starttls xmlns='${TLS_NS}'/>`, 'no reply to <starttls/>');
          return end.index + end[0].length;
        }
        if (streamError(text, from, io)) return 0;
        const ok = search(PROCEED, text, from);
        if (ok) {
          io.proceed(ok[0]);
          return ok.index + ok[0].length;
        }
        if (search(FAILURE, text, from)) {
          io.fail('starttls-refused', 'the server answered <starttls/> with <failure/>', '</stream:stream>');
          return 0;
        }
        return 0;
      },
    };
  };
