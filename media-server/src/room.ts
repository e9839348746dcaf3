import type { types as ms } from 'mediasoup';
import { MediaError, type ConsumerInfo, type MediaLimits, type TransportDirection, type TransportInfo } from './types.ts';
import { createLimitedWebRtcTransport, PeerTable, rejectAsMedia, transportInfo, type Emit, type PeerMedia } from './peer-table.ts';

export interface RoomContext {
  webRtcServer: ms.WebRtcServer;
  emit: Emit;
  onClosed: (room: Room) => void;
  limits: MediaLimits;
}

/**
 * One live room (a booth, an interview): a router on one worker and each peer's transports,
 * producers and consumers. Closing is idempotent and cascades: router -> transports ->
 * producers/consumers. The room closes itself when its last peer leaves.
 */
export class Room {
  readonly #peers: PeerTable<PeerMedia<ms.WebRtcTransport>>;
  #closed = false;

  constructor(
    readonly id: string,
    readonly router: ms.Router,
    private readonly ctx: RoomContext,
  ) {
    this.#peers = new PeerTable(id, ctx.emit, () => ({ transports: new Map(), producers: new Map(), consumers: new Map() }), ctx.limits);
    router.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  counts() {
    return this.#peers.counts();
  }

  producers() {
    return this.#peers.producers();
  }

  async createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    if (this.#closed) throw new MediaError('ROOM_NOT_FOUND', 'The room is closed');
    const peer = this.#peers.ensure(peerId);
    const release = this.#peers.reserveTransport(peer, direction);
    const transport = await createLimitedWebRtcTransport(
      this.#peers,
      peerId,
      peer,
      direction,
      this.router,
      this.ctx.webRtcServer,
      this.ctx.limits,
      () => !this.#closed,
    ).finally(release);
    return transportInfo(transport);
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#peers.transport(peerId, transportId);
    await rejectAsMedia(() => transport.connect({ dtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.#peers.transport(peerId, transportId).restartIce();
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    appData: Record<string, unknown>,
  ): Promise<string> {
    return (await this.#peers.produce(peerId, transportId, { kind, rtpParameters, appData })).id;
  }

  async transportStats(peerId: string, transportId: string): Promise<{ maxIncomingBitrate: number | null }> {
    const [stats] = await this.#peers.transport(peerId, transportId).getStats();
    return { maxIncomingBitrate: stats?.maxIncomingBitrate ?? null };
  }

  closeProducer(peerId: string, producerId: string): void {
    this.#peers.closeProducer(peerId, producerId);
  }

  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerInfo> {
    const transport = this.#peers.transport(peerId, transportId);
    if (!this.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'This device cannot receive that stream (no common codec, or no such producer)');
    }
    return this.#peers.consume(peerId, transport, producerId, rtpCapabilities);
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#peers.consumer(peerId, consumerId).resume();
  }

  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#peers.consumer(peerId, consumerId).pause();
  }

  /** Closes everything the peer owns; the room closes with its last peer. */
  closePeer(peerId: string): void {
    if (!this.#peers.remove(peerId)) return;
    if (this.#peers.size === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peers.clear();
    this.router.close();
    this.ctx.onClosed(this);
  }
}
