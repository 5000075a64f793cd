import { defineConfig } from 'vitest/config';

// Five projects: `npm test` runs unit + integration (Node and the image's openssl only);
// `npm run test:services` the tests that start redis-server; `npm run test:conformance` the tests
// that need other Debian packages (nginx, testssl.sh …); `npm run test:browser` the HTML pages in
// Debian's headless chromium.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], testTimeout: 15_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.{ts,tsx}'],
          globalSetup: ['test/helpers/build.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // `npm run test:services`: tests that start a service (redis-server) on loopback.
          name: 'services',
          include: ['test/services/**/*.test.{ts,tsx}'],
          globalSetup: ['test/helpers/build.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // `npm run test:browser`: HTML reports rendered by the built binary, opened in chromium.
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          globalSetup: ['test/helpers/build.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One browser at a time: the machine has two cores and each file starts its own chromium.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.{ts,tsx}'],
          // secgrade runs as the real binary here, so dist/ must match the sources.
          globalSetup: ['test/helpers/build.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
