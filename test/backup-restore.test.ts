// docs/DEPLOY.md, "Backups and restore": the documented pg_dump and pg_restore commands (the
// compose file runs them inside its Postgres container; here the machine's own, the same major
// version) on a migrated and seeded database with an upload in it. A restore over a database that
// changed since brings back exactly what the dump held, and a node's start finds nothing to migrate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, schema } from '@fairground/db';
import { freshDatabase } from './helpers.ts';

describe('backup and restore with pg_dump and pg_restore', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;

  beforeAll(async () => {
    fresh = await freshDatabase('backup');
    dir = mkdtempSync(path.join(tmpdir(), 'fairground-backup-'));
  });
  afterAll(async () => {
    await fresh?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A digest of every table's rows (and the list of tables), in every schema the app owns. */
  async function digest(url: string): Promise<Record<string, string>> {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const tables = await sql<Array<{ name: string }>>`
        select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1`;
      const out: Record<string, string> = {};
      for (const { name } of tables) {
        const [row] = await sql.unsafe(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${name} t`);
        out[name] = `${row!.n}:${row!.h}`;
      }
      return out;
    } finally {
      await sql.end();
    }
  }

  it('restores exactly what the dump held over a database that changed since, and a node then starts on it', async () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) % 256);
    const [seeker] = await fresh.database.db.select().from(schema.users).where(eq(schema.users.email, 'seeker@example.com'));
    await fresh.database.db
      .insert(schema.uploads)
      .values({ ownerId: seeker!.id, kind: 'resume', filename: 'cv.pdf', contentType: 'application/pdf', size: bytes.length, data: bytes });
    const before = await digest(fresh.url);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['public.users', 'public.uploads', 'public.queue_entries', 'drizzle.__drizzle_migrations']));

    // `pg_dump -Fc` while the database is in use (the platform's pool is connected).
    const dump = path.join(dir, 'fairground.dump');
    execFileSync('sh', ['-c', `pg_dump -Fc "$0" > "$1"`, fresh.url, dump]);

    // Later changes: a new account, an upload gone, a line joined.
    await fresh.database.db.insert(schema.users).values({ email: 'after-backup@example.com', name: 'After', role: 'seeker' });
    await fresh.database.db.delete(schema.uploads).where(eq(schema.uploads.filename, 'cv.pdf'));
    expect(await digest(fresh.url)).not.toEqual(before);
    await fresh.database.close();

    // The documented restore (nodes stopped): `pg_restore -d <db> --clean --if-exists`.
    execFileSync('sh', ['-c', `pg_restore -d "$0" --clean --if-exists < "$1"`, fresh.url, dump]);
    expect(await digest(fresh.url)).toEqual(before);

    // A node starting on it: migrations find nothing to do, the upload's bytes are back.
    const restarted = await connect({ url: fresh.url }); // migrates, as a node's start does
    try {
      const [upload] = await restarted.db.select().from(schema.uploads).where(eq(schema.uploads.filename, 'cv.pdf'));
      expect(Buffer.from(upload!.data).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await restarted.close();
    }
    expect(await digest(fresh.url)).toEqual(before);
  }, 60_000);
});
