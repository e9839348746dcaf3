import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { connect, schema, type Database } from '@fairground/db';
import { createServices } from '@fairground/core';
import { startJobQueue, type JobQueue } from '../signaling/src/jobs/job-queue.ts';
import { startComposeJobs } from '../signaling/src/recording/compose-job.ts';
import { fixtures } from './fixtures.ts';
import { freshDatabase, startPlatform } from './helpers.ts';
import { lumaAt, meanLuma, probeStreams, recordingHarness, type Stream } from './recording-harness.ts';

const W = 1280;
const H = 720;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The loudest sample (dB) between two times of a file's audio; -Infinity for digital silence. */
function maxVolume(file: string, from: number, to: number): number {
  const out = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-ss', from.toFixed(3), '-t', (to - from).toFixed(3), '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  );
  const m = /max_volume: (-?[\d.]+|-inf) dB/.exec(out.stderr);
  if (!m) throw new Error(`no volume for ${file} ${from}-${to}: ${out.stderr.slice(-500)}`);
  return m[1] === '-inf' ? -Infinity : Number(m[1]);
}

/**
 * The replay's composition (issue 14) on segments the recorder really wrote: a host's camera, then
 * their microphone, then a screen share part-way; the broadcast ends by the clock, which queues
 * the job on the durable queue, and a node's worker composes it. The MP4 and HLS are checked with
 * ffprobe and by their pictures and sound at chosen times.
 */
describe('composing a recorded broadcast into its replay', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'fairground-compose-'));
  const rec = recordingHarness(() => ctx, dataDir);
  const nodes: Array<{ database: Database; queue: JobQueue; off: () => void }> = [];

  beforeAll(async () => {
    // A database of its own: its job queue is this file's alone (another file's platform, with its
    // own DATA_DIR, would take jobs whose segment files it cannot see).
    fresh = await freshDatabase('compose');
    // The clock closes the ended broadcast and queues the composition, as in production.
    ctx = await startPlatform({
      env: { DATABASE_URL: fresh.url, MEDIA_WORKERS: '1', DATA_DIR: dataDir, CLOCK_INTERVAL_MS: '1000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    });
  });
  afterAll(async () => {
    await rec.close();
    for (const n of nodes) {
      n.off();
      await n.queue.stop();
      await n.database.close();
    }
    await ctx?.platform.close();
    await fresh?.drop();
  });

  const recordingRow = async (broadcastId: string) =>
    (await ctx.db.select().from(schema.broadcastRecordings).where(eq(schema.broadcastRecordings.broadcastId, broadcastId)))[0]!;

  it('composes screen over camera, mixed sound over silence, as MP4 and HLS the length of the recording', { timeout: 300_000 }, async () => {
    const f = fixtures(ctx.db);
    const host = await f.account('organizer');
    const broadcast = await f.onAirBroadcast(host.id);
    const roomId = `broadcast:${broadcast.id}`;
    const screen: Stream[] = [['video', 'screen']];

    // Camera alone, then the microphone (silence before it), then the screen share.
    await rec.publish(roomId, 'host-cam', host.id, [['video', 'camera']]);
    await rec.recordFor(broadcast.id, 1);
    await sleep(2000);
    await rec.publish(roomId, 'host-mic', host.id, [['audio', 'mic']]);
    await rec.recordFor(broadcast.id, 2);
    await sleep(2000);
    await rec.publish(roomId, 'host-screen', host.id, screen);
    await rec.recordFor(broadcast.id, 3, { video: 1_000, audio: 5_000 });
    await sleep(4000);
    await rec.stopAll(roomId, broadcast.id);

    // The end: the clock closes it (it announces it first) and queues the composition job.
    await ctx.db.update(schema.broadcasts).set({ endsAt: new Date() }).where(eq(schema.broadcasts.id, broadcast.id));
    await vi.waitFor(async () => expect((await recordingRow(broadcast.id)).status).toBe('ready'), { timeout: 240_000, interval: 500 });
    const row = await recordingRow(broadcast.id);
    expect(row).toMatchObject({
      progress: 100,
      error: null,
      mp4Key: `recordings/${broadcast.id}/replay.mp4`,
      hlsKey: `recordings/${broadcast.id}/hls/index.m3u8`,
    });

    const segments = await rec.segmentsOf(broadcast.id);
    const t0 = Math.min(...segments.map((s) => s.startedAt.getTime()));
    const at = (d: Date) => (d.getTime() - t0) / 1000;
    const span = Math.max(...segments.map((s) => at(s.endedAt!)));
    const mic = segments.find((s) => s.source === 'mic')!;
    const scr = segments.find((s) => s.source === 'screen')!;

    const mp4 = join(dataDir, row.mp4Key!);
    const probed = probeStreams(mp4);
    expect(probed.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(probed.streams.find((s) => s.type === 'video')).toMatchObject({ width: W, height: H });
    expect(Math.abs(probed.duration - span)).toBeLessThan(1);
    expect(Math.abs(row.durationMs! / 1000 - span)).toBeLessThan(1);
    // The replay's 0:00 is kept with it: the replay page places chat, captions and chapters from it.
    expect(row.startedAt?.getTime()).toBe(t0);
    // The sound spans the whole replay: silence before anyone spoke, not a shorter track.
    const audio = probed.streams.find((s) => s.type === 'audio')!;
    expect(audio.duration).toBeGreaterThan(probed.duration - 0.5);
    expect(maxVolume(mp4, 0.2, at(mic.startedAt) - 0.6)).toBeLessThan(-60);
    expect(maxVolume(mp4, at(mic.startedAt) + 0.8, at(mic.endedAt!) - 0.5)).toBeGreaterThan(-40);

    // The pictures: the camera alone fills the canvas (black bars beside its 4:3 picture); while the
    // screen (white) is shared it fills the canvas and the camera sits as an inset, bottom right.
    const corner = { x: 1150, y: 20, w: 100, h: 100 };
    const middle = { x: 300, y: 200, w: 400, h: 300 };
    const inset = { x: 990, y: 540, w: 220, h: 150 };
    const cameraOnly = lumaAt(mp4, at(mic.startedAt) - 0.5, W, H);
    expect(meanLuma(cameraOnly, W, corner)).toBeLessThan(30);
    // Sampled across the share: a loaded machine may cut the camera's file short at the very end
    // (its last packets unflushed when the recording stops), so one frame of the window must show it.
    const window = [0.3, 0.5, 0.7].map((p) => at(scr.startedAt) + p * (at(scr.endedAt!) - at(scr.startedAt)));
    const frames = window
      .map((t) => lumaAt(mp4, t, W, H))
      .map((f) => ({ corner: meanLuma(f, W, corner), middle: meanLuma(f, W, middle), inset: meanLuma(f, W, inset) }));
    expect(
      frames.some((f) => f.corner > 200 && f.middle > 200 && f.inset < 180),
      JSON.stringify(frames),
    ).toBe(true);

    // HLS: a finished playlist of pieces that exist, as long as the MP4.
    const playlist = readFileSync(join(dataDir, row.hlsKey!), 'utf8');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    const pieces = playlist.split('\n').filter((l) => l.endsWith('.ts'));
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    for (const p of pieces) expect(existsSync(join(dataDir, 'recordings', broadcast.id, 'hls', p))).toBe(true);
    const listed = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(Math.abs(listed - probed.duration)).toBeLessThan(1);
    expect(
      probeStreams(join(dataDir, 'recordings', broadcast.id, 'hls', pieces[0]!))
        .streams.map((s) => s.codec)
        .sort(),
    ).toEqual(['aac', 'h264']);
  });

  /** A node of its own: its connections, its job queue and services, composing on a queue of this test's. */
  async function node(queue: string, options: { ffmpeg?: string; retryLimit: number; retryDelaySeconds?: number }, log: string[]) {
    const database = await connect({ url: fresh.url });
    const services = createServices(database.db);
    const jobs = await startJobQueue(database, { error() {}, warn() {} });
    const off = await startComposeJobs({
      jobs,
      recordings: services.recordings,
      events: services.events,
      hosts: async () => [],
      dir: dataDir,
      ffmpeg: options.ffmpeg ?? 'ffmpeg',
      log: {
        info: (...a: unknown[]) => void log.push(`composed ${String(a[1])}`),
        warn: (...a: unknown[]) => void log.push(`failed ${String(a[1])}`),
      } as never,
      work: true,
      queue,
      kind: { retryLimit: options.retryLimit, retryDelaySeconds: options.retryDelaySeconds ?? 1, expireInSeconds: 600 },
      pollingIntervalSeconds: 0.5,
    });
    nodes.push({ database, queue: jobs, off });
    return services;
  }

  it('retries an attempt that came too early, on one of two nodes, once, and ends ready', { timeout: 300_000 }, async () => {
    const f = fixtures(ctx.db);
    const host = await f.account('organizer');
    const broadcast = await f.onAirBroadcast(host.id);
    const roomId = `broadcast:${broadcast.id}`;
    const queue = `test-compose-${randomUUID().slice(0, 8)}`;
    const logA: string[] = [];
    const logB: string[] = [];
    const a = await node(queue, { retryLimit: 10 }, logA);
    await node(queue, { retryLimit: 10 }, logB);

    await rec.publish(roomId, 'retry-host', host.id);
    await rec.recordFor(broadcast.id, 2);
    // Queued while its segments are still being written (a node's tap not closed yet): the first
    // attempt fails, the recording says it will be tried again, and is not `failed`.
    expect(await a.recordings.queueComposition(broadcast.id)).toBe(true);
    await vi.waitFor(
      async () =>
        expect(await recordingRow(broadcast.id)).toMatchObject({
          status: 'queued',
          error: expect.stringMatching(/^attempt \d+ of 11: segments are still being written/),
        }),
      {
        timeout: 60_000,
        interval: 250,
      },
    );
    await rec.stopAll(roomId, broadcast.id);
    await vi.waitFor(async () => expect((await recordingRow(broadcast.id)).status).toBe('ready'), { timeout: 240_000, interval: 500 });
    expect((await recordingRow(broadcast.id)).error).toBeNull();
    await sleep(2000); // a second run would come within a poll or two
    const composed = [...logA, ...logB].filter((l) => l.startsWith('composed'));
    expect(composed).toEqual(['composed replay composed']);
    expect([...logA, ...logB].filter((l) => l.startsWith('failed')).length).toBeGreaterThanOrEqual(1);
    expect(
      probeStreams(join(dataDir, `recordings/${broadcast.id}/replay.mp4`))
        .streams.map((s) => s.codec)
        .sort(),
    ).toEqual(['aac', 'h264']);
  });

  it('marks it failed only after the last attempt; the host’s retry sends the job again and it ends ready', { timeout: 300_000 }, async () => {
    const f = fixtures(ctx.db);
    const host = await f.account('organizer');
    const broadcast = await f.onAirBroadcast(host.id);
    const roomId = `broadcast:${broadcast.id}`;
    const log: string[] = [];
    // A node whose ffmpeg is missing: every attempt fails (5 s apart: the first failure is seen).
    const broken = await node(`test-compose-${randomUUID().slice(0, 8)}`, { retryLimit: 1, retryDelaySeconds: 5, ffmpeg: '/nonexistent/ffmpeg' }, log);

    await rec.publish(roomId, 'failing-host', host.id);
    await rec.recordFor(broadcast.id, 2);
    await rec.stopAll(roomId, broadcast.id);
    await broken.recordings.queueComposition(broadcast.id);
    await vi.waitFor(
      async () => expect(await recordingRow(broadcast.id)).toMatchObject({ status: 'queued', error: expect.stringMatching(/^attempt 1 of 2/) }),
      {
        timeout: 60_000,
        interval: 100,
      },
    );
    await vi.waitFor(
      async () => expect(await recordingRow(broadcast.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^attempt 2 of 2/) }),
      {
        timeout: 60_000,
        interval: 250,
      },
    );

    // Only its hosts and organizers may retry; the host's retry goes to the platform's own queue (working ffmpeg).
    const seeker = await f.account('seeker');
    await expect(ctx.platform.services.recordings.retry(seeker, broadcast.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect(await ctx.platform.services.recordings.retry(host, broadcast.id)).toBe(true);
    await vi.waitFor(async () => expect((await recordingRow(broadcast.id)).status).toBe('ready'), { timeout: 240_000, interval: 500 });
    await expect(ctx.platform.services.recordings.retry(host, broadcast.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
