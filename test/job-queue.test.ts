import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { connect, type Database } from '@fairground/db';
import { startJobQueue, type JobQueue } from '../signaling/src/jobs/job-queue.ts';

const silent = { error() {}, warn() {} };

/**
 * The durable job queue (pg-boss) on both databases the platform runs on: real Postgres and the
 * embedded PGlite (DATABASE_URL unset). A job that fails is run again and then succeeds; with two
 * nodes working one queue, each job runs exactly once.
 */
describe.each([
  ['Postgres', () => connect({ url: inject('databaseUrl') })],
  ['PGlite', () => connect({ dataDir: 'memory://' })],
] as const)('the job queue on %s', (_name, open) => {
  const opened: Array<{ database: Database; queues: JobQueue[] }> = [];
  afterAll(async () => {
    for (const o of opened) {
      for (const q of o.queues) await q.stop();
      await o.database.close();
    }
  });

  it('runs a failed job again, and it succeeds', { timeout: 60_000 }, async () => {
    const database = await open();
    const queue = await startJobQueue(database, silent);
    opened.push({ database, queues: [queue] });
    const name = `test-retry-${randomUUID().slice(0, 8)}`;
    await queue.define(name, { retryLimit: 3, retryDelaySeconds: 1, expireInSeconds: 60 });
    const runs: Array<{ retryCount: number; data: unknown }> = [];
    await queue.work<{ n: number }>(
      name,
      async (data, job) => {
        runs.push({ retryCount: job.retryCount, data });
        if (runs.length === 1) throw new Error('the first run fails');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    const id = (await queue.send(name, { n: 7 }))!;
    await vi.waitFor(async () => expect(await queue.state(name, id)).toEqual({ state: 'completed', retryCount: 1 }), { timeout: 30_000, interval: 200 });
    expect(runs).toEqual([
      { retryCount: 0, data: { n: 7 } },
      { retryCount: 1, data: { n: 7 } },
    ]);
  });

  it('gives each job to one of two nodes, once', { timeout: 60_000 }, async () => {
    const database = await open();
    // Two nodes: two queues on the same database (PGlite: one process, so one database shared).
    const [a, b] = [await startJobQueue(database, silent), await startJobQueue(database, silent)];
    opened.push({ database, queues: [a, b] });
    const name = `test-once-${randomUUID().slice(0, 8)}`;
    await a.define(name, { retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 });
    await b.define(name, { retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 });
    const ran: string[] = [];
    for (const q of [a, b]) {
      await q.work<{ k: string }>(
        name,
        async (data) => {
          ran.push(data.k);
          await new Promise((r) => setTimeout(r, 50));
        },
        { pollingIntervalSeconds: 0.5 },
      );
    }
    const keys = Array.from({ length: 12 }, (_, i) => `job-${i}`);
    for (const k of keys) await a.send(name, { k });
    await vi.waitFor(() => expect(ran.length).toBeGreaterThanOrEqual(keys.length), { timeout: 30_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 1500)); // a second run would come within a poll or two
    expect(ran.sort()).toEqual([...keys].sort());
  });
});
