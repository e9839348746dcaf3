// Finds (or builds) a usable mediasoup-worker binary and returns its absolute path.
//
// Why this exists: mediasoup's npm install step (off in this repo: .npmrc has
// ignore-scripts=true) downloads a prebuilt worker from GitHub or pip-installs
// meson, and neither works offline. So the worker comes, in this order, from:
//   1. MEDIASOUP_WORKER_BIN, if set and the file exists;
//   2. the stock worker under node_modules/mediasoup/worker/out/Release, if it
//      exists and passes the smoke check (exit code 41 with an empty env);
//   3. media-server/scripts/build-worker.sh, which prints the cached build's
//      path at once, or builds it from source first (~9 min, once).
// Pass the result to mediasoup as MEDIASOUP_WORKER_BIN. mediasoup reads that
// variable once, when its module is first loaded (node/lib/Worker.js:
// `exports.workerBin = getWorkerBin()`), not per createWorker(): set it in the
// environment of the process, or before the first (dynamic) import, e.g.
//   process.env.MEDIASOUP_WORKER_BIN = await ensureWorker();
//   const mediasoup = await import('mediasoup');
//
// Plain Node ESM without dependencies, so it runs before anything is compiled.
// Run directly (`node media-server/scripts/ensure-worker.mjs`), it prints the
// path on stdout and logs on stderr.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(SCRIPT_DIR, '..', '..');
const BUILD_SCRIPT = path.join(SCRIPT_DIR, 'build-worker.sh');
const BUILD_COMMAND = 'bash media-server/scripts/build-worker.sh';

// npm workspaces normally hoist mediasoup to the root; the workspace's own
// node_modules is checked too in case it was not hoisted.
const STOCK_WORKERS = [
  path.join(REPO_ROOT, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker'),
  path.join(REPO_ROOT, 'media-server/node_modules/mediasoup/worker/out/Release/mediasoup-worker'),
];

const defaultLog = (message) => process.stderr.write(`[ensure-worker] ${message}\n`);

/**
 * The worker exits with its own code 41 when started without MEDIASOUP_VERSION
 * in its environment (worker/src/main.cpp). Any other outcome (127: a missing
 * shared library, a signal, ENOENT, EACCES...) means it can't run here.
 * Returns null when it passes, or a reason.
 */
function smokeCheck(bin) {
  const result = spawnSync(bin, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  if (result.error) return result.error.message;
  if (result.status === 41) return null;
  return result.signal ? `killed by ${result.signal}` : `exited with ${result.status} instead of 41`;
}

/** Runs build-worker.sh, streaming its stderr to log; resolves to its stdout's last line. */
function runBuildScript(log) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) log(line);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (pending) log(pending);
      if (code !== 0) {
        reject(new Error(`build-worker.sh ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`));
        return;
      }
      const lines = stdout.split('\n').map((line) => line.trim()).filter(Boolean);
      resolve(lines.at(-1) ?? '');
    });
  });
}

/**
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<string>} absolute path to a mediasoup-worker that runs here
 */
export async function ensureWorker({ log = defaultLog } = {}) {
  const problems = [];

  // 1. An explicit choice wins.
  const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
  if (fromEnv) {
    const bin = path.resolve(fromEnv);
    if (existsSync(bin)) return bin;
    problems.push(`MEDIASOUP_WORKER_BIN=${fromEnv} does not exist`);
    log(`MEDIASOUP_WORKER_BIN=${fromEnv} does not exist; looking elsewhere`);
  }

  // 2. The worker mediasoup's own install would have built or downloaded.
  for (const bin of STOCK_WORKERS) {
    if (!existsSync(bin)) continue;
    const reason = smokeCheck(bin);
    if (!reason) return bin;
    problems.push(`the stock worker ${bin} does not run here (${reason})`);
    log(`ignoring ${bin}: ${reason}`);
  }

  // 3. Our cached build from source (fast when cached, ~9 min when not).
  try {
    const bin = await runBuildScript(log);
    if (!bin || !path.isAbsolute(bin) || !existsSync(bin)) {
      throw new Error(`build-worker.sh printed no existing binary path (got ${JSON.stringify(bin)})`);
    }
    const reason = smokeCheck(bin);
    if (reason) throw new Error(`the built worker ${bin} does not run (${reason})`);
    return bin;
  } catch (error) {
    problems.push(error.message);
  }

  throw new Error(
    'No usable mediasoup-worker binary. mediasoup cannot download or build its worker on this ' +
      'machine (npm install scripts are off and there is no internet), so it is built from ' +
      `mediasoup's own sources against Debian's system libraries. Run \`${BUILD_COMMAND}\` from ` +
      'the repo root (the first build needs root, to apt-get the build dependencies, and the Debian ' +
      "mirror of /etc/apt/sources.list*, for libsrtp2's source package; it takes ~9 minutes once, " +
      'then is cached), read its error output, and try again; or set ' +
      `MEDIASOUP_WORKER_BIN to a working mediasoup-worker. What failed: ${problems.join('; ')}.`,
  );
}

function isMain() {
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run directly: print the path.
if (isMain()) {
  try {
    process.stdout.write(`${await ensureWorker()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
