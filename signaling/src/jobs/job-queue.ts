import { PgBoss, type Job } from 'pg-boss';
import type { Database } from '@fairground/db';
import type { Logger } from 'pino';

/** How a kind of job is retried: up to `retryLimit` more runs, the delay doubling from `retryDelaySeconds`. */
export interface JobKind {
  retryLimit: number;
  retryDelaySeconds: number;
  /** A run taking longer than this fails (and is retried). */
  expireInSeconds: number;
}

export interface JobQueue {
  /** Declares a kind of job (idempotent); do it before sending or working. */
  define(name: string, kind: JobKind): Promise<void>;
  /** Enqueues a job (durable once this resolves); returns its id. */
  send(name: string, data: object): Promise<string | null>;
  /**
   * Runs this node's share of a kind's jobs: each job runs on one node at a time (rows claimed with
   * SKIP LOCKED); a handler that throws is retried by the kind's policy.
   */
  work<T extends object>(
    name: string,
    handler: (data: T, job: { id: string; retryCount: number }) => Promise<void>,
    options?: { pollingIntervalSeconds?: number },
  ): Promise<void>;
  /** A job's state (tests, operators): created, retry, active, completed, failed, cancelled. */
  state(name: string, id: string): Promise<{ state: string; retryCount: number } | null>;
  stop(): Promise<void>;
}

/**
 * A durable job queue on the platform's Postgres (pg-boss, its own schema `pgboss`), on the same
 * connections as everything else (`Database.executeSql`: postgres.js, or the embedded PGlite when
 * DATABASE_URL is unset). Generic: recording's composition uses it; integrations may too.
 */
export async function startJobQueue(database: Pick<Database, 'executeSql'>, log: Pick<Logger, 'error' | 'warn'>): Promise<JobQueue> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => database.executeSql(text, values) as never },
    schema: 'pgboss',
    // pg-boss's own maintenance (expiry, archiving) runs on one node at a time, by its own lock.
    supervise: true,
  });
  boss.on('error', (err: Error) => log.error({ err: String(err) }, 'job queue error'));
  await boss.start();
  let stopped = false;
  return {
    async define(name, kind) {
      const options = { retryLimit: kind.retryLimit, retryDelay: kind.retryDelaySeconds, retryBackoff: true, expireInSeconds: kind.expireInSeconds };
      if (await boss.getQueue(name)) await boss.updateQueue(name, options);
      else
        await boss.createQueue(name, options).catch(async (err: unknown) => {
          // Another node created it meanwhile.
          if (!(await boss.getQueue(name))) throw err;
        });
    },
    send: (name, data) => boss.send(name, data),
    async work(name, handler, options = {}) {
      await boss.work<object>(name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, batchSize: 1 }, async (jobs: Job<object>[]) => {
        for (const job of jobs) await handler(job.data as never, { id: job.id, retryCount: (job as unknown as { retryCount?: number }).retryCount ?? 0 });
      });
    },
    async state(name, id) {
      const job = await boss.getJobById(name, id);
      return job ? { state: job.state, retryCount: job.retryCount } : null;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
