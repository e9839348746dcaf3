import { and, count, desc, eq, gt, min, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { requireRole, type Actor } from './actor.ts';
import { candidateInvitationMail } from './candidate-invitation-mail.ts';
import { ServiceError } from './errors.ts';
import type { DomainEvents } from './events.ts';
import type { InvitationMail } from './invitations.ts';
import { mailLanguage, noMail } from './mail.ts';
import { enqueueBoothEvent } from './outbox.ts';
import { candidateInvitationSchema, invitationAnswerSchema, type CandidateInvitationInput } from './resume-book-schemas.ts';
import type { ResumeBookService } from './resume-book.ts';
import type { SlotBooking, SlotService } from './slots.ts';
import { validate } from './validate.ts';

const { candidateInvitations, employers, fairs, jobs, users, interviewSlots, slotBookings } = schema;

export interface CandidateInvitationOptions {
  /** Invitations one employer may send in an hour, over all its staff, booths and nodes. */
  perHour: number;
}

export const defaultCandidateInvitationOptions: CandidateInvitationOptions = { perHour: 30 };

/** Where the seeker answers (linked from the mail). */
export const CANDIDATE_INVITATIONS_PATH = '/profile/invitations';

const HOUR_MS = 3600_000;
const isUuid = (v: string) => z.uuid().safeParse(v).success;

/**
 * Where a slot invitation's slot stands, for the seeker's list: still free, booked by this seeker
 * (accepted), taken by someone else or withdrawn/started (the invitation stays pending; accepting
 * it is refused, declining still answers it).
 */
export type InvitedSlotState = 'free' | 'mine' | 'taken' | 'gone';

/**
 * Candidate invitations (邀约): an employer's staff invite a seeker they found in a fair's resume
 * book to the booth, to a job or to one of the booth's free interview slots; the seeker accepts or
 * declines. Accepting a slot invitation books the slot through SlotService's own rules. Not to be confused with
 * core/src/invitations.ts (mailed links that add a recruiter to a team or a co-host to a broadcast).
 */
export class CandidateInvitationService {
  constructor(
    private readonly db: Db,
    private readonly resumeBook: ResumeBookService,
    private readonly mail: InvitationMail = { mailer: noMail, origin: 'http://localhost:3000' },
    readonly options: CandidateInvitationOptions = defaultCandidateInvitationOptions,
    /** Slot invitations book through `slots`; `events` carries the seeker's in-app notice. */
    private readonly deps: { slots?: SlotService; events?: DomainEvents } = {},
  ) {}

  /** The booth's free slots its staff may invite a seeker to (the invite dialog's choices). */
  async offerableSlots(actor: Actor, boothId: string, now = new Date()) {
    const booth = await this.resumeBook.boothOf(actor, boothId);
    return this.deps.slots ? this.deps.slots.freeSlots(booth.id, now) : [];
  }

  /**
   * Invites a findable seeker. The limit and the one-pending-per-target rule hold however many staff
   * on however many nodes invite at once: the count and the insert run in one transaction holding
   * the employer's row, and a partial unique index (pending, per booth, seeker and target) backs it.
   * The seeker is mailed after the commit; the in-app notice is the invitation row itself.
   */
  async invite(actor: Actor, boothId: string, seekerId: string, input: CandidateInvitationInput, now = new Date()) {
    const data = validate(candidateInvitationSchema, input);
    const booth = await this.resumeBook.boothOf(actor, boothId);
    const seeker = await this.resumeBook.findable(booth.fair.id, seekerId);
    let jobTitle: string | null = null;
    if (data.kind === 'job') {
      const [job] = await this.db
        .select({ title: jobs.title })
        .from(jobs)
        .where(and(eq(jobs.id, data.jobId), eq(jobs.employerId, booth.employerId)));
      if (!job) throw new ServiceError('INVALID', 'Choose one of your jobs', { jobId: 'invalid' });
      jobTitle = job.title;
    }
    const target = data.kind === 'job' ? `job:${data.jobId}` : data.kind === 'slot' ? `slot:${data.slotId}` : 'booth';
    const created = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select id from ${employers} where id = ${booth.employerId} for update`);
      let slotStartsAt: Date | null = null;
      if (data.kind === 'slot') {
        // One of this booth's published slots, free and not started (a booked one is no offer).
        const [slot] = await tx
          .select({ startsAt: interviewSlots.startsAt, withdrawnAt: interviewSlots.withdrawnAt, bookedBy: slotBookings.seekerId })
          .from(interviewSlots)
          .leftJoin(slotBookings, and(eq(slotBookings.slotId, interviewSlots.id), eq(slotBookings.status, 'booked')))
          .where(and(eq(interviewSlots.id, data.slotId), eq(interviewSlots.boothId, booth.id)));
        if (!slot || slot.withdrawnAt || slot.startsAt.getTime() <= now.getTime())
          throw new ServiceError('INVALID', 'Choose one of your free slots', { slotId: 'invalid' });
        if (slot.bookedBy) throw new ServiceError('CONFLICT', 'That slot is already booked', { form: 'slot_taken' });
        slotStartsAt = slot.startsAt;
      }
      const since = new Date(now.getTime() - HOUR_MS);
      const [recent] = await tx
        .select({ n: count(), oldest: min(candidateInvitations.createdAt) })
        .from(candidateInvitations)
        .where(and(eq(candidateInvitations.employerId, booth.employerId), gt(candidateInvitations.createdAt, since)));
      if ((recent?.n ?? 0) >= this.options.perHour) {
        const oldest = recent?.oldest ? new Date(recent.oldest).getTime() : now.getTime();
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + HOUR_MS - now.getTime()) / 1000));
        throw new ServiceError('RATE_LIMITED', 'Too many invitations this hour', { form: 'invitation_rate_limited' }, retryAfterSeconds);
      }
      // A declined invitation is an answer: the same target is not asked again.
      const [declined] = await tx
        .select({ id: candidateInvitations.id })
        .from(candidateInvitations)
        .where(
          and(
            eq(candidateInvitations.boothId, booth.id),
            eq(candidateInvitations.seekerId, seeker.id),
            eq(candidateInvitations.target, target),
            eq(candidateInvitations.status, 'declined'),
          ),
        )
        .limit(1);
      if (declined) throw new ServiceError('CONFLICT', 'This seeker declined that invitation', { form: 'invitation_declined' });
      const [row] = await tx
        .insert(candidateInvitations)
        .values({
          boothId: booth.id,
          fairId: booth.fair.id,
          employerId: booth.employerId,
          seekerId: seeker.id,
          invitedBy: booth.user.id,
          kind: data.kind,
          jobId: data.kind === 'job' ? data.jobId : null,
          slotId: data.kind === 'slot' ? data.slotId : null,
          target,
          message: data.message,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new ServiceError('CONFLICT', 'This seeker already has your invitation to that', { form: 'already_invited' });
      return { row, slotStartsAt };
    });
    this.deps.events?.emit('candidate.invited', {
      invitationId: created.row.id,
      seekerId: seeker.id,
      employerName: booth.employerName,
      kind: created.row.kind,
      startsAt: created.slotStartsAt,
    });
    const [to] = await this.db.select({ email: users.email, locale: users.locale }).from(users).where(eq(users.id, seeker.id));
    if (to) {
      const message = candidateInvitationMail(mailLanguage(to.locale), {
        to: to.email,
        employerName: booth.employerName,
        fairTitle: booth.fair.title,
        jobTitle,
        slot: created.slotStartsAt ? { startsAt: created.slotStartsAt, timeZone: booth.fair.timeZone } : null,
        message: data.message,
        link: `${this.mail.origin}${CANDIDATE_INVITATIONS_PATH}`,
      });
      // The invitation stands without the mail (the seeker sees it in the app); a failing mail
      // server must not make the employer think it was not sent, and invite again into CONFLICT.
      await this.mail.mailer.send(message).catch(() => {});
    }
    return created.row;
  }

  /**
   * The seeker accepts or declines. One conditional UPDATE answers it once, whatever the tabs or
   * nodes; its `invitation.answered` webhook event commits with it.
   */
  async answer(actor: Actor, invitationId: string, rawAnswer: unknown, now = new Date()) {
    const seeker = requireRole(actor, 'seeker');
    const answer = validate(z.object({ answer: invitationAnswerSchema }), { answer: rawAnswer }).answer;
    if (!isUuid(invitationId)) throw new ServiceError('NOT_FOUND', 'No such invitation');
    const answered = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(candidateInvitations)
        .set({ status: answer, answeredAt: now })
        .where(and(eq(candidateInvitations.id, invitationId), eq(candidateInvitations.seekerId, seeker.id), eq(candidateInvitations.status, 'pending')))
        .returning();
      if (!row) {
        const [mine] = await tx
          .select({ status: candidateInvitations.status })
          .from(candidateInvitations)
          .where(and(eq(candidateInvitations.id, invitationId), eq(candidateInvitations.seekerId, seeker.id)));
        if (!mine) throw new ServiceError('NOT_FOUND', 'No such invitation');
        throw new ServiceError('CONFLICT', 'You already answered this invitation', { form: 'already_answered' });
      }
      await enqueueBoothEvent(
        tx as unknown as Db,
        'invitation.answered',
        row.boothId,
        { invitation: 'candidate', answer, invitationId: row.id, kind: row.kind, jobId: row.jobId, slotId: row.slotId, userId: seeker.id },
        now,
      );
      // Accepting a slot books it in this same transaction, under every booking rule: if the slot
      // was taken meanwhile (or the seeker is at their limit, overlaps, is past the start...), the
      // refusal rolls the answer back too, so the invitation stays pending and the seeker is told why.
      let booking: SlotBooking | null = null;
      if (answer === 'accepted' && row.kind === 'slot' && row.slotId) {
        if (!this.deps.slots) throw new ServiceError('CONFLICT', 'Slot invitations are not available here');
        try {
          booking = await this.deps.slots.bookWithin(tx as unknown as Db, seeker.id, row.slotId, now);
        } catch (e) {
          if (e instanceof ServiceError && e.fields.slot) throw new ServiceError(e.code, e.message, { form: e.fields.slot });
          throw e;
        }
      }
      return { row, booking };
    });
    if (answered.booking) await this.deps.slots?.afterBooked(answered.booking);
    return answered.row;
  }

  /** The signed-in seeker's invitations, pending first, then newest. */
  async forSeeker(actor: Actor) {
    const seeker = requireRole(actor, 'seeker');
    return this.db
      .select({
        id: candidateInvitations.id,
        kind: candidateInvitations.kind,
        status: candidateInvitations.status,
        message: candidateInvitations.message,
        createdAt: candidateInvitations.createdAt,
        answeredAt: candidateInvitations.answeredAt,
        boothId: candidateInvitations.boothId,
        employerName: employers.name,
        fairTitle: fairs.title,
        jobId: candidateInvitations.jobId,
        jobTitle: jobs.title,
        slotId: candidateInvitations.slotId,
        slotStartsAt: interviewSlots.startsAt,
        slotEndsAt: interviewSlots.endsAt,
        timeZone: fairs.timeZone,
        slotState: sql<InvitedSlotState | null>`case
          when ${candidateInvitations.slotId} is null then null
          when exists (select 1 from ${slotBookings} b where b.slot_id = ${candidateInvitations.slotId} and b.status = 'booked' and b.seeker_id = ${seeker.id}) then 'mine'
          when exists (select 1 from ${slotBookings} b where b.slot_id = ${candidateInvitations.slotId} and b.status = 'booked') then 'taken'
          when ${interviewSlots.withdrawnAt} is not null or ${interviewSlots.startsAt} <= now() then 'gone'
          else 'free' end`,
      })
      .from(candidateInvitations)
      .innerJoin(employers, eq(employers.id, candidateInvitations.employerId))
      .innerJoin(fairs, eq(fairs.id, candidateInvitations.fairId))
      .leftJoin(jobs, eq(jobs.id, candidateInvitations.jobId))
      .leftJoin(interviewSlots, eq(interviewSlots.id, candidateInvitations.slotId))
      .where(eq(candidateInvitations.seekerId, seeker.id))
      .orderBy(sql`${candidateInvitations.status} = 'pending' desc`, desc(candidateInvitations.createdAt), desc(candidateInvitations.id));
  }

  /** How many invitations wait for the seeker's answer (the in-app notice); 0 for anyone else. */
  async pendingCount(actor: Actor): Promise<number> {
    if (actor?.role !== 'seeker') return 0;
    const [row] = await this.db
      .select({ n: count() })
      .from(candidateInvitations)
      .where(and(eq(candidateInvitations.seekerId, actor.id), eq(candidateInvitations.status, 'pending')));
    return row?.n ?? 0;
  }

  /** What the booth's employer sent and how each was answered, newest first (its staff only). */
  async sentFromBooth(actor: Actor, boothId: string, seekerId?: string) {
    const booth = await this.resumeBook.boothOf(actor, boothId);
    const seeker = schema.users;
    return this.db
      .select({
        id: candidateInvitations.id,
        kind: candidateInvitations.kind,
        status: candidateInvitations.status,
        createdAt: candidateInvitations.createdAt,
        answeredAt: candidateInvitations.answeredAt,
        seekerId: candidateInvitations.seekerId,
        seekerName: seeker.name,
        jobTitle: jobs.title,
        slotStartsAt: interviewSlots.startsAt,
      })
      .from(candidateInvitations)
      .innerJoin(seeker, eq(seeker.id, candidateInvitations.seekerId))
      .leftJoin(jobs, eq(jobs.id, candidateInvitations.jobId))
      .leftJoin(interviewSlots, eq(interviewSlots.id, candidateInvitations.slotId))
      .where(and(eq(candidateInvitations.boothId, booth.id), seekerId && isUuid(seekerId) ? eq(candidateInvitations.seekerId, seekerId) : undefined))
      .orderBy(desc(candidateInvitations.createdAt), desc(candidateInvitations.id))
      .limit(200);
  }
}
