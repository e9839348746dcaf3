import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import type { Actor } from './actor.ts';
import type { BroadcastService, LoadedBroadcast } from './broadcasts.ts';
import { ServiceError } from './errors.ts';
import type { DomainEvents } from './events.ts';
import { enqueueWebhookEvent } from './outbox.ts';
import { validate } from './validate.ts';

const { broadcastRecordings, recordingSegments, broadcasts } = schema;

export type RecordingStatus = (typeof schema.recordingStatus.enumValues)[number];
export type ReplayVisibility = (typeof schema.replayVisibility.enumValues)[number];
export type RecordingSegment = typeof recordingSegments.$inferSelect;
export type RecordingRow = typeof broadcastRecordings.$inferSelect;

/** What a new segment says about itself (the recorder, when it taps a producer). */
export interface SegmentStart {
  broadcastId: string;
  producerId: string;
  peerId: string;
  userId: string | null;
  source: string;
  kind: 'audio' | 'video';
  codec: string;
  nodeId: string;
  fileKey: string;
  startedAt: Date;
}

/** What the replay page and the organizer's report read (`replayFor`). */
export interface Replay {
  status: RecordingStatus;
  /** Composition progress, 0-100. */
  progress: number;
  durationMs: number | null;
  /** Set when ready and the actor may watch: served through the recording endpoint. */
  hlsUrl: string | null;
  mp4Url: string | null;
  visibility: ReplayVisibility;
  published: boolean;
  /** The actor is a host or organizer: may change the settings, retry, delete. */
  canManage: boolean;
  error: string | null;
}

const replaySettingsSchema = z.strictObject({
  visibility: z.enum(['public', 'signed_in', 'nobody']).optional(),
  published: z.boolean().optional(),
});
export type ReplaySettings = z.infer<typeof replaySettingsSchema>;

/** The file endpoint's paths; the replay's files are named under its broadcast. */
export const replayPaths = {
  mp4: (broadcastId: string) => `/recordings/${broadcastId}/replay.mp4`,
  hls: (broadcastId: string) => `/recordings/${broadcastId}/hls/index.m3u8`,
};

/**
 * A broadcast's recording (docs/ARCHITECTURE.md, "Recording"): the host's setting before going
 * live, the segments the recorder writes while live, the replay's status through composition,
 * and who may watch it. Files are not this module's: it names them by keys, signaling stores them.
 */
/** Where a recording's files are deleted (signaling's storage: its directory, and S3 when configured). */
export interface RecordingFiles {
  delete(target: { keys?: string[]; prefix?: string }): Promise<void>;
}

/** May this actor watch the replay (hosts and organizers always; others by its settings)? */
export function mayWatch(actor: Actor, row: Pick<RecordingRow, 'published' | 'visibility'>, isHost: boolean): boolean {
  if (isHost) return true;
  if (!row.published) return false;
  if (row.visibility === 'public') return true;
  if (row.visibility === 'signed_in') return actor !== null;
  return false;
}

export class RecordingService {
  #files: RecordingFiles | null = null;

  constructor(
    private readonly db: Db,
    private readonly broadcasts: BroadcastService,
    /** `recording.queued` goes out here: signaling sends the composition job (signaling/src/recording/compose-job.ts). */
    private readonly events?: DomainEvents,
  ) {}

  /** The platform names its storage once it has opened it: `remove` then deletes the files too. */
  useFiles(files: RecordingFiles): void {
    this.#files = files;
  }

  async #row(broadcastId: string): Promise<RecordingRow | null> {
    const [row] = await this.db.select().from(broadcastRecordings).where(eq(broadcastRecordings.broadcastId, broadcastId));
    return row ?? null;
  }

  async #hostOf(actor: Actor, broadcastId: string): Promise<LoadedBroadcast> {
    const { broadcast, isHost } = await this.broadcasts.access(actor, broadcastId);
    if (!isHost) throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers manage its recording');
    return broadcast;
  }

  /** Whether this broadcast is (or will be) recorded: the stage's "recording" mark. */
  async isRecorded(broadcastId: string): Promise<boolean> {
    const row = await this.#row(broadcastId);
    return row?.enabled ?? true;
  }

  /**
   * A host turns recording on or off. Only before it went live: once a segment exists the
   * recording is what viewers were told (the mark they saw), so it is CONFLICT then, and after the end.
   */
  async setEnabled(actor: Actor, broadcastId: string, enabled: boolean, now = new Date()): Promise<void> {
    const broadcast = await this.#hostOf(actor, broadcastId);
    if (broadcast.endsAt <= now) throw new ServiceError('CONFLICT', 'This broadcast has ended');
    await this.db.transaction(async (tx) => {
      const [segment] = await tx.select({ id: recordingSegments.id }).from(recordingSegments).where(eq(recordingSegments.broadcastId, broadcastId)).limit(1);
      if (segment) throw new ServiceError('CONFLICT', 'Recording has started; it can no longer be turned off');
      await tx
        .insert(broadcastRecordings)
        .values({ broadcastId, enabled, status: enabled ? 'idle' : 'off' })
        .onConflictDoUpdate({ target: broadcastRecordings.broadcastId, set: { enabled, status: enabled ? 'idle' : 'off', updatedAt: now } });
    });
  }

  /**
   * The recorder asks before tapping a producer: recorded (the default) and not ended. Marks the
   * recording `recording` (one row per broadcast, made on the first segment).
   */
  async beginSegment(segment: SegmentStart, now = new Date()): Promise<string | null> {
    return this.db.transaction(async (tx) => {
      const [b] = await tx.select({ endsAt: broadcasts.endsAt }).from(broadcasts).where(eq(broadcasts.id, segment.broadcastId));
      if (!b || b.endsAt <= now) return null;
      const [row] = await tx
        .insert(broadcastRecordings)
        .values({ broadcastId: segment.broadcastId, status: 'recording' })
        .onConflictDoUpdate({
          target: broadcastRecordings.broadcastId,
          set: { status: 'recording', updatedAt: now },
          setWhere: sql`${broadcastRecordings.enabled} and ${broadcastRecordings.status} in ('idle', 'recording')`,
        })
        .returning({ enabled: broadcastRecordings.enabled });
      if (!row?.enabled) return null;
      const [inserted] = await tx.insert(recordingSegments).values(segment).returning({ id: recordingSegments.id });
      return inserted!.id;
    });
  }

  /** The tap stopped (its producer closed, its worker died, the broadcast ended). Once. */
  async endSegment(id: string, endedAt: Date, bytes: number | null): Promise<void> {
    await this.db
      .update(recordingSegments)
      .set({ endedAt, bytes })
      .where(and(eq(recordingSegments.id, id), isNull(recordingSegments.endedAt)));
  }

  async segments(broadcastId: string): Promise<RecordingSegment[]> {
    return this.db.select().from(recordingSegments).where(eq(recordingSegments.broadcastId, broadcastId)).orderBy(asc(recordingSegments.startedAt));
  }

  /**
   * After the end: a recording with segments is queued for composition (true once; the
   * `recording.queued` event then sends the job); one without stays `idle` (nothing was live).
   */
  async queueComposition(broadcastId: string, now = new Date()): Promise<boolean> {
    const rows = await this.db
      .update(broadcastRecordings)
      .set({ status: 'queued', progress: 0, error: null, updatedAt: now })
      .where(and(eq(broadcastRecordings.broadcastId, broadcastId), inArray(broadcastRecordings.status, ['recording', 'failed'])))
      .returning({ id: broadcastRecordings.broadcastId });
    if (rows.length === 0) return false;
    const [b] = await this.db.select({ endsAt: broadcasts.endsAt }).from(broadcasts).where(eq(broadcasts.id, broadcastId));
    this.events?.emit('recording.queued', { broadcastId, endsAt: b?.endsAt ?? now });
    return true;
  }

  /** An organizer or host composes a failed replay again: queued, and the job is sent. */
  async retry(actor: Actor, broadcastId: string): Promise<boolean> {
    await this.#hostOf(actor, broadcastId);
    const row = await this.#row(broadcastId);
    if (row?.status !== 'failed') throw new ServiceError('CONFLICT', 'Only a failed replay can be composed again');
    return this.queueComposition(broadcastId);
  }

  async composing(broadcastId: string, progress: number, now = new Date()): Promise<void> {
    await this.db
      .update(broadcastRecordings)
      .set({ status: 'composing', progress: Math.max(0, Math.min(100, Math.round(progress))), updatedAt: now })
      // A late progress report never turns a finished (or failed) replay back.
      .where(and(eq(broadcastRecordings.broadcastId, broadcastId), inArray(broadcastRecordings.status, ['queued', 'composing'])));
  }

  /**
   * The replay is composed. Its `replay.ready` webhook event (for the broadcast's fair) is written
   * in the same transaction, and only by the update that made it ready: a second call (a job run
   * twice after a lost acknowledgement) changes nothing and sends nothing.
   */
  async ready(broadcastId: string, out: { hlsKey: string; mp4Key: string; durationMs: number; startedAt: Date }, now = new Date()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(broadcastRecordings)
        .set({ status: 'ready', progress: 100, ...out, error: null, updatedAt: now })
        .where(and(eq(broadcastRecordings.broadcastId, broadcastId), sql`${broadcastRecordings.status} <> 'ready'`))
        .returning({ id: broadcastRecordings.broadcastId });
      if (rows.length === 0) return false;
      const [b] = await tx.select({ fairId: broadcasts.fairId, title: broadcasts.title }).from(broadcasts).where(eq(broadcasts.id, broadcastId));
      if (b?.fairId) {
        await enqueueWebhookEvent(tx as unknown as Db, {
          type: 'replay.ready',
          subject: `broadcast:${broadcastId}`,
          employerId: null,
          fairId: b.fairId,
          data: { broadcastId, fairId: b.fairId, title: b.title, durationMs: out.durationMs, replayPath: `/broadcasts/${broadcastId}` },
          at: now,
        });
      }
      return true;
    });
  }

  /**
   * A composition attempt failed and the job queue runs it again: still `queued`, the error kept
   * for the organizer to see ("retrying"), not `failed` while a retry is to come.
   */
  async retrying(broadcastId: string, error: string, now = new Date()): Promise<void> {
    await this.db
      .update(broadcastRecordings)
      .set({ status: 'queued', error: error.slice(0, 500), updatedAt: now })
      .where(and(eq(broadcastRecordings.broadcastId, broadcastId), inArray(broadcastRecordings.status, ['queued', 'composing'])));
  }

  /** The last attempt failed (or there is nothing to compose): the host may retry by hand. */
  async failed(broadcastId: string, error: string, now = new Date()): Promise<void> {
    await this.db
      .update(broadcastRecordings)
      .set({ status: 'failed', error: error.slice(0, 500), updatedAt: now })
      .where(and(eq(broadcastRecordings.broadcastId, broadcastId), sql`${broadcastRecordings.status} <> 'ready'`));
  }

  /** Who may watch, and whether it is published: hosts and organizers only. */
  async configure(actor: Actor, broadcastId: string, input: ReplaySettings, now = new Date()): Promise<void> {
    const settings = validate(replaySettingsSchema, input);
    await this.#hostOf(actor, broadcastId);
    await this.db
      .insert(broadcastRecordings)
      .values({ broadcastId, ...settings })
      .onConflictDoUpdate({ target: broadcastRecordings.broadcastId, set: { ...settings, updatedAt: now } });
  }

  /**
   * The replay as this actor sees it, or null when there is none for them (never recorded, or
   * they may not watch it). Files are named only when ready and the actor may watch.
   */
  async replayFor(actor: Actor, broadcastId: string): Promise<Replay | null> {
    const { isHost } = await this.broadcasts.access(actor, broadcastId);
    const row = await this.#row(broadcastId);
    if (!row || (!isHost && (row.status !== 'ready' || !mayWatch(actor, row, false)))) return null;
    const ready = row.status === 'ready';
    return {
      status: row.status,
      progress: row.progress,
      durationMs: row.durationMs,
      hlsUrl: ready && row.hlsKey ? replayPaths.hls(broadcastId) : null,
      mp4Url: ready && row.mp4Key ? replayPaths.mp4(broadcastId) : null,
      visibility: row.visibility,
      published: row.published,
      canManage: isHost,
      error: isHost ? row.error : null,
    };
  }

  /**
   * For the file endpoint: the ready recording's keys if this actor may watch it. Refusals are
   * NOT_FOUND to anyone who may not (no hint that a hidden replay exists).
   */
  async requireWatchable(actor: Actor, broadcastId: string): Promise<{ hlsKey: string; mp4Key: string }> {
    const { isHost } = await this.broadcasts.access(actor, broadcastId);
    const row = await this.#row(broadcastId);
    if (!row || row.status !== 'ready' || !row.hlsKey || !row.mp4Key || !mayWatch(actor, row, isHost)) {
      throw new ServiceError('NOT_FOUND', 'No replay here');
    }
    return { hlsKey: row.hlsKey, mp4Key: row.mp4Key };
  }

  /**
   * Deletes the recording (its segments and replay rows), then its files through `useFiles`'
   * storage, and returns the file keys that were its. Hosts and organizers; nothing while live.
   */
  async remove(actor: Actor, broadcastId: string): Promise<{ segmentKeys: string[]; prefix: string }> {
    await this.#hostOf(actor, broadcastId);
    const removed = await this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(broadcastRecordings).where(eq(broadcastRecordings.broadcastId, broadcastId)).for('update');
      if (row && ['recording', 'queued', 'composing'].includes(row.status)) {
        throw new ServiceError('CONFLICT', 'The recording is being written or composed; delete it once it is ready or failed');
      }
      const segs = await tx.delete(recordingSegments).where(eq(recordingSegments.broadcastId, broadcastId)).returning({ key: recordingSegments.fileKey });
      await tx.delete(broadcastRecordings).where(eq(broadcastRecordings.broadcastId, broadcastId));
      return { segmentKeys: segs.map((s) => s.key), prefix: `recordings/${broadcastId}/` };
    });
    // After the rows are gone (nothing names the files any more): a failure here leaves orphan
    // files, never a replay whose files are missing.
    await this.#files?.delete({ keys: removed.segmentKeys, prefix: removed.prefix });
    return removed;
  }
}
