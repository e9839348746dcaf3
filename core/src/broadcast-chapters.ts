import { and, asc, eq, isNull, or, isNotNull } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireUser, type Actor } from './actor.ts';
import type { BroadcastService, LoadedBroadcast } from './broadcasts.ts';
import { msFromStart, scheduledLengthMs } from './broadcast-time.ts';
import { ServiceError } from './errors.ts';
import { chapterEditSchema, chapterSchema } from './live-schemas.ts';
import { validate } from './validate.ts';

const { broadcastChapterMarks, broadcastQuestions } = schema;

/** A place in the broadcast to jump to: a host's marker, or a question answered or pinned then. */
export interface Chapter {
  kind: 'marker' | 'question';
  /** The marker's or the question's id. */
  id: string;
  title: string;
  atMs: number;
}

export interface ChapterMark {
  id: string;
  broadcastId: string;
  title: string;
  atMs: number;
}

const MARK = {
  id: broadcastChapterMarks.id,
  broadcastId: broadcastChapterMarks.broadcastId,
  title: broadcastChapterMarks.title,
  atMs: broadcastChapterMarks.atMs,
};

/**
 * A broadcast's chapters: markers hosts set live ("mark chapter") or afterwards, and the Q&A's
 * questions at the moment they were answered or pinned during the broadcast. The replay lists them.
 */
export class BroadcastChapters {
  constructor(
    private readonly db: Db,
    private readonly broadcasts: BroadcastService,
  ) {}

  async #requireHost(actor: Actor, broadcastId: string, now: Date) {
    requireUser(actor);
    const access = await this.broadcasts.access(actor, broadcastId, now);
    if (!access.isHost) throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers mark chapters');
    return access;
  }

  #checkWithin(broadcast: LoadedBroadcast, atMs: number) {
    if (atMs > scheduledLengthMs(broadcast)) throw new ServiceError('INVALID', 'A chapter must fall within the broadcast', { atMs: 'too_large' });
  }

  /**
   * A host marks a chapter: live (no `atMs`: now, while the broadcast is on) or afterwards at a
   * given time.
   */
  async mark(actor: Actor, broadcastId: string, input: unknown, now = new Date()): Promise<ChapterMark> {
    const { broadcast, ended } = await this.#requireHost(actor, broadcastId, now);
    const { title, atMs } = validate(chapterSchema, input);
    if (atMs === undefined && ended) throw new ServiceError('CONFLICT', 'This broadcast has ended: give the chapter’s time');
    const at = atMs ?? msFromStart(broadcast, now);
    this.#checkWithin(broadcast, at);
    const [row] = await this.db.insert(broadcastChapterMarks).values({ broadcastId, title, atMs: at, createdBy: actor!.id, createdAt: now }).returning(MARK);
    return row!;
  }

  async edit(actor: Actor, broadcastId: string, markId: string, input: unknown, now = new Date()): Promise<ChapterMark> {
    const { broadcast } = await this.#requireHost(actor, broadcastId, now);
    const { title, atMs } = validate(chapterEditSchema, input);
    this.#checkWithin(broadcast, atMs);
    const [row] = await this.db
      .update(broadcastChapterMarks)
      .set({ title, atMs })
      .where(and(eq(broadcastChapterMarks.id, markId), eq(broadcastChapterMarks.broadcastId, broadcastId)))
      .returning(MARK);
    if (!row) throw new ServiceError('NOT_FOUND', 'No such chapter');
    return row;
  }

  /** Removing a marker twice is fine. */
  async remove(actor: Actor, broadcastId: string, markId: string, now = new Date()): Promise<void> {
    await this.#requireHost(actor, broadcastId, now);
    await this.db.delete(broadcastChapterMarks).where(and(eq(broadcastChapterMarks.id, markId), eq(broadcastChapterMarks.broadcastId, broadcastId)));
  }

  async marks(actor: Actor, broadcastId: string): Promise<ChapterMark[]> {
    await this.broadcasts.get(actor, broadcastId);
    return this.db.select(MARK).from(broadcastChapterMarks).where(eq(broadcastChapterMarks.broadcastId, broadcastId)).orderBy(asc(broadcastChapterMarks.atMs));
  }

  /**
   * The chapter list: markers, plus each question answered or pinned between the broadcast's start
   * and end, at the earlier of the two moments (a pin that was later lifted has no time left, so
   * only a standing pin counts). Sorted by time; at one time, markers first.
   */
  async list(actor: Actor, broadcastId: string): Promise<Chapter[]> {
    const broadcast = await this.broadcasts.get(actor, broadcastId);
    const marks = await this.marks(actor, broadcastId);
    const questions = await this.db
      .select({ id: broadcastQuestions.id, body: broadcastQuestions.body, answeredAt: broadcastQuestions.answeredAt, pinnedAt: broadcastQuestions.pinnedAt })
      .from(broadcastQuestions)
      .where(
        and(
          eq(broadcastQuestions.broadcastId, broadcastId),
          isNull(broadcastQuestions.deletedAt),
          or(isNotNull(broadcastQuestions.answeredAt), isNotNull(broadcastQuestions.pinnedAt)),
        ),
      );
    const during = (d: Date | null) => d !== null && d >= broadcast.startsAt && d <= broadcast.endsAt;
    const chapters: Chapter[] = marks.map((m) => ({ kind: 'marker', id: m.id, title: m.title, atMs: m.atMs }));
    for (const q of questions) {
      const times = [q.answeredAt, q.pinnedAt].filter(during) as Date[];
      if (!times.length) continue;
      const first = Math.min(...times.map((t) => t.getTime()));
      chapters.push({ kind: 'question', id: q.id, title: q.body, atMs: msFromStart(broadcast, new Date(first)) });
    }
    return chapters.sort((a, b) => a.atMs - b.atMs || (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'marker' ? -1 : 1));
  }
}
