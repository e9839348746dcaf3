import { MAX_STAGE_GUESTS, ServiceError } from '@fairground/core';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { broadcastRoomId, hostsRoom } from '../../app/rooms.ts';
import { closeProducersOf, toRemoteProducer } from '../media/producers.ts';
import { toClient } from '../media/params.ts';
import { openReceive } from '../media/receive.ts';
import type { BroadcastView } from './views.ts';

/**
 * Guidance broadcasts over the socket: hosts (named hosts, organizers) publish into the room,
 * everyone else who may see the broadcast watches and is counted. Media goes through the shared
 * `media:*` handlers with roomId `broadcast:<id>`.
 */
export function registerBroadcastHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket } = conn;
  const { services, media, audience, stage, io } = deps;
  const user = socket.data.user;

  const publishStage = async (broadcastId: string) => {
    io.to(hostsRoom(broadcastId)).emit('broadcast:stage-state', await stage.state(broadcastId));
  };
  const requireHost = async (broadcastId: string) => {
    const { isHost } = await services.broadcasts.access(user, broadcastId);
    if (!isHost) throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers may do this');
  };

  conn.on('broadcast:join', async ({ broadcastId, receive }) => {
    const { isHost, ended } = await deps.broadcastReads.access(user, broadcastId);
    const roomId = broadcastRoomId(broadcastId);
    let view: BroadcastView | null = null;
    const entered = await conn.enter(roomId, {
      kind: 'broadcast',
      canPublish: isHost,
      counted: false,
      onLeave: async () => {
        if (isHost) await socket.leave(hostsRoom(broadcastId));
        await view?.stop();
        if (await stage.leave(broadcastId, socket.id)) await publishStage(broadcastId);
      },
    });
    // An ended broadcast's page may still join (its record), but nobody there is counted.
    if (entered && !isHost && !ended) view = deps.views.start(broadcastId, socket);
    if (isHost) await socket.join(hostsRoom(broadcastId));
    // Counting the viewer (its admission, presence and view writes) and the reads the answer needs
    // are independent: at once, so a join waits for the slowest, not for their sum. The answer
    // still waits for the counting, so an answered viewer is counted (signed in, or no dwell).
    const [counted, stageState, producers, capabilities] = await Promise.all([
      view?.begun ?? null,
      isHost ? stage.state(broadcastId) : null,
      // Shared with the joins that came meanwhile, and never a listing begun before this join entered the room.
      deps.broadcastProducers(roomId),
      deps.routerCapabilities(),
    ]);
    // Receiving refused (no common codec, a per-peer limit): the join is undone, so the ack's code
    // is all that happened: this join's media closed, and a viewer who entered with it uncounted.
    const receiving = receive
      ? await openReceive(deps, conn, { kind: 'broadcast', id: roomId }, producers, receive).catch(async (err: unknown) => {
          if (entered) await conn.leave(roomId);
          else await deps.media.closePeer(roomId, conn.peerId);
          throw err;
        })
      : null;
    // The count this viewer's counting made, else (a host, an anonymous viewer in its dwell) read.
    const viewers = counted ?? (await audience.count(broadcastId));
    return {
      broadcastId,
      roomId,
      isHost,
      stage: stageState,
      viewers,
      producers: producers.map((p) => toRemoteProducer(p)),
      routerRtpCapabilities: toClient.rtpCapabilities(capabilities),
      receive: receiving,
      maxStageGuests: MAX_STAGE_GUESTS,
    };
  });

  conn.on('broadcast:leave', async ({ broadcastId }) => {
    await conn.leave(broadcastRoomId(broadcastId));
    return null;
  });

  conn.on('broadcast:stats', async ({ broadcastId }) => {
    const { isHost } = await services.broadcasts.access(user, broadcastId);
    if (!isHost) throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers see its numbers');
    const [stats, live] = await Promise.all([services.audience.stats(broadcastId), audience.count(broadcastId)]);
    return { ...stats, live };
  });

  conn.on('broadcast:hand', async ({ broadcastId, raised }) => {
    conn.inRoom(broadcastRoomId(broadcastId));
    if (!user) throw new ServiceError('UNAUTHENTICATED', 'Sign in to ask a question on stage');
    if (raised) await services.broadcasts.requireOpen(user, broadcastId);
    await stage.setHand(broadcastId, { peer: socket.id, name: user.name }, raised);
    await publishStage(broadcastId);
    return null;
  });

  conn.on('broadcast:stage-invite', async ({ broadcastId, peer }) => {
    await requireHost(broadcastId);
    await services.broadcasts.requireOpen(user, broadcastId);
    await stage.invite(broadcastId, peer);
    io.to(peer).emit('broadcast:on-stage', { broadcastId, onStage: true });
    await publishStage(broadcastId);
    return stage.state(broadcastId);
  });

  conn.on('broadcast:stage-remove', async ({ broadcastId, peer }) => {
    // A guest may step down by themselves; anyone else needs to be a host.
    if (peer !== socket.id) await requireHost(broadcastId);
    if (await stage.remove(broadcastId, peer)) {
      const roomId = broadcastRoomId(broadcastId);
      // The guest's producers live on the node their connection is on: here, or another node.
      await closeProducersOf(media, roomId, peer);
      if (deps.crossNode) io.serverSideEmit('broadcast:unstage', roomId, peer);
      io.to(peer).emit('broadcast:on-stage', { broadcastId, onStage: false });
      await publishStage(broadcastId);
    }
    return stage.state(broadcastId);
  });
}

/** Server-wide: the start notice (one node announces each) and guests sent back from another node. */
export function subscribeBroadcastEvents(deps: Pick<FeatureDeps, 'io' | 'media' | 'services'>): () => void {
  const { io, media, services } = deps;
  // A host on another node sent a guest of this node back from the stage.
  io.on('broadcast:unstage', (roomId: string, peer: string) => void closeProducersOf(media, roomId, peer));
  // With the Redis adapter this reaches every node's sockets.
  return services.events.on('broadcast.started', ({ broadcast }) => io.emit('notice:broadcast-live', { broadcastId: broadcast.id, title: broadcast.title }));
}
