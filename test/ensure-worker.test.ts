import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * ensure-worker.mjs on a machine where each source of a worker is missing in turn. Each run is a
 * real `node ensure-worker.mjs` in a sandbox: a copy of the scripts with mediasoup "installed"
 * (its package.json only), an empty cache, a PATH without the tools a step needs, a local HTTP
 * server standing in for mediasoup's release downloads, and, for "not root", the nobody user.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const VERSION = '3.19.3';
const prebuiltName = `mediasoup-worker-${VERSION}-${process.platform}-${process.arch}${process.platform === 'linux' ? `-kernel${Number(release().split('.')[0])}` : ''}`;
const SOURCES = [
  'MEDIASOUP_WORKER_BIN',
  'a cached worker',
  "mediasoup's prebuilt worker",
  "a build against Debian's libraries",
  "mediasoup's own build (meson)",
];

let sandbox: string;
let server: Server;
let baseUrl: string;
/** A local port nothing listens on: a download from it fails as offline ones do. */
let offlineUrl: string;
let requests = 0;
/** What the fake release server answers with: a .tgz per test. */
let archive: Buffer | null = null;

function makeTgz(name: string, file: string, mode = 0o755): Buffer {
  const dir = mkdtempSync(path.join(sandbox, 'tgz-'));
  copyFileSync(file, path.join(dir, name));
  chmodSync(path.join(dir, name), mode);
  return execFileSync('tar', ['-czf', '-', '-C', dir, name], { maxBuffer: 256 * 1024 * 1024 });
}

/** A PATH with every command of this machine except `without`, plus the given fake commands. */
function sandboxPath(without: string[], fakes: Record<string, string> = {}): string {
  const bin = mkdtempSync(path.join(sandbox, 'bin-'));
  chmodSync(bin, 0o755);
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (without.includes(name) || existsSync(path.join(bin, name))) continue;
      symlinkSync(path.join(dir, name), path.join(bin, name));
    }
  }
  for (const [name, script] of Object.entries(fakes)) {
    rmSync(path.join(bin, name), { force: true });
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }
  return bin;
}

const NO_BUILD_TOOLS = ['apt-get', 'dpkg-query', 'python3', 'python', 'make', 'c++', 'g++', 'clang++', 'sudo'];

function freshCache(): string {
  const dir = mkdtempSync(path.join(sandbox, 'cache-'));
  chmodSync(dir, 0o777);
  return dir;
}

function run(env: Record<string, string>, asNobody = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = path.join(sandbox, 'repo/media-server/scripts/ensure-worker.mjs');
  const [command, args] = asNobody
    ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, script]]
    : [process.execPath, [script]];
  return new Promise((resolve, reject) => {
    const child = spawn(command as string, args as string[], { env: { HOME: path.join(sandbox, 'home'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: stdout.trim(), stderr }));
  });
}

/** The numbered lines of the final error, in order. */
function triedLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^ {2}\d\. /.test(l))
    .map((l) => l.trim());
}

function filesNamed(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}

beforeAll(async () => {
  sandbox = mkdtempSync(path.join(tmpdir(), 'ensure-worker-'));
  chmodSync(sandbox, 0o755);
  mkdirSync(path.join(sandbox, 'home'), { mode: 0o777 });
  chmodSync(path.join(sandbox, 'home'), 0o777);
  const repo = path.join(sandbox, 'repo');
  cpSync(path.join(ROOT, 'media-server/scripts'), path.join(repo, 'media-server/scripts'), { recursive: true });
  cpSync(path.join(ROOT, 'media-server/worker-patches'), path.join(repo, 'media-server/worker-patches'), { recursive: true });
  mkdirSync(path.join(repo, 'node_modules/mediasoup'), { recursive: true });
  writeFileSync(path.join(repo, 'node_modules/mediasoup/package.json'), JSON.stringify({ name: 'mediasoup', version: VERSION }));
  execFileSync('chmod', ['-R', 'a+rX', repo]);

  server = createServer((req, res) => {
    requests++;
    if (req.url === `/${VERSION}/${prebuiltName}.tgz` && archive) {
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  offlineUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(sandbox, { recursive: true, force: true });
});

describe('ensure-worker: where the mediasoup worker comes from', () => {
  it("downloads mediasoup's prebuilt worker when nothing is cached, checks it runs, caches it, and uses the cache next time", async () => {
    archive = makeTgz('mediasoup-worker', inject('workerBin'));
    const cache = freshCache();
    const env = { PATH: sandboxPath(NO_BUILD_TOOLS), FAIRGROUND_CACHE_DIR: cache, MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: baseUrl };
    const before = requests;
    const first = await run(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(path.join(cache, 'mediasoup-worker', `${VERSION}-prebuilt-${prebuiltName}`, 'mediasoup-worker'));
    expect(first.stderr).toContain(`${baseUrl}/${VERSION}/${prebuiltName}.tgz`);
    expect(requests - before).toBe(1);

    // A second start finds it in the cache: no download, even with the server gone.
    const second = await run({ ...env, MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: offlineUrl });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(requests - before).toBe(1);
    expect(second.stderr).not.toContain('downloading');
  });

  it('MEDIASOUP_WORKER_BIN wins over every other source; a wrong one is reported and the search goes on', async () => {
    const env = { PATH: sandboxPath(NO_BUILD_TOOLS), FAIRGROUND_CACHE_DIR: freshCache(), MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: baseUrl };
    const before = requests;
    const chosen = await run({ ...env, MEDIASOUP_WORKER_BIN: inject('workerBin') });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).toBe(inject('workerBin'));
    expect(requests).toBe(before);

    archive = makeTgz('mediasoup-worker', inject('workerBin'));
    const wrong = await run({ ...env, MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' });
    expect(wrong.code, wrong.stderr).toBe(0);
    expect(wrong.stderr).toContain('1. MEDIASOUP_WORKER_BIN: failed, /nonexistent/mediasoup-worker does not exist');
    expect(wrong.stdout).toContain(`${VERSION}-prebuilt-`);
  });

  it('refuses a download that does not run here, keeps nothing of it, and says what each source found and what to install', async () => {
    const fake = path.join(sandbox, 'not-a-worker.sh');
    writeFileSync(fake, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    archive = makeTgz('mediasoup-worker', fake);
    const cache = freshCache();
    const result = await run({ PATH: sandboxPath(NO_BUILD_TOOLS), FAIRGROUND_CACHE_DIR: cache, MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: baseUrl });
    expect(result.code).toBe(1);
    const lines = triedLines(result.stderr);
    expect(lines.map((l) => l.replace(/^\d\. /, '').split(':')[0])).toEqual(SOURCES);
    expect(lines[0]).toBe('1. MEDIASOUP_WORKER_BIN: skipped, not set');
    expect(lines[1]).toMatch(/^2\. a cached worker: skipped, none under /);
    expect(lines[2]).toMatch(/^3\. mediasoup's prebuilt worker: failed, the prebuilt worker from .* does not run here \(exited with 3 instead of 41\)$/);
    expect(lines[3]).toBe("4. a build against Debian's libraries: skipped, not a Debian system (no dpkg-query or apt-get)");
    expect(lines[4]).toBe("5. mediasoup's own build (meson): skipped, missing python3 (with pip), make, a C++ compiler (g++ or clang++)");
    expect(result.stderr).toContain(process.platform === 'linux' ? 'sudo apt-get install g++ meson' : 'xcode-select --install');
    expect(filesNamed(cache, 'mediasoup-worker')).toEqual([]);
    expect(readdirSync(path.join(cache, 'mediasoup-worker'))).toEqual([]);
  });

  it('without a network, says the download failed and goes on to the builds', async () => {
    const result = await run({
      PATH: sandboxPath(NO_BUILD_TOOLS),
      FAIRGROUND_CACHE_DIR: freshCache(),
      MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: offlineUrl,
    });
    expect(result.code).toBe(1);
    const lines = triedLines(result.stderr);
    expect(lines[2]).toMatch(/^3\. mediasoup's prebuilt worker: failed, could not download http:\/\/127\.0\.0\.1:\d+\/.* \(ECONNREFUSED\)$/);
    expect(lines).toHaveLength(5);
  });

  it('on Debian, not root and without sudo: says which packages to install as root instead of trying', async () => {
    // A Debian machine whose build packages are missing (dpkg-query says so), no sudo.
    const env = {
      PATH: sandboxPath(['python3', 'python', 'make', 'c++', 'g++', 'clang++', 'sudo'], { 'dpkg-query': 'printf not-installed' }),
      FAIRGROUND_CACHE_DIR: freshCache(),
      MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: offlineUrl,
    };
    const asRoot = process.getuid?.() === 0;
    const result = await run(env, asRoot);
    expect(result.code, result.stderr).toBe(1);
    const lines = triedLines(result.stderr);
    expect(lines[3]).toMatch(
      /^4\. a build against Debian's libraries: failed, the build needs Debian packages \(g\+\+ meson ninja-build .*dpkg-dev\), and this is not root and there is no sudo: run `apt-get install -y --no-install-recommends g\+\+ .*` as root$/,
    );
    expect(lines[4]).toMatch(/^5\. mediasoup's own build \(meson\): skipped, missing /);
  });

  it('on Debian, not root, with sudo that needs no password and no terminal: installs through `sudo -n`, never waiting on a prompt', async () => {
    const log = path.join(sandbox, 'sudo.log');
    writeFileSync(log, '', { mode: 0o666 });
    chmodSync(log, 0o666);
    const env = {
      PATH: sandboxPath(['python3', 'python', 'make', 'c++', 'g++', 'clang++'], {
        'dpkg-query': 'printf not-installed',
        // Passwordless for the probe; the install itself fails, as on a machine without a mirror.
        sudo: `if [ "$1" = "-n" ] && [ "$2" = "true" ]; then exit 0; fi\necho "sudo $*" >> ${log}\nexit 100`,
      }),
      FAIRGROUND_CACHE_DIR: freshCache(),
      MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL: offlineUrl,
    };
    const result = await run(env, process.getuid?.() === 0);
    expect(result.code, result.stderr).toBe(1);
    expect(triedLines(result.stderr)[3]).toMatch(
      /^4\. a build against Debian's libraries: failed, apt-get could not install g\+\+ meson .*dpkg-dev \(see above\)$/,
    );
    const calls = (await import('node:fs')).readFileSync(log, 'utf8').trim().split('\n');
    expect(calls[0]).toMatch(/^sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends g\+\+ meson /);
    expect(calls.at(-1)).toMatch(/^sudo -n env DEBIAN_FRONTEND=noninteractive apt-get .* update$/);
  });
});
