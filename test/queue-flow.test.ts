import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funnelReport } from '@fairground/core';
import { hashPassword, schema } from '@fairground/db';
import type { InterviewState, QueueLine, QueuePlace } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, freshDatabase, send, sessionCookie, signUpVerified, startPlatform, type TestClient } from './helpers.ts';

/**
 * 50 seekers and 3 recruiters over Socket.IO, on two signaling nodes sharing real Postgres and
 * Redis. Some seekers drop and come back within the grace period, some drop for good, some leave.
 * Every seeker still present is called exactly once, in join order, and the funnel matches.
 */
describe('booth queue: 50 seekers, 3 recruiters, two nodes', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let nodes: Array<Awaited<ReturnType<typeof startPlatform>>>;
  let boothId: string;
  let otherBoothId: string;
  const recruiterCookies: string[] = [];
  const seekerCookies: string[] = [];
  const clients: TestClient[] = [];
  const connect = async (node: number, cookie: string) => {
    const c = await connectTestClient(nodes[node]!.url, { cookie });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    fresh = await freshDatabase('queueflow');
    const env = { DATABASE_URL: fresh.url, QUEUE_GRACE_SECONDS: '2', QUEUE_ACCEPT_SECONDS: '30', AUTH_SECRET: 'q'.repeat(32) };
    nodes = [await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env })];
    const db = nodes[0]!.db;
    const auth = nodes[0]!.platform.auth;
    const services = nodes[0]!.platform.services;

    // Three recruiters of Xinghe Tech: the owner and two invited recruiters.
    const { booths } = await fixtures(db).liveFair({ employers: ['Xinghe', 'GreenFields'] });
    const ownerActor = booths.Xinghe.owner;
    const employerId = booths.Xinghe.employerId;
    boothId = booths.Xinghe.id;
    otherBoothId = booths.GreenFields.id;
    recruiterCookies.push(await sessionCookie(auth, ownerActor.email));
    for (const i of [1, 2]) {
      const email = `recruiter${i}@example.com`;
      const created = await signUpVerified(
        nodes[0]!.platform,
        nodes[0]!.mailDir,
        { name: `Recruiter ${i}`, email, password: 'recruiter-pass', role: 'employer' },
        `10.1.0.${i}`,
      );
      const invite = await services.employers.invite(ownerActor, employerId, { email });
      await services.employers.acceptInvitation(created.user, invite.id);
      recruiterCookies.push(created.cookie);
    }
    // 50 seekers share one argon2 hash (hashed once), then sign in ten at a time. A 51st never
    // joins a line before the rate-limit test, so its join bucket is full whatever the timing.
    const hash = await hashPassword('seeker-pass');
    const seekerRows = await db
      .insert(schema.users)
      .values(
        Array.from({ length: 51 }, (_, i) => ({ name: `Seeker ${i}`, email: `flow-seeker-${i}@example.com`, emailVerified: true, role: 'seeker' as const })),
      )
      .returning();
    await db.insert(schema.accounts).values(seekerRows.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: hash })));
    for (let batch = 0; batch < seekerRows.length; batch += 10) {
      const cookies = await Promise.all(
        seekerRows.slice(batch, batch + 10).map(async (u, j) => {
          const r = await auth.signIn({ email: u.email, password: 'seeker-pass' }, `10.2.${batch + j}.1`);
          if (!r.ok) throw new Error(r.reason);
          return r.setCookies.map((c) => c.split(';')[0]).join('; ');
        }),
      );
      seekerCookies.push(...cookies);
    }
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes ?? []) await n.platform.close();
    await fresh?.drop();
  });

  it('calls every present seeker exactly once, in join order; the funnel counts each stage once', async () => {
    // Recruiters go on duty (two on node 0, one on node 1).
    const recruiters = await Promise.all(recruiterCookies.map((c, i) => connect(i === 2 ? 1 : 0, c)));
    for (const r of recruiters) {
      expect(await send(r, 'booth:join', { boothId })).toMatchObject({ ok: true, data: { isStaff: true } });
      expect(await send(r, 'queue:duty', { boothId, onDuty: true })).toMatchObject({ ok: true });
    }

    // 50 seekers, alternating nodes, visit and join in a known order (twice each: no double count).
    const seekers: TestClient[] = [];
    const entryOf: string[] = [];
    for (let i = 0; i < 50; i++) {
      const s = await connect(i % 2, seekerCookies[i]!);
      seekers.push(s);
      await send(s, 'booth:join', { boothId });
      await send(s, 'booth:join', { boothId });
      const joined = await send<QueuePlace>(s, 'queue:join', { boothId });
      if (!joined.ok) throw new Error(JSON.stringify(joined.error));
      expect(joined.data.position).toBe(i + 1);
      const again = await send<QueuePlace>(s, 'queue:join', { boothId });
      expect(again).toMatchObject({ ok: true, data: { entryId: joined.data.entryId, position: i + 1 } });
      entryOf.push(joined.data.entryId);
    }

    // Seekers 10-19 drop and come back (on the other node) within the grace period.
    for (let i = 10; i < 20; i++) seekers[i]!.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 10; i < 20; i++) seekers[i] = await connect((i + 1) % 2, seekerCookies[i]!);
    // Seekers 40-44 drop for good; 45-49 leave the line.
    for (let i = 40; i < 45; i++) seekers[i]!.disconnect();
    for (let i = 45; i < 50; i++) expect(await send(seekers[i]!, 'queue:leave', { boothId })).toMatchObject({ ok: true });
    // Past the grace period, the sweep removes those who did not return.
    await new Promise((r) => setTimeout(r, 3500));

    const present = Array.from({ length: 40 }, (_, i) => i);
    // Called seekers accept at once; both sides enter the interview room; the recruiter ends it.
    const accepted = new Set<string>();
    seekers.forEach((s, i) =>
      s.on('queue:place', (place) => {
        if (place.status !== 'called' || accepted.has(place.entryId)) return;
        accepted.add(place.entryId);
        void (async () => {
          const acc = await send<{ interviewId: string }>(s, 'queue:accept', { entryId: place.entryId });
          if (!acc.ok) throw new Error(`seeker ${i} could not accept: ${acc.error.code}`);
          await send(s, 'interview:join', { interviewId: acc.data.interviewId });
        })();
      }),
    );
    const interviewsByRecruiter = new Map<TestClient, string[]>();
    recruiters.forEach((r) => {
      // An interview starts when both sides are in the room; the recruiter ends it only after that
      // (ending first would rightly leave it unstarted, and uncounted).
      const started = new Set<string>();
      const waiting = new Map<string, () => void>();
      r.on('interview:state', (state) => {
        if (!state.startedAt) return;
        started.add(state.interviewId);
        waiting.get(state.interviewId)?.();
      });
      r.on('interview:ready', ({ interviewId }) => {
        interviewsByRecruiter.set(r, [...(interviewsByRecruiter.get(r) ?? []), interviewId]);
        void (async () => {
          const joined = await send<InterviewState>(r, 'interview:join', { interviewId });
          if (!(joined.ok && joined.data.startedAt) && !started.has(interviewId)) {
            await new Promise<void>((resolve) => waiting.set(interviewId, resolve));
          }
          await send(r, 'interview:end', { interviewId });
        })();
      });
    });

    // Rounds of three concurrent "call next": each round takes the next three in join order.
    const calledOrder: string[] = [];
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(recruiters.map((r) => send<{ entryId: string } | null>(r, 'queue:call-next', { boothId })));
      const called = results.map((r) => (r.ok ? r.data?.entryId : undefined)).filter((e): e is string => Boolean(e));
      if (called.length === 0) break;
      const expected = present.slice(calledOrder.length, calledOrder.length + called.length).map((i) => entryOf[i]);
      expect(new Set(called)).toEqual(new Set(expected));
      calledOrder.push(...expected.map(String));
    }
    expect(calledOrder).toEqual(present.map((i) => entryOf[i]));
    expect(new Set(calledOrder).size).toBe(40);

    // Every interview started (both sides in the room) and ended.
    await expect.poll(async () => (await funnelReport(nodes[0]!.db, [boothId])).interviewed, { timeout: 15_000 }).toBe(40);
    await expect
      .poll(
        async () => {
          const rows = await nodes[0]!.db.select().from(schema.interviews).where(eq(schema.interviews.boothId, boothId));
          return rows.filter((r) => r.endedAt).length;
        },
        { timeout: 15_000 },
      )
      .toBe(40);
    const report = await funnelReport(nodes[0]!.db, [boothId]);
    expect(report).toMatchObject({ visited: 50, queued: 50, interviewed: 40, noShows: 0 });
    expect(report.abandonment).toBeCloseTo(10 / 50, 5);
    const dbEntries = await nodes[0]!.db.select().from(schema.queueEntries).where(eq(schema.queueEntries.boothId, boothId));
    expect(dbEntries.filter((e) => e.status === 'done')).toHaveLength(40);
    expect(dbEntries.filter((e) => e.status === 'left')).toHaveLength(10);

    // The recruiters' booth numbers count today's interviews (the fair's day; all of them here).
    let latest: QueueLine | undefined;
    recruiters[0]!.on('queue:line', (line) => (latest = line));
    await expect
      .poll(
        async () => {
          await send(recruiters[0]!, 'queue:duty', { boothId, onDuty: true }); // asks for a fresh push
          return latest?.stats.interviewsToday;
        },
        { timeout: 15_000 },
      )
      .toBe(40);
    expect(latest!.stats).toMatchObject({ interviewed: 40, visited: 50, waiting: 0 });
    // Generous: about 10 s on a quiet machine, much longer when the two cores are shared.
  }, 180_000);

  it('refuses bad queue requests with codes and changes nothing', async () => {
    const seeker = await connect(0, seekerCookies[0]!);
    const before = await nodes[0]!.db.select().from(schema.queueEntries);
    expect(await send(seeker, 'queue:call-next', { boothId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    expect(await send(seeker, 'queue:join', { boothId: 'nope' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const anonymous = await connectTestClient(nodes[0]!.url, { deviceId: 'anon-queue-device' });
    clients.push(anonymous);
    expect(await send(anonymous, 'queue:join', { boothId })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // Nobody on duty any more at another booth: its line is closed.
    expect(await send(seeker, 'queue:join', { boothId: otherBoothId })).toMatchObject({ ok: false, error: { code: 'QUEUE_CLOSED' } });
    expect(await nodes[0]!.db.select().from(schema.queueEntries)).toEqual(before);
  });

  it('rate-limits joins per user: a burst of 5, then one a second; refusals change nothing', async () => {
    // Not seeker 46, who left the line in the first test: its second join there took a burst token
    // whose 5 s window may not have closed yet on a fast machine.
    const seeker = await connect(0, seekerCookies[50]!);
    const [user] = await nodes[0]!.db.select().from(schema.users).where(eq(schema.users.email, 'flow-seeker-50@example.com'));
    const waitingOf = async () =>
      (await nodes[0]!.db.select().from(schema.queueEntries).where(eq(schema.queueEntries.seekerId, user!.id))).filter((e) => e.status === 'waiting');
    const results = await Promise.all(Array.from({ length: 10 }, () => send<QueuePlace>(seeker, 'queue:join', { boothId })));
    const ok = results.filter((r) => r.ok);
    const limited = results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED');
    expect(ok.length + limited.length).toBe(10);
    // 5 at once, plus at most a refill or two if the machine is slow.
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ok.map((r) => r.ok && r.data.entryId)).size).toBe(1);
    expect(await waitingOf()).toHaveLength(1);
    // A second later the bucket has a token again: the same entry, still one.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await send<QueuePlace>(seeker, 'queue:join', { boothId })).toMatchObject({ ok: true, data: { entryId: ok[0]!.ok ? ok[0]!.data.entryId : '' } });
    expect(await waitingOf()).toHaveLength(1);
    expect(await send(seeker, 'queue:leave', { boothId })).toMatchObject({ ok: true });
  });
});
