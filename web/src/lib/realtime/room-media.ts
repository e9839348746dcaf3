import { Device, type types } from 'mediasoup-client';
import type { MediaSource, RemoteProducer } from '@fairground/signaling/protocol';
import { getSocket, request } from './socket';

export interface RoomMediaEvents {
  /** A remote track arrived (already resumed on the server). */
  onTrack(track: MediaStreamTrack, producer: RemoteProducer): void;
  /** A remote producer ended; drop its track. */
  onTrackEnded(producerId: string): void;
}

/**
 * The browser side of one media room: a mediasoup-client Device, a send transport when the user
 * publishes, a receive transport for everything else. Knows the protocol, not the page.
 */
export class RoomMedia {
  readonly #device = new Device();
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  #recvReady: Promise<types.Transport> | null = null;
  readonly #producers = new Map<string, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(
    readonly roomId: string,
    private readonly events: RoomMediaEvents,
  ) {
    const socket = getSocket();
    const added = (p: { roomId: string; producer: RemoteProducer }) => {
      if (p.roomId === roomId) void this.consume(p.producer);
    };
    const closed = (p: { roomId: string; producerId: string }) => {
      if (p.roomId === roomId) this.#dropConsumerOf(p.producerId);
    };
    socket.on('media:producer-added', added);
    socket.on('media:producer-closed', closed);
    this.#unsubscribe = () => {
      socket.off('media:producer-added', added);
      socket.off('media:producer-closed', closed);
    };
  }

  async load(routerRtpCapabilities: Record<string, unknown>): Promise<void> {
    if (!this.#device.loaded) {
      await this.#device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
    }
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = await request('media:transport-create', { roomId: this.roomId, direction });
    const params = options as unknown as types.TransportOptions;
    const transport =
      direction === 'send' ? this.#device.createSendTransport(params) : this.#device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request('media:transport-connect', {
        roomId: this.roomId,
        transportId: transport.id,
        dtlsParameters: dtlsParameters as unknown as { fingerprints: { algorithm: string; value: string }[] },
      }).then(() => done(), fail);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        request('media:produce', {
          roomId: this.roomId,
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as unknown as { codecs: Record<string, unknown>[] },
          source: (appData.source as MediaSource) ?? 'camera',
        }).then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    return transport;
  }

  /** Publishes every track of the stream; the camera's video and the microphone's audio. */
  async publish(stream: MediaStream): Promise<void> {
    for (const track of stream.getTracks()) await this.publishTrack(track, track.kind === 'audio' ? 'mic' : 'camera');
  }

  /** Publishes one track (e.g. a screen share) and returns its producer id. */
  async publishTrack(track: MediaStreamTrack, source: MediaSource): Promise<string> {
    this.#send ??= await this.#createTransport('send');
    const producer = await this.#send.produce({ track, appData: { source } });
    this.#producers.set(producer.id, producer);
    return producer.id;
  }

  /** Stops one published track. */
  async unpublishTrack(producerId: string): Promise<void> {
    const producer = this.#producers.get(producerId);
    if (!producer) return;
    producer.close();
    this.#producers.delete(producerId);
    await request('media:producer-close', { roomId: this.roomId, producerId }).catch(() => {});
  }

  /** Pauses or resumes sending a published track (mute), without renegotiating. */
  setPaused(producerId: string, paused: boolean): void {
    const producer = this.#producers.get(producerId);
    if (paused) producer?.pause();
    else producer?.resume();
  }

  async unpublish(): Promise<void> {
    for (const producer of this.#producers.values()) {
      producer.close();
      await request('media:producer-close', { roomId: this.roomId, producerId: producer.id }).catch(() => {});
    }
    this.#producers.clear();
  }

  /** Receives one remote producer: a paused consumer on the server, resumed once wired here. */
  async consume(producer: RemoteProducer): Promise<void> {
    if (this.#closed || this.#consumers.has(producer.id)) return;
    this.#recvReady ??= this.#createTransport('recv');
    const transport = (this.#recv = await this.#recvReady);
    const options = await request('media:consume', {
      roomId: this.roomId,
      transportId: transport.id,
      producerId: producer.id,
      rtpCapabilities: this.#device.rtpCapabilities as unknown as Record<string, unknown>,
    });
    const consumer = await transport.consume({
      id: options.id,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters as unknown as types.RtpParameters,
    });
    this.#consumers.set(producer.id, consumer);
    this.events.onTrack(consumer.track, producer);
    await request('media:consumer-resume', { roomId: this.roomId, consumerId: consumer.id });
  }

  #dropConsumerOf(producerId: string): void {
    const consumer = this.#consumers.get(producerId);
    if (!consumer) return;
    consumer.close();
    this.#consumers.delete(producerId);
    this.events.onTrackEnded(producerId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#send?.close();
    this.#recv?.close();
    this.#producers.clear();
    this.#consumers.clear();
  }
}
