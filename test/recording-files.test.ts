import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SessionUser } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { sessionCookie, startPlatform } from './helpers.ts';

// Signaling-only nodes: a Redis prefix of their own (a deployment's nodes are all split or all of both roles).
const SPLIT_PREFIX = `${inject('redisPrefix')}split`;

/**
 * The replay's file endpoint (signaling/src/http/recording-files.ts): byte ranges for the player,
 * the types browsers expect, and a 404 for anyone who may not watch (hidden, unpublished,
 * signed-in only, a draft's) that says nothing more than a replay that does not exist would.
 */
describe('recording files', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'fairground-files-'));
  const mp4 = randomBytes(200_000);
  let organizer: SessionUser;
  let organizerCookie: string;
  let seekerCookie: string;
  let broadcastId: string;

  const write = (key: string, body: Buffer | string) => {
    mkdirSync(dirname(join(dataDir, key)), { recursive: true });
    writeFileSync(join(dataDir, key), body);
  };
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${ctx.url}${path}`, { method, headers, redirect: 'manual' });

  beforeAll(async () => {
    // No media here: a signaling-only node (with Redis, as split roles need) serves the files.
    ctx = await startPlatform({ redis: true, env: { DATA_DIR: dataDir, CLOCK_INTERVAL_MS: '0', NODE_ROLES: 'signaling', REDIS_PREFIX: SPLIT_PREFIX } });
    const f = fixtures(ctx.db);
    const { broadcast, organizer: o } = await f.upcomingBroadcast();
    organizer = o;
    broadcastId = broadcast.id;
    organizerCookie = await sessionCookie(ctx.platform.auth, organizer.email);
    seekerCookie = await sessionCookie(ctx.platform.auth, (await f.account('seeker')).email);
    // A composed replay, as composeReplay leaves it (files under DATA_DIR, keys on the row).
    const mp4Key = `recordings/${broadcastId}/replay.mp4`;
    const hlsKey = `recordings/${broadcastId}/hls/index.m3u8`;
    write(mp4Key, mp4);
    write(hlsKey, '#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:6.0,\npiece0000.ts\n#EXT-X-ENDLIST\n');
    write(`recordings/${broadcastId}/hls/piece0000.ts`, randomBytes(1880));
    // A file beside the replay that no URL names (a segment): unreachable through the endpoint.
    write(`recordings/${broadcastId}/segments/secret.mkv`, 'segment');
    await ctx.platform.services.recordings.configure(organizer, broadcastId, { visibility: 'public', published: true });
    await ctx.platform.services.recordings.ready(broadcastId, { mp4Key, hlsKey, durationMs: 6000, startedAt: new Date() });
  });
  afterAll(async () => {
    await ctx?.platform.close();
  });

  const configure = (settings: { visibility?: 'public' | 'signed_in' | 'nobody'; published?: boolean }) =>
    ctx.platform.services.recordings.configure(organizer, broadcastId, settings);

  it('serves the MP4 whole and by byte ranges, with its type and private caching', async () => {
    const whole = await get(`/recordings/${broadcastId}/replay.mp4`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('cache-control')).toMatch(/^private/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(mp4)).toBe(true);

    const middle = await get(`/recordings/${broadcastId}/replay.mp4`, { range: 'bytes=1000-1999' });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 1000-1999/${mp4.length}`);
    expect(middle.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await middle.arrayBuffer()).equals(mp4.subarray(1000, 2000))).toBe(true);

    const tail = await get(`/recordings/${broadcastId}/replay.mp4`, { range: 'bytes=-500' });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${mp4.length - 500}-${mp4.length - 1}/${mp4.length}`);
    expect(Buffer.from(await tail.arrayBuffer()).equals(mp4.subarray(-500))).toBe(true);

    const open = await get(`/recordings/${broadcastId}/replay.mp4`, { range: 'bytes=199000-' });
    expect(open.status).toBe(206);
    expect((await open.arrayBuffer()).byteLength).toBe(1000);

    const beyond = await get(`/recordings/${broadcastId}/replay.mp4`, { range: `bytes=${mp4.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${mp4.length}`);

    const head = await get(`/recordings/${broadcastId}/replay.mp4`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(mp4.length));
  });

  it('serves the HLS playlist and its pieces with their types', async () => {
    const playlist = await get(`/recordings/${broadcastId}/hls/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await playlist.text()).toContain('piece0000.ts');
    const piece = await get(`/recordings/${broadcastId}/hls/piece0000.ts`, { range: 'bytes=0-187' });
    expect(piece.status).toBe(206);
    expect(piece.headers.get('content-type')).toBe('video/mp2t');
    expect((await piece.arrayBuffer()).byteLength).toBe(188);
    expect((await get(`/recordings/${broadcastId}/hls/piece9999.ts`)).status).toBe(404);
  });

  it('refuses paths out of the replay folder', async () => {
    for (const path of [
      `/recordings/${broadcastId}/hls/..%2Fsegments%2Fsecret.mkv`,
      `/recordings/${broadcastId}/hls/%2E%2E%2F%2E%2E%2F${broadcastId}%2Fsegments%2Fsecret.mkv`,
      `/recordings/${broadcastId}/hls/secret.mkv`,
      `/recordings/${broadcastId}/segments/secret.mkv`,
      `/recordings/${broadcastId}/hls/..%5C..%5Cpglite`,
      `/recordings/..%2F..%2Fetc/replay.mp4`,
      `/recordings/${broadcastId}/hls/.hidden.ts`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('segment');
    }
  });

  it('answers 404 to whoever may not watch: signed-in only, nobody, unpublished', async () => {
    const url = `/recordings/${broadcastId}/replay.mp4`;
    const missing = await get(`/recordings/00000000-0000-4000-8000-000000000000/replay.mp4`);
    const missingBody = await missing.text();
    try {
      await configure({ visibility: 'signed_in' });
      const anonymous = await get(url);
      expect(anonymous.status).toBe(404);
      // The same answer as for a replay that does not exist: no hint that one is hidden here.
      expect(await anonymous.text()).toBe(missingBody);
      expect((await get(url, { cookie: seekerCookie })).status).toBe(200);

      await configure({ visibility: 'nobody' });
      expect((await get(url, { cookie: seekerCookie })).status).toBe(404);
      expect((await get(`/recordings/${broadcastId}/hls/index.m3u8`, { cookie: seekerCookie })).status).toBe(404);
      // Hosts and organizers still watch their own.
      expect((await get(url, { cookie: organizerCookie })).status).toBe(200);

      await configure({ visibility: 'public', published: false });
      expect((await get(url)).status).toBe(404);
      expect((await get(url, { cookie: seekerCookie, range: 'bytes=0-9' })).status).toBe(404);
      expect((await get(url, { cookie: organizerCookie, range: 'bytes=0-9' })).status).toBe(206);
    } finally {
      await configure({ visibility: 'public', published: true });
    }
    expect((await get(url)).status).toBe(200);
  });
});
