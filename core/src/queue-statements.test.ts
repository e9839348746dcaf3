import { and, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { BoothQueue } from './queue.ts';
import { DomainEvents } from './events.ts';

/**
 * Join, leave and call-next are each one SQL statement (db/src/queries/queue.ts). These check that
 * the rules still hold when many of them run at once on real Postgres (pooled connections, real
 * concurrency), and that the same statements run on PGlite.
 */
describe('queue statements under concurrency (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let queue: BoothQueue;
  let fairId: string;
  let booths: Array<{ id: string; employerId: string }>;
  let owner: SessionUser;
  let colleague: SessionUser;
  const seekers: SessionUser[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('qstmt');
    database = fresh.database;
    queue = new BoothQueue(database.db, { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 }, new DomainEvents());
    const f = fixtures(database.db);
    const { fair, booths: made } = await f.liveFair({ employers: ['Main'] });
    fairId = fair.id;
    owner = made.Main.owner;
    // A second recruiter on the same team.
    colleague = await f.account('employer', 'colleague');
    await database.db.insert(schema.employerMembers).values({ userId: colleague.id, employerId: made.Main.employerId, role: 'recruiter' });
    // 49 more approved booths in the live fair, each of its own employer.
    const employers = await database.db
      .insert(schema.employers)
      .values(Array.from({ length: 49 }, (_, i) => ({ name: `Stmt ${i}`, industry: 'x', location: 'y' })))
      .returning();
    const more = await database.db
      .insert(schema.booths)
      .values(employers.map((e) => ({ fairId, employerId: e.id, status: 'approved' as const })))
      .returning();
    booths = [{ id: made.Main.id, employerId: made.Main.employerId }, ...more.map((b) => ({ id: b.id, employerId: b.employerId }))];
    const rows = await database.db
      .insert(schema.users)
      .values(Array.from({ length: 60 }, (_, i) => ({ email: `stmt${i}@example.com`, name: `Stmt seeker ${i}`, role: 'seeker' as const })))
      .returning();
    seekers.push(...rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role })));
  });
  afterAll(() => fresh?.drop());

  const liveOf = (seekerId: string) =>
    database.db
      .select()
      .from(schema.queueEntries)
      .where(and(eq(schema.queueEntries.seekerId, seekerId), inArray(schema.queueEntries.status, ['waiting', 'called', 'interviewing'])));
  const countedFor = (kind: string, entryIds: string[]) =>
    entryIds.length === 0
      ? Promise.resolve([])
      : database.db
          .select()
          .from(schema.countedEvents)
          .where(
            inArray(
              schema.countedEvents.id,
              entryIds.map((id) => `${kind}:${id}`),
            ),
          );
  const outboxFor = (entryIds: string[]) =>
    database.db
      .select()
      .from(schema.webhookEvents)
      .where(eq(schema.webhookEvents.type, 'queue.joined'))
      .then((rows) => rows.filter((r) => entryIds.includes((r.payload as { data: { entryId: string } }).data.entryId)));

  it('50 concurrent joins by one seeker across 50 booths never exceed the limit, for several seekers at once', async () => {
    const group = seekers.slice(0, 4);
    const results = await Promise.all(group.map((s) => Promise.allSettled(booths.map((b) => queue.join(s, b.id, true)))));
    for (const [i, s] of group.entries()) {
      const settled = results[i]!;
      const joined = settled.filter((r) => r.status === 'fulfilled');
      expect(joined).toHaveLength(3);
      // Every other join is refused as full (not lost to a race, not an internal error).
      for (const r of settled) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'QUEUE_FULL' });
      const live = await liveOf(s.id);
      expect(live).toHaveLength(3);
      expect(live.map((e) => e.slot).sort()).toEqual([1, 2, 3]);
      // Counted once, one webhook event each: with the entry, not without it.
      const ids = live.map((e) => e.id);
      expect(await countedFor('queue_joined', ids)).toHaveLength(3);
      expect(await outboxFor(ids)).toHaveLength(3);
    }
    // Refused joins wrote nothing: no counted event or outbox row without an entry.
    const allIds = (await database.db.select({ id: schema.queueEntries.id }).from(schema.queueEntries)).map((r) => r.id);
    const counted = await database.db.select().from(schema.countedEvents).where(like(schema.countedEvents.id, 'queue_joined:%'));
    expect(counted.every((c) => allIds.includes(c.id.slice('queue_joined:'.length)))).toBe(true);
    expect(counted.filter((c) => group.some((s) => s.id === c.actor))).toHaveLength(group.length * 3);
  });

  it('after leaving, the freed slot is taken again; concurrent joins of one booth by one seeker make one entry', async () => {
    const s = seekers[0]!;
    const before = await liveOf(s.id);
    const gone = before[0]!;
    expect(await queue.leave(s, gone.boothId)).toMatchObject({ id: gone.id, status: 'left' });
    expect(await queue.leave(s, gone.boothId)).toBeNull();
    const target = booths.find((b) => !before.some((e) => e.boothId === b.id))!;
    // Twenty joins of the same new booth at once: one entry, counted once, one webhook event.
    const results = await Promise.all(Array.from({ length: 20 }, () => queue.join(s, target.id, true)));
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const entry = results[0]!.entry;
    expect(entry.slot).toBe(gone.slot);
    const live = await liveOf(s.id);
    expect(new Set(live.map((e) => e.slot))).toEqual(new Set([1, 2, 3]));
    expect(await countedFor('queue_joined', [entry.id])).toHaveLength(1);
    expect(await outboxFor([entry.id])).toHaveLength(1);
    expect(await countedFor('queue_left', [gone.id])).toHaveLength(1);
  });

  it('two recruiters calling next at once never call the same seeker twice, nor skip anyone', async () => {
    const booth = booths[0]!.id;
    // Everyone out of this booth's line, then 40 seekers join in order.
    await database.db.update(schema.queueEntries).set({ status: 'left' }).where(eq(schema.queueEntries.boothId, booth));
    const waiting = seekers.slice(10, 50);
    for (const s of waiting) await queue.join(s, booth, true);
    const calls = await Promise.all(Array.from({ length: 60 }, (_, i) => queue.callNext(i % 2 ? owner : colleague, booth)));
    const called = calls.filter((c) => c !== null);
    expect(called).toHaveLength(40);
    expect(new Set(called.map((c) => c.seekerId)).size).toBe(40);
    expect(new Set(called.map((c) => c.calledBy))).toEqual(new Set([owner.id, colleague.id]));
    expect([...called].sort((a, b) => a.seq - b.seq).map((c) => c.seekerId)).toEqual(waiting.map((s) => s.id));
    expect(
      await countedFor(
        'called',
        called.map((c) => c.id),
      ),
    ).toHaveLength(40);
    // A seeker leaving while being called: either the call or the leave wins, never both.
    await queue.join(seekers[55]!, booth, true);
    const [left, call] = await Promise.all([queue.leave(seekers[55]!, booth), queue.callNext(owner, booth)]);
    const [row] = await database.db
      .select()
      .from(schema.queueEntries)
      .where(and(eq(schema.queueEntries.seekerId, seekers[55]!.id), eq(schema.queueEntries.boothId, booth)));
    if (call) expect(['called', 'left']).toContain(row!.status);
    if (!call) expect(left).not.toBeNull();
    expect(row!.status === 'left' || row!.status === 'called').toBe(true);
  });

  it('refuses a recruiter of another employer and a booth that does not exist, changing nothing', async () => {
    const other = await fixtures(database.db).account('employer', 'outsider');
    await expect(queue.callNext(other, booths[0]!.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(queue.callNext(owner, '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(queue.join(seekers[59]!, '00000000-0000-0000-0000-000000000000', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(queue.join(seekers[59]!, booths[1]!.id, false)).rejects.toMatchObject({ code: 'QUEUE_CLOSED' });
    expect(await liveOf(seekers[59]!.id)).toHaveLength(0);
  });

  it('writes the join’s webhook event as the outbox always has (same shape, in the booth’s order)', async () => {
    const booth = booths[2]!;
    const s = seekers[58]!;
    const { entry } = await queue.join(s, booth.id, true);
    const [event] = await outboxFor([entry.id]);
    expect(event).toMatchObject({ type: 'queue.joined', subject: `booth:${booth.id}`, employerId: booth.employerId, fairId });
    expect(event!.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(event!.payload).toEqual({
      type: 'queue.joined',
      timestamp: event!.createdAt.toISOString(),
      data: {
        boothId: booth.id,
        fairId,
        employerId: booth.employerId,
        entryId: entry.id,
        seekerId: s.id,
        joinedAt: entry.joinedAt.toISOString(),
        onSite: false,
      },
    });
  });
});

describe('queue statements on PGlite', () => {
  it('join, place, call and leave run the same prepared statements in-process', async () => {
    const database = await connect({ dataDir: 'memory://' });
    try {
      const f = fixtures(database.db);
      const { booths } = await f.liveFair({ employers: ['Lite'] });
      const seeker = await f.account('seeker');
      const queue = new BoothQueue(database.db);
      const joined = await queue.join(seeker, booths.Lite.id, true);
      expect(joined).toMatchObject({ created: true, position: 1, entry: { slot: 1, status: 'waiting', seekerId: seeker.id } });
      expect(await queue.join(seeker, booths.Lite.id, true)).toMatchObject({ created: false, position: 1, entry: { id: joined.entry.id } });
      const called = await queue.callNext(booths.Lite.owner, booths.Lite.id);
      expect(called).toMatchObject({ id: joined.entry.id, status: 'called', calledBy: booths.Lite.owner.id });
      expect(called!.acceptBy).toBeInstanceOf(Date);
      expect(await queue.callNext(booths.Lite.owner, booths.Lite.id)).toBeNull();
      expect(await queue.leave(seeker, booths.Lite.id)).toMatchObject({ id: joined.entry.id, status: 'left' });
      expect(await queue.leave(seeker, booths.Lite.id)).toBeNull();
    } finally {
      await database.close();
    }
  });
});
