import { ServiceError } from '@fairground/core';
import type { Logger } from 'pino';
import type { Services } from '@fairground/core';
import type { Db } from '@fairground/db';
import type { MediaServer, ProducerInfo } from '@fairground/media-server';
import { boothRoomId } from '../domain/rooms.ts';
import type { PresenceStore } from '@fairground/core';
import type { ViewerCounter } from '../domain/viewer-counter.ts';
import type { BroadcastAudience } from '../domain/broadcast-audience.ts';
import type { BroadcastStage } from '@fairground/core';
import {
  boothJoinSchema,
  boothLeaveSchema,
  consumeSchema,
  dashboardSchema,
  consumerResumeSchema,
  consumerPauseSchema,
  consumerLayersSchema,
  transportRestartIceSchema,
  produceSchema,
  producerCloseSchema,
  transportConnectSchema,
  transportCreateSchema,
  type MediaSource,
  type RemoteProducer,
} from '../protocol/index.ts';
import { handle, tokenBucket, type AppSocket, type RateLimiter } from './handle.ts';
import { registerChatHandlers } from './chat-handlers.ts';
import { registerInterviewHandlers } from './interview-handlers.ts';
import { registerQueueHandlers } from './queue-handlers.ts';
import { registerBroadcastHandlers } from './broadcast-handlers.ts';
import { staffRoom, userRoom, type QueuePublisher } from './queue-publisher.ts';
import { joinStaffRoom } from './staff-room.ts';
import type { BroadcastViews } from './broadcast-views.ts';
import { dashboardRoom, fairPresenceRoom, type Dashboard } from './dashboard.ts';
import type { AppServer } from '../server.ts';

export interface ConnectionDeps {
  io: AppServer;
  db: Db;
  media: MediaServer;
  viewers: ViewerCounter;
  audience: BroadcastAudience;
  stage: BroadcastStage;
  presence: PresenceStore;
  services: Services;
  queue: QueuePublisher;
  dashboard: Dashboard;
  /** When a broadcast viewer counts (dwell and per-address cap for anonymous ones). */
  views: BroadcastViews;
  log: Logger;
  /** Per-user limit on queue joins, shared by the user's connections on this node. */
  joinLimiter: (userId: string) => RateLimiter;
  /** Other nodes share this one's rooms (the Redis adapter): server-side events reach them. */
  crossNode: boolean;
}

interface JoinedRoom {
  /** May create a send transport and produce (booth staff, interview participants). */
  canPublish: boolean;
  /** Counted as a live viewer (booth visitors). */
  counted: boolean;
  onLeave?: (() => Promise<void>) | undefined;
}

/** What the per-feature handlers share about one connection. */
export interface Connection {
  socket: AppSocket;
  log: Logger;
  limiter: RateLimiter;
  enter(roomId: string, room: JoinedRoom): Promise<boolean>;
  leave(roomId: string): Promise<void>;
  inRoom(roomId: string): JoinedRoom;
}

export const ONLINE = 'online';

export function toRemoteProducer(p: ProducerInfo): RemoteProducer {
  return { id: p.id, kind: p.kind, source: (p.appData.source as MediaSource | undefined) ?? 'camera' };
}

/** The thin adapter between one socket and the domain: validates, authorizes, delegates. */
export function onConnection(socket: AppSocket, deps: ConnectionDeps): void {
  const { media, viewers, presence } = deps;
  const user = socket.data.user;
  const log = deps.log.child({ socketId: socket.id, userId: user?.id });
  const limiter = tokenBucket(30, 120);
  const joined = new Map<string, JoinedRoom>();
  const peerId = socket.id;

  const conn: Connection = {
    socket,
    log,
    limiter,
    async enter(roomId, room) {
      // Joining again (a page's rejoin after a lost media path) starts its media afresh: the old
      // transports go, so the new ones fit in the per-peer limits.
      if (joined.has(roomId)) {
        media.closePeer(roomId, peerId);
        return false;
      }
      joined.set(roomId, room);
      await socket.join(roomId);
      if (room.counted) await viewers.join(roomId, socket.data.identity, socket.id);
      return true;
    },
    async leave(roomId) {
      const room = joined.get(roomId);
      if (!room) return;
      joined.delete(roomId);
      media.closePeer(roomId, peerId);
      await socket.leave(roomId);
      if (room.counted) await viewers.leave(roomId, socket.data.identity, socket.id);
      await room.onLeave?.();
    },
    inRoom(roomId) {
      const room = joined.get(roomId);
      if (!room) throw new ServiceError('NOT_IN_ROOM', 'Join this room before using its media');
      return room;
    },
  };
  /**
   * Media at all: anonymous connections (no signed-in user) only ever receive, and only in
   * broadcasts; booth and interview media are for signed-in users.
   */
  const requireMediaAccess = (roomId: string, direction: 'send' | 'recv') => {
    conn.inRoom(roomId);
    if (user) return;
    if (direction === 'recv' && roomId.startsWith('broadcast:')) return;
    throw new ServiceError('UNAUTHENTICATED', 'Sign in to use media here');
  };
  /** An interview's room takes no new transports or streams once the interview has ended. */
  const requireOpenInterview = async (roomId: string) => {
    if (!roomId.startsWith('interview:')) return;
    const { interview } = await deps.services.interviews.requireParticipant(user, roomId.slice('interview:'.length));
    if (interview.endedAt) throw new ServiceError('CONFLICT', 'The interview has ended');
  };
  /** May this peer publish here now? For broadcasts, returns when the broadcast ends. */
  const requirePublisher = async (roomId: string, source?: MediaSource): Promise<Date | null> => {
    requireMediaAccess(roomId, 'send');
    const isBroadcast = roomId.startsWith('broadcast:');
    const broadcastId = roomId.slice('broadcast:'.length);
    if (conn.inRoom(roomId).canPublish) {
      await requireOpenInterview(roomId);
    } else if (isBroadcast && (await deps.stage.isGuest(broadcastId, peerId))) {
      // A viewer a host brought on stage may publish camera and microphone until sent back.
      if (source === 'screen') throw new ServiceError('NOT_AUTHORIZED', 'Stage guests share their camera and microphone only');
    } else {
      throw new ServiceError('NOT_AUTHORIZED', 'Only this room’s publishers (booth staff, broadcast hosts) can publish here');
    }
    // Checked now, not at the join: a broadcast that has ended since is not live again (CONFLICT).
    if (isBroadcast) return (await deps.services.broadcasts.requireOpen(user, broadcastId)).broadcast.endsAt;
    return null;
  };
  // A broadcast's producers stop at its end: going live shortly before it does not keep it live.
  const endTimers = new Set<NodeJS.Timeout>();
  const closeAtEnd = (roomId: string, producerId: string, endsAt: Date) => {
    const delay = endsAt.getTime() - Date.now();
    if (delay > 2 ** 31 - 1) return; // beyond a timer's reach (weeks away); the server restarts sooner
    const timer = setTimeout(() => {
      endTimers.delete(timer);
      media.closeProducer(roomId, peerId, producerId).catch(() => {});
    }, Math.max(0, delay));
    timer.unref();
    endTimers.add(timer);
  };

  // A signed-in user gets their own room (calls, places) and their queue places resume.
  if (user) {
    // Rooms through which a change of rights ends this socket on any node (socket/access.ts).
    void socket.join(userRoom(user.id));
    if (socket.data.sessionRoom) void socket.join(socket.data.sessionRoom);
    presence
      .add(ONLINE, socket.data.identity, socket.id)
      // The lines concerned are pushed on the service's queue.changed.
      .then(() => deps.services.queue.markConnected(user.id))
      .catch((err: unknown) => log.warn({ err }, 'presence on connect failed'));
  }

  handle(socket, 'booth:join', boothJoinSchema, limiter, log, async ({ boothId }) => {
    const { booth, isStaff: wasStaff } = await deps.services.booths.access(user, boothId);
    // Staff pushes go to the staff room: joined first, membership checked again after (joinStaffRoom).
    const isStaff = wasStaff && (await joinStaffRoom(socket, deps.services, boothId));
    const roomId = boothRoomId(boothId);
    // Visitors also count once towards the fair's "people here now", whichever booths they are at.
    const fairConnection = `${socket.id}|${boothId}`;
    const entered = await conn.enter(roomId, {
      canPublish: isStaff,
      counted: !isStaff,
      onLeave: isStaff
        ? undefined
        : async () => {
            await presence.remove(fairPresenceRoom(booth.fairId), socket.data.identity, fairConnection);
            deps.dashboard.boothChanged(boothId);
          },
    });
    if (entered && !isStaff) {
      await presence.add(fairPresenceRoom(booth.fairId), socket.data.identity, fairConnection);
      deps.dashboard.boothChanged(boothId);
    }
    // The funnel's first stage: a signed-in seeker visited this booth (once, whatever the retries).
    if (entered) await deps.services.booths.visited(user, boothId);
    if (isStaff) deps.queue.changed(boothId);
    return {
      boothId,
      roomId,
      employerName: booth.employer.name,
      isStaff,
      viewers: await viewers.count(roomId),
      producers: media.producers(roomId).map(toRemoteProducer),
      routerRtpCapabilities: media.rtpCapabilities() as unknown as Record<string, unknown>,
    };
  });

  handle(socket, 'booth:leave', boothLeaveSchema, limiter, log, async ({ boothId }) => {
    await conn.leave(boothRoomId(boothId));
    await socket.leave(staffRoom(boothId));
    return null;
  });

  handle(socket, 'media:transport-create', transportCreateSchema, limiter, log, async ({ roomId, direction }) => {
    if (direction === 'send') await requirePublisher(roomId);
    else {
      requireMediaAccess(roomId, 'recv');
      await requireOpenInterview(roomId);
    }
    const t = await media.createTransport(roomId, peerId, direction);
    return {
      id: t.id,
      iceParameters: { ...t.iceParameters },
      iceCandidates: t.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: { ...t.dtlsParameters },
    };
  });

  handle(socket, 'media:transport-connect', transportConnectSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    await media.connectTransport(p.roomId, peerId, p.transportId, p.dtlsParameters as never);
    return null;
  });

  handle(socket, 'media:produce', produceSchema, limiter, log, async (p) => {
    const endsAt = await requirePublisher(p.roomId, p.source);
    const producerId = await media.produce(p.roomId, peerId, p.transportId, p.kind, p.rtpParameters as never, {
      source: p.source,
    });
    if (endsAt) closeAtEnd(p.roomId, producerId, endsAt);
    socket.to(p.roomId).emit('media:producer-added', {
      roomId: p.roomId,
      producer: { id: producerId, kind: p.kind, source: p.source },
    });
    log.info({ roomId: p.roomId, producerId, kind: p.kind }, 'producing');
    return { producerId };
  });

  handle(socket, 'media:producer-close', producerCloseSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    await media.closeProducer(p.roomId, peerId, p.producerId);
    return null;
  });

  handle(socket, 'media:consume', consumeSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    const c = await media.consume(p.roomId, peerId, p.transportId, p.producerId, p.rtpCapabilities as never);
    return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: { ...c.rtpParameters } };
  });

  handle(socket, 'media:consumer-resume', consumerResumeSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    await media.resumeConsumer(p.roomId, peerId, p.consumerId);
    return null;
  });

  handle(socket, 'dashboard:watch', dashboardSchema, limiter, log, async ({ fairId }) => {
    // Joined before the check: a role change committed after it ends this socket (socket/access.ts);
    // one committed before it fails the check. Either way no push reaches a demoted organizer.
    await socket.join(dashboardRoom(fairId));
    await deps.dashboard.authorize(user, fairId).catch(async (err: unknown) => {
      await socket.leave(dashboardRoom(fairId));
      throw err;
    });
    return deps.dashboard.snapshot(fairId);
  });

  handle(socket, 'dashboard:unwatch', dashboardSchema, limiter, log, async ({ fairId }) => {
    await socket.leave(dashboardRoom(fairId));
    return null;
  });

  handle(socket, 'media:consumer-pause', consumerPauseSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    await media.pauseConsumer(p.roomId, peerId, p.consumerId);
    return null;
  });

  handle(socket, 'media:consumer-layers', consumerLayersSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    await media.setConsumerLayers(p.roomId, peerId, p.consumerId, { spatialLayer: p.spatialLayer });
    return null;
  });

  handle(socket, 'media:transport-restart-ice', transportRestartIceSchema, limiter, log, async (p) => {
    conn.inRoom(p.roomId);
    const iceParameters = await media.restartIce(p.roomId, peerId, p.transportId);
    return { iceParameters: { ...iceParameters } };
  });

  registerQueueHandlers(conn, deps);
  registerBroadcastHandlers(conn, deps);
  registerInterviewHandlers(conn, deps);
  registerChatHandlers(conn, deps);

  // A name no handler knows would otherwise leave the client's ack waiting until its timeout.
  // Every handler is registered above, synchronously, so a name without listeners is unknown.
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function' || (typeof event === 'string' && socket.listeners(event as never).length > 0)) return;
    // Counted against the connection's allowance like any request, so a flood of them is limited too.
    const error = limiter.take() ? { code: 'UNKNOWN_EVENT', message: 'No such event' } : { code: 'RATE_LIMITED', message: 'Too many requests; slow down' };
    (ack as (r: unknown) => void)({ ok: false, error });
  });

  socket.on('disconnect', () => {
    for (const timer of endTimers) clearTimeout(timer);
    endTimers.clear();
    for (const roomId of [...joined.keys()]) {
      conn.leave(roomId).catch((err: unknown) => log.warn({ roomId, err }, 'leave on disconnect failed'));
    }
    if (!user) return;
    // The last of the user's connections gone: their waiting places start the grace period.
    presence
      .remove(ONLINE, socket.data.identity, socket.id)
      .then(() => presence.connections(ONLINE, socket.data.identity))
      .then(async (open) => {
        if (open > 0) return;
        await deps.services.queue.markDisconnected(user.id);
      })
      .catch((err: unknown) => log.warn({ err }, 'presence on disconnect failed'));
  });
}
