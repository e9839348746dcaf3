// The places a mediasoup-worker binary can come from, one function each. ensure-worker.mjs tries
// them in order. Each returns { bin } when it found or made a worker that runs here, or
// { skipped: reason } / { failed: reason } so the final message can say what happened at every
// step. Plain Node ESM without dependencies: it runs before anything is compiled.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir, release } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(SCRIPT_DIR, '..', '..');
const BUILD_SCRIPT = path.join(SCRIPT_DIR, 'build-worker.sh');
const PATCHES = path.join(REPO_ROOT, 'media-server', 'worker-patches');

/** Where mediasoup itself is installed (hoisted by npm workspaces, or the workspace's own). */
export function mediasoupPackageDir() {
  for (const dir of [path.join(REPO_ROOT, 'node_modules/mediasoup'), path.join(REPO_ROOT, 'media-server/node_modules/mediasoup')]) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return null;
}

export function mediasoupVersion() {
  const dir = mediasoupPackageDir();
  if (!dir) return null;
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

export function cacheRoot(env = process.env) {
  const base = env.FAIRGROUND_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), '.cache'), 'fairground');
  return path.resolve(base, 'mediasoup-worker');
}

/** Is the command on PATH (as the child processes we spawn would see it)? */
export function which(command, env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * mediasoup's own check of a worker (npm-scripts.mjs does the same after a download): started
 * without MEDIASOUP_VERSION in its environment, a worker that runs here exits with its own code
 * 41 (worker/src/main.cpp). Anything else (127: a missing shared library, a signal, ENOENT,
 * EACCES, a binary for another CPU) means it cannot run here. Returns null when it passes.
 */
export function smokeCheck(bin) {
  const result = spawnSync(bin, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  if (result.error) return result.error.code ?? result.error.message;
  if (result.status === 41) return null;
  return result.signal ? `killed by ${result.signal}` : `exited with ${result.status} instead of 41`;
}

/** Moves a finished binary into its cache entry atomically: a reader sees all of it or nothing. */
function installIntoCache(root, entry, builtBin) {
  mkdirSync(root, { recursive: true });
  const stage = mkdtempSync(path.join(root, '.stage-'));
  try {
    const staged = path.join(stage, 'mediasoup-worker');
    renameOrCopy(builtBin, staged);
    chmodSync(staged, 0o755);
    chmodSync(stage, 0o755);
    const dest = path.join(root, entry);
    rmSync(dest, { recursive: true, force: true });
    renameSync(stage, dest);
    return path.join(dest, 'mediasoup-worker');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function renameOrCopy(from, to) {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to); // another filesystem (e.g. mediasoup's own build under node_modules)
  }
}

// ---- 1. MEDIASOUP_WORKER_BIN --------------------------------------------------------------

export function fromEnvironment(env) {
  const value = env.MEDIASOUP_WORKER_BIN;
  if (!value) return { skipped: 'not set' };
  const bin = path.resolve(value);
  if (!existsSync(bin)) return { failed: `${value} does not exist` };
  return { bin };
}

// ---- 2. a cached worker ---------------------------------------------------------------------

/**
 * The cache entry of the Debian build: keyed by mediasoup's version and a hash of what the build
 * uses (the same key build-worker.sh computes), so a change to a patch or the script is a new
 * entry.
 */
export function debianBuildEntry() {
  const files = ['mediasoup-3.19.3-debian.patch', 'libsrtp2-2.5.0-hmac-sha1.patch', 'liburing.meson.build'].map((f) => path.join(PATCHES, f));
  const hash = createHash('sha256');
  for (const file of [...files, BUILD_SCRIPT]) hash.update(readFileSync(file));
  return `3.19.3-${hash.digest('hex').slice(0, 12)}`;
}

/** mediasoup names its prebuilt archives by version, OS, CPU and (on Linux) kernel major. */
export function prebuiltName(version, platform = process.platform, arch = process.arch, kernel = release()) {
  const suffix = platform === 'linux' ? `-kernel${Number(kernel.split('.')[0])}` : '';
  return `mediasoup-worker-${version}-${platform}-${arch}${suffix}`;
}

export function cacheEntries(version, platform = process.platform, arch = process.arch) {
  return {
    debian: debianBuildEntry(),
    prebuilt: `${version}-prebuilt-${prebuiltName(version, platform, arch)}`,
    meson: `${version}-meson-${platform}-${arch}`,
  };
}

export function fromCache(env, version) {
  const root = cacheRoot(env);
  const tried = [];
  const entries = version ? Object.values(cacheEntries(version)) : [debianBuildEntry()];
  const candidates = entries.map((entry) => path.join(root, entry, 'mediasoup-worker'));
  // Where mediasoup's own install step (download or build) leaves its worker.
  const pkg = mediasoupPackageDir();
  if (pkg) candidates.push(path.join(pkg, 'worker/out/Release/mediasoup-worker'));
  for (const bin of candidates) {
    if (!existsSync(bin)) continue;
    const reason = smokeCheck(bin);
    if (!reason) return { bin };
    tried.push(`${bin} does not run here (${reason})`);
  }
  return tried.length ? { failed: tried.join('; ') } : { skipped: `none under ${root}` };
}

// ---- 3. mediasoup's prebuilt worker -----------------------------------------------------------

export function prebuiltUrl(env, version) {
  // The variable mediasoup's own install step reads, so a mirror set for it works here too.
  const base = (env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL || 'https://github.com/versatica/mediasoup/releases/download').replace(/\/$/, '');
  return `${base}/${version}/${prebuiltName(version)}.tgz`;
}

export async function fromPrebuilt(env, version, log) {
  if (!version) return { skipped: 'mediasoup is not installed (run npm install)' };
  if (env.MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD) return { skipped: 'MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD is set' };
  const url = prebuiltUrl(env, version);
  log(`downloading mediasoup's prebuilt worker: ${url}`);
  const root = cacheRoot(env);
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(path.join(root, '.download-'));
  try {
    let response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(Number(env.FAIRGROUND_DOWNLOAD_TIMEOUT_MS ?? 120_000)) });
    } catch (error) {
      return { failed: `could not download ${url} (${error.cause?.code ?? error.cause?.message ?? error.message})` };
    }
    if (response.status === 404) return { failed: `no prebuilt worker for ${prebuiltName(version)} (404 at ${url})` };
    if (!response.ok || !response.body) return { failed: `download of ${url} answered ${response.status}` };
    const archive = path.join(work, 'worker.tgz');
    await pipeline(Readable.fromWeb(response.body), createWriteStream(archive));
    const out = path.join(work, 'out');
    mkdirSync(out);
    const untar = spawnSync('tar', ['-xzf', archive, '-C', out], { encoding: 'utf8' });
    if (untar.status !== 0) return { failed: `the download from ${url} is not a readable .tgz (${(untar.stderr || untar.error?.message || '').trim()})` };
    const bin = findFile(out, 'mediasoup-worker');
    if (!bin) return { failed: `the download from ${url} has no mediasoup-worker in it` };
    chmodSync(bin, 0o755);
    const reason = smokeCheck(bin);
    if (reason) return { failed: `the prebuilt worker from ${url} does not run here (${reason})` };
    return { bin: installIntoCache(root, cacheEntries(version).prebuilt, bin) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function findFile(dir, name) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return null;
}

// ---- 4. a build against Debian's libraries ----------------------------------------------------

export async function fromDebianBuild(env, log) {
  if (process.platform !== 'linux') return { skipped: `not Linux (${process.platform})` };
  if (!which('dpkg-query', env) || !which('apt-get', env)) return { skipped: 'not a Debian system (no dpkg-query or apt-get)' };
  const missing = debianBuildDepsMissing(env);
  if (missing.length) {
    const installed = await installDebianPackages(env, missing, log);
    if (installed !== true) return { failed: installed };
  }
  const result = await runScript('bash', [BUILD_SCRIPT], { env, log });
  // No cleaning here: build-worker.sh empties its work folder under its lock when it starts. This
  // run may have failed while waiting for that lock (killed), and the folder is then another run's
  // live build: deleting it here broke that build (seen with several worktrees building at once).
  if (!result.ok) return { failed: result.lastError ?? result.reason };
  const bin = result.lastLine;
  if (!bin || !path.isAbsolute(bin) || !existsSync(bin)) return { failed: `build-worker.sh printed no binary path (got ${JSON.stringify(bin)})` };
  const reason = smokeCheck(bin);
  return reason ? { failed: `the built worker ${bin} does not run (${reason})` } : { bin };
}

/** The Debian packages build-worker.sh needs (its BUILD_DEPS list is the one source). */
export function debianBuildDeps() {
  const script = readFileSync(BUILD_SCRIPT, 'utf8');
  const list = /^BUILD_DEPS=\(([^)]*)\)/m.exec(script);
  if (!list) throw new Error('build-worker.sh has no BUILD_DEPS=( ... ) list');
  return list[1].split(/\s+/).filter(Boolean);
}

export function debianBuildDepsMissing(env) {
  return debianBuildDeps().filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg], { env, encoding: 'utf8' });
    return r.status !== 0 || r.stdout.trim() !== 'installed';
  });
}

/**
 * Installs Debian packages: directly as root; otherwise through sudo, asking first when there is
 * a terminal to ask on, and only where sudo needs no password when there is not (a start script
 * must never hang on a prompt nobody sees). Returns true, or why it could not.
 */
async function installDebianPackages(env, packages, log) {
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  let prefix = [];
  if (process.getuid?.() !== 0) {
    if (!which('sudo', env))
      return `the build needs Debian packages (${packages.join(' ')}), and this is not root and there is no sudo: run \`${command}\` as root`;
    if (process.stdin.isTTY && process.stderr.isTTY) {
      const ok = await ask(
        `The mediasoup worker is built from source and needs these Debian packages: ${packages.join(' ')}. Install them with sudo now? [y/N] `,
      );
      if (!ok) return `declined installing ${packages.join(' ')}: run \`sudo ${command}\` yourself`;
      prefix = ['sudo'];
    } else if (spawnSync('sudo', ['-n', 'true'], { env, stdio: 'ignore' }).status === 0) {
      prefix = ['sudo', '-n'];
    } else {
      return `the build needs Debian packages (${packages.join(' ')}); sudo wants a password and there is no terminal to ask on: run \`sudo ${command}\` once`;
    }
  }
  log(`installing Debian packages: ${packages.join(' ')}`);
  const apt = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=600'];
  const run = (args) => spawnSync(apt[0], [...apt.slice(1), ...args], { env, stdio: ['inherit', 'ignore', 'inherit'] }).status === 0;
  // The package lists may be missing or stale: update only when a plain install fails.
  if (run(['install', '-y', '--no-install-recommends', ...packages])) return true;
  if (run(['update']) && run(['install', '-y', '--no-install-recommends', ...packages])) return true;
  return `apt-get could not install ${packages.join(' ')} (see above)`;
}

async function ask(question) {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

// ---- 5. mediasoup's own build (meson, from the npm package's sources) ---------------------------

/** What mediasoup's own build needs (its npm-scripts.mjs pip-installs invoke and meson). */
export function mesonBuildMissing(env) {
  const missing = [];
  if (!which('python3', env) && !which('python', env)) missing.push('python3 (with pip)');
  else if (spawnSync(which('python3', env) ?? which('python', env), ['-m', 'pip', '--version'], { env, stdio: 'ignore' }).status !== 0)
    missing.push('pip for python3');
  if (!which('make', env)) missing.push('make');
  if (!['c++', 'g++', 'clang++'].some((c) => which(c, env))) missing.push('a C++ compiler (g++ or clang++)');
  return missing;
}

export async function fromMesonBuild(env, version, log) {
  const pkg = mediasoupPackageDir();
  if (!pkg || !version) return { skipped: 'mediasoup is not installed (run npm install)' };
  const missing = mesonBuildMissing(env);
  if (missing.length) return { skipped: `missing ${missing.join(', ')}` };
  log("building the worker with mediasoup's own build (meson; downloads its subprojects; 10-20 minutes)");
  const buildEnv = { ...env, MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD: '1' };
  delete buildEnv.MEDIASOUP_WORKER_BIN; // its postinstall does nothing when this is set
  const out = path.join(pkg, 'worker/out');
  const result = await runScript(process.execPath, ['npm-scripts.mjs', 'postinstall'], { env: buildEnv, cwd: pkg, log });
  const built = path.join(out, 'Release/mediasoup-worker');
  if (!result.ok || !existsSync(built)) {
    rmSync(out, { recursive: true, force: true }); // nothing half-built stays behind
    return { failed: `mediasoup's own build failed (${result.lastError ?? result.reason})` };
  }
  const reason = smokeCheck(built);
  if (reason) {
    rmSync(out, { recursive: true, force: true });
    return { failed: `mediasoup's own build made a worker that does not run (${reason})` };
  }
  return { bin: installIntoCache(cacheRoot(env), cacheEntries(version).meson, built) };
}

/** Runs a build, streaming its stderr to log; keeps its stdout's last line and last error line. */
function runScript(command, args, { env, cwd = REPO_ROOT, log }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    let lastError;
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        log(line);
        const m = /ERROR:\s*(.*)$/.exec(line);
        if (m) lastError = m[1];
      }
    });
    child.on('error', (error) => resolve({ ok: false, reason: error.message }));
    child.on('close', (code, signal) => {
      if (pending) log(pending);
      const lastLine =
        stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .at(-1) ?? '';
      resolve({ ok: code === 0, lastLine, lastError, reason: signal ? `killed by ${signal}` : `exited with code ${code}` });
    });
  });
}
