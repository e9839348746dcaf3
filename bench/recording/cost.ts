/**
 * What recording costs a live broadcast (issue 14): the same broadcast (a host's camera and a
 * screen share, real RTP from ffmpeg encoders into the platform's mediasoup worker) with recording
 * off and on, in the same run, alternating. Counted: the worker's CPU, and with recording on the
 * recorder's ffmpeg processes too (from /proc/<pid>/stat; the senders are not counted). Printed as %
 * of one core, and the difference recording makes. Target: under 5% of one core.
 *
 *   npx tsx bench/recording/cost.ts [--window 20] [--rounds 2]
 *
 * Runs the platform in this process on the embedded database (PGlite), no web build.
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { MediaServer } from '@fairground/media-server';
import { createPlatform } from '../../signaling/src/server.ts';
import { loadConfig } from '../../signaling/src/config.ts';
import { configureLogging } from '../../signaling/src/logger.ts';
import { fixtures } from '../../test/fixtures.ts';
import { senderRtp, startRtpSender } from '../../test/rtp-sender.ts';
import { ensureWorker } from '../../media-server/scripts/ensure-worker.mjs';

const { values } = parseArgs({ options: { window: { type: 'string', default: '20' }, rounds: { type: 'string', default: '2' } } });
const windowSec = Number(values.window);
const rounds = Number(values.rounds);
const log = (m: string) => process.stderr.write(`[recording-cost] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used: fields 14 and 15 of /proc/<pid>/stat; 0 once gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** The recorder's ffmpeg processes: those writing under this run's DATA_DIR. */
function recorderPids(dataDir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.split('\0')[0]!.endsWith('ffmpeg') && cmd.includes(dataDir)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const dataDir = mkdtempSync(join(tmpdir(), 'fairground-rec-bench-'));
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: '',
  DATA_DIR: dataDir,
  SEED_DEMO: 'false',
  MEDIA_WORKERS: '1',
  MEDIASOUP_WORKER_BIN: await ensureWorker({ log }),
  CLOCK_INTERVAL_MS: '0',
  WEBHOOK_POLL_MS: '0',
  LOG_LEVEL: 'silent',
});
// The platform's loggers take the level the config names only once told (main.ts does the same).
configureLogging(config.LOG_LEVEL);
const platform = await createPlatform(config);
await platform.listen();
const media = platform.media as MediaServer;
const f = fixtures(platform.database.db);
const host = await f.account('organizer');
const workerPid = (await media.stats()).workerPids[0]!;

/** One broadcast live for a window: camera 640x480 and screen 1280x720, VP8 from real encoders. */
async function measure(recorded: boolean): Promise<{ worker: number; ffmpeg: number; segments: number }> {
  const broadcast = await f.onAirBroadcast(host.id);
  if (!recorded) await platform.services.recordings.setEnabled(host, broadcast.id, false);
  const roomId = `broadcast:${broadcast.id}`;
  const senders = [];
  for (const [source, picture, ssrc] of [
    ['camera', 'testsrc=size=640x480:rate=25', 3000],
    ['screen', 'testsrc2=size=1280x720:rate=15', 3001],
  ] as const) {
    const peer = `bench-${source}`;
    const t = await media.createPlainTransport({ kind: 'broadcast', id: roomId }, peer, 'send', { comedia: true, rtcpMux: false });
    await media.produce(roomId, peer, t.id, 'video', senderRtp.video(ssrc), { source, userId: host.id });
    senders.push(startRtpSender('video', t.port, ssrc, t.rtcpPort!, picture));
  }
  await sleep(4000); // the taps start and the encoders settle
  const pids = recorded ? recorderPids(dataDir) : [];
  const before = { worker: cpuSeconds(workerPid), ffmpeg: pids.reduce((s, p) => s + cpuSeconds(p), 0) };
  const t0 = performance.now();
  await sleep(windowSec * 1000);
  const wall = (performance.now() - t0) / 1000;
  const after = { worker: cpuSeconds(workerPid), ffmpeg: pids.reduce((s, p) => s + cpuSeconds(p), 0) };
  for (const p of await media.producers(roomId)) await media.closePeer(roomId, p.peerId);
  await Promise.all(senders.map((s) => s.stop()));
  await sleep(1000);
  return {
    worker: ((after.worker - before.worker) / wall) * 100,
    ffmpeg: ((after.ffmpeg - before.ffmpeg) / wall) * 100,
    segments: (await platform.services.recordings.segments(broadcast.id)).length,
  };
}

const off: number[] = [];
const on: Array<{ worker: number; ffmpeg: number }> = [];
for (let r = 0; r < rounds; r++) {
  const a = await measure(false);
  log(`round ${r + 1} not recorded: worker ${a.worker.toFixed(2)}% (segments ${a.segments})`);
  off.push(a.worker);
  const b = await measure(true);
  log(`round ${r + 1} recorded: worker ${b.worker.toFixed(2)}%, recorder ffmpeg ${b.ffmpeg.toFixed(2)}% (segments ${b.segments})`);
  on.push(b);
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const baseline = mean(off);
const recordedTotal = mean(on.map((x) => x.worker + x.ffmpeg));
const added = recordedTotal - baseline;
console.log(`not recorded: worker ${baseline.toFixed(2)}% of one core`);
console.log(
  `recorded:     worker ${mean(on.map((x) => x.worker)).toFixed(2)}% + recorder ffmpeg ${mean(on.map((x) => x.ffmpeg)).toFixed(2)}% = ${recordedTotal.toFixed(2)}% of one core`,
);
console.log(`recording adds ${added.toFixed(2)}% of one core (target < 5%); recorded/not recorded = ${(recordedTotal / baseline).toFixed(2)}x`);
await platform.close();
process.exit(0);
