import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { interviewRoomId } from '../../app/rooms.ts';
import { toRemoteProducer } from '../media/producers.ts';
import { toClient } from '../media/params.ts';
import { INTERVIEW_CHAT_MAX_LENGTH } from './protocol.ts';

/** The 1:1 interview room: both participants publish; the clock starts when both are there. */
export function registerInterviewHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket } = conn;
  const { services, presence, media, io } = deps;
  const user = socket.data.user;

  conn.on('interview:join', async ({ interviewId }) => {
    const { interview, role } = await services.interviews.requireVideoParticipant(user, interviewId);
    const roomId = interviewRoomId(interviewId);
    await conn.enter(roomId, {
      kind: 'interview',
      canPublish: !interview.endedAt,
      counted: false,
      onLeave: () => presence.remove(roomId, socket.data.identity, socket.id).then(() => undefined),
    });
    // Both sides present: the interview has started (recorded once, whichever node sees it;
    // that node tells the room on `interview.started`, below).
    if ((await presence.add(roomId, socket.data.identity, socket.id)) >= 2) {
      await services.interviews.markStarted(interviewId);
    }
    const current = (await services.interviews.view(user, interviewId)).interview;
    return {
      ...interviewState(current),
      roomId,
      role: role === 'recruiter' ? ('recruiter' as const) : ('seeker' as const),
      routerRtpCapabilities: toClient.rtpCapabilities(await media.rtpCapabilities()),
      producers: (await deps.cluster.producers(roomId)).map(toRemoteProducer),
      chatMaxLength: INTERVIEW_CHAT_MAX_LENGTH,
    };
  });

  conn.on('interview:chat', async ({ interviewId, body }) => {
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

  conn.on('interview:extend', async ({ interviewId }) => {
    const row = await services.interviews.extend(user, interviewId, 5);
    io.to(interviewRoomId(interviewId)).emit('interview:state', interviewState(row));
    return null;
  });

  conn.on('interview:end', async ({ interviewId }) => {
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
 * transports and streams there are refused afterwards (the media handlers read the row).
 */
export function closeInterviewMedia(deps: Pick<FeatureDeps, 'io' | 'media' | 'crossNode'>, interviewId: string): void {
  void deps.media.closeRoom(interviewRoomId(interviewId));
  if (deps.crossNode) deps.io.serverSideEmit('interview:ended', interviewId);
}

/**
 * Server-wide: an interview ended (by a participant or by the clock, on this node): both sides
 * hear of it and its media room closes on every node. The line's push follows `queue.changed`.
 */
export function subscribeInterviewEvents(deps: Pick<FeatureDeps, 'io' | 'media' | 'services' | 'crossNode'>): () => void {
  const { io, media, services } = deps;
  // Another node ended one: close its media room here too.
  io.on('interview:ended', (interviewId: string) => void media.closeRoom(interviewRoomId(interviewId)));
  const offStarted = services.events.on('interview.started', ({ interview }) => {
    io.to(interviewRoomId(interview.id)).emit('interview:state', interviewState(interview));
  });
  const offEnded = services.events.on('interview.ended', ({ interview }) => {
    io.to(interviewRoomId(interview.id)).emit('interview:state', interviewState(interview));
    closeInterviewMedia(deps, interview.id);
  });
  return () => {
    offStarted();
    offEnded();
  };
}

function interviewState(i: { id: string; startedAt: Date | null; endedAt: Date | null; plannedMinutes: number }) {
  return {
    interviewId: i.id,
    startedAt: i.startedAt?.toISOString() ?? null,
    endedAt: i.endedAt?.toISOString() ?? null,
    plannedMinutes: i.plannedMinutes,
  };
}
