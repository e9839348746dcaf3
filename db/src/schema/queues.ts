import { bigserial, boolean, index, integer, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { booths } from './fairs.ts';
import { users } from './users.ts';

/**
 * waiting -> called -> interviewing -> done; or left (gave up, or gone past the grace period),
 * or no_show (called and did not accept in time).
 */
export const queueStatus = pgEnum('queue_status', ['waiting', 'called', 'interviewing', 'done', 'left', 'no_show']);

/** A seeker's place in a booth's line. Order is `seq`: one total order for every client and node. */
export const queueEntries = pgTable(
  'queue_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    boothId: uuid('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: queueStatus('status').notNull().default('waiting'),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set while none of the seeker's connections is open; past the grace period they leave. */
    disconnectedAt: timestamp('disconnected_at', { withTimezone: true }),
    calledAt: timestamp('called_at', { withTimezone: true }),
    calledBy: uuid('called_by').references(() => users.id, { onDelete: 'set null' }),
    /** The called seeker must accept before this, or becomes a no-show. */
    acceptBy: timestamp('accept_by', { withTimezone: true }),
    /** Why a recruiter called this seeker ahead of others (logged when the line is skipped). */
    skipReason: text('skip_reason'),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /**
     * Which of the seeker's allowed lines (1..max) this live entry takes. Unique per seeker among
     * live entries, so no interleaving of concurrent joins can put a seeker in more lines than the
     * limit (db/src/queries/queue.ts). Null on entries from before it existed that had ended.
     */
    slot: smallint('slot'),
    /**
     * A hand-off: the colleague this seeker was transferred to. Until `assignedUntil`, "call next"
     * of other recruiters passes over the entry, so the colleague gets them next (core/src/handoffs.ts).
     */
    assignedTo: uuid('assigned_to').references(() => users.id, { onDelete: 'set null' }),
    assignedUntil: timestamp('assigned_until', { withTimezone: true }),
    /**
     * Joined in the hall (by the booth's QR code or the kiosk): the recruiter calls them to the
     * desk instead of a video room. Set at join, never changed; reports split on it.
     */
    onSite: boolean('on_site').notNull().default(false),
  },
  (t) => [
    // One live entry per seeker per booth: joining twice returns the same entry.
    uniqueIndex('queue_entries_live_uq')
      .on(t.boothId, t.seekerId)
      .where(sql`status in ('waiting', 'called', 'interviewing')`),
    uniqueIndex('queue_entries_seeker_slot_uq')
      .on(t.seekerId, t.slot)
      .where(sql`status in ('waiting', 'called', 'interviewing')`),
    index('queue_entries_booth_status_idx').on(t.boothId, t.status, t.seq),
    index('queue_entries_seeker_idx').on(t.seekerId, t.status),
  ],
);

/** Where an interview happens: a video room, or at the booth's desk in the hall. */
export const interviewMode = pgEnum('interview_mode', ['video', 'on_site']);

export const interviewOutcome = pgEnum('interview_outcome', ['next_round', 'offer', 'not_a_fit', 'no_show']);

/** A 1:1 interview that a call led to, with the recruiter's assessment. */
export const interviews = pgTable(
  'interviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .unique()
      .references(() => queueEntries.id, { onDelete: 'cascade' }),
    boothId: uuid('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    recruiterId: uuid('recruiter_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When both sides were connected. */
    startedAt: timestamp('started_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    plannedMinutes: integer('planned_minutes').notNull().default(15),
    /** From the line entry: an on-site seeker is interviewed at the desk, with no media room. */
    mode: interviewMode('mode').notNull().default('video'),
    notes: text('notes').notNull().default(''),
    rating: smallint('rating'),
    outcome: interviewOutcome('outcome'),
    outcomeShared: boolean('outcome_shared').notNull().default(false),
    /** A recruiter dropped the interview to audio only: cameras are closed and refused, the room stays. */
    audioOnly: boolean('audio_only').notNull().default(false),
  },
  (t) => [index('interviews_booth_idx').on(t.boothId), index('interviews_seeker_idx').on(t.seekerId)],
);

/** The interview room's text chat: kept, as the fallback when video fails. */
export const interviewMessages = pgTable('interview_messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  interviewId: uuid('interview_id')
    .notNull()
    .references(() => interviews.id, { onDelete: 'cascade' }),
  authorId: uuid('author_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  body: text('body').notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
});
