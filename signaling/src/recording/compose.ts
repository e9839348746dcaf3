import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordingSegment, RecordingService } from '@fairground/core';
import { replayFilterGraph, type TimedTrack } from './layout.ts';

/** The job queue's kind for composing a replay after its broadcast ended. */
export const COMPOSE_JOB = 'recording-compose';

/** A segment still open this long after the broadcast's end belongs to a node that died: its file holds what arrived. */
export const OPEN_SEGMENT_GRACE_MS = 60_000;
/** How long an attempt waits for open segments to close before it is retried later. */
const SEGMENT_SETTLE_MS = 5_000;

export interface ComposeDeps {
  recordings: Pick<RecordingService, 'segments' | 'composing' | 'ready' | 'failed'>;
  /** Where segment files are and the replay goes (storage keys under it). */
  dir: string;
  ffmpeg: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** The broadcast's host user ids, first to be placed first. */
  hosts(broadcastId: string): Promise<string[]>;
  now?: () => Date;
  openSegmentGraceMs?: number | undefined;
  /** This node (its recorder's segment `nodeId`): segments of other nodes may be on their disks only. */
  nodeId?: string | undefined;
}

/** Seconds of media in a file (ffprobe's container duration), 0 when unreadable. */
function fileDuration(path: string): number {
  const out = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  const value = Number(out.stdout.trim());
  return Number.isFinite(value) ? value : 0;
}

/** Runs ffmpeg, reporting progress (0-1) from its `-progress` output against `duration`. */
function runFfmpeg(ffmpeg: string, args: string[], duration: number, progress: (p: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-progress', 'pipe:1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const m = [...chunk.matchAll(/out_time_us=(\d+)/g)].pop();
      if (m && duration > 0) progress(Math.min(1, Number(m[1]) / 1e6 / duration));
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`))));
  });
}

/**
 * Composes a broadcast's replay from its segments: one MP4 (H.264 + AAC, for download) and HLS
 * (the same streams cut into 6 s pieces, for the player). Throws to be retried by the job queue:
 * while segments are still being closed, and when ffmpeg fails.
 */
export async function composeReplay(deps: ComposeDeps, broadcastId: string, endsAt: Date): Promise<void> {
  const now = deps.now?.() ?? new Date();
  let segments = await deps.recordings.segments(broadcastId);
  // A stop that queued the job as it told the recorders (a booth presentation's): their taps close
  // within moments, so wait that long here rather than a whole retry delay.
  for (const settle = Date.now() + SEGMENT_SETTLE_MS; segments.some((s) => !s.endedAt) && Date.now() < settle;) {
    await new Promise((r) => setTimeout(r, 250));
    segments = await deps.recordings.segments(broadcastId);
  }
  if (segments.some((s) => !s.endedAt) && now.getTime() - endsAt.getTime() < (deps.openSegmentGraceMs ?? OPEN_SEGMENT_GRACE_MS)) {
    throw new Error('segments are still being written');
  }
  const usable = segments
    .map((s) => ({ s, path: join(deps.dir, s.fileKey) }))
    .filter(({ path }) => existsSync(path))
    .map(({ s, path }) => ({ s, path, seconds: fileDuration(path) }))
    .filter((x) => x.seconds > 0);
  if (usable.length === 0) {
    // Another node wrote them (without S3 its segments are on its disk only): an attempt there may
    // find them, so this one is retried rather than the replay given up.
    const elsewhere = segments.find((s) => s.nodeId !== deps.nodeId);
    if (deps.nodeId && elsewhere) throw new Error(`no segment file on this node; node ${elsewhere.nodeId} wrote them`);
    await deps.recordings.failed(broadcastId, 'No recorded media');
    return;
  }
  const t0 = Math.min(...usable.map((u) => u.s.startedAt.getTime()));
  const endOf = (u: { s: RecordingSegment; seconds: number }) => {
    const start = (u.s.startedAt.getTime() - t0) / 1000;
    // The file's own length (a segment of a node that died has no end), capped at its recorded end.
    const byRow = u.s.endedAt ? (u.s.endedAt.getTime() - t0) / 1000 : Infinity;
    return Math.min(start + u.seconds, byRow);
  };
  const tracks: TimedTrack[] = usable.map((u, input) => ({
    input,
    kind: u.s.kind,
    source: u.s.source,
    who: u.s.userId ?? u.s.peerId,
    start: (u.s.startedAt.getTime() - t0) / 1000,
    end: endOf(u),
  }));
  // As long as it was live: from the first tap to the last segment's recorded end (a file may hold
  // a little less: the first key frame's wait, the last packets of a copy that was stopped; the
  // canvas goes on), never past the broadcast's end (a host still connected after it is not on it).
  const wallEnd = Math.max(...usable.map((u) => (u.s.endedAt ? (u.s.endedAt.getTime() - t0) / 1000 : endOf(u))));
  const duration = Math.max(0.1, Math.min(wallEnd, (endsAt.getTime() - t0) / 1000));
  const { graph, video, audio } = replayFilterGraph(tracks, duration, await deps.hosts(broadcastId));
  const outDir = join(deps.dir, 'recordings', broadcastId);
  const mp4Key = `recordings/${broadcastId}/replay.mp4`;
  const hlsKey = `recordings/${broadcastId}/hls/index.m3u8`;
  await mkdir(join(outDir, 'hls'), { recursive: true });
  await deps.recordings.composing(broadcastId, 0);
  let reported = 0;
  const inputs = usable.flatMap((u) => ['-i', u.path]);
  await runFfmpeg(
    deps.ffmpeg,
    [
      ...inputs,
      '-filter_complex',
      graph,
      '-map',
      video,
      '-map',
      audio,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '26',
      '-g',
      '50',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-movflags',
      '+faststart',
      '-t',
      duration.toFixed(3),
      '-y',
      join(deps.dir, mp4Key),
    ],
    duration,
    (p) => {
      const pct = Math.floor(p * 95);
      if (pct >= reported + 5) {
        reported = pct;
        void deps.recordings.composing(broadcastId, pct).catch(() => {});
      }
    },
  );
  // HLS from the MP4 without encoding again: the player's pieces and the download are the same streams.
  await rm(join(outDir, 'hls'), { recursive: true, force: true });
  await mkdir(join(outDir, 'hls'), { recursive: true });
  await runFfmpeg(
    deps.ffmpeg,
    [
      '-i',
      join(deps.dir, mp4Key),
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      '6',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_filename',
      join(outDir, 'hls', 'piece%04d.ts'),
      join(deps.dir, hlsKey),
    ],
    0,
    () => {},
  );
  await deps.recordings.ready(broadcastId, { mp4Key, hlsKey, durationMs: Math.round(duration * 1000), startedAt: new Date(t0) });
  deps.log.info(
    {
      broadcastId,
      durationSec: duration,
      startedAt: new Date(t0).toISOString(),
      tracks: tracks.map((t) => `${t.kind}:${t.source} ${t.start.toFixed(1)}-${t.end.toFixed(1)}`),
    },
    'replay composed',
  );
}
