// TLS sessions of earlier HTTPS requests, offered by the next request to the same place: a
// resumed handshake skips the certificate, its signature and its verification — the dearest part
// of a request on both sides (the site scan makes 3–5 requests to one origin, and a batch
// thousands). Keyed by everything that decides what a handshake verifies: address, port, SNI name
// and trust anchors. Only sessions of handshakes that verified are kept: a resumed handshake
// reports the verification result of the one that made the session (OpenSSL keeps it in the
// session, and Node skips its name check on resumption), so it then says what that one saw.
import type { TLSSocket } from 'node:tls';

const MAX_SESSIONS = 1024;
const LIFETIME_MS = 60_000;

const sessions = new Map<string, { session: Buffer; until: number }>();
const trustIds = new WeakMap<readonly string[], number>();
let nextTrustId = 1;

export function sessionKey(ip: string, port: number, servername: string | null, extraCa: readonly string[]): string {
  let trust = trustIds.get(extraCa);
  if (trust === undefined) trustIds.set(extraCa, (trust = nextTrustId++));
  return `${ip}|${port}|${servername ?? ''}|${trust}`;
}

/** A live session for `key`, if an earlier verified handshake left one. */
export function sessionFor(key: string, now = Date.now()): Buffer | undefined {
  const entry = sessions.get(key);
  if (!entry) return undefined;
  if (entry.until > now) return entry.session;
  sessions.delete(key);
  return undefined;
}

function remember(key: string, session: Buffer, now = Date.now()): void {
  sessions.delete(key); // re-inserted last: the oldest entry is the first to go
  sessions.set(key, { session, until: now + LIFETIME_MS });
  if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
}

/**
 * Keep the sessions `socket` receives once its handshake is done and verified. TLS 1.2 sends its
 * session before the handshake ends and TLS 1.3 after, so both orders are handled.
 */
export function keepSessions(key: string, socket: TLSSocket): void {
  let pending: Buffer | null = null;
  let verified: boolean | null = null;
  socket.on('session', (session: Buffer) => {
    if (verified === true) remember(key, session);
    else if (verified === null) pending = session;
  });
  socket.once('secureConnect', () => {
    verified = socket.authorized;
    if (verified && pending) remember(key, pending);
    pending = null;
  });
}

/** For tests: forget every session. */
export function forgetSessions(): void {
  sessions.clear();
}
