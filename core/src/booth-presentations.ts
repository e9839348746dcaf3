import { and, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { isOrganizer, type Actor } from './actor.ts';
import { visibleBooth } from './booths.ts';
import { ServiceError } from './errors.ts';
import type { DomainEvents } from './events.ts';
import { mayWatch, type RecordingService, type RecordingStatus } from './recordings.ts';
import { validate } from './validate.ts';

const { broadcasts, broadcastHosts, broadcastRecordings, booths, employerMembers } = schema;

/** A presentation is recorded for two hours at most: one left running by a closed tab ends by itself. */
export const PRESENTATION_MAX_MS = 2 * 3600_000;

/** The one being recorded now at a booth (the stage's "recording" mark). */
export interface OpenPresentation {
  broadcastId: string;
  title: string;
  startedAt: Date;
}

/** An ended presentation as the booth page lists it. */
export interface PastPresentation {
  broadcastId: string;
  title: string;
  startedAt: Date;
  endedAt: Date;
  /** The replay's state; visitors are shown ready replays they may watch only. */
  status: RecordingStatus;
  durationMs: number | null;
}

const startSchema = z.strictObject({
  boothId: z.uuid(),
  title: z.string().trim().min(1).max(120).optional(),
});
export type PresentationStart = z.infer<typeof startSchema>;

/**
 * Booth presentations (issue 14): the employer's staff record their booth's stage, between their
 * Start and Stop, into a replay. A presentation is a broadcast row with `boothId` (db/src/schema/
 * broadcasts.ts) hosted by the employer's staff: the recorder taps the booth room's producers while
 * one is open (signaling/src/recording/recorder.ts), and its end composes the replay like a
 * broadcast's, with the same visibility settings and replay numbers.
 */
export class BoothPresentations {
  constructor(
    private readonly db: Db,
    private readonly recordings: Pick<RecordingService, 'queueComposition'>,
    /** `booth.presentation` goes out here: the booth's visitors and every node's recorder are told. */
    private readonly events?: DomainEvents,
  ) {}

  async #staffBooth(actor: Actor, boothId: string) {
    const { booth, isStaff } = await visibleBooth(this.db, actor, boothId);
    if (!isStaff) throw new ServiceError('NOT_AUTHORIZED', 'Only the employer’s staff record its booth');
    return booth;
  }

  /** The presentation being recorded at this booth now, or null. */
  async current(boothId: string, now = new Date()): Promise<OpenPresentation | null> {
    const [row] = await this.db
      .select({ broadcastId: broadcasts.id, title: broadcasts.title, startedAt: broadcasts.startsAt })
      .from(broadcasts)
      .where(and(eq(broadcasts.boothId, boothId), lte(broadcasts.startsAt, now), gt(broadcasts.endsAt, now)))
      .orderBy(desc(broadcasts.startsAt))
      .limit(1);
    return row ?? null;
  }

  /**
   * Staff start recording their stage. One at a time per booth (CONFLICT while one is open): the
   * booth's row is locked while checking, so two recruiters' clicks on two nodes make one.
   */
  async start(actor: Actor, input: PresentationStart, now = new Date()): Promise<OpenPresentation> {
    const { boothId, title } = validate(startSchema, input);
    const booth = await this.#staffBooth(actor, boothId);
    const started = await this.db.transaction(async (tx) => {
      await tx.select({ id: booths.id }).from(booths).where(eq(booths.id, boothId)).for('update');
      const [open] = await tx
        .select({ id: broadcasts.id })
        .from(broadcasts)
        .where(and(eq(broadcasts.boothId, boothId), gt(broadcasts.endsAt, now)))
        .limit(1);
      if (open) throw new ServiceError('CONFLICT', 'A presentation is being recorded at this booth already');
      const [row] = await tx
        .insert(broadcasts)
        .values({
          boothId,
          fairId: booth.fairId,
          title: title ?? booth.employer.name,
          topic: 'company_presentation',
          description: booth.tagline,
          startsAt: now,
          endsAt: new Date(now.getTime() + PRESENTATION_MAX_MS),
          status: 'published',
          // Never announced: it is live at the booth, for whoever is there.
          announcedAt: now,
          createdBy: actor!.id,
        })
        .returning();
      // Every member of the employer hosts it: any of them manages the replay afterwards.
      const staff = await tx.select({ userId: employerMembers.userId }).from(employerMembers).where(eq(employerMembers.employerId, booth.employer.id));
      await tx.insert(broadcastHosts).values(staff.map((s) => ({ broadcastId: row!.id, userId: s.userId })));
      return { broadcastId: row!.id, title: row!.title, startedAt: row!.startsAt };
    });
    this.events?.emit('booth.presentation', { boothId, presentation: started });
    return started;
  }

  /**
   * Staff stop the recording: the presentation ends now and its replay is queued for composition
   * (the recorders close their segments on `booth.presentation`; composition waits for open ones).
   * NOT_FOUND when nothing is being recorded (a second click, a colleague's stop).
   */
  async stop(actor: Actor, boothId: string, now = new Date()): Promise<{ broadcastId: string }> {
    await this.#staffBooth(actor, boothId);
    const [ended] = await this.db
      .update(broadcasts)
      // The end is never before the start (a stop in the same millisecond).
      .set({ endsAt: sql`greatest(${broadcasts.startsAt}, ${now.toISOString()}::timestamptz)` })
      .where(and(eq(broadcasts.boothId, boothId), lte(broadcasts.startsAt, now), gt(broadcasts.endsAt, now)))
      .returning({ id: broadcasts.id });
    if (!ended) throw new ServiceError('NOT_FOUND', 'Nothing is being recorded at this booth');
    this.events?.emit('booth.presentation', { boothId, presentation: null });
    await this.recordings.queueComposition(ended.id, now);
    return { broadcastId: ended.id };
  }

  /**
   * The booth's ended presentations, latest first: staff see each with its replay's state (being
   * composed, failed); visitors only the replays they may watch (published, by its visibility).
   */
  async past(actor: Actor, boothId: string, now = new Date(), limit = 20): Promise<PastPresentation[]> {
    await visibleBooth(this.db, actor, boothId);
    // One read of the presentations with their recordings, one of which the actor hosts (the
    // replay page's rule, RecordingService.replayFor), rather than the replay page's reads per row.
    const rows = await this.db
      .select({
        broadcastId: broadcasts.id,
        title: broadcasts.title,
        startedAt: broadcasts.startsAt,
        endedAt: broadcasts.endsAt,
        status: broadcastRecordings.status,
        durationMs: broadcastRecordings.durationMs,
        published: broadcastRecordings.published,
        visibility: broadcastRecordings.visibility,
      })
      .from(broadcasts)
      .innerJoin(broadcastRecordings, eq(broadcastRecordings.broadcastId, broadcasts.id))
      .where(and(eq(broadcasts.boothId, boothId), lte(broadcasts.endsAt, now)))
      .orderBy(desc(broadcasts.endsAt))
      .limit(limit);
    const hosted = new Set<string>();
    if (actor && rows.length > 0 && !isOrganizer(actor)) {
      const mine = await this.db
        .select({ id: broadcastHosts.broadcastId })
        .from(broadcastHosts)
        .where(
          and(
            eq(broadcastHosts.userId, actor.id),
            inArray(
              broadcastHosts.broadcastId,
              rows.map((r) => r.broadcastId),
            ),
          ),
        );
      for (const m of mine) hosted.add(m.id);
    }
    return rows
      .filter((r) => isOrganizer(actor) || hosted.has(r.broadcastId) || (r.status === 'ready' && mayWatch(actor, r, false)))
      .map(({ broadcastId, title, startedAt, endedAt, status, durationMs }) => ({ broadcastId, title, startedAt, endedAt, status, durationMs }));
  }
}
