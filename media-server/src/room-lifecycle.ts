import type { types as ms } from 'mediasoup';
import {
  MediaError,
  type ConsumeOptions,
  type ConsumerInfo,
  type MediaLimits,
  type ProducerInfo,
  type RoomKind,
  type RoomRef,
  type RoomReset,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';
import { PeerTable, type Emit, type PeerMedia } from './peer-table.ts';
import { LOOPBACK_PIPES, RoomPipes, type PipeOptions } from './room-pipes.ts';
import { rejectAsMedia } from './transports.ts';
import type { WorkerHandle } from './workers.ts';

/**
 * A publisher's video producer asks its browser for a key frame at most once per this many ms;
 * requests inside the period are held and sent when it ends. Chrome does not answer a request
 * that follows the previous one too closely (libwebrtc's minimum key frame interval, 300 ms), and
 * mediasoup asks again only after a second: a viewer whose request came right after another's (the
 * first viewer on another node, right after the pipe's own request at export; a second viewer)
 * waited 1.1-1.2 s for its first frame. Held for 400 ms instead: 0.28-0.34 s on the other node
 * (cross-node-media.test.ts; 300 ms was not enough there).
 */
const PUBLISHER_KEY_FRAME_REQUEST_DELAY_MS = 400;

export interface RoomContext {
  emit: Emit;
  limits: MediaLimits;
  /** How this node's pipes to other nodes listen and behave (loopback when unset: benches). */
  pipe?: PipeOptions;
  /** Called once, when the room has closed (whatever closed it). */
  onClosed: (room: MediaRoom) => void;
}

/** What a dead worker took from a room: all of it, some of its peers, or nothing. */
export type Lost = 'room' | string[] | null;

/**
 * The one lifecycle every room kind shares. A room opens on its first transport and closes with
 * its last peer, on `close()`, or when a worker it needs dies; closing is idempotent and cascades
 * (routers -> transports -> producers/consumers) and is announced as `room-closed`. When a worker
 * dies, `workerDied` is the one path for every kind: the room says what the worker took
 * (`lostWith`), `room-reset` is emitted first, then the room (or only the affected peers) closes.
 * Subclasses add their routers: one for a booth or interview (`Room`), an origin and edges for a
 * broadcast (`BroadcastRoom`).
 */
export abstract class MediaRoom<P extends PeerMedia = PeerMedia> {
  protected readonly peers: PeerTable<P>;
  /** The room's pipes to the same room on other nodes (media across machines). */
  readonly pipes: RoomPipes;
  #closed = false;

  constructor(
    readonly ref: RoomRef,
    protected readonly ctx: RoomContext,
    newPeer: () => P,
  ) {
    this.peers = new PeerTable(ref.id, ctx.emit, newPeer, ctx.limits);
    this.pipes = new RoomPipes({
      roomId: ref.id,
      emit: ctx.emit,
      options: ctx.pipe ?? LOOPBACK_PIPES,
      router: () => {
        this.requireOpen();
        return this.pipeRouter();
      },
      localProducer: (producerId) => this.peers.findProducer(producerId),
      importClosed: (producer) => this.producerClosed(producer),
    });
  }

  get id(): string {
    return this.ref.id;
  }

  get kind(): RoomKind {
    return this.ref.kind;
  }

  get closed(): boolean {
    return this.#closed;
  }

  counts() {
    const peers = this.peers.counts();
    const pipes = this.pipes.counts();
    return { ...peers, ...pipes, producers: peers.producers + pipes.imports };
  }

  /** Producers published here and producers imported from other nodes alike. */
  producers(): ProducerInfo[] {
    return [...this.peers.producers(), ...this.pipes.producers()];
  }

  get peerCount(): number {
    return this.peers.size;
  }

  abstract createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo>;
  abstract consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
    options?: ConsumeOptions,
  ): Promise<ConsumerInfo>;
  /** Worker index of the first router (a broadcast's origin), and of every router. */
  abstract workers(): { origin: number | null; all: number[] };
  /** Receiving peers per worker index (broadcasts). */
  placement(): Record<number, number> {
    return {};
  }

  /** What the worker's death took: 'room' (its router, or the origin), some peers, or nothing. */
  protected abstract lostWith(worker: WorkerHandle): Lost;
  /** The router pipes to other nodes attach to (the one publishers send to). */
  protected abstract pipeRouter(): Promise<ms.Router>;
  /** Closes the room's routers (the cascade closes the rest). */
  protected abstract closeRouters(): void;
  /** A peer left (or the room closed): give back what it held outside the peer table. */
  protected peerRemoved(_peer: P): void {}
  /** One of the room's producers closed (a local or an imported one). */
  protected producerClosed(_producer: ms.Producer): void {}

  protected requireOpen(): void {
    if (this.#closed) throw new MediaError('ROOM_NOT_FOUND', 'The room is closed');
  }

  /** Closes everything the peer owns; the room closes with its last peer. */
  closePeer(peerId: string): void {
    const peer = this.peers.remove(peerId);
    if (!peer) return;
    this.peerRemoved(peer);
    if (this.peers.size === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.peers.values()) this.peerRemoved(peer);
    this.peers.clear();
    this.closeRouters();
    this.ctx.emit('room-closed', { roomId: this.id, kind: this.kind });
    this.ctx.onClosed(this);
  }

  /**
   * The worker-died path, the same for every kind: tell first (`room-reset`, so the owner can
   * always tell its clients), then close the room, or only the peers that lost their media.
   * Returns the reset, or null when the worker had nothing of this room.
   */
  workerDied(worker: WorkerHandle): RoomReset | null {
    if (this.#closed) return null;
    const lost = this.lostWith(worker);
    if (lost === null) return null;
    const reset: RoomReset =
      lost === 'room'
        ? { roomId: this.id, kind: this.kind, scope: 'room', peerIds: this.peers.ids() }
        : { roomId: this.id, kind: this.kind, scope: 'peers', peerIds: lost };
    if (reset.scope === 'room' || reset.peerIds.length > 0) this.ctx.emit('room-reset', reset);
    if (lost === 'room') this.close();
    else for (const peerId of lost) this.closePeer(peerId);
    return reset;
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.peers.transport(peerId, transportId);
    if (!('iceParameters' in transport)) throw new MediaError('TRANSPORT_NOT_FOUND', 'Not a WebRTC transport');
    await rejectAsMedia(() => (transport as unknown as ms.WebRtcTransport).connect({ dtlsParameters }));
  }

  /** Points a plain transport made without comedia at its receiver (a recorder's ffmpeg). */
  async connectPlainTransport(peerId: string, transportId: string, remote: { ip: string; port: number; rtcpPort?: number }): Promise<void> {
    const transport = this.peers.transport(peerId, transportId);
    if (!('tuple' in transport) || 'iceParameters' in transport) {
      throw new MediaError('TRANSPORT_NOT_FOUND', 'Not a plain transport');
    }
    await rejectAsMedia(() => (transport as unknown as ms.PlainTransport).connect(remote));
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    const transport = this.peers.transport(peerId, transportId);
    if (!('iceParameters' in transport)) throw new MediaError('TRANSPORT_NOT_FOUND', 'Not a WebRTC transport');
    return { ...(await (transport as unknown as ms.WebRtcTransport).restartIce()) };
  }

  async produce(peerId: string, transportId: string, kind: ms.MediaKind, rtpParameters: ms.RtpParameters, appData: Record<string, unknown>): Promise<string> {
    const producer = await this.peers.produce(
      peerId,
      transportId,
      { kind, rtpParameters, appData, keyFrameRequestDelay: PUBLISHER_KEY_FRAME_REQUEST_DELAY_MS },
      (closed) => this.producerClosed(closed),
    );
    this.ctx.emit('producer-added', { roomId: this.id, kind: this.kind, producerId: producer.id, peerId, mediaKind: kind, appData: { ...appData } });
    return producer.id;
  }

  async transportStats(peerId: string, transportId: string): Promise<{ maxIncomingBitrate: number | null }> {
    const [stats] = (await this.peers.transport(peerId, transportId).getStats()) as Array<{ maxIncomingBitrate?: number }>;
    return { maxIncomingBitrate: stats?.maxIncomingBitrate ?? null };
  }

  closeProducer(peerId: string, producerId: string): void {
    this.peers.closeProducer(peerId, producerId);
  }

  /** A publisher stops sending a stream for now (every consumer of it, on every node, pauses). */
  async pauseProducer(peerId: string, producerId: string): Promise<void> {
    const producer = this.peers.producer(peerId, producerId);
    if (producer.paused) return;
    await producer.pause();
    this.ctx.emit('producer-paused', { roomId: this.id, producerId, peerId });
  }

  async resumeProducer(peerId: string, producerId: string): Promise<void> {
    const producer = this.peers.producer(peerId, producerId);
    if (!producer.paused) return;
    await producer.resume();
    this.ctx.emit('producer-resumed', { roomId: this.id, producerId, peerId });
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.peers.consumer(peerId, consumerId).resume();
  }

  /** Stops forwarding (audio-only mode drops video this way); `resumeConsumer` brings it back. */
  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.peers.consumer(peerId, consumerId).pause();
  }
}
