import { bigserial, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid, customType } from 'drizzle-orm/pg-core';
import { users } from './users.ts';
import { employers } from './employers.ts';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

export const uploadKind = pgEnum('upload_kind', ['resume', 'logo', 'cover']);

/** Small files users upload (resumes, logos, covers), kept in Postgres so every node serves them. */
export const uploads = pgTable('uploads', {
  id: uuid('id').primaryKey().defaultRandom(),
  ownerId: uuid('owner_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  kind: uploadKind('kind').notNull(),
  filename: text('filename').notNull(),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  data: bytea('data').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A seeker's resume shared with an employer beyond the line: written when the seeker accepts a
 * call from that employer's booth (the interview). It belongs to one file, so removing or
 * replacing the resume ends it (the row goes with the upload).
 */
export const resumeShares = pgTable(
  'resume_shares',
  {
    uploadId: uuid('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    /** The interview it was shared through, if any. */
    interviewId: uuid('interview_id'),
    sharedAt: timestamp('shared_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.employerId] })],
);

/** One row per accepted upload, kept after the file is removed: the per-user hourly limit counts these. */
export const uploadLog = pgTable(
  'upload_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    size: integer('size').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('upload_log_user_time_idx').on(t.userId, t.createdAt)],
);
