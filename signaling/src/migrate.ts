// `npm run migrate`: applies pending database migrations and exits (0 done, 1 failed). The
// one-shot step of docker-compose.yml runs it before the app nodes start, so a rolling upgrade's
// schema change happens once, under its own log, not inside whichever node starts first. Nodes still
// migrate on start as well (an advisory lock serialises them; an applied migration is skipped).
import { join } from 'node:path';
import { connect } from '@fairground/db';
import { ConfigError, loadConfig } from './config.ts';

try {
  const config = loadConfig();
  const started = Date.now();
  const database = await connect({ url: config.DATABASE_URL, dataDir: join(config.DATA_DIR, 'pglite'), migrate: true });
  await database.close();
  process.stdout.write(`migrations applied (${database.kind}, ${Date.now() - started} ms)\n`);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `migration failed: ${error instanceof Error ? error.stack : String(error)}`}\n`);
  process.exitCode = 1;
}
