// Fan-out benchmark: how many consumers of one ~1 Mbps VP8 stream one mediasoup worker core can
// serve, with plain RTP and with SRTP, for two worker binaries measured in the same run.
//
//   npx tsx bench/fanout/fanout.ts --old <mediasoup-worker> --new <mediasoup-worker> [options]
//
// Written to compare the worker built on Debian's libsrtp2 (NSS crypto) with the one built on a
// static libsrtp2 with OpenSSL crypto (media-server/scripts/build-worker.sh), but any two
// binaries work. Each (mode, binary) pair runs in its own process (measure.ts); the binaries
// alternate within a mode, and their order flips every round, so both see the same machine.
// Nothing here is judged against absolute times: the figures are consumer counts at a CPU and
// delivery threshold, and the ratio new/old. See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { MeasureConfig, MeasureResult, Mode } from './measure.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const MEASURE = path.join(HERE, 'measure.ts');

const MODE_ALIASES: Record<string, Mode> = {
  plain: 'plain',
  'aes-cm': 'AES_CM_128_HMAC_SHA1_80',
  AES_CM_128_HMAC_SHA1_80: 'AES_CM_128_HMAC_SHA1_80',
  gcm: 'AEAD_AES_256_GCM',
  AEAD_AES_256_GCM: 'AEAD_AES_256_GCM',
};

const USAGE = `Usage: npx tsx bench/fanout/fanout.ts --old <worker bin> --new <worker bin> [options]

  --old, --new      the two mediasoup-worker binaries (e.g. the NSS and the OpenSSL build)
  --modes LIST      comma-separated: plain, aes-cm, gcm (default: all three)
  --rounds N        repeat the whole comparison N times, best per binary wins (default 1)
  --start N         first consumer count (default 50)
  --max N           never go above N consumers (default 4000)
  --window S        seconds counted per step (default 5)
  --cpu-limit F     worker CPU limit, fraction of one core (default 0.9)
  --min-delivery F  delivered fraction needed to pass (default 0.99)
  --budget-min M    time budget per (mode, binary) search, minutes (default 8)
  --worker-core C   CPU to pin the worker to (default: the last one)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const log = (message: string) => process.stderr.write(`[fanout] ${message}\n`);

const { values } = parseArgs({
  options: {
    old: { type: 'string' },
    new: { type: 'string' },
    modes: { type: 'string', default: 'plain,aes-cm,gcm' },
    rounds: { type: 'string', default: '1' },
    start: { type: 'string', default: '50' },
    max: { type: 'string', default: '4000' },
    window: { type: 'string', default: '5' },
    'cpu-limit': { type: 'string', default: '0.9' },
    'min-delivery': { type: 'string', default: '0.99' },
    'budget-min': { type: 'string', default: '8' },
    'worker-core': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number (got ${text})`);
  return value;
}

/** The worker exits with code 41 when started without MEDIASOUP_VERSION (worker/src/main.cpp). */
function checkWorker(label: string, bin: string | undefined): string {
  if (!bin) fail(`--${label} is required`);
  const resolved = path.resolve(bin);
  const result = spawnSync(resolved, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  if (result.status !== 41) fail(`--${label} ${resolved} is not a runnable mediasoup-worker (${result.error?.message ?? `exit ${result.status}`})`);
  return resolved;
}

const binaries = { old: checkWorker('old', values.old), new: checkWorker('new', values.new) };
const modes = (values.modes ?? '').split(',').map((name) => {
  const mode = MODE_ALIASES[name.trim()];
  if (!mode) fail(`unknown mode ${name} (use ${Object.keys(MODE_ALIASES).join(', ')})`);
  return mode;
});
const rounds = Math.round(positive('rounds', values.rounds));
const cpuCount = os.availableParallelism();
const workerCore = values['worker-core'] !== undefined ? Math.round(Number(values['worker-core'])) : cpuCount - 1;
if (!(workerCore >= 0 && workerCore < cpuCount)) fail(`--worker-core must be in 0..${cpuCount - 1}`);
// Keep this process, the sinks and ffmpeg off the worker's core (with one core, pin nothing).
const otherCores = Array.from({ length: cpuCount }, (_, cpu) => cpu).filter((cpu) => cpu !== workerCore);

const budgetMs = positive('budget-min', values['budget-min']) * 60_000;
const baseConfig: Omit<MeasureConfig, 'mode' | 'clip'> = {
  workerCore: cpuCount > 1 ? workerCore : null,
  benchCores: cpuCount > 1 ? otherCores.join(',') : null,
  start: Math.round(positive('start', values.start)),
  max: Math.round(positive('max', values.max)),
  growth: 1.25,
  fineGrowth: 1.05,
  settleMs: 2_500,
  windowMs: positive('window', values.window) * 1000,
  cpuLimit: positive('cpu-limit', values['cpu-limit']),
  minDelivery: positive('min-delivery', values['min-delivery']),
  maxSteps: 60,
  budgetMs,
};

/**
 * A 10 s, 640x360, 30 fps VP8 clip at ~1 Mbps with a key frame every second, encoded once and
 * looped by ffmpeg with -c copy: encoding live would cost a good part of a core on this machine,
 * next to the worker. The noise filter keeps libvpx from undershooting the bitrate.
 */
function prepareClip(): string {
  const dir = path.join(os.tmpdir(), 'fairground-bench');
  const clip = path.join(dir, 'fanout-vp8-640x360-30fps-1mbps-g30.ivf');
  if (existsSync(clip)) return clip;
  mkdirSync(dir, { recursive: true });
  log(`encoding the test clip ${clip} (once)`);
  const partial = `${clip}.${process.pid}.partial.ivf`;
  const result = spawnSync(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30,noise=alls=12:allf=t',
      '-t', '10', '-an',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8',
      '-b:v', '1M', '-minrate', '1M', '-maxrate', '1M', '-bufsize', '1M', '-g', '30',
      partial,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not encode the test clip (${result.error?.message ?? `exit ${result.status}`})`);
  renameSync(partial, clip);
  return clip;
}

/** Runs measure.ts for one (binary, mode) in its own process; resolves to its result. */
function runMeasure(bin: string, config: MeasureConfig): Promise<MeasureResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MEASURE, JSON.stringify(config)], {
      cwd: REPO_ROOT,
      env: { ...process.env, MEDIASOUP_WORKER_BIN: bin },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The search stops itself at its budget; this is the backstop.
    const timer = setTimeout(() => child.kill('SIGKILL'), config.budgetMs + 120_000);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1);
      if (code !== 0 || !last) {
        reject(new Error(`measure.ts (${config.mode}, ${bin}) ${signal ? `killed by ${signal}` : `exited with ${code}`}`));
        return;
      }
      resolve(JSON.parse(last) as MeasureResult);
    });
  });
}

const clip = prepareClip();
log(`worker pinned to CPU ${baseConfig.workerCore ?? '(none)'}, bench and ffmpeg on CPU ${baseConfig.benchCores ?? '(any)'}`);
log(`old: ${binaries.old}`);
log(`new: ${binaries.new}`);

type Label = keyof typeof binaries;
const results = new Map<Mode, Record<Label, MeasureResult[]>>();
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const order: Label[] = round % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const label of order) {
      log(`round ${round + 1}/${rounds}, ${mode}, ${label} worker`);
      const result = await runMeasure(binaries[label], { ...baseConfig, mode, clip });
      const entry = results.get(mode) ?? { old: [], new: [] };
      entry[label].push(result);
      results.set(mode, entry);
    }
  }
}

// Other processes on the machine can only make a step fail early, never pass late: the best
// round is the least disturbed one.
function bestOf(list: MeasureResult[]): MeasureResult | undefined {
  return [...list].sort((a, b) => (b.best?.consumers ?? 0) - (a.best?.consumers ?? 0))[0];
}

function cell(result: MeasureResult | undefined): string {
  const best = result?.best;
  if (!result || !best) return 'none passed';
  const capped = result.stoppedBy === 'max' || result.stoppedBy === 'budget' || result.stoppedBy === 'steps' ? '>=' : '';
  return `${capped}${best.consumers} (${(best.cpu * 100).toFixed(0)}% cpu, ${best.cpuUsPerPacket?.toFixed(1) ?? '-'} us/pkt)`;
}

const rows = modes.map((mode) => {
  const entry = results.get(mode)!;
  const old = bestOf(entry.old);
  const neu = bestOf(entry.new);
  const ratio = old?.best && neu?.best ? (neu.best.consumers / old.best.consumers).toFixed(2) : '-';
  const costRatio =
    old?.best?.cpuUsPerPacket && neu?.best?.cpuUsPerPacket
      ? (old.best.cpuUsPerPacket / neu.best.cpuUsPerPacket).toFixed(2)
      : '-';
  const input = Math.max(...entry.old.concat(entry.new).map((r) => r.inputKbps));
  return [mode, cell(old), cell(neu), ratio, costRatio, `${input}`];
});

const header = ['mode', 'old: consumers/core', 'new: consumers/core', 'new/old', 'cost old/new', 'input kbps'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((text, i) => text.padEnd(widths[i]!)).join(' | ');
process.stdout.write(
  [
    '',
    `Fan-out, one worker core: most consumers with >=${baseConfig.minDelivery * 100}% delivered and worker CPU < ${baseConfig.cpuLimit * 100}% of a core`,
    `old = ${binaries.old}`,
    `new = ${binaries.new}`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map(line),
    '',
    'us/pkt: worker CPU time per delivered packet at that count; cost old/new: its ratio.',
    '',
  ].join('\n'),
);
