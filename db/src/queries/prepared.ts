import type { SQL } from 'drizzle-orm';
import type { Db } from '../connect.ts';

/** A statement parsed and planned once per connection, run with values for its placeholders. */
export interface Prepared<Row> {
  run(values: Record<string, unknown>): Promise<Row[]>;
}

type Internals = {
  dialect: { sqlToQuery(sql: SQL): { sql: string; params: unknown[] } };
  session: {
    prepareQuery(
      query: { sql: string; params: unknown[] },
      fields: undefined,
      name: string,
      arrayMode: boolean,
    ): { execute(values: Record<string, unknown>): Promise<unknown> };
  };
};

const cache = new WeakMap<Db, Map<string, Prepared<unknown>>>();

/**
 * A named prepared statement over raw SQL (`sql.placeholder('x')` for its values), for the hot
 * paths: drizzle builds the text once instead of per call, and on Postgres postgres.js prepares it
 * once per pooled connection (a name asks drizzle for `prepare: true`), so the server skips parsing
 * and planning after the first run. PGlite runs the same statement in-process. Rows come back raw
 * (column names as in SQL, timestamps as the driver gives them): see `toDate`.
 *
 * drizzle has no public way to prepare a raw `sql` (only its query builders have `.prepare()`),
 * so this is the one place that uses its session directly; one statement per (database, name).
 */
export function prepared<Row>(db: Db, name: string, statement: () => SQL): Prepared<Row> {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  const hit = byName.get(name);
  if (hit) return hit as Prepared<Row>;
  const internals = db as unknown as Internals;
  const query = internals.session.prepareQuery(internals.dialect.sqlToQuery(statement()), undefined, name, false);
  const made: Prepared<Row> = {
    async run(values) {
      const result = (await query.execute(values)) as Row[] | { rows: Row[] };
      // postgres.js answers with the rows; PGlite with a result that holds them.
      return Array.isArray(result) ? result : result.rows;
    },
  };
  byName.set(name, made as Prepared<unknown>);
  return made;
}

/** A timestamp from a raw row: drizzle has both drivers hand them over as text, not parsed. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function toDateOrNull(value: unknown): Date | null {
  return value == null ? null : toDate(value);
}
