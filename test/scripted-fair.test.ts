import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent, type Funnel } from '@fairground/core';
import { hashPassword, schema, type SessionUser } from '@fairground/db';
import type { FairDashboard, QueueLine, QueuePlace } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, expectAtMostOnePerSecond, freshDatabase, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';

/**
 * A whole fair with known numbers, through the real services on two nodes (Socket.IO, Postgres,
 * Redis): 20 seekers visit, 12 join lines (13 entries: one seeker waits at two booths), 7 are
 * interviewed, 2 do not answer their call, 4 entries leave; every request is sent twice, the
 * seekers' connections drop and come back on the other node twice over, and recorded events are
 * retried. The report after the fair must be exactly the numbers below: any double count fails it.
 *
 * Booth A (Xinghe): everyone visits; S0-S8 join; S0-S4 are interviewed; S5, S6 leave; S7, S8 are
 * called and never answer (no-shows).
 * Booth B (Green Fields): S0 and S10-S14 visit; S10, S11, S0, S9 join; S10, S11 are interviewed;
 * S0 and S9 leave.
 */
/** Xinghe's jobs, as the demo data has them (the match checks below name them). */
const XINGHE_JOBS = [
  {
    title: '前端工程师 Frontend Engineer',
    location: '杭州 Hangzhou',
    jobType: 'full_time',
    salaryMin: 12000,
    salaryMax: 20000,
    headcount: 3,
    skills: ['TypeScript', 'Svelte', 'CSS'],
  },
  {
    title: '测试工程师 QA Engineer',
    location: '杭州 Hangzhou',
    jobType: 'full_time',
    salaryMin: 9000,
    salaryMax: 14000,
    headcount: 2,
    skills: ['Playwright', 'SQL'],
  },
] as const;

describe('a scripted fair produces exactly the expected report', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let nodes: Array<Awaited<ReturnType<typeof startPlatform>>>;
  let boothA: string;
  let boothB: string;
  /** The live fair's booths: the demo data also holds a past fair with history of its own. */
  let fairBooths: string[];
  let fairId: string;
  let organizer: SessionUser;
  let recruiterA: SessionUser;
  let recruiterB: SessionUser;
  const cookies: Record<string, string> = {};
  const seekerCookies: string[] = [];
  const clients: TestClient[] = [];
  const connect = async (node: number, cookie: string) => {
    const c = await connectTestClient(nodes[node]!.url, { cookie });
    clients.push(c);
    return c;
  };
  const ok = async <T>(p: Promise<{ ok: true; data: T } | { ok: false; error: { code: string } }>): Promise<T> => {
    const r = await p;
    if (!r.ok) throw new Error(`refused: ${r.error.code}`);
    return r.data;
  };

  beforeAll(async () => {
    fresh = await freshDatabase('scriptedfair');
    const env = { DATABASE_URL: fresh.url, QUEUE_GRACE_SECONDS: '60', QUEUE_ACCEPT_SECONDS: '5', CLOCK_INTERVAL_MS: '0', AUTH_SECRET: 's'.repeat(32) };
    nodes = [await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env })];
    const db = nodes[0]!.db;
    const auth = nodes[0]!.platform.auth;
    // Xinghe offers a QA and a frontend job (S0's profile fits the first exactly).
    const live = await fixtures(db).liveFair({ employers: ['Xinghe', 'GreenFields', 'Shunda'], jobs: { Xinghe: XINGHE_JOBS } });
    const { booths } = live;
    boothA = booths.Xinghe.id;
    boothB = booths.GreenFields.id;
    fairId = live.fair.id;
    fairBooths = [booths.Xinghe.id, booths.GreenFields.id, booths.Shunda.id];
    organizer = live.organizer;
    recruiterA = booths.Xinghe.owner;
    recruiterB = booths.GreenFields.owner;
    cookies.organizer = await sessionCookie(auth, organizer.email);
    cookies.recruiterA = await sessionCookie(auth, recruiterA.email);
    cookies.recruiterB = await sessionCookie(auth, recruiterB.email);

    const hash = await hashPassword('seeker-pass');
    const rows = await db
      .insert(schema.users)
      .values(Array.from({ length: 20 }, (_, i) => ({ name: `S${i}`, email: `scripted-${i}@example.com`, emailVerified: true, role: 'seeker' as const })))
      .returning();
    await db.insert(schema.accounts).values(rows.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: hash })));
    for (let batch = 0; batch < 20; batch += 10) {
      const signed = await Promise.all(
        rows.slice(batch, batch + 10).map(async (u, j) => {
          const r = await auth.signIn({ email: u.email, password: 'seeker-pass' }, `10.6.${batch + j}.1`);
          if (!r.ok) throw new Error(r.reason);
          return r.setCookies.map((c) => c.split(';')[0]).join('; ');
        }),
      );
      seekerCookies.push(...signed);
    }
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    // Let the nodes finish what the disconnects started (presence, lines) before shutting down.
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of nodes ?? []) await n.platform.close();
    await fresh?.drop();
  });

  it('counts every stage once through drops, retries and duplicates', async () => {
    const db = nodes[0]!.db;
    const services = nodes[0]!.platform.services;

    // The organizer watches the live dashboard; recruiters go on duty at both booths.
    const watcher = await connect(1, cookies.organizer!);
    const updates: FairDashboard[] = [];
    const receivedAt: number[] = [];
    watcher.on('dashboard:update', (d) => {
      updates.push(d);
      receivedAt.push(Date.now());
    });
    const first = await ok(send<FairDashboard>(watcher, 'dashboard:watch', { fairId }));
    expect(first).toMatchObject({ fairId, peopleNow: 0, waiting: 0, interviewsNow: 0 });

    const recA = await connect(0, cookies.recruiterA!);
    const recB = await connect(1, cookies.recruiterB!);
    await ok(send(recA, 'booth:join', { boothId: boothA }));
    await ok(send(recA, 'queue:duty', { boothId: boothA, onDuty: true }));
    await ok(send(recB, 'booth:join', { boothId: boothB }));
    await ok(send(recB, 'queue:duty', { boothId: boothB, onDuty: true }));

    // 20 seekers visit booth A (twice each); S0 and S10-S14 also visit booth B.
    let seekers: TestClient[] = [];
    for (let i = 0; i < 20; i++) seekers.push(await connect(i % 2, seekerCookies[i]!));
    for (let i = 0; i < 20; i++) {
      await ok(send(seekers[i]!, 'booth:join', { boothId: boothA }));
      await ok(send(seekers[i]!, 'booth:join', { boothId: boothA }));
    }
    for (const i of [0, 10, 11, 12, 13, 14]) await ok(send(seekers[i]!, 'booth:join', { boothId: boothB }));
    // Everyone is at a booth: 20 people at the fair (S0 at two booths counts once).
    await expect.poll(async () => (await ok(send<FairDashboard>(watcher, 'dashboard:watch', { fairId }))).peopleNow, { timeout: 10_000 }).toBe(20);

    // S0 has a profile that fits Xinghe's QA job exactly; the others have none.
    const s0 = await nodes[0]!.platform.auth.userFor(new Headers({ cookie: seekerCookies[0]! }));
    await services.profiles.save(s0, {
      name: 'S0',
      skills: 'Playwright, SQL',
      salaryMin: 9000,
      salaryMax: 14000,
      currency: 'CNY',
      locations: 'Hangzhou',
      jobTypes: ['full_time'],
    } as never);
    const lines: QueueLine[] = [];
    recA.on('queue:line', (l) => lines.push(l));

    // Lines, every join sent twice: A gets S0-S8, B gets S10, S11, S0, S9 in that order.
    const join = async (i: number, boothId: string) => {
      const place = await ok(send<QueuePlace>(seekers[i]!, 'queue:join', { boothId }));
      const again = await ok(send<QueuePlace>(seekers[i]!, 'queue:join', { boothId }));
      expect(again.entryId).toBe(place.entryId);
      return place;
    };
    for (let i = 0; i <= 8; i++) expect((await join(i, boothA)).position).toBe(i + 1);
    for (const [n, i] of [10, 11, 0, 9].entries()) expect((await join(i, boothB)).position).toBe(n + 1);
    // Recruiters see each waiting seeker's best fit among the booth's jobs, with its reason.
    await expect.poll(() => lines.at(-1)?.line.length, { timeout: 10_000 }).toBe(9);
    const line = lines.at(-1)!.line;
    expect(line[0]!.match).toMatchObject({
      jobTitle: '测试工程师 QA Engineer',
      score: 100,
      skillsMatched: 2,
      skillsTotal: 2,
      salary: 'within',
      location: true,
      jobType: true,
    });
    // No profile: no skills, the rest unknown (half marks); the two jobs tie and the better-paid wins.
    expect(line[1]!.match).toMatchObject({
      jobTitle: '前端工程师 Frontend Engineer',
      score: 25,
      skillsMatched: 0,
      salary: 'unknown',
      location: null,
      jobType: null,
    });

    // The dashboard catches up within about a second: 13 waiting.
    await expect.poll(() => updates.some((d) => d.waiting === 13), { timeout: 10_000 }).toBe(true);

    // A reconnect storm: every seeker drops and comes back on the other node, twice, without pause,
    // then repeats its visits and joins (as a reloading page would).
    for (let round = 0; round < 2; round++) {
      seekers.forEach((s) => s.disconnect());
      seekers = await Promise.all(seekerCookies.map((c, i) => connect((i + round + 1) % 2, c)));
    }
    for (let i = 0; i < 20; i++) await ok(send(seekers[i]!, 'booth:join', { boothId: boothA }));
    // S0 has sent 4 joins already; joins are limited per user (5 at once, then 1 a second), so on a
    // fast machine its 5th and 6th would be refused. A second's wait refills the bucket.
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i <= 8; i++) await join(i, boothA);
    await expect
      .poll(
        async () =>
          (await db.select().from(schema.queueEntries).where(inArray(schema.queueEntries.boothId, fairBooths))).filter((e) => e.disconnectedAt !== null).length,
        {
          timeout: 15_000,
        },
      )
      .toBe(0);

    // Interviews: the recruiter calls, the seeker accepts, both enter the room (twice), it ends (twice).
    const interviewIds = new Map<number, string>();
    const interview = async (rec: TestClient, boothId: string, i: number) => {
      const called = waitFor(seekers[i]!, 'queue:place', (p) => p.boothId === boothId && p.status === 'called', 10_000);
      const entry = await ok(send<{ entryId: string } | null>(rec, 'queue:call-next', { boothId }));
      const [place] = await called;
      expect(place.entryId).toBe(entry!.entryId);
      const { interviewId } = await ok(send<{ interviewId: string }>(seekers[i]!, 'queue:accept', { entryId: place.entryId }));
      await ok(send(seekers[i]!, 'interview:join', { interviewId }));
      await ok(send(rec, 'interview:join', { interviewId }));
      await ok(send(rec, 'interview:join', { interviewId }));
      await ok(send(rec, 'interview:end', { interviewId }));
      await ok(send(seekers[i]!, 'interview:end', { interviewId }));
      interviewIds.set(i, interviewId);
    };
    for (let i = 0; i <= 4; i++) await interview(recA, boothA, i);
    await interview(recB, boothB, 10);
    await interview(recB, boothB, 11);

    // S5, S6 leave A (twice each); S0 and S9 leave B.
    for (const i of [5, 6]) {
      await ok(send(seekers[i]!, 'queue:leave', { boothId: boothA }));
      await ok(send(seekers[i]!, 'queue:leave', { boothId: boothA }));
    }
    for (const i of [0, 9]) await ok(send(seekers[i]!, 'queue:leave', { boothId: boothB }));

    // S7 is called and never answers; after the deadline the same recruiter gets S8, who does not answer either.
    await ok(send(recA, 'queue:call-next', { boothId: boothA }));
    await expect
      .poll(
        async () =>
          (
            await db
              .select()
              .from(schema.queueEntries)
              .where(and(inArray(schema.queueEntries.boothId, fairBooths), eq(schema.queueEntries.status, 'no_show')))
          ).length,
        {
          timeout: 30_000,
          interval: 500,
        },
      )
      .toBe(2);

    // Outcomes, some sent twice and one corrected: S1 first "next round", then "offer".
    const assess = (rec: SessionUser, i: number, outcome: string) => services.interviews.assess(rec, interviewIds.get(i)!, { outcome, notes: '' });
    await assess(recruiterA, 0, 'offer');
    await assess(recruiterA, 0, 'offer');
    await assess(recruiterA, 1, 'next_round');
    await assess(recruiterA, 1, 'offer');
    await assess(recruiterA, 2, 'next_round');
    await assess(recruiterA, 3, 'next_round');
    await assess(recruiterA, 4, 'not_a_fit');
    await assess(recruiterB, 10, 'offer');

    // Another node retrying events it already recorded inserts nothing.
    const [anyStart] = await db
      .select()
      .from(schema.countedEvents)
      .where(and(inArray(schema.countedEvents.roomId, fairBooths), eq(schema.countedEvents.kind, 'interview_started')));
    expect(await recordEvent(db, { id: anyStart!.id, kind: 'interview_started', boothId: anyStart!.roomId, actor: anyStart!.actor })).toBe(false);
    expect(await recordEvent(db, { id: `booth_visit:${boothA}:${anyStart!.actor}`, kind: 'booth_visit', boothId: boothA, actor: anyStart!.actor })).toBe(false);

    // Live: nobody waits, nobody is in an interview any more.
    const live = await ok(send<FairDashboard>(watcher, 'dashboard:watch', { fairId }));
    expect(live).toMatchObject({ waiting: 0, interviewsNow: 0 });
    expect(live.booths.find((b) => b.boothId === boothA)).toMatchObject({ waiting: 0, called: 0, onDuty: 1 });
    expect(updates.length).toBeGreaterThan(0);
    // Changes came through both nodes, many a second; the watcher still got at most one update a second.
    expectAtMostOnePerSecond(receivedAt);

    // The fair ends; its report stays, computed from what was recorded.
    await services.fairs.setStatus(organizer, fairId, 'ended');
    const report = await services.reports.fairReport(organizer, fairId);

    // Medians, recomputed here from the raw rows.
    const entries = await db.select().from(schema.queueEntries).where(inArray(schema.queueEntries.boothId, fairBooths));
    const rows = await db.select().from(schema.interviews).where(inArray(schema.interviews.boothId, fairBooths));
    const medianOf = (values: number[]) => {
      const v = [...values].sort((a, b) => a - b);
      if (v.length === 0) return null;
      const mid = (v.length - 1) / 2;
      return Math.round((v[Math.floor(mid)]! + v[Math.ceil(mid)]!) / 2);
    };
    const waits = (booth?: string) =>
      medianOf(entries.filter((e) => e.calledAt && (!booth || e.boothId === booth)).map((e) => (e.calledAt!.getTime() - e.joinedAt.getTime()) / 1000));
    const lengths = (booth?: string) =>
      medianOf(
        rows.filter((r) => r.startedAt && r.endedAt && (!booth || r.boothId === booth)).map((r) => (r.endedAt!.getTime() - r.startedAt!.getTime()) / 1000),
      );

    type Counts = Omit<
      Funnel,
      'visitToQueue' | 'queueToInterview' | 'conversion' | 'abandonment' | 'noShowRate' | 'medianWaitSeconds' | 'medianInterviewSeconds'
    >;
    const expected = (f: Counts, medians: { wait: number | null; length: number | null }) => ({
      ...f,
      // JS dates keep milliseconds, Postgres microseconds: the medians may differ by a rounding step.
      medianWaitSeconds: medians.wait == null ? null : expect.toSatisfy((v: number) => Math.abs(v - medians.wait!) <= 1),
      medianInterviewSeconds: medians.length == null ? null : expect.toSatisfy((v: number) => Math.abs(v - medians.length!) <= 1),
      visitToQueue: f.queued / f.visited,
      queueToInterview: f.interviewed / f.queued,
      conversion: f.interviewed / f.visited,
      abandonment: f.abandoned / f.entries,
      noShowRate: f.called ? f.noShows / f.called : 0,
    });
    expect(report.total).toEqual(
      expected(
        {
          visited: 20,
          queued: 12,
          interviewed: 7,
          withOutcome: 6,
          entries: 13,
          abandoned: 4,
          called: 9,
          noShows: 2,
          outcomes: { offer: 3, next_round: 2, not_a_fit: 1, no_show: 0 },
        },
        { wait: waits(), length: lengths() },
      ),
    );
    expect(report.total.conversion).toBe(0.35);
    expect(report.total.medianWaitSeconds).toBeGreaterThan(0);
    expect(report.total.noShowRate).toBeCloseTo(2 / 9, 10);
    const byId = new Map(report.booths.map((b) => [b.boothId, b.funnel]));
    expect(byId.get(boothA)).toEqual(
      expected(
        {
          visited: 20,
          queued: 9,
          interviewed: 5,
          withOutcome: 5,
          entries: 9,
          abandoned: 2,
          called: 7,
          noShows: 2,
          outcomes: { offer: 2, next_round: 2, not_a_fit: 1, no_show: 0 },
        },
        { wait: waits(boothA), length: lengths(boothA) },
      ),
    );
    expect(byId.get(boothB)).toEqual(
      expected(
        {
          visited: 6,
          queued: 4,
          interviewed: 2,
          withOutcome: 1,
          entries: 4,
          abandoned: 2,
          called: 2,
          noShows: 0,
          outcomes: { offer: 1, next_round: 0, not_a_fit: 0, no_show: 0 },
        },
        { wait: waits(boothB), length: lengths(boothB) },
      ),
    );
    // The third booth saw nobody.
    const others = report.booths.filter((b) => b.boothId !== boothA && b.boothId !== boothB);
    expect(others.map((b) => b.funnel.visited)).toEqual(others.map(() => 0));

    // The employer reads its own booth's report, and not another's.
    expect((await services.reports.boothReport(recruiterA, boothA)).funnel).toEqual(byId.get(boothA));
    expect((await services.reports.boothReport(recruiterB, boothB)).funnel).toEqual(byId.get(boothB));
    await expect(services.reports.boothReport(recruiterA, boothB)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(services.reports.fairReport(recruiterA, fairId)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    // A seeker may not watch the dashboard.
    expect(await send(seekers[0]!, 'dashboard:watch', { fairId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
  }, 180_000);
});
