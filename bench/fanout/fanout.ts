// Fan-out benchmark: how many consumers of one ~1 Mbps VP8 stream one mediasoup worker core can
// serve, with plain RTP and with SRTP, for two worker binaries, or for two paths (bare mediasoup
// and our media-server broadcast room) on one binary, measured in the same run.
//
//   npx tsx bench/fanout/fanout.ts --old <mediasoup-worker> --new <mediasoup-worker> [options]
//   npx tsx bench/fanout/fanout.ts --compare paths --bin <mediasoup-worker> --modes plain [options]
//
// Written to compare the worker built on Debian's libsrtp2 (NSS crypto) with the one built on a
// static libsrtp2 with OpenSSL crypto (media-server/scripts/build-worker.sh); any two binaries
// work; with --compare paths, side A is the bare script and side B our path, on the same binary.
// Per mode, one agent process per side (measure.ts) sets up a worker pinned to the same
// core, ffmpeg and the sinks; the search below then steps both sides' consumer counts upward
// in lockstep, asking the agents in turn, so that whatever else the machine is doing falls on
// both alike. Nothing is judged against absolute times: the figures are consumer counts at a CPU
// and delivery threshold, and their ratio new/old. See bench/README.md.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AgentConfig, AgentReply, AgentRequest, Mode, Path, StepResult } from './measure.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const AGENT = path.join(HERE, 'measure.ts');

const MODE_ALIASES: Record<string, Mode> = {
  plain: 'plain',
  'aes-cm': 'AES_CM_128_HMAC_SHA1_80',
  AES_CM_128_HMAC_SHA1_80: 'AES_CM_128_HMAC_SHA1_80',
  gcm: 'AEAD_AES_256_GCM',
  AEAD_AES_256_GCM: 'AEAD_AES_256_GCM',
  gcm128: 'AEAD_AES_128_GCM',
  AEAD_AES_128_GCM: 'AEAD_AES_128_GCM',
};

const USAGE = `Usage: npx tsx bench/fanout/fanout.ts --old <worker bin> --new <worker bin> [options]
       npx tsx bench/fanout/fanout.ts --compare paths --bin <worker bin> --modes plain [options]

  --compare WHAT    binaries (default): --old against --new, both on the bare mediasoup path;
                    nodes: one binary (--bin), viewers on the origin node (our path, as with
                    paths) against viewers on a second node, the producer piped there over a
                    PipeTransport pair between nodes (media across nodes); plain mode only;
                    paths: one binary (--bin), the bare mediasoup script against our path (the
                    media-server broadcast room: origin router, pipeToRouter, edge router, all on
                    the one worker); plain mode only (our plain transports have no SRTP)
  --old, --new      the two mediasoup-worker binaries (e.g. the NSS and the OpenSSL build)
  --bin             the mediasoup-worker binary for --compare paths
  --modes LIST      comma-separated: plain, aes-cm, gcm (AES-256), gcm128 (default: plain,aes-cm,gcm)
  --rounds N        repeat the whole comparison N times, best per side wins (default 1)
  --start N         first consumer count (default 50)
  --max N           never go above N consumers (default 4000)
  --window S        seconds counted per window (default 5)
  --cpu-limit F     worker CPU limit, fraction of one core (default 0.9)
  --min-delivery F  delivered fraction needed to pass (default 0.99)
  --max-others F    a window in which other processes took more than this fraction of the
                    worker's core is measured again, up to 3 windows (default 0.15)
  --budget-min M    time budget per side and mode, minutes (default 8)
  --worker-core C   CPU to pin the workers to (default: the last one)
  --bwe             consume with the router's full RTP capabilities (header extensions, so the
                    worker runs bandwidth estimation per consumer, like for browsers); default:
                    codecs only, like an ffmpeg/GStreamer receiver of a PlainTransport
  --nice=N          nice value for the workers, ffmpeg and the sinks (default 0; negative: root)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const log = (message: string) => process.stderr.write(`[fanout] ${message}\n`);

const { values } = parseArgs({
  options: {
    compare: { type: 'string', default: 'binaries' },
    old: { type: 'string' },
    new: { type: 'string' },
    bin: { type: 'string' },
    modes: { type: 'string', default: 'plain,aes-cm,gcm' },
    rounds: { type: 'string', default: '1' },
    start: { type: 'string', default: '50' },
    max: { type: 'string', default: '4000' },
    window: { type: 'string', default: '5' },
    'cpu-limit': { type: 'string', default: '0.9' },
    'min-delivery': { type: 'string', default: '0.99' },
    'max-others': { type: 'string', default: '0.15' },
    'budget-min': { type: 'string', default: '8' },
    'worker-core': { type: 'string' },
    bwe: { type: 'boolean', default: false },
    nice: { type: 'string', default: '0' },
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

/** The two sides of a comparison: A ('old', the reference) and B ('new', compared to A). */
const LABELS = ['old', 'new'] as const;
type Label = (typeof LABELS)[number];
interface Side {
  /** What the table and the logs call it. */
  name: string;
  bin: string;
  path: Path;
}
const comparing = values.compare;
if (comparing !== 'binaries' && comparing !== 'paths' && comparing !== 'nodes') fail('--compare must be binaries, paths or nodes');
let sides: Record<Label, Side>;
if (comparing === 'paths' || comparing === 'nodes') {
  if (values.old || values.new) fail(`--compare ${comparing} takes --bin, not --old/--new`);
  const bin = checkWorker('bin', values.bin);
  sides =
    comparing === 'paths'
      ? { old: { name: 'bare', bin, path: 'bare' }, new: { name: 'ours', bin, path: 'fairground' } }
      : // Viewers on the origin node (our broadcast room, an edge worker fed by pipeToRouter)
        // against viewers on a second node (fed by a pipe between nodes).
        { old: { name: 'origin node', bin, path: 'fairground' }, new: { name: 'second node', bin, path: 'node' } };
} else {
  if (values.bin) fail('--bin is for --compare paths; compare binaries with --old and --new');
  sides = {
    old: { name: 'old', bin: checkWorker('old', values.old), path: 'bare' },
    new: { name: 'new', bin: checkWorker('new', values.new), path: 'bare' },
  };
}
const modes = (values.modes ?? '').split(',').map((name) => {
  const mode = MODE_ALIASES[name.trim()];
  if (!mode) fail(`unknown mode ${name} (use ${Object.keys(MODE_ALIASES).join(', ')})`);
  if (comparing !== 'binaries' && mode !== 'plain') fail(`--compare ${comparing} measures plain RTP only (our plain transports have no SRTP), not ${name}`);
  return mode;
});
const rounds = Math.round(positive('rounds', values.rounds));
const nice = Number(values.nice);
if (!Number.isInteger(nice) || nice < -20 || nice > 19) fail('--nice must be an integer in -20..19');
const cpuCount = os.availableParallelism();
const workerCore = values['worker-core'] !== undefined ? Number(values['worker-core']) : cpuCount - 1;
if (!Number.isInteger(workerCore) || workerCore < 0 || workerCore >= cpuCount) fail(`--worker-core must be in 0..${cpuCount - 1}`);
// Keep the agents, the sinks and ffmpeg off the workers' core (with one core, pin nothing).
const otherCores = Array.from({ length: cpuCount }, (_, cpu) => cpu).filter((cpu) => cpu !== workerCore);

const search = {
  start: Math.round(positive('start', values.start)),
  max: Math.round(positive('max', values.max)),
  growth: 1.25, // coarse steps until a step fails...
  fineGrowth: 1.05, // ...then fine steps from the last pass
  maxSteps: 60,
  budgetMs: positive('budget-min', values['budget-min']) * 60_000,
};
const agentConfig: Omit<AgentConfig, 'mode' | 'clip' | 'path'> = {
  workerCore: cpuCount > 1 ? workerCore : null,
  benchCores: cpuCount > 1 ? otherCores.join(',') : null,
  nice,
  bwe: values.bwe ?? false,
  settleMs: 1_500,
  windowMs: positive('window', values.window) * 1000,
  cpuLimit: positive('cpu-limit', values['cpu-limit']),
  minDelivery: positive('min-delivery', values['min-delivery']),
  maxOthers: positive('max-others', values['max-others']),
  // Both sides' searches, plus set-up and slack.
  maxRunMs: 2 * search.budgetMs + 5 * 60_000,
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
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=30,noise=alls=12:allf=t',
      '-t',
      '10',
      '-an',
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '1M',
      '-minrate',
      '1M',
      '-maxrate',
      '1M',
      '-bufsize',
      '1M',
      '-g',
      '30',
      partial,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not encode the test clip (${result.error?.message ?? `exit ${result.status}`})`);
  renameSync(partial, clip);
  return clip;
}

/** One measure.ts process: a worker binary and a path in one mode, measuring N consumers on request. */
class Agent {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly replies: AgentReply[] = [];
  private waiter: (() => void) | null = null;
  private exited = false;

  constructor(
    readonly label: string,
    bin: string,
    config: AgentConfig,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', AGENT, JSON.stringify(config)], {
      cwd: REPO_ROOT,
      env: { ...process.env, MEDIASOUP_WORKER_BIN: bin, FANOUT_LABEL: label },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.replies.push(JSON.parse(line) as AgentReply);
      this.waiter?.();
    });
    this.child.on('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  /** The next reply, within timeoutMs. */
  async next<Op extends AgentReply['op']>(op: Op, timeoutMs: number): Promise<Extract<AgentReply, { op: Op }>> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.exited) throw new Error(`the ${this.label} agent exited`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the ${this.label} agent did not answer in ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    const reply = this.replies.shift()!;
    if (reply.op !== op) throw new Error(`the ${this.label} agent answered ${reply.op}, expected ${op}`);
    return reply as Extract<AgentReply, { op: Op }>;
  }

  send(request: AgentRequest): void {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
  }

  async measure(consumers: number): Promise<StepResult> {
    this.send({ op: 'measure', consumers });
    // Creating consumers, settling, up to 3 windows: minutes at worst on a busy machine.
    return (await this.next('result', 5 * 60_000)).result;
  }

  async quit(): Promise<{ inputPps: number; inputKbps: number }> {
    this.send({ op: 'quit' });
    const done = await this.next('done', 60_000);
    return { inputPps: done.inputPps, inputKbps: done.inputKbps };
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/**
 * Steps N upward for one binary: x growth until a step fails, then x fineGrowth from the last
 * pass, until the next N would reach the smallest failure. Bounded by steps, max and time.
 */
class Search {
  readonly steps: StepResult[] = [];
  best: StepResult | null = null;
  firstFail: StepResult | null = null;
  stoppedBy: 'resolution' | 'max' | 'steps' | 'budget' | 'none-passed' | null = null;
  private fine = false;
  n = search.start;
  private readonly deadline = Date.now() + search.budgetMs;

  get done(): boolean {
    if (this.stoppedBy === null && this.steps.length >= search.maxSteps) this.stoppedBy = 'steps';
    if (this.stoppedBy === null && Date.now() > this.deadline) this.stoppedBy = 'budget';
    return this.stoppedBy !== null;
  }

  record(result: StepResult): void {
    this.steps.push(result);
    if (result.pass && (!this.best || result.consumers > this.best.consumers)) this.best = result;
    if (!result.pass && (!this.firstFail || result.consumers < this.firstFail.consumers)) this.firstFail = result;

    let next: number;
    if (result.pass) {
      next = Math.max(this.n + 1, Math.ceil(this.n * (this.fine ? search.fineGrowth : search.growth)));
    } else if (!this.best) {
      next = Math.floor(this.n / 2); // even the start failed: step down, then up again
      if (next < 1) {
        this.stoppedBy = 'none-passed';
        return;
      }
    } else {
      this.fine = true;
      next = Math.max(this.best.consumers + 1, Math.ceil(this.best.consumers * search.fineGrowth));
    }
    if (this.firstFail && next >= this.firstFail.consumers) this.stoppedBy = this.best ? 'resolution' : 'none-passed';
    else if (next > search.max) this.stoppedBy = 'max';
    else this.n = next;
  }
}

interface Outcome {
  search: Search;
  inputPps: number;
  inputKbps: number;
}

/** Both sides, one mode: agents side by side, steps in turn. */
async function compare(mode: Mode, clip: string, first: Label): Promise<Record<Label, Outcome>> {
  const order: Label[] = first === 'old' ? ['old', 'new'] : ['new', 'old'];
  const agents = new Map<Label, Agent>();
  try {
    for (const label of order) {
      const side = sides[label];
      agents.set(label, new Agent(side.name, side.bin, { ...agentConfig, mode, clip, path: side.path }));
    }
    for (const agent of agents.values()) await agent.next('ready', 60_000);
    const searches = new Map<Label, Search>(order.map((label) => [label, new Search()]));
    // Lockstep: one step per side in turn, while either search goes on (bounded by maxSteps).
    for (let round = 0; round < search.maxSteps && [...searches.values()].some((s) => !s.done); round++) {
      for (const label of order) {
        const s = searches.get(label)!;
        if (s.done) continue;
        const agent = agents.get(label)!;
        let result = await agent.measure(s.n);
        // A failure counts only if a second measurement agrees: another process may have taken
        // the core for a moment.
        if (!result.pass) {
          const again = await agent.measure(s.n);
          if (again.pass || again.delivery > result.delivery) result = again;
        }
        s.record(result);
      }
    }
    const outcome = {} as Record<Label, Outcome>;
    for (const label of order) {
      const input = await agents.get(label)!.quit();
      outcome[label] = { search: searches.get(label)!, ...input };
    }
    return outcome;
  } finally {
    for (const agent of agents.values()) agent.kill();
  }
}

const clip = prepareClip();
log(`workers pinned to CPU ${agentConfig.workerCore ?? '(none)'}, agents and ffmpeg on CPU ${agentConfig.benchCores ?? '(any)'}`);
for (const label of LABELS) log(`${sides[label].name}: ${sides[label].path} path, ${sides[label].bin}`);

const outcomes = new Map<Mode, Record<Label, Outcome[]>>();
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    // Alternate which side steps first.
    const first: Label = round % 2 === 0 ? 'old' : 'new';
    log(`round ${round + 1}/${rounds}: ${mode}`);
    const outcome = await compare(mode, clip, first);
    const entry = outcomes.get(mode) ?? { old: [], new: [] };
    for (const label of LABELS) entry[label].push(outcome[label]);
    outcomes.set(mode, entry);
  }
}

// Other processes on the machine can only make a step fail early, never pass late: the best
// round is the least disturbed one.
function bestOf(list: Outcome[]): Outcome | undefined {
  return [...list].sort((a, b) => (b.search.best?.consumers ?? 0) - (a.search.best?.consumers ?? 0))[0];
}

function cell(outcome: Outcome | undefined): string {
  const best = outcome?.search.best;
  if (!outcome || !best) return 'none passed';
  const stopped = outcome.search.stoppedBy;
  const capped = stopped === 'max' || stopped === 'budget' || stopped === 'steps' ? '>=' : '';
  return `${capped}${best.consumers} (${(best.cpu * 100).toFixed(0)}% cpu, ${best.cpuUsPerPacket?.toFixed(1) ?? '-'} us/pkt)`;
}

const rows = modes.map((mode) => {
  const entry = outcomes.get(mode)!;
  const old = bestOf(entry.old);
  const neu = bestOf(entry.new);
  const oldBest = old?.search.best;
  const newBest = neu?.search.best;
  const ratio = oldBest && newBest ? (newBest.consumers / oldBest.consumers).toFixed(2) : '-';
  const costRatio = oldBest?.cpuUsPerPacket && newBest?.cpuUsPerPacket ? (oldBest.cpuUsPerPacket / newBest.cpuUsPerPacket).toFixed(2) : '-';
  const all = entry.old.concat(entry.new);
  const kbps = all.map((o) => o.inputKbps);
  const pps = Math.round(all.reduce((sum, o) => sum + o.inputPps, 0) / all.length);
  return [mode, cell(old), cell(neu), ratio, costRatio, `${Math.min(...kbps)}-${Math.max(...kbps)} kbps, ${pps} pps`];
});

const [a, b] = [sides.old.name, sides.new.name];
const header = ['mode', `${a}: consumers/core`, `${b}: consumers/core`, `${b}/${a}`, `cost ${a}/${b}`, 'input'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((text, i) => text.padEnd(widths[i]!)).join(' | ');
process.stdout.write(
  [
    '',
    `Fan-out, one worker core: most consumers with >=${agentConfig.minDelivery * 100}% delivered and worker CPU < ${agentConfig.cpuLimit * 100}% of a core`,
    `consumers: ${agentConfig.bwe ? 'full RTP capabilities (bandwidth estimation on)' : 'codecs only (no bandwidth estimation)'}; ` +
      `nice ${agentConfig.nice}; ${rounds} round(s), best per side`,
    ...LABELS.map((label) => `${sides[label].name} = ${sides[label].path} path, ${sides[label].bin}`),
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map(line),
    '',
    `us/pkt: worker CPU time per delivered packet at that count; cost ${a}/${b}: its ratio. >=: stopped by --max or the budget.`,
    '',
  ].join('\n'),
);
