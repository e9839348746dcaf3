import type { types as ms } from 'mediasoup';
import { MediaError, type ConsumeOptions, type ConsumerInfo, type MediaEvents, type MediaLimits, type ProducerInfo, type TransportDirection } from './types.ts';
import { rejectAsMedia } from './transports.ts';

/** What one peer owns in a room; a room kind may add its own fields (a broadcast viewer's edge). */
export interface PeerMedia<T extends ms.Transport = ms.Transport> {
  transports: Map<string, T>;
  producers: Map<string, ms.Producer>;
  consumers: Map<string, ms.Consumer>;
}

type TransportOf<P> = P extends PeerMedia<infer T> ? T : never;

/** What a peer is in the middle of creating: counted against its limits before any await. */
interface Pending {
  transports: Record<TransportDirection, number>;
  /** Sources (camera, mic, screen) being produced. */
  sources: Set<string>;
  /** Producers being consumed. */
  consuming: Set<string>;
}

export type Emit = <E extends keyof MediaEvents>(event: E, ...args: MediaEvents[E]) => void;

/**
 * The peers of one room and what each owns: the bookkeeping every room kind shares (`MediaRoom`:
 * a booth or interview `Room`, a `BroadcastRoom`). Lookups answer only for the asking peer's own objects and throw
 * a `MediaError` with a code otherwise, so one peer can never touch another's media. Each object
 * leaves the table when mediasoup closes it, whatever closed it (its transport, router or worker).
 */
export class PeerTable<P extends PeerMedia> {
  readonly #peers = new Map<string, P>();
  readonly #pending = new WeakMap<P, Pending>();

  constructor(
    private readonly roomId: string,
    private readonly emit: Emit,
    private readonly newPeer: () => P,
    private readonly limits: MediaLimits,
  ) {}

  #pendingOf(peer: P): Pending {
    let pending = this.#pending.get(peer);
    if (!pending) {
      pending = { transports: { send: 0, recv: 0 }, sources: new Set(), consuming: new Set() };
      this.#pending.set(peer, pending);
    }
    return pending;
  }

  /**
   * Holds a transport slot of `direction` for the peer while it is created (synchronously, so
   * concurrent requests cannot all pass the check); the returned function gives the hold back.
   * Over the limit: LIMIT_REACHED, and nothing is allocated.
   */
  reserveTransport(peer: P, direction: TransportDirection): () => void {
    const pending = this.#pendingOf(peer);
    let open = pending.transports[direction];
    for (const t of peer.transports.values()) if (t.appData.direction === direction) open++;
    if (open >= this.limits.transportsPerDirection) {
      throw new MediaError('LIMIT_REACHED', `You already have a ${direction} transport in this room`);
    }
    pending.transports[direction]++;
    return () => {
      pending.transports[direction]--;
    };
  }

  get size(): number {
    return this.#peers.size;
  }

  has(peerId: string): boolean {
    return this.#peers.has(peerId);
  }

  get(peerId: string): P | undefined {
    return this.#peers.get(peerId);
  }

  /** The peer's entry, created on its first transport. */
  ensure(peerId: string): P {
    let peer = this.#peers.get(peerId);
    if (!peer) {
      peer = this.newPeer();
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  values(): IterableIterator<P> {
    return this.#peers.values();
  }

  entries(): IterableIterator<[string, P]> {
    return this.#peers.entries();
  }

  ids(): string[] {
    return [...this.#peers.keys()];
  }

  /** Forgets the peer and closes its transports (which closes its producers and consumers). */
  remove(peerId: string): P | undefined {
    const peer = this.#peers.get(peerId);
    if (!peer) return undefined;
    this.#peers.delete(peerId);
    for (const transport of peer.transports.values()) transport.close();
    return peer;
  }

  clear(): void {
    this.#peers.clear();
  }

  counts(): { transports: number; producers: number; consumers: number } {
    let transports = 0;
    let producers = 0;
    let consumers = 0;
    for (const p of this.#peers.values()) {
      transports += p.transports.size;
      producers += p.producers.size;
      consumers += p.consumers.size;
    }
    return { transports, producers, consumers };
  }

  producers(): ProducerInfo[] {
    const list: ProducerInfo[] = [];
    for (const [peerId, p] of this.#peers) {
      for (const producer of p.producers.values()) {
        list.push({ id: producer.id, peerId, kind: producer.kind, appData: { ...producer.appData } });
      }
    }
    return list;
  }

  /** A producer of any peer here, with its publisher (pipes export it to other nodes). */
  findProducer(producerId: string): { producer: ms.Producer; peerId: string } | undefined {
    for (const [peerId, p] of this.#peers) {
      const producer = p.producers.get(producerId);
      if (producer) return { producer, peerId };
    }
    return undefined;
  }

  hasProducer(producerId: string): boolean {
    for (const p of this.#peers.values()) if (p.producers.has(producerId)) return true;
    return false;
  }

  /**
   * Keeps a transport created for `peer`, unless the peer left (or the room closed: `stillOpen`)
   * while it was being created; then it is closed and the caller gets ROOM_NOT_FOUND.
   */
  keepTransport<T extends ms.Transport>(peerId: string, peer: P, transport: T, stillOpen: boolean): T {
    if (!stillOpen || this.#peers.get(peerId) !== peer) {
      transport.close();
      throw new MediaError('ROOM_NOT_FOUND', 'The room closed while the transport was being created');
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return transport;
  }

  transport(peerId: string, transportId: string): TransportOf<P> {
    const transport = this.#peers.get(peerId)?.transports.get(transportId);
    if (!transport) throw new MediaError('TRANSPORT_NOT_FOUND', 'No such transport of yours in this room');
    return transport as TransportOf<P>;
  }

  /** Produces on the peer's transport; its end is announced as `producer-closed`. */
  async produce(peerId: string, transportId: string, options: ms.ProducerOptions, onClose?: (producer: ms.Producer) => void): Promise<ms.Producer> {
    const transport = this.transport(peerId, transportId);
    const peer = this.#peers.get(peerId)!;
    const source = String(options.appData?.source ?? options.kind);
    const pending = this.#pendingOf(peer);
    const sources = [...peer.producers.values()].map((p) => String(p.appData.source ?? p.kind));
    if (sources.includes(source) || pending.sources.has(source)) {
      throw new MediaError('LIMIT_REACHED', `You already publish a ${source} in this room`);
    }
    if (sources.length + pending.sources.size >= this.limits.producers) {
      throw new MediaError('LIMIT_REACHED', `At most ${this.limits.producers} streams per publisher`);
    }
    pending.sources.add(source);
    let producer: ms.Producer;
    try {
      producer = await rejectAsMedia(() => transport.produce(options));
    } finally {
      pending.sources.delete(source);
    }
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      onClose?.(producer);
      this.emit('producer-closed', { roomId: this.roomId, producerId: producer.id, peerId });
    });
    return producer;
  }

  producer(peerId: string, producerId: string): ms.Producer {
    const producer = this.#peers.get(peerId)?.producers.get(producerId);
    if (!producer) throw new MediaError('PRODUCER_NOT_FOUND', 'No such producer of yours in this room');
    return producer;
  }

  closeProducer(peerId: string, producerId: string): void {
    this.producer(peerId, producerId).close();
  }

  /**
   * A paused consumer on the peer's transport: the client resumes it once its track is wired up
   * (no lost key frame). Its producer's end is announced to the peer as `consumer-closed`.
   */
  async consume(
    peerId: string,
    transport: ms.Transport,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
    options: ConsumeOptions = {},
    onClose?: () => void,
  ): Promise<ConsumerInfo> {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new MediaError('TRANSPORT_NOT_FOUND', 'No such transport of yours in this room');
    const release = this.reserveConsumer(peer, producerId);
    // Unpaused only before the browser's DTLS handshake (see ConsumeOptions): once connected,
    // packets would reach a browser that has not set up the track yet and lose the key frame.
    const paused = options.paused !== false || !notYetConnected(transport);
    const preferredLayers = options.spatialLayer === undefined ? undefined : { spatialLayer: options.spatialLayer };
    let consumer: ms.Consumer;
    try {
      consumer = await rejectAsMedia(() => transport.consume({ producerId, rtpCapabilities, paused, preferredLayers }));
    } finally {
      release();
    }
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumer.id);
      onClose?.();
    });
    consumer.once('producerclose', () => {
      this.emit('consumer-closed', { roomId: this.roomId, consumerId: consumer.id, peerId });
    });
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  /**
   * One consumer per producer per peer (a second one would only double the bytes sent): held
   * before any await, released once the consumer is kept or failed.
   */
  reserveConsumer(peer: P, producerId: string): () => void {
    const pending = this.#pendingOf(peer);
    const has = [...peer.consumers.values()].some((c) => c.producerId === producerId);
    if (has || pending.consuming.has(producerId)) {
      throw new MediaError('LIMIT_REACHED', 'You already receive this stream');
    }
    pending.consuming.add(producerId);
    return () => pending.consuming.delete(producerId);
  }

  consumer(peerId: string, consumerId: string): ms.Consumer {
    const consumer = this.#peers.get(peerId)?.consumers.get(consumerId);
    if (!consumer) throw new MediaError('CONSUMER_NOT_FOUND', 'No such consumer of yours in this room');
    return consumer;
  }
}

/** A WebRTC transport whose DTLS has not started (a plain transport may send at once: never). */
function notYetConnected(transport: ms.Transport): boolean {
  return 'dtlsState' in transport && (transport as ms.WebRtcTransport).dtlsState === 'new';
}
