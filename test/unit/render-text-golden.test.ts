// `--format text` over the lab's reports, compared with committed goldens at 80 and 160 columns:
// the whole card (every suite, every point lost, the summary table after several targets), so a
// change to any line of it is seen in review. Regenerate with UPDATE_GOLDEN=1 and read the diff.
import { describe, it } from 'vitest';
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
