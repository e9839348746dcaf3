import type { BroadcastChatMessage, BroadcastQuestion } from '@fairground/core';
import { chatLimits, type BroadcastChatLine, type BroadcastQuestionItem } from '../../protocol/index.ts';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { chatModRoom, chatRoom, userRoom } from '../../app/rooms.ts';

const toLine = (m: BroadcastChatMessage): BroadcastChatLine => ({ ...m, sentAt: m.sentAt.toISOString() });
const toItem = (q: BroadcastQuestion): BroadcastQuestionItem => ({ ...q, askedAt: q.askedAt.toISOString() });

/**
 * A broadcast's chat and Q&A over the socket. Rules and limits live in core (`BroadcastChat`);
 * this only validates, delegates and pushes the change to the broadcast's room (every node's
 * sockets through the Redis adapter).
 */
export function registerChatHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, log } = conn;
  const { io } = deps;
  const chat = deps.services.broadcastChat;
  const user = socket.data.user;

  conn.on('chat:join', async ({ broadcastId }) => {
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

  conn.on('chat:leave', async ({ broadcastId }) => {
    await socket.leave(chatRoom(broadcastId));
    await socket.leave(chatModRoom(broadcastId));
    return null;
  });

  conn.on('chat:send', async ({ broadcastId, body }) => {
    const line = toLine(await chat.send(user, broadcastId, { body }));
    io.to(chatRoom(broadcastId)).emit('chat:message', line);
    return line;
  });

  conn.on('chat:delete', async ({ broadcastId, messageId }) => {
    await chat.deleteMessage(user, broadcastId, messageId);
    io.to(chatRoom(broadcastId)).emit('chat:deleted', { broadcastId, messageId });
    log.info({ broadcastId, messageId }, 'chat message deleted');
    return null;
  });

  conn.on('chat:mute', async ({ broadcastId, userId, muted }) => {
    await chat.setMuted(user, broadcastId, userId, muted);
    io.to([userRoom(userId), chatModRoom(broadcastId)]).emit('chat:muted', { broadcastId, userId, muted });
    log.info({ broadcastId, target: userId, muted }, 'chat mute changed');
    return null;
  });

  conn.on('chat:slow-mode', async ({ broadcastId, seconds }) => {
    const slowModeSeconds = await chat.setSlowMode(user, broadcastId, { seconds });
    io.to(chatRoom(broadcastId)).emit('chat:settings', { broadcastId, slowModeSeconds });
    return null;
  });

  conn.on('question:ask', async ({ broadcastId, body }) => {
    const item = toItem(await chat.ask(user, broadcastId, { body }));
    io.to(chatRoom(broadcastId)).emit('question:updated', item);
    return item;
  });

  conn.on('question:vote', async ({ broadcastId, questionId }) => {
    const { question, changed } = await chat.vote(user, broadcastId, questionId);
    const item = toItem(question);
    if (changed) io.to(chatRoom(broadcastId)).emit('question:updated', item);
    return item;
  });

  conn.on('question:pin', async ({ broadcastId, questionId, pinned }) => {
    for (const q of await chat.pin(user, broadcastId, questionId, pinned)) io.to(chatRoom(broadcastId)).emit('question:updated', toItem(q));
    return null;
  });

  conn.on('question:answer', async ({ broadcastId, questionId, answered }) => {
    io.to(chatRoom(broadcastId)).emit('question:updated', toItem(await chat.markAnswered(user, broadcastId, questionId, answered)));
    return null;
  });

  conn.on('question:delete', async ({ broadcastId, questionId }) => {
    await chat.deleteQuestion(user, broadcastId, questionId);
    io.to(chatRoom(broadcastId)).emit('question:deleted', { broadcastId, questionId });
    return null;
  });
}
