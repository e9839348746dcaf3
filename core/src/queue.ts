import { and, asc, eq, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { membership, requireRole, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { recordEvent } from './funnel.ts';
import { enqueueBoothEvent, webhookMessageId } from './outbox.ts';
import { interviewData, type Interview } from './interviews.ts';
import { DomainEvents } from './events.ts';
import { callNextStatement, joinQueueStatement, leaveQueueStatement, sessionUserById } from '@fairground/db';

const { queueEntries, interviews, booths, fairs, users, seekerProfiles, slotBookings } = schema;

export type QueueEntry = typeof queueEntries.$inferSelect;

export interface QueueOptions {
  /** Seconds a called seeker has to accept. */
  acceptSeconds: number;
  /** Seconds a disconnected seeker keeps their place. */
  graceSeconds: number;
  /** Lines one seeker may wait in at once. */
  maxQueuesPerSeeker: number;
  /** Interview length assumed before a booth has any history, and planned per interview. */
  interviewMinutes: number;
}

export const defaultQueueOptions: QueueOptions = { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 };

const LIVE = ['waiting', 'called', 'interviewing'] as const;

/**
 * The line at a booth, kept in Postgres so every node and every client sees one order (`seq`)
 * and a restart loses nothing. Concurrent "call next" by several recruiters is one conditional
 * UPDATE over `FOR UPDATE SKIP LOCKED`, so nobody is called twice and nobody is skipped.
 * Timers (no-show, grace period) are not in memory: `sweep()` applies them from timestamps, and
 * any node may run it.
 */
export class BoothQueue {
  constructor(
    private readonly db: Db,
    readonly options: QueueOptions = defaultQueueOptions,
    private readonly events: DomainEvents = new DomainEvents(),
  ) {}

  /** After a commit: the line of each booth changed. */
  #changed(...boothIds: string[]): void {
    for (const boothId of new Set(boothIds)) this.events.emit('queue.changed', { boothId });
  }

  async #booth(boothId: string) {
    const [row] = await this.db
      .select({ booth: booths, fairStatus: fairs.status })
      .from(booths)
      .innerJoin(fairs, eq(fairs.id, booths.fairId))
      .where(eq(booths.id, boothId));
    if (!row || row.booth.status !== 'approved') throw new ServiceError('NOT_FOUND', 'No such booth');
    return row;
  }

  /** The actor staffs this booth's employer. */
  async requireStaff(actor: Actor, boothId: string) {
    const user = requireUser(actor);
    const { booth } = await this.#booth(boothId);
    if (!(await membership(this.db, user.id, booth.employerId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only the booth’s recruiters can do this');
    }
    return user;
  }

  /**
   * Joins the line, or returns the seeker's existing entry. `open` says whether a recruiter is on
   * duty (presence is the caller's knowledge, not the database's).
   */
  async join(actor: Actor, boothId: string, open: boolean, how: { onSite?: boolean } = {}): Promise<{ entry: QueueEntry; created: boolean; position: number }> {
    const seeker = requireRole(actor, 'seeker');
    const onSite = how.onSite ?? false;
    // A walk-in identity (core/src/walk-ins.ts, never verified) waits only in the hall: an online
    // place leads to a video interview, which needs a verified account.
    if (!onSite && seeker.emailVerified === false) throw new ServiceError('NOT_AUTHORIZED', 'Confirm your email address to join online');
    // One statement (db/src/queries/queue.ts): the entry, its counted event and its webhook outbox
    // row commit together. A join that lost a race to the same seeker's concurrent join (same booth,
    // or the same free slot of their limit) changed nothing: run again on a fresh snapshot, where
    // the winner is visible. Each retry follows a committed live entry of this seeker, so a few suffice.
    for (let attempt = 0; attempt < this.options.maxQueuesPerSeeker + 5; attempt++) {
      const at = new Date();
      const outcome = await joinQueueStatement(this.db, {
        boothId,
        seekerId: seeker.id,
        open,
        onSite,
        maxLines: this.options.maxQueuesPerSeeker,
        messageId: webhookMessageId(),
        at,
      });
      switch (outcome.kind) {
        case 'no_booth':
          throw new ServiceError('NOT_FOUND', 'No such booth');
        case 'closed':
          throw new ServiceError('QUEUE_CLOSED', 'This booth is not taking visitors right now');
        case 'full':
          throw new ServiceError('QUEUE_FULL', `You can wait in at most ${this.options.maxQueuesPerSeeker} lines at once`);
        case 'existing':
          return { entry: outcome.entry, created: false, position: outcome.position };
        case 'created':
          this.events.emit('queue.joined', { boothId, entry: outcome.entry });
          this.#changed(boothId);
          return { entry: outcome.entry, created: true, position: outcome.position };
        case 'raced':
          continue;
      }
    }
    throw new ServiceError('CONFLICT', 'Too many joins at once; try again');
  }

  /** The seeker leaves the line (or declines a call). Leaving twice is fine. One statement with its counted event. */
  async leave(actor: Actor, boothId: string): Promise<QueueEntry | null> {
    const seeker = requireUser(actor);
    const left = await leaveQueueStatement(this.db, { boothId, seekerId: seeker.id, at: new Date() });
    if (left) this.#changed(boothId);
    return left;
  }

  /**
   * Calls the first connected waiting seeker; null when nobody is waiting. The staff check, the
   * call (`for update skip locked`: concurrent calls never take the same seeker) and its counted
   * `called` event are one statement: all happen or none.
   */
  async callNext(actor: Actor, boothId: string): Promise<QueueEntry | null> {
    const recruiter = requireUser(actor);
    const outcome = await callNextStatement(this.db, { boothId, recruiterId: recruiter.id, acceptSeconds: this.options.acceptSeconds, at: new Date() });
    if (outcome.kind === 'no_booth') throw new ServiceError('NOT_FOUND', 'No such booth');
    if (outcome.kind === 'not_staff') throw new ServiceError('NOT_AUTHORIZED', 'Only the booth’s recruiters can do this');
    if (outcome.kind === 'nobody') return null;
    this.#changed(boothId);
    return outcome.entry;
  }

  /** Calls one particular seeker out of turn; the reason is kept with the entry. */
  async callSpecific(actor: Actor, boothId: string, entryId: string, reason: string): Promise<QueueEntry> {
    const recruiter = await this.requireStaff(actor, boothId);
    const clean = reason.trim().slice(0, 200);
    if (!clean) throw new ServiceError('INVALID', 'Say why this seeker goes first', { reason: 'required' });
    const called = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [entry] = await db
        .update(queueEntries)
        .set({
          status: 'called',
          calledAt: new Date(),
          calledBy: recruiter.id,
          acceptBy: new Date(Date.now() + this.options.acceptSeconds * 1000),
          skipReason: clean,
        })
        .where(and(eq(queueEntries.id, entryId), eq(queueEntries.boothId, boothId), eq(queueEntries.status, 'waiting')))
        .returning();
      if (!entry) throw new ServiceError('CONFLICT', 'That seeker is no longer waiting');
      return this.#afterCall(db, entry.id, boothId);
    });
    this.#changed(boothId);
    return called;
  }

  /** Inside the call's transaction: the counted event goes with it. */
  async #afterCall(db: Db, entryId: string, boothId: string): Promise<QueueEntry> {
    const [entry] = await db.select().from(queueEntries).where(eq(queueEntries.id, entryId));
    await recordEvent(db, { id: `called:${entryId}`, kind: 'called', boothId, actor: entry!.seekerId, data: { onSite: entry!.onSite } });
    return entry!;
  }

  /**
   * The called seeker accepts: the entry moves into an interview with the recruiter who called.
   * An on-site seeker's interview is at the desk (mode `on_site`); an online one's is a video room,
   * which only a verified account may enter.
   */
  async accept(actor: Actor, entryId: string) {
    const seeker = requireUser(actor);
    const [mine] = await this.db
      .select({ onSite: queueEntries.onSite })
      .from(queueEntries)
      .where(and(eq(queueEntries.id, entryId), eq(queueEntries.seekerId, seeker.id)));
    if (mine && !mine.onSite && seeker.emailVerified === false) {
      throw new ServiceError('NOT_AUTHORIZED', 'Confirm your email address before a video interview');
    }
    const interview = await this.db.transaction(async (tx) => this.#accept(tx as unknown as Db, entryId, eq(queueEntries.seekerId, seeker.id)));
    this.#changed(interview.boothId);
    return interview;
  }

  /**
   * An on-site seeker reached the booth's desk: their recruiter starts the interview (counted as
   * started, both sides being there). Accepts the call on the seeker's behalf when their phone did
   * not (the same rule as accept: only while the call is open, so a no-show stays a no-show).
   */
  async arrivedAtDesk(actor: Actor, boothId: string, entryId: string): Promise<Interview> {
    const recruiter = await this.requireStaff(actor, boothId);
    const started = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [entry] = await db
        .select()
        .from(queueEntries)
        .where(and(eq(queueEntries.id, entryId), eq(queueEntries.boothId, boothId)))
        .for('update');
      if (!entry || !entry.onSite) throw new ServiceError('CONFLICT', 'That seeker is not waiting in the hall');
      let [interview] = await db.select().from(interviews).where(eq(interviews.entryId, entryId));
      if (!interview) {
        if (entry.status !== 'called') throw new ServiceError('CONFLICT', 'This call is no longer open');
        interview = await this.#accept(db, entryId, sql`true`);
      }
      if (interview.recruiterId !== recruiter.id) throw new ServiceError('NOT_AUTHORIZED', 'Another recruiter called this seeker');
      if (interview.endedAt) throw new ServiceError('CONFLICT', 'The interview has ended');
      if (interview.startedAt) return interview;
      const at = new Date();
      const [row] = await db
        .update(interviews)
        .set({ startedAt: at })
        .where(and(eq(interviews.id, interview.id), isNull(interviews.startedAt)))
        .returning();
      await recordEvent(db, { id: `interview_started:${row!.id}`, kind: 'interview_started', boothId, actor: row!.seekerId, data: { onSite: true }, at });
      await enqueueBoothEvent(db, 'interview.started', boothId, interviewData(row!), at);
      return row!;
    });
    this.events.emit('interview.started', { interview: started });
    this.#changed(boothId);
    return started;
  }

  /** Inside a transaction: the called entry (matching `whose`) becomes an interview. */
  async #accept(db: Db, entryId: string, whose: SQL): Promise<Interview> {
    const [entry] = await db
      .update(queueEntries)
      .set({ status: 'interviewing' })
      .where(and(eq(queueEntries.id, entryId), whose, eq(queueEntries.status, 'called')))
      .returning();
    if (!entry) throw new ServiceError('CONFLICT', 'This call is no longer open');
    // A booked slot's seeker who accepts has kept it (core/src/slots.ts).
    await db
      .update(slotBookings)
      .set({ outcome: 'kept' })
      .where(and(eq(slotBookings.entryId, entryId), isNull(slotBookings.outcome)));
    const [interview] = await db
      .insert(interviews)
      .values({
        entryId,
        boothId: entry.boothId,
        seekerId: entry.seekerId,
        recruiterId: entry.calledBy!,
        plannedMinutes: this.options.interviewMinutes,
        mode: entry.onSite ? 'on_site' : 'video',
      })
      .returning();
    // Accepting an interview shares the seeker's current resume with the employer (until removed).
    await db.execute(sql`
      insert into ${schema.resumeShares} (upload_id, employer_id, interview_id)
      select p.resume_upload_id, b.employer_id, ${interview!.id}
      from ${seekerProfiles} p, ${booths} b
      where p.user_id = ${entry.seekerId} and p.resume_upload_id is not null and b.id = ${entry.boothId}
      on conflict do nothing`);
    return interview!;
  }

  /** The seeker has no open connection: their place is kept for the grace period. */
  async markDisconnected(seekerId: string, at = new Date()): Promise<string[]> {
    const rows = await this.db
      .update(queueEntries)
      .set({ disconnectedAt: at })
      .where(and(eq(queueEntries.seekerId, seekerId), eq(queueEntries.status, 'waiting'), isNull(queueEntries.disconnectedAt)))
      .returning({ boothId: queueEntries.boothId });
    this.#changed(...rows.map((r) => r.boothId));
    return rows.map((r) => r.boothId);
  }

  /** The seeker is back: every place they kept resumes. */
  async markConnected(seekerId: string): Promise<string[]> {
    const rows = await this.db
      .update(queueEntries)
      .set({ disconnectedAt: null })
      .where(and(eq(queueEntries.seekerId, seekerId), isNotNull(queueEntries.disconnectedAt), inArray(queueEntries.status, ['waiting', 'called'])))
      .returning({ boothId: queueEntries.boothId });
    this.#changed(...rows.map((r) => r.boothId));
    return rows.map((r) => r.boothId);
  }

  /**
   * Applies the clock: called seekers past their deadline become no-shows, disconnected ones past
   * the grace period leave. Conditional updates, so concurrent sweeps on several nodes each
   * handle an entry at most once; one transaction with their counted events, so an entry never
   * changes without being counted (or is counted without changing).
   */
  async sweep(now = new Date()): Promise<{ noShows: QueueEntry[]; expired: QueueEntry[] }> {
    const swept = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const noShows = await db
        .update(queueEntries)
        .set({ status: 'no_show', endedAt: now })
        .where(and(eq(queueEntries.status, 'called'), lt(queueEntries.acceptBy, now)))
        .returning();
      const graceStart = new Date(now.getTime() - this.options.graceSeconds * 1000);
      const expired = await db
        .update(queueEntries)
        .set({ status: 'left', endedAt: now })
        .where(and(eq(queueEntries.status, 'waiting'), lt(queueEntries.disconnectedAt, graceStart)))
        .returning();
      for (const e of noShows)
        await recordEvent(db, { id: `no_show:${e.id}`, kind: 'no_show', boothId: e.boothId, actor: e.seekerId, data: { onSite: e.onSite } });
      // Booked seekers who did not answer their call, or were gone past the grace period, did not keep their slot.
      const missed = [...noShows, ...expired].map((e) => e.id);
      if (missed.length > 0) {
        await db
          .update(slotBookings)
          .set({ outcome: 'no_show' })
          .where(and(inArray(slotBookings.entryId, missed), isNull(slotBookings.outcome)));
      }
      for (const e of expired)
        await recordEvent(db, { id: `queue_left:${e.id}`, kind: 'queue_left', boothId: e.boothId, actor: e.seekerId, data: { onSite: e.onSite } });
      return { noShows, expired };
    });
    for (const entry of swept.noShows) this.events.emit('queue.ended', { entry, reason: 'no_show' });
    for (const entry of swept.expired) this.events.emit('queue.ended', { entry, reason: 'expired' });
    this.#changed(...[...swept.noShows, ...swept.expired].map((e) => e.boothId));
    return swept;
  }

  /**
   * The queue's clock, as every node runs it: `sweep()`, then the recruiter whose call went
   * unanswered gets the next seeker (as if they had pressed "call next"; refused quietly when
   * they may no longer call there). Returns the entries called this way.
   */
  async sweepAndCallNext(now = new Date()): Promise<QueueEntry[]> {
    const { noShows } = await this.sweep(now);
    const called: QueueEntry[] = [];
    for (const entry of noShows) {
      if (!entry.calledBy) continue;
      const next = await this.callNext(await sessionUserById(this.db, entry.calledBy), entry.boothId).catch(() => null);
      if (next) called.push(next);
    }
    return called;
  }

  /** The line as recruiters see it: waiting seekers in order with a profile summary. */
  async line(boothId: string) {
    const rows = await this.db
      .select({
        entryId: queueEntries.id,
        seekerId: queueEntries.seekerId,
        status: queueEntries.status,
        joinedAt: queueEntries.joinedAt,
        acceptBy: queueEntries.acceptBy,
        calledBy: queueEntries.calledBy,
        disconnected: sql<boolean>`${queueEntries.disconnectedAt} is not null`,
        onSite: queueEntries.onSite,
        name: users.name,
        headline: seekerProfiles.headline,
        skills: seekerProfiles.skills,
        salaryMin: seekerProfiles.salaryMin,
        salaryMax: seekerProfiles.salaryMax,
        yearsExperience: seekerProfiles.yearsExperience,
        resumeFileId: seekerProfiles.resumeUploadId,
        currency: seekerProfiles.currency,
        locations: seekerProfiles.locations,
        jobTypes: seekerProfiles.jobTypes,
        bookedFor: slotBookings.recruiterId,
        bookedAt: slotBookings.startsAt,
      })
      .from(queueEntries)
      .innerJoin(users, eq(users.id, queueEntries.seekerId))
      .leftJoin(seekerProfiles, eq(seekerProfiles.userId, queueEntries.seekerId))
      .leftJoin(slotBookings, eq(slotBookings.entryId, queueEntries.id))
      .where(and(eq(queueEntries.boothId, boothId), inArray(queueEntries.status, ['waiting', 'called'])))
      .orderBy(asc(queueEntries.seq));
    // An entry linked to two bookings (two slots at one booth, the first still running) is listed once.
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(r.entryId) && !!seen.add(r.entryId))
      .map((r, i) => ({
        ...r,
        skills: r.skills ?? [],
        currency: r.currency ?? 'CNY',
        locations: r.locations ?? [],
        jobTypes: r.jobTypes ?? [],
        position: i + 1,
      }));
  }

  /** The seeker's live entry in one line with its position (1 = next), or null. One round trip. */
  async placeIn(seekerId: string, boothId: string): Promise<{ entry: QueueEntry; position: number; booked: boolean } | null> {
    const [row] = await this.db
      .select({
        entry: queueEntries,
        booked: sql<boolean>`exists (select 1 from ${slotBookings} sb where sb.entry_id = ${sql.raw('"queue_entries"."id"')})`,
        // Column references inside a subquery are not table-qualified by drizzle: name the outer row explicitly.
        ahead: sql<number>`(select count(*)::int from ${queueEntries} q where q.booth_id = ${boothId} and q.status = 'waiting' and q.seq < ${sql.raw('"queue_entries"."seq"')})`,
      })
      .from(queueEntries)
      .where(and(eq(queueEntries.seekerId, seekerId), eq(queueEntries.boothId, boothId), inArray(queueEntries.status, [...LIVE])));
    return row ? { entry: row.entry, position: row.ahead + 1, booked: row.booked } : null;
  }

  /** A seeker's live entries with their position (1 = next) in each line. */
  async placesOf(seekerId: string) {
    const mine = await this.db
      .select()
      .from(queueEntries)
      .where(and(eq(queueEntries.seekerId, seekerId), inArray(queueEntries.status, [...LIVE])));
    const places = [];
    for (const entry of mine) {
      const [ahead] = await this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(queueEntries)
        .where(and(eq(queueEntries.boothId, entry.boothId), eq(queueEntries.status, 'waiting'), lt(queueEntries.seq, entry.seq)));
      places.push({ entry, position: (ahead?.n ?? 0) + 1 });
    }
    return places;
  }

  /**
   * How long the lines are, across every booth (for the metrics): live entries by status and the
   * longest waiting line. Read from the one shared table, so every node reports the same numbers.
   */
  async lineLengths(): Promise<{ waiting: number; called: number; interviewing: number; longestWaiting: number }> {
    const rows = await this.db
      .select({ status: queueEntries.status, n: sql<number>`count(*)::int` })
      .from(queueEntries)
      .where(inArray(queueEntries.status, [...LIVE]))
      .groupBy(queueEntries.status);
    const [longest] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(queueEntries)
      .where(eq(queueEntries.status, 'waiting'))
      .groupBy(queueEntries.boothId)
      .orderBy(sql`count(*) desc`)
      .limit(1);
    const counts = { waiting: 0, called: 0, interviewing: 0, longestWaiting: longest?.n ?? 0 };
    for (const row of rows) counts[row.status as (typeof LIVE)[number]] = row.n;
    return counts;
  }

  /** Median length of this booth's finished interviews today, in seconds (null without history). */
  async medianInterviewSeconds(boothId: string): Promise<number | null> {
    const [row] = await this.db
      .select({
        median: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${interviews.endedAt} - ${interviews.startedAt}))`,
      })
      .from(interviews)
      .where(and(eq(interviews.boothId, boothId), isNotNull(interviews.endedAt), isNotNull(interviews.startedAt)));
    return row?.median == null ? null : Number(row.median);
  }

  /**
   * Estimated wait: rounds of interviews until this seeker's turn, each as long as the booth's
   * median so far, with the recruiters on duty working in parallel. Deliberately not optimistic.
   */
  estimateSeconds(position: number, recruitersOnDuty: number, medianInterviewSeconds: number | null): number {
    const perInterview = medianInterviewSeconds ?? this.options.interviewMinutes * 60;
    return Math.ceil(position / Math.max(1, recruitersOnDuty)) * Math.round(perInterview);
  }
}
