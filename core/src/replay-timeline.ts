import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import type { Actor } from './actor.ts';
import type { BroadcastCaptions } from './broadcast-captions.ts';
import type { BroadcastChapters, Chapter } from './broadcast-chapters.ts';
import type { CaptionLanguage } from './live-schemas.ts';
import type { BroadcastService } from './broadcasts.ts';
import type { RecordingService, Replay } from './recordings.ts';
import { toWebVtt } from './webvtt.ts';

const { broadcastRecordings, recordingSegments, broadcastMessages, broadcastQuestions, broadcastHosts, users } = schema;

/** Chat lines a replay shows at most (the oldest first): a page, not an archive. */
export const REPLAY_CHAT_LIMIT = 2000;

/** A chat line or a question placed on the replay's clock. */
export interface ReplayLine {
  id: string;
  kind: 'chat' | 'question';
  authorName: string;
  fromHost: boolean;
  body: string;
  /** ms from the replay's start (may be negative: said before the recording began). */
  atMs: number;
  answered?: boolean;
}

/**
 * What the page says after the end: `ready` (with the timeline), `processing` (being composed,
 * with progress), `not_recorded` (recording was off, or nothing went live), `unavailable` (the
 * composition failed, or the actor may not watch it).
 */
export type ReplayState =
  | { state: 'ready'; timeline: ReplayTimeline }
  | { state: 'processing'; progress: number }
  | { state: 'not_recorded' }
  | { state: 'unavailable'; error: string | null };

export interface ReplayTimeline {
  replay: Replay;
  /** Recording start − scheduled start, ms: captions and chapters (timed from the scheduled start) move by it. */
  offsetMs: number;
  /** The replay's 0:00 on the wall clock (t0). */
  startedAt: Date;
  chapters: Chapter[];
  lines: ReplayLine[];
  captionLanguages: CaptionLanguage[];
}

/**
 * The replay's clock. Composition starts the replay at its first usable segment's start and
 * keeps that instant on the recording (signaling/src/recording/compose.ts, `t0`), while captions
 * and chapters are timed from the broadcast's scheduled start and chat from the wall clock:
 * everything here is moved onto t0.
 */
export class ReplayTimelines {
  constructor(
    private readonly db: Db,
    private readonly broadcasts: BroadcastService,
    private readonly recordings: RecordingService,
    private readonly chapters: BroadcastChapters,
    private readonly captions: BroadcastCaptions,
  ) {}

  /**
   * The replay's t0: what composition wrote (its first usable segment's start), else, before it
   * ran, the earliest segment's start; null without segments.
   */
  async #t0(broadcastId: string): Promise<Date | null> {
    const [row] = await this.db
      .select({
        t0: sql<string | null>`coalesce(
          (select ${broadcastRecordings.startedAt} from ${broadcastRecordings} where ${broadcastRecordings.broadcastId} = ${broadcastId}),
          min(${recordingSegments.startedAt}))`,
      })
      .from(recordingSegments)
      .where(eq(recordingSegments.broadcastId, broadcastId));
    return row?.t0 ? new Date(row.t0) : null;
  }

  /** recording t0 − scheduled start in ms (0 without a recording). */
  async offsetMs(broadcastId: string, startsAt: Date): Promise<number> {
    const t0 = await this.#t0(broadcastId);
    return t0 ? t0.getTime() - startsAt.getTime() : 0;
  }

  /** The replay page's state for this actor (see ReplayState). */
  async stateFor(actor: Actor, broadcastId: string, startsAt: Date): Promise<ReplayState> {
    const { isHost } = await this.broadcasts.access(actor, broadcastId);
    const [row] = await this.db.select().from(broadcastRecordings).where(eq(broadcastRecordings.broadcastId, broadcastId));
    if (!row || !row.enabled || row.status === 'off' || row.status === 'idle') return { state: 'not_recorded' };
    // The same rule as RecordingService's (#mayWatch): a viewer hears of a replay being made only
    // when they will be allowed to watch it.
    const mayWatch = isHost || (row.published && (row.visibility === 'public' || (row.visibility === 'signed_in' && actor !== null)));
    if (!mayWatch) return { state: 'unavailable', error: null };
    if (row.status === 'failed') return { state: 'unavailable', error: isHost ? row.error : null };
    if (row.status !== 'ready') return { state: 'processing', progress: row.status === 'composing' ? row.progress : 0 };
    const timeline = await this.of(actor, broadcastId, startsAt);
    return timeline ? { state: 'ready', timeline } : { state: 'unavailable', error: null };
  }

  /**
   * Everything the replay page shows beside the video, for an actor who may watch the ready
   * replay; null otherwise (the page then says why: processing, not recorded, not available).
   */
  async of(actor: Actor, broadcastId: string, startsAt: Date): Promise<ReplayTimeline | null> {
    const replay = await this.recordings.replayFor(actor, broadcastId);
    if (!replay || replay.status !== 'ready' || !replay.hlsUrl) return null;
    const t0 = await this.#t0(broadcastId);
    if (!t0) return null;
    const offsetMs = t0.getTime() - startsAt.getTime();
    const durationMs = replay.durationMs ?? Infinity;
    const [chapters, messages, questions, captionLanguages] = await Promise.all([
      this.chapters.list(actor, broadcastId),
      this.db
        .select({
          id: broadcastMessages.id,
          authorName: users.name,
          body: broadcastMessages.body,
          sentAt: broadcastMessages.sentAt,
          fromHost: sql<boolean>`(${users.role} in ('organizer', 'admin') or exists (select 1 from ${broadcastHosts} h where h.broadcast_id = ${broadcastId} and h.user_id = ${broadcastMessages.authorId}))`,
        })
        .from(broadcastMessages)
        .innerJoin(users, eq(users.id, broadcastMessages.authorId))
        .where(and(eq(broadcastMessages.broadcastId, broadcastId), isNull(broadcastMessages.deletedAt)))
        .orderBy(asc(broadcastMessages.seq))
        .limit(REPLAY_CHAT_LIMIT),
      this.db
        .select({
          id: broadcastQuestions.id,
          authorName: users.name,
          body: broadcastQuestions.body,
          askedAt: broadcastQuestions.askedAt,
          answeredAt: broadcastQuestions.answeredAt,
        })
        .from(broadcastQuestions)
        .innerJoin(users, eq(users.id, broadcastQuestions.authorId))
        .where(and(eq(broadcastQuestions.broadcastId, broadcastId), isNull(broadcastQuestions.deletedAt)))
        .orderBy(asc(broadcastQuestions.askedAt)),
      this.captions.languages(actor, broadcastId),
    ]);
    const onT0 = (at: Date) => at.getTime() - t0.getTime();
    const lines: ReplayLine[] = [
      ...messages.map((m) => ({
        id: m.id,
        kind: 'chat' as const,
        authorName: m.authorName,
        fromHost: Boolean(m.fromHost),
        body: m.body,
        atMs: onT0(m.sentAt),
      })),
      ...questions.map((q) => ({
        id: q.id,
        kind: 'question' as const,
        authorName: q.authorName,
        fromHost: false,
        body: q.body,
        atMs: onT0(q.askedAt),
        answered: q.answeredAt !== null,
      })),
    ].sort((a, b) => a.atMs - b.atMs);
    return {
      replay,
      offsetMs,
      startedAt: t0,
      // A chapter before the recording began opens the replay; one after its end has nothing to show.
      chapters: chapters.map((c) => ({ ...c, atMs: Math.max(0, c.atMs - offsetMs) })).filter((c) => c.atMs <= durationMs),
      lines,
      captionLanguages,
    };
  }

  /**
   * One language's captions on the replay's clock (the `?replay=1` track): cues move by the
   * recording's offset; the part of a cue before the replay's start is cut, a cue wholly before it dropped.
   */
  async webVtt(actor: Actor, broadcastId: string, language: CaptionLanguage, startsAt: Date): Promise<string> {
    const cues = await this.captions.cues(actor, broadcastId, language);
    const offsetMs = await this.offsetMs(broadcastId, startsAt);
    return toWebVtt(
      cues.map((c) => ({ id: c.id, startMs: Math.max(0, c.startMs - offsetMs), endMs: c.endMs - offsetMs, text: c.body })).filter((c) => c.endMs > c.startMs),
    );
  }
}
