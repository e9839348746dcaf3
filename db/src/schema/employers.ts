import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

export const employerSize = pgEnum('employer_size', ['1-49', '50-199', '200-999', '1000+']);

export const employers = pgTable('employers', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  industry: text('industry').notNull(),
  size: employerSize('size').notNull().default('1-49'),
  location: text('location').notNull(),
  description: text('description').notNull().default(''),
  /** An uploads row (kind 'logo'); no foreign key so an employer never blocks a user's deletion. */
  logoUploadId: uuid('logo_upload_id'),
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
  (t) => [primaryKey({ columns: [t.employerId, t.userId] }), index('employer_members_user_idx').on(t.userId)],
);

/** An owner's invitation to a recruiter: accepted by the signed-in user with that email. */
export const employerInvitations = pgTable('employer_invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  employerId: uuid('employer_id')
    .notNull()
    .references(() => employers.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
  /** SHA-256 of the mailed link's token (the token itself is never stored). */
  tokenHash: text('token_hash').unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
});

export const jobType = pgEnum('job_type', ['full_time', 'part_time', 'gig', 'internship']);

export const jobs = pgTable(
  'jobs',
  {
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
    /** Codes such as social_insurance, housing_fund, meals, dormitory. */
    benefits: text('benefits').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('jobs_employer_idx').on(t.employerId)],
);
