import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import type { MediaServer } from '@fairground/media-server';
import type { startPlatform } from './helpers.ts';
import { senderRtp, startRtpSender } from './rtp-sender.ts';

type Platform = Awaited<ReturnType<typeof startPlatform>>;
/** A published stream: its kind and the source the page says (the recorder and the layout read it). */
export type Stream = readonly ['audio' | 'video', 'camera' | 'mic' | 'screen'];
export const CAMERA_AND_MIC: Stream[] = [
  ['video', 'camera'],
  ['audio', 'mic'],
];

/**
 * Publishing and recording without a browser (issue 14): real RTP from ffmpeg encoders into
 * mediasoup plain transports of the platform's own media server, the platform's recorder tapping
 * them into `dataDir`. Shared by the live recording, composition and bench files.
 */
export function recordingHarness(ctx: () => Platform, dataDir: string) {
  const senders: Array<{ stop(): Promise<void> }> = [];
  let ssrc = 1000;

  /** A host's connection publishing `streams` (one plain transport each); returns its peers. */
  async function publish(roomId: string, peer: string, userId: string, streams: Stream[] = CAMERA_AND_MIC) {
    // This node's own media server (the test runs both roles): plain transports are not a media call.
    const media = ctx().platform.media as MediaServer;
    const peers: string[] = [];
    for (const [kind, source] of streams) {
      const id = ssrc++;
      const sendPeer = `${peer}-${source}`;
      // The room's kind is its name's prefix (a broadcast's, or a booth's stage for a presentation).
      const t = await media.createPlainTransport({ kind: roomId.startsWith('booth:') ? 'booth' : 'broadcast', id: roomId }, sendPeer, 'send', {
        comedia: true,
        rtcpMux: false,
      });
      await media.produce(roomId, sendPeer, t.id, kind, kind === 'video' ? senderRtp.video(id) : senderRtp.audio(id), { source, userId });
      // A screen is a plain white 16:9 picture: the layout test tells it from the camera's pattern.
      senders.push(startRtpSender(kind, t.port, id, t.rtcpPort!, source === 'screen' ? 'color=c=white:size=640x360:rate=15' : undefined));
      peers.push(sendPeer);
    }
    return { peers };
  }

  const segmentsOf = (broadcastId: string) => ctx().platform.services.recordings.segments(broadcastId);

  /** Waits until `open` segments are live and each holds a few seconds of media (the recorder's writes, not a clock). */
  async function recordFor(broadcastId: string, open: number, minBytes = { video: 20_000, audio: 5_000 }) {
    await vi.waitFor(
      async () => {
        const live = (await segmentsOf(broadcastId)).filter((s) => !s.endedAt);
        expect(live).toHaveLength(open);
        for (const s of live) expect(statSync(join(dataDir, s.fileKey)).size).toBeGreaterThan(minBytes[s.kind]);
      },
      { timeout: 60_000, interval: 250 },
    );
  }

  /** Closes every producer of the room and waits for every segment to be finished. */
  async function stopAll(roomId: string, broadcastId: string) {
    const media = ctx().platform.media;
    for (const p of await media.producers(roomId)) await media.closePeer(roomId, p.peerId);
    await vi.waitFor(async () => expect((await segmentsOf(broadcastId)).every((s) => s.endedAt && s.bytes)).toBe(true), { timeout: 60_000, interval: 250 });
  }

  return {
    publish,
    segmentsOf,
    recordFor,
    stopAll,
    /** Stops every sender (afterAll). */
    close: () => Promise.all(senders.map((s) => s.stop())),
  };
}

/** ffprobe's view of a file: streams (codec, kind, duration, size) and the container's duration. */
export function probeStreams(file: string) {
  const out = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type,duration,width,height:format=duration', '-of', 'json', file],
    {
      encoding: 'utf8',
    },
  );
  if (out.status !== 0) throw new Error(`ffprobe failed on ${file}: ${out.stderr}`);
  const json = JSON.parse(out.stdout) as {
    streams: Array<{ codec_name: string; codec_type: string; duration?: string; width?: number; height?: number }>;
    format: { duration?: string };
  };
  return {
    duration: Number(json.format.duration ?? 0),
    streams: json.streams.map((s) => ({ codec: s.codec_name, type: s.codec_type, duration: Number(s.duration ?? 0), width: s.width, height: s.height })),
  };
}

/** One decoded frame at `seconds`, as 8-bit luma (width × height bytes). */
export function lumaAt(file: string, seconds: number, width: number, height: number): Buffer {
  const out = spawnSync('ffmpeg', ['-v', 'error', '-ss', seconds.toFixed(3), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    maxBuffer: width * height * 2,
  });
  if (out.status !== 0 || out.stdout.length !== width * height) throw new Error(`no frame at ${seconds}s of ${file}: ${String(out.stderr)}`);
  return out.stdout;
}

/** The mean luma (0-255) of a rectangle of a frame. */
export function meanLuma(frame: Buffer, width: number, box: { x: number; y: number; w: number; h: number }): number {
  let sum = 0;
  for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) sum += frame[y * width + x]!;
  return sum / (box.w * box.h);
}
