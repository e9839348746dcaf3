import { integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

export const employers = pgTable('employers', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  industry: text('industry').notNull(),
  location: text('location').notNull(),
  description: text('description').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const memberRole = pgEnum('member_role', ['owner', 'recruiter']);

/** Which users staff which employer; an owner invites recruiters. */
export const employerMembers = pgTable(
  'employer_members',
  {
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: memberRole('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.employerId, t.userId] })],
);

export const jobType = pgEnum('job_type', ['full_time', 'part_time', 'gig', 'internship']);

export const jobs = pgTable('jobs', {
  id: uuid('id').primaryKey().defaultRandom(),
  employerId: uuid('employer_id')
    .notNull()
    .references(() => employers.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  location: text('location').notNull(),
  jobType: jobType('job_type').notNull(),
  /** Monthly salary range in `currency`. */
  salaryMin: integer('salary_min').notNull(),
  salaryMax: integer('salary_max').notNull(),
  currency: text('currency').notNull().default('CNY'),
  headcount: integer('headcount').notNull().default(1),
  skills: text('skills').array().notNull().default([]),
  benefits: text('benefits').array().notNull().default([]),
});
