// Test fixtures: each test makes the fair, booths or broadcast it needs, through core's services
// as an organizer and employers would, instead of finding the demo data's rows by title. Accounts
// are made as `npm run create-admin` makes them, each with a fresh address, and sign in with
// FIXTURE_PASSWORD (`sessionCookie` in helpers.ts knows it).
import { randomUUID } from 'node:crypto';
import { createServices } from '@fairground/core';
import type { JobInput } from '@fairground/core/schemas';
import { createAuth, schema, type Db, type SessionUser } from '@fairground/db';

export const FIXTURE_PASSWORD = 'fixture-password-1';

type Role = SessionUser['role'];
const HOUR = 3600_000;

export interface FixtureBooth {
  id: string;
  fairId: string;
  employerId: string;
  employerName: string;
  /** The employer's owner account: the booth's staff. */
  owner: SessionUser;
}

/** Fixtures over one database (`db`: the run's database or a fresh one). */
export function fixtures(db: Db) {
  const services = createServices(db);
  const auth = createAuth(db, { secret: randomUUID().repeat(2), baseURL: 'http://localhost:3000' });

  /** A verified account with a fresh address (`<label>-<random>@fixture.test`). */
  async function account(role: Role, label: string = role): Promise<SessionUser> {
    const email = `${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomUUID().slice(0, 8)}@fixture.test`;
    const created = await auth.createAccount({ name: `${label} (fixture)`, email, password: FIXTURE_PASSWORD, role });
    if (!created.ok) throw new Error(`fixture account ${email}: ${created.reason}`);
    return created.user;
  }

  /**
   * A live fair (opened two hours ago, ending in a month) with one approved booth per name, each
   * of an employer of its own, owned by a new employer account and offering one job (or `jobs`).
   */
  async function liveFair<const N extends string>(
    options: { employers?: readonly N[]; jobs?: Partial<Record<N, readonly JobInput[]>>; organizer?: SessionUser; now?: Date } = {},
  ) {
    const now = options.now ?? new Date();
    const organizer = options.organizer ?? (await account('organizer'));
    const fair = await services.fairs.create(organizer, {
      title: `Fixture fair ${randomUUID().slice(0, 8)}`,
      theme: 'spring_campaign',
      startsAt: new Date(now.getTime() - 2 * HOUR),
      endsAt: new Date(now.getTime() + 30 * 24 * HOUR),
    });
    await services.fairs.setStatus(organizer, fair.id, 'published');
    // A running clock opens a published fair past its start on its own: it may have done so
    // between these two lines (then the fair is live, which is what the fixture wants).
    await services.fairs.setStatus(organizer, fair.id, 'live').catch(async (err: unknown) => {
      if ((await services.fairs.get(organizer, fair.id)).status !== 'live') throw err;
    });
    const booths = {} as Record<N, FixtureBooth>;
    for (const name of options.employers ?? []) {
      const owner = await account('employer', name);
      const employer = await services.employers.create(owner, {
        name: `${name} ${randomUUID().slice(0, 4)}`,
        industry: 'software',
        size: '1-49',
        location: '杭州 Hangzhou',
      });
      const jobs = options.jobs?.[name] ?? [
        { title: `${name} engineer`, location: '杭州 Hangzhou', jobType: 'full_time', salaryMin: 9000, salaryMax: 14000, skills: ['TypeScript'] },
      ];
      for (const job of jobs) await services.employers.createJob(owner, employer.id, job);
      const booth = await services.fairs.apply(owner, employer.id, { fairId: fair.id, tagline: `${name} is hiring` });
      await services.fairs.decide(organizer, booth.id, 'approved');
      booths[name] = { id: booth.id, fairId: fair.id, employerId: employer.id, employerName: employer.name, owner };
    }
    return { fair: { ...fair, status: 'live' as const }, organizer, booths };
  }

  /**
   * A published broadcast on air now (started a minute ago, for an hour), hosted by `hostId`.
   * Written directly: the service refuses to schedule one in the past.
   */
  async function onAirBroadcast(hostId: string, title = `On air ${randomUUID().slice(0, 8)}`) {
    const [row] = await db
      .insert(schema.broadcasts)
      .values({ title, topic: 'resume_clinic', startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 3600_000), status: 'published' })
      .returning();
    await db.insert(schema.broadcastHosts).values({ broadcastId: row!.id, userId: hostId });
    return row!;
  }

  /** A published broadcast starting in a day (its creator, an organizer, is its host). */
  async function upcomingBroadcast(options: { fairId?: string; organizer?: SessionUser; now?: Date } = {}) {
    const now = options.now ?? new Date();
    const organizer = options.organizer ?? (await account('organizer'));
    const broadcast = await services.broadcasts.create(organizer, {
      title: `Fixture broadcast ${randomUUID().slice(0, 8)}`,
      topic: 'interview_training',
      ...(options.fairId ? { fairId: options.fairId } : {}),
      startsAt: new Date(now.getTime() + 24 * HOUR),
      endsAt: new Date(now.getTime() + 25 * HOUR),
    });
    await services.broadcasts.publish(organizer, broadcast.id);
    return { broadcast: { ...broadcast, status: 'published' as const }, organizer };
  }

  return { services, auth, account, liveFair, upcomingBroadcast, onAirBroadcast };
}
