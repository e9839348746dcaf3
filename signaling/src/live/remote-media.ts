import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  bringProducer,
  MediaError,
  type MediaEvents,
  type MediaStats,
  type PipeNode,
  type PipeRequest,
  type PipeResponses,
  type RoomKind,
  type RoomRef,
  type MediaServer,
  type RtpCapabilities,
} from '@fairground/media-server';
import { mediaEventSchema, type MediaApi, type MediaCall, type MediaMethod, type MediaResult } from '../app/media-calls.ts';
import type { MediaNodeEntry } from '../stores/redis-media-nodes.ts';

export interface RemoteMediaOptions {
  /**
   * A node of both roles (media-only nodes beside it as edges): this node's own media server, where
   * every room of its peers stays and every call goes but those of a broadcast viewer placed on an
   * edge. The media-only nodes then bring what such a viewer consumes from wherever it was
   * published (the producer registry), so nothing is piped from here by this class.
   */
  home?: { node: string; media: MediaServer };
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
  /** Sends one pipe message (`MediaServer.request`) to a media node and waits for its answer. */
  pipe(to: string, request: PipeRequest): Promise<unknown>;
  /** A media node whose entry is older than this stopped beating. */
  ttlMs: number;
  /**
   * A broadcast's receive transports go to another media node (an edge) once the room's media node
   * holds this many transports (its load in the directory); 0: always, when another is live.
   */
  edgeAfter: number;
  log: Logger;
}

/** A peer whose receive transports are on an edge: a media node other than its room's. */
interface EdgePeer {
  node: string;
  room: RoomRef;
  peerId: string;
  transports: Set<string>;
}

/** A room this signaling node uses on a media node, with its peers there (to tell them if it dies). */
interface PlacedRoom {
  node: string;
  kind: RoomKind;
  peers: Set<string>;
}

const peerKey = (roomId: string, peerId: string) => `${roomId} ${peerId}`;

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
 *
 * A broadcast's audience is not bounded by one media node: once the room's node holds
 * `edgeAfter` transports, a viewer's receive transport goes to the least loaded other media node
 * (an edge), and the room's producers are piped to it the first time a viewer there consumes them
 * (`bringProducer`, a PipeTransport pair between the two media nodes, as between nodes of both
 * roles); the edge fans them out over its own workers. The room's node stays where publishers
 * are (send transports, producers, the listing); calls about a viewer's transports and consumers
 * go where they are. Only this signaling node needs to know, since a peer's calls all come
 * through its socket here.
 *
 * On a node of both roles (`home`), the same class puts media-only nodes beside it to use as
 * edges: its rooms stay on its own media server, called in-process, and only broadcast viewers
 * past `edgeAfter` transports go to a media node, which brings what they consume itself.
 */
export class RemoteMedia extends EventEmitter<MediaEvents> implements MediaApi {
  readonly #rooms = new Map<string, PlacedRoom>();
  /** Media nodes seen dead: never called again (each start of a node is a new name). */
  readonly #gone = new Set<string>();
  #capabilities: Promise<RtpCapabilities> | null = null;
  /** Viewers on an edge ("roomId peerId"), and their transports ("transportId" -> the peer's key). */
  readonly #edges = new Map<string, EdgePeer>();
  readonly #edgeTransports = new Map<string, string>();
  /** Producers piped to an edge ("node roomId producerId"), done or in flight (shared by concurrent consumes). */
  readonly #brought = new Map<string, Promise<void>>();
  /** Per media node: transports made there since its directory entry of time `at` (see `#live`). */
  readonly #made = new Map<string, { at: number; count: number }>();
  /** Home mode: the directory read at most once a second (most joins need no edge at all). */
  #directory: { at: number; entries: Promise<MediaNodeEntry[]> } | null = null;

  constructor(private readonly o: RemoteMediaOptions) {
    super();
    const home = o.home?.media;
    if (home) {
      // The home media server's events are this API's (pipe events stay with the media cluster).
      for (const name of [
        'producer-added',
        'producer-closed',
        'producer-paused',
        'producer-resumed',
        'consumer-closed',
        'room-reset',
        'room-closed',
      ] as const) {
        (home.on as (e: string, l: (...a: unknown[]) => void) => unknown)(name, (...args) =>
          (this.emit as (e: string, ...a: unknown[]) => boolean)(name, ...args),
        );
      }
    }
  }

  /**
   * Live media nodes, least loaded first, each load counting the transports this node made there
   * since that node's entry was written: the directory is rewritten once a beat, and without them a
   * burst of joins within one beat would all go to the node that looked least loaded at its start.
   */
  async #live(): Promise<MediaNodeEntry[]> {
    return (await this.#entries())
      .filter((e) => !this.#gone.has(e.node))
      .map((e) => ({ ...e, load: e.load + this.#madeSince(e) }))
      .sort((a, b) => a.load - b.load || a.node.localeCompare(b.node));
  }

  #entries(): Promise<MediaNodeEntry[]> {
    if (!this.o.home) return this.o.nodes.live(this.o.ttlMs);
    const now = Date.now();
    if (!this.#directory || now - this.#directory.at > 1000) {
      const entries = this.o.nodes.live(this.o.ttlMs);
      entries.catch(() => (this.#directory = null));
      this.#directory = { at: now, entries };
    }
    return this.#directory.entries;
  }

  /** Transports made on a media node since its entry (as of `at`) was written. */
  #madeSince(entry: MediaNodeEntry): number {
    const made = this.#made.get(entry.node);
    if (made && made.at === entry.at) return made.count;
    // A newer entry counts what was made before it in its load: counting starts again.
    this.#made.set(entry.node, { at: entry.at, count: 0 });
    return 0;
  }

  /** Live media nodes (the health check: a signaling-only node without one cannot serve media). */
  async available(): Promise<number> {
    return (await this.#live()).length;
  }

  #send<M extends MediaMethod>(to: string, method: M, args: Extract<MediaCall, { method: M }>['args']): Promise<MediaResult<M>> {
    const home = this.o.home;
    // This node's own media server: called in-process, nothing serialized.
    if (home && to === home.node) return (home.media[method] as (...a: unknown[]) => Promise<MediaResult<M>>).apply(home.media, args);
    return this.o.call(to, { method, args } as MediaCall) as Promise<MediaResult<M>>;
  }

  /** The room's media node: the one it is placed on (claimed once per room, shared via Redis). */
  async #place(room: RoomRef): Promise<string> {
    // A node of both roles keeps its peers' rooms (other nodes of both roles pipe from it).
    if (this.o.home) return this.o.home.node;
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
    if (this.o.home) return this.o.home.node;
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
      if (this.o.home) return this.o.home.media.rtpCapabilities();
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
    const [room, peerId, direction] = args;
    const origin = await this.#place(room);
    const node = direction === 'recv' ? await this.#edgeFor(room, peerId, origin) : origin;
    const transport = await this.#send(node, 'createTransport', args);
    const made = this.#made.get(node);
    if (made) made.count++;
    if (node === origin) {
      this.#rooms.get(room.id)?.peers.add(peerId);
      return transport;
    }
    const k = peerKey(room.id, peerId);
    const edge = this.#edges.get(k) ?? { node, room, peerId, transports: new Set<string>() };
    edge.transports.add(transport.id);
    this.#edges.set(k, edge);
    this.#edgeTransports.set(transport.id, k);
    return transport;
  }

  /**
   * Where a viewer's receive transport goes: the edge it already has; in a broadcast whose media
   * node holds `edgeAfter` transports or more, the least loaded other live media node; else the
   * room's node. Booths and interviews stay on one node (a few peers each).
   */
  async #edgeFor(room: RoomRef, peerId: string, origin: string): Promise<string> {
    const had = this.#edges.get(peerKey(room.id, peerId));
    if (had && !this.#gone.has(had.node)) return had.node;
    if (room.kind !== 'broadcast') return origin;
    const live = await this.#live();
    if (this.o.home) {
      // No media-only node beside this one (the usual case) costs no count of its transports.
      if (!live.some((e) => e.node !== origin)) return origin;
      if ((await this.o.home.media.stats()).transports < this.o.edgeAfter) return origin;
    } else {
      const home = live.find((e) => e.node === origin);
      if (home && home.load < this.o.edgeAfter) return origin;
    }
    return live.find((e) => e.node !== origin)?.node ?? origin;
  }

  /** The node of a transport: its edge, else the room's media node. */
  #byTransport<M extends MediaMethod>(
    roomId: string,
    transportId: string,
    method: M,
    args: Extract<MediaCall, { method: M }>['args'],
  ): Promise<MediaResult<M>> {
    const edge = this.#edges.get(this.#edgeTransports.get(transportId) ?? '');
    return edge ? this.#send(edge.node, method, args as never) : this.#inRoom(roomId, method, args as never);
  }

  /** The node of a peer's consumers: its edge, else the room's media node. */
  #byConsumer<M extends MediaMethod>(roomId: string, peerId: string, method: M, args: Extract<MediaCall, { method: M }>['args']): Promise<MediaResult<M>> {
    const edge = this.#edges.get(peerKey(roomId, peerId));
    return edge ? this.#send(edge.node, method, args as never) : this.#inRoom(roomId, method, args as never);
  }

  #pipeNode(node: string): PipeNode {
    return {
      node,
      request: async <T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>) => (await this.o.pipe(node, msg)) as PipeResponses[T],
    };
  }

  /**
   * Pipes a producer from the room's media node to an edge, once per edge (concurrent consumes of
   * it share one bring); `again` after a consume there failed (the import was closed since).
   */
  async #bring(edge: EdgePeer, producerId: string, again = false): Promise<void> {
    const origin = await this.#nodeOf(edge.room.id);
    if (!origin || origin === edge.node) return;
    const k = `${edge.node} ${edge.room.id} ${producerId}`;
    if (again) this.#brought.delete(k);
    let pending = this.#brought.get(k);
    if (!pending) {
      const started = performance.now();
      pending = bringProducer(this.#pipeNode(origin), this.#pipeNode(edge.node), edge.room, producerId).then((r) =>
        this.o.log.info(
          { roomId: edge.room.id, producerId: r.id, from: origin, to: edge.node, ms: Math.round(performance.now() - started) },
          'piped a producer to an edge media node',
        ),
      );
      pending.catch(() => this.#brought.delete(k));
      this.#brought.set(k, pending);
    }
    await pending;
  }

  connectTransport(...args: Parameters<MediaApi['connectTransport']>) {
    return this.#byTransport(args[0], args[2], 'connectTransport', args as never);
  }
  restartIce(...args: Parameters<MediaApi['restartIce']>) {
    return this.#byTransport(args[0], args[2], 'restartIce', args);
  }
  transportStats(...args: Parameters<MediaApi['transportStats']>) {
    return this.#byTransport(args[0], args[2], 'transportStats', args);
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
  /** On an edge, the producer is piped there first (once); a stale pipe is brought again once. */
  async consume(...args: Parameters<MediaApi['consume']>): ReturnType<MediaApi['consume']> {
    const [roomId, , transportId, producerId] = args;
    const edge = this.#edges.get(this.#edgeTransports.get(transportId) ?? '');
    if (!edge) return this.#inRoom(roomId, 'consume', args as never);
    // Home mode: the edge brings it from where the registry says it was published.
    if (this.o.home) return this.#send(edge.node, 'consume', args as never);
    await this.#bring(edge, producerId);
    try {
      return await this.#send(edge.node, 'consume', args as never);
    } catch (err) {
      if (!(err instanceof MediaError) || err.code !== 'CANNOT_CONSUME') throw err;
      await this.#bring(edge, producerId, true);
      return this.#send(edge.node, 'consume', args as never);
    }
  }
  resumeConsumer(...args: Parameters<MediaApi['resumeConsumer']>) {
    return this.#byConsumer(args[0], args[1], 'resumeConsumer', args);
  }
  pauseConsumer(...args: Parameters<MediaApi['pauseConsumer']>) {
    return this.#byConsumer(args[0], args[1], 'pauseConsumer', args);
  }
  setConsumerLayers(...args: Parameters<MediaApi['setConsumerLayers']>) {
    return this.#byConsumer(args[0], args[1], 'setConsumerLayers', args);
  }
  consumerStats(...args: Parameters<MediaApi['consumerStats']>) {
    return this.#byConsumer(args[0], args[1], 'consumerStats', args);
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
    const edge = this.#forget(peerKey(roomId, peerId));
    const fail = (at: string) => (err: unknown) => this.o.log.warn({ err: String(err), roomId, node: at }, 'closing a peer on its media node failed');
    if (edge && !this.#gone.has(edge.node)) await this.#send(edge.node, 'closePeer', [roomId, peerId]).catch(fail(edge.node));
    if (!node) return;
    await this.#send(node, 'closePeer', [roomId, peerId]).catch(fail(node));
  }

  async closeRoom(roomId: string): Promise<void> {
    const node = await this.#nodeOf(roomId);
    const edges = new Set<string>();
    for (const [k, edge] of [...this.#edges]) {
      if (edge.room.id !== roomId) continue;
      this.#forget(k);
      if (!this.#gone.has(edge.node)) edges.add(edge.node);
    }
    for (const at of node ? [node, ...edges] : edges) {
      await this.#send(at, 'closeRoom', [roomId]).catch((err: unknown) =>
        this.o.log.warn({ err: String(err), roomId, node: at }, 'closing a room on its media node failed'),
      );
    }
  }

  /** Drops an edge viewer's record (and its transports'); answers what it was. */
  #forget(k: string): EdgePeer | undefined {
    const edge = this.#edges.get(k);
    if (!edge) return undefined;
    this.#edges.delete(k);
    for (const t of edge.transports) this.#edgeTransports.delete(t);
    return edge;
  }

  /** This process's own media server's, else none: the media nodes report their own on their /metrics. */
  async stats(): Promise<MediaStats> {
    return this.o.home ? this.o.home.media.stats() : structuredClone(EMPTY_STATS);
  }

  // Pipes between media nodes are opened by the media nodes themselves (`#bring` asks them); this
  // process holds no media to pipe.
  async request<T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>): Promise<PipeResponses[T]> {
    if (this.o.home) return this.o.home.media.request(msg);
    throw new MediaError('MEDIA_REJECTED', `A signaling-only node holds no media (${msg.type})`);
  }
  async closeImportsFrom(from: { node: string }): Promise<{ closed: number }> {
    return this.o.home ? this.o.home.media.closeImportsFrom(from) : { closed: 0 };
  }

  async close(): Promise<void> {
    this.#rooms.clear();
    this.#edges.clear();
    this.#edgeTransports.clear();
    this.#brought.clear();
  }

  /** A media node's event about this node's peers: emitted as the in-process media server would. */
  deliver(raw: unknown, from: string): void {
    const parsed = mediaEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.o.log.warn({ from, issue: parsed.error.issues[0]?.message }, 'a malformed media event was dropped');
      return;
    }
    const { name, payload } = parsed.data;
    const placed = this.#rooms.get(payload.roomId);
    const fromEdge = placed?.node !== from && [...this.#edges.values()].some((e) => e.node === from && e.room.id === payload.roomId);
    if (fromEdge && (name === 'room-closed' || name === 'room-reset')) {
      // An edge's copy of the room closed (its last viewer left) or lost its worker: its viewers
      // there are done; the room itself lives on at its media node, so room-closed is not told.
      this.#dropEdges(payload.roomId, from, name === 'room-reset' ? payload.peerIds : null);
      for (const k of [...this.#brought.keys()]) if (k.startsWith(`${from} ${payload.roomId} `)) this.#brought.delete(k);
      if (name === 'room-closed') return;
    }
    // Home mode: an edge's copy of a room closing is not the room closing (it lives on here).
    if (this.o.home && from !== this.o.home.node && name === 'room-closed') return;
    // A producer closed at the room's node: no edge keeps it as piped (its import closes with it).
    if (name === 'producer-closed') for (const k of [...this.#brought.keys()]) if (k.endsWith(` ${payload.producerId}`)) this.#brought.delete(k);
    const gone = name === 'room-closed' || (name === 'room-reset' && payload.scope === 'room');
    if (gone && placed?.node === from) this.#rooms.delete(payload.roomId);
    (this.emit as (e: string, p: unknown) => boolean)(name, payload);
  }

  /** Forgets the edge viewers of a room on one edge (those named, or all). */
  #dropEdges(roomId: string, node: string, peerIds: string[] | null): EdgePeer[] {
    const dropped: EdgePeer[] = [];
    for (const [k, edge] of [...this.#edges]) {
      if (edge.room.id !== roomId || edge.node !== node || (peerIds && !peerIds.includes(edge.peerId))) continue;
      this.#forget(k);
      dropped.push(edge);
    }
    return dropped;
  }

  /**
   * A media node stopped beating: every room it served here is reset (its peers join again), and
   * so are the viewers it served as an edge. A room's viewers on a live edge are not reset when
   * the room's node dies: the edge closes what it imported from it (node-gone), the hosts publish
   * again on the room's new node, and the viewers consume that on the transport they have.
   */
  nodeGone(node: string): number {
    if (this.#gone.has(node)) return 0;
    this.#gone.add(node);
    let reset = 0;
    for (const k of [...this.#brought.keys()]) if (k.startsWith(`${node} `)) this.#brought.delete(k);
    const edgeRooms = new Map<string, EdgePeer[]>();
    for (const edge of this.#edges.values()) if (edge.node === node) edgeRooms.set(edge.room.id, [...(edgeRooms.get(edge.room.id) ?? []), edge]);
    for (const [roomId, edges] of edgeRooms) {
      this.#dropEdges(roomId, node, null);
      reset++;
      this.o.log.warn({ roomId, node, peers: edges.length }, 'an edge media node died; its viewers join again');
      this.emit('room-reset', { roomId, kind: edges[0]!.room.kind, scope: 'peers', peerIds: edges.map((e) => e.peerId) });
    }
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
