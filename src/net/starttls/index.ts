// The STARTTLS registry: one dialogue per protocol, each in its own file. Adding a protocol =
// a file here, its name in STARTTLS_PROTOCOLS (types.ts) and a line below.
import type net from 'node:net';
import { ftpDialogue } from './ftp.js';
import { imapDialogue } from './imap.js';
import { ircDialogue } from './irc.js';
import { ldapDialogue } from './ldap.js';
import { mysqlDialogue } from './mysql.js';
import { nntpDialogue } from './nntp.js';
import { pop3Dialogue } from './pop3.js';
import { postgresDialogue } from './postgres.js';
import { runDialogue, type DialogueLimits, type DialogueProtocol } from './runner.js';
import { sieveDialogue } from './sieve.js';
import { runSmtpStartTls } from './smtp.js';
import { xmppDialogue } from './xmpp.js';
import type { DialogueContext, DialogueEvidence, DialogueResult, SmtpDialogueEvidence, StartTlsDialogue, StartTlsEvidence, StartTlsProtocol } from './types.js';

export * from './types.js';

const DIALOGUES: Record<Exclude<StartTlsProtocol, 'smtp' | 'lmtp'>, () => DialogueProtocol> = {
  imap: imapDialogue,
  pop3: pop3Dialogue,
  sieve: sieveDialogue,
  ftp: ftpDialogue,
  xmpp: xmppDialogue(false),
  'xmpp-server': xmppDialogue(true),
  ldap: ldapDialogue,
  postgres: postgresDialogue,
  mysql: mysqlDialogue,
  nntp: nntpDialogue,
  irc: ircDialogue,
};

export interface RunStartTlsOptions {
  limits?: Readonly<DialogueLimits>;
}

/**
 * Runs the protocol's dialogue on `socket` (connecting or connected) up to its go-ahead. `done` is
 * called once; on success the socket is ready for the first TLS byte and its listeners are the
 * caller's to attach. Never destroys the socket.
 */
export function runStartTls(socket: net.Socket, ctx: DialogueContext, done: (r: DialogueResult) => void, opts: RunStartTlsOptions = {}): StartTlsDialogue {
  const p = ctx.spec.protocol;
  if (p === 'smtp' || p === 'lmtp') return runSmtpStartTls(socket, ctx, done);
  return runDialogue(socket, DIALOGUES[p](), ctx, done, opts.limits);
}

/** What the report shows of a dialogue: the banner, the capabilities, whether STARTTLS was offered. */
export interface StartTlsSummary {
  protocol: StartTlsProtocol;
  greeting: string | null;
  capabilities: string[];
  offered: boolean | null;
}

export function summarizeStartTls(e: StartTlsEvidence): StartTlsSummary {
  if (e.protocol === 'smtp' || e.protocol === 'lmtp') {
    const smtp = e as SmtpDialogueEvidence;
    return {
      protocol: e.protocol,
      greeting: smtp.greeting ? smtp.greeting.lines.join('\n').slice(0, 300) : null,
      capabilities: smtp.extensions.map((x) => x.keyword),
      offered: smtp.starttlsAdvertised,
    };
  }
  const d = e as DialogueEvidence;
  return { protocol: d.protocol, greeting: d.greeting, capabilities: d.capabilities.slice(0, 100), offered: d.starttlsOffered };
}
