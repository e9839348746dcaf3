import { sql } from 'drizzle-orm';
import { bigserial, index, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { employers, jobs } from './employers.ts';
import { booths, fairs } from './fairs.ts';
import { interviewSlots } from './slots.ts';
import { users } from './users.ts';

/**
 * A seeker's consent to be found in one fair's resume book. No row: not findable (the default).
 * Opting out deletes the row, so what is searchable is exactly what this table holds.
 */
export const resumeBookOptIns = pgTable(
  'resume_book_opt_ins',
  {
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    optedInAt: timestamp('opted_in_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.fairId, t.seekerId] }), index('resume_book_opt_ins_seeker_idx').on(t.seekerId)],
);

/** What an employer's staff saw of a seeker: a row in search results, the profile, the resume file. */
export const seekerViewKind = pgEnum('seeker_view_kind', ['search_result', 'profile', 'resume']);

/** The view log: who (employer and staff member) saw what of which seeker, when. The seeker reads it. */
export const seekerViews = pgTable(
  'seeker_views',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    /** The staff member; kept as null if their account is deleted (the employer still saw it). */
    viewerId: uuid('viewer_id').references(() => users.id, { onDelete: 'set null' }),
    fairId: uuid('fair_id').references(() => fairs.id, { onDelete: 'set null' }),
    kind: seekerViewKind('kind').notNull(),
    viewedAt: timestamp('viewed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('seeker_views_seeker_idx').on(t.seekerId, t.viewedAt)],
);

/**
 * What an employer invites a seeker to (邀约). `booth`: come to the booth; `job`: apply for one of
 * its jobs (`job_id`); `slot`: one of the booth's published interview slots (`slot_id`), booked for
 * the seeker when they accept. `target` is the key that makes one pending invitation per target.
 */
export const candidateInvitationKind = pgEnum('candidate_invitation_kind', ['booth', 'job', 'slot']);
export const candidateInvitationStatus = pgEnum('candidate_invitation_status', ['pending', 'accepted', 'declined']);

/** An employer's invitation of a seeker found in a fair's resume book; the seeker accepts or declines. */
export const candidateInvitations = pgTable(
  'candidate_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    boothId: uuid('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    kind: candidateInvitationKind('kind').notNull(),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'cascade' }),
    /** The slot a `slot` invitation offers; accepting books it through the booking rules (core/src/slots.ts). */
    slotId: uuid('slot_id').references(() => interviewSlots.id, { onDelete: 'cascade' }),
    /** `booth`, `job:<id>`, `slot:<id>`: one pending invitation per booth, seeker and target. */
    target: text('target').notNull(),
    message: text('message').notNull().default(''),
    status: candidateInvitationStatus('status').notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('candidate_invitations_pending_uq')
      .on(t.boothId, t.seekerId, t.target)
      .where(sql`${t.status} = 'pending'`),
    index('candidate_invitations_seeker_idx').on(t.seekerId, t.createdAt),
    index('candidate_invitations_employer_idx').on(t.employerId, t.createdAt),
  ],
);
