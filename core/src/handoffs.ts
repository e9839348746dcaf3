import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { callNextStatement, schema, type Db } from '@fairground/db';
import { membership, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { DomainEvents } from './events.ts';
import { closeInterviewIn, type Interview } from './interviews.ts';
import type { QueueEntry, QueueOptions } from './queue.ts';
import { validate } from './validate.ts';
import { PANEL_LIMIT } from './schemas.ts';

const { interviews, interviewParticipants, queueEntries, booths, users } = schema;

/** At most this many people in one interview (core/src/schemas.ts: the pages read it too). */
export { PANEL_LIMIT };

export interface HandoffOptions {
  /** How long a transferred seeker is kept for the colleague before any recruiter may call them. */
  transferHoldSeconds: number;
}

export const defaultHandoffOptions: HandoffOptions = { transferHoldSeconds: 300 };

export const panelInviteSchema = z.object({
  userId: z.uuid({ error: 'invalid' }),
  role: z.enum(['recruiter', 'interpreter'], { error: 'invalid' }),
});

/**
 * Hand-offs inside a booth, by the recruiter of an open interview: send the seeker back to the
 * front of the line, transfer them to a colleague on duty (called to that colleague first), invite
 * colleagues into the interview (a panel of at most `PANEL_LIMIT` people), and drop the interview to
 * audio only. Every action checks the actor here; the socket layer only adds what it alone knows
 * (who is on duty) and moves the media.
 */
export class HandoffService {
  constructor(
    private readonly db: Db,
    private readonly queue: Pick<QueueOptions, 'acceptSeconds'>,
    private readonly options: HandoffOptions = defaultHandoffOptions,
    private readonly events: DomainEvents = new DomainEvents(),
  ) {}

  /** The open interview, its booth's employer, and the actor who must be its recruiter. */
  async #lead(actor: Actor, interviewId: string) {
    const user = requireUser(actor);
    const [row] = await this.db
      .select({ interview: interviews, employerId: booths.employerId })
      .from(interviews)
      .innerJoin(booths, eq(booths.id, interviews.boothId))
      .where(eq(interviews.id, interviewId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such interview');
    if (row.interview.recruiterId !== user.id) throw new ServiceError('NOT_AUTHORIZED', 'Only the interviewer hands this seeker on');
    if (row.interview.endedAt) throw new ServiceError('CONFLICT', 'The interview has ended');
    return { ...row, user };
  }

  /** The seeker goes back to the front of the line (the interview ends; nothing of it is lost). */
  async sendBack(actor: Actor, interviewId: string): Promise<QueueEntry> {
    await this.#lead(actor, interviewId);
    return this.#requeue(interviewId, null);
  }

  /**
   * The seeker goes to a colleague of the same booth who is on duty (`colleagueOnDuty`: presence
   * is the caller's knowledge). The colleague is called for them at once when free (no interview,
   * no open call); otherwise their next "call next" takes this seeker before anyone else, and other
   * recruiters pass over the seeker for `transferHoldSeconds`.
   */
  async transfer(actor: Actor, interviewId: string, colleagueId: string, colleagueOnDuty: boolean): Promise<{ entry: QueueEntry; called: boolean }> {
    const { employerId, user, interview } = await this.#lead(actor, interviewId);
    if (colleagueId === user.id) throw new ServiceError('INVALID', 'Transfer to a colleague, not to yourself', { colleagueId: 'invalid' });
    if (!(await membership(this.db, colleagueId, employerId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only a recruiter of this booth can take the seeker', { colleagueId: 'not_staff' });
    }
    if (!colleagueOnDuty) throw new ServiceError('CONFLICT', 'That colleague is not on duty at this booth', { colleagueId: 'off_duty' });
    const entry = await this.#requeue(interviewId, colleagueId);
    if (!(await this.#free(colleagueId))) return { entry, called: false };
    const outcome = await callNextStatement(this.db, {
      boothId: interview.boothId,
      recruiterId: colleagueId,
      acceptSeconds: this.queue.acceptSeconds,
      at: new Date(),
    });
    if (outcome.kind === 'called') this.events.emit('queue.changed', { boothId: interview.boothId });
    return { entry: outcome.kind === 'called' ? outcome.entry : entry, called: outcome.kind === 'called' && outcome.entry.id === entry.id };
  }

  /** Neither in an open interview nor waiting on a call of their own. */
  async #free(recruiterId: string): Promise<boolean> {
    const [busy] = await this.db
      .select({ id: interviews.id })
      .from(interviews)
      .where(and(eq(interviews.recruiterId, recruiterId), isNull(interviews.endedAt)))
      .limit(1);
    if (busy) return false;
    const [calling] = await this.db
      .select({ id: queueEntries.id })
      .from(queueEntries)
      .where(and(eq(queueEntries.calledBy, recruiterId), eq(queueEntries.status, 'called')))
      .limit(1);
    return !calling;
  }

  /**
   * Ends the interview and puts its seeker back in the line ahead of everyone waiting, in one
   * transaction: a new waiting entry (the old one is `done`, as its interview is) with the old
   * join time and line slot, its `seq` below the lowest waiting one. It is not a new join (not
   * counted again). `assignee`: the colleague it is kept for.
   */
  async #requeue(interviewId: string, assignee: string | null): Promise<QueueEntry> {
    const at = new Date();
    const { closed, entry } = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const closed = await closeInterviewIn(db, interviewId, at, 'handoff');
      if (!closed) throw new ServiceError('CONFLICT', 'The interview has ended');
      const [old] = await db.select().from(queueEntries).where(eq(queueEntries.id, closed.entryId));
      // The booth's line is locked so two hand-offs at once do not take the same front place.
      await db.execute(sql`select pg_advisory_xact_lock(727301, hashtext(${closed.boothId}::text))`);
      const [front] = await db
        .select({ seq: sql<number | null>`min(${queueEntries.seq})` })
        .from(queueEntries)
        .where(and(eq(queueEntries.boothId, closed.boothId), inArray(queueEntries.status, ['waiting', 'called'])));
      const seq = Math.min(Number(front?.seq ?? old!.seq), old!.seq) - 1;
      const [entry] = await db
        .insert(queueEntries)
        .values({
          seq,
          boothId: closed.boothId,
          seekerId: closed.seekerId,
          joinedAt: old!.joinedAt,
          slot: old!.slot,
          assignedTo: assignee,
          assignedUntil: assignee ? new Date(at.getTime() + this.options.transferHoldSeconds * 1000) : null,
        })
        .returning();
      return { closed, entry: entry! };
    });
    this.events.emit('interview.ended', { interview: closed, by: 'handoff' });
    this.events.emit('queue.changed', { boothId: closed.boothId });
    return entry;
  }

  /**
   * The recruiter invites a colleague of the employer's team into the interview, as a recruiter
   * or as its interpreter. The interview row is locked while the seats are counted, so concurrent
   * invitations never seat more than `PANEL_LIMIT` people. Inviting someone seated already is fine.
   */
  async invite(actor: Actor, interviewId: string, input: unknown): Promise<{ userId: string; role: 'recruiter' | 'interpreter'; name: string }> {
    const { employerId, user, interview } = await this.#lead(actor, interviewId);
    const { userId, role } = validate(panelInviteSchema, input);
    if (userId === user.id || userId === interview.seekerId) throw new ServiceError('INVALID', 'They are in the interview already', { userId: 'invalid' });
    if (!(await membership(this.db, userId, employerId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only the employer’s team can join its interviews', { userId: 'not_staff' });
    }
    await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [open] = await db
        .select({ id: interviews.id })
        .from(interviews)
        .where(and(eq(interviews.id, interviewId), isNull(interviews.endedAt)))
        .for('update');
      if (!open) throw new ServiceError('CONFLICT', 'The interview has ended');
      const seated = await db
        .select({ userId: interviewParticipants.userId })
        .from(interviewParticipants)
        .where(eq(interviewParticipants.interviewId, interviewId));
      if (seated.some((s) => s.userId === userId)) return;
      if (2 + seated.length >= PANEL_LIMIT) throw new ServiceError('PANEL_FULL', `An interview has at most ${PANEL_LIMIT} people`);
      await db.insert(interviewParticipants).values({ interviewId, userId, role, invitedBy: user.id });
    });
    const [who] = await this.db.select({ name: users.name }).from(users).where(eq(users.id, userId));
    return { userId, role, name: who?.name ?? '' };
  }

  /** The panel beside the seeker and the recruiter, for anyone in the interview. */
  async panel(interviewId: string) {
    return this.db
      .select({ userId: interviewParticipants.userId, role: interviewParticipants.role, name: users.name })
      .from(interviewParticipants)
      .innerJoin(users, eq(users.id, interviewParticipants.userId))
      .where(eq(interviewParticipants.interviewId, interviewId))
      .orderBy(interviewParticipants.addedAt);
  }

  /**
   * Audio only on (or back to video) for an open interview, by its recruiter or a recruiter of its
   * panel. The interview goes on; the media layer closes and refuses cameras while it is on.
   */
  async setAudioOnly(actor: Actor, interviewId: string, audioOnly: boolean): Promise<Interview> {
    const user = requireUser(actor);
    const [row] = await this.db.select().from(interviews).where(eq(interviews.id, interviewId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such interview');
    if (row.recruiterId !== user.id) {
      const [seat] = await this.db
        .select({ role: interviewParticipants.role })
        .from(interviewParticipants)
        .where(and(eq(interviewParticipants.interviewId, interviewId), eq(interviewParticipants.userId, user.id)));
      if (seat?.role !== 'recruiter') throw new ServiceError('NOT_AUTHORIZED', 'Only the interview’s recruiters switch it to audio');
    }
    const [updated] = await this.db
      .update(interviews)
      .set({ audioOnly })
      .where(and(eq(interviews.id, interviewId), isNull(interviews.endedAt)))
      .returning();
    if (!updated) throw new ServiceError('CONFLICT', 'The interview has ended');
    return updated;
  }

  /** Colleagues of the interview's booth a recruiter may hand the seeker to or invite (names, for the menu). */
  async colleagues(actor: Actor, interviewId: string) {
    const { employerId, user } = await this.#lead(actor, interviewId);
    const rows = await this.db
      .select({ userId: schema.employerMembers.userId, name: users.name })
      .from(schema.employerMembers)
      .innerJoin(users, eq(users.id, schema.employerMembers.userId))
      .where(eq(schema.employerMembers.employerId, employerId));
    return rows.filter((r) => r.userId !== user.id);
  }
}
