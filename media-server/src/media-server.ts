import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { types as ms } from 'mediasoup';
import { mediaCodecs } from './codecs.ts';
import { Room } from './room.ts';
import { BroadcastRoom, type WorkerHandle } from './broadcast-room.ts';
import {
  DEFAULT_MEDIA_LIMITS,
  MediaError,
  type ConsumerLayers,
  type MediaLimits,
  type PlainTransportInfo,
  type ConsumerInfo,
  type DtlsParameters,
  type MediaEvents,
  type MediaKind,
  type MediaServerOptions,
  type MediaStats,
  type ProducerInfo,
  type RtpCapabilities,
  type RtpParameters,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';

interface WorkerSlot {
  index: number;
  worker: ms.Worker;
  webRtcServer: ms.WebRtcServer;
  rooms: Set<string>;
  /** Broadcast consumers and reserved viewer seats on this worker. */
  load: number;
  /** Whether the worker batches its sends through io_uring (see MediaStats.ioUringPerWorker). */
  ioUring: boolean;
}

/** Broadcasts fan out over every worker; booths and interviews stay on one router. */
export const isBroadcastRoom = (roomId: string) => roomId.startsWith('broadcast:');

type AnyRoom = Room | BroadcastRoom;

const silent = { info() {}, warn() {}, error() {} };

/**
 * The SFU: a pool of mediasoup workers, a router per live room on the least-loaded worker, and
 * per-peer transports. Callers speak plain JSON and peer/room ids; nothing outside this package
 * touches mediasoup objects.
 */
export class MediaServer extends EventEmitter<MediaEvents> {
  readonly #slots: WorkerSlot[] = [];
  readonly #rooms = new Map<string, AnyRoom>();
  readonly #opening = new Map<string, Promise<AnyRoom>>();
  #closed = false;
  #capabilities: RtpCapabilities | null = null;
  readonly #limits: MediaLimits;

  private constructor(
    private readonly mediasoup: typeof import('mediasoup'),
    private readonly options: MediaServerOptions,
  ) {
    super();
    this.#limits = { ...DEFAULT_MEDIA_LIMITS, ...options.limits };
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
      for (let i = 0; i < options.workers; i++) server.#slots.push(await server.#spawn(i));
      // Every router is made with the same codec list, so its capabilities are known up front
      // and a client can load its device before any room exists.
      const probe = await server.#slots[0]!.worker.createRouter({ mediaCodecs });
      server.#capabilities = probe.rtpCapabilities;
      probe.close();
    } catch (error) {
      server.close();
      throw error;
    }
    return server;
  }

  get #log() {
    return this.options.logger ?? silent;
  }

  async #spawn(index: number): Promise<WorkerSlot> {
    const worker = await this.mediasoup.createWorker({ logLevel: this.options.logLevel ?? 'warn' });
    const port = this.options.webRtcBasePort ? this.options.webRtcBasePort + index : undefined;
    const listen = { ip: this.options.listenIp, announcedAddress: this.options.announcedAddress, port };
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { ...listen, protocol: 'udp' },
        { ...listen, protocol: 'tcp' },
      ],
    });
    // The worker reports io_uring counters in its dump only when it runs with io_uring.
    const ioUring = (await worker.dump()).liburing !== undefined;
    const slot: WorkerSlot = { index, worker, webRtcServer, rooms: new Set(), load: 0, ioUring };
    worker.on('died', (error) => void this.#replace(slot, error));
    this.#log.info({ index, pid: worker.pid, ioUring }, 'mediasoup worker started');
    return slot;
  }

  /** A dead worker takes its routers with it: tell the rooms' peers, then start a fresh worker. */
  async #replace(slot: WorkerSlot, error: Error): Promise<void> {
    this.#log.error({ index: slot.index, pid: slot.worker.pid, err: error.message }, 'mediasoup worker died');
    for (const roomId of [...slot.rooms]) {
      this.#rooms.get(roomId)?.close();
      this.emit('room-closed', { roomId });
    }
    if (this.#closed) return;
    try {
      const fresh = await this.#spawn(slot.index);
      if (this.#closed) return fresh.worker.close();
      this.#slots[this.#slots.indexOf(slot)] = fresh;
    } catch (err) {
      this.#log.error({ index: slot.index, err: String(err) }, 'could not replace mediasoup worker');
    }
  }

  /** Opens the room on first use; concurrent first uses share one router. */
  async #openRoom(roomId: string): Promise<AnyRoom> {
    if (this.#closed) throw new MediaError('ROOM_NOT_FOUND', 'The media server is shutting down');
    const existing = this.#rooms.get(roomId);
    if (existing && !existing.closed) return existing;
    if (isBroadcastRoom(roomId)) return this.#openBroadcast(roomId);
    let opening = this.#opening.get(roomId);
    if (!opening) {
      opening = (async () => {
        const slot = this.#leastLoaded();
        const router = await slot.worker.createRouter({ mediaCodecs });
        const room = new Room(roomId, router, {
          webRtcServer: slot.webRtcServer,
          limits: this.#limits,
          emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
          onClosed: (closed) => {
            slot.rooms.delete(closed.id);
            if (this.#rooms.get(closed.id) === closed) this.#rooms.delete(closed.id);
          },
        });
        slot.rooms.add(roomId);
        this.#rooms.set(roomId, room);
        return room;
      })().finally(() => this.#opening.delete(roomId));
      this.#opening.set(roomId, opening);
    }
    return opening;
  }

  #openBroadcast(roomId: string): BroadcastRoom {
    const room = new BroadcastRoom(roomId, {
      workers: () => this.#slots.filter((s) => !s.worker.died && !s.worker.closed).map((s) => this.#handle(s)),
      limits: this.#limits,
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      onClosed: (closed) => {
        if (this.#rooms.get(closed.id) === closed) this.#rooms.delete(closed.id);
      },
    });
    this.#rooms.set(roomId, room);
    return room;
  }

  #handle(slot: WorkerSlot): WorkerHandle {
    return {
      index: slot.index,
      webRtcServer: slot.webRtcServer,
      load: () => slot.load,
      createRouter: () => slot.worker.createRouter({ mediaCodecs }),
      attach: (roomId) => slot.rooms.add(roomId),
      detach: (roomId) => slot.rooms.delete(roomId),
      addLoad: (delta) => {
        slot.load = Math.max(0, slot.load + delta);
      },
    };
  }

  #broadcast(roomId: string): BroadcastRoom {
    const room = this.#room(roomId);
    if (!(room instanceof BroadcastRoom)) throw new MediaError('ROOM_NOT_FOUND', 'Not a broadcast room');
    return room;
  }

  #leastLoaded(): WorkerSlot {
    const alive = this.#slots.filter((s) => !s.worker.died && !s.worker.closed);
    if (alive.length === 0) throw new MediaError('ROOM_NOT_FOUND', 'No media worker is running');
    return alive.reduce((a, b) => (b.rooms.size < a.rooms.size ? b : a));
  }

  #room(roomId: string): AnyRoom {
    const room = this.#rooms.get(roomId);
    if (!room || room.closed) throw new MediaError('ROOM_NOT_FOUND', 'No live media in this room');
    return room;
  }

  /** The router capabilities a client loads its mediasoup-client Device with. */
  rtpCapabilities(): RtpCapabilities {
    return this.#capabilities!;
  }

  async createTransport(roomId: string, peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    return (await this.#openRoom(roomId)).createTransport(peerId, direction);
  }

  async connectTransport(roomId: string, peerId: string, transportId: string, dtls: DtlsParameters): Promise<void> {
    return this.#room(roomId).connectTransport(peerId, transportId, dtls);
  }

  async restartIce(roomId: string, peerId: string, transportId: string) {
    return this.#room(roomId).restartIce(peerId, transportId);
  }

  /** The worker's bitrate figures for one of the peer's transports (the limits it runs under). */
  async transportStats(roomId: string, peerId: string, transportId: string) {
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

  async consume(
    roomId: string,
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
  ): Promise<ConsumerInfo> {
    return this.#room(roomId).consume(peerId, transportId, producerId, rtpCapabilities);
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

  /** A plain RTP transport in a broadcast (ffmpeg in, a recorder or a benchmark sink out). */
  async createPlainTransport(
    roomId: string,
    peerId: string,
    direction: TransportDirection,
    options: { comedia?: boolean; rtcpMux?: boolean } = {},
  ): Promise<PlainTransportInfo> {
    const room = await this.#openRoom(roomId);
    if (!(room instanceof BroadcastRoom)) throw new MediaError('ROOM_NOT_FOUND', 'Not a broadcast room');
    return room.createPlainTransport(peerId, direction, { listenIp: this.options.listenIp, ...options });
  }

  async connectPlainTransport(
    roomId: string,
    peerId: string,
    transportId: string,
    remote: { ip: string; port: number; rtcpPort?: number },
  ): Promise<void> {
    return this.#broadcast(roomId).connectPlainTransport(peerId, transportId, remote);
  }

  /** Broadcast viewers per worker index (where the least-loaded placement put them). */
  placement(roomId: string): Record<number, number> {
    const room = this.#rooms.get(roomId);
    return room instanceof BroadcastRoom ? room.placement() : {};
  }

  /** Producers now live in the room (empty when the room has no media). */
  producers(roomId: string): ProducerInfo[] {
    const room = this.#rooms.get(roomId);
    return room && !room.closed ? room.producers() : [];
  }

  closePeer(roomId: string, peerId: string): void {
    this.#rooms.get(roomId)?.closePeer(peerId);
  }

  closeRoom(roomId: string): void {
    this.#rooms.get(roomId)?.close();
  }

  stats(): MediaStats {
    const stats: MediaStats = {
      workers: this.#slots.length,
      workersAlive: this.#slots.filter((s) => !s.worker.died && !s.worker.closed).length,
      rooms: this.#rooms.size,
      roomsPerWorker: this.#slots.map((slot) => slot.rooms.size),
      loadPerWorker: this.#slots.map((slot) => slot.load),
      ioUringPerWorker: this.#slots.map((slot) => slot.ioUring),
      transports: 0,
      producers: 0,
      consumers: 0,
    };
    for (const room of this.#rooms.values()) {
      const c = room.counts();
      stats.transports += c.transports;
      stats.producers += c.producers;
      stats.consumers += c.consumers;
    }
    return stats;
  }

  /** Stops every worker; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.close();
    for (const slot of this.#slots) slot.worker.close();
  }
}

export function createMediaServer(options: MediaServerOptions): Promise<MediaServer> {
  return MediaServer.create(options);
}
