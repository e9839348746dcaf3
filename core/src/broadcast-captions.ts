import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireUser, type Actor } from './actor.ts';
import type { BroadcastService, LoadedBroadcast } from './broadcasts.ts';
import { msFromStart, scheduledLengthMs } from './broadcast-time.ts';
import { ServiceError } from './errors.ts';
import { captionEditSchema, captionerSchema, captionLineSchema, CAPTION_LANGUAGES, type CaptionLanguage } from './live-schemas.ts';
import { validate } from './validate.ts';
import { toWebVtt } from './webvtt.ts';

const { broadcastCaptioners, broadcastCaptions, users } = schema;

export interface CaptionCue {
  id: string;
  broadcastId: string;
  language: CaptionLanguage;
  startMs: number;
  endMs: number;
  body: string;
}

export interface Captioner {
  userId: string;
  name: string;
  email: string;
}

/**
 * How long a live line shows when no next line replaces it: long enough to read (about 15
 * characters a second, Chinese a little slower per character), never under 2 s nor over 7 s.
 */
export function displayMs(body: string, language: CaptionLanguage): number {
  const perChar = language === 'zh-CN' ? 180 : 65;
  return Math.min(7000, Math.max(2000, 1000 + body.length * perChar));
}

const CUE = {
  id: broadcastCaptions.id,
  broadcastId: broadcastCaptions.broadcastId,
  language: broadcastCaptions.language,
  startMs: broadcastCaptions.startMs,
  endMs: broadcastCaptions.endMs,
  body: broadcastCaptions.body,
};

/**
 * Live captions of a broadcast. Hosts (and organizers) name captioners; a captioner or a host
 * sends lines while the broadcast is on; each line becomes a cue timed from the broadcast's start
 * and ending where the next line of its language starts (or after its reading time). After the end
 * hosts edit the cues, and every cue list is served as WebVTT for the replay.
 */
export class BroadcastCaptions {
  constructor(
    private readonly db: Db,
    private readonly broadcasts: BroadcastService,
  ) {}

  async #isCaptioner(broadcastId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ userId: broadcastCaptioners.userId })
      .from(broadcastCaptioners)
      .where(and(eq(broadcastCaptioners.broadcastId, broadcastId), eq(broadcastCaptioners.userId, userId)));
    return Boolean(row);
  }

  /** True when the actor may send caption lines here (named captioner or host), ended or not. */
  async canCaption(actor: Actor, broadcast: LoadedBroadcast, isHost: boolean): Promise<boolean> {
    if (!actor) return false;
    return isHost || this.#isCaptioner(broadcast.id, actor.id);
  }

  async #requireHost(actor: Actor, broadcastId: string) {
    requireUser(actor);
    const access = await this.broadcasts.access(actor, broadcastId);
    if (!access.isHost) throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers may do this');
    return access;
  }

  async captioners(actor: Actor, broadcastId: string): Promise<Captioner[]> {
    await this.#requireHost(actor, broadcastId);
    return this.db
      .select({ userId: users.id, name: users.name, email: users.email })
      .from(broadcastCaptioners)
      .innerJoin(users, eq(users.id, broadcastCaptioners.userId))
      .where(eq(broadcastCaptioners.broadcastId, broadcastId))
      .orderBy(asc(broadcastCaptioners.assignedAt));
  }

  /** A host or organizer names a captioner by their account's address. Naming them twice is fine. */
  async assign(actor: Actor, broadcastId: string, input: unknown): Promise<Captioner> {
    await this.#requireHost(actor, broadcastId);
    const { email } = validate(captionerSchema, input);
    const [user] = await this.db
      .select({ userId: users.id, name: users.name, email: users.email })
      .from(users)
      .where(eq(sql`lower(${users.email})`, email));
    if (!user) throw new ServiceError('NOT_FOUND', 'No account has that address', { email: 'no_account' });
    await this.db.insert(broadcastCaptioners).values({ broadcastId, userId: user.userId, assignedBy: actor!.id }).onConflictDoNothing();
    return user;
  }

  async unassign(actor: Actor, broadcastId: string, userId: string): Promise<void> {
    await this.#requireHost(actor, broadcastId);
    await this.db.delete(broadcastCaptioners).where(and(eq(broadcastCaptioners.broadcastId, broadcastId), eq(broadcastCaptioners.userId, userId)));
  }

  /**
   * A captioner's line, live. The previous cue of the same language ends where this one starts
   * (in the same transaction, holding the broadcast's row so two captioners' lines on two nodes
   * are timed one after the other).
   */
  async send(actor: Actor, broadcastId: string, input: unknown, now = new Date()): Promise<CaptionCue> {
    const user = requireUser(actor);
    const { broadcast, isHost, ended } = await this.broadcasts.access(actor, broadcastId, now);
    if (!(await this.canCaption(actor, broadcast, isHost)))
      throw new ServiceError('NOT_AUTHORIZED', 'Only this broadcast’s captioners and hosts send captions');
    if (ended) throw new ServiceError('CONFLICT', 'This broadcast has ended');
    const { language, body } = validate(captionLineSchema, input);
    const startMs = msFromStart(broadcast, now);
    const endMs = startMs + displayMs(body, language);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select id from ${schema.broadcasts} where id = ${broadcastId} for update`);
      await tx
        .update(broadcastCaptions)
        .set({ endMs: sql`greatest(${broadcastCaptions.startMs} + 1, ${startMs})` })
        .where(
          and(
            eq(broadcastCaptions.broadcastId, broadcastId),
            eq(broadcastCaptions.language, language),
            gt(broadcastCaptions.endMs, startMs),
            lt(broadcastCaptions.startMs, startMs + 1),
          ),
        );
      const [cue] = await tx.insert(broadcastCaptions).values({ broadcastId, authorId: user.id, language, startMs, endMs, body, sentAt: now }).returning(CUE);
      return cue!;
    });
  }

  /** The cues of a broadcast (one language, or all), by start: for whoever may see the broadcast. */
  async cues(actor: Actor, broadcastId: string, language?: CaptionLanguage): Promise<CaptionCue[]> {
    await this.broadcasts.get(actor, broadcastId);
    return this.db
      .select(CUE)
      .from(broadcastCaptions)
      .where(and(eq(broadcastCaptions.broadcastId, broadcastId), language ? eq(broadcastCaptions.language, language) : undefined))
      .orderBy(asc(broadcastCaptions.startMs), asc(broadcastCaptions.sentAt));
  }

  /** The languages that have at least one cue, in CAPTION_LANGUAGES order. */
  async languages(actor: Actor, broadcastId: string): Promise<CaptionLanguage[]> {
    await this.broadcasts.get(actor, broadcastId);
    const rows = await this.db
      .selectDistinct({ language: broadcastCaptions.language })
      .from(broadcastCaptions)
      .where(eq(broadcastCaptions.broadcastId, broadcastId));
    return CAPTION_LANGUAGES.filter((l) => rows.some((r) => r.language === l));
  }

  /** The latest cue per language (what a viewer joining mid-line sees until the next one). */
  async latest(broadcastId: string): Promise<CaptionCue[]> {
    const out: CaptionCue[] = [];
    for (const language of CAPTION_LANGUAGES) {
      const [cue] = await this.db
        .select(CUE)
        .from(broadcastCaptions)
        .where(and(eq(broadcastCaptions.broadcastId, broadcastId), eq(broadcastCaptions.language, language)))
        .orderBy(desc(broadcastCaptions.startMs), desc(broadcastCaptions.sentAt))
        .limit(1);
      if (cue) out.push(cue);
    }
    return out;
  }

  /** One language's cues as a WebVTT file (the replay's caption track). */
  async webVtt(actor: Actor, broadcastId: string, language: CaptionLanguage): Promise<string> {
    const cues = await this.cues(actor, broadcastId, language);
    return toWebVtt(cues.map((c) => ({ id: c.id, startMs: c.startMs, endMs: c.endMs, text: c.body })));
  }

  /** A host corrects a cue's text or times (after the broadcast, or during it). */
  async edit(actor: Actor, broadcastId: string, cueId: string, input: unknown, now = new Date()): Promise<CaptionCue> {
    const { broadcast } = await this.#requireHost(actor, broadcastId);
    const { body, startMs, endMs } = validate(captionEditSchema, input);
    if (endMs > scheduledLengthMs(broadcast)) throw new ServiceError('INVALID', 'A cue must end within the broadcast', { endMs: 'too_large' });
    const [cue] = await this.db
      .update(broadcastCaptions)
      .set({ body, startMs, endMs, editedAt: now })
      .where(and(eq(broadcastCaptions.id, cueId), eq(broadcastCaptions.broadcastId, broadcastId)))
      .returning(CUE);
    if (!cue) throw new ServiceError('NOT_FOUND', 'No such caption');
    return cue;
  }

  /** A host removes a cue. Removing it twice is fine. */
  async remove(actor: Actor, broadcastId: string, cueId: string): Promise<void> {
    await this.#requireHost(actor, broadcastId);
    await this.db.delete(broadcastCaptions).where(and(eq(broadcastCaptions.id, cueId), eq(broadcastCaptions.broadcastId, broadcastId)));
  }
}
