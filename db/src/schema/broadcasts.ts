import { pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { fairs } from './fairs.ts';
import { users } from './users.ts';

export const broadcastTopic = pgEnum('broadcast_topic', [
  'career_planning',
  'interview_training',
  'resume_clinic',
  'policy_qa',
  'skills_training',
]);

export const broadcasts = pgTable('broadcasts', {
  id: uuid('id').primaryKey().defaultRandom(),
  fairId: uuid('fair_id').references(() => fairs.id, { onDelete: 'set null' }),
  hostId: uuid('host_id').references(() => users.id, { onDelete: 'set null' }),
  title: text('title').notNull(),
  topic: broadcastTopic('topic').notNull(),
  description: text('description').notNull().default(''),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
});
