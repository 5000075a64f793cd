#!/usr/bin/env node
// The CLI as one bundle (dist/bundle/), built after tsc by `npm run build`: start-up is module
// loading, not scanning (≈ 0.8 s → 0.4 s for a whole `--checks tls` scan measured on the 2-core
// machine; the scan itself is ~0.1 s), and one file per chunk instead of ~330 modules and their
// packages' files is most of that. Code split at every dynamic import, so the Ink views, the lab,
// the stores and the queue stay out of a plain scan's start.
//
// Kept external (loaded from node_modules as before): the native addon, and the packages that are
// only ever imported dynamically (by commands that are not a scan, or on first use): a bundler's
// view of a CommonJS package behind import() is not Node's (named exports go missing), and those
// packages cost a plain scan nothing anyway.
// bin/secgrade.js prefers this bundle and falls back to dist/src/cli/main.js without it.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const NATIVE = ['better-sqlite3'];
const LAZY = ['ink', 'react', 'react/*', 'bullmq', 'ioredis', 'pg', 'nodemailer', 'smtp-server', 'undici', 'reflect-metadata', '@peculiar/x509'];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'bundle');

await rm(OUT, { recursive: true, force: true });
await build({
  // The batch's scan threads start from a file of their own, found beside the code that starts them
  // (src/cli/batch-threads.ts): dist/bundle/batch-thread.js here, dist/src/cli/ without the bundle.
  entryPoints: [
    { in: path.join(ROOT, 'dist', 'src', 'cli', 'main.js'), out: 'main' },
    { in: path.join(ROOT, 'dist', 'src', 'cli', 'batch-thread.js'), out: 'batch-thread' },
  ],
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  external: [...NATIVE, ...LAZY],
  // CommonJS packages inside an ESM bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __secgradeRequire } from 'node:module'; const require = __secgradeRequire(import.meta.url);" },
});
