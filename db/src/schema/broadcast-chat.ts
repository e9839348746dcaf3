import { bigserial, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { broadcasts } from './broadcasts.ts';
import { users } from './users.ts';

/**
 * A broadcast's live chat. Deleted messages keep their row (who deleted it, when) but are never
 * sent to anyone again. `seq` is the one order every client and node shows.
 */
export const broadcastMessages = pgTable(
  'broadcast_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: uuid('deleted_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('broadcast_messages_broadcast_seq_idx').on(t.broadcastId, t.seq),
    // Slow mode and the rate limit read a user's latest messages in one broadcast.
    index('broadcast_messages_author_idx').on(t.broadcastId, t.authorId, t.sentAt),
  ],
);

/** Viewers' questions; `votes` is kept equal to the question's rows in `broadcast_question_votes`. */
export const broadcastQuestions = pgTable(
  'broadcast_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    askedAt: timestamp('asked_at', { withTimezone: true }).notNull().defaultNow(),
    votes: integer('votes').notNull().default(0),
    pinnedAt: timestamp('pinned_at', { withTimezone: true }),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: uuid('deleted_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('broadcast_questions_broadcast_idx').on(t.broadcastId), index('broadcast_questions_author_idx').on(t.broadcastId, t.authorId, t.askedAt)],
);

/** One vote per user per question: the primary key makes a second vote a no-op. */
export const broadcastQuestionVotes = pgTable(
  'broadcast_question_votes',
  {
    questionId: uuid('question_id')
      .notNull()
      .references(() => broadcastQuestions.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    votedAt: timestamp('voted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.userId] })],
);

/** Users a moderator has muted in one broadcast (chat and questions refused with MUTED). */
export const broadcastMutes = pgTable(
  'broadcast_mutes',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    mutedBy: uuid('muted_by').references(() => users.id, { onDelete: 'set null' }),
    mutedAt: timestamp('muted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.userId] })],
);

/** Per-broadcast chat settings; no row means the defaults (slow mode off). */
export const broadcastChatSettings = pgTable('broadcast_chat_settings', {
  broadcastId: uuid('broadcast_id')
    .primaryKey()
    .references(() => broadcasts.id, { onDelete: 'cascade' }),
  /** Seconds a user must wait between two chat messages; 0 = off. */
  slowModeSeconds: integer('slow_mode_seconds').notNull().default(0),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
