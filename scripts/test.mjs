// `npm test`: the whole suite, in the order a failure is cheapest to see.
//   1. prepare: mediasoup worker (built once, cached) and the web build
//   2. type checks (server packages and the Svelte app), then the checks that keep the
//      architecture true: ESLint, Prettier (format:check) and the import boundaries
//      (dependency-cruiser, .dependency-cruiser.cjs)
//   3. vitest: unit and integration tests on real Postgres, Redis and mediasoup
//   4. Playwright: real Chromium with a fake camera against the running platform (then
//      media-recovery's broadcast case again over two media workers)
// Prints one closing line with the totals.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureSupportedNode } from './node-runtime.mjs';

// On a Node older than 22 this runs the script again under the pinned Node 24 (scripts/node-runtime.mjs);
// every step below inherits it (its bin/ is first on PATH, so `npx vitest` and `npx playwright` use it).
await ensureSupportedNode();
const { prepare, ROOT } = await import('./prepare.mjs');
const { checkServices } = await import('./check-services.mjs');

const servicesProblem = await checkServices();
if (servicesProblem) {
  process.stderr.write(`\n${servicesProblem}\n`);
  process.stdout.write('\nfailing steps: services\ntests: 0 passed, 1 failed, 0 skipped\n');
  process.exit(1);
}

const env = { ...process.env, ...(await prepare()) };
const reports = mkdtempSync(path.join(tmpdir(), 'fairground-test-'));

function run(title, command, args, extraEnv = {}) {
  process.stderr.write(`\n[test] ${title}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...env, ...extraEnv } });
  return result.status === 0;
}

const steps = [];
steps.push(['typecheck', run('type check', 'npx', ['tsc', '-p', 'tsconfig.json']) && run('type check e2e', 'npx', ['tsc', '-p', 'e2e/tsconfig.json'])]);
steps.push(['svelte-check', run('svelte-check', 'npm', ['run', 'check', '-w', '@fairground/web'])]);
steps.push(['lint', run('lint', 'npm', ['run', 'lint'])]);
steps.push(['format', run('format check', 'npm', ['run', 'format:check'])]);
steps.push(['boundaries', run('import boundaries', 'npm', ['run', 'check:boundaries'])]);

const vitestJson = path.join(reports, 'vitest.json');
steps.push(['vitest', run('vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`])]);

const playwrightJson = path.join(reports, 'playwright.json');
steps.push([
  'playwright',
  run('playwright', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
  }),
]);

// The same platform over two media workers, as production runs on two cores: a broadcast's
// viewers then receive from an edge worker, and media-recovery kills that edge too.
const twoWorkersJson = path.join(reports, 'playwright-two-workers.json');
steps.push([
  'playwright (two media workers)',
  run(
    'playwright, two media workers',
    'npx',
    ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json', 'e2e/tests/media-recovery.spec.ts', '-g', 'broadcast'],
    { PLAYWRIGHT_JSON_OUTPUT_NAME: twoWorkersJson, E2E_MEDIA_WORKERS: '2' },
  ),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
} catch {
  failed += 1; // vitest did not report: count the run itself as a failure
}
for (const report of [playwrightJson, twoWorkersJson]) {
  try {
    const p = JSON.parse(readFileSync(report, 'utf8'));
    passed += p.stats.expected;
    failed += p.stats.unexpected + p.stats.flaky;
    skipped += p.stats.skipped;
  } catch {
    failed += 1;
  }
}
const failedSteps = steps.filter(([, ok]) => !ok).map(([name]) => name);
// A failing check that is not a test runner counts as one failed test, so the closing line shows it.
const CHECKS = ['typecheck', 'svelte-check', 'lint', 'format', 'boundaries'];
failed += failedSteps.filter((name) => CHECKS.includes(name)).length;

process.stdout.write(`\n${failedSteps.length ? `failing steps: ${failedSteps.join(', ')}\n` : ''}`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failedSteps.length === 0 && failed === 0 ? 0 : 1);
