import { ServiceError, type CaptionCue, type ChapterMark } from '@fairground/core';
import type { CaptionLine, ChapterMarkItem } from '../../protocol/index.ts';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { extrasRoom } from '../../app/rooms.ts';
import { toPollItem } from './poll-pusher.ts';

const toLine = (c: CaptionCue): CaptionLine => ({
  id: c.id,
  broadcastId: c.broadcastId,
  language: c.language,
  startMs: c.startMs,
  endMs: c.endMs,
  body: c.body,
});
const toMark = (m: ChapterMark): ChapterMarkItem => ({ id: m.id, broadcastId: m.broadcastId, title: m.title, atMs: m.atMs });
/**
 * Captions, polls and chapter marks of a broadcast over the socket. Rules live in core
 * (BroadcastCaptions, BroadcastPolls, BroadcastChapters); this validates, limits caption lines per
 * user (over every node with Redis), delegates and pushes to the broadcast's extras room.
 */
export function registerExtrasHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, log } = conn;
  const { io, services } = deps;
  const user = socket.data.user;

  conn.on('extras:join', async ({ broadcastId }) => {
    const { broadcast, isHost, ended } = await services.broadcasts.access(user, broadcastId);
    const [canCaption, captions, polls, myVotes, marks] = await Promise.all([
      services.captions.canCaption(user, broadcast, isHost),
      services.captions.latest(broadcastId),
      services.polls.listOf(broadcastId),
      services.polls.myVotes(user, broadcastId),
      services.chapters.marks(user, broadcastId),
    ]);
    await socket.join(extrasRoom(broadcastId));
    return {
      broadcastId,
      startsAt: broadcast.startsAt.toISOString(),
      open: !ended,
      canCaption: canCaption && !ended,
      canHost: isHost,
      canVote: user !== null && !ended,
      captions: captions.map(toLine),
      polls: polls.map(toPollItem),
      myVotes,
      marks: marks.map(toMark),
    };
  });

  conn.on('extras:leave', async ({ broadcastId }) => {
    await socket.leave(extrasRoom(broadcastId));
    return null;
  });

  conn.on('caption:send', async ({ broadcastId, language, body }) => {
    // Keyed by user and broadcast: two tabs or two nodes share one allowance. Anonymous senders
    // are refused by core before they could use one.
    if (user && !(await deps.captionLimiter.take(`${user.id}:${broadcastId}`))) {
      throw new ServiceError('RATE_LIMITED', 'You are sending caption lines too fast', {}, 1);
    }
    const line = toLine(await services.captions.send(user, broadcastId, { language, body }));
    io.to(extrasRoom(broadcastId)).emit('caption:line', line);
    return line;
  });

  conn.on('poll:create', async ({ broadcastId, question, options, multiple }) => {
    const poll = toPollItem(await services.polls.create(user, broadcastId, { question, options, multiple }));
    io.to(extrasRoom(broadcastId)).emit('poll:updated', poll);
    log.info({ broadcastId, pollId: poll.id }, 'poll launched');
    return poll;
  });

  conn.on('poll:vote', async ({ broadcastId, pollId, choices }) => {
    const poll = toPollItem(await services.polls.vote(user, broadcastId, pollId, { choices }));
    deps.pollPusher.changed(broadcastId, pollId);
    return poll;
  });

  conn.on('poll:close', async ({ broadcastId, pollId }) => {
    const poll = toPollItem(await services.polls.close(user, broadcastId, pollId));
    io.to(extrasRoom(broadcastId)).emit('poll:updated', poll);
    return poll;
  });

  conn.on('chapter:mark', async ({ broadcastId, title }) => {
    const mark = toMark(await services.chapters.mark(user, broadcastId, { title }));
    io.to(extrasRoom(broadcastId)).emit('chapter:marked', mark);
    return mark;
  });
}
