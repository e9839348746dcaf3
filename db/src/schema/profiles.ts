import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { jobType } from './employers.ts';
import { uploads } from './uploads.ts';
import { users } from './users.ts';

/** A seeker's "demand list": what they can do, want, and where. */
export const seekerProfiles = pgTable('seeker_profiles', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  headline: text('headline').notNull().default(''),
  skills: text('skills').array().notNull().default([]),
  yearsExperience: integer('years_experience').notNull().default(0),
  education: text('education').notNull().default(''),
  /** The year the seeker graduates (graduated); employers filter the resume book by it. */
  graduationYear: integer('graduation_year'),
  /** Expected monthly salary range in `currency`. */
  salaryMin: integer('salary_min'),
  salaryMax: integer('salary_max'),
  currency: text('currency').notNull().default('CNY'),
  locations: text('locations').array().notNull().default([]),
  jobTypes: jobType('job_types').array().notNull().default([]),
  languages: text('languages').array().notNull().default([]),
  resumeText: text('resume_text').notNull().default(''),
  resumeUploadId: uuid('resume_upload_id').references(() => uploads.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
