import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { Room } from './room.ts';
import { BroadcastRoom } from './broadcast-room.ts';
import type { MediaRoom, RoomContext } from './room-lifecycle.ts';
import { WorkerPool, type WorkerHandle } from './workers.ts';
import type { PipeOptions } from './room-pipes.ts';
import type { ExportedProducer, OpenedPipe, PipeEndpoint, PipeRequest, PipeResponses, PipeState } from './pipe-types.ts';
import {
  DEFAULT_MEDIA_LIMITS,
  MediaError,
  type ConsumeOptions,
  type ConsumerInfo,
  type ConsumerLayers,
  type DtlsParameters,
  type IceParameters,
  type MediaEvents,
  type MediaKind,
  type MediaLimits,
  type MediaServerOptions,
  type MediaStats,
  type PlainTransportInfo,
  type ProducerInfo,
  type RoomInfo,
  type RoomRef,
  type RtpCapabilities,
  type RtpParameters,
  type TransportDirection,
  type TransportInfo,
  type WorkerUsage,
} from './types.ts';

const silent = { info() {}, warn() {}, error() {} };

/**
 * The SFU: a pool of mediasoup workers and a room per live booth, interview or broadcast. Its API
 * is asynchronous and speaks plain JSON with room ids, peer ids and mediasoup's parameter types
 * (nothing outside this package touches a mediasoup object), so it can later run behind the
 * network. Every room kind has one lifecycle (`MediaRoom`): opened by the first transport with its
 * kind given by the caller, closed with its last peer, and reset the same way when a worker dies.
 */
export class MediaServer extends EventEmitter<MediaEvents> {
  readonly #pool: WorkerPool;
  readonly #rooms = new Map<string, MediaRoom>();
  readonly #opening = new Map<string, Promise<MediaRoom>>();
  readonly #limits: MediaLimits;
  #closed = false;
  #capabilities: RtpCapabilities | null = null;
  readonly #listenIp: string;
  readonly #log: NonNullable<MediaServerOptions['logger']>;
  readonly #pipe: PipeOptions;

  private constructor(mediasoup: typeof import('mediasoup'), options: MediaServerOptions) {
    super();
    this.#limits = { ...DEFAULT_MEDIA_LIMITS, ...options.limits };
    this.#pipe = pipeOptions(options);
    this.#pool = new WorkerPool(mediasoup, options, options.logger ?? silent, (dead) => this.#workerDied(dead));
    this.#listenIp = options.listenIp;
    this.#log = options.logger ?? silent;
  }

  static async create(options: MediaServerOptions): Promise<MediaServer> {
    // mediasoup resolves its worker binary when the module loads, from this variable.
    if (options.workerBin) process.env.MEDIASOUP_WORKER_BIN = options.workerBin;
    const mediasoup = await import('mediasoup');
    if (!existsSync(mediasoup.workerBin)) {
      throw new Error(
        `No mediasoup worker binary at ${mediasoup.workerBin}. Run \`npm run worker\` ` +
          '(media-server/scripts/ensure-worker.mjs builds one from Debian packages) and pass its path as MEDIASOUP_WORKER_BIN.',
      );
    }
    const server = new MediaServer(mediasoup, options);
    try {
      await server.#pool.start(options.workers);
      // Every router is made with the same codec list, so a client can load its device before
      // any room exists.
      server.#capabilities = await server.#pool.capabilities();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  /** The one worker-died path: every room the worker served is reset the same way, whatever its kind. */
  #workerDied(dead: WorkerHandle): void {
    for (const room of [...this.#rooms.values()]) {
      const reset = room.workerDied(dead);
      if (reset) {
        const { roomId, kind, scope, peerIds } = reset;
        this.#log.warn({ roomId, kind, scope, peers: peerIds.length, worker: dead.index }, 'media room reset');
      }
    }
  }

  /** Opens the room on first use; concurrent first uses share one opening. */
  async #open(ref: RoomRef): Promise<MediaRoom> {
    if (this.#closed) throw new MediaError('ROOM_NOT_FOUND', 'The media server is shutting down');
    const existing = this.#rooms.get(ref.id);
    let room: MediaRoom;
    if (existing && !existing.closed) room = existing;
    else {
      let opening = this.#opening.get(ref.id);
      if (!opening) {
        opening = this.#create(ref).finally(() => this.#opening.delete(ref.id));
        this.#opening.set(ref.id, opening);
      }
      room = await opening;
    }
    if (room.kind !== ref.kind) throw new MediaError('ROOM_NOT_FOUND', `This room is a ${room.kind} room, not a ${ref.kind}`);
    return room;
  }

  async #create(ref: RoomRef): Promise<MediaRoom> {
    await this.#pool.ready();
    const ctx: RoomContext = {
      limits: this.#limits,
      pipe: this.#pipe,
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      onClosed: (closed) => {
        if (this.#rooms.get(closed.id) === closed) this.#rooms.delete(closed.id);
      },
    };
    const room =
      ref.kind === 'broadcast'
        ? new BroadcastRoom(ref.id, { ...ctx, workers: () => this.#pool.alive() })
        : await Room.open(
            ref,
            ctx,
            this.#pool.least((w) => w.rooms()),
          );
    if (this.#closed) {
      room.close();
      throw new MediaError('ROOM_NOT_FOUND', 'The media server is shutting down');
    }
    this.#rooms.set(ref.id, room);
    return room;
  }

  #room(roomId: string): MediaRoom {
    const room = this.#rooms.get(roomId);
    if (!room || room.closed) throw new MediaError('ROOM_NOT_FOUND', 'No live media in this room');
    return room;
  }

  #broadcast(roomId: string): BroadcastRoom {
    const room = this.#room(roomId);
    if (!(room instanceof BroadcastRoom)) throw new MediaError('ROOM_NOT_FOUND', 'Not a broadcast room');
    return room;
  }

  /** The router capabilities a client loads its mediasoup-client Device with. */
  async rtpCapabilities(): Promise<RtpCapabilities> {
    return structuredClone(this.#capabilities!);
  }

  /** A WebRTC transport for the peer; opens the room (of the given kind) on first use. */
  async createTransport(room: RoomRef, peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    return (await this.#open(room)).createTransport(peerId, direction);
  }

  async connectTransport(roomId: string, peerId: string, transportId: string, dtls: DtlsParameters): Promise<void> {
    return this.#room(roomId).connectTransport(peerId, transportId, dtls);
  }

  async restartIce(roomId: string, peerId: string, transportId: string): Promise<IceParameters> {
    return this.#room(roomId).restartIce(peerId, transportId);
  }

  /** The worker's bitrate figures for one of the peer's transports (the limits it runs under). */
  async transportStats(roomId: string, peerId: string, transportId: string): Promise<{ maxIncomingBitrate: number | null }> {
    return this.#room(roomId).transportStats(peerId, transportId);
  }

  async produce(
    roomId: string,
    peerId: string,
    transportId: string,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    appData: Record<string, unknown> = {},
  ): Promise<string> {
    return this.#room(roomId).produce(peerId, transportId, kind, rtpParameters, appData);
  }

  async closeProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    this.#room(roomId).closeProducer(peerId, producerId);
  }

  /** Pauses a publisher's stream; its consumers here and its imports on other nodes pause too. */
  async pauseProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    return this.#room(roomId).pauseProducer(peerId, producerId);
  }

  async resumeProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    return this.#room(roomId).resumeProducer(peerId, producerId);
  }

  // Media across nodes (see pipe-types.ts and room-pipes.ts). Each method takes and answers one
  // plain-JSON message, so a node may call another's in-process or through any message transport.

  /**
   * This node's end of the room's pipe to `remoteNode` (opening the room, of the given kind, on
   * first use; with `existing`, only a room already open here: an origin has its publisher's).
   * Given the other node's end, connects to it (once; an end connected to a stale one is replaced).
   */
  async openPipe(msg: { room: RoomRef; remoteNode: string; remote?: PipeEndpoint | undefined; existing?: boolean | undefined }): Promise<OpenedPipe> {
    const room = msg.existing ? this.#room(msg.room.id) : await this.#open(msg.room);
    if (room.kind !== msg.room.kind) throw new MediaError('ROOM_NOT_FOUND', `This room is a ${room.kind} room, not a ${msg.room.kind}`);
    return room.pipes.open(msg.remoteNode, msg.remote);
  }

  /** Closes the room's end towards `remoteNode` (its `pipe-closed`, relayed); a missing room is fine. */
  async closePipe(msg: { roomId: string; remoteNode: string; remotePipeId?: string | undefined }): Promise<null> {
    const room = this.#rooms.get(msg.roomId);
    if (room && !room.closed) await room.pipes.close(msg.remoteNode, msg.remotePipeId);
    return null;
  }

  /** On the origin: sends a producer published here through the room's pipe to `toNode`. */
  async exportProducer(msg: { roomId: string; producerId: string; toNode: string }): Promise<ExportedProducer> {
    return this.#room(msg.roomId).pipes.exportProducer(msg.producerId, msg.toNode);
  }

  /** On another node: produces the exported producer in the room, where its viewers consume it. */
  async importProducer(msg: { room: RoomRef; fromNode: string; producer: ExportedProducer }): Promise<PipeResponses['importProducer']> {
    const { id, peerId, kind } = await (await this.#open(msg.room)).pipes.importProducer(msg.fromNode, msg.producer);
    return { id, peerId, kind };
  }

  /** The origin's `pipe-export` event, relayed: an imported producer pauses, resumes or closes. */
  async updateImport(msg: { roomId: string; fromNode: string; pipeId: string; producerId: string; state: PipeState }): Promise<null> {
    const room = this.#rooms.get(msg.roomId);
    if (room && !room.closed) await room.pipes.updateImport(msg.fromNode, msg.pipeId, msg.producerId, msg.state);
    return null;
  }

  /** `node` is gone (its heartbeat expired): closes every pipe to it and what came through them. */
  async closeImportsFrom(msg: { node: string }): Promise<{ closed: number }> {
    let closed = 0;
    for (const room of [...this.#rooms.values()]) closed += await room.pipes.close(msg.node);
    return { closed };
  }

  /** One entry point for every pipe message, for a transport that carries them as JSON. */
  async request<T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>): Promise<PipeResponses[T]> {
    const { type, ...body } = msg as PipeRequest;
    switch (type) {
      case 'openPipe':
      case 'closePipe':
      case 'exportProducer':
      case 'importProducer':
      case 'updateImport':
      case 'closeImportsFrom':
        return (this[type] as (b: object) => Promise<PipeResponses[T]>)(body);
      default:
        throw new MediaError('MEDIA_REJECTED', `Unknown media request ${String(type)}`);
    }
  }

  async consume(
    roomId: string,
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
    options: ConsumeOptions = {},
  ): Promise<ConsumerInfo> {
    return this.#room(roomId).consume(peerId, transportId, producerId, rtpCapabilities, options);
  }

  async resumeConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    return this.#room(roomId).resumeConsumer(peerId, consumerId);
  }

  async pauseConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    return this.#room(roomId).pauseConsumer(peerId, consumerId);
  }

  /** Caps a broadcast viewer's simulcast layer (a lower quality on demand). */
  async setConsumerLayers(roomId: string, peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    return this.#broadcast(roomId).setConsumerLayers(peerId, consumerId, layers);
  }

  /** The worker's counters for one broadcast consumer (packets and bytes sent, current layer). */
  async consumerStats(roomId: string, peerId: string, consumerId: string) {
    return this.#broadcast(roomId).consumerStats(peerId, consumerId);
  }

  /** A plain RTP transport in a broadcast or a booth (ffmpeg in, a recorder or a benchmark sink out); never in an interview. */
  async createPlainTransport(
    room: RoomRef,
    peerId: string,
    direction: TransportDirection,
    options: { comedia?: boolean; rtcpMux?: boolean } = {},
  ): Promise<PlainTransportInfo> {
    if (room.kind !== 'broadcast' && room.kind !== 'booth') throw new MediaError('ROOM_NOT_FOUND', 'Not a broadcast or booth room');
    const opened = (await this.#open(room)) as BroadcastRoom | Room;
    return opened.createPlainTransport(peerId, direction, { listenIp: this.#listenIp, ...options });
  }

  async connectPlainTransport(roomId: string, peerId: string, transportId: string, remote: { ip: string; port: number; rtcpPort?: number }): Promise<void> {
    return this.#room(roomId).connectPlainTransport(peerId, transportId, remote);
  }

  /** Broadcast viewers per worker index (where the least-loaded placement put them). */
  async placement(roomId: string): Promise<Record<number, number>> {
    return this.#rooms.get(roomId)?.placement() ?? {};
  }

  /** Where a live room's media is, or null when the room has none. */
  async roomInfo(roomId: string): Promise<RoomInfo | null> {
    const room = this.#rooms.get(roomId);
    if (!room || room.closed) return null;
    const { origin, all } = room.workers();
    return { id: room.id, kind: room.kind, peers: room.peerCount, origin, workers: all, placement: room.placement() };
  }

  /** Producers now live in the room (empty when the room has no media). */
  async producers(roomId: string): Promise<ProducerInfo[]> {
    const room = this.#rooms.get(roomId);
    return room && !room.closed ? room.producers() : [];
  }

  async closePeer(roomId: string, peerId: string): Promise<void> {
    this.#rooms.get(roomId)?.closePeer(peerId);
  }

  async closeRoom(roomId: string): Promise<void> {
    this.#rooms.get(roomId)?.close();
  }

  async stats(): Promise<MediaStats> {
    const stats: MediaStats = {
      ...this.#pool.stats(),
      rooms: this.#rooms.size,
      transports: 0,
      producers: 0,
      consumers: 0,
      pipes: 0,
      exports: 0,
      imports: 0,
    };
    for (const room of this.#rooms.values()) {
      const c = room.counts();
      stats.transports += c.transports;
      stats.producers += c.producers;
      stats.consumers += c.consumers;
      stats.pipes += c.pipes;
      stats.exports += c.exports;
      stats.imports += c.imports;
    }
    return stats;
  }

  /** CPU time used by each live worker (for the metrics: worker CPU per worker). */
  workerUsage(): Promise<WorkerUsage[]> {
    return this.#pool.usage();
  }

  /** Stops every worker; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.close();
    this.#pool.close();
  }
}

/**
 * Pipe sockets bind to pipeListenIp and ask for 4 MiB buffers, as the pipes between this host's
 * workers do (a key frame's burst overflowed the default ~208 KiB). RTX is on: packets lost
 * between machines are sent again.
 */
function pipeOptions(options: MediaServerOptions): PipeOptions {
  return {
    listenInfo: {
      protocol: 'udp',
      ip: options.pipeListenIp ?? options.listenIp,
      announcedAddress: options.pipeAnnouncedAddress ?? (options.pipeListenIp ? undefined : options.announcedAddress),
      portRange: options.pipePortRange,
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 4 * 1024 * 1024,
    },
    enableRtx: true,
    enableSrtp: options.pipeSrtp ?? false,
    keyFrameRequestDelay: options.pipeKeyFrameRequestDelay ?? 500,
  };
}

export function createMediaServer(options: MediaServerOptions): Promise<MediaServer> {
  return MediaServer.create(options);
}
