import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only log of everything the product counts (view sessions, booth visits, queue joins,
 * interview starts/ends). `id` is chosen by whoever records the event and is derived from what
 * makes it unique (e.g. `visit:<booth>:<seeker>`), so a retry or a reconnect inserts nothing new.
 */
export const countedEvents = pgTable(
  'counted_events',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** The room the event belongs to: a booth id or a broadcast id. */
    roomId: uuid('room_id').notNull(),
    /** A user id, or an anonymous device id. */
    actor: text('actor').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('counted_events_room_kind_idx').on(t.roomId, t.kind)],
);
