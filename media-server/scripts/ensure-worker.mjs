// Finds (or makes) a mediasoup-worker binary that runs here and returns its absolute path.
//
// Why this exists: mediasoup's own npm install step downloads a prebuilt worker or builds one with
// meson, but install scripts are off in this repo (.npmrc: no dependency may run code at install),
// so `npm start` and `npm test` get the worker here instead, from the first of:
//   1. MEDIASOUP_WORKER_BIN, if set;
//   2. a cached worker (~/.cache/fairground/mediasoup-worker/, or FAIRGROUND_CACHE_DIR): one this
//      script made before, or the one mediasoup's own install left in node_modules;
//   3. mediasoup's prebuilt worker for this OS and CPU, downloaded from its GitHub release (or
//      MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL, as mediasoup's own install reads it), checked
//      the way mediasoup checks it (it must start here), then cached;
//   4. a build from the npm package's sources against Debian's libraries
//      (media-server/scripts/build-worker.sh; installs the build packages with apt, through sudo
//      when not root, asking first on a terminal);
//   5. mediasoup's own build (meson; needs python3 with pip, make and a C++ compiler).
// When none works, one error says what each step found and what to install on this platform.
// Nothing half-made is left in the cache: every entry is moved in whole, or not at all.
//
// Pass the result to mediasoup as MEDIASOUP_WORKER_BIN. mediasoup reads that variable once, when
// its module is first loaded (node/lib/Worker.js), not per createWorker(): set it in the process's
// environment, or before the first (dynamic) import of mediasoup.
//
// Plain Node ESM without dependencies, so it runs before anything is compiled. Run directly
// (`node media-server/scripts/ensure-worker.mjs`), it prints the path on stdout and logs on stderr.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromCache, fromDebianBuild, fromEnvironment, fromMesonBuild, fromPrebuilt, mediasoupVersion } from './worker-sources.mjs';

const defaultLog = (message) => process.stderr.write(`[ensure-worker] ${message}\n`);

/** What to install for a worker, said for the platform the user is on. */
export function adviceFor(platform = process.platform, arch = process.arch) {
  const online = 'Allow this machine to reach github.com once (mediasoup publishes a prebuilt worker), or ';
  if (platform === 'darwin') {
    return `${online}install Apple's command line tools and Python (\`xcode-select --install\`, then \`brew install python\`) so mediasoup can build its worker, then run \`npm start\` again.`;
  }
  if (platform === 'linux') {
    return (
      `${online}on Debian or Ubuntu run \`sudo apt-get install g++ meson ninja-build pkg-config python3 libssl-dev libuv1-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler dpkg-dev\` ` +
      `(or run \`npm start\` once as root or on a terminal with sudo); elsewhere (${arch}) install python3 with pip, make and g++ so mediasoup can build its worker. ` +
      'Or set MEDIASOUP_WORKER_BIN to a mediasoup-worker you have.'
    );
  }
  return `Fairground runs on Linux (x64, arm64) and macOS; on ${platform} use WSL2 or Docker (\`docker compose up\`), or set MEDIASOUP_WORKER_BIN to a mediasoup-worker built for ${platform}-${arch}.`;
}

/**
 * @param {{ log?: (message: string) => void, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<string>} absolute path to a mediasoup-worker that runs here
 */
export async function ensureWorker({ log = defaultLog, env = process.env } = {}) {
  const version = mediasoupVersion();
  const steps = [
    ['MEDIASOUP_WORKER_BIN', () => fromEnvironment(env)],
    ['a cached worker', () => fromCache(env, version)],
    ["mediasoup's prebuilt worker", () => fromPrebuilt(env, version, log)],
    ["a build against Debian's libraries", () => fromDebianBuild(env, log)],
    ["mediasoup's own build (meson)", () => fromMesonBuild(env, version, log)],
  ];
  const report = [];
  for (const [name, attempt] of steps) {
    let outcome;
    try {
      outcome = await attempt();
    } catch (error) {
      outcome = { failed: error.message };
    }
    if (outcome.bin) {
      if (report.length > 2) log(`using ${outcome.bin} (${name})`);
      return outcome.bin;
    }
    const line = `${report.length + 1}. ${name}: ${outcome.skipped ? `skipped, ${outcome.skipped}` : `failed, ${outcome.failed}`}`;
    report.push(line);
    if (outcome.failed) log(line);
  }
  throw new Error(
    `No mediasoup-worker that runs on this machine (${process.platform}-${process.arch}, mediasoup ${version ?? 'not installed'}). Tried, in order:\n` +
      `${report.map((l) => `  ${l}`).join('\n')}\n${adviceFor()}`,
  );
}

function isMain() {
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    process.stdout.write(`${await ensureWorker()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
