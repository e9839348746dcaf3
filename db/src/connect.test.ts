import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { connect, createAuth, getBooth, type Database } from './index.ts';

/** Accounts made as `npm run create-admin` makes them (the demo data lives in demo/ and seeds itself). */
const PASSWORD = 'connect-test-password';
// Addresses of their own: on Postgres this is the run's database, which has the demo accounts.
const ACCOUNTS = [
  { name: 'Seeker', email: 'db-seeker@example.com', role: 'seeker' },
  { name: 'Employer', email: 'db-employer@example.com', role: 'employer' },
  { name: 'Organizer', email: 'db-organizer@example.com', role: 'organizer' },
] as const;

// The same behaviour on both back ends: embedded PGlite (the default) and real Postgres.
const backends: Array<[string, () => Promise<Database>]> = [
  ['pglite', () => connect({ dataDir: 'memory://' })],
  ['postgres', () => connect({ url: inject('databaseUrl') })],
];

describe.each(backends)('database on %s', (kind, open) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
    const auth = createAuth(database.db, { secret: 'v'.repeat(32), baseURL: 'http://localhost:3000' });
    for (const account of ACCOUNTS) await auth.createAccount({ ...account, password: PASSWORD });
  });
  afterAll(() => database.close());

  it('reports its kind and answers a ping', async () => {
    expect(database.kind).toBe(kind);
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it('finds nothing for an unknown booth', async () => {
    expect(await getBooth(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('signs in with the account’s password, and only with it', async () => {
    const auth = createAuth(database.db, { secret: 'x'.repeat(32), baseURL: 'http://localhost:3000' });
    const ok = await auth.signIn({ email: 'DB-Seeker@Example.com ', password: PASSWORD }, '10.0.0.1');
    expect(ok).toMatchObject({ ok: true, user: { role: 'seeker', email: 'db-seeker@example.com' } });
    expect(await auth.signIn({ email: 'db-seeker@example.com', password: 'wrong-password' }, '10.0.0.1')).toEqual({
      ok: false,
      reason: 'credentials',
    });
    expect(await auth.signIn({ email: 'nobody@example.com', password: PASSWORD }, '10.0.0.1')).toEqual({
      ok: false,
      reason: 'credentials',
    });
  });

  it('keeps a session in the database until sign-out', async () => {
    const auth = createAuth(database.db, { secret: 'y'.repeat(32), baseURL: 'http://localhost:3000' });
    const result = await auth.signIn({ email: 'db-organizer@example.com', password: PASSWORD }, '10.0.0.2');
    if (!result.ok) throw new Error('sign-in failed');
    const cookie = result.setCookies.map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/^fg\.session_token=/);
    expect(result.setCookies[0]).toMatch(/HttpOnly/i);
    expect(result.setCookies[0]).toMatch(/SameSite=Lax/i);
    const headers = new Headers({ cookie });
    expect(await auth.userFor(headers)).toMatchObject({ role: 'organizer' });
    // Tamper with the token's first character (always to a different one).
    const tampered = cookie.replace(/=(.)/, (_, c: string) => `=${c === 'X' ? 'Y' : 'X'}`);
    expect(tampered).not.toBe(cookie);
    expect(await auth.userFor(new Headers({ cookie: tampered }))).toBeNull();
    await auth.signOut(headers);
    expect(await auth.userFor(headers)).toBeNull();
  });

  it('creates no second account with the same email, and never takes a role from the client', async () => {
    const auth = createAuth(database.db, { secret: 'z'.repeat(32), baseURL: 'http://localhost:3000' });
    const email = `new-${kind}@example.com`;
    const created = await auth.signUp({ name: 'New', email, password: 'long-enough-1', role: 'employer' }, '10.0.0.3');
    expect(created).toMatchObject({ ok: true, created: { role: 'employer', emailVerified: false } });
    // The same answer as for a new address (nothing is revealed), and nothing is created.
    expect(await auth.signUp({ name: 'Again', email, password: 'long-enough-2', role: 'seeker' }, '10.0.0.3')).toEqual({
      ok: true,
      created: null,
    });
    expect(await auth.signUp({ name: 'Short', email: `short-${kind}@example.com`, password: 'short', role: 'seeker' }, '10.0.0.3')).toMatchObject({
      ok: false,
    });
  });

  it('rate-limits repeated sign-in attempts from one address', async () => {
    const auth = createAuth(database.db, { secret: 'w'.repeat(32), baseURL: 'http://localhost:3000', attemptsPerMinute: 3 });
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await auth.signIn({ email: 'db-seeker@example.com', password: 'wrong' }, '10.9.9.9'));
    }
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['credentials', 'credentials', 'credentials', 'rate_limited', 'rate_limited']);
    // Another address is not affected (another account: this one is now over its own limit too).
    expect(await auth.signIn({ email: 'db-employer@example.com', password: PASSWORD }, '10.9.9.8')).toMatchObject({ ok: true });
  });

  it('answers a failed multi-statement transaction with its own error, and serves on after it', async () => {
    // pg-boss's install and migrations are `BEGIN; ...; COMMIT;` texts; the error of one that lost
    // a race is how pg-boss tells a race from a fault ("already exists", "division by zero").
    const database = await open();
    try {
      await expect(database.executeSql('BEGIN; SELECT 1 AS a; SELECT 1/0 AS b; COMMIT;')).rejects.toThrow(/division by zero/);
      await expect(database.executeSql('BEGIN; CREATE TEMP TABLE t_race (a int); CREATE TEMP TABLE t_race (a int); COMMIT;')).rejects.toThrow(/already exists/);
      // The failed transaction was rolled back: the connection it ran on serves the next ones.
      for (let i = 0; i < 12; i++) expect(await database.executeSql('SELECT $1::int AS n', [i])).toEqual({ rows: [{ n: i }] });
      expect(await database.executeSql('SELECT 1 AS a; SELECT 2 AS b')).toEqual([{ rows: [{ a: 1 }] }, { rows: [{ b: 2 }] }]);
    } finally {
      await database.close();
    }
  });

  it('closes twice without error', async () => {
    const extra = await open();
    await extra.close();
    await expect(extra.close()).resolves.toBeUndefined();
  });
});

describe('the Postgres pool', () => {
  it('cancels a statement that runs past statement_timeout with an error, not a hang', async () => {
    const database = await connect({ url: inject('databaseUrl'), migrate: false, statementTimeoutMs: 300 });
    try {
      const started = Date.now();
      const failure = await database.db.execute(sql`select pg_sleep(5)`).then(
        () => null,
        (err: { cause?: { code?: string }; code?: string }) => err.cause?.code ?? err.code,
      );
      expect(failure).toBe('57014'); // query_canceled
      expect(Date.now() - started).toBeLessThan(3000);
      // The connection is still usable afterwards.
      await expect(database.ping()).resolves.toBeUndefined();
    } finally {
      await database.close();
    }
  });

  it('has a 10 s statement_timeout by default', async () => {
    const database = await connect({ url: inject('databaseUrl'), migrate: false });
    try {
      const rows = (await database.db.execute(sql`show statement_timeout`)) as unknown as Array<{ statement_timeout: string }>;
      expect(rows[0]?.statement_timeout).toBe('10s');
    } finally {
      await database.close();
    }
  });
});

describe('an embedded database folder from an older PGlite', () => {
  // Two embedded databases start here (the old folder's refusal, then a fresh one): slow on a loaded machine.
  it('is moved aside (kept) and a fresh database is made, instead of failing to start', { timeout: 120_000 }, async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'fg-pglite-'));
    try {
      // What PGlite 0.5 (Postgres 18) left: this PGlite (Postgres 19) cannot start on it.
      const dataDir = path.join(root, 'pglite');
      mkdirSync(dataDir);
      writeFileSync(path.join(dataDir, 'PG_VERSION'), '18\n');
      writeFileSync(path.join(dataDir, 'kept.txt'), 'old data');
      const database = await connect({ dataDir });
      try {
        await expect(database.ping()).resolves.toBeUndefined();
        expect(await getBooth(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull(); // migrated
      } finally {
        await database.close();
      }
      const aside = readdirSync(root).filter((name) => name.startsWith('pglite-pg18-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(path.join(root, aside[0]!, 'kept.txt'), 'utf8')).toBe('old data');
      expect(readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim()).not.toBe('18');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
