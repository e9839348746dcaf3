import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, schema, type Database } from '@fairground/db';
import { createServices, replayStats, ServiceError, type Actor, type Services } from './index.ts';

/** Replay numbers and the replay's clock on real Postgres, with explicit times. */
let database: Database;
let services: Services;
const t0 = new Date('2026-03-01T02:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const DURATION_MS = 600_000;
let viewer: Actor;
let other: Actor;
let host: Actor;

async function newUser(name: string, role: 'seeker' | 'organizer' = 'seeker'): Promise<Actor> {
  const [u] = await database.db
    .insert(schema.users)
    .values({ email: `${name}-${crypto.randomUUID()}@example.com`, name, role })
    .returning();
  return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
}

/** A broadcast scheduled at t0 whose recording began 30 s later and is ready (10 min). */
async function replayReady(options: { visibility?: 'public' | 'signed_in' | 'nobody'; ready?: boolean; startedAt?: Date } = {}): Promise<string> {
  const [b] = await database.db
    .insert(schema.broadcasts)
    .values({ title: 'Replay test', topic: 'policy_qa', startsAt: t0, endsAt: at(900), status: 'published' })
    .returning();
  const id = b!.id;
  await database.db.insert(schema.broadcastRecordings).values({
    broadcastId: id,
    status: options.ready === false ? 'composing' : 'ready',
    progress: options.ready === false ? 40 : 100,
    durationMs: DURATION_MS,
    hlsKey: `recordings/${id}/hls/index.m3u8`,
    mp4Key: `recordings/${id}/replay.mp4`,
    visibility: options.visibility ?? 'public',
    startedAt: options.startedAt ?? null,
  });
  const segment = { broadcastId: id, producerId: 'p', peerId: 'peer', userId: null, kind: 'video' as const, codec: 'video/VP8', nodeId: 'n' };
  await database.db.insert(schema.recordingSegments).values([
    { ...segment, source: 'camera', fileKey: `recordings/${id}/a.webm`, startedAt: at(31), endedAt: at(600) },
    { ...segment, source: 'screen', fileKey: `recordings/${id}/b.webm`, startedAt: at(30), endedAt: at(630) },
  ]);
  return id;
}

const beat = (actor: Actor, id: string, body: unknown, seconds: number) => services.replayAudience.beat(actor, id, body, at(1000 + seconds));

beforeAll(async () => {
  database = await connect({ url: inject('databaseUrl') });
  services = createServices(database.db);
  viewer = await newUser('Viewer');
  other = await newUser('Other');
  host = await newUser('Organizer', 'organizer');
});
afterAll(() => database?.close());

describe('ReplayAudience', () => {
  it('counts a view once per session, unique viewers, and the largest watch time told', async () => {
    const id = await replayReady();
    const session = crypto.randomUUID();
    expect(await beat(viewer, id, { session, watchedMs: 0 }, 0)).toEqual({ counted: true });
    await beat(viewer, id, { session, watchedMs: 0 }, 0); // the same beat again (a retry): one view
    await beat(viewer, id, { session, watchedMs: 10_000 }, 10);
    await beat(viewer, id, { session, watchedMs: 20_000 }, 20);
    await beat(viewer, id, { session, watchedMs: 20_000 }, 21); // repeated: adds nothing
    await beat(viewer, id, { session, watchedMs: 15_000 }, 22); // an older beat arriving late: no loss
    // A second page load of the same viewer is a second view, not a second viewer.
    const again = crypto.randomUUID();
    await beat(viewer, id, { session: again, watchedMs: 0 }, 100);
    await beat(viewer, id, { session: again, watchedMs: 5_000 }, 105);
    // A visitor who is not signed in is counted by their device.
    const anon = crypto.randomUUID();
    await beat(null, id, { session: anon, watchedMs: 0, device: 'device0001' }, 0);
    await beat(null, id, { session: anon, watchedMs: 600_000, device: 'device0001' }, 400);

    const s = await replayStats(database.db, id);
    // 20 s + 5 s + 600 s (the visitor watched all of it, at 2x).
    expect(s).toEqual({
      views: 3,
      unique: 2,
      watchSeconds: 625,
      averageWatchSeconds: 313,
      completed: 1,
      completionPercent: Math.round(((20 + 5 + 600) / 600 / 3) * 100),
    });
    // The live numbers do not move.
    expect((await services.reports.broadcastReport(host, id)).stats).toMatchObject({ views: 0, unique: 0, watchSeconds: 0 });
    expect((await services.reports.broadcastReport(host, id)).replay).toEqual(s);
  });

  it('clamps watch time to the replay’s length and to what could have played since the view began', async () => {
    const id = await replayReady();
    const session = crypto.randomUUID();
    await beat(viewer, id, { session, watchedMs: 0 }, 0);
    // 10 s after the first beat nobody has played an hour: at most 10 s × 2 (top speed) + 10 s slack.
    await beat(viewer, id, { session, watchedMs: 3_600_000 }, 10);
    expect((await replayStats(database.db, id)).watchSeconds).toBe(30);
    // Much later, still never more than the replay itself.
    await beat(viewer, id, { session, watchedMs: 3_600_000 }, 5000);
    expect((await replayStats(database.db, id)).watchSeconds).toBe(DURATION_MS / 1000);
    expect((await replayStats(database.db, id)).completionPercent).toBe(100);
  });

  it('refuses bad input, foreign sessions and replays the actor may not watch; limits views per identity', async () => {
    const id = await replayReady({ visibility: 'signed_in' });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof ServiceError ? e.code : String(e)),
      );
    for (const bad of [
      {},
      { session: 'not-a-uuid', watchedMs: 0 },
      { session: crypto.randomUUID(), watchedMs: -1 },
      { session: crypto.randomUUID(), watchedMs: 1.5 },
      { session: crypto.randomUUID(), watchedMs: '10' },
      { session: crypto.randomUUID(), watchedMs: 0, extra: true },
      { session: crypto.randomUUID(), watchedMs: 0, device: '../../x' },
      null,
    ]) {
      expect(await code(beat(viewer, id, bad, 0))).toBe('INVALID');
    }
    // Signed-in only: a visitor is told there is nothing here.
    expect(await code(beat(null, id, { session: crypto.randomUUID(), watchedMs: 0, device: 'device0002' }, 0))).toBe('NOT_FOUND');
    // Another user cannot add to someone else's view.
    const session = crypto.randomUUID();
    await beat(viewer, id, { session, watchedMs: 0 }, 0);
    expect(await code(beat(other, id, { session, watchedMs: 30_000 }, 60))).toBe('NOT_FOUND');
    // Not ready yet: no view.
    const composing = await replayReady({ ready: false });
    expect(await code(beat(viewer, composing, { session: crypto.randomUUID(), watchedMs: 0 }, 0))).toBe('NOT_FOUND');
    // One identity adds at most 20 views a day; more still play but are not counted.
    for (let i = 0; i < 20; i++) await beat(other, id, { session: crypto.randomUUID(), watchedMs: 0 }, i);
    expect(await beat(other, id, { session: crypto.randomUUID(), watchedMs: 0 }, 30)).toEqual({ counted: false });
    const s = await replayStats(database.db, id);
    expect(s).toMatchObject({ views: 21, unique: 2, watchSeconds: 0 });
  });

  it('two beats of one new session at once count one view', async () => {
    const id = await replayReady();
    const session = crypto.randomUUID();
    await Promise.all(Array.from({ length: 5 }, () => beat(viewer, id, { session, watchedMs: 0 }, 0)));
    expect((await replayStats(database.db, id)).views).toBe(1);
  });
});

describe('ReplayTimelines', () => {
  it('moves captions, chapters and chat onto the recording’s start (its earliest segment)', async () => {
    const id = await replayReady();
    // Timed from the scheduled start (t0): a cue at 40 s, one before the recording began, a marker at 90 s.
    await database.db.insert(schema.broadcastCaptions).values([
      { broadcastId: id, authorId: viewer!.id, language: 'en', startMs: 40_000, endMs: 43_000, body: 'Welcome', sentAt: at(40) },
      { broadcastId: id, authorId: viewer!.id, language: 'en', startMs: 10_000, endMs: 12_000, body: 'Too early', sentAt: at(10) },
      { broadcastId: id, authorId: viewer!.id, language: 'en', startMs: 28_000, endMs: 33_000, body: 'Across the start', sentAt: at(28) },
    ]);
    await database.db.insert(schema.broadcastChapterMarks).values({ broadcastId: id, title: 'Part two', atMs: 90_000, createdBy: host!.id });
    await database.db.insert(schema.broadcastMessages).values({ broadcastId: id, authorId: viewer!.id, body: 'Hello', sentAt: at(45) });

    const state = await services.replayTimelines.stateFor(viewer, id, t0);
    expect(state.state).toBe('ready');
    if (state.state !== 'ready') return;
    expect(state.timeline.offsetMs).toBe(30_000);
    expect(state.timeline.chapters).toEqual([expect.objectContaining({ kind: 'marker', title: 'Part two', atMs: 60_000 })]);
    expect(state.timeline.lines).toEqual([expect.objectContaining({ kind: 'chat', body: 'Hello', atMs: 15_000, authorName: 'Viewer' })]);
    expect(state.timeline.captionLanguages).toEqual(['en']);
    const vtt = await services.replayTimelines.webVtt(viewer, id, 'en', t0);
    expect(vtt).toContain('00:00:00.000 --> 00:00:03.000\nAcross the start');
    expect(vtt).toContain('00:00:10.000 --> 00:00:13.000\nWelcome');
    expect(vtt).not.toContain('Too early');
  });

  it('takes the start composition wrote over the earliest segment (one it could not use starts earlier)', async () => {
    // The screen's segment (30 s) held no media: the replay begins with the camera's, at 31 s.
    const id = await replayReady({ startedAt: at(31) });
    await database.db.insert(schema.broadcastMessages).values({ broadcastId: id, authorId: viewer!.id, body: 'Hi', sentAt: at(45) });
    await database.db
      .insert(schema.broadcastCaptions)
      .values({ broadcastId: id, authorId: viewer!.id, language: 'en', startMs: 41_000, endMs: 43_000, body: 'Cue', sentAt: at(41) });
    const state = await services.replayTimelines.stateFor(viewer, id, t0);
    if (state.state !== 'ready') throw new Error(`not ready: ${state.state}`);
    expect(state.timeline.startedAt).toEqual(at(31));
    expect(state.timeline.offsetMs).toBe(31_000);
    expect(state.timeline.lines).toEqual([expect.objectContaining({ body: 'Hi', atMs: 14_000 })]);
    expect(await services.replayTimelines.webVtt(viewer, id, 'en', t0)).toContain('00:00:10.000 --> 00:00:12.000\nCue');
  });

  it('says why there is no replay: processing, not recorded, not available', async () => {
    const composing = await replayReady({ ready: false });
    expect(await services.replayTimelines.stateFor(viewer, composing, t0)).toEqual({ state: 'processing', progress: 40 });
    const hidden = await replayReady({ visibility: 'nobody' });
    expect(await services.replayTimelines.stateFor(viewer, hidden, t0)).toEqual({ state: 'unavailable', error: null });
    expect((await services.replayTimelines.stateFor(host, hidden, t0)).state).toBe('ready');
    const [b] = await database.db
      .insert(schema.broadcasts)
      .values({ title: 'Not recorded', topic: 'policy_qa', startsAt: t0, endsAt: at(900), status: 'published' })
      .returning();
    expect(await services.replayTimelines.stateFor(viewer, b!.id, t0)).toEqual({ state: 'not_recorded' });
  });
});
