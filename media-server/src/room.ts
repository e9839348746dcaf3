import type { types as ms } from 'mediasoup';
import {
  MediaError,
  type ConsumeOptions,
  type ConsumerInfo,
  type PlainTransportInfo,
  type RoomRef,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';
import type { PeerMedia } from './peer-table.ts';
import { MediaRoom, type Lost, type RoomContext } from './room-lifecycle.ts';
import { createLimitedWebRtcTransport, createPlainTransport, plainTransportInfo, transportInfo } from './transports.ts';
import type { WorkerHandle } from './workers.ts';

/**
 * A booth or an interview: one router on one worker, every peer's transports on it. Its whole
 * lifecycle (closing, the worker-died reset) is `MediaRoom`'s.
 */
export class Room extends MediaRoom<PeerMedia<ms.WebRtcTransport | ms.PlainTransport>> {
  /** Opens the room's router on `worker`. */
  static async open(ref: RoomRef, ctx: RoomContext, worker: WorkerHandle): Promise<Room> {
    return new Room(ref, ctx, worker, await worker.createRouter());
  }

  private constructor(
    ref: RoomRef,
    ctx: RoomContext,
    private readonly worker: WorkerHandle,
    private readonly router: ms.Router,
  ) {
    super(ref, ctx, () => ({ transports: new Map(), producers: new Map(), consumers: new Map() }));
    worker.attach(this);
  }

  workers() {
    return { origin: this.worker.index, all: [this.worker.index] };
  }

  protected lostWith(worker: WorkerHandle): Lost {
    return worker === this.worker ? 'room' : null;
  }

  protected async pipeRouter(): Promise<ms.Router> {
    return this.router;
  }

  protected closeRouters(): void {
    this.router.close();
    this.worker.detach(this);
  }

  async createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    this.requireOpen();
    const peer = this.peers.ensure(peerId);
    const release = this.peers.reserveTransport(peer, direction);
    try {
      const transport = await createLimitedWebRtcTransport(this.router, this.worker.webRtcServer, direction, this.ctx.limits);
      return transportInfo(this.peers.keepTransport(peerId, peer, transport, !this.closed));
    } finally {
      release();
    }
  }

  /** A plain RTP transport (transports.ts): a booth's stage is tapped so while its staff record a presentation. */
  async createPlainTransport(
    peerId: string,
    direction: TransportDirection,
    options: { listenIp: string; comedia?: boolean; rtcpMux?: boolean },
  ): Promise<PlainTransportInfo> {
    this.requireOpen();
    const peer = this.peers.ensure(peerId);
    const release = this.peers.reserveTransport(peer, direction);
    try {
      const transport = await createPlainTransport(this.router, direction, options);
      return plainTransportInfo(this.peers.keepTransport(peerId, peer, transport, !this.closed), this.worker.index);
    } finally {
      release();
    }
  }

  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
    options: ConsumeOptions = {},
  ): Promise<ConsumerInfo> {
    const transport = this.peers.transport(peerId, transportId);
    if (!this.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'This device cannot receive that stream (no common codec, or no such producer)');
    }
    return this.peers.consume(peerId, transport, producerId, rtpCapabilities, options);
  }
}
