import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { isOrganizer, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { chatMessageSchema, questionSchema, slowModeSchema } from './schemas.ts';
import { validate } from './validate.ts';

const { broadcasts, broadcastHosts, broadcastMessages, broadcastQuestions, broadcastQuestionVotes, broadcastMutes, broadcastChatSettings, users } = schema;

export interface ChatOptions {
  /** Per user per broadcast: at most this many chat messages in `windowSeconds`. */
  messagesPerWindow: number;
  /** Per user per broadcast: at most this many questions in `windowSeconds`. */
  questionsPerWindow: number;
  windowSeconds: number;
  /** Messages a joining (or reconnecting) client gets. */
  historySize: number;
}

export const defaultChatOptions: ChatOptions = { messagesPerWindow: 5, questionsPerWindow: 3, windowSeconds: 30, historySize: 100 };

export interface BroadcastChatMessage {
  id: string;
  broadcastId: string;
  authorId: string;
  authorName: string;
  /** The author hosts this broadcast or organizes (shown as a badge). */
  fromHost: boolean;
  body: string;
  sentAt: Date;
}

export interface BroadcastQuestion {
  id: string;
  broadcastId: string;
  authorId: string;
  authorName: string;
  body: string;
  askedAt: Date;
  votes: number;
  pinned: boolean;
  answered: boolean;
}

/**
 * Live chat and Q&A of a guidance broadcast, kept in Postgres so every node and every reconnecting
 * client sees the same history. Hosts of the broadcast, organizers and admins moderate. Limits
 * (mute, slow mode, rate) are checked from rows, not memory, inside a transaction that holds the
 * author's user row, so one user's sends on several nodes cannot race past them.
 */
export class BroadcastChat {
  constructor(
    private readonly db: Db,
    readonly options: ChatOptions = defaultChatOptions,
  ) {}

  /** The broadcast as this actor may see it (drafts are organizers' only). */
  async #broadcast(actor: Actor, broadcastId: string) {
    const [row] = await this.db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
    if (!row || (row.status === 'draft' && !isOrganizer(actor))) throw new ServiceError('NOT_FOUND', 'No such broadcast');
    return row;
  }

  async #isModerator(userId: string, role: string, broadcastId: string): Promise<boolean> {
    if (isOrganizer({ role: role as NonNullable<Actor>['role'] })) return true;
    const [host] = await this.db
      .select({ userId: broadcastHosts.userId })
      .from(broadcastHosts)
      .where(and(eq(broadcastHosts.broadcastId, broadcastId), eq(broadcastHosts.userId, userId)));
    return Boolean(host);
  }

  /** True when the actor may moderate this broadcast's chat (its hosts, organizers, admins). */
  async canModerate(actor: Actor, broadcastId: string): Promise<boolean> {
    if (!actor) return false;
    return this.#isModerator(actor.id, actor.role, broadcastId);
  }

  async requireModerator(actor: Actor, broadcastId: string) {
    const user = requireUser(actor);
    await this.#broadcast(actor, broadcastId);
    if (!(await this.#isModerator(user.id, user.role, broadcastId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers moderate its chat');
    }
    return user;
  }

  /** A speaker: signed in, the broadcast visible and not over, and not muted there. */
  async #requireSpeaker(actor: Actor, broadcastId: string, now: Date) {
    const user = requireUser(actor);
    const broadcast = await this.#broadcast(actor, broadcastId);
    if (broadcast.endsAt <= now) throw new ServiceError('CONFLICT', 'This broadcast has ended; its chat is read-only');
    return user;
  }

  async #muted(tx: Db, broadcastId: string, userId: string) {
    const [row] = await tx
      .select({ userId: broadcastMutes.userId })
      .from(broadcastMutes)
      .where(and(eq(broadcastMutes.broadcastId, broadcastId), eq(broadcastMutes.userId, userId)));
    return Boolean(row);
  }

  async slowModeSeconds(broadcastId: string): Promise<number> {
    const [row] = await this.db
      .select({ seconds: broadcastChatSettings.slowModeSeconds })
      .from(broadcastChatSettings)
      .where(eq(broadcastChatSettings.broadcastId, broadcastId));
    return row?.seconds ?? 0;
  }

  /**
   * What a joining client needs: the latest messages (oldest first), every question in order, the
   * settings, and what this actor may do. Visitors who are not signed in may read.
   */
  async history(actor: Actor, broadcastId: string, now = new Date()) {
    const broadcast = await this.#broadcast(actor, broadcastId);
    // After its end the chat is read-only (#requireSpeaker refuses posts): say so up front.
    const open = broadcast.endsAt > now;
    const latest = await this.#messagesWhere(
      and(eq(broadcastMessages.broadcastId, broadcastId), isNull(broadcastMessages.deletedAt)),
      this.options.historySize,
    );
    const [questions, slowModeSeconds, canModerate] = await Promise.all([
      this.questions(broadcastId),
      this.slowModeSeconds(broadcastId),
      this.canModerate(actor, broadcastId),
    ]);
    const muted = actor ? await this.#muted(this.db, broadcastId, actor.id) : false;
    const myVotes = actor
      ? (
          await this.db
            .select({ id: broadcastQuestionVotes.questionId })
            .from(broadcastQuestionVotes)
            .innerJoin(broadcastQuestions, eq(broadcastQuestions.id, broadcastQuestionVotes.questionId))
            .where(and(eq(broadcastQuestionVotes.userId, actor.id), eq(broadcastQuestions.broadcastId, broadcastId)))
        ).map((r) => r.id)
      : [];
    const mutedUserIds = canModerate
      ? (await this.db.select({ id: broadcastMutes.userId }).from(broadcastMutes).where(eq(broadcastMutes.broadcastId, broadcastId))).map((r) => r.id)
      : [];
    return { messages: latest.reverse(), questions, slowModeSeconds, open, canModerate, muted, myVotes, mutedUserIds };
  }

  /** Newest first, at most `limit`. */
  async #messagesWhere(where: ReturnType<typeof and>, limit: number): Promise<BroadcastChatMessage[]> {
    const rows = await this.db
      .select({
        id: broadcastMessages.id,
        broadcastId: broadcastMessages.broadcastId,
        authorId: broadcastMessages.authorId,
        authorName: users.name,
        body: broadcastMessages.body,
        sentAt: broadcastMessages.sentAt,
        fromHost: FROM_HOST,
      })
      .from(broadcastMessages)
      .innerJoin(users, eq(users.id, broadcastMessages.authorId))
      .where(where)
      .orderBy(desc(broadcastMessages.seq))
      .limit(limit);
    return rows.map((r) => ({ ...r, fromHost: Boolean(r.fromHost) }));
  }

  /** The broadcast's questions: pinned first, then most votes, then first asked. */
  async questions(broadcastId: string, ids?: string[]): Promise<BroadcastQuestion[]> {
    const rows = await this.db
      .select({
        id: broadcastQuestions.id,
        broadcastId: broadcastQuestions.broadcastId,
        authorId: broadcastQuestions.authorId,
        authorName: users.name,
        body: broadcastQuestions.body,
        askedAt: broadcastQuestions.askedAt,
        votes: broadcastQuestions.votes,
        pinnedAt: broadcastQuestions.pinnedAt,
        answeredAt: broadcastQuestions.answeredAt,
      })
      .from(broadcastQuestions)
      .innerJoin(users, eq(users.id, broadcastQuestions.authorId))
      .where(and(eq(broadcastQuestions.broadcastId, broadcastId), isNull(broadcastQuestions.deletedAt), ids ? inArray(broadcastQuestions.id, ids) : undefined))
      .orderBy(sql`${broadcastQuestions.pinnedAt} is null`, desc(broadcastQuestions.votes), asc(broadcastQuestions.askedAt), asc(broadcastQuestions.id));
    return rows.map(({ pinnedAt, answeredAt, ...q }) => ({ ...q, pinned: pinnedAt !== null, answered: answeredAt !== null }));
  }

  async #question(broadcastId: string, questionId: string): Promise<BroadcastQuestion> {
    const [q] = await this.questions(broadcastId, [questionId]);
    if (!q) throw new ServiceError('NOT_FOUND', 'No such question');
    return q;
  }

  /**
   * Checks mute, slow mode (moderators are exempt) and the rate limit and inserts, holding the author's user row so two
   * sends of one user (on any nodes) are checked one after the other.
   */
  async send(actor: Actor, broadcastId: string, input: unknown, now = new Date()): Promise<BroadcastChatMessage> {
    const user = await this.#requireSpeaker(actor, broadcastId, now);
    const { body } = validate(chatMessageSchema, input);
    // Moderators are not slowed down: they answer many people at once.
    const slow = (await this.#isModerator(user.id, user.role, broadcastId)) ? 0 : await this.slowModeSeconds(broadcastId);
    const id = await this.db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      await lockUser(t, user.id);
      if (await this.#muted(t, broadcastId, user.id)) throw new ServiceError('MUTED', 'A moderator has muted you in this chat');
      const since = new Date(now.getTime() - Math.max(slow, this.options.windowSeconds) * 1000);
      const recent = await t
        .select({ sentAt: broadcastMessages.sentAt })
        .from(broadcastMessages)
        .where(and(eq(broadcastMessages.broadcastId, broadcastId), eq(broadcastMessages.authorId, user.id), gt(broadcastMessages.sentAt, since)))
        .orderBy(desc(broadcastMessages.sentAt));
      // Deleted messages count too: deleting one must not reset the author's limits.
      const last = recent[0]?.sentAt;
      if (slow > 0 && last && last.getTime() + slow * 1000 > now.getTime()) {
        const wait = Math.ceil((last.getTime() + slow * 1000 - now.getTime()) / 1000);
        throw new ServiceError('SLOW_MODE', `Slow mode is on: wait ${wait} s before your next message`, {}, wait);
      }
      const windowStart = now.getTime() - this.options.windowSeconds * 1000;
      const inWindow = recent.filter((r) => r.sentAt.getTime() > windowStart);
      if (inWindow.length >= this.options.messagesPerWindow) {
        const oldest = inWindow.at(-1)!.sentAt.getTime();
        const wait = Math.max(1, Math.ceil((oldest - windowStart) / 1000));
        throw new ServiceError('RATE_LIMITED', 'You are sending messages too fast', {}, wait);
      }
      const [row] = await t.insert(broadcastMessages).values({ broadcastId, authorId: user.id, body, sentAt: now }).returning({ id: broadcastMessages.id });
      return row!.id;
    });
    const [message] = await this.#messagesWhere(eq(broadcastMessages.id, id), 1);
    return message!;
  }

  /** A moderator deletes a message: it is gone for everyone. Deleting it twice is fine. */
  async deleteMessage(actor: Actor, broadcastId: string, messageId: string, now = new Date()): Promise<{ messageId: string }> {
    const moderator = await this.requireModerator(actor, broadcastId);
    const [row] = await this.db
      .select({ id: broadcastMessages.id })
      .from(broadcastMessages)
      .where(and(eq(broadcastMessages.id, messageId), eq(broadcastMessages.broadcastId, broadcastId)));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such message');
    await this.db
      .update(broadcastMessages)
      .set({ deletedAt: now, deletedBy: moderator.id })
      .where(and(eq(broadcastMessages.id, messageId), isNull(broadcastMessages.deletedAt)));
    return { messageId };
  }

  /** A moderator mutes (or unmutes) a user in this broadcast. Hosts and organizers cannot be muted. */
  async setMuted(actor: Actor, broadcastId: string, userId: string, muted: boolean): Promise<{ userId: string; muted: boolean }> {
    const moderator = await this.requireModerator(actor, broadcastId);
    const [target] = await this.db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId));
    if (!target) throw new ServiceError('NOT_FOUND', 'No such user');
    if (muted && (await this.#isModerator(target.id, target.role, broadcastId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Hosts and organizers cannot be muted');
    }
    if (muted) {
      await this.db.insert(broadcastMutes).values({ broadcastId, userId, mutedBy: moderator.id }).onConflictDoNothing();
    } else {
      await this.db.delete(broadcastMutes).where(and(eq(broadcastMutes.broadcastId, broadcastId), eq(broadcastMutes.userId, userId)));
    }
    return { userId, muted };
  }

  /** A moderator sets slow mode: seconds between two messages of one user (0 turns it off). */
  async setSlowMode(actor: Actor, broadcastId: string, input: unknown): Promise<number> {
    const moderator = await this.requireModerator(actor, broadcastId);
    const { seconds } = validate(slowModeSchema, input);
    await this.db
      .insert(broadcastChatSettings)
      .values({ broadcastId, slowModeSeconds: seconds, updatedBy: moderator.id })
      .onConflictDoUpdate({ target: broadcastChatSettings.broadcastId, set: { slowModeSeconds: seconds, updatedBy: moderator.id, updatedAt: new Date() } });
    return seconds;
  }

  /** A viewer asks a question (muted users may not; rate-limited per user). */
  async ask(actor: Actor, broadcastId: string, input: unknown, now = new Date()): Promise<BroadcastQuestion> {
    const user = await this.#requireSpeaker(actor, broadcastId, now);
    const { body } = validate(questionSchema, input);
    const id = await this.db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      await lockUser(t, user.id);
      if (await this.#muted(t, broadcastId, user.id)) throw new ServiceError('MUTED', 'A moderator has muted you in this broadcast');
      const windowStart = new Date(now.getTime() - this.options.windowSeconds * 1000);
      const recent = await t
        .select({ askedAt: broadcastQuestions.askedAt })
        .from(broadcastQuestions)
        .where(and(eq(broadcastQuestions.broadcastId, broadcastId), eq(broadcastQuestions.authorId, user.id), gt(broadcastQuestions.askedAt, windowStart)))
        .orderBy(asc(broadcastQuestions.askedAt));
      if (recent.length >= this.options.questionsPerWindow) {
        const wait = Math.max(1, Math.ceil((recent[0]!.askedAt.getTime() - windowStart.getTime()) / 1000));
        throw new ServiceError('RATE_LIMITED', 'You are asking questions too fast', {}, wait);
      }
      const [row] = await t.insert(broadcastQuestions).values({ broadcastId, authorId: user.id, body, askedAt: now }).returning({ id: broadcastQuestions.id });
      return row!.id;
    });
    return this.#question(broadcastId, id);
  }

  /**
   * One vote per user: a second vote changes nothing and is not an error. The count is updated in
   * the same transaction as the vote row, so it always equals the number of votes.
   */
  async vote(actor: Actor, broadcastId: string, questionId: string, now = new Date()): Promise<{ question: BroadcastQuestion; changed: boolean }> {
    const user = requireUser(actor);
    const broadcast = await this.#broadcast(actor, broadcastId);
    // Muted viewers may still vote; nobody may once the broadcast is over (its counts are final).
    if (broadcast.endsAt <= now) throw new ServiceError('CONFLICT', 'This broadcast has ended; its questions are read-only');
    await this.#question(broadcastId, questionId);
    const changed = await this.db.transaction(async (tx) => {
      const inserted = await tx.insert(broadcastQuestionVotes).values({ questionId, userId: user.id }).onConflictDoNothing().returning();
      if (!inserted.length) return false;
      await tx
        .update(broadcastQuestions)
        .set({ votes: sql`${broadcastQuestions.votes} + 1` })
        .where(eq(broadcastQuestions.id, questionId));
      return true;
    });
    return { question: await this.#question(broadcastId, questionId), changed };
  }

  /**
   * A moderator pins (or unpins) a question. One question is pinned at a time: pinning another
   * unpins the previous one. Returns every question whose state changed.
   */
  async pin(actor: Actor, broadcastId: string, questionId: string, pinned: boolean, now = new Date()): Promise<BroadcastQuestion[]> {
    await this.requireModerator(actor, broadcastId);
    await this.#question(broadcastId, questionId);
    const changed = await this.db.transaction(async (tx) => {
      const ids: string[] = [];
      if (pinned) {
        const unpinned = await tx
          .update(broadcastQuestions)
          .set({ pinnedAt: null })
          .where(
            and(
              eq(broadcastQuestions.broadcastId, broadcastId),
              sql`${broadcastQuestions.pinnedAt} is not null`,
              sql`${broadcastQuestions.id} <> ${questionId}`,
            ),
          )
          .returning({ id: broadcastQuestions.id });
        ids.push(...unpinned.map((r) => r.id));
      }
      await tx
        .update(broadcastQuestions)
        .set({ pinnedAt: pinned ? now : null })
        .where(eq(broadcastQuestions.id, questionId));
      return [...ids, questionId];
    });
    return this.questions(broadcastId, changed);
  }

  /** A moderator marks a question answered (or not). */
  async markAnswered(actor: Actor, broadcastId: string, questionId: string, answered: boolean, now = new Date()): Promise<BroadcastQuestion> {
    await this.requireModerator(actor, broadcastId);
    await this.#question(broadcastId, questionId);
    await this.db
      .update(broadcastQuestions)
      .set({ answeredAt: answered ? sql`coalesce(${broadcastQuestions.answeredAt}, ${now.toISOString()}::timestamptz)` : null })
      .where(eq(broadcastQuestions.id, questionId));
    return this.#question(broadcastId, questionId);
  }

  /** A moderator removes a question for everyone. Removing it twice is fine. */
  async deleteQuestion(actor: Actor, broadcastId: string, questionId: string, now = new Date()): Promise<{ questionId: string }> {
    const moderator = await this.requireModerator(actor, broadcastId);
    const [row] = await this.db
      .select({ id: broadcastQuestions.id })
      .from(broadcastQuestions)
      .where(and(eq(broadcastQuestions.id, questionId), eq(broadcastQuestions.broadcastId, broadcastId)));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such question');
    await this.db
      .update(broadcastQuestions)
      .set({ deletedAt: now, deletedBy: moderator.id })
      .where(and(eq(broadcastQuestions.id, questionId), isNull(broadcastQuestions.deletedAt)));
    return { questionId };
  }
}

function lockUser(db: Db, userId: string) {
  return db.execute(sql`select id from ${users} where id = ${userId} for update`);
}

/**
 * SQL: the message's author hosts the broadcast, or is an organizer or admin. Column references
 * inside a subquery are not table-qualified by drizzle: name the outer row explicitly.
 */
const FROM_HOST = sql<boolean>`("users"."role" in ('organizer', 'admin') or exists (select 1 from ${broadcastHosts} h where h.broadcast_id = ${sql.raw('"broadcast_messages"."broadcast_id"')} and h.user_id = ${sql.raw('"broadcast_messages"."author_id"')}))`;
