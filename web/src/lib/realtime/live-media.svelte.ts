import type { RemoteProducer } from '@fairground/signaling/protocol';
import { RoomMedia } from './room-media';

/** What a `*:join` ack says about a room's media. */
export interface JoinedMedia {
  roomId: string;
  routerRtpCapabilities: Record<string, unknown>;
  producers: RemoteProducer[];
}

export interface RemoteTrack {
  track: MediaStreamTrack;
  source: RemoteProducer['source'];
}

/**
 * The media wiring a live stage needs (a booth's stage, a broadcast): one `RoomMedia` per join,
 * the remote tracks as reactive state, and the local camera, microphone and screen share.
 * Shared by the booth and broadcast stores; the components only show what is here.
 */
export class LiveMedia {
  /** Remote tracks by producer id. */
  remote = $state<Record<string, RemoteTrack>>({});
  /** Publishing camera and microphone. */
  publishing = $state(false);
  /** The local camera and microphone while publishing (for a preview). */
  localStream = $state.raw<MediaStream | null>(null);
  /** The local screen share while sharing. */
  screenTrack = $state.raw<MediaStreamTrack | null>(null);

  #media: RoomMedia | null = null;
  #screenProducer: string | null = null;

  get roomId(): string | undefined {
    return this.#media?.roomId;
  }

  get tracks(): RemoteTrack[] {
    return Object.values(this.remote);
  }

  /**
   * Opens the room's media afresh (closing any earlier one): loads the device, runs `prepare`
   * (e.g. a viewer's quality choices) and, when `consume` is set, receives every producer there.
   */
  async open(joined: JoinedMedia, options: { consume: boolean; prepare?: (media: RoomMedia) => Promise<void>; onConnectionLost?: () => void }): Promise<void> {
    this.#media?.close();
    this.remote = {};
    const media = new RoomMedia(joined.roomId, {
      onTrack: (track, producer) => {
        this.remote = { ...this.remote, [producer.id]: { track, source: producer.source } };
      },
      onTrackEnded: (producerId) => {
        const { [producerId]: _gone, ...rest } = this.remote;
        this.remote = rest;
      },
      onConnectionLost: options.onConnectionLost,
    });
    this.#media = media;
    await media.load(joined.routerRtpCapabilities);
    await options.prepare?.(media);
    if (options.consume) for (const producer of joined.producers) await media.consume(producer);
  }

  /** Camera (720p) and microphone; with `simulcast`, three layers for the video. Throws when refused. */
  async startCamera(options: { simulcast?: boolean } = {}): Promise<void> {
    if (!this.#media) throw new Error('Not in the room');
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
      await this.#media.publish(this.localStream, options);
      this.publishing = true;
    } catch (e) {
      this.stopLocal();
      throw e;
    }
  }

  /** Publishes the local camera again on a new room connection (after a rejoin). */
  async republish(options: { simulcast?: boolean } = {}): Promise<void> {
    if (!this.publishing || !this.localStream || !this.#media) return;
    // A camera that went away meanwhile (unplugged, taken by another app) is asked for again.
    if (this.localStream.getTracks().some((t) => t.readyState === 'ended')) {
      this.localStream.getTracks().forEach((t) => t.stop());
      this.localStream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
    }
    await this.#media.publish(this.localStream, options);
  }

  /** Stops publishing everything (camera, microphone, screen). */
  async stopPublishing(): Promise<void> {
    await this.#media?.unpublish();
    this.stopLocal();
  }

  /** Shares a screen (a picker opens); the browser's own "stop sharing" ends it too. Throws when refused. */
  async shareScreen(): Promise<void> {
    if (!this.#media) return;
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = display.getVideoTracks()[0]!;
    track.addEventListener('ended', () => void this.stopShare());
    this.#screenProducer = await this.#media.publishTrack(track, 'screen');
    this.screenTrack = track;
  }

  async stopShare(): Promise<void> {
    if (this.#screenProducer) await this.#media?.unpublishTrack(this.#screenProducer);
    this.#screenProducer = null;
    this.screenTrack?.stop();
    this.screenTrack = null;
  }

  /** Stops the local devices (no request to the server). */
  stopLocal(): void {
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.localStream = null;
    this.screenTrack?.stop();
    this.screenTrack = null;
    this.#screenProducer = null;
    this.publishing = false;
  }

  /** Unpublishes without waiting (a guest sent back: the server already closed the producers). */
  dropPublishing(): void {
    void this.#media?.unpublish();
    this.stopLocal();
  }

  setMaxLayer(layer: 0 | 1 | 2): Promise<void> {
    return this.#media?.setMaxLayer(layer) ?? Promise.resolve();
  }

  setVideoReceiving(on: boolean): Promise<void> {
    return this.#media?.setVideoReceiving(on) ?? Promise.resolve();
  }

  close(): void {
    this.stopLocal();
    this.#media?.close();
    this.#media = null;
    this.remote = {};
  }
}

/** Svelte action: shows one track in a (muted) video element. */
export function showTrack(node: HTMLVideoElement, track: MediaStreamTrack | null) {
  const set = (t: MediaStreamTrack | null) => {
    node.srcObject = t ? new MediaStream([t]) : null;
    if (t) void node.play().catch(() => {});
  };
  set(track);
  return { update: set };
}

/** Svelte action: shows a whole stream (a local preview) in a muted video element. */
export function showStream(node: HTMLVideoElement, stream: MediaStream | null) {
  const set = (s: MediaStream | null) => {
    node.srcObject = s;
    if (s) void node.play().catch(() => {});
  };
  set(stream);
  return { update: set };
}
