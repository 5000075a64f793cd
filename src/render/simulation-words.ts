// The handshake simulation's cells in words, shared by the card, Markdown and HTML.
import type { SimulationEntry } from '../model/report.js';
import { weaknesses } from '../tls/simulation.js';

export const clientLabel = (e: SimulationEntry): string => `${e.name} ${e.version}${e.platform ? ` ${e.platform}` : ''}`;

/** "x25519 253", "DH 1024", or '' for static RSA. */
export function keyExchangeText(e: SimulationEntry): string {
  if (e.group) return e.keyExchangeBits ? `${e.group} ${e.keyExchangeBits}` : e.group;
  return e.keyExchangeBits ? `DH ${e.keyExchangeBits}` : '';
}

export function certificateText(e: SimulationEntry): string {
  const c = e.certificate;
  return c ? `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}` : '';
}

/** "fails: why", "not tested: why", or what to know of what it negotiated (weaknesses, a retry; '' when nothing). */
export function outcomeText(e: SimulationEntry): string {
  if (e.status === 'failed') return `fails: ${e.reason ?? 'no reason given'}`;
  if (e.status === 'untested') return `not tested: ${e.reason ?? 'no reason given'}`;
  const parts = [...weaknesses(e)];
  if (e.helloRetry) parts.push(`after a HelloRetryRequest for ${e.helloRetry}`);
  if (e.note) parts.push(e.note);
  return parts.join('; ');
}
