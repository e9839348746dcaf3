import { index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
