// `--format text` over the lab's reports against committed goldens at 80 and 160 columns (the whole
// card: every suite, every point lost, the summary table after several targets; UPDATE_GOLDEN=1
// rewrites them — read the diff), and `--format json` streamed byte for byte as JSON.stringify writes it.
import { describe, expect, it } from 'vitest';
import { renderToString } from '../../src/render/renderer.js';
import { textRenderer } from '../../src/render/text.js';
import { byHost, expectGolden, GOLDEN_OPTS, LAB } from '../helpers/lab-reports.js';

describe('text renderer goldens', () => {
  it.each([80, 160])('the lab batch at %i columns', async (width) => {
    expectGolden('text', `lab-${width}.txt`, await renderToString(textRenderer, LAB, { ...GOLDEN_OPTS, width }));
  });
  it('one report with --severity medium', async () => {
    expectGolden('text', 'legacy-medium.txt', await renderToString(textRenderer, [byHost('legacy.secgrade.test')], { ...GOLDEN_OPTS, minSeverity: 'medium' }));
  });
});

describe('json renderer', () => {
  it('streams exactly what JSON.stringify(…, null, 2) gives: an object for one report, an array for several or none', async () => {
    const { jsonRenderer } = await import('../../src/render/json.js');
    for (const reports of [[], LAB.slice(0, 1), LAB.slice(0, 2), LAB]) {
      const expected = JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n';
      expect(await renderToString(jsonRenderer, reports, GOLDEN_OPTS)).toBe(expected);
    }
  });
});
