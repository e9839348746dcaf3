import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { broadcasts } from './broadcasts.ts';

/**
 * One replay view: a viewer's page load of a ready replay (`sessionId` is made by that page, so a
 * heartbeat sent twice, or by a reloaded tab of the same load, counts the view once). Kept apart
 * from the live audience (broadcast_viewers): replay numbers are reported next to live ones.
 */
export const replayViews = pgTable(
  'replay_views',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id').notNull(),
    /** A user id, or `device:<id>` for a visitor who is not signed in. */
    identity: text('identity').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    lastBeatAt: timestamp('last_beat_at', { withTimezone: true }).notNull(),
    /** Media time played in this view, clamped to the replay's length and to wall time × top speed. */
    watchedMs: integer('watched_ms').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.sessionId] }), index('replay_views_identity_idx').on(t.broadcastId, t.identity)],
);
