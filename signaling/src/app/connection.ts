import type { Logger } from 'pino';
import { ServiceError } from '@fairground/core';
import type { MediaServer, RoomKind } from '@fairground/media-server';
import type { ViewerCounter } from '../live/viewer-counter.ts';
import type { RequestEvent } from '../protocol/index.ts';
import type { Gate } from './gate.ts';
import { runRequest, type RequestHandler, type RequestLimiter } from './handle.ts';
import type { AppSocket } from './types.ts';
import type { RequestMeter } from '../http/metrics.ts';

export interface JoinedRoom {
  /** What the room is for: the media server opens it as this kind (it never reads the id). */
  kind: RoomKind;
  /** May create a send transport and produce (booth staff, interview participants, hosts). */
  canPublish: boolean;
  /** Counted as a live viewer (booth visitors). */
  counted: boolean;
  onLeave?: (() => Promise<void>) | undefined;
}

/** What every feature's handlers share about one connection. */
export interface Connection {
  socket: AppSocket;
  user: AppSocket['data']['user'];
  /** This connection's media peer id (its socket id). */
  peerId: string;
  log: Logger;
  /** Registers the handler of one request; its payload schema comes from the protocol's table. */
  on<E extends RequestEvent>(event: E, fn: RequestHandler<E>): void;
  /** Runs when the connection closes (after every room was left). */
  /** Runs when the connection closes; a returned promise is waited for by a draining node. */
  onClose(fn: () => void | Promise<void>): void;
  /** True when newly entered; false on a rejoin (whose old media is closed to start afresh). */
  enter(roomId: string, room: JoinedRoom): Promise<boolean>;
  leave(roomId: string): Promise<void>;
  /** The joined room, or NOT_IN_ROOM. */
  inRoom(roomId: string): JoinedRoom;
}

export interface ConnectionOptions {
  media: Pick<MediaServer, 'closePeer'>;
  viewers: ViewerCounter;
  /** The connection's request allowance (rate-limiter-flexible, keyed by socket id). */
  limiter: { take(key: string): Promise<boolean> };
  log: Logger;
  /** Counts handlers in flight, so a draining node lets them finish their writes. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Runs once every leave and close handler of the closed connection has settled. */
  afterClose?: () => void;
  /** Where disconnect writes wait their turn (every connection of a node shares it): a thousand
   *  clients dropping at once must not queue a thousand writes ahead of everyone else's requests. */
  leaves?: Gate;
  /** Counts each acked request by event and outcome (the node's metrics). */
  requests?: RequestMeter;
}

/**
 * One socket's life: the rooms it joined (left again on disconnect), its request allowance, and
 * the registration of the features' handlers. Knows no feature.
 */
export function openConnection(socket: AppSocket, options: ConnectionOptions): Connection & { ready(): void } {
  const { media, viewers } = options;
  const leaves = <T>(task: () => Promise<T>): Promise<T> => (options.leaves ? options.leaves.run(task) : task());
  const user = socket.data.user;
  const log = options.log.child({ socketId: socket.id, userId: user?.id });
  const limiter: RequestLimiter = { take: () => options.limiter.take(socket.id) };
  const joined = new Map<string, JoinedRoom>();
  /**
   * The features' handlers by event, run by one listener per socket (`ready`). A Socket.IO
   * listener per event cost each connection a closure, its context and an entry in the socket's
   * listener table for each of some forty events: a third of a broadcast viewer's memory in a
   * 5,000-viewer storm (issue 13; bench/broadcast/conn-memory.ts).
   */
  const handlers = new Map<string, RequestHandler<RequestEvent>>();
  const closers: Array<() => void | Promise<void>> = [];
  const peerId = socket.id;

  const conn: Connection = {
    socket,
    user,
    peerId,
    log,
    on: (event, fn) => void handlers.set(event, fn as unknown as RequestHandler<RequestEvent>),
    onClose: (fn) => void closers.push(fn),
    async enter(roomId, room) {
      // Joining again (a page's rejoin after a lost media path) starts its media afresh: the old
      // transports go, so the new ones fit in the per-peer limits.
      if (joined.has(roomId)) {
        await media.closePeer(roomId, peerId);
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
      await media.closePeer(roomId, peerId);
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

  /** Called once every feature registered its handlers. */
  const ready = () => {
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const fn = typeof event === 'string' ? handlers.get(event) : undefined;
      if (fn) return void runRequest(event as RequestEvent, args, limiter, log, (payload) => options.track(fn(payload)), options.requests);
      // A name no handler knows would otherwise leave the client's ack waiting until its timeout.
      const ack = args.at(-1);
      if (typeof ack !== 'function') return;
      // Counted against the connection's allowance like any request, so a flood of them is limited too.
      void Promise.resolve(limiter.take()).then((allowed) => {
        const error = allowed ? { code: 'UNKNOWN_EVENT', message: 'No such event' } : { code: 'RATE_LIMITED', message: 'Too many requests; slow down' };
        // Not by its name: a client picks that, and every name would be a new series.
        options.requests?.observe('(unknown)', error.code, 0);
        (ack as (r: unknown) => void)({ ok: false, error });
      });
    });
    socket.on('disconnect', () => {
      // Leaving writes (counts, views, the line's grace period): tracked, so a draining node
      // finishes them before it closes the database.
      const work = [
        ...[...joined.keys()].map((roomId) =>
          options.track(leaves(() => conn.leave(roomId))).catch((err: unknown) => log.warn({ roomId, err }, 'leave on disconnect failed')),
        ),
        ...closers.map((close) => options.track(Promise.resolve(close())).catch((err: unknown) => log.warn({ err }, 'close handler failed'))),
      ];
      void Promise.all(work).then(() => options.afterClose?.());
    });
  };
  return { ...conn, ready };
}
