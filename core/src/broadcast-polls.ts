import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireUser, type Actor } from './actor.ts';
import type { BroadcastService } from './broadcasts.ts';
import { ServiceError } from './errors.ts';
import { pollSchema, pollVoteSchema } from './live-schemas.ts';
import { validate } from './validate.ts';

const { broadcasts, broadcastPolls, broadcastPollVotes } = schema;

/** A poll with its results so far (final once `closedAt` is set, or the broadcast has ended). */
export interface BroadcastPoll {
  id: string;
  broadcastId: string;
  question: string;
  options: string[];
  multiple: boolean;
  openedAt: Date;
  closedAt: Date | null;
  /** Votes per option, in the options' order (a multiple-choice ballot counts once per option chosen). */
  counts: number[];
  /** People who voted. */
  voters: number;
}

type PollRow = typeof broadcastPolls.$inferSelect;

/** Polls with their counts: one query for the per-option tallies, one for the voters. */
async function withResults(db: Db, rows: PollRow[]): Promise<BroadcastPoll[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  // A multiple-choice ballot holds several indexes: one row per chosen option, counted per poll.
  const tallies = await db
    .select({ pollId: broadcastPollVotes.pollId, choice: sql<number>`c.choice`, votes: sql<number>`count(*)::int` })
    .from(broadcastPollVotes)
    .crossJoinLateral(sql`unnest(${broadcastPollVotes.choices}) as c(choice)`)
    .where(inArray(broadcastPollVotes.pollId, ids))
    .groupBy(broadcastPollVotes.pollId, sql`c.choice`);
  const voters = await db
    .select({ pollId: broadcastPollVotes.pollId, n: sql<number>`count(*)::int` })
    .from(broadcastPollVotes)
    .where(inArray(broadcastPollVotes.pollId, ids))
    .groupBy(broadcastPollVotes.pollId);
  return rows.map((r) => {
    const counts = r.options.map(() => 0);
    for (const t of tallies) if (t.pollId === r.id && t.choice < counts.length) counts[t.choice] = Number(t.votes);
    return {
      id: r.id,
      broadcastId: r.broadcastId,
      question: r.question,
      options: r.options,
      multiple: r.multiple,
      openedAt: r.openedAt,
      closedAt: r.closedAt,
      counts,
      voters: voters.find((v) => v.pollId === r.id)?.n ?? 0,
    };
  });
}

/** Every poll of a broadcast, first launched first, with results (no actor check: the caller's). */
export async function pollsOf(db: Db, broadcastId: string): Promise<BroadcastPoll[]> {
  const rows = await db
    .select()
    .from(broadcastPolls)
    .where(eq(broadcastPolls.broadcastId, broadcastId))
    .orderBy(asc(broadcastPolls.openedAt), asc(broadcastPolls.id));
  return withResults(db, rows);
}

/**
 * A broadcast's polls. Hosts launch one at a time (question, 2-6 options, single or multiple
 * choice) and close it; signed-in viewers vote once. "Once" is the database's: a ballot's primary
 * key is (poll, user), so two tabs or two nodes voting at the same moment store one ballot. A vote
 * holds the poll's row (shared) and a close takes it (exclusive), so no ballot lands after a close.
 */
export class BroadcastPolls {
  constructor(
    private readonly db: Db,
    private readonly broadcasts: BroadcastService,
  ) {}

  async #requireHost(actor: Actor, broadcastId: string, now: Date) {
    requireUser(actor);
    const access = await this.broadcasts.access(actor, broadcastId, now);
    if (!access.isHost) throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers run polls');
    return access;
  }

  async poll(broadcastId: string, pollId: string): Promise<BroadcastPoll> {
    const rows = await this.db
      .select()
      .from(broadcastPolls)
      .where(and(eq(broadcastPolls.id, pollId), eq(broadcastPolls.broadcastId, broadcastId)));
    const [poll] = await withResults(this.db, rows);
    if (!poll) throw new ServiceError('NOT_FOUND', 'No such poll');
    return poll;
  }

  /** Every poll of the broadcast, first launched first, with results: the broadcast's record. */
  async list(actor: Actor, broadcastId: string): Promise<BroadcastPoll[]> {
    await this.broadcasts.get(actor, broadcastId);
    return this.listOf(broadcastId);
  }

  /** `list` without an actor check (reports, whose caller has checked). */
  listOf(broadcastId: string): Promise<BroadcastPoll[]> {
    return pollsOf(this.db, broadcastId);
  }

  /** This user's ballots in the broadcast's polls: poll id -> chosen option indexes. */
  async myVotes(actor: Actor, broadcastId: string): Promise<Record<string, number[]>> {
    if (!actor) return {};
    const rows = await this.db
      .select({ pollId: broadcastPollVotes.pollId, choices: broadcastPollVotes.choices })
      .from(broadcastPollVotes)
      .innerJoin(broadcastPolls, eq(broadcastPolls.id, broadcastPollVotes.pollId))
      .where(and(eq(broadcastPolls.broadcastId, broadcastId), eq(broadcastPollVotes.userId, actor.id)));
    return Object.fromEntries(rows.map((r) => [r.pollId, r.choices]));
  }

  /** A host launches a poll while the broadcast is on. One is open at a time: close it first. */
  async create(actor: Actor, broadcastId: string, input: unknown, now = new Date()): Promise<BroadcastPoll> {
    const { ended } = await this.#requireHost(actor, broadcastId, now);
    if (ended) throw new ServiceError('CONFLICT', 'This broadcast has ended');
    const { question, options, multiple } = validate(pollSchema, input);
    const id = await this.db.transaction(async (tx) => {
      // Two hosts launching at once on two nodes: the broadcast's row orders them.
      await tx.execute(sql`select id from ${broadcasts} where id = ${broadcastId} for update`);
      const [open] = await tx
        .select({ id: broadcastPolls.id })
        .from(broadcastPolls)
        .where(and(eq(broadcastPolls.broadcastId, broadcastId), isNull(broadcastPolls.closedAt)));
      if (open) throw new ServiceError('CONFLICT', 'A poll is already open: close it first');
      const [row] = await tx
        .insert(broadcastPolls)
        .values({ broadcastId, question, options, multiple, createdBy: actor!.id, openedAt: now })
        .returning({ id: broadcastPolls.id });
      return row!.id;
    });
    return this.poll(broadcastId, id);
  }

  /**
   * A signed-in viewer's one ballot. A second one is refused (CONFLICT, changing nothing), as is a
   * vote on a closed poll or after the broadcast's end.
   */
  async vote(actor: Actor, broadcastId: string, pollId: string, input: unknown, now = new Date()): Promise<BroadcastPoll> {
    const user = requireUser(actor);
    const { ended } = await this.broadcasts.access(actor, broadcastId, now);
    if (ended) throw new ServiceError('CONFLICT', 'This broadcast has ended; its polls are closed');
    const { choices } = validate(pollVoteSchema, input);
    const chosen = [...new Set(choices)].sort((a, b) => a - b);
    await this.db.transaction(async (tx) => {
      const [poll] = await tx
        .select()
        .from(broadcastPolls)
        .where(and(eq(broadcastPolls.id, pollId), eq(broadcastPolls.broadcastId, broadcastId)))
        .for('share');
      if (!poll) throw new ServiceError('NOT_FOUND', 'No such poll');
      if (poll.closedAt) throw new ServiceError('CONFLICT', 'This poll is closed');
      if (chosen.length !== choices.length || chosen.some((c) => c >= poll.options.length)) {
        throw new ServiceError('INVALID', 'Choose among the poll’s options, each once', { choices: 'invalid' });
      }
      if (!poll.multiple && chosen.length !== 1) throw new ServiceError('INVALID', 'Choose one option', { choices: 'one_only' });
      const inserted = await tx
        .insert(broadcastPollVotes)
        .values({ pollId, userId: user.id, choices: chosen, votedAt: now })
        .onConflictDoNothing()
        .returning({ pollId: broadcastPollVotes.pollId });
      if (!inserted.length) throw new ServiceError('CONFLICT', 'You have already voted in this poll');
    });
    return this.poll(broadcastId, pollId);
  }

  /** A host closes a poll: its results are final. Closing it twice is fine. */
  async close(actor: Actor, broadcastId: string, pollId: string, now = new Date()): Promise<BroadcastPoll> {
    await this.#requireHost(actor, broadcastId, now);
    await this.db
      .update(broadcastPolls)
      .set({ closedAt: now })
      .where(and(eq(broadcastPolls.id, pollId), eq(broadcastPolls.broadcastId, broadcastId), isNull(broadcastPolls.closedAt)));
    return this.poll(broadcastId, pollId);
  }
}
