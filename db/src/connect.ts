import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import postgres from 'postgres';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  /** `postgres` when DATABASE_URL was given, else the embedded `pglite`. */
  kind: 'postgres' | 'pglite';
  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
  /**
   * Raw SQL for a library that brings its own statements (the job queue, pg-boss), on the same
   * connections: `{ rows }`, or one such result per statement when `text` holds several (then
   * without `values`, sent as a simple query).
   */
  executeSql(text: string, values?: unknown[]): Promise<SqlResult | SqlResult[]>;
  close(): Promise<void>;
}

export interface SqlResult {
  rows: Array<Record<string, unknown>>;
}

export interface ConnectOptions {
  /** A postgres:// URL; without one an embedded PGlite database is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps nothing. */
  dataDir?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * Postgres cancels any statement running longer than this (ms; default 10 s, 0 = never), so a
   * runaway query or a lock wait fails with an error instead of holding a pool connection forever.
   * PGlite has one connection in-process and ignores it.
   */
  statementTimeoutMs?: number;
}

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/** Opens the database the config names and brings its schema up to date. */
export async function connect(options: ConnectOptions = {}): Promise<Database> {
  const database = options.url
    ? await connectPostgres(options.url, options.migrate ?? true, options.statementTimeoutMs ?? 10_000)
    : await connectPglite(options.dataDir ?? './data/pglite', options.migrate ?? true);
  return database;
}

async function connectPostgres(url: string, runMigrations: boolean, statementTimeoutMs: number): Promise<Database> {
  if (runMigrations) {
    // Several app nodes may start at once: a session-level advisory lock on one dedicated
    // connection makes them apply migrations one after the other.
    const lockClient = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await lockClient`select pg_advisory_lock(727274)`;
      await migratePostgres(drizzlePostgres(lockClient, { schema }), { migrationsFolder });
      await lockClient`select pg_advisory_unlock(727274)`;
    } finally {
      await lockClient.end();
    }
  }
  // A startup parameter, so every pooled connection has it from its first statement on.
  // connect_timeout: a server that is down or unreachable fails a request in seconds (answered as
  // UNAVAILABLE), instead of postgres.js's default 30 s wait.
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: 5,
    connection: { statement_timeout: statementTimeoutMs },
    // TCP_NODELAY: postgres.js 4 sets it on every connection itself (a pipelined query must not
    // wait for the server's delayed ACK on the hot paths), so no socket factory is needed here.
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    executeSql: async (text, values) => {
      // As node-postgres sends them (what such libraries expect): plain objects as JSON text, and
      // dates as ISO text (postgres.js cannot serialize a Date bound to a parameter the server
      // typed as text or unknown, which pg-boss's maintenance queries do).
      const params = values?.map((v) =>
        v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) ? JSON.stringify(v) : v,
      );
      if (params?.length) return { rows: [...(await client.unsafe(text, params as never[]))] };
      // Several statements go as one simple query; postgres.js answers one result per statement.
      // On a reserved connection: pg-boss wraps its installs in BEGIN ... COMMIT, and one that
      // fails midway (another node installed the schema first: "already exists", which pg-boss
      // expects and accepts) leaves the transaction failed; on a pooled connection postgres.js
      // then answers UNSAFE_TRANSACTION instead of the error, and the node died at start.
      const reserved = await client.reserve();
      let result: Array<Record<string, unknown>> | Array<Array<Record<string, unknown>>>;
      try {
        result = (await reserved.unsafe(text).simple()) as unknown as typeof result;
      } catch (error) {
        await reserved.unsafe('rollback').catch(() => {});
        throw error;
      } finally {
        reserved.release();
      }
      return result.length > 0 && Array.isArray(result[0])
        ? (result as Array<Array<Record<string, unknown>>>).map((r) => ({ rows: [...r] }))
        : { rows: [...(result as Array<Record<string, unknown>>)] };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.end({ timeout: 5 });
    },
  };
}

/** The Postgres major a data folder was made by (its PG_VERSION file), or null when it has none. */
function dataDirMajor(dataDir: string): string | null {
  const file = path.join(dataDir, 'PG_VERSION');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/**
 * V8 in Node 22-24 can abort the whole process while freeing dead WebAssembly code under PGlite
 * ("Check failed: jit_page_->allocations_.erase(addr) == 1" in UnregisterWasmAllocation; nodejs/node
 * #64500): it killed the e2e web server here once at start. With wasm code GC off, code replaced by
 * the optimizing tier is kept instead of freed (a few MB for PGlite's module), and that path never
 * runs. Read by V8 each time it would collect, so setting it before PGlite's module exists is enough.
 */
function keepWasmCode(): void {
  setFlagsFromString('--no-wasm-code-gc');
}

/**
 * Opens PGlite's data folder. A folder made by an older PGlite (another Postgres major: PGlite 0.5
 * embedded Postgres 18, 0.6 embeds 19) cannot be opened by this one, and PGlite has no pg_upgrade:
 * it is the development database of `npm start`, so it is moved aside (kept, renamed) with a warning
 * and a fresh one is made, instead of `npm start` failing on "PGlite failed to initialize properly".
 */
async function openPglite(dataDir: string): Promise<PGlite> {
  keepWasmCode();
  if (dataDir.startsWith('memory://')) return PGlite.create(dataDir);
  mkdirSync(dataDir, { recursive: true });
  try {
    return await PGlite.create(dataDir);
  } catch (error) {
    const found = dataDirMajor(dataDir);
    if (found === null) throw error;
    const probe = await PGlite.create('memory://');
    const [row] = (await probe.query<{ major: string }>(`select current_setting('server_version_num')::int / 10000 as major`)).rows;
    await probe.close();
    const embedded = String(row?.major);
    if (found === embedded) throw error; // the right major, so something else is wrong: keep the folder as it is
    const aside = `${dataDir.replace(/\/+$/, '')}-pg${found}-${Date.now()}`;
    renameSync(dataDir, aside);
    console.warn(
      `[db] ${dataDir} was made by Postgres ${found} (an older PGlite); this PGlite embeds Postgres ${embedded}. Moved it to ${aside} and made a fresh database.`,
    );
    mkdirSync(dataDir, { recursive: true });
    return PGlite.create(dataDir);
  }
}

async function connectPglite(dataDir: string, runMigrations: boolean): Promise<Database> {
  const client = await openPglite(dataDir);
  const pgliteDb = drizzlePglite(client, { schema });
  if (runMigrations) await migratePglite(pgliteDb, { migrationsFolder });
  const db = pgliteDb as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    executeSql: async (text, values) => {
      const params = values?.map((v) =>
        v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v) && !Array.isArray(v) ? JSON.stringify(v) : v,
      );
      if (params?.length) return { rows: (await client.query<Record<string, unknown>>(text, params)).rows };
      let results;
      try {
        results = await client.exec(text);
      } catch (error) {
        // A BEGIN ... COMMIT text that failed midway leaves the one connection's transaction
        // failed: roll it back, or every later statement is refused (the same as on Postgres).
        await client.exec('rollback').catch(() => {});
        throw error;
      }
      return results.length === 1 ? { rows: results[0]!.rows } : results.map((r) => ({ rows: r.rows }));
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
