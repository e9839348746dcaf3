import { pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { employers } from './employers.ts';

export const fairTheme = pgEnum('fair_theme', [
  'graduates',
  'spring_campaign',
  'employment_assistance',
  'rural_revitalisation',
  'flexible_work',
  'custom',
]);

export const fairStatus = pgEnum('fair_status', ['draft', 'published', 'live', 'ended']);

export const fairs = pgTable('fairs', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  theme: fairTheme('theme').notNull(),
  description: text('description').notNull().default(''),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  status: fairStatus('status').notNull().default('draft'),
});

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
    tagline: text('tagline').notNull().default(''),
  },
  (t) => [unique('booths_fair_employer_uq').on(t.fairId, t.employerId)],
);
