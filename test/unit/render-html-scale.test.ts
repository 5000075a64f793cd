// `--format html` for a large batch: 1,000 targets render (one collapsible section each, every one
// in the fleet table), the page's size and the time to make it grow linearly with the targets, and
// the renderer reads its source exactly twice without keeping the reports (checked with WeakRefs
// and a forced garbage collection while the page streams).
import { setImmediate as tick } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

import type { Report } from '../../src/model/report.js';
import { SORT_ORDERS } from '../../src/render/html/fleet-sort.js';
import { htmlRenderer } from '../../src/render/html/index.js';
import { type ReportSource } from '../../src/render/renderer.js';
import { expectGrowthBelow } from '../helpers/growth.js';
import { checkDocument, parseHtml } from '../helpers/html-dom.js';
import { LAB, GOLDEN_OPTS } from '../helpers/lab-reports.js';

const OPTS = GOLDEN_OPTS;

/** The i-th synthetic target: a copy of a lab report under its own host name (a fresh object each time). */
function synthetic(i: number): Report {
  const r = structuredClone(LAB[i % LAB.length]!);
  r.target.host = `host${i}.fleet.test`;
  return r;
}

/** A source of `n` synthetic reports, made fresh on every pass (as NDJSON read again from disk would be). */
function syntheticSource(n: number, onReport?: (pass: number, i: number, r: Report) => void): ReportSource & { passes: number } {
  const src = Object.assign(
    async function* () {
      const pass = ++src.passes;
      for (let i = 0; i < n; i++) {
        const r = synthetic(i);
        onReport?.(pass, i, r);
        yield r;
      }
    },
    { passes: 0 },
  );
  return src;
}

async function renderSource(source: ReportSource): Promise<string> {
  let out = '';
  for await (const chunk of htmlRenderer.stream!(source, OPTS)) out += chunk;
  return out;
}

describe('html: a batch of 1,000 targets', () => {
  it('renders every target once, in the fleet table and as a section, reading the source twice', async () => {
    const src = syntheticSource(1000);
    const html = await renderSource(src);
    expect(src.passes).toBe(2);
    expect(html.match(/<details id="t\d+">/g)?.length).toBe(1000);
    // The targets table once per order (CSS shows one): each copy has every target.
    expect(html.match(/<th scope="row"><a href="#t\d+">/g)?.length).toBe(1000 * SORT_ORDERS.length);
    expect(html).toContain('<h1>secgrade fleet report: 1000 targets</h1>');
    for (const i of [0, 499, 999]) expect(html).toContain(`<details id="t${i + 1}"><summary><h3>host${i}.fleet.test:`);
    expect(html.endsWith('</html>\n')).toBe(true);
    // The sortable table repeats only each target's small row per order: a few KB per target at most
    // (measured: about 3.3 KB for 7 orders, against 0.47 KB for the one order it replaced).
    const table = html.slice(html.indexOf('<section aria-labelledby="fleet-table">'), html.indexOf('<section aria-labelledby="targets">'));
    expect(table.length / 1000).toBeLessThan(4000);
    // Its size grows linearly: 1,000 targets are 8 times 125 (the page's fixed part is small).
    const small = await renderSource(syntheticSource(125));
    const ratio = html.length / small.length;
    expect(ratio).toBeGreaterThan(7.5);
    expect(ratio).toBeLessThan(8.2);
  }, 120_000);

  it('a 40-target page is a valid document', async () => {
    checkDocument(parseHtml(await renderSource(syntheticSource(40))), '40 targets');
  });

  it('takes linear time in the number of targets', async () => {
    await expectGrowthBelow('html batch 15 → 120 targets', 30, () => renderSource(syntheticSource(15)), () => renderSource(syntheticSource(120)), { rounds: 5 });
  }, 120_000);

  it('keeps no report: each is collectable once its part is written', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const refs: Array<Array<WeakRef<Report>>> = [[], [], []];
    const src = syntheticSource(30, (pass, i, r) => {
      refs[pass]![i] = new WeakRef(r);
    });
    const alive = (pass: number, upTo: number): number[] => refs[pass]!.slice(0, upTo).flatMap((w, i) => (w.deref() ? [i] : []));
    let sections = 0;
    let first = true;
    for await (const chunk of htmlRenderer.stream!(src, OPTS)) {
      // Let the current job end (WeakRef targets are kept until then), then collect.
      await tick();
      gc();
      if (first) {
        // Pass 1 is over (the page starts only once the digests are complete): none of its reports is
        // held (the last one read may linger in a register of the suspended generator: not counted).
        expect(refs[1]!.length).toBe(30);
        expect(alive(1, 29)).toEqual([]);
        first = false;
      }
      const m = /^<details id="t(\d+)">/.exec(chunk);
      if (m) {
        sections++;
        const n = Number(m[1]);
        // While target n is written, every report before the previous one is gone.
        expect(alive(2, n - 2)).toEqual([]);
      }
    }
    expect(sections).toBe(30);
    expect(src.passes).toBe(2);
  });
});
