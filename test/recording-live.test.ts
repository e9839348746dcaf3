import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { startPlatform } from './helpers.ts';
import { recordingHarness } from './recording-harness.ts';
import { probe } from './rtp-sender.ts';

/**
 * Recording while live (issue 14): every producer of a broadcast is copied by ffmpeg into a file
 * as it arrives, one segment per producer; a host's reconnect and a worker's death end segments
 * and what is published next starts new ones, all of ONE recording, every file playable.
 */
describe('recording a live broadcast', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'fairground-rec-'));
  const rec = recordingHarness(() => ctx, dataDir);
  const { publish, segmentsOf, recordFor } = rec;

  beforeAll(async () => {
    ctx = await startPlatform({ env: { MEDIA_WORKERS: '1', DATA_DIR: dataDir, CLOCK_INTERVAL_MS: '0', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' } });
  });
  afterAll(async () => {
    await rec.close();
    await ctx.platform.close();
  });

  const expectPlayable = (fileKey: string, kind: 'audio' | 'video') => {
    const p = probe(join(dataDir, fileKey));
    expect(p.codec).toBe(kind === 'video' ? 'vp8' : 'opus');
    expect(p.frames).toBeGreaterThan(10);
  };

  it('survives a host’s reconnect as one recording of segments', { timeout: 240_000 }, async () => {
    const f = fixtures(ctx.db);
    const host = await f.account('organizer');
    const broadcast = await f.onAirBroadcast(host.id);
    const roomId = `broadcast:${broadcast.id}`;

    const first = await publish(roomId, 'host-a', host.id);
    await recordFor(broadcast.id, 2);
    // The reconnect: the old connection's media closes, the page publishes again on a new one.
    for (const peer of first.peers) await ctx.platform.media.closePeer(roomId, peer);
    await vi.waitFor(async () => expect((await segmentsOf(broadcast.id)).every((s) => s.endedAt)).toBe(true), { timeout: 15_000 });
    await publish(roomId, 'host-b', host.id);
    await recordFor(broadcast.id, 2);
    for (const p of await ctx.platform.media.producers(roomId)) await ctx.platform.media.closePeer(roomId, p.peerId);
    await vi.waitFor(async () => expect((await segmentsOf(broadcast.id)).every((s) => s.endedAt && s.bytes)).toBe(true), { timeout: 15_000 });

    const segments = await segmentsOf(broadcast.id);
    expect(segments).toHaveLength(4);
    expect(segments.map((s) => s.source).sort()).toEqual(['camera', 'camera', 'mic', 'mic']);
    expect(new Set(segments.map((s) => s.userId))).toEqual(new Set([host.id]));
    // The second pair began after the first ended: their wall-clock starts line them up.
    const [a, b] = [segments.filter((s) => s.peerId.startsWith('host-a')), segments.filter((s) => s.peerId.startsWith('host-b'))];
    expect(Math.min(...b.map((s) => s.startedAt.getTime()))).toBeGreaterThanOrEqual(Math.max(...a.map((s) => s.endedAt!.getTime())));
    for (const s of segments) expectPlayable(s.fileKey, s.kind);
    const rows = await ctx.db.select().from(schema.broadcastRecordings).where(eq(schema.broadcastRecordings.broadcastId, broadcast.id));
    expect(rows).toMatchObject([{ status: 'recording', enabled: true }]);
    expect(ctx.platform.recorder!.active).toBe(0);
  });

  it('survives a worker restart: the segments before are finished files, new ones follow', { timeout: 240_000 }, async () => {
    const f = fixtures(ctx.db);
    const host = await f.account('organizer');
    const broadcast = await f.onAirBroadcast(host.id);
    const roomId = `broadcast:${broadcast.id}`;
    const media = ctx.platform.media;

    await publish(roomId, 'host-c', host.id);
    await recordFor(broadcast.id, 2);
    const pid = (await media.stats()).workerPids[0]!;
    process.kill(pid, 'SIGKILL');
    await vi.waitFor(async () => expect((await segmentsOf(broadcast.id)).every((s) => s.endedAt)).toBe(true), { timeout: 15_000 });
    await vi.waitFor(async () => expect(await media.stats()).toMatchObject({ workersAlive: 1 }), { timeout: 15_000 });
    expect((await media.stats()).workerPids[0]).not.toBe(pid);

    // The host's page joins again on room-reset and publishes on the replacement worker.
    await publish(roomId, 'host-d', host.id);
    await recordFor(broadcast.id, 2);
    for (const p of await media.producers(roomId)) await media.closePeer(roomId, p.peerId);
    await vi.waitFor(async () => expect((await segmentsOf(broadcast.id)).every((s) => s.endedAt)).toBe(true), { timeout: 15_000 });

    const segments = await segmentsOf(broadcast.id);
    expect(segments).toHaveLength(4);
    for (const s of segments) expectPlayable(s.fileKey, s.kind);
    const rows = await ctx.db.select().from(schema.broadcastRecordings).where(eq(schema.broadcastRecordings.broadcastId, broadcast.id));
    expect(rows).toHaveLength(1);
  });

  it('records a booth’s stage only while its staff record a presentation, and queues its replay', { timeout: 300_000 }, async () => {
    const f = fixtures(ctx.db);
    const { booths } = await f.liveFair({ employers: ['Stage'] });
    const booth = booths.Stage;
    const roomId = `booth:${booth.id}`;
    const { presentations, recordings } = ctx.platform.services;

    // Live at the booth, nothing recorded: no presentation is open.
    await publish(roomId, 'staff-a', booth.owner.id);
    await vi.waitFor(async () => expect(await ctx.platform.media.producers(roomId)).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 1500));
    expect(ctx.platform.recorder!.active).toBe(0);

    // Start: the producers already live are tapped for the presentation (the recorder is told, not asked again later).
    const p = await presentations.start(booth.owner, { boothId: booth.id, title: 'Stage talk' });
    await recordFor(p.broadcastId, 2);
    expect((await segmentsOf(p.broadcastId)).map((s) => s.userId)).toEqual([booth.owner.id, booth.owner.id]);

    // Stop: the taps end while the stage stays live, and the replay is composed.
    await presentations.stop(booth.owner, booth.id);
    await vi.waitFor(async () => expect((await segmentsOf(p.broadcastId)).every((s) => s.endedAt && s.bytes)).toBe(true), { timeout: 15_000 });
    expect(ctx.platform.recorder!.active).toBe(0);
    expect(await ctx.platform.media.producers(roomId)).toHaveLength(2);
    for (const s of await segmentsOf(p.broadcastId)) expectPlayable(s.fileKey, s.kind);
    // Queued for composition at the Stop; listed for staff meanwhile, for visitors once ready. The
    // composition itself is the broadcasts' (test/recording-compose.test.ts, on a queue of its own:
    // every platform of a test run shares one database, so this file's job may run on a node that
    // does not have these files) and is played in e2e/tests/booth-presentation.spec.ts.
    expect((await recordings.replayFor(booth.owner, p.broadcastId))?.status).toMatch(/^(queued|composing|ready)$/);
    expect(await presentations.past(booth.owner, booth.id)).toMatchObject([{ broadcastId: p.broadcastId, title: 'Stage talk' }]);

    // Published again after the stop (a new camera): not recorded, no presentation is open.
    for (const prod of await ctx.platform.media.producers(roomId)) await ctx.platform.media.closePeer(roomId, prod.peerId);
    await publish(roomId, 'staff-b', booth.owner.id);
    await vi.waitFor(async () => expect(await ctx.platform.media.producers(roomId)).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 1500));
    expect(ctx.platform.recorder!.active).toBe(0);
    expect(await segmentsOf(p.broadcastId)).toHaveLength(2);
    for (const prod of await ctx.platform.media.producers(roomId)) await ctx.platform.media.closePeer(roomId, prod.peerId);
  });

  it('records nothing when its host turned recording off before going live', { timeout: 240_000 }, async () => {
    const f = fixtures(ctx.db);
    const host = await f.account('organizer');
    const broadcast = await f.onAirBroadcast(host.id);
    const roomId = `broadcast:${broadcast.id}`;
    const viewer = await f.account('seeker');
    await expect(ctx.platform.services.recordings.setEnabled(viewer, broadcast.id, false)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await ctx.platform.services.recordings.setEnabled(host, broadcast.id, false);
    expect(await ctx.platform.services.recordings.isRecorded(broadcast.id)).toBe(false);
    await publish(roomId, 'host-e', host.id);
    // Wait until media flows (the producers exist and the senders run), then check nothing was tapped.
    await vi.waitFor(async () => expect(await ctx.platform.media.producers(roomId)).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await segmentsOf(broadcast.id)).toHaveLength(0);
    expect(ctx.platform.recorder!.active).toBe(0);
    for (const p of await ctx.platform.media.producers(roomId)) await ctx.platform.media.closePeer(roomId, p.peerId);

    // Once a segment exists, turning it off is refused: viewers were told it records.
    const other = await f.onAirBroadcast(host.id);
    await publish(`broadcast:${other.id}`, 'host-f', host.id);
    await recordFor(other.id, 2);
    await expect(ctx.platform.services.recordings.setEnabled(host, other.id, false)).rejects.toMatchObject({ code: 'CONFLICT' });
    for (const p of await ctx.platform.media.producers(`broadcast:${other.id}`)) await ctx.platform.media.closePeer(`broadcast:${other.id}`, p.peerId);
  });
});
