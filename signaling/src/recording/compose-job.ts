import type { Logger } from 'pino';
import type { DomainEvents, RecordingService } from '@fairground/core';
import type { JobKind, JobQueue } from '../jobs/job-queue.ts';
import { COMPOSE_JOB, composeReplay } from './compose.ts';

export interface ComposeJobOptions {
  jobs: JobQueue;
  recordings: Pick<RecordingService, 'segments' | 'composing' | 'ready' | 'retrying' | 'failed'>;
  /** `recording.queued` (after a broadcast's end, an organizer's retry) sends the job. */
  events: Pick<DomainEvents, 'on'>;
  /** The broadcast's host user ids, first placed first. */
  hosts(broadcastId: string): Promise<string[]>;
  dir: string;
  ffmpeg: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** This node's incarnation (the recorder's segment `nodeId`). */
  nodeId?: string;
  /** Whether this node runs compositions (RECORDING); every node may send them. */
  work: boolean;
  /** Tests use their own queue name and shorter delays; production the defaults. */
  queue?: string;
  kind?: JobKind;
  openSegmentGraceMs?: number;
  pollingIntervalSeconds?: number;
}

/** Four retries, 30 s doubling (30 s, 1, 2, 4 min): a node that died mid-write has closed its segments by then. */
export const COMPOSE_JOB_KIND: JobKind = { retryLimit: 4, retryDelaySeconds: 30, expireInSeconds: 4 * 3600 };

/**
 * The replay's composition as a durable job (pg-boss): sent on `recording.queued`, run by one
 * node at a time, retried by the queue. The recording's status says which: a failed attempt with
 * a retry to come stays `queued` with its error ("retrying"); only the last one marks it `failed`.
 * Returns the unsubscribe of the event.
 */
export async function startComposeJobs(o: ComposeJobOptions): Promise<() => void> {
  const queue = o.queue ?? COMPOSE_JOB;
  const kind = o.kind ?? COMPOSE_JOB_KIND;
  await o.jobs.define(queue, kind);
  if (o.work) {
    await o.jobs.work<{ broadcastId: string; endsAt: string }>(
      queue,
      async ({ broadcastId, endsAt }, job) => {
        try {
          await composeReplay(
            { recordings: o.recordings, dir: o.dir, ffmpeg: o.ffmpeg, log: o.log, hosts: o.hosts, openSegmentGraceMs: o.openSegmentGraceMs, nodeId: o.nodeId },
            broadcastId,
            new Date(endsAt),
          );
        } catch (err) {
          const last = job.retryCount >= kind.retryLimit;
          const attempt = `attempt ${job.retryCount + 1} of ${kind.retryLimit + 1}: ${err instanceof Error ? err.message : String(err)}`;
          o.log.warn({ broadcastId, err: String(err), last }, last ? 'composing a replay failed for good' : 'composing a replay failed; the queue tries again');
          if (last) await o.recordings.failed(broadcastId, attempt);
          else await o.recordings.retrying(broadcastId, attempt);
          throw err;
        }
      },
      o.pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: o.pollingIntervalSeconds },
    );
  }
  return o.events.on('recording.queued', ({ broadcastId, endsAt }) =>
    o.jobs.send(queue, { broadcastId, endsAt: endsAt.toISOString() }).then(
      () => undefined,
      (err: unknown) => o.log.warn({ broadcastId, err: String(err) }, 'sending a composition job failed'),
    ),
  );
}
