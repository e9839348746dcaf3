import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { interviewRoomId } from '../../app/rooms.ts';
import { toRemoteProducer } from '../media/producers.ts';
import { toClient } from '../media/params.ts';
import { INTERVIEW_CHAT_MAX_LENGTH, type InterviewTiming } from './protocol.ts';

/**
 * The interview room: the seeker, the recruiter and any panel they invited publish; the clock
 * starts when the first two people are there. Hand-offs are in handoffs.ts.
 */
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
      role: role === 'recruiter' || role === 'panel' ? role : ('seeker' as const),
      panel: await services.handoffs.panel(interviewId),
      routerRtpCapabilities: toClient.rtpCapabilities(await media.rtpCapabilities()),
      // Whose each camera is: the page names every tile (a panel has several).
      producers: (await deps.cluster.producers(roomId)).map((p) => toRemoteProducer(p, { withUser: true })),
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
  // Another node dropped one to audio only: close the cameras published here.
  io.on('interview:audio-only', (interviewId: string) => void closeVideoHere(media, interviewId));
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

export function interviewState(i: { id: string; startedAt: Date | null; endedAt: Date | null; plannedMinutes: number; audioOnly: boolean }): InterviewTiming {
  return {
    interviewId: i.id,
    startedAt: i.startedAt?.toISOString() ?? null,
    endedAt: i.endedAt?.toISOString() ?? null,
    plannedMinutes: i.plannedMinutes,
    audioOnly: i.audioOnly,
  };
}

/** Closes this node's video producers of an interview (audio only); each close tells the room. */
export async function closeVideoHere(media: FeatureDeps['media'], interviewId: string): Promise<number> {
  const roomId = interviewRoomId(interviewId);
  const videos = (await media.producers(roomId)).filter((p) => p.kind === 'video');
  await Promise.all(videos.map((p) => media.closeProducer(roomId, p.peerId, p.id).catch(() => {})));
  return videos.length;
}
