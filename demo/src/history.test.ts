import { and, asc, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, schema, type Database, type Db } from '@fairground/db';
import { DEMO_HISTORY, INTERVIEW_STORIES, seedDemo, type DemoStory } from './index.ts';

const {
  accounts,
  booths,
  broadcastHosts,
  broadcastMessages,
  broadcastPeaks,
  broadcastQuestions,
  broadcastQuestionVotes,
  broadcastViewers,
  broadcastViewerSamples,
  broadcasts,
  countedEvents,
  employerMembers,
  employers,
  fairs,
  interviews,
  jobs,
  queueEntries,
  seekerProfiles,
  users,
} = schema;

/** 14:30 in Shanghai on 18 March 2026. */
const NOW = new Date('2026-03-18T06:30:00Z');
// Written out by hand: 17 days before 18 March is 1 March, 09:00 in Shanghai (UTC+8), for two days.
const FAIR_STARTS = new Date('2026-03-01T01:00:00Z');
const FAIR_ENDS = new Date('2026-03-02T09:00:00Z');
const BROADCAST_STARTS = new Date('2026-03-01T06:00:00Z');
const BROADCAST_ENDS = new Date('2026-03-01T07:00:00Z');

const ms = (d: Date | null | undefined) => d?.getTime() ?? null;

/** What the seed's plan says each booth's line should add up to, counted here from the plan itself. */
function expectedFromPlan(plan: { visitedOnly: number; lines: readonly (readonly DemoStory[])[] }) {
  const all = plan.lines.flat();
  const count = (...stories: DemoStory[]) => all.filter((s) => stories.includes(s)).length;
  return {
    visited: plan.visitedOnly + plan.lines.length,
    queued: plan.lines.length,
    interviewed: plan.lines.filter((l) => l.some((s) => INTERVIEW_STORIES.includes(s))).length,
    entries: all.length,
    statuses: { done: count(...INTERVIEW_STORIES), left: count('left', 'expired', 'declined'), no_show: count('missed') },
    outcomes: { offer: count('offer'), next_round: count('next_round'), not_a_fit: count('not_a_fit'), no_show: count('no_show') },
  };
}

async function pastFair(db: Db) {
  const [fair] = await db.select().from(fairs).where(eq(fairs.status, 'ended'));
  const boothRows = await db
    .select({ id: booths.id, status: booths.status, employerId: booths.employerId, name: employers.name })
    .from(booths)
    .innerJoin(employers, eq(employers.id, booths.employerId))
    .where(eq(booths.fairId, fair!.id))
    .orderBy(asc(employers.name));
  const [broadcast] = await db.select().from(broadcasts).where(eq(broadcasts.fairId, fair!.id));
  return { fair: fair!, booths: boothRows, broadcast: broadcast! };
}

/**
 * Everything the history holds, with times relative to the fair's start and no generated ids
 * (users by email), to compare two databases seeded at different times.
 */
async function fingerprint(db: Db) {
  const { fair, booths: boothRows, broadcast } = await pastFair(db);
  const t0 = fair.startsAt.getTime();
  const rel = (d: Date | null) => (d ? d.getTime() - t0 : null);
  const userRows = await db.select().from(users);
  const email = new Map(userRows.map((u) => [u.id, u.email]));
  const who = (id: string) => email.get(id) ?? id;
  const booth = new Map(boothRows.map((b) => [b.id, b.name]));
  const entryRows = await db
    .select()
    .from(queueEntries)
    .where(inArray(queueEntries.boothId, [...booth.keys()]))
    .orderBy(asc(queueEntries.seq));
  const entryIndex = new Map(entryRows.map((e, i) => [e.id, i]));
  const interviewRows = await db
    .select()
    .from(interviews)
    .where(inArray(interviews.boothId, [...booth.keys()]));
  const interviewOf = new Map(interviewRows.map((iv) => [iv.id, entryIndex.get(iv.entryId)]));
  const eventRows = await db
    .select()
    .from(countedEvents)
    .where(inArray(countedEvents.roomId, [...booth.keys()]));
  const viewerRows = await db.select().from(broadcastViewers).where(eq(broadcastViewers.broadcastId, broadcast.id));
  const samples = await db
    .select()
    .from(broadcastViewerSamples)
    .where(eq(broadcastViewerSamples.broadcastId, broadcast.id))
    .orderBy(asc(broadcastViewerSamples.at));
  const questions = await db.select().from(broadcastQuestions).where(eq(broadcastQuestions.broadcastId, broadcast.id)).orderBy(asc(broadcastQuestions.body));
  const messages = await db.select().from(broadcastMessages).where(eq(broadcastMessages.broadcastId, broadcast.id)).orderBy(asc(broadcastMessages.seq));
  const profiles = await db
    .select({ email: users.email, name: users.name, profile: seekerProfiles })
    .from(seekerProfiles)
    .innerJoin(users, eq(users.id, seekerProfiles.userId))
    .where(like(users.email, '%@demo.fairground.test'))
    .orderBy(asc(users.email));
  return {
    fair: { title: fair.title, startsAt: fair.startsAt.toISOString().slice(11), endsAt: rel(fair.endsAt), booths: boothRows.map((b) => [b.name, b.status]) },
    seekers: profiles.map(({ email, name, profile: { userId: _, updatedAt, ...p } }) => ({ email, name, ...p, updatedAt: rel(updatedAt) })),
    entries: entryRows.map((e) => [
      booth.get(e.boothId),
      who(e.seekerId),
      e.status,
      rel(e.joinedAt),
      rel(e.calledAt),
      rel(e.acceptBy),
      rel(e.disconnectedAt),
      rel(e.endedAt),
    ]),
    interviews: interviewRows
      .map((iv) => [
        interviewOf.get(iv.id),
        rel(iv.createdAt),
        rel(iv.startedAt),
        rel(iv.endedAt),
        iv.plannedMinutes,
        iv.notes,
        iv.rating,
        iv.outcome,
        iv.outcomeShared,
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0])),
    events: eventRows
      .map((e) => {
        const [kind, ref] = e.id.split(':');
        const target = kind === 'booth_visit' ? booth.get(ref!) : (entryIndex.get(ref!) ?? interviewOf.get(ref!));
        return [kind, target, who(e.actor), rel(e.occurredAt), JSON.stringify(e.data)].join(' ');
      })
      .sort(),
    viewers: viewerRows
      .map((v) => [v.identity.startsWith('user:') ? who(v.identity.slice(5)) : v.identity, rel(v.firstSeenAt), v.views, v.watchedMs, rel(v.leftAt)].join(' '))
      .sort(),
    samples: samples.map((s) => [rel(s.at), s.live]),
    questions: questions.map((q) => [q.body, who(q.authorId), rel(q.askedAt), q.votes, rel(q.pinnedAt), rel(q.answeredAt)]),
    messages: messages.map((m) => [m.body, who(m.authorId), rel(m.sentAt)]),
  };
}

describe('demo history (demo/src/history.ts) on PGlite', () => {
  let database: Database;
  let db: Db;
  beforeAll(async () => {
    database = await connect({ dataDir: 'memory://' });
    db = database.db;
    expect(await seedDemo(db, { now: NOW })).toEqual({ seeded: true });
  });
  afterAll(() => database?.close());

  it('keeps the live demo as it was and adds one ended fair of the same employers, with an ended broadcast', async () => {
    const all = await db.select().from(fairs).orderBy(asc(fairs.startsAt));
    expect(all.map((f) => [f.status, f.title])).toEqual([
      ['ended', '民营企业招聘月 · 线上专场 Private Enterprise Recruitment Month Online Fair'],
      ['live', '春风行动 · 高校毕业生云聘会 Spring Breeze Graduates Cloud Fair'],
    ]);
    const [past, live] = all as [(typeof all)[0], (typeof all)[0]];
    expect([ms(live.startsAt), ms(live.endsAt)]).toEqual([NOW.getTime() - 2 * 3600_000, NOW.getTime() + 30 * 24 * 3600_000]);
    expect([past.startsAt, past.endsAt, past.timeZone, past.theme]).toEqual([FAIR_STARTS, FAIR_ENDS, 'Asia/Shanghai', 'custom']);
    expect(past.customTheme).toMatch(/民营企业招聘月/);

    const boothRows = await db
      .select({ fairId: booths.fairId, status: booths.status, employer: employers.name })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId));
    const namesAt = (fairId: string) =>
      boothRows
        .filter((b) => b.fairId === fairId)
        .map((b) => `${b.employer} ${b.status}`)
        .sort();
    expect(namesAt(live.id)).toHaveLength(3);
    expect(namesAt(past.id)).toEqual(namesAt(live.id));
    expect(await db.select().from(employers)).toHaveLength(3);
    expect(await db.select().from(jobs)).toHaveLength(6);

    const all2 = await db.select().from(broadcasts).orderBy(asc(broadcasts.startsAt));
    expect(all2.map((b) => [b.title, b.fairId, b.status, b.topic])).toEqual([
      [DEMO_HISTORY.broadcast.title, past.id, 'published', 'policy_qa'],
      ['面试技巧云直播 Interview Skills Live', live.id, 'published', 'interview_training'],
    ]);
    const [pastBroadcast, upcoming] = all2 as [(typeof all2)[0], (typeof all2)[0]];
    expect([pastBroadcast.startsAt, pastBroadcast.endsAt, pastBroadcast.announcedAt]).toEqual([BROADCAST_STARTS, BROADCAST_ENDS, BROADCAST_STARTS]);
    expect([ms(upcoming.startsAt), upcoming.announcedAt]).toEqual([NOW.getTime() + 24 * 3600_000, null]);
    const hosts = await db
      .select({ broadcastId: broadcastHosts.broadcastId, email: users.email })
      .from(broadcastHosts)
      .innerJoin(users, eq(users.id, broadcastHosts.userId));
    expect(hosts.filter((h) => h.broadcastId === pastBroadcast.id).map((h) => h.email)).toEqual(['organizer@example.com']);
  });

  it('adds 40 seekers with varied profiles and no passwords', async () => {
    const seekers = await db.select().from(users).where(like(users.email, '%@demo.fairground.test')).orderBy(asc(users.email));
    expect(seekers.map((u) => u.email)).toEqual(Array.from({ length: 40 }, (_, i) => `seeker${String(i + 1).padStart(2, '0')}@demo.fairground.test`));
    expect(seekers.every((u) => u.role === 'seeker' && /\p{Script=Han}+ [A-Z][a-z]+ [A-Z][a-z]+/u.test(u.name))).toBe(true);
    expect(new Set(seekers.map((u) => u.name)).size).toBe(40);
    expect(seekers.every((u) => u.createdAt < FAIR_STARTS)).toBe(true);
    expect(
      await db
        .select()
        .from(accounts)
        .where(
          inArray(
            accounts.userId,
            seekers.map((u) => u.id),
          ),
        ),
    ).toEqual([]);

    const profiles = await db
      .select()
      .from(seekerProfiles)
      .where(
        inArray(
          seekerProfiles.userId,
          seekers.map((u) => u.id),
        ),
      );
    expect(profiles).toHaveLength(40);
    for (const p of profiles) {
      expect(p.salaryMin! <= p.salaryMax!, `${p.salaryMin}-${p.salaryMax}`).toBe(true);
      expect(p.skills.length && p.locations.length && p.jobTypes.length && p.headline.length).toBeTruthy();
    }
    expect(new Set(profiles.flatMap((p) => p.skills)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(profiles.map((p) => p.locations[0])).size).toBeGreaterThanOrEqual(3);
    expect(new Set(profiles.flatMap((p) => p.jobTypes))).toEqual(new Set(['full_time', 'part_time', 'gig', 'internship']));
  });

  it('writes the lines, interviews and counted events as the product does, and they agree', async () => {
    const { booths: boothRows } = await pastFair(db);
    const boothIds = boothRows.map((b) => b.id);
    const seekerIds = new Set((await db.select().from(users).where(like(users.email, '%@demo.fairground.test'))).map((u) => u.id));
    const owners = await db.select().from(employerMembers).where(eq(employerMembers.role, 'owner'));
    const ownerOf = (boothId: string) => owners.find((o) => o.employerId === boothRows.find((b) => b.id === boothId)!.employerId)!.userId;
    const entries = await db.select().from(queueEntries).where(inArray(queueEntries.boothId, boothIds)).orderBy(asc(queueEntries.seq));
    const ivs = await db.select().from(interviews).where(inArray(interviews.boothId, boothIds));
    const events = await db.select().from(countedEvents).where(inArray(countedEvents.roomId, boothIds));
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.size).toBe(events.length);

    // Every event: a seeker's, during the fair, with the id core/src/queue.ts, interviews.ts and
    // signaling's booth:join derive, naming a row of the same booth and seeker.
    for (const e of events) {
      expect(seekerIds.has(e.actor), e.id).toBe(true);
      expect(e.occurredAt >= FAIR_STARTS && e.occurredAt <= FAIR_ENDS, e.id).toBe(true);
      const [kind, ref] = e.id.split(':') as [string, string];
      expect(kind).toBe(e.kind);
      if (kind === 'booth_visit') {
        expect(e.id).toBe(`booth_visit:${e.roomId}:${e.actor}`);
        continue;
      }
      const owner = ['interview_started', 'interview_ended', 'outcome'].includes(kind) ? ivs.find((iv) => iv.id === ref) : entries.find((en) => en.id === ref);
      expect(owner, e.id).toMatchObject({ boothId: e.roomId, seekerId: e.actor });
    }
    // Joining a line starts with a visit to its booth.
    for (const en of entries) {
      const visit = byId.get(`booth_visit:${en.boothId}:${en.seekerId}`);
      expect(visit && visit.occurredAt <= en.joinedAt, en.id).toBe(true);
    }

    const at = (id: string) => ms(byId.get(id)?.occurredAt);
    for (const en of entries) {
      expect(at(`queue_joined:${en.id}`)).toBe(ms(en.joinedAt));
      expect(at(`called:${en.id}`)).toBe(ms(en.calledAt));
      expect(en.endedAt! > en.joinedAt && en.endedAt! <= FAIR_ENDS).toBe(true);
      if (en.calledAt) {
        expect(en.calledAt >= en.joinedAt).toBe(true);
        expect(en.calledBy).toBe(ownerOf(en.boothId));
        expect(ms(en.acceptBy)).toBe(en.calledAt.getTime() + 60_000);
      }
      const iv = ivs.find((i) => i.entryId === en.id);
      if (en.status === 'done') {
        // Called, accepted, both sides in the room, ended: done.
        expect(iv).toBeDefined();
        expect(en.calledAt! <= iv!.createdAt && iv!.createdAt <= iv!.startedAt! && iv!.startedAt! < iv!.endedAt!).toBe(true);
        expect(ms(en.endedAt)).toBe(ms(iv!.endedAt));
        expect(at(`queue_left:${en.id}`) ?? at(`no_show:${en.id}`)).toBeNull();
      } else if (en.status === 'no_show') {
        // Called and not accepted within the 60 s: the sweep made it a no-show.
        expect(iv).toBeUndefined();
        expect(at(`no_show:${en.id}`)).toBe(ms(en.endedAt));
        expect(en.endedAt!.getTime() - en.calledAt!.getTime()).toBeGreaterThanOrEqual(60_000);
      } else {
        expect(en.status).toBe('left');
        expect(iv).toBeUndefined();
        expect(at(`queue_left:${en.id}`)).toBe(ms(en.endedAt));
        // Gone past the grace period after a disconnect: 60 s after it.
        if (en.disconnectedAt) expect(en.endedAt!.getTime() - en.disconnectedAt.getTime()).toBeGreaterThanOrEqual(60_000);
      }
    }
    for (const iv of ivs) {
      expect(iv.recruiterId).toBe(ownerOf(iv.boothId));
      expect(at(`interview_started:${iv.id}`)).toBe(ms(iv.startedAt));
      expect(at(`interview_ended:${iv.id}`)).toBe(ms(iv.endedAt));
      expect(byId.get(`interview_ended:${iv.id}`)!.data).toEqual({ durationSeconds: Math.round((iv.endedAt!.getTime() - iv.startedAt!.getTime()) / 1000) });
      const outcome = byId.get(`outcome:${iv.id}`);
      expect(outcome?.data ?? null).toEqual(iv.outcome ? { outcome: iv.outcome } : null);
      if (outcome) expect(outcome.occurredAt >= iv.endedAt!).toBe(true);
      expect(iv.notes).not.toBe('');
      expect(iv.plannedMinutes).toBeGreaterThanOrEqual((iv.endedAt!.getTime() - iv.startedAt!.getTime()) / 60_000);
    }
    // One recruiter per booth: their calls and interviews never overlap.
    for (const id of boothIds) {
      const busy = entries
        .filter((en) => en.boothId === id && en.calledAt)
        .map((en) => [en.calledAt!.getTime(), en.endedAt!.getTime()] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < busy.length; i++) expect(busy[i]![0]).toBeGreaterThanOrEqual(busy[i - 1]![1]);
    }
  });

  it('adds up, per booth, to the funnel the seed plans', async () => {
    const { booths: boothRows } = await pastFair(db);
    const rows = await Promise.all(
      boothRows.map(async (b) => {
        const events = await db.select().from(countedEvents).where(eq(countedEvents.roomId, b.id));
        const entries = await db.select().from(queueEntries).where(eq(queueEntries.boothId, b.id));
        const ivs = await db.select().from(interviews).where(eq(interviews.boothId, b.id));
        const seekers = (kind: string) => new Set(events.filter((e) => e.kind === kind).map((e) => e.actor)).size;
        const statuses = { done: 0, left: 0, no_show: 0 } as Record<string, number>;
        for (const en of entries) statuses[en.status] = (statuses[en.status] ?? 0) + 1;
        const outcomes = { offer: 0, next_round: 0, not_a_fit: 0, no_show: 0 } as Record<string, number>;
        for (const iv of ivs) if (iv.outcome) outcomes[iv.outcome]! += 1;
        return [
          b.name,
          {
            visited: seekers('booth_visit'),
            queued: seekers('queue_joined'),
            interviewed: seekers('interview_started'),
            entries: entries.length,
            statuses,
            outcomes,
          },
        ] as const;
      }),
    );
    const plan = (word: string) => expectedFromPlan(DEMO_HISTORY.booths.find((p) => p.employer === word)!);
    expect(Object.fromEntries(rows)).toEqual({
      '星河科技 Xinghe Tech': plan('Xinghe'),
      '绿野农业合作社 Green Fields Co-op': plan('Green Fields'),
      '顺达物流 Shunda Logistics': plan('Shunda'),
    });
    // The shape in numbers (visited -> queued -> interviewed, offers).
    expect(rows.map(([name, r]) => [name.split(' ')[0], r.visited, r.queued, r.interviewed, r.outcomes.offer])).toEqual([
      ['星河科技', 31, 14, 9, 2],
      ['绿野农业合作社', 22, 11, 7, 3],
      ['顺达物流', 34, 18, 12, 5],
    ]);
  });

  it('records an audience whose viewers, peak and samples agree', async () => {
    const { broadcast } = await pastFair(db);
    const viewers = await db.select().from(broadcastViewers).where(eq(broadcastViewers.broadcastId, broadcast.id));
    const samples = await db
      .select()
      .from(broadcastViewerSamples)
      .where(eq(broadcastViewerSamples.broadcastId, broadcast.id))
      .orderBy(asc(broadcastViewerSamples.at));
    const [peak] = await db.select().from(broadcastPeaks).where(eq(broadcastPeaks.broadcastId, broadcast.id));
    const seekerIds = new Set((await db.select().from(users).where(like(users.email, '%@demo.fairground.test'))).map((u) => u.id));

    expect(viewers).toHaveLength(DEMO_HISTORY.broadcast.seekerViewers + DEMO_HISTORY.broadcast.deviceViewers);
    expect(viewers.filter((v) => v.identity.startsWith('user:') && seekerIds.has(v.identity.slice(5)))).toHaveLength(DEMO_HISTORY.broadcast.seekerViewers);
    expect(viewers.filter((v) => /^device:[0-9a-f]{32}$/.test(v.identity))).toHaveLength(DEMO_HISTORY.broadcast.deviceViewers);
    for (const v of viewers) {
      // Nobody is still watching; every view lies within the hour.
      expect(v.watchingSince).toBeNull();
      expect(v.firstSeenAt >= BROADCAST_STARTS && v.leftAt! <= BROADCAST_ENDS && v.firstSeenAt < v.leftAt!).toBe(true);
      expect(v.views).toBeGreaterThanOrEqual(1);
      expect(v.watchedMs).toBeGreaterThan(0);
      expect(v.watchedMs).toBeLessThanOrEqual(v.leftAt!.getTime() - v.firstSeenAt.getTime());
    }
    const views = viewers.reduce((n, v) => n + v.views, 0);
    expect(views).toBeGreaterThan(viewers.length); // some came back after more than 30 s

    // The series: every 5 s on the 5 s grid, within the hour, back to 0 at the end.
    const times = samples.map((s) => s.at.getTime());
    expect(times.every((t, i) => t % 5000 === 0 && (i === 0 || t - times[i - 1]! === 5000))).toBe(true);
    expect(samples[0]!.at >= BROADCAST_STARTS && samples.at(-1)!.at <= BROADCAST_ENDS).toBe(true);
    expect(samples.at(-1)!.live).toBe(0);
    // Joins and leaves fall on the grid, so the area under the series is the total watch time...
    expect(samples.reduce((sum, s) => sum + s.live * 5000, 0)).toBe(viewers.reduce((sum, v) => sum + v.watchedMs, 0));
    // ...and the peak is the highest sample, first reached mid-broadcast.
    const highest = Math.max(...samples.map((s) => s.live));
    expect(peak).toMatchObject({ peak: highest, peakAt: samples.find((s) => s.live === highest)!.at });
    expect(highest).toBeLessThan(viewers.length);
    const minute = (peak!.peakAt.getTime() - BROADCAST_STARTS.getTime()) / 60_000;
    expect(minute > 15 && minute < 45, `peak at minute ${minute}`).toBe(true);
    expect(samples[0]!.live).toBeLessThan(highest / 4);
    expect(samples.at(-2)!.live).toBeLessThan(highest);
  });

  it('has chat and questions from people watching, each vote counted once', async () => {
    const { broadcast } = await pastFair(db);
    const questions = await db.select().from(broadcastQuestions).where(eq(broadcastQuestions.broadcastId, broadcast.id));
    expect(questions).toHaveLength(6);
    expect(questions.filter((q) => q.pinnedAt)).toHaveLength(1);
    for (const q of questions) {
      const votes = await db.select().from(broadcastQuestionVotes).where(eq(broadcastQuestionVotes.questionId, q.id));
      expect(q.votes).toBe(votes.length);
      expect(votes.some((v) => v.userId === q.authorId)).toBe(false);
      expect(q.askedAt >= BROADCAST_STARTS && q.askedAt <= BROADCAST_ENDS).toBe(true);
      if (q.answeredAt) expect(q.answeredAt >= q.askedAt && q.answeredAt <= BROADCAST_ENDS).toBe(true);
    }
    const watching = new Set((await db.select().from(broadcastViewers).where(eq(broadcastViewers.broadcastId, broadcast.id))).map((v) => v.identity));
    const [organizer] = await db.select().from(users).where(eq(users.email, 'organizer@example.com'));
    const messages = await db.select().from(broadcastMessages).where(eq(broadcastMessages.broadcastId, broadcast.id)).orderBy(asc(broadcastMessages.seq));
    expect(messages.length).toBeGreaterThan(10);
    expect(messages.every((m) => m.authorId === organizer!.id || watching.has(`user:${m.authorId}`))).toBe(true);
    expect(messages.every((m, i) => i === 0 || m.sentAt >= messages[i - 1]!.sentAt)).toBe(true);
    expect(messages.every((m) => m.sentAt >= BROADCAST_STARTS && m.sentAt <= BROADCAST_ENDS && m.deletedAt === null)).toBe(true);
  });

  it('is the same history on every run: seeded five days later, everything is shifted by five days', async () => {
    const later = await connect({ dataDir: 'memory://' });
    try {
      await seedDemo(later.db, { now: new Date(NOW.getTime() + 5 * 24 * 3600_000) });
      const [fair] = await later.db.select().from(fairs).where(eq(fairs.status, 'ended'));
      expect(fair!.startsAt).toEqual(new Date(FAIR_STARTS.getTime() + 5 * 24 * 3600_000));
      expect(await fingerprint(later.db)).toEqual(await fingerprint(db));
    } finally {
      await later.close();
    }
    // Opens and migrates a second PGlite database: tens of seconds on a busy machine.
  }, 120_000);

  it('is seeded once', async () => {
    const count = async () => (await db.select().from(countedEvents)).length + (await db.select().from(users)).length;
    const before = await count();
    expect(await seedDemo(db, { now: NOW })).toEqual({ seeded: false });
    expect(await count()).toBe(before);
    expect(
      await db
        .select()
        .from(fairs)
        .where(and(eq(fairs.status, 'ended'))),
    ).toHaveLength(1);
  });
});
