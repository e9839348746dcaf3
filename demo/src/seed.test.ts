import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createAuth, listBooths, listBroadcasts, listFairs, listJobs, type Database } from '@fairground/db';
import { DEMO_ACCOUNTS, DEMO_BROADCAST_TITLE, DEMO_FAIR_TITLE, DEMO_PASSWORD, seedDemo } from './index.ts';

describe('the demo data (demo/src/seed.ts) on PGlite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await connect({ dataDir: 'memory://' });
    expect(await seedDemo(database.db)).toEqual({ seeded: true });
  });
  afterAll(() => database.close());

  it('seeds a live fair with three approved booths and two jobs each (and a past fair), once', async () => {
    expect(await seedDemo(database.db)).toEqual({ seeded: false });
    const fairs = await listFairs(database.db);
    // The ended fair with recorded history (history.test.ts) comes first by start time.
    expect(fairs.map((f) => [f.status, f.title === DEMO_FAIR_TITLE])).toEqual([
      ['ended', false],
      ['live', true],
    ]);
    const booths = await listBooths(database.db, fairs[1]!.id);
    expect(booths).toHaveLength(3);
    const jobs = await listJobs(
      database.db,
      booths.map((b) => b.employer.id),
    );
    expect(jobs).toHaveLength(6);
    expect(jobs.every((j) => j.salaryMin <= j.salaryMax)).toBe(true);
  });

  it('schedules the published broadcast a day ahead', async () => {
    const broadcast = (await listBroadcasts(database.db)).find((b) => b.title === DEMO_BROADCAST_TITLE);
    expect(broadcast).toMatchObject({ status: 'published' });
    expect(broadcast!.startsAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('signs every demo account in with the demo password', async () => {
    const auth = createAuth(database.db, { secret: 'd'.repeat(32), baseURL: 'http://localhost:3000' });
    for (const account of DEMO_ACCOUNTS) {
      expect(await auth.signIn({ email: account.email, password: DEMO_PASSWORD }, '10.0.0.1')).toMatchObject({
        ok: true,
        user: { role: account.role },
      });
    }
  });
});
