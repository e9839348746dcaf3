import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBroadcasts, schema, type Database } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { createServices, type Services } from './services.ts';
import { PRESENTATION_MAX_MS } from './booth-presentations.ts';

const HOUR = 3600_000;

describe('booth presentations: an employer records its stage into a replay (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let services: Services;
  let fx: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    fresh = await freshDatabase('presentations');
    database = fresh.database;
    services = createServices(database.db);
    fx = fixtures(database.db);
  });
  afterAll(() => fresh?.drop());

  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    );

  /** A segment as the signaling recorder begins one (its first makes the recording). */
  const segment = (broadcastId: string, userId: string, producerId: string, startedAt: Date) => ({
    broadcastId,
    producerId,
    peerId: 'staff-peer',
    userId,
    source: 'camera',
    kind: 'video' as const,
    codec: 'video/VP8',
    nodeId: 'test',
    fileKey: `recordings/${broadcastId}/segments/${producerId}.mkv`,
    startedAt,
  });

  it('lets staff start one at a time, tells the booth, stops it and queues its replay; outsiders change nothing', async () => {
    const { booths, organizer } = await fx.liveFair({ employers: ['Acme', 'Other'] });
    const booth = booths.Acme;
    const seeker = await fx.account('seeker');
    const told: unknown[] = [];
    services.events.on('booth.presentation', (e) => told.push(e));
    const t0 = new Date();

    // Not the booth's staff: refused, nothing written.
    expect(await codeOf(services.presentations.start(seeker, { boothId: booth.id }, t0))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(services.presentations.start(booths.Other.owner, { boothId: booth.id }, t0))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(services.presentations.start(null, { boothId: booth.id }, t0))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(services.presentations.start(booth.owner, { boothId: booth.id, title: 'x'.repeat(121) }, t0))).toBe('INVALID');
    expect(await codeOf(services.presentations.start(booth.owner, { boothId: 'not-a-uuid' }, t0))).toBe('INVALID');
    expect(await services.presentations.current(booth.id, t0)).toBeNull();
    expect(told).toEqual([]);

    const started = await services.presentations.start(booth.owner, { boothId: booth.id, title: '  Campus talk  ' }, t0);
    expect(started).toMatchObject({ title: 'Campus talk', startedAt: t0 });
    expect(await services.presentations.current(booth.id, t0)).toEqual(started);
    expect(told).toEqual([{ boothId: booth.id, presentation: started }]);
    // A second start (a colleague on another tab) while one is open: refused.
    expect(await codeOf(services.presentations.start(booth.owner, { boothId: booth.id }, t0))).toBe('CONFLICT');

    // It is a broadcast of the booth's staff, never listed or announced with the broadcasts.
    const loaded = (await services.broadcasts.load(started.broadcastId))!;
    expect(loaded).toMatchObject({ boothId: booth.id, fairId: booth.fairId, topic: 'company_presentation', status: 'published' });
    expect(loaded.endsAt.getTime() - t0.getTime()).toBe(PRESENTATION_MAX_MS);
    expect(loaded.hosts.map((h) => h.id)).toEqual([booth.owner.id]);
    expect((await services.broadcasts.access(booth.owner, started.broadcastId, t0)).isHost).toBe(true);
    expect((await services.broadcasts.access(seeker, started.broadcastId, t0)).isHost).toBe(false);
    // Its media is the booth's stage: nobody goes live in a broadcast room of it.
    expect(await codeOf(services.broadcasts.requireOpen(booth.owner, started.broadcastId, t0))).toBe('CONFLICT');
    expect((await services.broadcasts.upcoming(organizer, t0)).map((b) => b.id)).not.toContain(started.broadcastId);
    expect((await listBroadcasts(database.db)).map((b) => b.id)).not.toContain(started.broadcastId);
    expect((await services.broadcasts.announceDue(t0)).map((b) => b.id)).not.toContain(started.broadcastId);

    // The recorder's first segment makes the recording (as the signaling recorder does).
    const segmentId = await services.recordings.beginSegment(segment(started.broadcastId, booth.owner.id, 'p1', t0));
    expect(segmentId).toBeTruthy();

    const t1 = new Date(t0.getTime() + 30_000);
    expect(await codeOf(services.presentations.stop(seeker, booth.id, t1))).toBe('NOT_AUTHORIZED');
    expect(await services.presentations.current(booth.id, t1)).not.toBeNull();
    const queued: unknown[] = [];
    services.events.on('recording.queued', (e) => queued.push(e));
    expect(await services.presentations.stop(booth.owner, booth.id, t1)).toEqual({ broadcastId: started.broadcastId });
    expect(await services.presentations.current(booth.id, t1)).toBeNull();
    expect(told.at(-1)).toEqual({ boothId: booth.id, presentation: null });
    expect(queued).toEqual([{ broadcastId: started.broadcastId, endsAt: t1 }]);
    const [row] = await database.db.select().from(schema.broadcastRecordings).where(eq(schema.broadcastRecordings.broadcastId, started.broadcastId));
    expect(row?.status).toBe('queued');
    // A second stop (a colleague's click, a retried request): nothing is open.
    expect(await codeOf(services.presentations.stop(booth.owner, booth.id, t1))).toBe('NOT_FOUND');
    // No new segment after the end.
    expect(await services.recordings.beginSegment(segment(started.broadcastId, booth.owner.id, 'p2', t1))).toBeNull();
    // A new one may start after it.
    expect(await codeOf(services.presentations.start(booth.owner, { boothId: booth.id }, new Date(t1.getTime() + 1000)))).toBe('resolved');
    await services.presentations.stop(booth.owner, booth.id, new Date(t1.getTime() + 2000));
  });

  it('lists past presentations: staff see them being composed, visitors only the replays they may watch', async () => {
    const { booths } = await fx.liveFair({ employers: ['Lister'] });
    const booth = booths.Lister;
    const seeker = await fx.account('seeker');
    const t0 = new Date(Date.now() - HOUR);
    const p = await services.presentations.start(booth.owner, { boothId: booth.id }, t0);
    expect(p.title).toBe(booth.employerName);
    await services.recordings.beginSegment(segment(p.broadcastId, booth.owner.id, 'p1', t0), t0);
    const t1 = new Date(t0.getTime() + 60_000);
    await services.presentations.stop(booth.owner, booth.id, t1);

    expect(await services.presentations.past(booth.owner, booth.id)).toEqual([
      { broadcastId: p.broadcastId, title: booth.employerName, startedAt: t0, endedAt: t1, status: 'queued', durationMs: null },
    ]);
    expect(await services.presentations.past(seeker, booth.id)).toEqual([]);
    expect(await services.presentations.past(null, booth.id)).toEqual([]);

    await services.recordings.ready(p.broadcastId, { hlsKey: 'h', mp4Key: 'm', durationMs: 59_000, startedAt: t0 });
    expect(await services.presentations.past(seeker, booth.id)).toMatchObject([{ broadcastId: p.broadcastId, status: 'ready', durationMs: 59_000 }]);
    expect(await services.presentations.past(null, booth.id)).toHaveLength(1);
    // Unpublished by its host: visitors no longer see it, staff still do.
    await services.recordings.configure(booth.owner, p.broadcastId, { published: false });
    expect(await services.presentations.past(seeker, booth.id)).toEqual([]);
    expect(await services.presentations.past(booth.owner, booth.id)).toHaveLength(1);
  });
});
