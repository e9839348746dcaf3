import type { Logger } from 'pino';
import type { MediaServer, ProducerInfo } from '@fairground/media-server';
import { boothRoomId, type BoothDirectory } from '../domain/booths.ts';
import { DomainError } from '../domain/errors.ts';
import type { ViewerCounter } from '../domain/viewer-counter.ts';
import {
  boothJoinSchema,
  boothLeaveSchema,
  consumeSchema,
  consumerResumeSchema,
  produceSchema,
  producerCloseSchema,
  transportConnectSchema,
  transportCreateSchema,
  type MediaSource,
  type RemoteProducer,
} from '../protocol/index.ts';
import { handle, tokenBucket, type AppSocket } from './handle.ts';

export interface ConnectionDeps {
  booths: BoothDirectory;
  media: MediaServer;
  viewers: ViewerCounter;
  log: Logger;
}

interface JoinedRoom {
  isStaff: boolean;
}

export function toRemoteProducer(p: ProducerInfo): RemoteProducer {
  return { id: p.id, kind: p.kind, source: (p.appData.source as MediaSource | undefined) ?? 'camera' };
}

/** The thin adapter between one socket and the domain: validates, authorizes, delegates. */
export function onConnection(socket: AppSocket, deps: ConnectionDeps): void {
  const { booths, media, viewers } = deps;
  const log = deps.log.child({ socketId: socket.id, userId: socket.data.user?.id });
  const limiter = tokenBucket(30, 120);
  const joined = new Map<string, JoinedRoom>();
  const peerId = socket.id;

  const inRoom = (roomId: string): JoinedRoom => {
    const room = joined.get(roomId);
    if (!room) throw new DomainError('NOT_IN_ROOM', 'Join this room before using its media');
    return room;
  };
  const requireStaff = (roomId: string) => {
    if (!inRoom(roomId).isStaff) throw new DomainError('NOT_AUTHORIZED', 'Only the booth’s staff can publish here');
  };

  async function leave(roomId: string): Promise<void> {
    const room = joined.get(roomId);
    if (!room) return;
    joined.delete(roomId);
    media.closePeer(roomId, peerId);
    await socket.leave(roomId);
    if (!room.isStaff) await viewers.leave(roomId, socket.data.identity, socket.id);
  }

  handle(socket, 'booth:join', boothJoinSchema, limiter, log, async ({ boothId }) => {
    const { booth, isStaff } = await booths.access(boothId, socket.data.user);
    const roomId = boothRoomId(boothId);
    if (!joined.has(roomId)) {
      joined.set(roomId, { isStaff });
      await socket.join(roomId);
      if (!isStaff) await viewers.join(roomId, socket.data.identity, socket.id);
    }
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
    await leave(boothRoomId(boothId));
    return null;
  });

  handle(socket, 'media:transport-create', transportCreateSchema, limiter, log, async ({ roomId, direction }) => {
    if (direction === 'send') requireStaff(roomId);
    else inRoom(roomId);
    const t = await media.createTransport(roomId, peerId, direction);
    return {
      id: t.id,
      iceParameters: { ...t.iceParameters },
      iceCandidates: t.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: { ...t.dtlsParameters },
    };
  });

  handle(socket, 'media:transport-connect', transportConnectSchema, limiter, log, async (p) => {
    inRoom(p.roomId);
    await media.connectTransport(p.roomId, peerId, p.transportId, p.dtlsParameters as never);
    return null;
  });

  handle(socket, 'media:produce', produceSchema, limiter, log, async (p) => {
    requireStaff(p.roomId);
    const producerId = await media.produce(p.roomId, peerId, p.transportId, p.kind, p.rtpParameters as never, {
      source: p.source,
    });
    socket.to(p.roomId).emit('media:producer-added', {
      roomId: p.roomId,
      producer: { id: producerId, kind: p.kind, source: p.source },
    });
    log.info({ roomId: p.roomId, producerId, kind: p.kind }, 'producing');
    return { producerId };
  });

  handle(socket, 'media:producer-close', producerCloseSchema, limiter, log, async (p) => {
    inRoom(p.roomId);
    await media.closeProducer(p.roomId, peerId, p.producerId);
    return null;
  });

  handle(socket, 'media:consume', consumeSchema, limiter, log, async (p) => {
    inRoom(p.roomId);
    const c = await media.consume(p.roomId, peerId, p.transportId, p.producerId, p.rtpCapabilities as never);
    return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: { ...c.rtpParameters } };
  });

  handle(socket, 'media:consumer-resume', consumerResumeSchema, limiter, log, async (p) => {
    inRoom(p.roomId);
    await media.resumeConsumer(p.roomId, peerId, p.consumerId);
    return null;
  });

  socket.on('disconnect', () => {
    for (const roomId of [...joined.keys()]) {
      leave(roomId).catch((err: unknown) => log.warn({ roomId, err }, 'leave on disconnect failed'));
    }
  });
}
