import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3100);
// Every run starts from an empty embedded database (PGlite) with fresh demo data: the same
// defaults `npm start` uses, so the README's path is the one under test.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'fairground-e2e-'));
// The test workers read the captured mail under DATA_DIR/mail (e2e/tests/fixtures.ts): they inherit this.
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: './tests',
  outputDir: '../test-results',
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: 1,
  // A hang guard, not a speed check: media and axe scans are slow when the 2 cores are shared.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never', outputFolder: '../playwright-report' }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'desktop', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    // The README's own path: prepare the worker and web build, then run the platform.
    command: 'node scripts/start.mjs',
    cwd: '..',
    url: `http://localhost:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
      // One worker keeps the suite light on 2 cores; `npm test` runs media-recovery's broadcast case
      // again with E2E_MEDIA_WORKERS=2 (an edge worker to kill), as production runs on two cores.
      MEDIA_WORKERS: process.env.E2E_MEDIA_WORKERS ?? '1',
      // The clock (fairs opening, broadcast notices) ticks every second, so tests need not wait 10 s.
      CLOCK_INTERVAL_MS: '1000',
      // Every browser in the suite signs in from the same loopback address; a journey signs in
      // several people within a minute, which the production limit (10) would refuse.
      AUTH_ATTEMPTS_PER_MINUTE: '120',
      // The integrations spec's webhook receiver listens on 127.0.0.1 (refused by default: SSRF guard).
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_MS: '200',
    },
  },
});
