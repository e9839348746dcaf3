import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import S3rver from 's3rver';
import { S3Storage, uploadReplay } from '../signaling/src/storage/index.ts';
import { fixtures } from './fixtures.ts';
import { sessionCookie, startPlatform } from './helpers.ts';

// Signaling-only nodes: a Redis prefix of their own (a deployment's nodes are all split or all of both roles).
const SPLIT_PREFIX = `${inject('redisPrefix')}split`;

/**
 * The S3 path (issue 14) against a real S3-protocol server this test starts (s3rver: MinIO is not
 * packaged for this machine; docker-compose.yml runs MinIO). A composed replay is uploaded the way
 * the composition job does it, read back through the file endpoint by byte ranges (streamed from
 * the bucket), and deleting the recording deletes its objects.
 */
describe('recording storage in S3', () => {
  const bucket = 'fairground-recordings';
  const s3Dir = mkdtempSync(join(tmpdir(), 'fairground-s3rver-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'fairground-s3-data-'));
  let server: S3rver;
  let endpoint: string;
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  let bucketView: S3Storage;
  const mp4 = randomBytes(300_000);

  beforeAll(async () => {
    // No bucket yet: the platform makes it at start (as with a fresh MinIO).
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir });
    const address = (await server.run()) as AddressInfo;
    endpoint = `http://127.0.0.1:${address.port}`;
    const s3 = {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    };
    // No media here: a signaling-only node (with Redis, as split roles need) serves the files.
    ctx = await startPlatform({ redis: true, env: { DATA_DIR: dataDir, CLOCK_INTERVAL_MS: '0', NODE_ROLES: 'signaling', REDIS_PREFIX: SPLIT_PREFIX, ...s3 } });
    bucketView = new S3Storage({ endpoint, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
  });
  afterAll(async () => {
    bucketView?.close();
    await ctx?.platform.close();
    await server?.close();
  });

  const write = (key: string, body: Buffer | string) => {
    mkdirSync(dirname(join(dataDir, key)), { recursive: true });
    writeFileSync(join(dataDir, key), body);
  };

  it('uploads a composed replay, serves it by ranges from the bucket, and deletes it with its recording', async () => {
    const f = fixtures(ctx.db);
    const { broadcast, organizer } = await f.upcomingBroadcast();
    const id = broadcast.id;
    const mp4Key = `recordings/${id}/replay.mp4`;
    const hlsKey = `recordings/${id}/hls/index.m3u8`;
    const piece = randomBytes(188 * 20);
    // What composeReplay leaves under DATA_DIR, and a segment the recorder wrote.
    write(mp4Key, mp4);
    write(hlsKey, '#EXTM3U\n#EXTINF:6.0,\npiece0000.ts\n#EXT-X-ENDLIST\n');
    write(`recordings/${id}/hls/piece0000.ts`, piece);
    write(`recordings/${id}/segments/a.mkv`, 'segment');
    await ctx.platform.services.recordings.configure(organizer, id, { visibility: 'public', published: true });

    await uploadReplay(bucketView, dataDir, { mp4Key, hlsKey });
    await ctx.platform.services.recordings.ready(id, { mp4Key, hlsKey, durationMs: 6000, startedAt: new Date() });
    // In the bucket, with their types; the local copies of the replay are gone (the segment stays).
    expect((await bucketView.stat(mp4Key))?.size).toBe(mp4.length);
    expect((await bucketView.stat(`recordings/${id}/hls/piece0000.ts`))?.size).toBe(piece.length);
    expect(existsSync(join(dataDir, mp4Key))).toBe(false);
    expect(existsSync(join(dataDir, `recordings/${id}/hls`))).toBe(false);
    expect(existsSync(join(dataDir, `recordings/${id}/segments/a.mkv`))).toBe(true);

    // Through the endpoint: the node streams the bucket's bytes, ranges included.
    const ranged = await fetch(`${ctx.url}/recordings/${id}/replay.mp4`, { headers: { range: 'bytes=100000-100999' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100000-100999/${mp4.length}`);
    expect(ranged.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await ranged.arrayBuffer()).equals(mp4.subarray(100_000, 101_000))).toBe(true);
    const whole = await fetch(`${ctx.url}/recordings/${id}/replay.mp4`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(mp4)).toBe(true);
    const playlist = await fetch(`${ctx.url}/recordings/${id}/hls/index.m3u8`);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await playlist.text()).toContain('piece0000.ts');
    const tail = await fetch(`${ctx.url}/recordings/${id}/hls/piece0000.ts`, { headers: { range: 'bytes=-188' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(piece.subarray(-188))).toBe(true);
    // Unpublished: the bucket's bytes are not reachable through the endpoint either.
    await ctx.platform.services.recordings.configure(organizer, id, { published: false });
    expect((await fetch(`${ctx.url}/recordings/${id}/replay.mp4`, { headers: { range: 'bytes=0-9' } })).status).toBe(404);

    // The organizer deletes the recording: its rows, its objects in the bucket, its local segment.
    const cookie = await sessionCookie(ctx.platform.auth, organizer.email);
    expect(cookie).toBeTruthy();
    await ctx.platform.services.recordings.remove(organizer, id);
    expect(await bucketView.stat(mp4Key)).toBeNull();
    expect(await bucketView.stat(hlsKey)).toBeNull();
    expect(await bucketView.stat(`recordings/${id}/hls/piece0000.ts`)).toBeNull();
    expect(existsSync(join(dataDir, `recordings/${id}`))).toBe(false);
    expect((await fetch(`${ctx.url}/recordings/${id}/replay.mp4`, { headers: { cookie } })).status).toBe(404);
  });

  it('refuses half an S3 configuration', async () => {
    const { loadConfig } = await import('../signaling/src/config.ts');
    expect(() => loadConfig({ S3_BUCKET: bucket })).toThrow(/S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY missing/);
    expect(() => loadConfig({ S3_ENDPOINT: endpoint })).toThrow(/S3_BUCKET/);
    expect(loadConfig({ S3_BUCKET: bucket, S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b'.repeat(8) }).S3_BUCKET).toBe(bucket);
  });
});
