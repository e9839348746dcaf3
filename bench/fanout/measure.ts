// One fan-out measurement: one mediasoup-worker binary, one mode (plain RTP or an SRTP suite).
//
// Run by fanout.ts, once per (binary, mode), as its own process: mediasoup reads
// MEDIASOUP_WORKER_BIN once, when its module is loaded, so two binaries need two processes.
// This is the "bare mediasoup" baseline, no Fairground code: ffmpeg sends a ~1 Mbps VP8 clip into
// a PlainTransport; N consumers on their own PlainTransports send it to local UDP sinks that count
// the packets. N grows until the worker, pinned to one core, either needs more than cpuLimit of
// that core or delivers less than minDelivery of the packets.
//
// Input: a JSON MeasureConfig as argv[2], MEDIASOUP_WORKER_BIN in the environment.
// Output: progress on stderr; the MeasureResult as the last line of stdout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync, realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { types as ms } from 'mediasoup';

export const MODES = ['plain', 'AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_256_GCM'] as const;
export type Mode = (typeof MODES)[number];

export interface MeasureConfig {
  mode: Mode;
  /** VP8 clip (IVF) that ffmpeg loops, in real time, into the producer. */
  clip: string;
  /** CPU the worker is pinned to; null: no pinning. */
  workerCore: number | null;
  /** taskset CPU list for this process and ffmpeg (the other cores); null: no pinning. */
  benchCores: string | null;
  start: number;
  max: number;
  /** Coarse step factor, then fine step factor once a step has failed. */
  growth: number;
  fineGrowth: number;
  /** Wait after changing N (new consumers wait for a key frame; the clip has one per second). */
  settleMs: number;
  windowMs: number;
  /** Pass: worker CPU below cpuLimit (fraction of one core) and delivery of at least minDelivery. */
  cpuLimit: number;
  minDelivery: number;
  maxSteps: number;
  budgetMs: number;
}

export interface StepResult {
  consumers: number;
  /** Worker CPU time over the window, as a fraction of one core. */
  cpu: number;
  /** Packets the sinks counted / packets they should have (from the RTP sequence numbers). */
  delivery: number;
  delivered: number;
  /** Worker CPU time per delivered packet, in microseconds (null: none delivered). */
  cpuUsPerPacket: number | null;
  /** Packets the kernel dropped on the sink sockets (the bench, not the worker, fell behind). */
  sinkDrops: number;
  /** Packets the kernel dropped on the worker's input socket (the worker fell behind). */
  inputDrops: number;
  pass: boolean;
}

export interface MeasureResult {
  mode: Mode;
  workerBin: string;
  /** The largest N that passed; null if none did. */
  best: StepResult | null;
  /** The smallest N that failed (twice in a row); null if none did. */
  firstFail: StepResult | null;
  stoppedBy: 'resolution' | 'max' | 'steps' | 'budget' | 'none-passed';
  inputKbps: number;
  steps: StepResult[];
}

const log = (message: string) => process.stderr.write(`[fanout] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Sinks: one UDP socket per consumer. Counting the packets and tracking the highest (extended)
// RTP sequence number gives the loss anywhere on the path (ffmpeg -> worker -> sink) without
// any timing skew: the worker keeps the producer's sequence gaps in each consumer's stream.

class Sink {
  readonly socket: dgram.Socket;
  private count = 0;
  private first = -1;
  private highest = -1; // extended sequence number (no 16-bit wrap)

  private constructor(socket: dgram.Socket) {
    this.socket = socket;
    socket.on('message', (packet: Buffer) => this.onPacket(packet));
  }

  static async open(): Promise<Sink> {
    // A bigger receive buffer rides out scheduling hiccups of this (single-threaded) process.
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new Sink(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private onPacket(packet: Buffer): void {
    // RTP version 2; byte 1 in 192..223 is an RTCP packet type (SR, RR, SDES...): skip those.
    if (packet.length < 12 || (packet[0]! & 0xc0) !== 0x80) return;
    const second = packet[1]!;
    if (second >= 192 && second <= 223) return;
    const seq = packet.readUInt16BE(2);
    if (this.first < 0) {
      this.first = this.highest = seq;
    } else {
      const delta = ((seq - (this.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      if (delta > 0) this.highest += delta;
    }
    this.count++;
  }

  /** Starts a new counting window. */
  reset(): void {
    this.count = 0;
    this.first = this.highest = -1;
  }

  totals(): { received: number; expected: number } {
    return { received: this.count, expected: this.count > 0 ? this.highest - this.first + 1 : 0 };
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Kernel counters.

const CLOCK_TICKS = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 });
  const ticks = Number.parseInt(out.stdout ?? '', 10);
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** CPU seconds (user + system, all threads) a process has used: fields 14 and 15 of /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Kernel drop counters of local UDP sockets, by port (the last column of /proc/net/udp). */
function udpDropsByPort(): Map<number, number> {
  const drops = new Map<number, number>();
  const lines = readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const columns = line.trim().split(/\s+/);
    const local = columns[1];
    if (!local || columns.length < 13) continue;
    const port = Number.parseInt(local.split(':')[1] ?? '', 16);
    drops.set(port, (drops.get(port) ?? 0) + Number(columns[columns.length - 1]));
  }
  return drops;
}

function sumDrops(drops: Map<number, number>, ports: Iterable<number>): number {
  let total = 0;
  for (const port of ports) total += drops.get(port) ?? 0;
  return total;
}

function pin(pid: number, cpus: string): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore', timeout: 5_000 });
  if (result.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${pid} failed`);
}

// ---------------------------------------------------------------------------------------------

interface Leg {
  transport: ms.PlainTransport;
  sink: Sink;
}

const SRTP_KEY_BYTES: Record<ms.SrtpCryptoSuite, number> = {
  // master key + master salt
  AES_CM_128_HMAC_SHA1_80: 16 + 14,
  AES_CM_128_HMAC_SHA1_32: 16 + 14,
  AEAD_AES_128_GCM: 16 + 12,
  AEAD_AES_256_GCM: 32 + 12,
};

export async function measure(config: MeasureConfig): Promise<MeasureResult> {
  const deadline = Date.now() + config.budgetMs;
  const mediasoup = await import('mediasoup');
  const workerBin = process.env.MEDIASOUP_WORKER_BIN ?? '(stock)';
  if (config.benchCores !== null) pin(process.pid, config.benchCores);

  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  let workerDied: Error | null = null;
  worker.on('died', (error) => (workerDied = error));
  if (config.workerCore !== null) pin(worker.pid, String(config.workerCore));

  const legs: Leg[] = [];
  let ffmpeg: ChildProcess | null = null;
  try {
    const router = await worker.createRouter({
      mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 }],
    });

    // The input: plain RTP from ffmpeg. comedia: the worker learns ffmpeg's address from its first
    // packet. ffmpeg sends RTCP to a port of its own choosing (rtcpport), hence no rtcpMux.
    const input = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: true,
    });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 11111111 }],
      },
    });
    const rtpPort = input.tuple.localPort;
    const rtcpPort = input.rtcpTuple?.localPort ?? rtpPort + 1;

    // -re: real time; -stream_loop -1 with -t: loop the clip for at most the time budget.
    const ffmpegArgs = [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-re', '-stream_loop', '-1', '-i', config.clip,
      '-t', String(Math.ceil(config.budgetMs / 1000) + 30),
      '-an', '-c:v', 'copy',
      '-f', 'rtp', '-payload_type', '101', '-ssrc', '11111111',
      `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ];
    ffmpeg = config.benchCores !== null
      ? spawn('taskset', ['-c', config.benchCores, 'ffmpeg', ...ffmpegArgs], { stdio: ['ignore', 'ignore', 'inherit'] })
      : spawn('ffmpeg', ffmpegArgs, { stdio: ['ignore', 'ignore', 'inherit'] });

    // Wait (bounded) for the stream to reach the producer.
    for (let i = 0; i < 100; i++) {
      const [stat] = await producer.getStats();
      if ((stat?.packetCount ?? 0) > 50) break;
      if (i === 99) throw new Error('no RTP from ffmpeg reached the producer in 10 s');
      await sleep(100);
    }

    const suite = config.mode === 'plain' ? null : config.mode;

    async function addLeg(): Promise<Leg> {
      const sink = await Sink.open();
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        ...(suite ? { enableSrtp: true, srtpCryptoSuite: suite } : {}),
      });
      // The worker encrypts with its own key (transport.srtpParameters); the remote key given
      // here would decrypt what the sink sends, which is nothing. Any key of the right size does.
      await transport.connect({
        ip: '127.0.0.1',
        port: sink.port,
        ...(suite
          ? { srtpParameters: { cryptoSuite: suite, keyBase64: randomBytes(SRTP_KEY_BYTES[suite]).toString('base64') } }
          : {}),
      });
      await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      return { transport, sink };
    }

    async function setConsumers(n: number): Promise<void> {
      while (legs.length > n) {
        const leg = legs.pop()!;
        leg.transport.close();
        leg.sink.close();
      }
      // Create in batches: concurrent channel requests, but not thousands at once.
      for (let batches = 0; legs.length < n && batches < 10_000; batches++) {
        const batch = Math.min(25, n - legs.length);
        legs.push(...(await Promise.all(Array.from({ length: batch }, addLeg))));
      }
    }

    async function measureStep(): Promise<StepResult> {
      await sleep(config.settleMs);
      for (const leg of legs) leg.sink.reset();
      const drops0 = udpDropsByPort();
      const cpu0 = cpuSeconds(worker.pid);
      const t0 = performance.now();
      await sleep(config.windowMs);
      const cpu1 = cpuSeconds(worker.pid);
      const t1 = performance.now();
      const drops1 = udpDropsByPort();
      if (workerDied) throw workerDied;

      let received = 0;
      let expected = 0;
      let mostExpected = 0;
      let silent = 0;
      for (const leg of legs) {
        const totals = leg.sink.totals();
        received += totals.received;
        expected += totals.expected;
        mostExpected = Math.max(mostExpected, totals.expected);
        if (totals.received === 0) silent++;
      }
      // A sink that got nothing should have got as much as the best one.
      expected += silent * mostExpected;
      const sinkPorts = legs.map((leg) => leg.sink.port);
      const cpuTime = cpu1 - cpu0;
      const cpu = cpuTime / ((t1 - t0) / 1000);
      const delivery = expected > 0 ? Math.min(1, received / expected) : 0;
      return {
        consumers: legs.length,
        cpu,
        delivery,
        delivered: received,
        cpuUsPerPacket: received > 0 ? (cpuTime * 1e6) / received : null,
        sinkDrops: sumDrops(drops1, sinkPorts) - sumDrops(drops0, sinkPorts),
        inputDrops: sumDrops(drops1, [rtpPort]) - sumDrops(drops0, [rtpPort]),
        pass: cpu < config.cpuLimit && delivery >= config.minDelivery,
      };
    }

    const describe = (r: StepResult) =>
      `N=${r.consumers} cpu=${(r.cpu * 100).toFixed(1)}% delivery=${(r.delivery * 100).toFixed(2)}% ` +
      `${r.cpuUsPerPacket?.toFixed(2) ?? '-'} us/pkt drops(sink/input)=${r.sinkDrops}/${r.inputDrops} ${r.pass ? 'pass' : 'FAIL'}`;

    // Step N upward: coarse steps (x growth) until a step fails, then fine steps (x fineGrowth)
    // from the last pass. A failure is measured twice before it counts (another process may have
    // taken the core for a moment). Bounded by maxSteps, max and the time budget.
    const steps: StepResult[] = [];
    let best: StepResult | null = null;
    let firstFail: StepResult | null = null;
    let fine = false;
    let n = Math.max(1, config.start);
    let stoppedBy: MeasureResult['stoppedBy'] = 'steps';
    for (let step = 0; step < config.maxSteps; step++) {
      if (Date.now() > deadline) {
        stoppedBy = 'budget';
        break;
      }
      await setConsumers(n);
      let result = await measureStep();
      log(`${config.mode}: ${describe(result)}`);
      if (!result.pass) {
        const again = await measureStep();
        log(`${config.mode}: ${describe(again)} (again)`);
        if (again.pass || again.delivery > result.delivery) result = again;
      }
      steps.push(result);

      if (result.pass) {
        if (!best || result.consumers > best.consumers) best = result;
      } else if (!firstFail || result.consumers < firstFail.consumers) {
        firstFail = result;
      }

      let next: number;
      if (result.pass) {
        next = Math.max(n + 1, Math.ceil(n * (fine ? config.fineGrowth : config.growth)));
      } else if (!best) {
        next = Math.floor(n / 2); // even the start failed: step down once, then up again
        if (next < 1) {
          stoppedBy = 'none-passed';
          break;
        }
      } else {
        fine = true;
        next = Math.max(best.consumers + 1, Math.ceil(best.consumers * config.fineGrowth));
      }
      if (firstFail && next >= firstFail.consumers) {
        stoppedBy = 'resolution';
        break;
      }
      if (next > config.max) {
        stoppedBy = 'max';
        break;
      }
      n = next;
    }

    const [stat] = await producer.getStats();
    return {
      mode: config.mode,
      workerBin,
      best,
      firstFail,
      stoppedBy: best ? stoppedBy : 'none-passed',
      inputKbps: Math.round((stat?.bitrate ?? 0) / 1000),
      steps,
    };
  } finally {
    ffmpeg?.kill('SIGKILL');
    worker.close();
    for (const leg of legs) leg.sink.close();
  }
}

// Run as a script (by fanout.ts): measure, print the result as one JSON line, exit.
function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const config = JSON.parse(process.argv[2] ?? '') as MeasureConfig;
  measure(config).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
