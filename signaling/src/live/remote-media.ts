import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  MediaError,
  type MediaEvents,
  type MediaStats,
  type PipeRequest,
  type PipeResponses,
  type RoomKind,
  type RoomRef,
  type RtpCapabilities,
} from '@fairground/media-server';
import { mediaEventSchema, type MediaApi, type MediaCall, type MediaMethod, type MediaResult } from '../app/media-calls.ts';
import type { MediaNodeEntry } from '../stores/redis-media-nodes.ts';

export interface RemoteMediaOptions {
  /** The media-only nodes beating now, least loaded first (stores/redis-media-nodes.ts). */
  nodes: { live(ttlMs: number): Promise<MediaNodeEntry[]> };
  /** Which media node serves each room, shared by every signaling node (stores/redis-room-origins.ts). */
  rooms: {
    claim(roomId: string, node: string): Promise<string>;
    release(roomId: string, node: string): Promise<void>;
    owner(roomId: string): Promise<string | null>;
  };
  /** Sends one call to a media node and waits for its answer; MEDIA_UNAVAILABLE when it cannot. */
  call(to: string, call: MediaCall): Promise<unknown>;
  /** A media node whose entry is older than this stopped beating. */
  ttlMs: number;
  log: Logger;
}

/** A room this signaling node uses on a media node, with its peers there (to tell them if it dies). */
interface PlacedRoom {
  node: string;
  kind: RoomKind;
  peers: Set<string>;
}

const EMPTY_STATS: MediaStats = {
  workers: 0,
  workersAlive: 0,
  rooms: 0,
  workerPids: [],
  roomsPerWorker: [],
  loadPerWorker: [],
  ioUringPerWorker: [],
  transports: 0,
  producers: 0,
  consumers: 0,
  pipes: 0,
  exports: 0,
  imports: 0,
};

/**
 * The media server of a signaling-only node (NODE_ROLES=signaling): the same API as the
 * in-process MediaServer, each call sent as a typed message (app/media-calls.ts) to the media node
 * serving the room. A room is placed on the least loaded live media node the first time a
 * transport is made in it, and the placement is shared by every signaling node through Redis (one
 * atomic claim), so the room's peers all meet on one media node. A placement held by a media node
 * that stopped beating is freed and the room placed again. The media node's events about this
 * node's peers come back as the same events the MediaServer emits (`deliver`), and a media node
 * that dies resets the rooms it served here (`nodeGone`: `room-reset` to their peers, who join
 * again and land on a live media node).
 */
export class RemoteMedia extends EventEmitter<MediaEvents> implements MediaApi {
  readonly #rooms = new Map<string, PlacedRoom>();
  /** Media nodes seen dead: never called again (each start of a node is a new name). */
  readonly #gone = new Set<string>();
  #capabilities: Promise<RtpCapabilities> | null = null;

  constructor(private readonly o: RemoteMediaOptions) {
    super();
  }

  async #live(): Promise<MediaNodeEntry[]> {
    return (await this.o.nodes.live(this.o.ttlMs)).filter((e) => !this.#gone.has(e.node));
  }

  /** Live media nodes (the health check: a signaling-only node without one cannot serve media). */
  async available(): Promise<number> {
    return (await this.#live()).length;
  }

  #send<M extends MediaMethod>(to: string, method: M, args: Extract<MediaCall, { method: M }>['args']): Promise<MediaResult<M>> {
    return this.o.call(to, { method, args } as MediaCall) as Promise<MediaResult<M>>;
  }

  /** The room's media node: the one it is placed on (claimed once per room, shared via Redis). */
  async #place(room: RoomRef): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const live = await this.#live();
      if (live.length === 0) throw new MediaError('MEDIA_UNAVAILABLE', 'No media node is running; please try again shortly');
      const owner = await this.o.rooms.claim(room.id, live[0]!.node);
      if (live.some((e) => e.node === owner)) {
        const placed = this.#rooms.get(room.id);
        if (!placed || placed.node !== owner) this.#rooms.set(room.id, { node: owner, kind: room.kind, peers: placed?.peers ?? new Set() });
        return owner;
      }
      // Held by a media node that stopped beating and was not swept yet: freed, and placed again.
      this.o.log.warn({ roomId: room.id, node: owner }, 'a room’s media node is gone; placing the room again');
      await this.o.rooms.release(room.id, owner);
    }
    throw new MediaError('MEDIA_UNAVAILABLE', 'No media node took the room; please try again');
  }

  /**
   * Where a room's media is now, or null (no media node serves it). Read from the shared placement
   * every time, not from what this node placed: the room may have closed and been placed on
   * another media node by another signaling node since (one GET beside the call's own round trip).
   */
  async #nodeOf(roomId: string): Promise<string | null> {
    const owner = await this.o.rooms.owner(roomId);
    return owner && !this.#gone.has(owner) ? owner : null;
  }

  async #inRoom<M extends MediaMethod>(roomId: string, method: M, args: Extract<MediaCall, { method: M }>['args']): Promise<MediaResult<M>> {
    const node = await this.#nodeOf(roomId);
    if (!node) throw new MediaError('ROOM_NOT_FOUND', 'No live media in this room');
    return this.#send(node, method, args as never);
  }

  rtpCapabilities(): Promise<RtpCapabilities> {
    // Every media node makes its routers from the same codec list: the first one's answer holds.
    this.#capabilities ??= (async () => {
      const [first] = await this.#live();
      if (!first) throw new MediaError('MEDIA_UNAVAILABLE', 'No media node is running; please try again shortly');
      return this.#send(first.node, 'rtpCapabilities', []);
    })().catch((err: unknown) => {
      this.#capabilities = null;
      throw err;
    });
    return this.#capabilities;
  }

  async createTransport(...args: Parameters<MediaApi['createTransport']>): ReturnType<MediaApi['createTransport']> {
    const [room, peerId] = args;
    const node = await this.#place(room);
    const transport = await this.#send(node, 'createTransport', args);
    this.#rooms.get(room.id)?.peers.add(peerId);
    return transport;
  }

  connectTransport(...args: Parameters<MediaApi['connectTransport']>) {
    return this.#inRoom(args[0], 'connectTransport', args as never);
  }
  restartIce(...args: Parameters<MediaApi['restartIce']>) {
    return this.#inRoom(args[0], 'restartIce', args);
  }
  transportStats(...args: Parameters<MediaApi['transportStats']>) {
    return this.#inRoom(args[0], 'transportStats', args);
  }
  produce(...args: Parameters<MediaApi['produce']>) {
    return this.#inRoom(args[0], 'produce', args as never);
  }
  closeProducer(...args: Parameters<MediaApi['closeProducer']>) {
    return this.#inRoom(args[0], 'closeProducer', args);
  }
  pauseProducer(...args: Parameters<MediaApi['pauseProducer']>) {
    return this.#inRoom(args[0], 'pauseProducer', args);
  }
  resumeProducer(...args: Parameters<MediaApi['resumeProducer']>) {
    return this.#inRoom(args[0], 'resumeProducer', args);
  }
  consume(...args: Parameters<MediaApi['consume']>) {
    return this.#inRoom(args[0], 'consume', args as never);
  }
  resumeConsumer(...args: Parameters<MediaApi['resumeConsumer']>) {
    return this.#inRoom(args[0], 'resumeConsumer', args);
  }
  pauseConsumer(...args: Parameters<MediaApi['pauseConsumer']>) {
    return this.#inRoom(args[0], 'pauseConsumer', args);
  }
  setConsumerLayers(...args: Parameters<MediaApi['setConsumerLayers']>) {
    return this.#inRoom(args[0], 'setConsumerLayers', args);
  }
  consumerStats(...args: Parameters<MediaApi['consumerStats']>) {
    return this.#inRoom(args[0], 'consumerStats', args);
  }

  /** Where the room's media is on its media node (operators, tests), or null. */
  async roomInfo(roomId: string): ReturnType<MediaApi['roomInfo']> {
    const node = await this.#nodeOf(roomId);
    return node ? this.#send(node, 'roomInfo', [roomId]) : null;
  }

  /** The room's producers; none while its media node cannot be reached (a join still succeeds). */
  async producers(roomId: string): ReturnType<MediaApi['producers']> {
    const node = await this.#nodeOf(roomId);
    if (!node) return [];
    try {
      return await this.#send(node, 'producers', [roomId]);
    } catch (err) {
      if (!(err instanceof MediaError)) throw err;
      this.o.log.warn({ err: String(err), roomId, node }, 'listing a room’s producers on its media node failed');
      return [];
    }
  }

  /** Best effort: a media node that cannot be reached closes a dead signaling node's peers itself. */
  async closePeer(roomId: string, peerId: string): Promise<void> {
    const node = await this.#nodeOf(roomId);
    this.#rooms.get(roomId)?.peers.delete(peerId);
    if (!node) return;
    await this.#send(node, 'closePeer', [roomId, peerId]).catch((err: unknown) =>
      this.o.log.warn({ err: String(err), roomId, node }, 'closing a peer on its media node failed'),
    );
  }

  async closeRoom(roomId: string): Promise<void> {
    const node = await this.#nodeOf(roomId);
    if (!node) return;
    await this.#send(node, 'closeRoom', [roomId]).catch((err: unknown) =>
      this.o.log.warn({ err: String(err), roomId, node }, 'closing a room on its media node failed'),
    );
  }

  /** This process runs no media workers; the media nodes report their own on their /metrics. */
  async stats(): Promise<MediaStats> {
    return structuredClone(EMPTY_STATS);
  }

  // Pipes join the media servers of nodes that both hold a room; with split roles a room lives on
  // one media node, so nothing is piped and nothing is imported.
  async request<T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>): Promise<PipeResponses[T]> {
    throw new MediaError('MEDIA_REJECTED', `A signaling-only node holds no media (${msg.type})`);
  }
  async closeImportsFrom(): Promise<{ closed: number }> {
    return { closed: 0 };
  }

  async close(): Promise<void> {
    this.#rooms.clear();
  }

  /** A media node's event about this node's peers: emitted as the in-process media server would. */
  deliver(raw: unknown, from: string): void {
    const parsed = mediaEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.o.log.warn({ from, issue: parsed.error.issues[0]?.message }, 'a malformed media event was dropped');
      return;
    }
    const { name, payload } = parsed.data;
    const gone = name === 'room-closed' || (name === 'room-reset' && payload.scope === 'room');
    if (gone && this.#rooms.get(payload.roomId)?.node === from) this.#rooms.delete(payload.roomId);
    (this.emit as (e: string, p: unknown) => boolean)(name, payload);
  }

  /** A media node stopped beating: every room it served here is reset (its peers join again). */
  nodeGone(node: string): number {
    if (this.#gone.has(node)) return 0;
    this.#gone.add(node);
    let reset = 0;
    for (const [roomId, placed] of [...this.#rooms]) {
      if (placed.node !== node) continue;
      this.#rooms.delete(roomId);
      reset++;
      this.o.log.warn({ roomId, node, peers: placed.peers.size }, 'a room’s media node died; its peers join again');
      this.emit('room-reset', { roomId, kind: placed.kind, scope: 'room', peerIds: [...placed.peers] });
      this.emit('room-closed', { roomId, kind: placed.kind });
    }
    return reset;
  }
}
