import { index, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { fairs } from './fairs.ts';
import { users } from './users.ts';

export const walkInContactKind = pgEnum('walk_in_contact_kind', ['phone', 'email']);

/**
 * A seeker who signed up in the hall with only a phone number or an email (core/src/walk-ins.ts).
 * Its `users` row has a made-up address (`walk-in-<id>@walk-in.invalid`), no password and an
 * unverified address, so it can only be used through the session cookie it was given: it can wait
 * in lines and be interviewed at a desk, never in a video room. The contact is kept as the seeker
 * typed it (normalized) so the booth can reach them; it is never matched against accounts.
 */
export const walkIns = pgTable(
  'walk_ins',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    contactKind: walkInContactKind('contact_kind').notNull(),
    contact: text('contact').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('walk_ins_contact_idx').on(t.contact, t.createdAt)],
);

/**
 * A kiosk's hand-off to a phone: a single-use, short-lived token (only its SHA-256 is stored)
 * that signs the phone in as the person who used the kiosk. Spent by setting `usedAt`.
 */
export const handOffTokens = pgTable(
  'hand_off_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Where the phone lands after signing in (a path on this site). */
    next: text('next').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hand_off_tokens_user_idx').on(t.userId)],
);

/**
 * A seeker who registered or signed in at a fair's kiosk is in the hall until `expiresAt` (a few
 * hours, renewed at each kiosk visit): the hall count adds them to the on-site seekers in lines
 * (db/src/queries/venue.ts). One row per seeker and fair.
 */
export const kioskCheckIns = pgTable(
  'kiosk_check_ins',
  {
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    checkedInAt: timestamp('checked_in_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.fairId, t.userId] }), index('kiosk_check_ins_fair_idx').on(t.fairId, t.expiresAt)],
);
