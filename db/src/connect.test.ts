import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  connect,
  createSession,
  deleteSession,
  DEMO_PASSWORD,
  getBooth,
  listBooths,
  listFairs,
  listJobs,
  seedDemo,
  userForSession,
  verifyCredentials,
  type Database,
} from './index.ts';

// The same behaviour on both back ends: embedded PGlite (the default) and real Postgres.
const backends: Array<[string, () => Promise<Database>]> = [
  ['pglite', () => connect({ dataDir: 'memory://' })],
  ['postgres', () => connect({ url: inject('databaseUrl') })],
];

describe.each(backends)('database on %s', (kind, open) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
    await seedDemo(database.db);
  });
  afterAll(() => database.close());

  it('reports its kind and answers a ping', async () => {
    expect(database.kind).toBe(kind);
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it('seeds a live fair with three booths and two jobs each, once', async () => {
    expect(await seedDemo(database.db)).toEqual({ seeded: false });
    const fairs = await listFairs(database.db);
    expect(fairs).toHaveLength(1);
    expect(fairs[0]!.status).toBe('live');
    const booths = await listBooths(database.db, fairs[0]!.id);
    expect(booths).toHaveLength(3);
    const jobs = await listJobs(database.db, booths.map((b) => b.employer.id));
    expect(jobs).toHaveLength(6);
    expect(jobs.every((j) => j.salaryMin <= j.salaryMax)).toBe(true);
  });

  it('finds nothing for an unknown booth', async () => {
    expect(await getBooth(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('checks passwords without saying which part was wrong', async () => {
    expect(await verifyCredentials(database.db, 'Seeker@Example.com ', DEMO_PASSWORD)).toMatchObject({ role: 'seeker' });
    expect(await verifyCredentials(database.db, 'seeker@example.com', 'wrong')).toBeNull();
    expect(await verifyCredentials(database.db, 'nobody@example.com', DEMO_PASSWORD)).toBeNull();
  });

  it('keeps sessions by token hash until deleted', async () => {
    const user = (await verifyCredentials(database.db, 'organizer@example.com', DEMO_PASSWORD))!;
    const { token } = await createSession(database.db, user.id);
    expect(await userForSession(database.db, token)).toMatchObject({ id: user.id, role: 'organizer' });
    expect(await userForSession(database.db, `${token}x`)).toBeNull();
    await deleteSession(database.db, token);
    expect(await userForSession(database.db, token)).toBeNull();
  });

  it('closes twice without error', async () => {
    const extra = await open();
    await extra.close();
    await expect(extra.close()).resolves.toBeUndefined();
  });
});
