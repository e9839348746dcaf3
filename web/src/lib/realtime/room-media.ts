import { Device, type types } from 'mediasoup-client';
import type { MediaSource, ReceiveSetup, RemoteProducer, TransportOptions } from '@fairground/signaling/protocol';
import { request, session } from './session.svelte';

/** Three simulcast layers for camera video (low, medium, high), as the broadcast viewers pick from. */
export const SIMULCAST_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/** localStorage key of the test and ops switch that sends this browser's media through TURN only. */
export const RELAY_ONLY_KEY = 'fairground.iceTransportPolicy';

/**
 * `localStorage['fairground.iceTransportPolicy'] = 'relay'` in one browser makes its media go
 * through the deployment's TURN relay only, as behind a firewall that blocks UDP and direct paths:
 * how the TLS-stack test proves the relay works, and how an operator checks it from a browser
 * console. It can only narrow what the server offers, never add a server.
 */
function forcedRelay(): boolean {
  try {
    return globalThis.localStorage?.getItem(RELAY_ONLY_KEY) === 'relay';
  } catch {
    return false; // storage blocked (privacy settings): the server's policy stands
  }
}

/** The page's loaded Device, by the router capabilities it was loaded with. */
let shared: { key: string; device: Promise<Device> } | null = null;

/**
 * A mediasoup-client Device loaded with the routers' capabilities, one per page: loading asks the
 * browser for its codecs (a throwaway peer connection, tens of milliseconds), so a page that has
 * the capabilities with its data loads it before the user clicks, and every room reuses it. The
 * capabilities are the same for every room (one codec list for all routers).
 */
export function loadDevice(routerRtpCapabilities: types.RtpCapabilities): Promise<Device> {
  const key = JSON.stringify(routerRtpCapabilities);
  if (shared?.key !== key) {
    const device = new Device();
    const loading = device.load({ routerRtpCapabilities }).then(() => device);
    const entry = { key, device: loading };
    shared = entry;
    // A failed load is not kept: the next room tries again.
    loading.catch(() => {
      if (shared === entry) shared = null;
    });
  }
  return shared.device;
}

export interface RoomMediaEvents {
  /** A remote track arrived (already resumed on the server). */
  onTrack(track: MediaStreamTrack, producer: RemoteProducer): void;
  /** A remote producer ended; drop its track. */
  onTrackEnded(producerId: string): void;
  /** The media connection failed and could not be restored by an ICE restart: rejoin. */
  onConnectionLost?(): void;
}

/**
 * The browser side of one media room: a mediasoup-client Device, a send transport when the user
 * publishes, a receive transport for everything else. Knows the protocol, not the page.
 */
export class RoomMedia {
  #device: Device | null = null;
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  #recvReady: Promise<types.Transport> | null = null;
  readonly #producers = new Map<string, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  #closed = false;
  #maxLayer: 0 | 1 | 2 = 2;
  #videoOff = false;
  readonly #unsubscribe: () => void;

  constructor(
    readonly roomId: string,
    private readonly events: RoomMediaEvents,
  ) {
    const offAdded = session.on('media:producer-added', (p) => {
      if (p.roomId === roomId) void this.consume(p.producer);
    });
    const offClosed = session.on('media:producer-closed', (p) => {
      if (p.roomId === roomId) this.#dropConsumerOf(p.producerId);
    });
    this.#unsubscribe = () => {
      offAdded();
      offClosed();
    };
  }

  async load(routerRtpCapabilities: types.RtpCapabilities): Promise<void> {
    this.#device = await loadDevice(routerRtpCapabilities);
  }

  get #loaded(): Device {
    if (!this.#device) throw new Error('The media device is not loaded');
    return this.#device;
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    return this.#openTransport(direction, await request('media:transport-create', { roomId: this.roomId, direction }));
  }

  #openTransport(direction: 'send' | 'recv', { iceServers, iceTransportPolicy, ...options }: TransportOptions): types.Transport {
    const params: types.TransportOptions = {
      ...options,
      iceServers,
      iceTransportPolicy: forcedRelay() ? 'relay' : iceTransportPolicy,
    };
    const transport = direction === 'send' ? this.#loaded.createSendTransport(params) : this.#loaded.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request('media:transport-connect', {
        roomId: this.roomId,
        transportId: transport.id,
        dtlsParameters,
      }).then(() => done(), fail);
    });
    this.#recoverIce(transport);
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        request('media:produce', {
          roomId: this.roomId,
          transportId: transport.id,
          kind,
          rtpParameters,
          source: (appData.source as MediaSource) ?? 'camera',
        }).then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    return transport;
  }

  /**
   * A dropped media path (network change, Wi-Fi to mobile) gets new ICE credentials and the
   * browser reconnects on the same transport; if that fails too, the page rejoins the room.
   */
  #recoverIce(transport: types.Transport): void {
    let restarts = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const restart = async () => {
      if (this.#closed || transport.closed) return;
      if (++restarts > 3) return this.events.onConnectionLost?.();
      try {
        const { iceParameters, iceServers } = await request('media:transport-restart-ice', { roomId: this.roomId, transportId: transport.id });
        // Fresh TURN credentials first: the restart makes new relay allocations.
        await transport.updateIceServers({ iceServers });
        await transport.restartIce({ iceParameters });
      } catch {
        this.events.onConnectionLost?.();
      }
    };
    transport.on('connectionstatechange', (state) => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (state === 'connected') restarts = 0;
      // "disconnected" often heals by itself within seconds; "failed" will not.
      if (state === 'failed') void restart();
      if (state === 'disconnected') timer = setTimeout(() => void restart(), 3000);
    });
  }

  /** Publishes every track of the stream; the camera's video and the microphone's audio. */
  async publish(stream: MediaStream, options: { simulcast?: boolean } = {}): Promise<void> {
    for (const track of stream.getTracks()) await this.publishTrack(track, track.kind === 'audio' ? 'mic' : 'camera', options);
  }

  /** Publishes one track (e.g. a screen share) and returns its producer id. */
  async publishTrack(track: MediaStreamTrack, source: MediaSource, options: { simulcast?: boolean } = {}): Promise<string> {
    this.#send ??= await this.#createTransport('send');
    const simulcast = options.simulcast && track.kind === 'video';
    const producer = await this.#send.produce({
      track,
      // Closing the producer (a rejoin after a media reset closes the old transport) must not
      // stop the camera: the page publishes the same track again. Pages stop tracks themselves.
      stopTracks: false,
      appData: { source },
      ...(simulcast ? { encodings: SIMULCAST_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
    });
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
      rtpCapabilities: this.#loaded.rtpCapabilities,
    });
    const consumer = await transport.consume({
      id: options.id,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters,
    });
    this.#consumers.set(producer.id, consumer);
    this.events.onTrack(consumer.track, producer);
    if (consumer.kind === 'video' && this.#maxLayer < 2) {
      await request('media:consumer-layers', { roomId: this.roomId, consumerId: consumer.id, spatialLayer: this.#maxLayer });
    }
    // In audio-only mode a new video stays paused (created paused on the server).
    if (consumer.kind === 'video' && this.#videoOff) consumer.pause();
    else await request('media:consumer-resume', { roomId: this.roomId, consumerId: consumer.id });
  }

  /**
   * Takes over what a join set up (`ReceiveSetup`): the receive transport and consumers the server
   * already started, so there is no transport, consume or resume request here. Video comes first
   * (the server orders it), so its track is wired before the browser's ICE and DTLS can finish.
   */
  async receive(setup: ReceiveSetup, producers: RemoteProducer[]): Promise<void> {
    if (this.#closed) return;
    const transport = this.#openTransport('recv', setup.transport);
    this.#recv = transport;
    this.#recvReady = Promise.resolve(transport);
    for (const options of setup.consumers) {
      if (this.#closed) return;
      const producer = producers.find((p) => p.id === options.producerId) ?? {
        id: options.producerId,
        kind: options.kind,
        source: options.kind === 'audio' ? 'mic' : 'camera',
      };
      const consumer = await transport.consume({ id: options.id, producerId: options.producerId, kind: options.kind, rtpParameters: options.rtpParameters });
      this.#consumers.set(producer.id, consumer);
      // Audio-only mode: the server created the video paused; the track stays paused here too.
      if (consumer.kind === 'video' && this.#videoOff) consumer.pause();
      this.events.onTrack(consumer.track, producer);
    }
  }

  /**
   * Audio-only mode: stops (or restarts) every video consumer on the server, so no video bytes
   * cross a weak link; audio keeps flowing.
   */
  async setVideoReceiving(on: boolean): Promise<void> {
    this.#videoOff = !on;
    for (const consumer of this.#consumers.values()) {
      if (consumer.kind !== 'video') continue;
      if (on) {
        consumer.resume();
        await request('media:consumer-resume', { roomId: this.roomId, consumerId: consumer.id });
      } else {
        consumer.pause();
        await request('media:consumer-pause', { roomId: this.roomId, consumerId: consumer.id });
      }
    }
  }

  /** Caps the simulcast layer of every video consumer (0 low, 1 medium, 2 high/automatic). */
  async setMaxLayer(spatialLayer: 0 | 1 | 2): Promise<void> {
    this.#maxLayer = spatialLayer;
    for (const consumer of this.#consumers.values()) {
      if (consumer.kind !== 'video') continue;
      await request('media:consumer-layers', { roomId: this.roomId, consumerId: consumer.id, spatialLayer });
    }
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
