import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { membership, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { recordEvent } from './funnel.ts';
import { enqueueBoothEvent } from './outbox.ts';
import { DomainEvents } from './events.ts';
import { validate } from './validate.ts';

const { interviews, interviewMessages, interviewParticipants, queueEntries, booths, employers, users, countedEvents } = schema;

export const assessmentSchema = z.object({
  notes: z.string().trim().max(10_000, 'too_long').default(''),
  rating: z.preprocess((v) => (v === '' || v == null ? undefined : v), z.coerce.number().int('invalid').min(1, 'invalid').max(4, 'invalid').optional()),
  outcome: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['next_round', 'offer', 'not_a_fit', 'no_show'], { error: 'invalid' }).optional()),
  share: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()).default(false),
});

export const chatSchema = z.object({ body: z.string().trim().min(1, 'required').max(1000, 'too_long') });

export type Interview = typeof interviews.$inferSelect;

/** Interviews (1:1, or a panel of up to 4): who may be in them, their clock, chat, and the recruiter's assessment. */
export class InterviewService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents = new DomainEvents(),
  ) {}

  async #get(id: string): Promise<Interview> {
    const [row] = await this.db.select().from(interviews).where(eq(interviews.id, id));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such interview');
    return row;
  }

  /**
   * The seeker, the recruiter, a colleague invited to the panel (`panel`), or (read-only) other
   * staff of the employer.
   */
  async #role(actor: Actor, interview: Interview): Promise<'seeker' | 'recruiter' | 'panel' | 'staff'> {
    const user = requireUser(actor);
    if (user.id === interview.seekerId) return 'seeker';
    if (user.id === interview.recruiterId) return 'recruiter';
    const [seat] = await this.db
      .select({ role: interviewParticipants.role })
      .from(interviewParticipants)
      .where(and(eq(interviewParticipants.interviewId, interview.id), eq(interviewParticipants.userId, user.id)));
    if (seat) return 'panel';
    const [booth] = await this.db.select({ employerId: booths.employerId }).from(booths).where(eq(booths.id, interview.boothId));
    if (booth && (await membership(this.db, user.id, booth.employerId))) return 'staff';
    throw new ServiceError('NOT_AUTHORIZED', 'This interview is not yours');
  }

  /** The interview as its participant sees it: the seeker never sees notes or an unshared outcome. */
  async view(actor: Actor, id: string) {
    const interview = await this.#get(id);
    const role = await this.#role(actor, interview);
    const [names] = await this.db
      .select({ seeker: users.name, employer: employers.name, boothId: booths.id })
      .from(users)
      .innerJoin(booths, eq(booths.id, interview.boothId))
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(eq(users.id, interview.seekerId));
    const [recruiter] = await this.db.select({ name: users.name }).from(users).where(eq(users.id, interview.recruiterId));
    const hidden = role === 'seeker';
    return {
      role,
      interview: {
        ...interview,
        notes: hidden ? '' : interview.notes,
        rating: hidden ? null : interview.rating,
        outcome: hidden && !interview.outcomeShared ? null : interview.outcome,
      },
      seekerName: names?.seeker ?? '',
      recruiterName: recruiter?.name ?? '',
      employerName: names?.employer ?? '',
    };
  }

  /** Participants only: the seeker, the recruiter and the panel they invited (handoffs.ts). */
  async requireParticipant(actor: Actor, id: string) {
    const interview = await this.#get(id);
    const role = await this.#role(actor, interview);
    if (role === 'staff') throw new ServiceError('NOT_AUTHORIZED', 'Only the interview’s participants join the room');
    return { interview, role };
  }

  /**
   * The two participants entering the video room. An interview at the desk (on-site) has no room:
   * its start is the recruiter's "at the desk" (core/src/queue.ts), never a connection.
   */
  async requireVideoParticipant(actor: Actor, id: string) {
    const found = await this.requireParticipant(actor, id);
    if (found.interview.mode === 'on_site') throw new ServiceError('CONFLICT', 'This interview is at the booth’s desk, not in a video room');
    return found;
  }

  /** Both sides are connected: the interview starts (once), counted in the same transaction. */
  async markStarted(id: string, at = new Date()): Promise<Interview | null> {
    const started = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      // Video interviews only: an on-site one starts when the recruiter says the seeker is at the desk.
      const [row] = await db
        .update(interviews)
        .set({ startedAt: at })
        .where(and(eq(interviews.id, id), eq(interviews.mode, 'video'), isNull(interviews.startedAt), isNull(interviews.endedAt)))
        .returning();
      if (row) {
        await recordEvent(db, {
          id: `interview_started:${id}`,
          kind: 'interview_started',
          boothId: row.boothId,
          actor: row.seekerId,
          data: channelOf(row),
          at,
        });
        await enqueueBoothEvent(db, 'interview.started', row.boothId, interviewData(row), at);
      }
      return row ?? null;
    });
    if (started) this.events.emit('interview.started', { interview: started });
    return started;
  }

  async extend(actor: Actor, id: string, minutes = 5): Promise<Interview> {
    const { role } = await this.requireParticipant(actor, id);
    if (role !== 'recruiter') throw new ServiceError('NOT_AUTHORIZED', 'Only the recruiter extends the interview');
    const [row] = await this.db
      .update(interviews)
      .set({ plannedMinutes: sql`${interviews.plannedMinutes} + ${minutes}` })
      .where(and(eq(interviews.id, id), isNull(interviews.endedAt)))
      .returning();
    if (!row) throw new ServiceError('CONFLICT', 'The interview has ended');
    return row;
  }

  /** The seeker or the recruiter ends it; ending twice is fine. */
  async end(actor: Actor, id: string, at = new Date()): Promise<Interview> {
    const { role } = await this.requireParticipant(actor, id);
    // A panel guest leaves the room; only the two it belongs to end it for everyone.
    if (role === 'panel') throw new ServiceError('NOT_AUTHORIZED', 'Only the seeker or the interviewer ends the interview');
    return (await this.#close(id, at, 'participant')) ?? (await this.#get(id));
  }

  /**
   * The clock's part: interviews nobody ended, `graceMinutes` past their planned length (from
   * their start, or from the call's acceptance if both sides never met), end now, so no seeker
   * stays "interviewing". Each is closed by the same conditional transaction as `end()`, so
   * several nodes sweeping together close (and count) each one once. Returns those this call closed.
   */
  async closeOverdue(graceMinutes: number, now = new Date()): Promise<Interview[]> {
    const overdue = await this.db
      .select({ id: interviews.id })
      .from(interviews)
      .where(
        and(
          isNull(interviews.endedAt),
          sql`coalesce(${interviews.startedAt}, ${interviews.createdAt}) + make_interval(mins => ${interviews.plannedMinutes} + ${graceMinutes}) < ${now.toISOString()}::timestamptz`,
        ),
      );
    const closed: Interview[] = [];
    for (const { id } of overdue) {
      const row = await this.#close(id, now, 'clock');
      if (row) closed.push(row);
    }
    return closed;
  }

  /**
   * Ends an interview once: the interview, its line entry and the counted `interview_ended` event
   * are one transaction, so a failure (or a crash) between them leaves all three as they were.
   */
  async #close(id: string, at: Date, by: 'participant' | 'clock'): Promise<Interview | null> {
    const closed = await this.db.transaction(async (tx) => closeInterviewIn(tx as unknown as Db, id, at, by));
    if (closed) {
      this.events.emit('interview.ended', { interview: closed, by });
      this.events.emit('queue.changed', { boothId: closed.boothId });
    }
    return closed;
  }

  /**
   * The recruiter's notes, rating (1-4) and outcome; the outcome reaches the seeker if shared.
   * Only the interview's recruiter (the assessment's author) edits it; the rest of the employer's
   * team reads it (`view`). The assessment and its counted outcome change together.
   */
  async assess(actor: Actor, id: string, input: unknown): Promise<Interview> {
    const interview = await this.#get(id);
    const role = await this.#role(actor, interview);
    if (role !== 'recruiter') throw new ServiceError('NOT_AUTHORIZED', 'Only the interviewer edits this assessment');
    const data = validate(assessmentSchema, input);
    const assessed = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [row] = await db
        .update(interviews)
        .set({ notes: data.notes, rating: data.rating ?? null, outcome: data.outcome ?? null, outcomeShared: data.share })
        .where(eq(interviews.id, id))
        .returning();
      if (data.outcome) {
        await recordEvent(db, {
          id: `outcome:${id}`,
          kind: 'outcome',
          boothId: interview.boothId,
          actor: interview.seekerId,
          data: { outcome: data.outcome, ...channelOf(interview) },
        });
        await enqueueBoothEvent(db, 'outcome.recorded', interview.boothId, { ...interviewData(row!), outcome: data.outcome, rating: data.rating ?? null });
      } else {
        // No outcome any more: it is no longer counted either.
        await db.delete(countedEvents).where(eq(countedEvents.id, `outcome:${id}`));
      }
      return row!;
    });
    if (data.outcome) this.events.emit('outcome.recorded', { interview: assessed });
    return assessed;
  }

  async chat(actor: Actor, id: string, input: unknown) {
    const { interview } = await this.requireParticipant(actor, id);
    if (interview.endedAt) throw new ServiceError('CONFLICT', 'The interview has ended');
    const { body } = validate(chatSchema, input);
    const user = requireUser(actor);
    const [message] = await this.db.insert(interviewMessages).values({ interviewId: id, authorId: user.id, body }).returning();
    return { ...message!, authorName: user.name };
  }

  async messages(actor: Actor, id: string) {
    await this.requireParticipant(actor, id);
    return this.db
      .select({
        id: interviewMessages.id,
        body: interviewMessages.body,
        sentAt: interviewMessages.sentAt,
        authorId: interviewMessages.authorId,
        authorName: users.name,
      })
      .from(interviewMessages)
      .innerJoin(users, eq(users.id, interviewMessages.authorId))
      .where(eq(interviewMessages.interviewId, id))
      .orderBy(asc(interviewMessages.sentAt));
  }

  /** The seeker's own interviews, newest first, outcomes only where shared. */
  async historyOf(actor: Actor) {
    const user = requireUser(actor);
    const rows = await this.db
      .select({ interview: interviews, employerName: employers.name })
      .from(interviews)
      .innerJoin(booths, eq(booths.id, interviews.boothId))
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(eq(interviews.seekerId, user.id))
      .orderBy(desc(interviews.createdAt));
    return rows.map(({ interview, employerName }) => ({
      id: interview.id,
      employerName,
      createdAt: interview.createdAt,
      startedAt: interview.startedAt,
      endedAt: interview.endedAt,
      outcome: interview.outcomeShared ? interview.outcome : null,
    }));
  }
}

/**
 * Ends an interview once, inside the caller's transaction: the interview, its line entry and the
 * counted `interview_ended` event (and its webhook) change together, so a failure (or a crash)
 * between them leaves all as they were. Null when it had ended already. Hand-offs end the
 * interview the same way before the seeker goes back to the line (handoffs.ts).
 */
export async function closeInterviewIn(db: Db, id: string, at: Date, by: 'participant' | 'clock' | 'handoff'): Promise<Interview | null> {
  const [row] = await db
    .update(interviews)
    .set({ endedAt: at })
    .where(and(eq(interviews.id, id), isNull(interviews.endedAt)))
    .returning();
  if (!row) return null;
  await db
    .update(queueEntries)
    .set({ status: 'done', endedAt: at })
    .where(and(eq(queueEntries.id, row.entryId), eq(queueEntries.status, 'interviewing')));
  const durationSeconds = row.startedAt ? Math.max(0, Math.round((at.getTime() - row.startedAt.getTime()) / 1000)) : 0;
  await recordEvent(db, {
    id: `interview_ended:${id}`,
    kind: 'interview_ended',
    boothId: row.boothId,
    actor: row.seekerId,
    data: { durationSeconds, ...channelOf(row) },
    at,
  });
  await enqueueBoothEvent(db, 'interview.ended', row.boothId, { ...interviewData(row), endedBy: by, durationSeconds }, at);
  return row;
}

/** A counted event's channel (reports split on it): an interview at the desk is on-site. */
function channelOf(row: Pick<Interview, 'mode'>): { onSite: boolean } {
  return { onSite: row.mode === 'on_site' };
}

/** What a webhook says of an interview: ids and times; names and notes are read through the API. */
export function interviewData(row: Interview): Record<string, unknown> {
  return {
    interviewId: row.id,
    mode: row.mode,
    seekerId: row.seekerId,
    recruiterId: row.recruiterId,
    startedAt: row.startedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
  };
}
