import { boolean, check, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { broadcasts } from './broadcasts.ts';
import { users } from './users.ts';

/**
 * What a broadcast gathers live besides its chat: captions, polls and chapter markers. Times are
 * milliseconds from the broadcast's scheduled start (`broadcasts.starts_at`), the clock the
 * replay's tracks and chapters are laid on.
 */

export const captionLanguage = pgEnum('caption_language', ['en', 'zh-CN']);

/** Users a host or organizer made captioners of one broadcast: they may send caption lines. */
export const broadcastCaptioners = pgTable(
  'broadcast_captioners',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    assignedBy: uuid('assigned_by').references(() => users.id, { onDelete: 'set null' }),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.userId] })],
);

/** One caption cue: shown from `start_ms` until `end_ms` (hosts may edit both and the text afterwards). */
export const broadcastCaptions = pgTable(
  'broadcast_captions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    language: captionLanguage('language').notNull(),
    startMs: integer('start_ms').notNull(),
    endMs: integer('end_ms').notNull(),
    body: text('body').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
  },
  (t) => [
    index('broadcast_captions_broadcast_idx').on(t.broadcastId, t.language, t.startMs),
    check('broadcast_captions_span', sql`${t.endMs} > ${t.startMs} and ${t.startMs} >= 0`),
  ],
);

/** A poll a host launched; `closed_at` set once it is closed (its results are then final). */
export const broadcastPolls = pgTable(
  'broadcast_polls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    /** The options' labels, in order; a vote names options by their index. */
    options: jsonb('options').$type<string[]>().notNull(),
    /** Voters may choose several options (else exactly one). */
    multiple: boolean('multiple').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    index('broadcast_polls_broadcast_idx').on(t.broadcastId, t.openedAt),
    // One poll open at a time per broadcast (the service checks it under a lock; this is the floor).
    uniqueIndex('broadcast_polls_one_open')
      .on(t.broadcastId)
      .where(sql`${t.closedAt} is null`),
  ],
);

/** One ballot per user per poll: the primary key makes a second vote impossible, on any node. */
export const broadcastPollVotes = pgTable(
  'broadcast_poll_votes',
  {
    pollId: uuid('poll_id')
      .notNull()
      .references(() => broadcastPolls.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Indexes into the poll's options, distinct and sorted. */
    choices: integer('choices').array().notNull(),
    votedAt: timestamp('voted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);

/** A chapter marker a host set live ("mark chapter") or afterwards. */
export const broadcastChapterMarks = pgTable(
  'broadcast_chapter_marks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    atMs: integer('at_ms').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('broadcast_chapter_marks_broadcast_idx').on(t.broadcastId, t.atMs), check('broadcast_chapter_marks_at', sql`${t.atMs} >= 0`)],
);
