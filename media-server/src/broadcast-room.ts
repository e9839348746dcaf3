import type { types as ms } from 'mediasoup';
import {
  MediaError,
  type ConsumeOptions,
  type ConsumerInfo,
  type ConsumerLayers,
  type PlainTransportInfo,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';
import type { PeerMedia } from './peer-table.ts';
import { MediaRoom, type Lost, type RoomContext } from './room-lifecycle.ts';
import { createLimitedWebRtcTransport, createPlainTransport, plainTransportInfo, rejectAsMedia, transportInfo } from './transports.ts';
import type { WorkerHandle } from './workers.ts';

export type { WorkerHandle } from './workers.ts';

export interface BroadcastContext extends RoomContext {
  /** The live workers a router may be opened on. */
  workers(): WorkerHandle[];
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
 * seats across all rooms), so one stream fans out over every core. Its lifecycle is `MediaRoom`'s:
 * the origin's worker dying resets the whole room; an edge's worker dying resets only the viewers
 * placed on that edge (the origin and the other edges carry on).
 */
export class BroadcastRoom extends MediaRoom<BroadcastPeer> {
  /** Edges by worker (a replaced worker is another handle, so a dead edge is never reused). */
  readonly #edges = new Map<WorkerHandle, Promise<Edge>>();
  /** Edges already open, so close() can cascade synchronously. */
  readonly #open = new Set<Edge>();
  #origin: Promise<Edge> | null = null;
  /** The origin once open (its worker's death resets the whole room). */
  #originOpen: Edge | null = null;

  constructor(
    id: string,
    protected override readonly ctx: BroadcastContext,
  ) {
    super({ kind: 'broadcast', id }, ctx, () => ({ edge: null, transports: new Map(), producers: new Map(), consumers: new Map() }));
  }

  /** Which worker each receiving peer was placed on (worker index -> peers). */
  override placement(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const peer of this.peers.values()) {
      if (peer.edge) out[peer.edge.worker.index] = (out[peer.edge.worker.index] ?? 0) + 1;
    }
    return out;
  }

  workers() {
    return { origin: this.#originOpen?.worker.index ?? null, all: [...this.#open].map((e) => e.worker.index) };
  }

  protected lostWith(worker: WorkerHandle): Lost {
    if (this.#originOpen?.worker === worker) return 'room';
    const dead = [...this.#open].find((e) => e.worker === worker);
    if (!dead) return null;
    this.#open.delete(dead);
    this.#edges.delete(worker);
    worker.detach(dead);
    return [...this.peers.entries()].filter(([, peer]) => peer.edge === dead).map(([peerId]) => peerId);
  }

  /** Producers from other nodes arrive where publishers send: the origin, piped on to edges. */
  protected async pipeRouter(): Promise<ms.Router> {
    return (await this.#originEdge()).router;
  }

  protected closeRouters(): void {
    for (const edge of this.#open) {
      edge.router.close();
      edge.worker.detach(edge);
    }
    this.#open.clear();
  }

  protected override peerRemoved(peer: BroadcastPeer): void {
    if (peer.edge) peer.edge.worker.addLoad(-1);
  }

  /** Its pipes close with it (a local or an imported producer); a new one of the same id needs new ones. */
  protected override producerClosed(producer: ms.Producer): void {
    for (const edge of this.#open) edge.piped.delete(producer.id);
  }

  /** The origin router opens on the least-loaded worker with the room; publishers send there. */
  #originEdge(): Promise<Edge> {
    if (!this.#origin) {
      const origin = this.#edgeOn(this.#leastLoaded());
      this.#origin = origin;
      origin.then(
        (edge) => (this.#originOpen = edge),
        () => {
          if (this.#origin === origin) this.#origin = null;
        },
      );
    }
    return this.#origin;
  }

  #edgeOn(worker: WorkerHandle): Promise<Edge> {
    let edge = this.#edges.get(worker);
    if (!edge) {
      const opening = this.#openEdge(worker);
      this.#edges.set(worker, opening);
      opening.catch(() => {
        if (this.#edges.get(worker) === opening) this.#edges.delete(worker);
      });
      edge = opening;
    }
    return edge;
  }

  /** The origin is also the edge of its own worker, so viewers there need no pipe. */
  async #openEdge(worker: WorkerHandle): Promise<Edge> {
    const router = await rejectAsMedia(() => worker.createRouter()).catch(() => {
      throw new MediaError('ROOM_NOT_FOUND', 'The media worker is gone; join again');
    });
    if (this.closed) {
      router.close();
      throw new MediaError('ROOM_NOT_FOUND', 'The broadcast closed while opening');
    }
    const edge: Edge = { worker, router, piped: new Map() };
    worker.attach(edge);
    this.#open.add(edge);
    return edge;
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
      const transport = await createLimitedWebRtcTransport(edge.router, edge.worker.webRtcServer, direction, this.ctx.limits);
      return transportInfo(this.peers.keepTransport(peerId, peer, transport, !this.closed));
    } finally {
      release();
    }
  }

  /**
   * Holds the peer's transport slot before a viewer is placed on an edge (which reserves a seat
   * and may open a router), so a refused request allocates nothing.
   */
  #reserve(peerId: string, direction: TransportDirection): () => void {
    this.requireOpen();
    return this.peers.reserveTransport(this.peers.ensure(peerId), direction);
  }

  /** A plain RTP transport (transports.ts), on the origin's worker to send, a viewer's edge to receive. */
  async createPlainTransport(
    peerId: string,
    direction: TransportDirection,
    options: { listenIp: string; comedia?: boolean; rtcpMux?: boolean },
  ): Promise<PlainTransportInfo> {
    const release = this.#reserve(peerId, direction);
    try {
      const { peer, edge } = await this.#edgeFor(peerId, direction);
      const transport = await createPlainTransport(edge.router, direction, options);
      return plainTransportInfo(this.peers.keepTransport(peerId, peer, transport, !this.closed), edge.worker.index);
    } finally {
      release();
    }
  }

  async #edgeFor(peerId: string, direction: TransportDirection): Promise<{ peer: BroadcastPeer; edge: Edge }> {
    this.requireOpen();
    const peer = this.peers.ensure(peerId);
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
      if (!this.peers.has(peerId)) worker.addLoad(-1);
    }
    return { peer, edge: peer.edge };
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
    options: ConsumeOptions = {},
  ): Promise<ConsumerInfo> {
    const transport = this.peers.transport(peerId, transportId);
    const edge = this.peers.get(peerId)!.edge;
    if (!edge || transport.appData.direction !== 'recv') {
      throw new MediaError('TRANSPORT_NOT_FOUND', 'Consume on your receive transport');
    }
    if (!this.peers.hasProducer(producerId) && !this.pipes.hasImport(producerId)) throw new MediaError('CANNOT_CONSUME', 'No such stream in this broadcast');
    // A second consumer of the same stream is refused before anything is piped.
    this.peers.reserveConsumer(this.peers.get(peerId)!, producerId)();
    await this.#ensureOn(edge, producerId);
    if (!edge.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'This device cannot receive that stream (no common codec)');
    }
    const info = await this.peers.consume(peerId, transport, producerId, rtpCapabilities, options, () => edge.worker.addLoad(-1));
    edge.worker.addLoad(1);
    return info;
  }

  /** Caps the simulcast layer this viewer receives (a lower quality); BWE may still go lower. */
  async setConsumerLayers(peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    const consumer = this.peers.consumer(peerId, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    await consumer.setPreferredLayers({ spatialLayer: layers.spatialLayer, temporalLayer: layers.temporalLayer });
  }

  /** Packets and bytes the consumer has sent to its viewer (the worker's own counters). */
  async consumerStats(peerId: string, consumerId: string): Promise<{ packets: number; bytes: number; spatialLayer: number | null }> {
    const consumer = this.peers.consumer(peerId, consumerId);
    const stats = await consumer.getStats();
    const outbound = stats.find((s) => s.type === 'outbound-rtp');
    return {
      packets: outbound?.packetCount ?? 0,
      bytes: outbound?.byteCount ?? 0,
      spatialLayer: consumer.currentLayers?.spatialLayer ?? null,
    };
  }
}
