import { index, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { booths, fairs } from './fairs.ts';
import { users } from './users.ts';

export const broadcastTopic = pgEnum('broadcast_topic', [
  'career_planning',
  'interview_training',
  'resume_clinic',
  'policy_qa',
  'skills_training',
  'company_presentation',
]);

export const broadcastStatus = pgEnum('broadcast_status', ['draft', 'published']);

/**
 * A guidance broadcast scheduled by organizers, or a booth presentation: an employer recording its
 * booth's stage (`boothId` set, topic `company_presentation`). A presentation is a broadcast so its
 * recording, replay page, replay numbers and settings are the broadcasts' own; it is never listed
 * among the broadcasts or announced, and its live media is the booth's room (core/src/booth-presentations.ts).
 */
export const broadcasts = pgTable(
  'broadcasts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fairId: uuid('fair_id').references(() => fairs.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    topic: broadcastTopic('topic').notNull(),
    description: text('description').notNull().default(''),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    status: broadcastStatus('status').notNull().default('draft'),
    /** Set once, by whichever node announced the start ("starting now" notice). */
    announcedAt: timestamp('announced_at', { withTimezone: true }),
    /** Set once, by whichever node closed the broadcast after its end (its `broadcast.ended` webhook). */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set on a booth presentation: the booth whose stage it recorded. */
    boothId: uuid('booth_id').references(() => booths.id, { onDelete: 'cascade' }),
  },
  (t) => [index('broadcasts_booth_idx').on(t.boothId, t.endsAt)],
);

export const broadcastHosts = pgTable(
  'broadcast_hosts',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.userId] })],
);

/** A co-host named by an organizer: a host only once they accept through the mailed link. */
export const broadcastHostInvitations = pgTable('broadcast_host_invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  broadcastId: uuid('broadcast_id')
    .notNull()
    .references(() => broadcasts.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
  /** SHA-256 of the mailed link's token (the token itself is never stored). */
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
});
