import { boothRoomId, fairPresenceRoom, staffRoom } from '../../app/rooms.ts';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { toRemoteProducer } from '../media/producers.ts';
import { toClient } from '../media/params.ts';
import { joinStaffRoom } from '../queue/staff-room.ts';

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
      producers: (await deps.cluster.producers(roomId)).map((p) => toRemoteProducer(p)),
      routerRtpCapabilities: toClient.rtpCapabilities(await media.rtpCapabilities()),
    };
  });

  conn.on('booth:leave', async ({ boothId }) => {
    await conn.leave(boothRoomId(boothId));
    await socket.leave(staffRoom(boothId));
    return null;
  });
}
