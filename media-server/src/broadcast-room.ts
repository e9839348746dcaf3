import type { types as ms } from 'mediasoup';
import {
  MediaError,
  type ConsumerInfo,
  type ConsumerLayers,
  type MediaLimits,
  type PlainTransportInfo,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';
import { createLimitedWebRtcTransport, PeerTable, rejectAsMedia, transportInfo, type Emit, type PeerMedia } from './peer-table.ts';

/** One worker as a broadcast sees it: where a router may be opened, and how busy it is. */
export interface WorkerHandle {
  index: number;
  webRtcServer: ms.WebRtcServer;
  /** Consumers plus reserved viewer seats on this worker, across every room. */
  load(): number;
  createRouter(): Promise<ms.Router>;
  /** Called when this room holds (or no longer holds) a router on the worker. */
  attach(roomId: string): void;
  detach(roomId: string): void;
  /** Called with +1/-1 as consumers and viewer seats on this worker come and go. */
  addLoad(delta: number): void;
}

export interface BroadcastContext {
  workers(): WorkerHandle[];
  emit: Emit;
  onClosed: (room: BroadcastRoom) => void;
  limits: MediaLimits;
}

/**
 * The pipe between two workers of this host. Its sockets ask for 4 MiB buffers (the kernel caps
 * them at net.core.rmem_max/wmem_max): with the default ~208 KiB, a busy edge worker that fell
 * behind for a moment lost a key frame's worth of packets on the fan-out bench (86-95% delivered).
 */
const PIPE_LISTEN: ms.TransportListenInfo = {
  protocol: 'udp',
  ip: '127.0.0.1',
  recvBufferSize: 4 * 1024 * 1024,
  sendBufferSize: 4 * 1024 * 1024,
};

interface Edge {
  worker: WorkerHandle;
  router: ms.Router;
  /** Producer id -> its pipe into this router (resolved once; origin producers need none). */
  piped: Map<string, Promise<void>>;
}

interface BroadcastPeer extends PeerMedia<ms.WebRtcTransport | ms.PlainTransport> {
  /** The edge this peer receives on (chosen on its first receive transport). */
  edge: Edge | null;
}

/**
 * A broadcast: one origin router where hosts publish, and an edge router per worker that viewers
 * receive from. Producers are piped (`pipeToRouter`) into an edge the first time a viewer there
 * consumes them, and each new viewer is placed on the least-loaded worker (consumers and reserved
 * seats across all rooms), so one stream fans out over every core. Closing is idempotent and
 * cascades; the room closes with its last peer, or when any of its routers dies with its worker.
 */
export class BroadcastRoom {
  readonly #peers: PeerTable<BroadcastPeer>;
  readonly #edges = new Map<number, Promise<Edge>>();
  /** Edges already open, so close() can cascade synchronously. */
  readonly #open = new Set<Edge>();
  #origin: Promise<Edge> | null = null;
  #closed = false;

  constructor(
    readonly id: string,
    private readonly ctx: BroadcastContext,
  ) {
    this.#peers = new PeerTable(id, ctx.emit, () => ({
      edge: null,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
    }), ctx.limits);
  }

  get closed(): boolean {
    return this.#closed;
  }

  counts() {
    return this.#peers.counts();
  }

  /** Which worker each receiving peer was placed on (worker index -> peers). */
  placement(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const peer of this.#peers.values()) {
      if (peer.edge) out[peer.edge.worker.index] = (out[peer.edge.worker.index] ?? 0) + 1;
    }
    return out;
  }

  producers() {
    return this.#peers.producers();
  }

  /** The origin router opens on the least-loaded worker with the room; publishers send there. */
  #originEdge(): Promise<Edge> {
    if (!this.#origin) {
      this.#origin = this.#edgeOn(this.#leastLoaded());
      this.#origin.catch(() => (this.#origin = null));
    }
    return this.#origin;
  }

  #edgeOn(worker: WorkerHandle): Promise<Edge> {
    let edge = this.#edges.get(worker.index);
    if (!edge) {
      edge = this.#openEdge(worker);
      this.#edges.set(worker.index, edge);
      edge.catch(() => this.#edges.delete(worker.index));
    }
    return edge;
  }

  /** The origin is also the edge of its own worker, so viewers there need no pipe. */
  async #openEdge(worker: WorkerHandle): Promise<Edge> {
    {
      const router = await worker.createRouter();
      if (this.#closed) {
        router.close();
        throw new MediaError('ROOM_NOT_FOUND', 'The broadcast closed while opening');
      }
      worker.attach(this.id);
      router.observer.once('close', () => {
        worker.detach(this.id);
        // A router gone with its worker: every peer must rejoin, so the whole room goes.
        if (!this.#closed) {
          this.close();
          this.ctx.emit('room-closed', { roomId: this.id });
        }
      });
      const edge: Edge = { worker, router, piped: new Map() };
      this.#open.add(edge);
      return edge;
    }
  }

  #leastLoaded(): WorkerHandle {
    const workers = this.ctx.workers();
    if (workers.length === 0) throw new MediaError('ROOM_NOT_FOUND', 'No media worker is running');
    return workers.reduce((a, b) => (b.load() < a.load() ? b : a));
  }

  async createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    const release = this.#reserve(peerId, direction);
    try {
      const { peer, edge } = await this.#edgeFor(peerId, direction);
      const transport = await createLimitedWebRtcTransport(
        this.#peers,
        peerId,
        peer,
        direction,
        edge.router,
        edge.worker.webRtcServer,
        this.ctx.limits,
        () => !this.#closed,
      );
      return transportInfo(transport);
    } finally {
      release();
    }
  }

  /**
   * Holds the peer's transport slot before a viewer is placed on an edge (which reserves a seat
   * and may open a router), so a refused request allocates nothing.
   */
  #reserve(peerId: string, direction: TransportDirection): () => void {
    if (this.#closed) throw new MediaError('ROOM_NOT_FOUND', 'The broadcast is closed');
    return this.#peers.reserveTransport(this.#peers.ensure(peerId), direction);
  }

  /**
   * A plain RTP transport on loopback or a LAN (ffmpeg, a recorder, the benchmarks). `comedia`
   * learns the remote address from the first packet; otherwise call `connectPlainTransport`.
   */
  async createPlainTransport(
    peerId: string,
    direction: TransportDirection,
    options: { listenIp: string; comedia?: boolean; rtcpMux?: boolean },
  ): Promise<PlainTransportInfo> {
    const release = this.#reserve(peerId, direction);
    let edgeOf: { peer: BroadcastPeer; edge: Edge };
    try {
      edgeOf = await this.#edgeFor(peerId, direction);
    } catch (error) {
      release();
      throw error;
    }
    const { peer, edge } = edgeOf;
    const transport = await edge.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: options.listenIp },
      comedia: options.comedia ?? false,
      rtcpMux: options.rtcpMux ?? true,
      appData: { direction },
    }).finally(release);
    this.#peers.keepTransport(peerId, peer, transport, !this.#closed);
    return {
      id: transport.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort,
      workerIndex: edge.worker.index,
    };
  }

  async connectPlainTransport(peerId: string, transportId: string, remote: { ip: string; port: number; rtcpPort?: number }) {
    const transport = this.#peers.transport(peerId, transportId);
    if (!('tuple' in transport) || 'iceParameters' in transport) {
      throw new MediaError('TRANSPORT_NOT_FOUND', 'Not a plain transport');
    }
    await rejectAsMedia(() => (transport as ms.PlainTransport).connect(remote));
  }

  async #edgeFor(peerId: string, direction: TransportDirection): Promise<{ peer: BroadcastPeer; edge: Edge }> {
    if (this.#closed) throw new MediaError('ROOM_NOT_FOUND', 'The broadcast is closed');
    const peer = this.#peers.ensure(peerId);
    if (direction === 'send') return { peer, edge: await this.#originEdge() };
    if (!peer.edge) {
      // Reserve the seat before awaiting, so viewers arriving together spread over the workers.
      await this.#originEdge();
      const worker = this.#leastLoaded();
      worker.addLoad(1);
      try {
        peer.edge = await this.#edgeOn(worker);
      } catch (error) {
        worker.addLoad(-1);
        throw error;
      }
      if (!this.#peers.has(peerId)) worker.addLoad(-1);
    }
    return { peer, edge: peer.edge };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#peers.transport(peerId, transportId);
    if (!('iceParameters' in transport)) throw new MediaError('TRANSPORT_NOT_FOUND', 'Not a WebRTC transport');
    await rejectAsMedia(() => transport.connect({ dtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    const transport = this.#peers.transport(peerId, transportId);
    if (!('iceParameters' in transport)) throw new MediaError('TRANSPORT_NOT_FOUND', 'Not a WebRTC transport');
    return transport.restartIce();
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    appData: Record<string, unknown>,
  ): Promise<string> {
    // Its pipes close with it; a new producer of the same id would need new ones.
    const producer = await this.#peers.produce(peerId, transportId, { kind, rtpParameters, appData }, (closed) => {
      for (const edge of this.#open) edge.piped.delete(closed.id);
    });
    return producer.id;
  }

  async transportStats(peerId: string, transportId: string): Promise<{ maxIncomingBitrate: number | null }> {
    const [stats] = await this.#peers.transport(peerId, transportId).getStats();
    return { maxIncomingBitrate: stats?.maxIncomingBitrate ?? null };
  }

  closeProducer(peerId: string, producerId: string): void {
    this.#peers.closeProducer(peerId, producerId);
  }

  /** Makes the producer available on the edge: piped once from the origin, shared by its viewers. */
  async #ensureOn(edge: Edge, producerId: string): Promise<void> {
    const origin = await this.#originEdge();
    if (origin.router === edge.router) return;
    let piping = edge.piped.get(producerId);
    if (!piping) {
      piping = rejectAsMedia(async () => {
        await origin.router.pipeToRouter({ producerId, router: edge.router, listenInfo: PIPE_LISTEN });
      });
      edge.piped.set(producerId, piping);
      piping.catch(() => edge.piped.delete(producerId));
    }
    await piping;
  }

  /**
   * A paused consumer on the viewer's edge router. Simulcast video starts at the top layer and
   * mediasoup's bandwidth estimation lowers it when the viewer's link cannot carry it.
   */
  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerInfo> {
    const transport = this.#peers.transport(peerId, transportId);
    const edge = this.#peers.get(peerId)!.edge;
    if (!edge || transport.appData.direction !== 'recv') {
      throw new MediaError('TRANSPORT_NOT_FOUND', 'Consume on your receive transport');
    }
    if (!this.#peers.hasProducer(producerId)) throw new MediaError('CANNOT_CONSUME', 'No such stream in this broadcast');
    // A second consumer of the same stream is refused before anything is piped.
    this.#peers.reserveConsumer(this.#peers.get(peerId)!, producerId)();
    await this.#ensureOn(edge, producerId);
    if (!edge.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'This device cannot receive that stream (no common codec)');
    }
    const info = await this.#peers.consume(peerId, transport, producerId, rtpCapabilities, () => edge.worker.addLoad(-1));
    edge.worker.addLoad(1);
    return info;
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#peers.consumer(peerId, consumerId).resume();
  }

  /** Stops forwarding (audio-only mode drops video this way); `resumeConsumer` brings it back. */
  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#peers.consumer(peerId, consumerId).pause();
  }

  /** Caps the simulcast layer this viewer receives (a lower quality); BWE may still go lower. */
  async setConsumerLayers(peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    const consumer = this.#peers.consumer(peerId, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    await consumer.setPreferredLayers({ spatialLayer: layers.spatialLayer, temporalLayer: layers.temporalLayer });
  }

  /** Packets and bytes the consumer has sent to its viewer (the worker's own counters). */
  async consumerStats(peerId: string, consumerId: string): Promise<{ packets: number; bytes: number; spatialLayer: number | null }> {
    const consumer = this.#peers.consumer(peerId, consumerId);
    const stats = await consumer.getStats();
    const outbound = stats.find((s) => s.type === 'outbound-rtp');
    return {
      packets: outbound?.packetCount ?? 0,
      bytes: outbound?.byteCount ?? 0,
      spatialLayer: consumer.currentLayers?.spatialLayer ?? null,
    };
  }

  closePeer(peerId: string): void {
    const peer = this.#peers.remove(peerId);
    if (!peer) return;
    if (peer.edge) peer.edge.worker.addLoad(-1);
    if (this.#peers.size === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) if (peer.edge) peer.edge.worker.addLoad(-1);
    this.#peers.clear();
    for (const edge of this.#open) edge.router.close();
    this.#open.clear();
    this.ctx.onClosed(this);
  }
}
