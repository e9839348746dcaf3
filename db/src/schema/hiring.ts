import { boolean, date, index, jsonb, pgEnum, pgTable, primaryKey, smallint, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { employers } from './employers.ts';
import { booths, fairs } from './fairs.ts';
import { interviews } from './queues.ts';
import { users } from './users.ts';

/** Who else sits in an interview beside its seeker and its recruiter (a panel of at most 4). */
export const panelRole = pgEnum('panel_role', ['recruiter', 'interpreter']);

export const interviewParticipants = pgTable(
  'interview_participants',
  {
    interviewId: uuid('interview_id')
      .notNull()
      .references(() => interviews.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: panelRole('role').notNull(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.interviewId, t.userId] }), index('interview_participants_user_idx').on(t.userId)],
);

/** The stages of the funnel to hire that follow an interview. */
export const hiringStage = pgEnum('hiring_stage', ['next_round', 'offer_made', 'offer_accepted', 'hired', 'not_a_fit']);

/**
 * The history of one candidate with one employer past the interview: every stage with its date,
 * not only the last. `shared` stages are shown to the seeker.
 */
export const candidateStages = pgTable(
  'candidate_stages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    seekerId: uuid('seeker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The interview (and so the booth and fair) the candidacy came from. */
    interviewId: uuid('interview_id')
      .notNull()
      .references(() => interviews.id, { onDelete: 'cascade' }),
    boothId: uuid('booth_id')
      .notNull()
      .references(() => booths.id, { onDelete: 'cascade' }),
    stage: hiringStage('stage').notNull(),
    /** The day it happened (an offer is dated, not timed). */
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    shared: boolean('shared').notNull().default(false),
    note: text('note').notNull().default(''),
    recordedBy: uuid('recorded_by').references(() => users.id, { onDelete: 'set null' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One of each stage per candidacy: recording it again corrects its date and sharing.
    unique('candidate_stages_once_uq').on(t.interviewId, t.stage),
    index('candidate_stages_booth_idx').on(t.boothId, t.stage),
    index('candidate_stages_seeker_idx').on(t.seekerId),
  ],
);

/** The organizer's questions of a fair's post-fair survey (absent: the default questions). */
export const fairSurveys = pgTable('fair_surveys', {
  fairId: uuid('fair_id')
    .primaryKey()
    .references(() => fairs.id, { onDelete: 'cascade' }),
  /** The rating question and the comment prompt, as the organizer words them (null: the default, in the reader's language). */
  ratingQuestion: text('rating_question'),
  commentQuestion: text('comment_question'),
  /** When the invitations went out (once per fair, whichever node's clock got there). */
  sentAt: timestamp('sent_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const surveyRespondent = pgEnum('survey_respondent', ['seeker', 'employer']);

/** One answer per person per fair (the unique key enforces it). */
export const surveyAnswers = pgTable(
  'survey_answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fairId: uuid('fair_id')
      .notNull()
      .references(() => fairs.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    respondent: surveyRespondent('respondent').notNull(),
    rating: smallint('rating').notNull(),
    comments: text('comments').notNull().default(''),
    /** The questions as they were worded when answered. */
    questions: jsonb('questions').$type<{ rating: string | null; comment: string | null }>().notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('survey_answers_once_uq').on(t.fairId, t.userId)],
);
