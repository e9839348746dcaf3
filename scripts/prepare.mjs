// What `npm start` and `npm test` need before any TypeScript runs: a mediasoup worker binary and
// a current build of the web app. Plain Node so it runs straight after `npm install`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
  const inputs = ['web/src', 'web/static', 'web/svelte.config.js', 'web/vite.config.ts', 'signaling/src/protocol'];
  return inputs.every((p) => !existsSync(path.join(ROOT, p)) || newestMtime(path.join(ROOT, p)) <= built);
}

export function ensureWebBuild() {
  if (webBuildIsCurrent()) return;
  log('building the web app (vite build)');
  const result = spawnSync('npm', ['run', 'build', '-w', '@fairground/web'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('The web app failed to build: see the output above');
}

/** Returns the environment additions every server process needs. */
export async function prepare({ web = true } = {}) {
  const workerBin = await ensureWorker({ log });
  if (web) ensureWebBuild();
  return { MEDIASOUP_WORKER_BIN: workerBin, WEB_HANDLER };
}
