import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'db/src/**/*.test.ts',
      'core/src/**/*.test.ts',
      'demo/src/**/*.test.ts',
      'media-server/src/**/*.test.ts',
      'signaling/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    // Real Postgres, Redis and mediasoup workers: generous timeouts, and files run one or two at a
    // time on this 2-core machine so timing-sensitive assertions stay stable.
    testTimeout: 30_000,
    hookTimeout: 180_000,
    fileParallelism: true,
    maxWorkers: 2,
    allowOnly: !process.env.CI,
  },
});
