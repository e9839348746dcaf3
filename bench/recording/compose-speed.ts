/**
 * How fast a replay is composed (issue 14): N seconds of 720p recorded input (a host's camera, a
 * screen share over its second half and a microphone, as the recorder writes them: Matroska VP8 and
 * Opus) through `composeReplay` (MP4 and HLS), its ffmpeg held to ONE core (`taskset -c 0`).
 * Printed: media seconds per wall second and per CPU second of the composition's processes (the
 * waited-for children's time from /proc/self/stat). Target: faster than real time (> 1x) on one core.
 *
 *   npx tsx bench/recording/compose-speed.ts [--seconds 60]
 *
 * On a loaded machine the wall figure understates (other processes share core 0); the CPU figure
 * is what one core of its own would do.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RecordingSegment } from '@fairground/core';
import { composeReplay } from '../../signaling/src/recording/compose.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
const seconds = Number(values.seconds);
const log = (m: string) => process.stderr.write(`[compose-speed] ${m}\n`);
const dir = mkdtempSync(join(tmpdir(), 'fairground-compose-bench-'));
mkdirSync(join(dir, 'segments'));

/** Writes a recorded-like input (not measured): VP8 or Opus in Matroska, as the recorder's copies are. */
function input(name: string, source: string, length: number): string {
  const key = `segments/${name}.mkv`;
  const args = source.startsWith('sine')
    ? ['-f', 'lavfi', '-i', `${source}:sample_rate=48000`, '-t', String(length), '-c:a', 'libopus', '-b:a', '32k']
    : ['-f', 'lavfi', '-i', source, '-t', String(length), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1500k'];
  const out = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, join(dir, key)]);
  if (out.status !== 0) throw new Error(String(out.stderr));
  return key;
}
log(`writing ${seconds}s of 720p input…`);
const t0 = new Date('2026-01-01T10:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const half = Math.floor(seconds / 2);
const segment = (id: string, source: string, kind: 'audio' | 'video', fileKey: string, from: number, to: number): RecordingSegment =>
  ({
    id,
    broadcastId: 'bench',
    producerId: id,
    peerId: 'host',
    userId: 'host',
    source,
    kind,
    codec: kind === 'video' ? 'vp8' : 'opus',
    nodeId: 'bench',
    fileKey,
    startedAt: at(from),
    endedAt: at(to),
    bytes: 1,
  }) as RecordingSegment;
const segments = [
  segment('cam', 'camera', 'video', input('camera', 'testsrc=size=1280x720:rate=25', seconds), 0, seconds),
  segment('mic', 'mic', 'audio', input('mic', 'sine=frequency=440', seconds), 0, seconds),
  segment('scr', 'screen', 'video', input('screen', 'testsrc2=size=1280x720:rate=15', seconds - half), half, seconds),
];

// ffmpeg on one core: a wrapper composeReplay runs as its ffmpeg.
const oneCore = join(dir, 'ffmpeg-one-core.sh');
writeFileSync(oneCore, '#!/bin/sh\nexec taskset -c 0 ffmpeg "$@"\n');
chmodSync(oneCore, 0o755);

/** CPU seconds of this process's waited-for children (cutime + cstime, fields 16 and 17). */
function childCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

let progress = 0;
const cpu0 = childCpu();
const wall0 = performance.now();
await composeReplay(
  {
    recordings: {
      segments: async () => segments,
      composing: async (_id: string, p: number) => void (progress = p),
      ready: async () => true,
      failed: async (_id: string, e: string) => {
        throw new Error(e);
      },
    },
    dir,
    ffmpeg: oneCore,
    log: { info() {}, warn() {} } as never,
    hosts: async () => ['host'],
  },
  'bench',
  at(seconds),
);
const wall = (performance.now() - wall0) / 1000;
const cpu = childCpu() - cpu0;
console.log(`composed ${seconds}s of 720p (camera, screen for the second half, mic) into MP4 + HLS on one core (last progress ${progress}%)`);
console.log(
  `wall ${wall.toFixed(1)}s: ${(seconds / wall).toFixed(2)}x real time; CPU ${cpu.toFixed(1)}s: ${(seconds / cpu).toFixed(2)}x real time per core (target > 1x)`,
);
