import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { CandidateInvitationService } from './candidate-invitations.ts';
import type { MailMessage } from './mail.ts';
import { ResumeBookService } from './resume-book.ts';
import { createServices, type Services } from './index.ts';

/**
 * Candidate invitations (邀约) on real Postgres with pooled connections: two services over one
 * database stand for two app nodes. The hourly limit, one pending invitation per target and one
 * answer per invitation must hold however many requests race.
 */
describe('candidate invitations under concurrency (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let services: Services;
  let f: ReturnType<typeof fixtures>;
  let fairId: string;
  let booth: { id: string; fairId: string; employerId: string; owner: SessionUser };
  let recruiter: SessionUser;
  let jobId: string;
  const mailed: MailMessage[] = [];
  /** Two "nodes": each its own services over the same database, with a limit of 10 an hour. */
  let nodes: CandidateInvitationService[];

  const seekerAccounts = async (n: number, prefix: string, atFair = fairId) => {
    const rows = await database.db
      .insert(schema.users)
      .values(Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com`, name: `${prefix} ${i}`, role: 'seeker' as const, locale: 'en' })))
      .returning();
    await database.db.insert(schema.resumeBookOptIns).values(rows.map((u) => ({ fairId: atFair, seekerId: u.id })));
    return rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role }));
  };

  beforeAll(async () => {
    fresh = await freshDatabase('candinv');
    database = fresh.database;
    services = createServices(database.db);
    f = fixtures(database.db);
    const { fair, booths } = await f.liveFair({ employers: ['Main'] });
    fairId = fair.id;
    booth = booths.Main;
    recruiter = await f.account('employer', 'recruiter');
    await database.db.insert(schema.employerMembers).values({ employerId: booth.employerId, userId: recruiter.id, role: 'recruiter' });
    const [job] = await database.db.select({ id: schema.jobs.id }).from(schema.jobs).where(eq(schema.jobs.employerId, booth.employerId));
    jobId = job!.id;
    const mailer = { send: async (m: MailMessage) => void mailed.push(m) };
    nodes = [0, 1].map(
      () => new CandidateInvitationService(database.db, new ResumeBookService(database.db), { mailer, origin: 'https://fair.example' }, { perHour: 10 }),
    );
  });
  afterAll(() => fresh?.drop());

  const invitationsOf = (seekerId: string) => database.db.select().from(schema.candidateInvitations).where(eq(schema.candidateInvitations.seekerId, seekerId));
  const settle = <T>(tasks: Promise<T>[]) => Promise.allSettled(tasks);
  const codes = (results: PromiseSettledResult<unknown>[]) =>
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as { code?: string }).code ?? r.reason))).sort();

  it('keeps one pending invitation per target when 20 invites race from two staff on two nodes', async () => {
    const [seeker] = await seekerAccounts(1, 'dup');
    const results = await settle(
      Array.from({ length: 20 }, (_, i) =>
        nodes[i % 2]!.invite(i % 3 === 0 ? recruiter : booth.owner, booth.id, seeker!.id, { kind: 'booth', message: `try ${i}` }),
      ),
    );
    expect(codes(results).filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes(results).filter((c) => c !== 'ok')).toEqual(Array(19).fill('CONFLICT'));
    // Another target (a job) is its own invitation.
    await nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'job', jobId });
    const rows = await invitationsOf(seeker!.id);
    expect(rows.map((r) => r.target).sort()).toEqual(['booth', `job:${jobId}`]);
    expect(mailed.filter((m) => m.to === seeker!.email)).toHaveLength(2);
  });

  it('sends exactly the hourly limit when 30 invitations of different seekers race, and says when to retry', async () => {
    // A fresh employer, so the earlier test's invitations do not count.
    const { booths } = await f.liveFair({ employers: ['Busy'] });
    const busy = booths.Busy;
    const crowd = await seekerAccounts(30, 'crowd', busy.fairId);
    const results = await settle(crowd.map((s, i) => nodes[i % 2]!.invite(busy.owner, busy.id, s.id, { kind: 'booth' })));
    expect(codes(results).filter((c) => c === 'ok')).toHaveLength(10);
    expect(codes(results).filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.retryAfterSeconds).toBeGreaterThan(3000);
    const [n] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.candidateInvitations)
      .where(eq(schema.candidateInvitations.employerId, busy.employerId));
    expect(n!.n).toBe(10);
    // An hour later the allowance is back: one of the seekers refused now is invited (which ten
    // won the race is up to the database, so not a fixed one).
    const turnedAway = crowd[results.findIndex((r) => r.status === 'rejected')]!;
    await nodes[0]!.invite(busy.owner, busy.id, turnedAway.id, { kind: 'booth' }, new Date(Date.now() + 3600_000 + 1000));
  });

  it('answers once when accept and decline race; the webhook event commits with the answer, exactly once', async () => {
    const [seeker] = await seekerAccounts(1, 'answer');
    const invitation = await nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'job', jobId, message: 'Come talk to us' });
    const results = await settle(Array.from({ length: 12 }, (_, i) => nodes[i % 2]!.answer(seeker!, invitation.id, i % 2 ? 'declined' : 'accepted')));
    expect(codes(results)).toEqual([...Array(11).fill('CONFLICT'), 'ok']);
    const [row] = await invitationsOf(seeker!.id);
    expect(['accepted', 'declined']).toContain(row!.status);
    expect(row!.answeredAt).not.toBeNull();
    const events = await database.db
      .select()
      .from(schema.webhookEvents)
      .where(and(eq(schema.webhookEvents.type, 'invitation.answered'), sql`${schema.webhookEvents.payload}->'data'->>'invitationId' = ${invitation.id}`));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ subject: `booth:${booth.id}`, employerId: booth.employerId });
    expect(events[0]!.payload.data).toMatchObject({
      invitation: 'candidate',
      answer: row!.status,
      kind: 'job',
      jobId,
      boothId: booth.id,
      employerId: booth.employerId,
      userId: seeker!.id,
    });
    // The employer sees the answer.
    const sent = await services.candidateInvitations.sentFromBooth(recruiter, booth.id);
    expect(sent.find((s) => s.id === invitation.id)).toMatchObject({ status: row!.status, seekerName: seeker!.name });
  });

  it('lets only the invited seeker answer, refuses bad answers, and does not ask a declined target again', async () => {
    const [seeker, other] = await seekerAccounts(2, 'only');
    const invitation = await nodes[1]!.invite(recruiter, booth.id, seeker!.id, { kind: 'booth' });
    await expect(nodes[0]!.answer(other!, invitation.id, 'accepted')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(nodes[0]!.answer(booth.owner, invitation.id, 'accepted')).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(nodes[0]!.answer(seeker!, invitation.id, 'maybe')).rejects.toMatchObject({ code: 'INVALID', fields: { answer: 'invalid' } });
    await expect(nodes[0]!.answer(seeker!, 'nope', 'accepted')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await invitationsOf(seeker!.id))[0]!.status).toBe('pending');
    expect(await services.candidateInvitations.pendingCount(seeker!)).toBe(1);
    expect(await services.candidateInvitations.pendingCount(other!)).toBe(0);
    expect((await services.candidateInvitations.forSeeker(seeker!))[0]).toMatchObject({ kind: 'booth', status: 'pending', employerName: expect.any(String) });

    await nodes[0]!.answer(seeker!, invitation.id, 'declined');
    await expect(nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'booth' })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: { form: 'invitation_declined' },
    });
  });

  it('validates the invitation and refuses other employers, unknown jobs and seekers who are not findable', async () => {
    const [seeker] = await seekerAccounts(1, 'valid');
    const { booths } = await f.liveFair({ employers: ['Other'] });
    const before = (await database.db.select().from(schema.candidateInvitations)).length;
    await expect(nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot' })).rejects.toMatchObject({ code: 'INVALID' });
    await expect(nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'job' })).rejects.toMatchObject({
      code: 'INVALID',
      fields: { jobId: 'required' },
    });
    await expect(nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'booth', message: 'x'.repeat(501) })).rejects.toMatchObject({
      code: 'INVALID',
      fields: { message: 'too_long' },
    });
    const [otherJob] = await database.db.select({ id: schema.jobs.id }).from(schema.jobs).where(eq(schema.jobs.employerId, booths.Other.employerId));
    await expect(nodes[0]!.invite(booth.owner, booth.id, seeker!.id, { kind: 'job', jobId: otherJob!.id })).rejects.toMatchObject({
      code: 'INVALID',
      fields: { jobId: 'invalid' },
    });
    await expect(nodes[0]!.invite(booths.Other.owner, booth.id, seeker!.id, { kind: 'booth' })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(nodes[0]!.invite(seeker!, booth.id, seeker!.id, { kind: 'booth' })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    // Other's booth is at another fair, where this seeker did not opt in.
    await expect(nodes[0]!.invite(booths.Other.owner, booths.Other.id, seeker!.id, { kind: 'booth' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(services.candidateInvitations.sentFromBooth(booths.Other.owner, booth.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect((await database.db.select().from(schema.candidateInvitations)).length).toBe(before);
  });

  it('mails the seeker in their language with a link to answer', async () => {
    const seeker = await f.account('seeker', 'mailed');
    await services.profiles.save(seeker, { name: '小李' });
    await database.db.update(schema.users).set({ locale: 'zh-CN' }).where(eq(schema.users.id, seeker.id));
    await services.resumeBook.setOptIn(seeker, booth.fairId, true);
    await nodes[0]!.invite(booth.owner, booth.id, seeker.id, { kind: 'job', jobId, message: '欢迎来聊' });
    const mail = mailed.find((m) => m.to === seeker.email)!;
    expect(mail.subject).toContain('邀请你应聘');
    expect(mail.text).toContain('欢迎来聊');
    expect(mail.text).toContain('https://fair.example/profile/invitations');
  });
});
