import { boothRoomId, fairPresenceRoom, staffRoom } from '../../app/rooms.ts';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { toRemoteProducer } from '../media/producers.ts';
import { toClient } from '../media/params.ts';
import { joinStaffRoom } from '../queue/staff-room.ts';
import type { OpenPresentation } from '@fairground/core';
import type { BoothPresentation } from '../../protocol/schemas.ts';
import type { Recorder } from '../../recording/recorder.ts';

/** A booth's room: staff publish media and see the line; visitors watch and are counted. */
export function registerBoothHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, user } = conn;
  const { services, media, viewers, presence } = deps;

  conn.on('booth:join', async ({ boothId }) => {
    const { booth, isStaff: wasStaff } = await services.booths.access(user, boothId);
    // Staff pushes go to the staff room: joined first, membership checked again after (joinStaffRoom).
    const isStaff = wasStaff && (await joinStaffRoom(socket, services, boothId));
    const roomId = boothRoomId(boothId);
    // The booth's own screen (its display session) watches the stage but is nobody's visit.
    const isScreen = socket.data.display?.kind === 'booth' && socket.data.display.boothId === boothId;
    const counted = !isStaff && !isScreen;
    // Visitors also count once towards the fair's "people here now", whichever booths they are at.
    const fairConnection = `${socket.id}|${boothId}`;
    const entered = await conn.enter(roomId, {
      kind: 'booth',
      canPublish: isStaff,
      counted,
      onLeave: !counted
        ? undefined
        : async () => {
            await presence.remove(fairPresenceRoom(booth.fairId), socket.data.identity, fairConnection);
            deps.dashboard.boothChanged(boothId);
          },
    });
    if (entered && counted) {
      await presence.add(fairPresenceRoom(booth.fairId), socket.data.identity, fairConnection);
      deps.dashboard.boothChanged(boothId);
    }
    // The funnel's first stage (core counts a seeker's visit once, whatever the retries).
    if (entered) await services.booths.visited(user, boothId);
    if (isStaff) deps.queue.changed(boothId);
    return {
      boothId,
      roomId,
      employerName: booth.employer.name,
      isStaff,
      viewers: await viewers.count(roomId),
      presentation: await services.presentations.current(boothId).then((p) => p && toClientPresentation(p)),
      producers: (await deps.cluster.producers(roomId)).map((p) => toRemoteProducer(p)),
      routerRtpCapabilities: toClient.rtpCapabilities(await media.rtpCapabilities()),
    };
  });

  // Staff record their stage: core checks they work for the booth's employer and that one presentation is open at a time.
  conn.on('booth:presentation-start', async ({ boothId, title }) => {
    return toClientPresentation(await services.presentations.start(user, { boothId, ...(title ? { title } : {}) }));
  });
  conn.on('booth:presentation-stop', async ({ boothId }) => services.presentations.stop(user, boothId));

  conn.on('booth:leave', async ({ boothId }) => {
    await conn.leave(boothRoomId(boothId));
    await socket.leave(staffRoom(boothId));
    return null;
  });
}

function toClientPresentation(p: OpenPresentation): BoothPresentation {
  return { broadcastId: p.broadcastId, title: p.title, startedAt: p.startedAt.toISOString() };
}

/**
 * Server-wide: a presentation's start or stop is pushed to everyone at the booth (the Socket.IO
 * adapter reaches every node's sockets), and every node's recorder taps or stops that booth's media
 * (the node that made the change tells the others, `booth:recording`).
 */
export function subscribeBoothEvents(
  deps: Pick<FeatureDeps, 'io' | 'services'> & { recorder: Pick<Recorder, 'refresh'> | null; crossNode: boolean },
): () => void {
  const { io, services, recorder } = deps;
  const refresh = (roomId: string) => void recorder?.refresh(roomId);
  io.on('booth:recording', refresh);
  return services.events.on('booth.presentation', ({ boothId, presentation }) => {
    const roomId = boothRoomId(boothId);
    io.to(roomId).emit('booth:presentation', { boothId, presentation: presentation && toClientPresentation(presentation) });
    refresh(roomId);
    if (deps.crossNode) io.serverSideEmit('booth:recording', roomId);
  });
}
