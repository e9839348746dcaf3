import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { BoothQueue } from './queue.ts';
import { InterviewService } from './interviews.ts';
import { funnelReport } from './funnel.ts';
import { DomainEvents, type DomainEventName } from './events.ts';

describe('BoothQueue on real Postgres (no sockets)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let queue: BoothQueue;
  let interviews: InterviewService;
  const events = new DomainEvents();
  const heard: Array<[DomainEventName, string]> = [];
  let boothIds: string[];
  let liveFairId: string;
  let recruiter: SessionUser;
  let owner2: SessionUser;
  const seekers: SessionUser[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('queue');
    database = fresh.database;
    queue = new BoothQueue(database.db, { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 }, events);
    interviews = new InterviewService(database.db, events);
    events.on('queue.joined', ({ boothId }) => heard.push(['queue.joined', boothId]));
    events.on('interview.started', ({ interview }) => heard.push(['interview.started', interview.id]));
    events.on('interview.ended', ({ interview, by }) => heard.push(['interview.ended', `${interview.id}:${by}`]));
    events.on('outcome.recorded', ({ interview }) => heard.push(['outcome.recorded', interview.id]));
    const rows = await database.db
      .insert(schema.users)
      .values(Array.from({ length: 40 }, (_, i) => ({ email: `q${i}@example.com`, name: `Seeker ${i}`, role: 'seeker' as const })))
      .returning();
    seekers.push(...rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role })));
    // [the recruiter's booth, owner2's booth, a third one]
    const { fair, booths } = await fixtures(database.db).liveFair({ employers: ['Xinghe', 'GreenFields', 'Shunda'] });
    liveFairId = fair.id;
    recruiter = booths.Xinghe.owner;
    owner2 = booths.GreenFields.owner;
    boothIds = [booths.Xinghe.id, booths.GreenFields.id, booths.Shunda.id];
  });
  afterAll(() => fresh?.drop());

  /** Empties a booth's line so each test starts from a known state. */
  const clear = (boothId: string) => database.db.update(schema.queueEntries).set({ status: 'left' }).where(eq(schema.queueEntries.boothId, boothId));

  it('orders first come, first served, and joining twice returns the same entry', async () => {
    const booth = boothIds[0]!;
    const entries = [];
    for (const s of seekers.slice(0, 5)) entries.push((await queue.join(s, booth, true)).entry);
    const again = await queue.join(seekers[2]!, booth, true);
    expect(again).toEqual({ entry: entries[2], created: false, position: 3 });
    const line = await queue.line(booth);
    expect(line.map((l) => l.seekerId)).toEqual(seekers.slice(0, 5).map((s) => s.id));
    expect(line.map((l) => l.position)).toEqual([1, 2, 3, 4, 5]);
    expect((await queue.placesOf(seekers[3]!.id))[0]!.position).toBe(4);
  });

  it('counts the lines across booths by status, and the longest waiting one, for the metrics', async () => {
    // After the first test: five waiting at the first booth. Two more at the second, one called.
    await queue.join(seekers[20]!, boothIds[1]!, true);
    await queue.join(seekers[21]!, boothIds[1]!, true);
    expect(await queue.lineLengths()).toEqual({ waiting: 7, called: 0, interviewing: 0, longestWaiting: 5 });
    await queue.callNext(owner2, boothIds[1]!);
    expect(await queue.lineLengths()).toEqual({ waiting: 6, called: 1, interviewing: 0, longestWaiting: 5 });
    await clear(boothIds[1]!);
    expect(await queue.lineLengths()).toEqual({ waiting: 5, called: 0, interviewing: 0, longestWaiting: 5 });
  });

  it('refuses closed booths, non-seekers and a fourth line, changing nothing', async () => {
    const s = seekers[38]!;
    await expect(queue.join(s, boothIds[1]!, false)).rejects.toMatchObject({ code: 'QUEUE_CLOSED' });
    await expect(queue.join(recruiter, boothIds[1]!, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(queue.join(null, boothIds[1]!, true)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // Three lines are the most: a fourth booth is refused.
    const extra = await database.db
      .insert(schema.booths)
      .values({
        fairId: liveFairId,
        employerId: (await database.db.insert(schema.employers).values({ name: 'Extra', industry: 'x', location: 'y' }).returning())[0]!.id,
      })
      .returning();
    for (const b of boothIds.slice(0, 3)) await queue.join(s, b, true);
    await expect(queue.join(s, extra[0]!.id, true)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect((await queue.placesOf(s.id)).length).toBe(3);
  });

  it('a seeker who is not staff cannot call, and concurrent joins from one seeker never exceed the limit', async () => {
    await expect(queue.callNext(seekers[0]!, boothIds[0]!)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(queue.callNext(owner2, boothIds[0]!)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    const s = seekers[39]!;
    const extraBooths = await database.db
      .insert(schema.booths)
      .values(
        await Promise.all(
          [1, 2, 3, 4].map(async (i) => ({
            fairId: liveFairId,
            employerId: (
              await database.db
                .insert(schema.employers)
                .values({ name: `C${i}`, industry: 'x', location: 'y' })
                .returning()
            )[0]!.id,
          })),
        ),
      )
      .returning();
    const results = await Promise.allSettled([...boothIds, ...extraBooths.map((b) => b.id)].map((b) => queue.join(s, b, true)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await queue.placesOf(s.id)).length).toBe(3);
  });

  it('concurrent "call next" by several recruiters calls everyone exactly once, in order', async () => {
    const booth = boothIds[0]!;
    // Empty the line from earlier tests, then 30 seekers join in order.
    for (const l of await queue.line(booth)) await queue.leave({ ...seekers[0]!, id: l.seekerId }, booth);
    for (const s of seekers.slice(0, 30)) await queue.join(s, booth, true);
    const calls = await Promise.all(Array.from({ length: 36 }, () => queue.callNext(recruiter, booth)));
    const called = calls.filter((c) => c !== null);
    expect(called).toHaveLength(30);
    expect(new Set(called.map((c) => c!.seekerId)).size).toBe(30);
    const bySeq = [...called].sort((a, b) => a!.seq - b!.seq).map((c) => c!.seekerId);
    expect(bySeq).toEqual(seekers.slice(0, 30).map((s) => s.id));
  });

  it('keeps a disconnected seeker’s place through the grace period, skipping them when calling', async () => {
    const booth = boothIds[1]!;
    await clear(booth);
    const [a, b, c] = [seekers[30]!, seekers[31]!, seekers[32]!];
    for (const s of [a, b, c]) await queue.join(s, booth, true);
    const t0 = new Date();
    await queue.markDisconnected(a.id, t0);
    expect((await queue.sweep(new Date(t0.getTime() + 30_000))).expired).toHaveLength(0);
    expect((await queue.callNext(owner2, booth))?.seekerId).toBe(b.id); // a is away, b is next
    await queue.markConnected(a.id);
    expect((await queue.line(booth)).find((l) => l.seekerId === a.id)?.position).toBe(1);
    await queue.markDisconnected(a.id, t0);
    const { expired } = await queue.sweep(new Date(t0.getTime() + 61_000));
    expect(expired.map((e) => e.seekerId)).toContain(a.id);
    expect((await queue.line(booth)).some((l) => l.seekerId === a.id)).toBe(false);
  });

  it('marks a called seeker who does not accept in time as a no-show, once, even with concurrent sweeps', async () => {
    const booth = boothIds[1]!;
    await clear(booth);
    const s = seekers[35]!;
    await queue.join(s, booth, true);
    const called = await queue.callNext(owner2, booth);
    expect(called?.seekerId).toBe(s.id);
    const later = new Date(Date.now() + 61_000);
    const sweeps = await Promise.all([queue.sweep(later), queue.sweep(later), queue.sweep(later)]);
    expect(sweeps.flatMap((r) => r.noShows).filter((e) => e.id === called!.id)).toHaveLength(1);
    await expect(queue.accept(s, called!.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('accept -> interview -> end -> assess feeds the funnel once per stage', async () => {
    const booth = boothIds[1]!;
    await clear(booth);
    heard.length = 0;
    const s = seekers[36]!;
    await queue.join(s, booth, true);
    await queue.join(s, booth, true);
    const called = await queue.callNext(owner2, booth);
    const interview = await queue.accept(s, called!.id);
    await expect(queue.accept(s, called!.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await interviews.markStarted(interview.id, new Date(Date.now() - 120_000))).not.toBeNull();
    expect(await interviews.markStarted(interview.id)).toBeNull();
    await interviews.end(s, interview.id);
    await interviews.end(owner2, interview.id);
    await interviews.assess(owner2, interview.id, { notes: 'Strong SQL', rating: 4, outcome: 'next_round', share: 'on' });
    await expect(interviews.assess(s, interview.id, { outcome: 'offer' })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    const report = await funnelReport(database.db, [booth]);
    // Two no-shows at this booth: the seeker above, and the one called in the grace-period test
    // (that sweep ran a minute later too).
    expect(report).toMatchObject({ interviewed: 1, withOutcome: 1, noShows: 2, outcomes: { next_round: 1 } });
    expect(report.medianInterviewSeconds).toBeGreaterThanOrEqual(119);
    const history = await interviews.historyOf(s);
    expect(history[0]).toMatchObject({ outcome: 'next_round' });
    const seen = await interviews.view(s, interview.id);
    expect(seen.interview.notes).toBe('');
    // Each domain event once, after its commit; ending twice ends (and tells) once.
    expect(heard).toEqual([
      ['queue.joined', booth],
      ['interview.started', interview.id],
      ['interview.ended', `${interview.id}:participant`],
      ['outcome.recorded', interview.id],
    ]);
  });

  it('estimates waits from position, recruiters on duty and the booth’s pace', () => {
    expect(queue.estimateSeconds(1, 1, 600)).toBe(600);
    expect(queue.estimateSeconds(4, 2, 600)).toBe(1200);
    expect(queue.estimateSeconds(3, 0, null)).toBe(3 * 15 * 60);
  });
});
