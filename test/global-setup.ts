import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connect } from '@fairground/db';
import { seedDemo } from '@fairground/demo';
import { ensureWorker } from '../media-server/scripts/ensure-worker.mjs';
import { checkServices } from '../scripts/check-services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database made for this run, migrated and seeded with the demo data once. */
    databaseUrl: string;
    redisUrl: string;
    /** Prefix for this run's Redis keys, so parallel runs never share state. */
    redisPrefix: string;
    /** The mediasoup worker binary (stock, or built from Debian's libraries and cached). */
    workerBin: string;
  }
}

const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One fresh Postgres database per test run, dropped at the end; Redis keys namespaced per run. */
export default async function setup(project: TestProject) {
  // `npx vitest` without the services: say how to get them, not a connection error in a test.
  const problem = await checkServices({ browser: false });
  if (problem) throw new Error(problem);
  const name = `fairground_test_${process.pid}_${Date.now()}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await connect({ url: url.toString() });
  await seedDemo(database.db);
  await database.close();

  project.provide('workerBin', await ensureWorker({ log: (m: string) => process.stderr.write(`${m}\n`) }));
  project.provide('databaseUrl', url.toString());
  project.provide('redisUrl', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  project.provide('redisPrefix', `fgtest${process.pid}${Date.now()}`);

  return async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
}
