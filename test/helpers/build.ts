// Tests that run the real `bin/secgrade.js` need dist/ to match the sources: build once per run.
// SECGRADE_TEST_NO_BUILD=1 skips it when iterating on tests that never start the binary.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.SECGRADE_TEST_NO_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
