// What `npm start` and `npm test` need before any TypeScript runs: the dependency patches, a
// mediasoup worker binary and a current build of the web app. Plain Node so it runs straight after `npm install`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWorker } from '../media-server/scripts/ensure-worker.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_HANDLER = path.join(ROOT, 'web/build/handler.js');

const log = (message) => process.stderr.write(`[prepare] ${message}\n`);

// Generated during builds and checks (Paraglide's compiled messages); not an input.
const GENERATED = new Set([path.join(ROOT, 'web/src/lib/paraglide')]);

function newestMtime(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    const child = path.join(target, entry);
    if (!GENERATED.has(child)) newest = Math.max(newest, newestMtime(child));
  }
  return newest;
}

/** The web build is stale when any of its inputs changed after it was made. */
function webBuildIsCurrent() {
  if (!existsSync(WEB_HANDLER)) return false;
  const built = statSync(WEB_HANDLER).mtimeMs;
  const inputs = ['web/src', 'web/static', 'web/messages', 'web/vite.config.ts', 'web/package.json', 'signaling/src/protocol', 'core/src', 'db/src'];
  return inputs.every((p) => !existsSync(path.join(ROOT, p)) || newestMtime(path.join(ROOT, p)) <= built);
}

const LOCK = path.join(ROOT, 'web/.build-lock');

/** Two builds into one folder would clobber each other: one at a time (mkdir is atomic). */
function withBuildLock(fn) {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than the slowest build is left over from a killed run.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 5 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export function ensureWebBuild() {
  if (webBuildIsCurrent()) return;
  withBuildLock(() => {
    if (webBuildIsCurrent()) return; // another run built it while we waited
    log('building the web app (vite build)');
    const result = spawnSync('npm', ['run', 'build', '-w', '@fairground/web'], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('The web app failed to build: see the output above');
  });
}

/** Returns the environment additions every server process needs. */
/**
 * Fixes to dependencies that upstream has not released (patches/, patch-package): applied here as
 * well as on `postinstall`, because npm may be set to skip install scripts (this project's CI
 * machines are). Idempotent: an applied patch is recognised and left alone.
 */
function applyPatches() {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/patch-package/index.js'), '--error-on-fail'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`patch-package failed:\n${result.stdout}${result.stderr}`);
}

export async function prepare({ web = true } = {}) {
  applyPatches();
  const workerBin = await ensureWorker({ log });
  if (web) ensureWebBuild();
  return { MEDIASOUP_WORKER_BIN: workerBin, WEB_HANDLER };
}
