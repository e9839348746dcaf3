import type { Logger } from 'pino';
import type { BroadcastPoll, Services } from '@fairground/core';
import type { PollItem } from '../../protocol/index.ts';
import type { AppServer } from '../../app/types.ts';
import { extrasRoom } from '../../app/rooms.ts';
import { coalescer } from '../../live/coalesce.ts';

export const toPollItem = (p: BroadcastPoll): PollItem => ({
  id: p.id,
  broadcastId: p.broadcastId,
  question: p.question,
  options: p.options,
  multiple: p.multiple,
  openedAt: p.openedAt.toISOString(),
  closedAt: p.closedAt?.toISOString() ?? null,
  counts: p.counts,
  voters: p.voters,
});

/** How often a poll's results are pushed while votes pour in (each voter's own ack is at once). */
export const POLL_PUSH_MS = 300;

/**
 * Pushes a poll's results to its broadcast's room at most every POLL_PUSH_MS per node: a thousand
 * votes in a second become a few pushes, each with the counts read fresh from the database (so a
 * push never undoes a newer one from another node for long: the next one carries every vote).
 */
export function createPollPusher(deps: { io: AppServer; services: Pick<Services, 'polls'>; log: Logger }) {
  const push = coalescer(
    async (key) => {
      const [broadcastId, pollId] = key.split('/') as [string, string];
      deps.io.to(extrasRoom(broadcastId)).emit('poll:updated', toPollItem(await deps.services.polls.poll(broadcastId, pollId)));
    },
    POLL_PUSH_MS,
    (err) => deps.log.warn({ err: String(err) }, 'pushing poll results failed'),
  );
  return { changed: (broadcastId: string, pollId: string) => push.schedule(`${broadcastId}/${pollId}`), close: () => push.close() };
}
export type PollPusher = ReturnType<typeof createPollPusher>;
