import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { MediaEvents, MediaServer, RtpCapabilities } from '@fairground/media-server';
import type { RecordingService, SegmentStart } from '@fairground/core';
import { recorderSdp } from './sdp.ts';
import { freePortPair, startFfmpegCopy, waitBound, type FfmpegCopy } from './ffmpeg-tap.ts';

/** The recorder's media peers are named so; nothing else in a room starts with it. */
export const RECORDER_PEER_PREFIX = 'recorder:';

export interface RecorderOptions {
  /** The media server this node runs (recording happens where the media is). */
  media: Pick<
    MediaServer,
    'on' | 'off' | 'createPlainTransport' | 'connectPlainTransport' | 'consume' | 'resumeConsumer' | 'closePeer' | 'producers' | 'rtpCapabilities'
  >;
  recordings: Pick<RecordingService, 'isRecorded' | 'beginSegment' | 'endSegment'>;
  /**
   * Which recording a room's media belongs to now: a broadcast room's is its broadcast's; a booth
   * room's is the presentation being recorded there, or none (core/src/booth-presentations.ts).
   */
  recordingOf(roomId: string): Promise<string | null>;
  /** Segment files are written under this directory, at their storage key. */
  dir: string;
  ffmpeg: string;
  nodeId: string;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** A segment's file is complete (its producer closed): to storage (S3 uploads it). */
  onSegmentClosed?(segment: { id: string; fileKey: string; path: string }): Promise<void>;
}

interface Tap {
  roomId: string;
  /** The recording (its broadcast's id) the segment belongs to, once known. */
  recordingId: string | null;
  producerId: string;
  peer: string;
  /** The segment's row, once asked for (null: not recorded after all). */
  segment: Promise<string | null> | null;
  fileKey: string;
  path: string;
  ffmpeg: FfmpegCopy | null;
  stopping: Promise<void> | null;
}

/** Rooms whose media may be recorded: broadcasts, and booths while a presentation is recorded. */
const RECORDED_ROOMS = new Set(['broadcast', 'booth']);

/**
 * Records every broadcast producer published on this node while live (and a booth's while its
 * staff record a presentation), without transcoding: each
 * producer gets a recorder peer with a plain RTP transport and one consumer whose packets ffmpeg
 * copies into a file (one segment). A producer that closes (a host's reconnect, a worker's death)
 * ends its segment; whatever is published next starts a new one of the same recording, and an
 * edge's death under a tap whose producer lives on starts the next segment at once.
 */
export class Recorder {
  readonly #taps = new Map<string, Tap>();
  readonly #listeners: Array<() => void> = [];
  /** Producers published on this node (not imports): the ones a tap may be made again for. */
  readonly #local = new Set<string>();
  #caps: Promise<RtpCapabilities> | null = null;
  #closed = false;

  constructor(private readonly o: RecorderOptions) {
    this.#on('producer-added', (e) => {
      if (!RECORDED_ROOMS.has(e.kind) || e.peerId.startsWith(RECORDER_PEER_PREFIX)) return;
      this.#local.add(e.producerId);
      void this.#tap(e.roomId, e.producerId, e.peerId, e.mediaKind, e.appData);
    });
    this.#on('producer-closed', (e) => {
      this.#local.delete(e.producerId);
      void this.#stop(e.producerId);
    });
    this.#on('room-reset', (e) => {
      for (const tap of [...this.#taps.values()]) {
        if (tap.roomId !== e.roomId || (e.scope === 'peers' && !e.peerIds.includes(tap.peer))) continue;
        // The tap's edge went with its worker; the producer may live on (then a new segment begins).
        void this.#stop(tap.producerId).then(() => (e.scope === 'peers' ? this.#retap(e.roomId, tap.producerId) : undefined));
      }
    });
    this.#on('room-closed', (e) => {
      for (const tap of [...this.#taps.values()]) if (tap.roomId === e.roomId) void this.#stop(tap.producerId);
    });
  }

  #on<E extends keyof MediaEvents>(event: E, listener: (...args: MediaEvents[E]) => void): void {
    // EventEmitter's typed on/off do not take a listener generic over the event name.
    const media = this.o.media as unknown as { on(e: string, l: (...a: unknown[]) => void): void; off(e: string, l: (...a: unknown[]) => void): void };
    const l = listener as (...a: unknown[]) => void;
    media.on(event, l);
    this.#listeners.push(() => media.off(event, l));
  }

  /**
   * A room's recording changed (a booth presentation started or stopped, on any node): taps of
   * another recording end, and this node's producers there are tapped for the current one.
   */
  async refresh(roomId: string): Promise<void> {
    if (this.#closed) return;
    const current = await this.o.recordingOf(roomId);
    const stale = [...this.#taps.values()].filter((t) => t.roomId === roomId && t.recordingId !== null && t.recordingId !== current);
    await Promise.all(stale.map((t) => this.#stop(t.producerId)));
    if (!current) return;
    for (const p of await this.o.media.producers(roomId)) {
      if (this.#local.has(p.id)) await this.#tap(roomId, p.id, p.peerId, p.kind, p.appData);
    }
  }

  /** The segments being written now (tests, metrics). */
  get active(): number {
    return [...this.#taps.values()].filter((t) => t.segment && !t.stopping).length;
  }

  /** The recorder's consumers: the router's codecs without RTX (ffmpeg takes the codec's packets only). */
  #capabilities(): Promise<RtpCapabilities> {
    this.#caps ??= this.o.media.rtpCapabilities().then((caps) => ({
      codecs: (caps.codecs ?? []).filter((c) => !c.mimeType.toLowerCase().endsWith('/rtx')).map((c) => ({ ...c, rtcpFeedback: [] })),
      headerExtensions: [],
    }));
    return this.#caps;
  }

  async #retap(roomId: string, producerId: string, attempt = 1): Promise<void> {
    const producer = (await this.o.media.producers(roomId)).find((p) => p.id === producerId);
    if (producer && this.#local.has(producerId)) await this.#tap(roomId, producerId, producer.peerId, producer.kind, producer.appData, attempt);
  }

  async #tap(roomId: string, producerId: string, peerId: string, kind: 'audio' | 'video', appData: Record<string, unknown>, attempt = 1): Promise<void> {
    if (this.#closed || this.#taps.has(producerId)) return;
    const tap: Tap = {
      roomId,
      recordingId: null,
      producerId,
      peer: `${RECORDER_PEER_PREFIX}${producerId}:${randomUUID().slice(0, 8)}`,
      segment: null,
      fileKey: '',
      path: '',
      ffmpeg: null,
      stopping: null,
    };
    this.#taps.set(producerId, tap);
    const log = { roomId, producerId, source: appData['source'] };
    try {
      const broadcastId = await this.o.recordingOf(roomId);
      if (!broadcastId || !(await this.o.recordings.isRecorded(broadcastId)) || tap.stopping) return void this.#forget(tap);
      tap.recordingId = broadcastId;
      tap.fileKey = `recordings/${broadcastId}/segments/${randomUUID()}.mkv`;
      tap.path = join(this.o.dir, tap.fileKey);
      const { fileKey } = tap;
      const port = await freePortPair();
      // The room is open (its producer is live): its kind names it, as its id's prefix does.
      const room = { kind: roomId.startsWith('booth:') ? ('booth' as const) : ('broadcast' as const), id: roomId };
      const transport = await this.o.media.createPlainTransport(room, tap.peer, 'recv', { comedia: false, rtcpMux: false });
      const consumer = await this.o.media.consume(roomId, tap.peer, transport.id, producerId, await this.#capabilities(), { paused: true });
      if (tap.stopping) return await this.#late(tap);
      tap.ffmpeg = await startFfmpegCopy({
        ffmpeg: this.o.ffmpeg,
        sdp: recorderSdp(kind, consumer.rtpParameters, port),
        sdpFile: `${tap.path}.sdp`,
        output: tap.path,
        log: (line) => this.o.log.warn({ ...log, ffmpeg: line }, 'recorder ffmpeg'),
      });
      void tap.ffmpeg.exited.then(() => {
        if (!tap.stopping && this.#taps.get(producerId) === tap) {
          this.o.log.warn(log, 'recorder ffmpeg stopped by itself; segment closed');
          // No key frame within its probe, a crash: a new segment while the producer lives.
          void this.#stop(producerId).then(() => (attempt < 3 ? this.#retap(roomId, producerId, attempt + 1) : undefined));
        }
      });
      await waitBound(port, tap.ffmpeg.exited);
      await this.o.media.connectPlainTransport(roomId, tap.peer, transport.id, { ip: '127.0.0.1', port, rtcpPort: port + 1 });
      // Resuming asks the publisher for a key frame: the file starts decodable, here.
      await this.o.media.resumeConsumer(roomId, tap.peer, consumer.id);
      const segment: SegmentStart = {
        broadcastId,
        producerId,
        peerId,
        userId: typeof appData['userId'] === 'string' ? appData['userId'] : null,
        source: typeof appData['source'] === 'string' ? appData['source'] : kind,
        kind,
        codec: consumer.rtpParameters.codecs[0]!.mimeType,
        nodeId: this.o.nodeId,
        fileKey,
        startedAt: new Date(),
      };
      if (tap.stopping) return await this.#late(tap);
      tap.segment = this.o.recordings.beginSegment(segment);
      const segmentId = await tap.segment;
      if (!segmentId) {
        // Not recorded after all (turned off, or ended meanwhile): nothing kept.
        await this.#stop(producerId);
        await rm(tap.path, { force: true });
        return;
      }
      this.o.log.info({ ...log, segmentId }, 'recording segment started');
    } catch (err) {
      this.o.log.warn({ ...log, err: String(err), attempt }, 'tapping a producer for the recording failed');
      if (!tap.segment) tap.segment = Promise.resolve(null);
      await this.#stop(producerId);
      // A port taken between the check and ffmpeg's bind, a slow start on a loaded machine: again,
      // while the producer lives, a few times.
      if (attempt < 3 && !this.#closed) {
        await new Promise((r) => setTimeout(r, 250 * attempt));
        await this.#retap(roomId, producerId, attempt + 1);
      }
    }
  }

  /** Not recorded after all, before anything was made for it. */
  #forget(tap: Tap): void {
    if (this.#taps.get(tap.producerId) === tap) this.#taps.delete(tap.producerId);
  }

  /** Stopped while it was being set up: what the set-up made after the stop is closed too. */
  async #late(tap: Tap): Promise<void> {
    await this.o.media.closePeer(tap.roomId, tap.peer).catch(() => {});
    await tap.ffmpeg?.stop();
    await rm(tap.path, { force: true });
  }

  /** Ends a producer's tap (idempotent): the peer's media closes, ffmpeg finishes its file, the segment ends. */
  #stop(producerId: string): Promise<void> {
    const tap = this.#taps.get(producerId);
    if (!tap) return Promise.resolve();
    tap.stopping ??= (async () => {
      const endedAt = new Date();
      await this.o.media.closePeer(tap.roomId, tap.peer).catch(() => {});
      const bytes = tap.ffmpeg ? await tap.ffmpeg.stop() : null;
      if (this.#taps.get(producerId) === tap) this.#taps.delete(producerId);
      // A segment whose row was being written when stop came: wait for it, then end it.
      const segmentId = tap.segment ? await tap.segment.catch(() => null) : null;
      if (!segmentId) return;
      try {
        await this.o.recordings.endSegment(segmentId, endedAt, bytes);
        await this.o.onSegmentClosed?.({ id: segmentId, fileKey: tap.fileKey, path: tap.path });
        this.o.log.info({ producerId, segmentId, bytes }, 'recording segment closed');
      } catch (err) {
        this.o.log.error({ producerId, segmentId, err: String(err) }, 'closing a recording segment failed');
      }
    })();
    return tap.stopping;
  }

  /** Stops every tap (their files are finished) and listens no more; safe twice. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const off of this.#listeners.splice(0)) off();
    await Promise.all([...this.#taps.keys()].map((id) => this.#stop(id)));
  }
}
