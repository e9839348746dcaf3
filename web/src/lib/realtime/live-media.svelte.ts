import type { ReceiveSetup, RemoteProducer } from '@fairground/signaling/protocol';
import { RoomMedia } from './room-media';

/** What a `*:join` ack says about a room's media. */
export interface JoinedMedia {
  roomId: string;
  routerRtpCapabilities: Record<string, unknown>;
  producers: RemoteProducer[];
  /** Receiving the join already set up (broadcasts); absent or null: consume each producer here. */
  receive?: ReceiveSetup | null;
}

/** A received video track that is live and has had frames (the browser keeps it muted until media arrives). */
export const isFlowingVideo = (track: MediaStreamTrack) => track.kind === 'video' && track.readyState === 'live' && !track.muted;

/** How long "Video restored" stays up once frames are back. */
const RESTORED_NOTICE_MS = 4000;
/** A received video that ended this recently was still flowing when its worker died. */
const JUST_ENDED_MS = 3000;
/** Gives up saying "Restoring video…" when nothing comes back (the publisher left meanwhile). */
const RESTORING_GIVE_UP_MS = 20_000;

/**
 * What a stage says after its media room was reset (the media worker died): "Restoring video…"
 * until what was flowing before flows again, then "Video restored" for a moment. One state for
 * every stage (booth, broadcast, interview); `MediaRecoveryNotice` shows it.
 */
export class MediaRecovery {
  state = $state<'idle' | 'restoring' | 'restored'>('idle');
  #waitRemote = false;
  #waitLocal = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** When a received video last ended (a dying worker's consumers may close before its reset is heard). */
  #videoEndedAt = 0;

  /**
   * The room was reset. `receiving`: remote video was showing (or ended just now), so wait for
   * its frames, unless `videoWanted` is false (an audio-only viewer); `publishing`: the local
   * camera was on air, so wait until it is published again. With neither there is nothing to
   * restore and nothing to say.
   */
  reset(was: { receiving: boolean; publishing: boolean; videoWanted?: boolean }): void {
    const receiving = (was.videoWanted ?? true) && (was.receiving || Date.now() - this.#videoEndedAt < JUST_ENDED_MS);
    if (!receiving && !was.publishing) return;
    this.#waitRemote = receiving;
    this.#waitLocal = was.publishing;
    this.state = 'restoring';
    this.#schedule(RESTORING_GIVE_UP_MS);
  }

  /** A remote track arrived on the new connection: restored once its first frames do. */
  trackArrived(track: MediaStreamTrack): void {
    if (this.state !== 'restoring' || !this.#waitRemote || track.kind !== 'video') return;
    const arrived = () => {
      this.#waitRemote = false;
      this.#settle();
    };
    // A received track is muted until media arrives on it (the browser unmutes it then).
    if (!track.muted) arrived();
    else track.addEventListener('unmute', arrived, { once: true });
  }

  /** A received track ended (its producer or consumer closed). */
  trackEnded(track: MediaStreamTrack): void {
    if (track.kind === 'video') this.#videoEndedAt = Date.now();
  }

  /** The local camera is published again. */
  republished(): void {
    if (this.state !== 'restoring') return;
    this.#waitLocal = false;
    this.#settle();
  }

  /** Forget it (the page left the room, or the rejoin failed and says so itself). */
  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.state = 'idle';
  }

  #settle(): void {
    if (this.state !== 'restoring' || this.#waitRemote || this.#waitLocal) return;
    this.state = 'restored';
    this.#schedule(RESTORED_NOTICE_MS);
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.clear(), ms);
  }
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
  /** After a media reset: restoring, then restored. */
  readonly recovery = new MediaRecovery();

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
        this.recovery.trackArrived(track);
      },
      onTrackEnded: (producerId) => {
        const { [producerId]: gone, ...rest } = this.remote;
        if (gone) this.recovery.trackEnded(gone.track);
        this.remote = rest;
      },
      onConnectionLost: options.onConnectionLost,
    });
    this.#media = media;
    await media.load(joined.routerRtpCapabilities);
    await options.prepare?.(media);
    if (!options.consume) return;
    if (joined.receive) await media.receive(joined.receive, joined.producers);
    else for (const producer of joined.producers) await media.consume(producer);
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

  /**
   * The media server lost the room (its worker died): say so until what was flowing is back.
   * `videoWanted` false: the viewer turned video off (audio only), so no picture is awaited.
   */
  resetting(videoWanted = true): void {
    this.recovery.reset({ receiving: this.tracks.some((t) => isFlowingVideo(t.track)), publishing: this.publishing, videoWanted });
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
    this.recovery.republished();
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
    this.recovery.clear();
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
