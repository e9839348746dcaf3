import { ServiceError } from '@fairground/core';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import type { MediaSource } from '../../protocol/index.ts';
import { toClient, toServer } from './params.ts';
import { iceServersOf, transportOptions } from './receive.ts';

/**
 * The `media:*` requests of every room kind (booth, interview, broadcast): transports, producing
 * and consuming, after the room's own join said who may publish there.
 */
export function registerMediaHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, user, peerId, log } = conn;
  const { services, media, stage, cluster } = deps;

  /**
   * Media at all: anonymous connections (no signed-in user) only ever receive, and only in
   * broadcasts; booth and interview media are for signed-in users.
   */
  const requireMediaAccess = (roomId: string, direction: 'send' | 'recv') => {
    const { kind } = conn.inRoom(roomId);
    if (user) return;
    if (direction === 'recv' && kind === 'broadcast') return;
    // A booth's screen (its display session, no account) receives that booth's stage.
    const display = socket.data.display;
    if (direction === 'recv' && kind === 'booth' && display?.kind === 'booth' && roomId === `booth:${display.boothId}`) return;
    throw new ServiceError('UNAUTHENTICATED', 'Sign in to use media here');
  };
  /**
   * An interview's room takes no new transports or streams once the interview has ended, and no
   * video while a recruiter has it on audio only.
   */
  const requireOpenInterview = async (roomId: string, kind?: 'audio' | 'video') => {
    if (conn.inRoom(roomId).kind !== 'interview') return;
    const { interview } = await services.interviews.requireParticipant(user, roomId.slice('interview:'.length));
    if (interview.endedAt) throw new ServiceError('CONFLICT', 'The interview has ended');
    if (kind === 'video' && interview.audioOnly) throw new ServiceError('CONFLICT', 'The interview is audio only');
  };
  /** May this peer publish here now? For broadcasts, returns when the broadcast ends. */
  const requirePublisher = async (roomId: string, source?: MediaSource, kind?: 'audio' | 'video'): Promise<Date | null> => {
    requireMediaAccess(roomId, 'send');
    const isBroadcast = conn.inRoom(roomId).kind === 'broadcast';
    const broadcastId = roomId.slice('broadcast:'.length);
    if (conn.inRoom(roomId).canPublish) {
      await requireOpenInterview(roomId, kind);
    } else if (isBroadcast && (await stage.isGuest(broadcastId, peerId))) {
      // A viewer a host brought on stage may publish camera and microphone until sent back.
      if (source === 'screen') throw new ServiceError('NOT_AUTHORIZED', 'Stage guests share their camera and microphone only');
    } else {
      throw new ServiceError('NOT_AUTHORIZED', 'Only this room’s publishers (booth staff, broadcast hosts) can publish here');
    }
    // Checked now, not at the join: a broadcast that has ended since is not live again (CONFLICT).
    if (isBroadcast) return (await services.broadcasts.requireOpen(user, broadcastId)).broadcast.endsAt;
    return null;
  };
  // A broadcast's producers stop at its end: going live shortly before it does not keep it live.
  const endTimers = new Set<NodeJS.Timeout>();
  const closeAtEnd = (roomId: string, producerId: string, endsAt: Date) => {
    const delay = endsAt.getTime() - Date.now();
    if (delay > 2 ** 31 - 1) return; // beyond a timer's reach (weeks away); the server restarts sooner
    const timer = setTimeout(
      () => {
        endTimers.delete(timer);
        media.closeProducer(roomId, peerId, producerId).catch(() => {});
      },
      Math.max(0, delay),
    );
    timer.unref();
    endTimers.add(timer);
  };
  conn.onClose(() => {
    for (const timer of endTimers) clearTimeout(timer);
    endTimers.clear();
  });

  conn.on('media:transport-create', async ({ roomId, direction }) => {
    if (direction === 'send') await requirePublisher(roomId);
    else {
      requireMediaAccess(roomId, 'recv');
      await requireOpenInterview(roomId);
    }
    const t = await media.createTransport({ kind: conn.inRoom(roomId).kind, id: roomId }, peerId, direction);
    return transportOptions(deps, user, t);
  });

  conn.on('media:transport-connect', async (p) => {
    conn.inRoom(p.roomId);
    await media.connectTransport(p.roomId, peerId, p.transportId, toServer.dtlsParameters(p.dtlsParameters));
    return null;
  });

  conn.on('media:produce', async (p) => {
    const endsAt = await requirePublisher(p.roomId, p.source, p.kind);
    // Who published it: the recorder groups a host's segments across reconnects by it.
    const producerId = await media.produce(p.roomId, peerId, p.transportId, p.kind, toServer.rtpParameters(p.rtpParameters), {
      source: p.source,
      ...(user ? { userId: user.id } : {}),
    });
    if (endsAt) closeAtEnd(p.roomId, producerId, endsAt);
    // Listed for every node before anyone hears of it, so a viewer elsewhere finds where it is.
    await cluster.published(p.roomId, { id: producerId, peerId, kind: p.kind, source: p.source, ...(user ? { userId: user.id } : {}) });
    // In an interview everyone is signed in and named on the page: say whose it is (nowhere else).
    const whose = user && conn.inRoom(p.roomId).kind === 'interview' ? { userId: user.id } : {};
    socket.to(p.roomId).emit('media:producer-added', {
      roomId: p.roomId,
      producer: { id: producerId, kind: p.kind, source: p.source, ...whose },
    });
    log.info({ roomId: p.roomId, producerId, kind: p.kind }, 'producing');
    return { producerId };
  });

  conn.on('media:producer-close', async (p) => {
    conn.inRoom(p.roomId);
    await media.closeProducer(p.roomId, peerId, p.producerId);
    return null;
  });

  conn.on('media:consume', async (p) => {
    const { kind } = conn.inRoom(p.roomId);
    // Published on another node: piped here once (then every viewer here consumes it locally).
    await cluster.ensureLocal({ kind, id: p.roomId }, p.producerId);
    const c = await media.consume(p.roomId, peerId, p.transportId, p.producerId, toServer.rtpCapabilities(p.rtpCapabilities));
    return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: toClient.rtpParameters(c.rtpParameters) };
  });

  conn.on('media:consumer-resume', async (p) => {
    conn.inRoom(p.roomId);
    await media.resumeConsumer(p.roomId, peerId, p.consumerId);
    return null;
  });

  conn.on('media:consumer-pause', async (p) => {
    conn.inRoom(p.roomId);
    await media.pauseConsumer(p.roomId, peerId, p.consumerId);
    return null;
  });

  conn.on('media:consumer-layers', async (p) => {
    conn.inRoom(p.roomId);
    await media.setConsumerLayers(p.roomId, peerId, p.consumerId, { spatialLayer: p.spatialLayer });
    return null;
  });

  conn.on('media:transport-restart-ice', async (p) => {
    conn.inRoom(p.roomId);
    const iceParameters = await media.restartIce(p.roomId, peerId, p.transportId);
    // An ICE restart gathers new relay allocations: an hour-old credential would be refused there
    // (coturn checks the expiry when an allocation is made, not while it lasts).
    return { iceParameters: { ...iceParameters }, iceServers: iceServersOf(deps, user) };
  });
}
