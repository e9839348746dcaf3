import { pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { fairs } from './fairs.ts';
import { users } from './users.ts';

export const broadcastTopic = pgEnum('broadcast_topic', ['career_planning', 'interview_training', 'resume_clinic', 'policy_qa', 'skills_training']);

export const broadcastStatus = pgEnum('broadcast_status', ['draft', 'published']);

export const broadcasts = pgTable('broadcasts', {
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
});

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
