import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { broadcasts } from './broadcasts.ts';

/**
 * One row per viewer identity (`user:<id>` or `device:<id>`) per broadcast: how many viewing
 * sessions ("views") it started and how long it watched. `watchingSince` is set while at least one
 * of its connections is open; a return within 30 s of `leftAt` continues the same view.
 */
export const broadcastViewers = pgTable(
  'broadcast_viewers',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    identity: text('identity').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    views: integer('views').notNull().default(1),
    /** Watch time of closed segments; the open segment is `now - watchingSince`. */
    watchedMs: bigint('watched_ms', { mode: 'number' }).notNull().default(0),
    watchingSince: timestamp('watching_since', { withTimezone: true }),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.identity] })],
);

/** The highest live-viewer count a broadcast reached (raised with greatest(), never lowered). */
export const broadcastPeaks = pgTable('broadcast_peaks', {
  broadcastId: uuid('broadcast_id')
    .primaryKey()
    .references(() => broadcasts.id, { onDelete: 'cascade' }),
  peak: integer('peak').notNull().default(0),
  peakAt: timestamp('peak_at', { withTimezone: true }).notNull(),
});

/**
 * Live viewers every 5 s, for charts. `at` is the 5 s boundary, so every node sampling the same
 * broadcast writes the same key and the first insert wins.
 */
export const broadcastViewerSamples = pgTable(
  'broadcast_viewer_samples',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
    live: integer('live').notNull(),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.at] }), index('broadcast_viewer_samples_at_idx').on(t.at)],
);
