import { index, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { employers } from './employers.ts';
import { users } from './users.ts';

export const fairTheme = pgEnum('fair_theme', ['graduates', 'spring_campaign', 'employment_assistance', 'rural_revitalisation', 'flexible_work', 'custom']);

/** draft -> published -> live -> ended; the clock moves published/live ones, organizers any. */
export const fairStatus = pgEnum('fair_status', ['draft', 'published', 'live', 'ended']);

export const fairs = pgTable('fairs', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  theme: fairTheme('theme').notNull(),
  /** Shown instead of the theme's name when theme is 'custom'. */
  customTheme: text('custom_theme'),
  description: text('description').notNull().default(''),
  coverUploadId: uuid('cover_upload_id'),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  status: fairStatus('status').notNull().default('draft'),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** applied: the employer asked; invited: the organizer asked; approved booths open at the fair. */
export const boothStatus = pgEnum('booth_status', ['applied', 'invited', 'approved', 'rejected']);

/** One employer's booth in one fair. */
export const booths = pgTable(
  'booths',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    status: boothStatus('status').notNull().default('approved'),
    tagline: text('tagline').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('booths_fair_employer_uq').on(t.fairId, t.employerId), index('booths_employer_idx').on(t.employerId)],
);
