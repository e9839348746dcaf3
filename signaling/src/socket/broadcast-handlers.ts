import { broadcastRoomId } from '../domain/broadcast-audience.ts';
import { broadcastJoinSchema } from '../protocol/index.ts';
import { toRemoteProducer, type Connection, type ConnectionDeps } from './connection.ts';
import { handle } from './handle.ts';

/**
 * Guidance broadcasts over the socket: hosts (named hosts, organizers) publish into the room,
 * everyone else who may see the broadcast watches and is counted. Media goes through the shared
 * `media:*` handlers with roomId `broadcast:<id>`.
 */
export function registerBroadcastHandlers(conn: Connection, deps: ConnectionDeps): void {
  const { socket, log, limiter } = conn;
  const { services, media, audience } = deps;
  const user = socket.data.user;

  handle(socket, 'broadcast:join', broadcastJoinSchema, limiter, log, async ({ broadcastId }) => {
    const { isHost } = await services.broadcasts.access(user, broadcastId);
    const roomId = broadcastRoomId(broadcastId);
    const identity = socket.data.identity;
    const entered = await conn.enter(roomId, {
      canPublish: isHost,
      counted: false,
      onLeave: isHost ? undefined : async () => void (await audience.leave(broadcastId, identity, socket.id)),
    });
    if (entered && !isHost) await audience.join(broadcastId, identity, socket.id);
    return {
      broadcastId,
      roomId,
      isHost,
      viewers: await audience.count(broadcastId),
      producers: media.producers(roomId).map(toRemoteProducer),
      routerRtpCapabilities: media.rtpCapabilities() as unknown as Record<string, unknown>,
    };
  });

  handle(socket, 'broadcast:leave', broadcastJoinSchema, limiter, log, async ({ broadcastId }) => {
    await conn.leave(broadcastRoomId(broadcastId));
    return null;
  });
}
