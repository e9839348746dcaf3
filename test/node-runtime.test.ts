// The pinned Node 24 that `npm start` / `npm test` fetch on a machine with an older Node
// (scripts/node-runtime.mjs): fetched from the npm registry's binary package, refused when it does
// not match the pinned integrity, and what the suite itself runs on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePinnedNode, isSupported, MIN_MAJOR, PINNED_VERSION } from '../scripts/node-runtime.mjs';

const linux = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
const caches: string[] = [];
const freshCache = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fg-node-'));
  caches.push(dir);
  return dir;
};
afterAll(() => caches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the Node runtime', () => {
  it('runs the suite on a supported Node (npm test re-runs itself on the pinned one when the machine has an older Node)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(MIN_MAJOR);
    expect(isSupported('20.20.2')).toBe(false);
    expect(isSupported('22.12.0')).toBe(true);
    expect(isSupported(PINNED_VERSION)).toBe(true);
  });

  it.runIf(linux)('fetches the pinned Node from the npm registry, checks it and caches it', { timeout: 120_000 }, () => {
    const cache = freshCache();
    const bin = ensurePinnedNode({ env: { ...process.env, FAIRGROUND_CACHE_DIR: cache } });
    expect(bin).toBe(path.join(cache, 'node', `${PINNED_VERSION}-linux-${process.arch}`, 'bin/node'));
    expect(spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()).toBe(PINNED_VERSION);
    // A second call takes the cached copy: nothing is left over from the fetch.
    expect(ensurePinnedNode({ env: { ...process.env, FAIRGROUND_CACHE_DIR: cache } })).toBe(bin);
    expect(readdirSync(path.join(cache, 'node'))).toEqual([`${PINNED_VERSION}-linux-${process.arch}`]);
  });

  it.runIf(linux)('refuses a package that does not match the pinned integrity, leaving nothing in the cache', { timeout: 120_000 }, () => {
    const cache = freshCache();
    const wrong = `sha512-${Buffer.alloc(64).toString('base64')}`;
    expect(() => ensurePinnedNode({ env: { ...process.env, FAIRGROUND_CACHE_DIR: cache }, integrity: wrong })).toThrow(/does not match its pinned integrity/);
    expect(existsSync(path.join(cache, 'node', `${PINNED_VERSION}-linux-${process.arch}`))).toBe(false);
    expect(readdirSync(path.join(cache, 'node'))).toEqual([]);
  });
});
