import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuth, schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { signUp } from './accounts.ts';
import { EmployerService } from './employers.ts';
import { InterviewService } from './interviews.ts';
import { BoothQueue } from './queue.ts';

const { queueEntries, interviews, countedEvents, users, employers } = schema;

/**
 * Nothing half-written: each multi-statement change is made to fail at its later statement (a
 * trigger in this test's own database raises for a marked row), and afterwards nothing of the
 * change is left, nothing counted is lost or counted twice; then, without the failure, the same
 * change goes through once.
 */
describe('multi-statement changes are all or nothing (real Postgres, injected failures)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let queue: BoothQueue;
  let service: InterviewService;
  let recruiter: SessionUser;
  let booth: string;
  let n = 0;

  /** Any insert or update on `table` whose new row mentions `needle` raises from now on. */
  const failOn = (table: string, needle: string) => database.db.execute(sql`insert into test_failures (tbl, needle) values (${table}, ${needle})`);

  const newSeeker = async (): Promise<SessionUser> => {
    const [u] = await database.db
      .insert(users)
      .values({ email: `tx-seeker-${n++}@example.com`, name: `Tx seeker ${n}`, role: 'seeker' })
      .returning();
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
  };
  const entryOf = async (id: string) => (await database.db.select().from(queueEntries).where(eq(queueEntries.id, id)))[0]!;
  const interviewOf = async (id: string) => (await database.db.select().from(interviews).where(eq(interviews.id, id)))[0]!;
  const events = async (id: string) => (await database.db.select().from(countedEvents).where(eq(countedEvents.id, id))).length;

  /** A seeker joined, was called by the recruiter and accepted: an interview, not yet ended. */
  const interviewing = async () => {
    const seeker = await newSeeker();
    const { entry } = await queue.join(seeker, booth, true);
    await queue.callSpecific(recruiter, booth, entry.id, 'test');
    const interview = await queue.accept(seeker, entry.id);
    return { seeker, entry, interview };
  };

  beforeAll(async () => {
    fresh = await freshDatabase('tx');
    database = fresh.database;
    queue = new BoothQueue(database.db, { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 });
    service = new InterviewService(database.db);
    const { booths } = await fixtures(database.db).liveFair({ employers: ['Xinghe'] });
    recruiter = booths.Xinghe.owner;
    booth = booths.Xinghe.id;
    await database.db.execute(sql`create table test_failures (tbl text not null, needle text not null)`);
    await database.db.execute(sql`
      create function test_fail_marked() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from test_failures f where f.tbl = TG_TABLE_NAME and to_jsonb(new)::text like '%' || f.needle || '%') then
          raise exception 'injected failure on %', TG_TABLE_NAME;
        end if;
        return new;
      end $$`);
    for (const table of ['counted_events', 'queue_entries', 'interviews', 'employers', 'employer_members']) {
      await database.db.execute(sql.raw(`create trigger test_fail before insert or update on ${table} for each row execute function test_fail_marked()`));
    }
  });
  beforeEach(async () => {
    await database.db.execute(sql`delete from test_failures`);
  });
  afterAll(() => fresh?.drop());

  it('ending an interview: the interview, its line entry and interview_ended change together', async () => {
    const { seeker, entry, interview } = await interviewing();
    await service.markStarted(interview.id);

    // The line entry's update fails: the interview is not ended either, and nothing is counted.
    await failOn('queue_entries', entry.id);
    await expect(service.end(seeker, interview.id)).rejects.toThrow();
    expect((await interviewOf(interview.id)).endedAt).toBeNull();
    expect((await entryOf(entry.id)).status).toBe('interviewing');
    expect(await events(`interview_ended:${interview.id}`)).toBe(0);

    // The counted event fails: the interview and the entry stay as they were.
    await database.db.execute(sql`delete from test_failures`);
    await failOn('counted_events', `interview_ended:${interview.id}`);
    await expect(service.end(recruiter, interview.id)).rejects.toThrow();
    expect((await interviewOf(interview.id)).endedAt).toBeNull();
    expect((await entryOf(entry.id)).status).toBe('interviewing');

    // Without the failure it ends once, and ending again counts nothing more.
    await database.db.execute(sql`delete from test_failures`);
    await service.end(seeker, interview.id);
    await service.end(recruiter, interview.id);
    expect((await interviewOf(interview.id)).endedAt).not.toBeNull();
    expect((await entryOf(entry.id)).status).toBe('done');
    expect(await events(`interview_ended:${interview.id}`)).toBe(1);
  });

  it('starting an interview and its counted event change together', async () => {
    const { interview } = await interviewing();
    await failOn('counted_events', `interview_started:${interview.id}`);
    await expect(service.markStarted(interview.id)).rejects.toThrow();
    expect((await interviewOf(interview.id)).startedAt).toBeNull();
    await database.db.execute(sql`delete from test_failures`);
    expect(await service.markStarted(interview.id)).not.toBeNull();
    expect(await service.markStarted(interview.id)).toBeNull();
    expect(await events(`interview_started:${interview.id}`)).toBe(1);
  });

  it('calling (next or a particular seeker) and its counted event change together', async () => {
    // Nobody else waits at the other booth's line in this database: call next reaches our seeker.
    const seeker = await newSeeker();
    const { entry } = await queue.join(seeker, booth, true);
    await failOn('counted_events', `called:${entry.id}`);
    await expect(queue.callSpecific(recruiter, booth, entry.id, 'first')).rejects.toThrow();
    expect((await entryOf(entry.id)).status).toBe('waiting');
    await expect(queue.callNext(recruiter, booth)).rejects.toThrow();
    const after = await entryOf(entry.id);
    expect(after.status).toBe('waiting');
    expect(after.calledBy).toBeNull();
    expect(await events(`called:${entry.id}`)).toBe(0);

    await database.db.execute(sql`delete from test_failures`);
    expect((await queue.callNext(recruiter, booth))?.id).toBe(entry.id);
    expect(await events(`called:${entry.id}`)).toBe(1);
    await queue.leave(seeker, booth);
  });

  it('a no-show sweep and its counted events change together; a retry counts once', async () => {
    const seeker = await newSeeker();
    const { entry } = await queue.join(seeker, booth, true);
    await queue.callSpecific(recruiter, booth, entry.id, 'test');
    const late = new Date(Date.now() + 61_000);
    await failOn('counted_events', `no_show:${entry.id}`);
    await expect(queue.sweep(late)).rejects.toThrow();
    expect((await entryOf(entry.id)).status).toBe('called');
    expect(await events(`no_show:${entry.id}`)).toBe(0);

    await database.db.execute(sql`delete from test_failures`);
    const [a, b] = await Promise.all([queue.sweep(late), queue.sweep(late)]);
    expect([...a.noShows, ...b.noShows].map((e) => e.id)).toEqual([entry.id]);
    expect((await entryOf(entry.id)).status).toBe('no_show');
    expect(await events(`no_show:${entry.id}`)).toBe(1);
  });

  it('leaving after the grace period and its counted event change together', async () => {
    const seeker = await newSeeker();
    const { entry } = await queue.join(seeker, booth, true);
    await queue.markDisconnected(seeker.id, new Date(Date.now() - 120_000));
    await failOn('counted_events', `queue_left:${entry.id}`);
    await expect(queue.sweep()).rejects.toThrow();
    expect((await entryOf(entry.id)).status).toBe('waiting');
    await database.db.execute(sql`delete from test_failures`);
    await queue.sweep();
    expect((await entryOf(entry.id)).status).toBe('left');
    expect(await events(`queue_left:${entry.id}`)).toBe(1);
  });

  it('changing an outcome: the assessment and its counted outcome change together', async () => {
    const { seeker, interview } = await interviewing();
    await service.assess(recruiter, interview.id, { notes: 'first', outcome: 'next_round' });
    await failOn('counted_events', `outcome:${interview.id}`);
    await expect(service.assess(recruiter, interview.id, { notes: 'second', outcome: 'offer' })).rejects.toThrow();
    const kept = await interviewOf(interview.id);
    expect([kept.notes, kept.outcome]).toEqual(['first', 'next_round']);
    const [event] = await database.db
      .select()
      .from(countedEvents)
      .where(eq(countedEvents.id, `outcome:${interview.id}`));
    expect(event!.data).toEqual({ outcome: 'next_round', onSite: false });

    await database.db.execute(sql`delete from test_failures`);
    await service.assess(recruiter, interview.id, { notes: 'second', outcome: 'offer' });
    const [changed] = await database.db
      .select()
      .from(countedEvents)
      .where(eq(countedEvents.id, `outcome:${interview.id}`));
    expect(changed!.data).toEqual({ outcome: 'offer', onSite: false });
    // Clearing the outcome un-counts it.
    await service.assess(recruiter, interview.id, { notes: 'undecided' });
    expect(await events(`outcome:${interview.id}`)).toBe(0);
    await service.end(seeker, interview.id);
  });

  it('the clock closes an interview nobody ended after its planned length plus the grace, once, and frees the seeker’s line slot', async () => {
    const { seeker, entry, interview } = await interviewing();
    const started = new Date(Date.now() - 20 * 60_000);
    await service.markStarted(interview.id, started);
    // While "interviewing", the seeker holds that booth's line slot: joining again gives the same entry.
    await expect(queue.join(seeker, booth, true)).resolves.toMatchObject({ created: false, entry: { id: entry.id } });

    // 20 minutes into a 15-minute interview with a 10-minute grace: not yet.
    expect(await service.closeOverdue(10)).toEqual([]);
    // A failure while closing leaves it open, to be closed by a later pass.
    const later = new Date(started.getTime() + 26 * 60_000);
    await failOn('counted_events', `interview_ended:${interview.id}`);
    await expect(service.closeOverdue(10, later)).rejects.toThrow();
    expect((await interviewOf(interview.id)).endedAt).toBeNull();
    await database.db.execute(sql`delete from test_failures`);

    // Two nodes' clocks at once: closed and counted once.
    const [a, b] = await Promise.all([service.closeOverdue(10, later), service.closeOverdue(10, later)]);
    expect([...a, ...b].map((i) => i.id)).toEqual([interview.id]);
    expect((await interviewOf(interview.id)).endedAt?.getTime()).toBe(later.getTime());
    expect((await entryOf(entry.id)).status).toBe('done');
    expect(await events(`interview_ended:${interview.id}`)).toBe(1);
    const [ended] = await database.db
      .select()
      .from(countedEvents)
      .where(eq(countedEvents.id, `interview_ended:${interview.id}`));
    expect(ended!.data).toEqual({ durationSeconds: 26 * 60, onSite: false });
    // The seeker is no longer stuck "interviewing": they may line up there again.
    await expect(queue.join(seeker, booth, true)).resolves.toMatchObject({ created: true });
    await queue.leave(seeker, booth);
  });

  it('an interview both sides never joined is closed from its acceptance on', async () => {
    const { entry, interview } = await interviewing();
    await database.db
      .update(interviews)
      .set({ createdAt: new Date(Date.now() - 30 * 60_000) })
      .where(eq(interviews.id, interview.id));
    const closed = await service.closeOverdue(10);
    expect(closed.map((i) => i.id)).toContain(interview.id);
    expect((await entryOf(entry.id)).status).toBe('done');
    const [ended] = await database.db
      .select()
      .from(countedEvents)
      .where(eq(countedEvents.id, `interview_ended:${interview.id}`));
    expect(ended!.data).toEqual({ durationSeconds: 0, onSite: false });
  });

  it('sign-up: the user, its password, its role and an employer’s company are written together', async () => {
    const auth = createAuth(database.db, { secret: 'x'.repeat(32), baseURL: 'http://localhost:3000', attemptsPerMinute: 100 });
    const employerService = new EmployerService(database.db);
    const input = (email: string, employerName: string) => ({
      name: 'Tx Employer',
      email,
      password: 'correct horse battery',
      role: 'employer' as const,
      employerName,
    });

    // The company's insert fails: no account is left behind.
    await failOn('employers', 'Doomed Co');
    await expect(signUp(auth, employerService, input('doomed@example.com', 'Doomed Co'), '10.9.0.1')).rejects.toThrow();
    expect(await database.db.select().from(users).where(eq(users.email, 'doomed@example.com'))).toEqual([]);
    expect(await database.db.select().from(employers).where(eq(employers.name, 'Doomed Co'))).toEqual([]);
    const orphans = await database.db.execute(sql`select count(*)::int as n from accounts a left join users u on u.id = a.user_id where u.id is null`);
    expect((orphans as unknown as Array<{ n: number }>)[0]!.n).toBe(0);

    // The owner's membership fails (the company's second row): nothing either.
    await failOn('employer_members', 'owner');
    await expect(signUp(auth, employerService, input('doomed2@example.com', 'Doomed Two'), '10.9.0.2')).rejects.toThrow();
    expect(await database.db.select().from(users).where(eq(users.email, 'doomed2@example.com'))).toEqual([]);
    expect(await database.db.select().from(employers).where(eq(employers.name, 'Doomed Two'))).toEqual([]);

    // Without failures: an employer with its company, and the same address can sign up now.
    await database.db.execute(sql`delete from test_failures`);
    const result = await signUp(auth, employerService, input('doomed@example.com', 'Doomed Co'), '10.9.0.3');
    expect(result).toEqual({ ok: true });
    const [row] = await database.db.select().from(users).where(eq(users.email, 'doomed@example.com'));
    expect(row!.role).toBe('employer');
    const owned = await database.db
      .select()
      .from(schema.employerMembers)
      .innerJoin(employers, eq(employers.id, schema.employerMembers.employerId))
      .where(and(eq(schema.employerMembers.userId, row!.id), like(employers.name, 'Doomed Co')));
    expect(owned).toHaveLength(1);
    // A seeker signs up as a seeker (the role is in the same insert).
    const seeker = await signUp(
      auth,
      employerService,
      { name: 'Tx S', email: 'tx-s@example.com', password: 'correct horse battery', role: 'seeker' },
      '10.9.0.4',
    );
    expect(seeker).toEqual({ ok: true });
    const [seekerRow] = await database.db.select().from(users).where(eq(users.email, 'tx-s@example.com'));
    expect(seekerRow!.role).toBe('seeker');
  });
});
