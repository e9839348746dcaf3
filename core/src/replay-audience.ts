import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import type { Actor } from './actor.ts';
import type { RecordingService } from './recordings.ts';
import { ServiceError } from './errors.ts';
import { validate } from './validate.ts';

const { replayViews } = schema;

/** The player's top speed: a view cannot play more media than wall time × this (plus the slack below). */
export const REPLAY_MAX_SPEED = 2;
/** Allowance for a heartbeat's own delay and the player's buffering ahead. */
export const REPLAY_BEAT_SLACK_MS = 10_000;
/** Views one identity may add to one replay in a day; more still play, uncounted. */
export const REPLAY_VIEWS_PER_IDENTITY_PER_DAY = 20;
/** A view counts as completed at this share of the replay watched. */
export const REPLAY_COMPLETED_SHARE = 0.9;

export const replayBeatSchema = z.strictObject({
  /** Made by the page once per load: the view's idempotent id. */
  session: z.uuid('invalid'),
  /** Media time played in this view so far (cumulative, so a repeated beat adds nothing). */
  watchedMs: z
    .int('invalid')
    .min(0, 'invalid')
    .max(24 * 3600_000, 'invalid'),
  /** A visitor who is not signed in: the browser's device id (as the live stage sends it). */
  device: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, 'invalid')
    .optional(),
});
export type ReplayBeat = z.infer<typeof replayBeatSchema>;

export interface ReplayStats {
  /** Page loads that played the replay (one per view session). */
  views: number;
  unique: number;
  watchSeconds: number;
  /** watchSeconds / unique. */
  averageWatchSeconds: number;
  /** Views that watched at least 90% of the replay. */
  completed: number;
  /** Mean share of the replay watched per view, 0-100. */
  completionPercent: number;
}

/**
 * Replay numbers (views, unique viewers, watch time, completion), apart from the live audience.
 * The player sends a heartbeat with its view's session id and the media time it has played; the
 * first beat of a session counts the view, later ones only raise its watch time, which is clamped
 * to the replay's length and to what could have been played since the view began.
 */
export class ReplayAudience {
  constructor(
    private readonly db: Db,
    private readonly recordings: RecordingService,
  ) {}

  /** A heartbeat. `counted` is false when the view is beyond the identity's daily limit. */
  async beat(actor: Actor, broadcastId: string, input: unknown, now = new Date()): Promise<{ counted: boolean }> {
    const { session, watchedMs, device } = validate(replayBeatSchema, input);
    const replay = await this.recordings.replayFor(actor, broadcastId);
    if (!replay || replay.status !== 'ready' || !replay.durationMs) throw new ServiceError('NOT_FOUND', 'No replay here');
    const identity = actor ? actor.id : device ? `device:${device}` : null;
    if (!identity) throw new ServiceError('INVALID', 'A visitor’s beat names its device', { device: 'required' });
    const at = now.toISOString();
    const duration = replay.durationMs;
    return this.db.transaction(async (tx) => {
      // One identity's beats one after the other (two tabs, two nodes): the daily limit holds.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${broadcastId + identity}))`);
      const [existing] = await tx
        .select({ identity: replayViews.identity, startedAt: replayViews.startedAt })
        .from(replayViews)
        .where(and(eq(replayViews.broadcastId, broadcastId), eq(replayViews.sessionId, session)));
      if (existing && existing.identity !== identity) throw new ServiceError('NOT_FOUND', 'No such view');
      if (!existing) {
        const [{ n } = { n: 0 }] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(replayViews)
          .where(
            and(
              eq(replayViews.broadcastId, broadcastId),
              eq(replayViews.identity, identity),
              sql`${replayViews.startedAt} > ${at}::timestamptz - interval '1 day'`,
            ),
          );
        if (n >= REPLAY_VIEWS_PER_IDENTITY_PER_DAY) return { counted: false };
        // The first beat comes when playback starts: nothing played yet can be counted.
        await tx.insert(replayViews).values({ broadcastId, sessionId: session, identity, startedAt: now, lastBeatAt: now, watchedMs: 0 });
        return { counted: true };
      }
      const possible = Math.max(0, now.getTime() - existing.startedAt.getTime()) * REPLAY_MAX_SPEED + REPLAY_BEAT_SLACK_MS;
      const clamped = Math.min(watchedMs, duration, possible);
      await tx
        .update(replayViews)
        .set({ watchedMs: sql`greatest(${replayViews.watchedMs}, ${clamped})`, lastBeatAt: now })
        .where(and(eq(replayViews.broadcastId, broadcastId), eq(replayViews.sessionId, session)));
      return { counted: true };
    });
  }
}

/** A broadcast's replay numbers (the report's "Replay" column); zeros without a replay. */
export async function replayStats(db: Db, broadcastId: string): Promise<ReplayStats> {
  const duration = sql`nullif((select ${schema.broadcastRecordings.durationMs} from ${schema.broadcastRecordings} where ${schema.broadcastRecordings.broadcastId} = ${broadcastId}), 0)`;
  const [row] = await db
    .select({
      views: sql<number>`count(*)::int`,
      unique: sql<number>`count(distinct ${replayViews.identity})::int`,
      watchMs: sql<number>`coalesce(sum(${replayViews.watchedMs}), 0)::float8`,
      completed: sql<number>`count(*) filter (where ${replayViews.watchedMs} >= ${REPLAY_COMPLETED_SHARE}::float8 * ${duration})::int`,
      share: sql<number | null>`avg(least(1, ${replayViews.watchedMs}::float8 / ${duration}))::float8`,
    })
    .from(replayViews)
    .where(eq(replayViews.broadcastId, broadcastId));
  const unique = row?.unique ?? 0;
  const watchSeconds = Math.floor((row?.watchMs ?? 0) / 1000);
  return {
    views: row?.views ?? 0,
    unique,
    watchSeconds,
    averageWatchSeconds: unique ? Math.round(watchSeconds / unique) : 0,
    completed: row?.completed ?? 0,
    completionPercent: Math.round((row?.share ?? 0) * 100),
  };
}
