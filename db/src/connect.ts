import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
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
  close(): Promise<void>;
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
    // postgres.js reads `socket` (a factory of connected sockets) but its types do not declare it.
    ...({ socket: noDelaySocket } as object),
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * postgres.js connects plain `net.Socket`s, which keep Nagle's algorithm on. When the pool is busy
 * it pipelines queries on a connection, and a small query written while the previous one is
 * unacknowledged then waits for the server's delayed ACK (up to 40 ms on Linux): latency tails on
 * the hot paths under load. This hands it sockets with TCP_NODELAY instead. They are returned still
 * connecting (writes wait in the socket until it connects), so postgres.js's own connect timeout
 * and error handling apply exactly as with the sockets it makes itself.
 */
function noDelaySocket(options: { host: string[]; port: number[]; path?: string | false }): Socket {
  return options.path ? createConnection({ path: options.path }) : createConnection({ host: options.host[0], port: options.port[0]!, noDelay: true });
}

async function connectPglite(dataDir: string, runMigrations: boolean): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
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
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
