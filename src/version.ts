import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped whenever a check or grading rule changes meaning, so stored histories can be compared fairly. */
export const ALGORITHM_VERSION = '2026.11.0';

function readPackageVersion(): string {
  // Works from src/ (tests) and dist/src/ (installed build): walk up to our package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'secgrade' && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const TOOL_VERSION = readPackageVersion();
