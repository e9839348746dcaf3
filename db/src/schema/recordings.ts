import { bigint, boolean, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { broadcasts } from './broadcasts.ts';
import { users } from './users.ts';

/**
 * Where a broadcast's recording is: `off` (its host turned recording off before going live),
 * `idle` (nothing recorded yet), `recording` (segments being written), `queued`/`composing`
 * (the replay job after the end), `ready`, `failed` (the job gave up; an organizer may retry).
 */
export const recordingStatus = pgEnum('recording_status', ['off', 'idle', 'recording', 'queued', 'composing', 'ready', 'failed']);

/** Who may watch a replay: anyone, signed-in users, or nobody but its hosts and organizers. */
export const replayVisibility = pgEnum('replay_visibility', ['public', 'signed_in', 'nobody']);

/** One recording per broadcast (made of segments, below), whatever reconnects and restarts it saw. */
export const broadcastRecordings = pgTable('broadcast_recordings', {
  broadcastId: uuid('broadcast_id')
    .primaryKey()
    .references(() => broadcasts.id, { onDelete: 'cascade' }),
  /** Record when it goes live (the default); a host may turn it off only before any segment exists. */
  enabled: boolean('enabled').notNull().default(true),
  status: recordingStatus('status').notNull().default('idle'),
  /** Composition progress, 0-100 (while `composing`). */
  progress: integer('progress').notNull().default(0),
  durationMs: integer('duration_ms'),
  /** The composed replay's 0:00 on the wall clock (its first usable segment's start): chat, captions and chapters are placed from it. */
  startedAt: timestamp('started_at', { withTimezone: true }),
  /** Storage keys of the composed replay (storage/ in signaling). */
  hlsKey: text('hls_key'),
  mp4Key: text('mp4_key'),
  error: text('error'),
  visibility: replayVisibility('visibility').notNull().default('public'),
  /** Unpublished: nobody but hosts and organizers sees the replay, whatever its visibility. */
  published: boolean('published').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One track of one producer (a camera, a microphone, a screen share of a host or a stage guest),
 * copied without transcoding into one file from the moment it was tapped until its producer, or
 * the tap, closed. A host's reconnect or a worker's restart starts new segments of the same
 * recording; `startedAt` (wall clock when the tap began receiving) lines them up for composition.
 */
export const recordingSegments = pgTable(
  'recording_segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    producerId: text('producer_id').notNull(),
    /** The publishing connection; the user groups a host's segments across reconnects. */
    peerId: text('peer_id').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** camera, mic or screen. */
    source: text('source').notNull(),
    kind: text('kind').$type<'audio' | 'video'>().notNull(),
    /** e.g. video/VP8, audio/opus (the producer's codec, copied as is). */
    codec: text('codec').notNull(),
    /** The node whose disk (or whose upload) holds the file. */
    nodeId: text('node_id').notNull(),
    fileKey: text('file_key').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** Null while writing, or when the node writing it died (the file holds what arrived). */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    bytes: bigint('bytes', { mode: 'number' }),
  },
  (t) => [index('recording_segments_broadcast_idx').on(t.broadcastId, t.startedAt)],
);
