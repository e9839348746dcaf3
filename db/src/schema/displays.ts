import { index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { booths, fairs } from './fairs.ts';
import { users } from './users.ts';

/** What a display key opens: one fair's hall screen, or one booth's screen. */
export const displayScope = pgEnum('display_scope', ['fair', 'booth']);

/**
 * A key that opens one screen without an account (a hall PC, a TV behind a booth). Only the
 * SHA-256 of the key is kept; it is shown once. Revoking it ends every session opened with it.
 */
export const displayKeys = pgTable(
  'display_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scope: displayScope('scope').notNull(),
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    /** Set for a booth's key (the fair is its booth's). */
    boothId: uuid('booth_id').references(() => booths.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The screen's language (`en` or `zh-CN`); a `?lang=` on the screen's address overrides it. */
    locale: text('locale').notNull().default('zh-CN'),
    keyHash: text('key_hash').notNull().unique(),
    /** The key's first characters, so its owner can tell keys apart. */
    prefix: text('prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('display_keys_fair_idx').on(t.fairId), index('display_keys_booth_idx').on(t.boothId)],
);

/** A screen's session: the cookie a key was exchanged for (its hash). Valid while its key is not revoked. */
export const displaySessions = pgTable(
  'display_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    keyId: uuid('key_id')
      .notNull()
      .references(() => displayKeys.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('display_sessions_key_idx').on(t.keyId)],
);

/** Wrong keys presented per client address (one atomic upsert, shared by every node). */
export const displayKeyFailures = pgTable('display_key_failures', {
  address: text('address').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
});

/**
 * The one seeker's salary comparison a hall screen shows (one row per fair: one at a time). Only
 * numbers: who asked is kept to let them clear it, never sent to the screen.
 */
export const screenComparisons = pgTable('screen_comparisons', {
  fairId: uuid('fair_id')
    .primaryKey()
    .references(() => fairs.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  salaryMin: integer('salary_min').notNull(),
  salaryMax: integer('salary_max').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
});

/**
 * The short code a fair's hall screens show (besides the QR code) for a seeker to type where they
 * ask for their comparison: it proves they can see a screen. Rotated by the screens' requests
 * (core/src/screen-codes.ts); the previous code still works for a short grace after it rotates.
 */
export const screenCodes = pgTable('screen_codes', {
  fairId: uuid('fair_id')
    .primaryKey()
    .references(() => fairs.id, { onDelete: 'cascade' }),
  code: text('code').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  previousCode: text('previous_code'),
  previousExpiresAt: timestamp('previous_expires_at', { withTimezone: true }),
});

/** What a booth's screen shows, as its recruiter chose (kept, so a reloaded screen shows it again). */
export const boothScreenMode = pgEnum('booth_screen_mode', ['camera', 'screen', 'jobs', 'line']);

export const boothScreens = pgTable('booth_screens', {
  boothId: uuid('booth_id')
    .primaryKey()
    .references(() => booths.id, { onDelete: 'cascade' }),
  mode: boothScreenMode('mode').notNull().default('jobs'),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
