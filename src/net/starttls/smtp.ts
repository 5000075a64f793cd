// SMTP (RFC 3207) and LMTP (RFC 2033: LHLO instead of EHLO) behind the common dialogue interface.
// The dialogue itself is src/net/smtp/client.ts (the MX probe reads its richer evidence too).
// Bytes after the 220 to STARTTLS (RFC 3207 §4.2: the client must discard them) fail the
// dialogue 'injected', as for every protocol: they are never read as the start of TLS.
import type net from 'node:net';
import { runSmtpDialogue, type SmtpDialogueResult } from '../smtp/client.js';
import type { DialogueContext, DialogueResult, SmtpDialogueEvidence, StartTlsDialogue } from './types.js';

export function runSmtpStartTls(socket: net.Socket, ctx: DialogueContext, done: (r: DialogueResult) => void): StartTlsDialogue {
  const protocol = ctx.spec.protocol === 'lmtp' ? 'lmtp' : 'smtp';
  const wrap = (e: SmtpDialogueResult['evidence']): SmtpDialogueEvidence => ({ protocol, ...e });
  const dialogue = runSmtpDialogue(socket, { goal: 'starttls', ehloName: ctx.spec.ehloName, hello: protocol === 'lmtp' ? 'LHLO' : 'EHLO' }, (r) => {
    const evidence = wrap(r.evidence);
    if (r.ok) {
      if (evidence.bytesAfterStarttls > 0) {
        done({ ok: false, kind: 'injected', reason: `the server sent ${evidence.bytesAfterStarttls} bytes after its 220 to STARTTLS and before our TLS hello (STARTTLS response injection, CVE-2011-0411); not parsed`, evidence });
        return;
      }
      done({ ok: true, evidence });
      return;
    }
    // 421: "service not available, closing" — RFC 5321 §4.2.3's answer to too many connections.
    const busy = [r.evidence.greeting, r.evidence.ehlo, r.evidence.starttls].some((reply) => reply?.code === 421);
    done({ ok: false, kind: busy ? 'throttled' : r.kind, reason: r.reason, evidence });
  });
  return {
    get waitingFor() {
      const w = dialogue.waitingFor;
      return w && protocol === 'lmtp' ? w.replace('SMTP', 'LMTP').replace('EHLO', 'LHLO') : w;
    },
    get evidence() {
      return wrap(structuredClone(dialogue.evidence));
    },
    cancel: () => dialogue.cancel(),
  };
}
