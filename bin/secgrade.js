#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';

// A bug must still end in one line, not a stack trace (SECGRADE_DEBUG=1 shows it).
const internalError = (err) => {
  process.stderr.write(`secgrade: internal error: ${err?.message ?? err}\n`);
  if (process.env.SECGRADE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  process.exit(3);
};
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

// React (under Ink) picks its build from NODE_ENV when first loaded: without this it runs its
// development build, whose checks and render timing made the live view several times slower.
process.env.NODE_ENV ??= 'production';
// The bundle (scripts/bundle.mjs) starts in half the time; the modules tsc wrote are the fallback.
const bundled = new URL('../dist/bundle/main.js', import.meta.url);
const { runCli } = await import(existsSync(bundled) ? bundled.href : '../dist/src/cli/main.js');

const controller = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted++;
    // First signal: stop scanning and print what is done; second: leave now.
    if (interrupted > 1) process.exit(130);
    controller.abort(new Error('interrupted'));
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// runCli resolves only once stdout and stderr are flushed, so this cannot cut the report short
// (a slow reader is waited for); it only keeps a stray handle from hanging the caller.
setTimeout(() => process.exit(code), 2000).unref();
