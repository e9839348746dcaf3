import type { Database } from './connect.ts';

// The SvelteKit handler and the signaling server run in one process and must use one connection
// pool (PGlite allows a single opener of its directory). A global symbol survives the web bundle
// carrying its own copy of this module.
const KEY = Symbol.for('fairground.database');
const slot = globalThis as unknown as { [KEY]?: Database };

/** Makes the process's database reachable for the web app's server-side code. */
export function shareDatabase(database: Database): void {
  slot[KEY] = database;
}

export function sharedDatabase(): Database {
  const database = slot[KEY];
  if (!database) throw new Error('No database has been opened in this process (start the platform with npm start)');
  return database;
}
