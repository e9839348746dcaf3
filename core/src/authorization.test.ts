import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { createServices, ServiceError, type Actor, type Services } from './index.ts';

/**
 * The authorization matrix: every role against every mutation. A refusal must carry the right
 * code and leave every table exactly as it was; an allowed call must succeed.
 */
type ActorName = 'visitor' | 'seeker' | 'owner' | 'recruiter' | 'otherOwner' | 'organizer' | 'admin';

const TABLES = {
  users: schema.users,
  employers: schema.employers,
  employerMembers: schema.employerMembers,
  employerInvitations: schema.employerInvitations,
  jobs: schema.jobs,
  seekerProfiles: schema.seekerProfiles,
  fairs: schema.fairs,
  booths: schema.booths,
  broadcasts: schema.broadcasts,
  broadcastHosts: schema.broadcastHosts,
  broadcastMessages: schema.broadcastMessages,
  broadcastQuestions: schema.broadcastQuestions,
  broadcastQuestionVotes: schema.broadcastQuestionVotes,
  broadcastMutes: schema.broadcastMutes,
  broadcastChatSettings: schema.broadcastChatSettings,
};

describe('authorization matrix (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let services: Services;
  const actors = {} as Record<ActorName, Actor>;
  const ids = {} as Record<'xinghe' | 'xingheJob' | 'draftFair' | 'liveFair' | 'appliedBooth' | 'draftBroadcast' | 'ownerId' | 'publishedBroadcast', string>;

  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const [name, table] of Object.entries(TABLES)) {
      const rows = await database.db.select().from(table);
      out[name] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  };

  beforeAll(async () => {
    fresh = await freshDatabase('authz');
    database = fresh.database;
    services = createServices(database.db);
    const userRow = async (email: string): Promise<SessionUser> => {
      const [u] = await database.db.select().from(schema.users).where(eq(schema.users.email, email));
      return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
    };
    actors.visitor = null;
    actors.seeker = await userRow('seeker@example.com');
    actors.owner = await userRow('employer@example.com');
    actors.otherOwner = await userRow('employer2@example.com');
    actors.organizer = await userRow('organizer@example.com');
    const [admin] = await database.db.insert(schema.users).values({ email: 'admin@example.com', name: 'Admin', role: 'admin' }).returning();
    actors.admin = { id: admin!.id, email: admin!.email, name: admin!.name, role: 'admin' };
    const [recruiter] = await database.db
      .insert(schema.users)
      .values({ email: 'recruiter@example.com', name: 'Recruiter', role: 'employer', emailVerified: true })
      .returning();
    // A verified address may accept its invitation without the mailed link.
    actors.recruiter = { id: recruiter!.id, email: recruiter!.email, name: recruiter!.name, role: 'employer', emailVerified: true };

    const [xinghe] = (await services.employers.mine(actors.owner)).map((m) => m.employer);
    ids.xinghe = xinghe!.id;
    ids.ownerId = actors.owner!.id;
    const invitation = await services.employers.invite(actors.owner, ids.xinghe, { email: 'recruiter@example.com' });
    await services.employers.acceptInvitation(actors.recruiter, invitation.id);
    ids.xingheJob = (await services.employers.jobs(ids.xinghe))[0]!.id;
    const window = { startsAt: new Date(Date.now() + 86_400_000), endsAt: new Date(Date.now() + 2 * 86_400_000) };
    ids.draftFair = (await services.fairs.create(actors.organizer, { title: 'Draft fair', theme: 'graduates', ...window })).id;
    const make = fixtures(database.db);
    ids.liveFair = (await make.liveFair({ organizer: actors.organizer })).fair.id;
    const greenFields = (await services.employers.mine(actors.otherOwner))[0]!.employer.id;
    const published = await services.fairs.create(actors.organizer, { title: 'Open fair', theme: 'custom', customTheme: 'IT', ...window });
    await services.fairs.setStatus(actors.organizer, published.id, 'published');
    ids.appliedBooth = (await services.fairs.apply(actors.otherOwner, greenFields, { fairId: published.id })).id;
    // A published broadcast, hosted by the organizer.
    ids.publishedBroadcast = (await make.upcomingBroadcast({ organizer: actors.organizer })).broadcast.id;
    ids.draftBroadcast = (await services.broadcasts.create(actors.organizer, { title: 'Draft talk', topic: 'policy_qa', ...window, hostEmails: [] })).id;
  });
  afterAll(() => fresh?.drop());

  const job = { title: 'Matrix job', location: 'Hangzhou', jobType: 'full_time', salaryMin: 1000, salaryMax: 2000 } as const;
  const window = () => ({ startsAt: new Date(Date.now() + 86_400_000), endsAt: new Date(Date.now() + 2 * 86_400_000) });

  const openFair = async () => {
    const fair = await services.fairs.create(actors.organizer, { title: 'Open fair', theme: 'graduates', ...window() });
    await services.fairs.setStatus(actors.organizer, fair.id, 'published');
    return fair.id;
  };
  /** A chat message and a question by the seeker in the demo broadcast (inserted directly). */
  const seekerMessage = async () =>
    (
      await database.db.insert(schema.broadcastMessages).values({ broadcastId: ids.publishedBroadcast, authorId: actors.seeker!.id, body: 'hi' }).returning()
    )[0]!.id;
  const seekerQuestion = async () =>
    (
      await database.db.insert(schema.broadcastQuestions).values({ broadcastId: ids.publishedBroadcast, authorId: actors.seeker!.id, body: 'why?' }).returning()
    )[0]!.id;
  const draftFair = async () => (await services.fairs.create(actors.organizer, { title: 'Invite fair', theme: 'graduates', ...window() })).id;

  /**
   * Each mutation, who may perform it, and what it needs made first (made before the "nothing
   * changed" snapshot is taken). Calls that create rows run again for every allowed actor.
   */
  type Run = (s: Services, a: Actor, prepared: string) => Promise<unknown>;
  const matrix: Array<[string, ActorName[], Run, (() => Promise<string>)?]> = [
    ['save a seeker profile', ['seeker'], (s, a) => s.profiles.save(a, { name: 'Li Ming', skills: 'SQL' })],
    [
      'edit the employer profile',
      ['owner'],
      (s, a) => s.employers.update(a, ids.xinghe, { name: 'Xinghe', industry: 'software', size: '50-199', location: 'Hangzhou' }),
    ],
    ['set the employer logo', ['owner'], (s, a) => s.employers.setLogo(a, ids.xinghe, null)],
    ['invite a recruiter', ['owner'], (s, a) => s.employers.invite(a, ids.xinghe, { email: `new-${a?.role}@example.com` })],
    ['remove the owner', [], (s, a) => s.employers.removeMember(a, ids.xinghe, ids.ownerId)],
    ['change a user’s role', ['admin'], (s, a) => s.users.setRole(a, actors.seeker!.id, 'seeker')],
    ['create a job', ['owner', 'recruiter'], (s, a) => s.employers.createJob(a, ids.xinghe, job)],
    ['edit a job', ['owner', 'recruiter'], (s, a) => s.employers.updateJob(a, ids.xingheJob, { ...job, title: '前端工程师 Frontend Engineer' })],
    ['apply for a booth', ['owner', 'recruiter'], (s, a, fairId) => s.fairs.apply(a, ids.xinghe, { fairId }), openFair],
    ['create a fair', ['organizer', 'admin'], (s, a) => s.fairs.create(a, { title: 'New fair', theme: 'flexible_work', ...window() })],
    [
      'publish a fair',
      ['organizer', 'admin'],
      async (s, a) => {
        await s.fairs.setStatus(a, ids.draftFair, 'published');
        await s.fairs.setStatus(actors.organizer, ids.draftFair, 'draft');
      },
    ],
    ['set a fair cover', ['organizer', 'admin'], (s, a) => s.fairs.setCover(a, ids.draftFair, null)],
    ['invite an employer to a fair', ['organizer', 'admin'], (s, a, fairId) => s.fairs.invite(a, fairId, ids.xinghe), draftFair],
    [
      'approve a booth',
      ['organizer', 'admin'],
      async (s, a) => {
        await s.fairs.decide(a, ids.appliedBooth, 'approved');
        await database.db.update(schema.booths).set({ status: 'applied' }).where(eq(schema.booths.id, ids.appliedBooth));
      },
    ],
    ['create a broadcast', ['organizer', 'admin'], (s, a) => s.broadcasts.create(a, { title: 'Talk', topic: 'resume_clinic', ...window(), hostEmails: [] })],
    ['publish a broadcast', ['organizer', 'admin'], (s, a) => s.broadcasts.publish(a, ids.draftBroadcast)],
    [
      'chat in a broadcast',
      ['seeker', 'owner', 'recruiter', 'otherOwner', 'organizer', 'admin'],
      (s, a) => s.broadcastChat.send(a, ids.publishedBroadcast, { body: 'Hello' }),
    ],
    [
      'ask a question in a broadcast',
      ['seeker', 'owner', 'recruiter', 'otherOwner', 'organizer', 'admin'],
      (s, a) => s.broadcastChat.ask(a, ids.publishedBroadcast, { body: 'When?' }),
    ],
    [
      'upvote a question',
      ['seeker', 'owner', 'recruiter', 'otherOwner', 'organizer', 'admin'],
      (s, a, q) => s.broadcastChat.vote(a, ids.publishedBroadcast, q),
      seekerQuestion,
    ],
    ['delete a chat message', ['organizer', 'admin'], (s, a, m) => s.broadcastChat.deleteMessage(a, ids.publishedBroadcast, m), seekerMessage],
    [
      'mute a user in a broadcast',
      ['organizer', 'admin'],
      async (s, a) => {
        await s.broadcastChat.setMuted(a, ids.publishedBroadcast, actors.seeker!.id, true);
        await s.broadcastChat.setMuted(actors.organizer, ids.publishedBroadcast, actors.seeker!.id, false);
      },
    ],
    ['set slow mode', ['organizer', 'admin'], (s, a) => s.broadcastChat.setSlowMode(a, ids.publishedBroadcast, { seconds: 0 })],
    ['pin a question', ['organizer', 'admin'], (s, a, q) => s.broadcastChat.pin(a, ids.publishedBroadcast, q, true), seekerQuestion],
    ['mark a question answered', ['organizer', 'admin'], (s, a, q) => s.broadcastChat.markAnswered(a, ids.publishedBroadcast, q, true), seekerQuestion],
    ['remove a question', ['organizer', 'admin'], (s, a, q) => s.broadcastChat.deleteQuestion(a, ids.publishedBroadcast, q), seekerQuestion],
  ];

  const everyone: ActorName[] = ['visitor', 'seeker', 'owner', 'recruiter', 'otherOwner', 'organizer', 'admin'];

  describe.each(matrix)('%s', (_name, allowed, run, prepare) => {
    it.each(everyone)('as %s', async (who) => {
      const prepared = prepare ? await prepare() : '';
      if (allowed.includes(who)) {
        await expect(run(services, actors[who], prepared)).resolves.not.toThrow();
        return;
      }
      const before = await snapshot();
      const error = await run(services, actors[who], prepared).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `${who} must be refused`).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).code).toBe(who === 'visitor' ? 'UNAUTHENTICATED' : 'NOT_AUTHORIZED');
      expect(await snapshot(), 'a refusal changes nothing').toEqual(before);
    });
  });

  it('a recruiter cannot remove the owner, and the owner cannot remove themself', async () => {
    for (const who of ['recruiter', 'owner'] as const) {
      await expect(services.employers.removeMember(actors[who], ids.xinghe, ids.ownerId)).rejects.toBeInstanceOf(ServiceError);
    }
    const members = await services.employers.members(actors.owner, ids.xinghe);
    expect(members.staff.map((m) => m.role).sort()).toEqual(['owner', 'recruiter']);
  });

  it('staff of another employer cannot touch this employer’s jobs', async () => {
    const before = await snapshot();
    await expect(services.employers.deleteJob(actors.otherOwner, ids.xingheJob)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect(await snapshot()).toEqual(before);
  });

  it('visitors see no draft fairs or draft broadcasts', async () => {
    const fairId = await draftFair();
    const talk = await services.broadcasts.create(actors.organizer, { title: 'Unpublished', topic: 'policy_qa', ...window(), hostEmails: [] });
    await expect(services.fairs.get(null, fairId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(services.broadcasts.get(null, talk.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await services.fairs.list(null)).some((f) => f.id === fairId)).toBe(false);
    expect((await services.broadcasts.upcoming(null)).some((b) => b.id === talk.id)).toBe(false);
  });
});
