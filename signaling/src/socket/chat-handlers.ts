import type { BroadcastChatMessage, BroadcastQuestion } from '@fairground/core';
import {
  chatDeleteSchema,
  chatLimits,
  chatJoinSchema,
  chatMuteSchema,
  chatSendSchema,
  chatSlowModeSchema,
  questionAnswerSchema,
  questionAskSchema,
  questionPinSchema,
  questionRefSchema,
  type BroadcastChatLine,
  type BroadcastQuestionItem,
} from '../protocol/index.ts';
import type { Connection, ConnectionDeps } from './connection.ts';
import { handle } from './handle.ts';
import { userRoom } from './queue-publisher.ts';

/** Everyone reading a broadcast's chat (viewers, visitors, hosts). Not the media/viewer-count room. */
export const chatRoom = (broadcastId: string) => `chat:${broadcastId}`;
/** The broadcast's moderators: they hear who was muted. */
export const chatModRoom = (broadcastId: string) => `chat-mod:${broadcastId}`;

const toLine = (m: BroadcastChatMessage): BroadcastChatLine => ({ ...m, sentAt: m.sentAt.toISOString() });
const toItem = (q: BroadcastQuestion): BroadcastQuestionItem => ({ ...q, askedAt: q.askedAt.toISOString() });

/**
 * A broadcast's chat and Q&A over the socket. Rules and limits live in core (`BroadcastChat`);
 * this only validates, delegates and pushes the change to the broadcast's room (every node's
 * sockets through the Redis adapter).
 */
export function registerChatHandlers(conn: Connection, deps: ConnectionDeps): void {
  const { socket, log, limiter } = conn;
  const { io } = deps;
  const chat = deps.services.broadcastChat;
  const user = socket.data.user;

  handle(socket, 'chat:join', chatJoinSchema, limiter, log, async ({ broadcastId }) => {
    const state = await chat.history(user, broadcastId);
    await socket.join(chatRoom(broadcastId));
    if (state.canModerate) await socket.join(chatModRoom(broadcastId));
    return {
      broadcastId,
      messages: state.messages.map(toLine),
      questions: state.questions.map(toItem),
      slowModeSeconds: state.slowModeSeconds,
      open: state.open,
      canPost: user !== null && state.open,
      canModerate: state.canModerate,
      muted: state.muted,
      myVotes: state.myVotes,
      mutedUserIds: state.mutedUserIds,
      limits: chatLimits,
    };
  });

  handle(socket, 'chat:leave', chatJoinSchema, limiter, log, async ({ broadcastId }) => {
    await socket.leave(chatRoom(broadcastId));
    await socket.leave(chatModRoom(broadcastId));
    return null;
  });

  handle(socket, 'chat:send', chatSendSchema, limiter, log, async ({ broadcastId, body }) => {
    const line = toLine(await chat.send(user, broadcastId, { body }));
    io.to(chatRoom(broadcastId)).emit('chat:message', line);
    return line;
  });

  handle(socket, 'chat:delete', chatDeleteSchema, limiter, log, async ({ broadcastId, messageId }) => {
    await chat.deleteMessage(user, broadcastId, messageId);
    io.to(chatRoom(broadcastId)).emit('chat:deleted', { broadcastId, messageId });
    log.info({ broadcastId, messageId }, 'chat message deleted');
    return null;
  });

  handle(socket, 'chat:mute', chatMuteSchema, limiter, log, async ({ broadcastId, userId, muted }) => {
    await chat.setMuted(user, broadcastId, userId, muted);
    io.to([userRoom(userId), chatModRoom(broadcastId)]).emit('chat:muted', { broadcastId, userId, muted });
    log.info({ broadcastId, target: userId, muted }, 'chat mute changed');
    return null;
  });

  handle(socket, 'chat:slow-mode', chatSlowModeSchema, limiter, log, async ({ broadcastId, seconds }) => {
    const slowModeSeconds = await chat.setSlowMode(user, broadcastId, { seconds });
    io.to(chatRoom(broadcastId)).emit('chat:settings', { broadcastId, slowModeSeconds });
    return null;
  });

  handle(socket, 'question:ask', questionAskSchema, limiter, log, async ({ broadcastId, body }) => {
    const item = toItem(await chat.ask(user, broadcastId, { body }));
    io.to(chatRoom(broadcastId)).emit('question:updated', item);
    return item;
  });

  handle(socket, 'question:vote', questionRefSchema, limiter, log, async ({ broadcastId, questionId }) => {
    const { question, changed } = await chat.vote(user, broadcastId, questionId);
    const item = toItem(question);
    if (changed) io.to(chatRoom(broadcastId)).emit('question:updated', item);
    return item;
  });

  handle(socket, 'question:pin', questionPinSchema, limiter, log, async ({ broadcastId, questionId, pinned }) => {
    for (const q of await chat.pin(user, broadcastId, questionId, pinned)) io.to(chatRoom(broadcastId)).emit('question:updated', toItem(q));
    return null;
  });

  handle(socket, 'question:answer', questionAnswerSchema, limiter, log, async ({ broadcastId, questionId, answered }) => {
    io.to(chatRoom(broadcastId)).emit('question:updated', toItem(await chat.markAnswered(user, broadcastId, questionId, answered)));
    return null;
  });

  handle(socket, 'question:delete', questionRefSchema, limiter, log, async ({ broadcastId, questionId }) => {
    await chat.deleteQuestion(user, broadcastId, questionId);
    io.to(chatRoom(broadcastId)).emit('question:deleted', { broadcastId, questionId });
    return null;
  });
}
