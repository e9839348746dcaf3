import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { isOrganizer, membership, requireRole, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { DomainEvents, type SlotNotice } from './events.ts';
import { recordEvent } from './funnel.ts';
import { noMail, type Mailer } from './mail.ts';
import { enqueueBoothEvent } from './outbox.ts';
import { slotIcs, slotMail, type SlotMailFacts, type SlotMailKind } from './slot-mail.ts';
import { validate } from './validate.ts';

const { interviewSlots, slotBookings, slotReminders, slotSettings, booths, fairs, employers, users, seekerProfiles, queueEntries } = schema;

export type InterviewSlot = typeof interviewSlots.$inferSelect;
export type SlotBooking = typeof slotBookings.$inferSelect;

/** Profile fields a slot may require to be filled before booking. */
export const SLOT_PROFILE_FIELDS = ['headline', 'skills', 'education', 'salary', 'locations', 'jobTypes', 'languages'] as const;
export type SlotProfileField = (typeof SLOT_PROFILE_FIELDS)[number];

export interface SlotOptions {
  /** Live bookings per seeker per fair when the organizer set none. */
  maxBookingsPerSeeker: number;
  /** Minutes before a slot when cancelling and rescheduling close, when the organizer set none. */
  cutoffMinutes: number;
  /** How long a node holds a claimed reminder before another may send it. */
  reminderLeaseMs: number;
}

export const defaultSlotOptions: SlotOptions = { maxBookingsPerSeeker: 3, cutoffMinutes: 60, reminderLeaseMs: 60_000 };

const MINUTE = 60_000;
/** Reminders before a slot: the 24 h and 10 min mails. */
const REMINDERS = [
  { kind: '24h', before: 24 * 60 * MINUTE },
  { kind: '10m', before: 10 * MINUTE },
] as const;

/**
 * A booked entry's place in the line: below every walk-up `seq` (a bigserial, positive), in the
 * order of the slots' starts, so the booked seeker is ahead of the walk-up line on every client and
 * node with no second ordering rule. The last three digits tell two slots of one start apart.
 */
const BOOKED_SEQ_BASE = -4_000_000_000_000_000;
export const bookedSeq = (startsAt: Date, bookingId: string) => BOOKED_SEQ_BASE + startsAt.getTime() * 1000 + (parseInt(bookingId.slice(0, 6), 16) % 1000);

/** Whole minutes or counts from a form or a call, as field codes the pages word. */
const whole = (min: number, max: number) => z.coerce.number({ error: 'number' }).int('number').min(min, 'too_small').max(max, 'too_large');

export const publishSlotsSchema = z.object({
  boothId: z.uuid({ error: 'invalid' }),
  /** Who interviews; the actor when absent. Only the employer's owner may publish for a colleague. */
  recruiterId: z.uuid({ error: 'invalid' }).optional(),
  startsAt: z.date({ error: 'date' }),
  count: whole(1, 24),
  lengthMinutes: whole(5, 180),
  bufferMinutes: whole(0, 120),
  requiresResume: z.boolean().default(false),
  requiredFields: z
    .array(z.enum(SLOT_PROFILE_FIELDS, { error: 'invalid' }))
    .max(SLOT_PROFILE_FIELDS.length)
    .default([]),
});
export type PublishSlotsInput = z.input<typeof publishSlotsSchema>;

export const slotSettingsSchema = z.object({
  maxBookingsPerSeeker: whole(1, 20),
  cutoffMinutes: whole(0, 7 * 24 * 60),
});

/**
 * Interview slots and their bookings (issue 15). Every rule is here; the database makes the two
 * races impossible: capacity one is the partial unique index `slot_bookings_slot_uq` (the losing
 * insert inserts nothing), and one seeker's checks (per-fair limit, no overlap) run after taking
 * that seeker's row lock, so two of their bookings on two nodes are checked one after the other.
 * The booking, its reminder rows and its `slot.booked` outbox event commit in one transaction.
 */
export class SlotService {
  constructor(
    private readonly db: Db,
    private readonly mail: { mailer: Mailer; origin: string } = { mailer: noMail, origin: 'http://localhost:3000' },
    private readonly events: DomainEvents = new DomainEvents(),
    readonly options: SlotOptions = defaultSlotOptions,
  ) {}

  async #booth(boothId: string) {
    const [row] = await this.db
      .select({ booth: booths, fair: fairs, employerName: employers.name })
      .from(booths)
      .innerJoin(fairs, eq(fairs.id, booths.fairId))
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(eq(booths.id, boothId));
    if (!row || row.booth.status !== 'approved' || row.fair.status === 'draft') throw new ServiceError('NOT_FOUND', 'No such booth');
    return row;
  }

  /** The fair's booking rules (the organizer's, else the defaults). */
  async settings(fairId: string, db: Db = this.db): Promise<{ maxBookingsPerSeeker: number; cutoffMinutes: number }> {
    const [row] = await db.select().from(slotSettings).where(eq(slotSettings.fairId, fairId));
    return row
      ? { maxBookingsPerSeeker: row.maxBookingsPerSeeker, cutoffMinutes: row.cutoffMinutes }
      : { maxBookingsPerSeeker: this.options.maxBookingsPerSeeker, cutoffMinutes: this.options.cutoffMinutes };
  }

  /** Organizers set a fair's booking limit and cut-off. */
  async setSettings(actor: Actor, fairId: string, input: unknown) {
    requireRole(actor, 'organizer');
    const values = validate(slotSettingsSchema, input);
    const [fair] = await this.db.select({ id: fairs.id }).from(fairs).where(eq(fairs.id, fairId));
    if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
    await this.db
      .insert(slotSettings)
      .values({ fairId, ...values })
      .onConflictDoUpdate({ target: slotSettings.fairId, set: values });
    return values;
  }

  /**
   * Publishes `count` slots one after another (each `lengthMinutes`, then `bufferMinutes` free).
   * A recruiter publishes their own; the employer's owner may publish for a colleague. Slots of
   * one recruiter never overlap (with their buffers): checked under a per-recruiter advisory lock.
   */
  async publish(actor: Actor, input: unknown, now = new Date()): Promise<InterviewSlot[]> {
    const user = requireUser(actor);
    const values = validate(publishSlotsSchema, input);
    const { booth, fair } = await this.#booth(values.boothId);
    const role = await membership(this.db, user.id, booth.employerId);
    if (!role) throw new ServiceError('NOT_AUTHORIZED', 'Only the booth’s recruiters can publish slots');
    const recruiterId = values.recruiterId ?? user.id;
    if (recruiterId !== user.id) {
      if (role !== 'owner') throw new ServiceError('NOT_AUTHORIZED', 'Only the employer’s owner may publish slots for a colleague');
      if (!(await membership(this.db, recruiterId, booth.employerId))) throw new ServiceError('INVALID', 'Not on this team', { recruiterId: 'invalid' });
    }
    if (fair.status === 'ended') throw new ServiceError('CONFLICT', 'This fair has ended');
    const step = (values.lengthMinutes + values.bufferMinutes) * MINUTE;
    const spans = Array.from({ length: values.count }, (_, i) => {
      const startsAt = new Date(values.startsAt.getTime() + i * step);
      return { startsAt, endsAt: new Date(startsAt.getTime() + values.lengthMinutes * MINUTE) };
    });
    if (spans[0]!.startsAt.getTime() <= now.getTime()) throw new ServiceError('INVALID', 'Slots must start in the future', { startsAt: 'slot_past' });
    if (spans.at(-1)!.endsAt.getTime() > fair.endsAt.getTime())
      throw new ServiceError('INVALID', 'Slots must end before the fair does', { startsAt: 'slot_after_fair' });
    const buffer = values.bufferMinutes;
    const created = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('slots:recruiter'), hashtext(${recruiterId}))`);
      const first = spans[0]!.startsAt;
      const last = new Date(spans.at(-1)!.endsAt.getTime() + buffer * MINUTE);
      // Any live slot of this recruiter (with its buffer) meeting the new span (with ours).
      const [clash] = await tx
        .select({ id: interviewSlots.id })
        .from(interviewSlots)
        .where(
          and(
            eq(interviewSlots.recruiterId, recruiterId),
            isNull(interviewSlots.withdrawnAt),
            sql`${interviewSlots.startsAt} < ${last.toISOString()}::timestamptz`,
            sql`${interviewSlots.endsAt} + make_interval(mins => ${interviewSlots.bufferMinutes}) > ${first.toISOString()}::timestamptz`,
          ),
        )
        .limit(1);
      if (clash) throw new ServiceError('CONFLICT', 'These slots overlap the recruiter’s other slots', { startsAt: 'slot_overlap' });
      return tx
        .insert(interviewSlots)
        .values(
          spans.map((s) => ({
            boothId: booth.id,
            fairId: fair.id,
            recruiterId,
            startsAt: s.startsAt,
            endsAt: s.endsAt,
            bufferMinutes: buffer,
            requiresResume: values.requiresResume,
            requiredFields: values.requiredFields,
            createdBy: user.id,
          })),
        )
        .returning();
    });
    return created;
  }

  /** Staff withdraw a slot; a booking on it is cancelled (and both sides told). */
  async withdraw(actor: Actor, slotId: string, now = new Date()): Promise<void> {
    const user = requireUser(actor);
    const [slot] = await this.db.select().from(interviewSlots).where(eq(interviewSlots.id, slotId));
    if (!slot) throw new ServiceError('NOT_FOUND', 'No such slot');
    const { booth } = await this.#booth(slot.boothId);
    if (!(await membership(this.db, user.id, booth.employerId))) throw new ServiceError('NOT_AUTHORIZED', 'Only the booth’s recruiters can withdraw slots');
    const cancelled = await this.db.transaction(async (tx) => {
      const [gone] = await tx
        .update(interviewSlots)
        .set({ withdrawnAt: now })
        .where(and(eq(interviewSlots.id, slotId), isNull(interviewSlots.withdrawnAt)))
        .returning();
      if (!gone) return null;
      const [booking] = await tx
        .select()
        .from(slotBookings)
        .where(and(eq(slotBookings.slotId, slotId), eq(slotBookings.status, 'booked')));
      if (!booking || booking.activatedAt) return null;
      await this.#cancelIn(tx as unknown as Db, booking, now);
      return booking;
    });
    if (cancelled) await this.#afterCancel(cancelled);
  }

  /**
   * Whether the seeker meets the slot's prerequisites; the first one missing as a field code.
   * Read inside the booking's transaction.
   */
  async #missingPrerequisite(db: Db, seekerId: string, slot: InterviewSlot): Promise<string | null> {
    if (!slot.requiresResume && slot.requiredFields.length === 0) return null;
    const [p] = await db.select().from(seekerProfiles).where(eq(seekerProfiles.userId, seekerId));
    if (slot.requiresResume && !p?.resumeUploadId) return 'needs_resume';
    const filled: Record<SlotProfileField, boolean> = {
      headline: !!p?.headline.trim(),
      skills: (p?.skills.length ?? 0) > 0,
      education: !!p?.education.trim(),
      salary: p?.salaryMin != null || p?.salaryMax != null,
      locations: (p?.locations.length ?? 0) > 0,
      jobTypes: (p?.jobTypes.length ?? 0) > 0,
      languages: (p?.languages.length ?? 0) > 0,
    };
    for (const field of slot.requiredFields) if (!filled[field as SlotProfileField]) return `needs_${field}`;
    return null;
  }

  /** Inside a transaction holding the seeker's row lock: every check, then the insert. */
  async #bookIn(db: Db, seekerId: string, slotId: string, now: Date, replacing: string | null): Promise<SlotBooking> {
    const [row] = await db
      .select({ slot: interviewSlots, boothStatus: booths.status, fairStatus: fairs.status })
      .from(interviewSlots)
      .innerJoin(booths, eq(booths.id, interviewSlots.boothId))
      .innerJoin(fairs, eq(fairs.id, interviewSlots.fairId))
      .where(eq(interviewSlots.id, slotId));
    if (!row || row.boothStatus !== 'approved' || row.fairStatus === 'draft') throw new ServiceError('NOT_FOUND', 'No such slot');
    const { slot } = row;
    if (slot.withdrawnAt || row.fairStatus === 'ended') throw new ServiceError('CONFLICT', 'This slot is no longer offered', { slot: 'slot_gone' });
    if (slot.startsAt.getTime() <= now.getTime()) throw new ServiceError('CONFLICT', 'This slot has started', { slot: 'slot_started' });
    const missing = await this.#missingPrerequisite(db, seekerId, slot);
    if (missing) throw new ServiceError('CONFLICT', 'Complete your profile first', { slot: missing });
    const { maxBookingsPerSeeker } = await this.settings(slot.fairId, db);
    const live = await db
      .select({ id: slotBookings.id, startsAt: slotBookings.startsAt, endsAt: slotBookings.endsAt, fairId: slotBookings.fairId })
      .from(slotBookings)
      .where(and(eq(slotBookings.seekerId, seekerId), eq(slotBookings.status, 'booked')));
    const others = live.filter((b) => b.id !== replacing);
    if (others.filter((b) => b.fairId === slot.fairId).length >= maxBookingsPerSeeker) {
      throw new ServiceError('CONFLICT', `You can hold at most ${maxBookingsPerSeeker} bookings in this fair`, { slot: 'booking_limit' });
    }
    if (others.some((b) => b.startsAt < slot.endsAt && b.endsAt > slot.startsAt)) {
      throw new ServiceError('CONFLICT', 'This overlaps another of your bookings', { slot: 'booking_overlap' });
    }
    const [booking] = await db
      .insert(slotBookings)
      .values({
        slotId: slot.id,
        seekerId,
        fairId: slot.fairId,
        boothId: slot.boothId,
        recruiterId: slot.recruiterId,
        startsAt: slot.startsAt,
        endsAt: slot.endsAt,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!booking) throw new ServiceError('CONFLICT', 'Someone else just booked this slot', { slot: 'slot_taken' });
    // The invite goes out through the same durable rows as the reminders (sent at once after the commit).
    const reminders = [{ kind: 'invite', dueAt: now }, ...REMINDERS.map((r) => ({ kind: r.kind, dueAt: new Date(slot.startsAt.getTime() - r.before) }))].filter(
      (r) => r.kind === 'invite' || r.dueAt.getTime() > now.getTime(),
    );
    await db
      .insert(slotReminders)
      .values(
        reminders.flatMap((r) => [seekerId, slot.recruiterId].map((recipientId) => ({ bookingId: booking.id, recipientId, kind: r.kind, dueAt: r.dueAt }))),
      );
    await enqueueBoothEvent(
      db,
      'slot.booked',
      slot.boothId,
      {
        slotId: slot.id,
        bookingId: booking.id,
        seekerId,
        recruiterId: slot.recruiterId,
        startsAt: slot.startsAt.toISOString(),
        endsAt: slot.endsAt.toISOString(),
        ...(replacing ? { replaces: replacing } : {}),
      },
      now,
    );
    return booking;
  }

  /** Cancels inside a transaction: the booking, its pending reminders, and a cancellation mail row per side. */
  async #cancelIn(db: Db, booking: SlotBooking, now: Date): Promise<void> {
    await db.update(slotBookings).set({ status: 'cancelled', cancelledAt: now }).where(eq(slotBookings.id, booking.id));
    await db.delete(slotReminders).where(and(eq(slotReminders.bookingId, booking.id), isNull(slotReminders.sentAt)));
    await db
      .insert(slotReminders)
      .values([booking.seekerId, booking.recruiterId].map((recipientId) => ({ bookingId: booking.id, recipientId, kind: 'cancelled', dueAt: now })))
      .onConflictDoNothing();
  }

  /** The seeker's row lock: their bookings on every node are checked one after another. */
  async #lockSeeker(db: Db, seekerId: string) {
    await db.execute(sql`select id from ${users} where id = ${seekerId} for update`);
  }

  /**
   * Books inside the caller's transaction, for an accepted slot invitation (core/src/candidate-invitations.ts):
   * the same seeker row lock and every rule of `book` (limit, overlap, prerequisites, capacity one).
   * A refusal throws, so the caller's transaction (and the invitation's answer) rolls back with it.
   * After the commit the caller calls `afterBooked` (the notices and the invite mail).
   */
  async bookWithin(tx: Db, seekerId: string, slotId: string, now: Date): Promise<SlotBooking> {
    await this.#lockSeeker(tx, seekerId);
    return this.#bookIn(tx, seekerId, slotId, now, null);
  }

  async afterBooked(booking: SlotBooking): Promise<void> {
    await this.#afterBook(booking);
  }

  /**
   * A booth's published slots still free to offer (not withdrawn, not booked, not started), soonest
   * first: what its staff may invite a seeker to. The caller has checked the actor is staff.
   */
  async freeSlots(boothId: string, now = new Date(), db: Db = this.db) {
    return db
      .select({ id: interviewSlots.id, startsAt: interviewSlots.startsAt, endsAt: interviewSlots.endsAt, recruiterName: users.name })
      .from(interviewSlots)
      .innerJoin(users, eq(users.id, interviewSlots.recruiterId))
      .leftJoin(slotBookings, and(eq(slotBookings.slotId, interviewSlots.id), eq(slotBookings.status, 'booked')))
      .where(and(eq(interviewSlots.boothId, boothId), isNull(interviewSlots.withdrawnAt), gt(interviewSlots.startsAt, now), isNull(slotBookings.id)))
      .orderBy(asc(interviewSlots.startsAt))
      .limit(100);
  }

  /** A seeker books a free slot. */
  async book(actor: Actor, slotId: string, now = new Date()): Promise<SlotBooking> {
    const seeker = requireRole(actor, 'seeker');
    if (!z.uuid().safeParse(slotId).success) throw new ServiceError('NOT_FOUND', 'No such slot');
    const booking = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.#lockSeeker(db, seeker.id);
      return this.#bookIn(db, seeker.id, slotId, now, null);
    });
    await this.#afterBook(booking);
    return booking;
  }

  async #ownBooking(db: Db, seekerId: string, bookingId: string, now: Date): Promise<SlotBooking> {
    if (!z.uuid().safeParse(bookingId).success) throw new ServiceError('NOT_FOUND', 'No such booking');
    const [booking] = await db
      .select()
      .from(slotBookings)
      .where(and(eq(slotBookings.id, bookingId), eq(slotBookings.seekerId, seekerId)));
    if (!booking) throw new ServiceError('NOT_FOUND', 'No such booking');
    if (booking.status !== 'booked') throw new ServiceError('CONFLICT', 'This booking was cancelled', { booking: 'booking_cancelled' });
    const { cutoffMinutes } = await this.settings(booking.fairId, db);
    if (booking.startsAt.getTime() - cutoffMinutes * MINUTE <= now.getTime()) {
      throw new ServiceError('CONFLICT', `Changes close ${cutoffMinutes} minutes before the slot`, { booking: 'past_cutoff' });
    }
    return booking;
  }

  /** The seeker cancels, until the fair's cut-off. */
  async cancel(actor: Actor, bookingId: string, now = new Date()): Promise<void> {
    const seeker = requireRole(actor, 'seeker');
    const booking = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.#lockSeeker(db, seeker.id);
      const booking = await this.#ownBooking(db, seeker.id, bookingId, now);
      await this.#cancelIn(db, booking, now);
      return booking;
    });
    await this.#afterCancel(booking);
  }

  /** The seeker moves a booking to another free slot, until the cut-off: both or neither. */
  async reschedule(actor: Actor, bookingId: string, slotId: string, now = new Date()): Promise<SlotBooking> {
    const seeker = requireRole(actor, 'seeker');
    if (!z.uuid().safeParse(slotId).success) throw new ServiceError('NOT_FOUND', 'No such slot');
    const { old, booking } = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.#lockSeeker(db, seeker.id);
      const old = await this.#ownBooking(db, seeker.id, bookingId, now);
      const booking = await this.#bookIn(db, seeker.id, slotId, now, old.id);
      await this.#cancelIn(db, old, now);
      return { old, booking };
    });
    await this.#afterCancel(old);
    await this.#afterBook(booking);
    return booking;
  }

  async #notice(booking: SlotBooking): Promise<SlotNotice> {
    const [row] = await this.db
      .select({ employerName: employers.name })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(eq(booths.id, booking.boothId));
    return {
      bookingId: booking.id,
      seekerId: booking.seekerId,
      recruiterId: booking.recruiterId,
      boothId: booking.boothId,
      startsAt: booking.startsAt,
      employerName: row?.employerName ?? '',
    };
  }

  async #afterBook(booking: SlotBooking): Promise<void> {
    this.events.emit('slot.booked', await this.#notice(booking));
    // The invite now; if this fails or the process dies, the due-sweep sends it.
    await this.sendDue(new Date(), booking.id).catch(() => {});
  }

  async #afterCancel(booking: SlotBooking): Promise<void> {
    this.events.emit('slot.cancelled', await this.#notice(booking));
    await this.sendDue(new Date(), booking.id).catch(() => {});
  }

  /** Mail facts of one booking. */
  async #facts(bookingId: string) {
    const [row] = await this.db
      .select({
        booking: slotBookings,
        employerName: employers.name,
        timeZone: fairs.timeZone,
        seekerName: sql<string>`(select name from ${users} where id = ${slotBookings.seekerId})`,
        recruiterName: sql<string>`(select name from ${users} where id = ${slotBookings.recruiterId})`,
      })
      .from(slotBookings)
      .innerJoin(booths, eq(booths.id, slotBookings.boothId))
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .innerJoin(fairs, eq(fairs.id, slotBookings.fairId))
      .where(eq(slotBookings.id, bookingId));
    if (!row) return null;
    const facts: SlotMailFacts = {
      bookingId,
      startsAt: row.booking.startsAt,
      endsAt: row.booking.endsAt,
      employerName: row.employerName,
      seekerName: row.seekerName,
      recruiterName: row.recruiterName,
      timeZone: row.timeZone,
      boothUrl: `${this.mail.origin}/booths/${row.booking.boothId}`,
      sequence: row.booking.status === 'cancelled' ? 1 : 0,
    };
    return { booking: row.booking, facts };
  }

  /**
   * The due-sweep of invites, cancellations and reminders, as every node runs it (the clock):
   * due rows are claimed under a lease (`for update skip locked`, so two nodes never claim one
   * row), mailed, then marked sent. A node that dies after claiming leaves the row to be sent by
   * another when the lease runs out. Reminders of a cancelled booking are not sent. `bookingId`
   * narrows it to one booking (right after a change, so the invite does not wait for the clock).
   */
  async sendDue(now = new Date(), bookingId?: string): Promise<number> {
    const leaseUntil = new Date(now.getTime() + this.options.reminderLeaseMs);
    const claimed = await this.db.execute<{ booking_id: string; recipient_id: string; kind: string }>(sql`
      update ${slotReminders} r set claimed_until = ${leaseUntil.toISOString()}::timestamptz
      where (r.booking_id, r.recipient_id, r.kind) in (
        select r2.booking_id, r2.recipient_id, r2.kind from ${slotReminders} r2
        join ${slotBookings} b on b.id = r2.booking_id
        where r2.sent_at is null and r2.due_at <= ${now.toISOString()}::timestamptz
          and (r2.claimed_until is null or r2.claimed_until < ${now.toISOString()}::timestamptz)
          and (r2.kind = 'cancelled' or b.status = 'booked')
          and (r2.kind in ('invite', 'cancelled') or b.starts_at > ${now.toISOString()}::timestamptz)
          ${bookingId ? sql`and r2.booking_id = ${bookingId}` : sql``}
        order by r2.due_at limit 50
        for update of r2 skip locked
      )
      returning r.booking_id, r.recipient_id, r.kind`);
    const rows = Array.isArray(claimed) ? claimed : ((claimed as { rows?: typeof claimed }).rows ?? []);
    let sent = 0;
    for (const r of rows as Array<{ booking_id: string; recipient_id: string; kind: string }>) {
      const found = await this.#facts(r.booking_id);
      const [to] = await this.db.select({ email: users.email, locale: users.locale }).from(users).where(eq(users.id, r.recipient_id));
      if (found && to) {
        const side = r.recipient_id === found.booking.seekerId ? 'seeker' : 'recruiter';
        await this.mail.mailer.send(slotMail(r.kind as SlotMailKind, side, to, found.facts));
      }
      await this.db
        .update(slotReminders)
        .set({ sentAt: new Date() })
        .where(and(eq(slotReminders.bookingId, r.booking_id), eq(slotReminders.recipientId, r.recipient_id), eq(slotReminders.kind, r.kind)));
      sent++;
    }
    return sent;
  }

  /** The .ics of a booking, for its seeker and the booth's staff. */
  async ics(actor: Actor, bookingId: string): Promise<string> {
    const user = requireUser(actor);
    if (!z.uuid().safeParse(bookingId).success) throw new ServiceError('NOT_FOUND', 'No such booking');
    const found = await this.#facts(bookingId);
    if (!found) throw new ServiceError('NOT_FOUND', 'No such booking');
    if (found.booking.seekerId !== user.id) {
      const [booth] = await this.db.select({ employerId: booths.employerId }).from(booths).where(eq(booths.id, found.booking.boothId));
      if (!booth || !(await membership(this.db, user.id, booth.employerId))) throw new ServiceError('NOT_FOUND', 'No such booking');
    }
    return slotIcs(found.facts, found.booking.status === 'cancelled');
  }

  /**
   * At a booking's time the seeker goes ahead of the walk-up line to that recruiter: a line entry
   * with a `seq` below every walk-up's (`bookedSeq`), which only that recruiter's "call next" takes
   * (db/src/queries/queue.ts), then the line's own rules (accept in time or no-show). A seeker
   * already waiting at that booth has their entry moved up. Claimed with `for update skip locked`
   * and a conditional mark, so with several nodes each booking is activated once.
   */
  async activateDue(now = new Date()): Promise<SlotBooking[]> {
    const activated = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const due = await db
        .update(slotBookings)
        .set({ activatedAt: now })
        .where(
          inArray(
            slotBookings.id,
            sql`(select id from ${slotBookings} where status = 'booked' and activated_at is null
                  and starts_at <= ${now.toISOString()}::timestamptz and ends_at > ${now.toISOString()}::timestamptz
                  order by starts_at limit 50 for update skip locked)`,
          ),
        )
        .returning();
      for (const b of due) {
        const seq = bookedSeq(b.startsAt, b.id);
        const [inserted] = await db
          .insert(queueEntries)
          .values({ boothId: b.boothId, seekerId: b.seekerId, seq, joinedAt: now })
          .onConflictDoNothing()
          .returning({ id: queueEntries.id });
        let entryId = inserted?.id ?? null;
        if (inserted) {
          await recordEvent(db, { id: `queue_joined:${inserted.id}`, kind: 'queue_joined', boothId: b.boothId, actor: b.seekerId, at: now });
        } else {
          // Already in this booth's line: a waiting entry moves up; a called or interviewing one stays.
          const [live] = await db
            .select({ id: queueEntries.id, status: queueEntries.status })
            .from(queueEntries)
            .where(
              and(
                eq(queueEntries.boothId, b.boothId),
                eq(queueEntries.seekerId, b.seekerId),
                inArray(queueEntries.status, ['waiting', 'called', 'interviewing']),
              ),
            );
          if (live?.status === 'waiting') await db.update(queueEntries).set({ seq }).where(eq(queueEntries.id, live.id));
          entryId = live?.id ?? null;
        }
        if (entryId) await db.update(slotBookings).set({ entryId }).where(eq(slotBookings.id, b.id));
        b.entryId = entryId;
      }
      return due;
    });
    for (const boothId of new Set(activated.map((b) => b.boothId))) this.events.emit('queue.changed', { boothId });
    return activated;
  }

  /** Slots of a booth from now on, as the asking user may see them. */
  async boothSlots(actor: Actor, boothId: string, now = new Date()) {
    const { booth, fair } = await this.#booth(boothId);
    const staff = actor ? (await membership(this.db, actor.id, booth.employerId)) !== null : false;
    const rows = await this.db
      .select({
        slot: interviewSlots,
        recruiterName: users.name,
        bookingId: slotBookings.id,
        bookedBy: slotBookings.seekerId,
        bookedByName: sql<string | null>`(select name from ${users} u where u.id = ${slotBookings.seekerId})`,
        outcome: slotBookings.outcome,
      })
      .from(interviewSlots)
      .innerJoin(users, eq(users.id, interviewSlots.recruiterId))
      .leftJoin(slotBookings, and(eq(slotBookings.slotId, interviewSlots.id), eq(slotBookings.status, 'booked')))
      .where(and(eq(interviewSlots.boothId, boothId), isNull(interviewSlots.withdrawnAt), gt(interviewSlots.endsAt, now)))
      .orderBy(asc(interviewSlots.startsAt));
    const settings = await this.settings(fair.id);
    return {
      timeZone: fair.timeZone,
      settings,
      staff,
      slots: rows
        .filter((r) => staff || (r.bookingId === null && r.slot.startsAt > now))
        .map((r) => ({
          id: r.slot.id,
          startsAt: r.slot.startsAt,
          endsAt: r.slot.endsAt,
          bufferMinutes: r.slot.bufferMinutes,
          recruiterId: r.slot.recruiterId,
          recruiterName: r.recruiterName,
          requiresResume: r.slot.requiresResume,
          requiredFields: r.slot.requiredFields,
          // Who booked is for the booth's staff only.
          booking: staff && r.bookingId ? { id: r.bookingId, seekerName: r.bookedByName ?? '', outcome: r.outcome } : null,
        })),
    };
  }

  /**
   * The employer console's list: its team's live bookings at every booth of the employer (newest
   * fairs' first, then by time), for members of that employer only. Past ones stay (with their
   * outcome) while their fair is on the list.
   */
  async teamBookings(actor: Actor, employerId: string) {
    const user = requireUser(actor);
    if (!z.uuid().safeParse(employerId).success || !(await membership(this.db, user.id, employerId)))
      throw new ServiceError('NOT_AUTHORIZED', 'Only the employer’s team sees its bookings');
    const seeker = sql<string>`(select name from ${users} u where u.id = ${slotBookings.seekerId})`;
    return this.db
      .select({
        id: slotBookings.id,
        boothId: slotBookings.boothId,
        fairId: fairs.id,
        fairTitle: fairs.title,
        timeZone: fairs.timeZone,
        startsAt: slotBookings.startsAt,
        endsAt: slotBookings.endsAt,
        outcome: slotBookings.outcome,
        seekerName: seeker,
        recruiterName: users.name,
      })
      .from(slotBookings)
      .innerJoin(booths, eq(booths.id, slotBookings.boothId))
      .innerJoin(fairs, eq(fairs.id, slotBookings.fairId))
      .innerJoin(users, eq(users.id, slotBookings.recruiterId))
      .where(and(eq(booths.employerId, employerId), eq(slotBookings.status, 'booked')))
      .orderBy(sql`${fairs.startsAt} desc`, asc(slotBookings.startsAt))
      .limit(500);
  }

  /** A seeker's live bookings (all fairs), soonest first. */
  async myBookings(actor: Actor) {
    const seeker = requireRole(actor, 'seeker');
    const rows = await this.db
      .select({ booking: slotBookings, employerName: employers.name, recruiterName: users.name, fairTitle: fairs.title })
      .from(slotBookings)
      .innerJoin(booths, eq(booths.id, slotBookings.boothId))
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .innerJoin(fairs, eq(fairs.id, slotBookings.fairId))
      .innerJoin(users, eq(users.id, slotBookings.recruiterId))
      .where(and(eq(slotBookings.seekerId, seeker.id), eq(slotBookings.status, 'booked')))
      .orderBy(asc(slotBookings.startsAt));
    return Promise.all(
      rows.map(async (r) => {
        const { cutoffMinutes } = await this.settings(r.booking.fairId);
        return {
          id: r.booking.id,
          slotId: r.booking.slotId,
          boothId: r.booking.boothId,
          startsAt: r.booking.startsAt,
          endsAt: r.booking.endsAt,
          employerName: r.employerName,
          recruiterName: r.recruiterName,
          fairTitle: r.fairTitle,
          outcome: r.booking.outcome,
          /** Cancelling and rescheduling close at this instant. */
          changeableUntil: new Date(r.booking.startsAt.getTime() - cutoffMinutes * MINUTE),
        };
      }),
    );
  }

  /** Whether the actor may see a booth's slots as staff (for pages deciding what to show). */
  async isStaff(actor: Actor, boothId: string): Promise<boolean> {
    if (!actor) return false;
    const { booth } = await this.#booth(boothId);
    return isOrganizer(actor) ? false : (await membership(this.db, actor.id, booth.employerId)) !== null;
  }
}
