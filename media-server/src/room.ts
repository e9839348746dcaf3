import type { types as ms } from 'mediasoup';
import {
  MediaError,
  type ConsumerInfo,
  type MediaEvents,
  type ProducerInfo,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';

interface PeerMedia {
  transports: Map<string, ms.WebRtcTransport>;
  producers: Map<string, ms.Producer>;
  consumers: Map<string, ms.Consumer>;
}

export interface RoomContext {
  webRtcServer: ms.WebRtcServer;
  emit: <E extends keyof MediaEvents>(event: E, ...args: MediaEvents[E]) => void;
  onClosed: (room: Room) => void;
}

/**
 * One live room (a booth, an interview, a broadcast): a router on one worker and each peer's
 * transports, producers and consumers. Closing is idempotent and cascades: router -> transports ->
 * producers/consumers. The room closes itself when its last peer leaves.
 */
export class Room {
  readonly #peers = new Map<string, PeerMedia>();
  #closed = false;

  constructor(
    readonly id: string,
    readonly router: ms.Router,
    private readonly ctx: RoomContext,
  ) {
    router.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.router.rtpCapabilities;
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

  async createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    const peer = this.#peer(peerId, true);
    const transport = await this.router.createWebRtcTransport({
      webRtcServer: this.ctx.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      appData: { direction },
    });
    if (this.#closed || !this.#peers.has(peerId)) {
      transport.close();
      throw new MediaError('ROOM_NOT_FOUND', 'The room closed while the transport was being created');
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#transport(peerId, transportId);
    await rejectAsMedia(() => transport.connect({ dtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.#transport(peerId, transportId).restartIce();
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    appData: Record<string, unknown>,
  ): Promise<string> {
    const transport = this.#transport(peerId, transportId);
    const peer = this.#peer(peerId, false)!;
    const producer = await rejectAsMedia(() => transport.produce({ kind, rtpParameters, appData }));
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.ctx.emit('producer-closed', { roomId: this.id, producerId: producer.id, peerId });
    });
    return producer.id;
  }

  closeProducer(peerId: string, producerId: string): void {
    const producer = this.#peer(peerId, false)?.producers.get(producerId);
    if (!producer) throw new MediaError('PRODUCER_NOT_FOUND', 'No such producer of yours in this room');
    producer.close();
  }

  /** Creates a paused consumer: the client resumes it once its track is wired up (no lost keyframe). */
  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerInfo> {
    const transport = this.#transport(peerId, transportId);
    const peer = this.#peer(peerId, false)!;
    if (!this.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'This device cannot receive that stream (no common codec, or no such producer)');
    }
    const consumer = await rejectAsMedia(() => transport.consume({ producerId, rtpCapabilities, paused: true }));
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.once('producerclose', () => {
      this.ctx.emit('consumer-closed', { roomId: this.id, consumerId: consumer.id, peerId });
    });
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#consumer(peerId, consumerId).resume();
  }

  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#consumer(peerId, consumerId).pause();
  }

  #consumer(peerId: string, consumerId: string): ms.Consumer {
    const consumer = this.#peer(peerId, false)?.consumers.get(consumerId);
    if (!consumer) throw new MediaError('CONSUMER_NOT_FOUND', 'No such consumer of yours in this room');
    return consumer;
  }

  /** Closes everything the peer owns; the room closes with its last peer. */
  closePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    for (const transport of peer.transports.values()) transport.close();
    if (this.#peers.size === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peers.clear();
    this.router.close();
    this.ctx.onClosed(this);
  }

  #peer(peerId: string, create: true): PeerMedia;
  #peer(peerId: string, create: false): PeerMedia | undefined;
  #peer(peerId: string, create: boolean): PeerMedia | undefined {
    let peer = this.#peers.get(peerId);
    if (!peer && create) {
      peer = { transports: new Map(), producers: new Map(), consumers: new Map() };
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  #transport(peerId: string, transportId: string): ms.WebRtcTransport {
    const transport = this.#peers.get(peerId)?.transports.get(transportId);
    if (!transport) throw new MediaError('TRANSPORT_NOT_FOUND', 'No such transport of yours in this room');
    return transport;
  }
}

/** mediasoup throws TypeError/Error on parameters it will not take; callers get a safe code. */
export async function rejectAsMedia<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof MediaError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : 'rejected';
    throw new MediaError('MEDIA_REJECTED', `The media server refused the parameters: ${reason}`);
  }
}
