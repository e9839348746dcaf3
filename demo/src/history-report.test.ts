import { asc, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatchingService, ReportService } from '@fairground/core';
import { schema, type SessionUser } from '@fairground/db';
import { demoFair, freshDatabase } from '../../test/helpers.ts';
import { DEMO_HISTORY, INTERVIEW_STORIES, type DemoStory } from './index.ts';

/**
 * The reports on the demo data's finished fair and broadcast (demo/src/history.ts), on real
 * Postgres: what an organizer sees after `npm start`. Expected numbers are counted here from the
 * seed's plan and from the seeded rows, not by the report code.
 */
describe('reports on the demo history (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let reports: ReportService;
  let fair: typeof schema.fairs.$inferSelect;
  let broadcast: typeof schema.broadcasts.$inferSelect;
  let boothOf: (word: string) => string;
  const user = async (email: string): Promise<SessionUser> => {
    const [u] = await fresh.database.db.select().from(schema.users).where(eq(schema.users.email, email));
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
  };

  beforeAll(async () => {
    fresh = await freshDatabase('demo_history');
    const db = fresh.database.db;
    reports = new ReportService(db);
    [fair] = (await db.select().from(schema.fairs).where(eq(schema.fairs.status, 'ended'))) as [typeof fair];
    [broadcast] = (await db.select().from(schema.broadcasts).where(eq(schema.broadcasts.fairId, fair.id))) as [typeof broadcast];
    const booths = await db
      .select({ id: schema.booths.id, name: schema.employers.name })
      .from(schema.booths)
      .innerJoin(schema.employers, eq(schema.employers.id, schema.booths.employerId))
      .where(eq(schema.booths.fairId, fair.id));
    boothOf = (word) => booths.find((b) => b.name.includes(word))!.id;
  });
  afterAll(async () => {
    await fresh?.drop();
  });

  /** A booth's stage counts as the seed's plan has them: one list of entries per seeker in the line. */
  const planned = (word: string) => {
    const plan = DEMO_HISTORY.booths.find((p) => p.employer === word)!;
    const lines = plan.lines as readonly (readonly DemoStory[])[];
    const all = lines.flat();
    const count = (...s: DemoStory[]) => all.filter((x) => s.includes(x)).length;
    const visited = plan.visitedOnly + lines.length;
    const interviewed = lines.filter((l) => l.some((s) => INTERVIEW_STORIES.includes(s))).length;
    return {
      visited,
      queued: lines.length,
      interviewed,
      withOutcome: lines.filter((l) => l.some((s) => ['offer', 'next_round', 'not_a_fit', 'no_show'].includes(s))).length,
      conversion: interviewed / visited,
      entries: all.length,
      abandoned: count('left', 'expired', 'declined'),
      called: count(...INTERVIEW_STORIES, 'declined', 'missed'),
      noShows: count('missed'),
      outcomes: { offer: count('offer'), next_round: count('next_round'), not_a_fit: count('not_a_fit'), no_show: count('no_show') },
    };
  };

  /** percentile_cont(0.5), by hand. */
  const median = (values: number[]) => {
    const v = [...values].sort((a, b) => a - b);
    if (!v.length) return null;
    const mid = (v.length - 1) / 2;
    return Math.round((v[Math.floor(mid)]! + v[Math.ceil(mid)]!) / 2);
  };

  it('gives the organizer a fair report with each booth’s funnel, as planned', async () => {
    const report = await reports.fairReport(await user('organizer@example.com'), fair.id);
    expect(report.fair).toMatchObject({ title: DEMO_HISTORY.fair.title, status: 'ended' });
    expect(report.booths.map((b) => b.employerName)).toEqual(['星河科技 Xinghe Tech', '绿野农业合作社 Green Fields Co-op', '顺达物流 Shunda Logistics']);
    for (const word of ['Xinghe', 'Green Fields', 'Shunda']) {
      const booth = report.booths.find((b) => b.employerName.includes(word))!;
      expect(booth.funnel, word).toMatchObject(planned(word));
    }
    // The same, written out: visited -> joined the line -> interviewed -> given an outcome; offers.
    expect(report.booths.map((b) => [b.funnel.visited, b.funnel.queued, b.funnel.interviewed, b.funnel.withOutcome, b.funnel.outcomes.offer])).toEqual([
      [31, 14, 9, 9, 2],
      [22, 11, 7, 6, 3],
      [34, 18, 12, 11, 5],
    ]);
    expect(report.booths.map((b) => b.funnel.conversion.toFixed(3))).toEqual(['0.290', '0.318', '0.353']);
  });

  it('counts a seeker once for the whole fair, and takes medians from the lines and interviews', async () => {
    const db = fresh.database.db;
    const boothIds = ['Xinghe', 'Green Fields', 'Shunda'].map(boothOf);
    const events = await db.select().from(schema.countedEvents).where(inArray(schema.countedEvents.roomId, boothIds));
    const entries = await db.select().from(schema.queueEntries).where(inArray(schema.queueEntries.boothId, boothIds));
    const ivs = await db.select().from(schema.interviews).where(inArray(schema.interviews.boothId, boothIds));
    const seekers = (kind: string) => new Set(events.filter((e) => e.kind === kind).map((e) => e.actor)).size;
    const waits = entries.filter((e) => e.calledAt).map((e) => (e.calledAt!.getTime() - e.joinedAt.getTime()) / 1000);
    const lengths = ivs.map((iv) => (iv.endedAt!.getTime() - iv.startedAt!.getTime()) / 1000);
    const sum = (key: 'entries' | 'abandoned' | 'called' | 'noShows') => ['Xinghe', 'Green Fields', 'Shunda'].reduce((n, w) => n + planned(w)[key], 0);

    const { total, booths } = await reports.fairReport(await user('organizer@example.com'), fair.id);
    expect(total).toMatchObject({
      visited: seekers('booth_visit'),
      queued: seekers('queue_joined'),
      interviewed: seekers('interview_started'),
      withOutcome: seekers('outcome'),
      entries: sum('entries'),
      abandoned: sum('abandoned'),
      called: sum('called'),
      noShows: sum('noShows'),
      medianWaitSeconds: median(waits),
      medianInterviewSeconds: median(lengths),
      outcomes: { offer: 10, next_round: 7, not_a_fit: 7, no_show: 2 },
    });
    expect(total.conversion).toBeCloseTo(seekers('interview_started') / seekers('booth_visit'), 10);
    // Seekers went to more than one booth: the fair counts each of them once.
    expect(total.visited).toBeLessThan(booths.reduce((n, b) => n + b.funnel.visited, 0));
    expect(total.visited).toBeLessThanOrEqual(DEMO_HISTORY.seekers);
    for (const b of booths) {
      const at = entries.filter((e) => e.boothId === b.boothId && e.calledAt).map((e) => (e.calledAt!.getTime() - e.joinedAt.getTime()) / 1000);
      expect(b.funnel.medianWaitSeconds, b.employerName).toBe(median(at));
      const len = ivs.filter((iv) => iv.boothId === b.boothId).map((iv) => (iv.endedAt!.getTime() - iv.startedAt!.getTime()) / 1000);
      expect(b.funnel.medianInterviewSeconds, b.employerName).toBe(median(len));
      // Interviews run 1 to 25 minutes.
      expect(b.funnel.medianInterviewSeconds! > 5 * 60 && b.funnel.medianInterviewSeconds! < 25 * 60).toBe(true);
    }
  });

  it('lists the fair’s broadcast with its audience, and the demand table of its employers', async () => {
    const db = fresh.database.db;
    const viewers = await db.select().from(schema.broadcastViewers).where(eq(schema.broadcastViewers.broadcastId, broadcast.id));
    const samples = await db.select().from(schema.broadcastViewerSamples).where(eq(schema.broadcastViewerSamples.broadcastId, broadcast.id));
    const report = await reports.fairReport(await user('organizer@example.com'), fair.id);
    expect(report.broadcasts).toHaveLength(1);
    expect(report.broadcasts[0]).toMatchObject({
      broadcastId: broadcast.id,
      title: DEMO_HISTORY.broadcast.title,
      audience: {
        peak: Math.max(...samples.map((s) => s.live)),
        views: viewers.reduce((n, v) => n + v.views, 0),
        unique: DEMO_HISTORY.broadcast.seekerViewers + DEMO_HISTORY.broadcast.deviceViewers,
        watchSeconds: Math.floor(viewers.reduce((n, v) => n + v.watchedMs, 0) / 1000),
      },
    });
    expect(report.demand.totals).toEqual({ jobs: 6, headcount: 33, employers: 3 });
  });

  it('gives the broadcast report its series, peak, views, unique viewers and watch time', async () => {
    const db = fresh.database.db;
    const viewers = await db.select().from(schema.broadcastViewers).where(eq(schema.broadcastViewers.broadcastId, broadcast.id));
    const samples = await db
      .select()
      .from(schema.broadcastViewerSamples)
      .where(eq(schema.broadcastViewerSamples.broadcastId, broadcast.id))
      .orderBy(asc(schema.broadcastViewerSamples.at));
    const { broadcast: info, fair: ofFair, stats } = await reports.broadcastReport(await user('organizer@example.com'), broadcast.id);
    expect(info).toMatchObject({ title: DEMO_HISTORY.broadcast.title, topic: 'policy_qa', hosts: ['张伟 Zhang Wei'] });
    expect(ofFair).toEqual({ id: fair.id, title: fair.title });
    const watchMs = viewers.reduce((n, v) => n + v.watchedMs, 0);
    const unique = viewers.length;
    expect(stats).toMatchObject({
      live: 0,
      peak: Math.max(...samples.map((s) => s.live)),
      views: viewers.reduce((n, v) => n + v.views, 0),
      unique,
      watchSeconds: Math.floor(watchMs / 1000),
      averageWatchSeconds: Math.round(Math.floor(watchMs / 1000) / unique),
    });
    expect(stats.samples).toEqual(samples.map((s) => ({ at: s.at.toISOString(), live: s.live })));
    expect(stats.unique).toBeLessThanOrEqual(stats.views);
    expect(stats.peak).toBeLessThan(stats.unique);
    // About an hour of 5 s samples.
    expect(stats.samples.length).toBeGreaterThan(600);
  });

  it('gives each employer its own past booth report, with the ratings its recruiter gave', async () => {
    const db = fresh.database.db;
    const shunda = boothOf('Shunda');
    const report = await reports.boothReport(await user('employer3@example.com'), shunda);
    expect(report.fair).toMatchObject({ id: fair.id, status: 'ended' });
    expect(report.funnel).toMatchObject(planned('Shunda'));
    const ivs = await db.select().from(schema.interviews).where(eq(schema.interviews.boothId, shunda));
    expect(report.ratings).toEqual([1, 2, 3, 4, null].map((rating) => ({ rating, n: ivs.filter((iv) => iv.rating === rating).length })));
    expect(report.ratings.reduce((n, r) => n + r.n, 0)).toBe(planned('Shunda').interviewed);
    await expect(reports.boothReport(await user('employer@example.com'), shunda)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });

  it('leaves the live demo fair’s report at zero', async () => {
    const live = await demoFair(fresh.database.db);
    const report = await reports.fairReport(await user('organizer@example.com'), live.id);
    expect(report.total).toMatchObject({ visited: 0, queued: 0, interviewed: 0, entries: 0, medianWaitSeconds: null });
    expect(report.broadcasts.map((b) => [b.title, b.audience.views])).toEqual([['面试技巧云直播 Interview Skills Live', 0]]);
  });

  it('ranks the open fair’s jobs for the seeded seekers too', async () => {
    const db = fresh.database.db;
    const seekers = await db.select().from(schema.users).where(like(schema.users.email, '%@demo.fairground.test')).orderBy(asc(schema.users.email));
    const matching = new MatchingService(db);
    const best = [];
    for (const s of seekers) {
      const { matches } = await matching.forSeeker({ id: s.id, email: s.email, name: s.name, role: s.role });
      expect(matches).toHaveLength(6);
      best.push(matches[0]!.job.employerName);
    }
    // Varied profiles: every employer is somebody's best match.
    expect(new Set(best)).toEqual(new Set(['星河科技 Xinghe Tech', '绿野农业合作社 Green Fields Co-op', '顺达物流 Shunda Logistics']));
  });
});
