import { boolean, check, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { booths, fairs } from './fairs.ts';
import { queueEntries } from './queues.ts';
import { users } from './users.ts';

/**
 * Booked interview slots (issue 15). A recruiter (or the employer's owner for them) publishes
 * slots at a booth; a seeker books one. Capacity one is the partial unique index on `slot_id`
 * among live bookings: however many seekers race for a slot on any nodes, one insert wins.
 */
export const interviewSlots = pgTable(
  'interview_slots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    boothId: uuid('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    /** Who interviews: the booked seeker goes ahead of this recruiter's walk-up line. */
    recruiterId: uuid('recruiter_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** Minutes kept free after the slot before this recruiter's next one may start. */
    bufferMinutes: integer('buffer_minutes').notNull().default(0),
    /** Prerequisites a seeker must meet to book: an uploaded resume, filled profile fields. */
    requiresResume: boolean('requires_resume').notNull().default(false),
    requiredFields: text('required_fields').array().notNull().default([]),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Withdrawn by the employer: no longer offered (a booking on it is cancelled with it). */
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    index('interview_slots_booth_idx').on(t.boothId, t.startsAt),
    index('interview_slots_recruiter_idx').on(t.recruiterId, t.startsAt),
    check('interview_slots_span_ck', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

export const slotBookingStatus = pgEnum('slot_booking_status', ['booked', 'cancelled']);
/** What became of a booking at its time: the seeker accepted the call, or did not come. */
export const slotOutcome = pgEnum('slot_outcome', ['kept', 'no_show']);

/** A seeker's booking of one slot. Times, booth and recruiter are copied from the slot for the per-seeker checks and the sweeps. */
export const slotBookings = pgTable(
  'slot_bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slotId: uuid('slot_id')
      .notNull()
      .references(() => interviewSlots.id, { onDelete: 'cascade' }),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    boothId: uuid('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    recruiterId: uuid('recruiter_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    status: slotBookingStatus('status').notNull().default('booked'),
    outcome: slotOutcome('outcome'),
    /** The line entry made for it at its time (it goes ahead of the walk-up line). */
    entryId: uuid('entry_id').references(() => queueEntries.id, { onDelete: 'set null' }),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    // Capacity one: one live booking per slot, whatever races.
    uniqueIndex('slot_bookings_slot_uq')
      .on(t.slotId)
      .where(sql`status = 'booked'`),
    index('slot_bookings_seeker_idx').on(t.seekerId, t.fairId),
    index('slot_bookings_due_idx')
      .on(t.startsAt)
      .where(sql`status = 'booked' and activated_at is null`),
    index('slot_bookings_entry_idx').on(t.entryId),
  ],
);

/**
 * Reminder mails, one row per booking, recipient and kind, written with the booking: a due-sweep
 * on any node claims due rows under a lease (`for update skip locked`), sends, and marks them sent.
 */
export const slotReminders = pgTable(
  'slot_reminders',
  {
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => slotBookings.id, { onDelete: 'cascade' }),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** '24h' or '10m' before the slot. */
    kind: text('kind').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.recipientId, t.kind] }),
    index('slot_reminders_due_idx')
      .on(t.dueAt)
      .where(sql`sent_at is null`),
  ],
);

/** A fair's booking rules, set by its organizers; no row = the defaults (core/src/slots.ts). */
export const slotSettings = pgTable('slot_settings', {
  fairId: uuid('fair_id')
    .primaryKey()
    .references(() => fairs.id, { onDelete: 'cascade' }),
  /** Live bookings one seeker may hold in this fair. */
  maxBookingsPerSeeker: integer('max_bookings_per_seeker').notNull(),
  /** Cancelling or rescheduling closes this many minutes before a slot starts. */
  cutoffMinutes: integer('cutoff_minutes').notNull(),
});
