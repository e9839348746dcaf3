import { interviewChatSchema, interviewIdSchema } from '../protocol/index.ts';
import type { Connection, ConnectionDeps } from './connection.ts';
import { handle } from './handle.ts';
import { toRemoteProducer } from './connection.ts';

export const interviewRoomId = (interviewId: string) => `interview:${interviewId}`;

/** The 1:1 interview room: both participants publish; the clock starts when both are there. */
export function registerInterviewHandlers(conn: Connection, deps: ConnectionDeps): void {
  const { socket, log, limiter } = conn;
  const { services, presence, media, io } = deps;
  const user = socket.data.user;

  const state = (i: { id: string; startedAt: Date | null; endedAt: Date | null; plannedMinutes: number }) => ({
    interviewId: i.id,
    startedAt: i.startedAt?.toISOString() ?? null,
    endedAt: i.endedAt?.toISOString() ?? null,
    plannedMinutes: i.plannedMinutes,
  });

  handle(socket, 'interview:join', interviewIdSchema, limiter, log, async ({ interviewId }) => {
    const { interview, role } = await services.interviews.requireParticipant(user, interviewId);
    const roomId = interviewRoomId(interviewId);
    await conn.enter(roomId, {
      canPublish: !interview.endedAt,
      counted: false,
      onLeave: () => presence.remove(roomId, socket.data.identity, socket.id).then(() => undefined),
    });
    // Both sides present: the interview has started (recorded once, whichever node sees it).
    if ((await presence.add(roomId, socket.data.identity, socket.id)) >= 2) {
      const started = await services.interviews.markStarted(interviewId);
      if (started) {
        io.to(roomId).emit('interview:state', state(started));
        deps.dashboard.boothChanged(started.boothId);
      }
    }
    const current = (await services.interviews.view(user, interviewId)).interview;
    return {
      ...state(current),
      roomId,
      role: role === 'recruiter' ? ('recruiter' as const) : ('seeker' as const),
      routerRtpCapabilities: media.rtpCapabilities() as unknown as Record<string, unknown>,
      producers: media.producers(roomId).map(toRemoteProducer),
    };
  });

  handle(socket, 'interview:chat', interviewChatSchema, limiter, log, async ({ interviewId, body }) => {
    const message = await services.interviews.chat(user, interviewId, { body });
    const payload = {
      id: message.id,
      interviewId,
      authorId: message.authorId,
      authorName: message.authorName,
      body: message.body,
      sentAt: message.sentAt.toISOString(),
    };
    io.to(interviewRoomId(interviewId)).emit('interview:chat', payload);
    return payload;
  });

  handle(socket, 'interview:extend', interviewIdSchema, limiter, log, async ({ interviewId }) => {
    const row = await services.interviews.extend(user, interviewId, 5);
    io.to(interviewRoomId(interviewId)).emit('interview:state', state(row));
    return null;
  });

  handle(socket, 'interview:end', interviewIdSchema, limiter, log, async ({ interviewId }) => {
    // Both sides hear of it, the media room closes and the line moves on: on the service's
    // interview.ended (server.ts), the same path as an interview the clock closes.
    await services.interviews.end(user, interviewId);
    return null;
  });
}

/**
 * An interview ended (by a participant, or by the clock): its media room closes on every node, so
 * both sides stop sending and receiving at once (each gets `media:producer-closed` for the other's
 * streams, beside the `interview:state` with `endedAt` that the page stops its media on). New
 * transports and streams there are refused afterwards (`requireOpenInterview` reads the row).
 */
export function closeInterviewMedia(deps: Pick<ConnectionDeps, 'io' | 'media' | 'crossNode'>, interviewId: string): void {
  deps.media.closeRoom(interviewRoomId(interviewId));
  if (deps.crossNode) deps.io.serverSideEmit('interview:ended', interviewId);
}
