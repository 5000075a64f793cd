// The card's handshake simulation: one row per client — protocol, suite, group and its size, the
// certificate key — or why it fails. Weak results in amber/red by how current the client is.
import type { SimulationEntry, TlsResult } from '../../model/report.js';
import { weaknesses } from '../../tls/simulation.js';
import { seg, type Seg, type Tone } from '../style.js';
import { field, plural, ROW_INDENT, type CardLine } from './lines.js';
import { certificateText, clientLabel, keyExchangeText, outcomeText } from '../simulation-words.js';

/** How loud a failure or a weak result is: a current client's is bad, an obsolete one's dim. */
const tierTone = (e: SimulationEntry): Tone => (e.tier === 'current' ? 'bad' : e.tier === 'legacy' ? 'warn' : 'dim');

export function simulationLines(tls: TlsResult): CardLine[] {
  const sim = tls.simulation;
  if (!sim?.length) return [];
  const ok = sim.filter((e) => e.status === 'ok').length;
  const failed = sim.filter((e) => e.status === 'failed').length;
  const untested = sim.length - ok - failed;
  const summary: Seg[][] = [[seg(`${plural(sim.length, 'client')} · ${ok} connect`)]];
  if (failed) summary.push([seg(`${failed} fail`, 'warn')]);
  if (untested) summary.push([seg(`${untested} not tested`, 'dim')]);
  // Compact rows for 80 columns: the platform only where it tells two clients apart, the
  // certificate only when clients got different ones (else once, in the summary).
  const short = (e: SimulationEntry): string => `${e.name} ${e.version}`;
  const twins = new Set(sim.filter((e, i) => sim.some((o, j) => j !== i && short(o) === short(e))).map(short));
  const certs = new Set(sim.flatMap((e) => (e.certificate ? [e.certificate.fingerprintSha256] : [])));
  const oneCert = certs.size <= 1;
  const only = sim.find((e) => e.certificate);
  if (oneCert && only) summary.push([seg(`certificate ${certificateText(only)}`, 'dim')]);
  const rows = sim.map((e): Seg[][] => {
    const name = [seg(twins.has(short(e)) ? clientLabel(e) : short(e), e.tier === 'obsolete' ? 'dim' : 'plain')];
    if (e.status !== 'ok') return [name, [seg(outcomeText(e), e.status === 'failed' ? tierTone(e) : 'dim')]];
    const weak = weaknesses(e).length > 0;
    const cells = [name, [seg(e.protocol ?? '', weak ? tierTone(e) : 'plain')], [seg(e.cipherSuite ?? '', weak ? tierTone(e) : 'plain')], [seg(keyExchangeText(e))]];
    if (!oneCert) cells.push([seg(certificateText(e), 'dim')]);
    const notes = outcomeText(e);
    return notes ? [...cells, [seg(notes, weak ? tierTone(e) : 'dim')]] : cells;
  });
  const width = (i: number) => Math.max(0, ...rows.filter((r) => r.length > 2).map((r) => r[i]?.[0]?.text.length ?? 0));
  const pad = [Math.max(0, ...rows.map((r) => r[0]?.[0]?.text.length ?? 0)), width(1), width(2), width(3)];
  return [field('simulation', summary), ...rows.map((items): CardLine => ({ indent: ROW_INDENT, items, gap: 2, pad, hang: 2 }))];
}
