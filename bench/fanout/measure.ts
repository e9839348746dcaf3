// The measuring agent of the fan-out benchmark: one mediasoup-worker binary, one mode (plain RTP
// or an SRTP suite), one path, one process. fanout.ts runs two of them side by side (old and new
// binary, or the bare and the fairground path) and asks them, in turn, to measure N consumers: see
// fanout.ts for the search and the why.
// Its own process because mediasoup reads MEDIASOUP_WORKER_BIN once, when its module is loaded.
//
// ffmpeg sends a ~1 Mbps VP8 clip into a PlainTransport; N consumers on their own PlainTransports
// send it to a local UDP sink, while the worker is pinned to one core and its CPU time is read
// from /proc. Two paths:
// - bare: mediasoup only, no Fairground code: one router, the producer and the consumers on it.
// - node: the viewers on a second node (media across nodes, issue 13): the same broadcast room on
//   two "nodes", the origin's (ffmpeg publishes there, on an unmeasured worker) and the viewers'
//   (its router on the measured worker), the producer brought over a PipeTransport pair with the
//   messages signaling relays between nodes (openPipe both ways, exportProducer, importProducer),
//   then every viewer consumes the import on the viewers' node.
// - fairground: our media-server package's broadcast room (BroadcastRoom, what createMediaServer
//   runs broadcasts with): the producer on the origin router of a second, unmeasured worker, every
//   viewer on the edge router of the measured worker, fed by pipeToRouter; all made, connected,
//   consumed, resumed and counted through the room's API (createPlainTransport,
//   connectPlainTransport, produce, consume, resumeConsumer, consumerStats, closePeer).
//
// Protocol: config as JSON in argv[2], MEDIASOUP_WORKER_BIN in the environment. Requests are JSON
// lines on stdin, replies JSON lines on stdout (logs on stderr):
//   (on start)                         -> {"op":"ready"}
//   {"op":"measure","consumers":N}     -> {"op":"result","result":StepResult}
//   {"op":"quit"} (or stdin closed)    -> {"op":"done","inputPps":...,"inputKbps":...}, exit
// Between requests the producer is paused (fairground: the relay forwards nothing), so this worker
// idles while the other one measures.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types as ms } from 'mediasoup';
import { BroadcastRoom, type WorkerHandle } from '../../media-server/src/broadcast-room.ts';
import { mediaCodecs } from '../../media-server/src/codecs.ts';
import { LOOPBACK_PIPES, type PipeOptions } from '../../media-server/src/room-pipes.ts';
import { DEFAULT_MEDIA_LIMITS } from '../../media-server/src/types.ts';

export type Mode = 'plain' | 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM' | 'AEAD_AES_256_GCM';

/**
 * bare: mediasoup only; fairground: our broadcast room (origin router, pipe, edge router); node:
 * the viewers on a second node, fed over a pipe between nodes (media across nodes).
 */
export type Path = 'bare' | 'fairground' | 'node';

export interface AgentConfig {
  mode: Mode;
  path: Path;
  /** VP8 clip (IVF) that ffmpeg loops, in real time, into the producer. */
  clip: string;
  /** CPU the worker is pinned to; null: no pinning. */
  workerCore: number | null;
  /** taskset CPU list for this process and ffmpeg (the other cores); null: no pinning. */
  benchCores: string | null;
  /** Nice value for the worker, ffmpeg and this process (0: leave it; negative needs root). */
  nice: number;
  /**
   * Consume with the router's full RTP capabilities, header extensions included, like a browser
   * (the worker then runs send-side bandwidth estimation per consumer transport). Default: codecs
   * only, like an ffmpeg or GStreamer receiver of a PlainTransport.
   */
  bwe: boolean;
  /** Wait after every consumer forwards again, before a window (steady state). */
  settleMs: number;
  windowMs: number;
  /** Pass: worker CPU below cpuLimit (fraction of one core) and delivery of at least minDelivery. */
  cpuLimit: number;
  minDelivery: number;
  /**
   * A window in which other processes used more than this fraction of the worker's core is
   * "disturbed" and measured again (up to 3 windows; the least disturbed one counts).
   */
  maxOthers: number;
  /** Backstop: the agent cleans up and exits after this long, whatever happens. */
  maxRunMs: number;
}

export interface StepResult {
  consumers: number;
  /** Worker CPU time over the window, as a fraction of one core. */
  cpu: number;
  /** Packets the consumers sent / (packets relayed into the worker x consumers), same window. */
  delivery: number;
  delivered: number;
  /** Worker CPU time per delivered packet, in microseconds (null: none delivered). */
  cpuUsPerPacket: number | null;
  /** CPU time other processes (and the hypervisor: steal) took on the worker's core, fraction. */
  coreOthers: number | null;
  /** Windows measured for this result (more than 1: the first ones were disturbed). */
  windows: number;
  /** Packets the kernel dropped on the worker's input socket. */
  inputDrops: number;
  pass: boolean;
}

export type AgentRequest = { op: 'measure'; consumers: number } | { op: 'quit' };
export type AgentReply = { op: 'ready' } | { op: 'result'; result: StepResult } | { op: 'done'; inputPps: number; inputKbps: number };

const log = (message: string) => process.stderr.write(`[fanout] ${message}\n`);
const reply = (message: AgentReply) => process.stdout.write(`${JSON.stringify(message)}\n`);

// ---------------------------------------------------------------------------------------------
// Counting. ffmpeg sends to a relay socket here, which forwards every packet to the worker and
// counts it: the ground truth of what the worker was given. What came out is the consumers' own
// count of RTP packets sent (consumer.getStats(), outbound-rtp packetCount), read while the
// stream is paused and the worker has drained (drainedSentPackets). A window opens and closes with the relay paused for GRACE_MS, so that every
// packet relayed in the window has had GRACE_MS to be sent and none from outside it is counted:
// delivery = packets sent / (relayed x N): packets the worker dropped (e.g. its input socket
// overflowed, or a consumer dropped them) are missing.
//
// The consumers all send to one sink socket that is never read: the kernel drops what does not
// fit in its buffer. Counting in this (single-threaded, Node) process, one 'message' event per
// packet, could not keep up with tens of thousands of packets a second on a shared core, and a
// late count looked like a loss of the worker's.

const GRACE_MS = 300;

async function bindUdp(recvBufferSize: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

/** Where every consumer sends: bound, never read (see above). */
async function openSink(): Promise<dgram.Socket> {
  return bindUdp(64 * 1024);
}

class Relay {
  /** Off: packets from ffmpeg are dropped here (the worker sees a gap in the sequence numbers). */
  forwarding = true;
  /** Like forwarding, for a path that cannot pause its producer: idle between requests. */
  idle = false;
  count = 0;
  bytes = 0;

  private constructor(
    readonly socket: dgram.Socket,
    target: number,
  ) {
    socket.on('message', (packet: Buffer) => {
      if (!this.forwarding || this.idle) return;
      this.count++;
      this.bytes += packet.length;
      socket.send(packet, target, '127.0.0.1');
    });
  }

  static async open(target: number): Promise<Relay> {
    return new Relay(await bindUdp(1 << 20), target);
  }

  get port(): number {
    return this.socket.address().port;
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

/**
 * Seconds one CPU spent running processes (user, nice, system) or stolen by the hypervisor,
 * from /proc/stat. Interrupt and softirq time are left out: much of it is the worker's own
 * (loopback delivery of what it sends), accounted to the core rather than to the process.
 */
function coreTaskSeconds(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return Number.NaN;
  const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (steal ?? 0)) / CLOCK_TICKS;
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

/** Sets the nice value of every thread of a process (on Linux, nice is per thread). */
function renice(pid: number, nice: number): void {
  const tids = readdirSync(`/proc/${pid}/task`);
  const result = spawnSync('renice', ['-n', String(nice), '-p', ...tids], { stdio: 'ignore', timeout: 5_000 });
  if (result.status !== 0) throw new Error(`renice -n ${nice} -p ${tids.join(' ')} failed (negative values need root)`);
}

// ---------------------------------------------------------------------------------------------

/** One consumer and its transport, whichever path made them. */
interface Leg {
  /** RTP packets the consumer has sent so far (retransmissions not counted). */
  sent(): Promise<number>;
  close(): void;
}

/** What a path sets up on the worker: the input (ffmpeg's PlainTransport and producer) and legs. */
interface Fanout {
  /** RTP and RTCP ports of the input transport (comedia, rtcpMux off). */
  rtpPort: number;
  rtcpPort: number;
  /** True once the producer has received some of ffmpeg's packets. */
  receiving(): Promise<boolean>;
  /** Stops/restarts forwarding between requests; null: the path cannot, the relay idles instead. */
  pause: (() => Promise<void>) | null;
  resume: (() => Promise<void>) | null;
  /** A consumer of the producer on its own PlainTransport, sending to the sink. */
  addLeg(sinkPort: number): Promise<Leg>;
  close(): void;
}

const SRTP_KEY_BYTES: Record<ms.SrtpCryptoSuite, number> = {
  // master key + master salt
  AES_CM_128_HMAC_SHA1_80: 16 + 14,
  AES_CM_128_HMAC_SHA1_32: 16 + 14,
  AEAD_AES_128_GCM: 16 + 12,
  AEAD_AES_256_GCM: 32 + 12,
};

const PRODUCER_RTP: ms.RtpParameters = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: 11111111 }],
};

/**
 * Without header extensions (transport-cc, abs-send-time) no bandwidth estimation runs: its
 * per-packet bookkeeping is the same for both sides and would only dilute what is compared.
 */
function consumerCapabilities(routerCapabilities: ms.RtpCapabilities, bwe: boolean): ms.RtpCapabilities {
  return bwe ? routerCapabilities : { codecs: routerCapabilities.codecs ?? [], headerExtensions: [] };
}

/** Bare mediasoup: one router with VP8 only, the producer and the consumers on it. */
async function barePath(worker: ms.Worker, config: AgentConfig): Promise<Fanout> {
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 }],
  });
  // comedia: the worker learns the relay's address from its first packet. ffmpeg sends RTCP
  // straight to the worker, to a port of its own (rtcpport), hence no rtcpMux. A big receive
  // buffer: when the agent is delayed, the relay forwards in a burst, which must not overflow the
  // worker's socket.
  const input = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1', recvBufferSize: 4 << 20 },
    rtcpMux: false,
    comedia: true,
  });
  const producer = await input.produce({ kind: 'video', rtpParameters: PRODUCER_RTP });
  const suite = config.mode === 'plain' ? null : config.mode;
  const rtpCapabilities = consumerCapabilities(router.rtpCapabilities, config.bwe);
  return {
    rtpPort: input.tuple.localPort,
    rtcpPort: input.rtcpTuple?.localPort ?? input.tuple.localPort + 1,
    receiving: async () => ((await producer.getStats())[0]?.packetCount ?? 0) > 50,
    pause: () => producer.pause(),
    resume: () => producer.resume(),
    close: () => {},
    async addLeg(sinkPort) {
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
        port: sinkPort,
        ...(suite ? { srtpParameters: { cryptoSuite: suite, keyBase64: randomBytes(SRTP_KEY_BYTES[suite]).toString('base64') } } : {}),
      });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities });
      return {
        sent: async () => (await consumer.getStats()).reduce((sum, stat) => sum + (stat.type === 'outbound-rtp' ? stat.packetCount : 0), 0),
        close: () => transport.close(),
      };
    },
  };
}

/** A WorkerHandle as media-server/src/workers.ts makes it (a WebRtcServer, our codecs, a load count). */
async function handle(index: number, w: ms.Worker): Promise<WorkerHandle> {
  const webRtcServer = await w.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
  let load = 0;
  return {
    index,
    webRtcServer,
    rooms: () => 0,
    load: () => load,
    createRouter: () => w.createRouter({ mediaCodecs }),
    attach: () => {},
    detach: () => {},
    addLoad: (delta) => {
      load = Math.max(0, load + delta);
    },
  };
}

/**
 * Our path: a broadcast room of the media-server package, as createMediaServer runs it (its
 * WorkerHandles are made as media-server/src/workers.ts makes them), on two workers: the origin
 * router, where ffmpeg publishes, on a worker of its own (unmeasured, on the bench cores: it only receives the stream
 * and sends it once into the pipe), and the edge router, where every viewer is placed and the
 * producer arrives by pipeToRouter, on the measured worker. That is what every worker but the
 * origin's runs in production. The room places viewers on the least-loaded worker; here it is
 * offered the origin's worker until the origin is open, then only the measured one. (Both
 * routers on one worker cannot be done: a piped producer keeps its id, which the room relies on,
 * and a worker refuses a second producer with the same id.)
 */
async function fairgroundPath(mediasoup: typeof import('mediasoup'), worker: ms.Worker, config: AgentConfig): Promise<Fanout> {
  if (config.mode !== 'plain') throw new Error(`the fairground path has no SRTP on plain transports (mode ${config.mode})`);
  const originWorker = await mediasoup.createWorker({ logLevel: 'warn' });
  if (config.benchCores !== null) pin(originWorker.pid, config.benchCores);
  if (config.nice !== 0) renice(originWorker.pid, config.nice);
  const origin = await handle(0, originWorker);
  const edge = await handle(1, worker);
  let originOpen = false;
  const room = new BroadcastRoom('broadcast:fanout-bench', {
    workers: () => (originOpen ? [edge] : [origin]),
    emit: () => {},
    onClosed: () => {},
    limits: DEFAULT_MEDIA_LIMITS,
  });
  const listenIp = '127.0.0.1';
  // comedia, no rtcpMux: ffmpeg's RTCP comes to a port of its own (see barePath).
  const input = await room.createPlainTransport('host', 'send', { listenIp, comedia: true, rtcpMux: false });
  originOpen = true;
  const producerId = await room.produce('host', input.id, 'video', PRODUCER_RTP, { source: 'camera' });
  const probe = await originWorker.createRouter({ mediaCodecs });
  const rtpCapabilities = consumerCapabilities(probe.rtpCapabilities, config.bwe);
  probe.close();
  let viewers = 0;
  let firstViewer = true;
  return {
    rtpPort: input.port,
    rtcpPort: input.rtcpPort ?? input.port + 1,
    // The room has no producer stats; the first leg fails loudly if nothing arrives.
    receiving: async () => true,
    pause: null,
    resume: null,
    close: () => {
      room.close();
      originWorker.close();
    },
    async addLeg(sinkPort) {
      const peer = `viewer-${++viewers}`;
      const out = await room.createPlainTransport(peer, 'recv', { listenIp });
      if (out.workerIndex !== edge.index) throw new Error(`viewer placed on handle ${out.workerIndex}, not the edge`);
      await room.connectPlainTransport(peer, out.id, { ip: '127.0.0.1', port: sinkPort });
      const consumer = await room.consume(peer, out.id, producerId, rtpCapabilities);
      await room.resumeConsumer(peer, consumer.id);
      if (firstViewer) {
        firstViewer = false;
        log(`fairground: producer piped from the origin worker's router to the edge router (viewers per handle ${JSON.stringify(room.placement())})`);
      }
      return {
        sent: async () => (await room.consumerStats(peer, consumer.id)).packets,
        close: () => room.closePeer(peer),
      };
    },
  };
}

/** The pipe options a MediaServer gives its rooms (media-server.ts's pipeOptions) on loopback. */
const NODE_PIPES: PipeOptions = {
  ...LOOPBACK_PIPES,
  listenInfo: { protocol: 'udp', ip: '127.0.0.1', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 },
};

/**
 * Viewers on a second node: two broadcast rooms of one id, one per "node", each on a worker of its
 * own (the origin's unmeasured, on the bench cores; the viewers' node's is the measured worker),
 * linked as two nodes are: the viewers' node opens its pipe end, the origin opens its end towards
 * it and connects, the viewers' end connects back, the origin exports the producer and the
 * viewers' node imports it with the same id. The two ends talk over UDP on loopback exactly as
 * across machines; only the control messages, which signaling carries over Redis between
 * processes, are calls here (nothing of them falls inside a window).
 */
async function nodePath(mediasoup: typeof import('mediasoup'), worker: ms.Worker, config: AgentConfig): Promise<Fanout> {
  if (config.mode !== 'plain') throw new Error(`the node path has no SRTP on plain transports (mode ${config.mode})`);
  const originWorker = await mediasoup.createWorker({ logLevel: 'warn' });
  if (config.benchCores !== null) pin(originWorker.pid, config.benchCores);
  if (config.nice !== 0) renice(originWorker.pid, config.nice);
  const [originHandle, viewersHandle] = await Promise.all([handle(0, originWorker), handle(0, worker)]);
  const originNode = new BroadcastRoom('broadcast:fanout-bench', {
    workers: () => [originHandle],
    emit: () => {},
    onClosed: () => {},
    limits: DEFAULT_MEDIA_LIMITS,
    pipe: NODE_PIPES,
  });
  const viewersNode = new BroadcastRoom('broadcast:fanout-bench', {
    workers: () => [viewersHandle],
    emit: () => {},
    onClosed: () => {},
    limits: DEFAULT_MEDIA_LIMITS,
    pipe: NODE_PIPES,
  });
  const listenIp = '127.0.0.1';
  const input = await originNode.createPlainTransport('host', 'send', { listenIp, comedia: true, rtcpMux: false });
  const producerId = await originNode.produce('host', input.id, 'video', PRODUCER_RTP, { source: 'camera' });
  // bringProducer's order (media-server/src/pipe-link.ts): the importer's end first.
  const viewersEnd = await viewersNode.pipes.open('origin');
  const originEnd = await originNode.pipes.open('viewers', viewersEnd);
  await viewersNode.pipes.open('origin', originEnd);
  await viewersNode.pipes.importProducer('origin', await originNode.pipes.exportProducer(producerId, 'viewers'));
  const probe = await originWorker.createRouter({ mediaCodecs });
  const rtpCapabilities = consumerCapabilities(probe.rtpCapabilities, config.bwe);
  probe.close();
  let viewers = 0;
  let firstViewer = true;
  return {
    rtpPort: input.port,
    rtcpPort: input.rtcpPort ?? input.port + 1,
    receiving: async () => true,
    pause: null,
    resume: null,
    close: () => {
      viewersNode.close();
      originNode.close();
      originWorker.close();
    },
    async addLeg(sinkPort) {
      const peer = `viewer-${++viewers}`;
      const out = await viewersNode.createPlainTransport(peer, 'recv', { listenIp });
      await viewersNode.connectPlainTransport(peer, out.id, { ip: '127.0.0.1', port: sinkPort });
      const consumer = await viewersNode.consume(peer, out.id, producerId, rtpCapabilities);
      await viewersNode.resumeConsumer(peer, consumer.id);
      if (firstViewer) {
        firstViewer = false;
        log(`node: producer piped from the origin node's room to the viewers' node (viewers per handle ${JSON.stringify(viewersNode.placement())})`);
      }
      return {
        sent: async () => (await viewersNode.consumerStats(peer, consumer.id)).packets,
        close: () => viewersNode.closePeer(peer),
      };
    },
  };
}

async function run(config: AgentConfig): Promise<void> {
  const mediasoup = await import('mediasoup');
  // Set before anything is spawned: ffmpeg inherits this process's CPU affinity and nice value.
  if (config.benchCores !== null) pin(process.pid, config.benchCores);
  if (config.nice !== 0) renice(process.pid, config.nice);

  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  // The dump has io_uring counters only when the worker batches its sends through io_uring.
  log(`${config.mode}: worker ${worker.pid} sends with ${(await worker.dump()).liburing ? 'io_uring' : 'sendto()'}`);
  let workerDied: Error | null = null;
  worker.on('died', (error) => (workerDied = error));
  if (config.workerCore !== null) pin(worker.pid, String(config.workerCore));
  if (config.nice !== 0) renice(worker.pid, config.nice);

  const legs: Leg[] = [];
  let relay: Relay | null = null;
  let sink: dgram.Socket | null = null;
  let ffmpeg: ChildProcess | null = null;
  let fanout: Fanout | null = null;
  const backstop = setTimeout(() => {
    log(`${config.mode}: ran for ${config.maxRunMs / 1000} s, giving up`);
    ffmpeg?.kill('SIGKILL');
    worker.close();
    process.exit(1);
  }, config.maxRunMs);
  try {
    const path =
      config.path === 'fairground'
        ? await fairgroundPath(mediasoup, worker, config)
        : config.path === 'node'
          ? await nodePath(mediasoup, worker, config)
          : await barePath(worker, config);
    fanout = path;
    const { rtpPort, rtcpPort } = path;
    // The input: plain RTP, through the relay, which counts what the worker is given.
    relay = await Relay.open(rtpPort);

    // -re: real time; -stream_loop -1 with -t: loop the clip, for at most the agent's lifetime.
    const ffmpegArgs = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      config.clip,
      '-t',
      String(Math.ceil(config.maxRunMs / 1000) + 60),
      '-an',
      '-c:v',
      'copy',
      '-f',
      'rtp',
      '-payload_type',
      '101',
      '-ssrc',
      '11111111',
      `rtp://127.0.0.1:${relay.port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ];
    ffmpeg = spawn('ffmpeg', ffmpegArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
    const runStartedAt = performance.now();

    // Wait (bounded) for the stream to reach the producer.
    for (let i = 0; i < 100; i++) {
      if (relay.count > 50 && (await path.receiving())) break;
      if (i === 99) throw new Error('no RTP from ffmpeg reached the producer in 10 s');
      await sleep(100);
    }
    // Idle until asked to measure: the producer paused, or (fairground) nothing relayed.
    const pause = async () => {
      if (path.pause) await path.pause();
      else relay!.idle = true;
    };
    const resume = async () => {
      if (path.resume) await path.resume();
      else relay!.idle = false;
    };
    await pause();

    sink = await openSink();
    const sinkPort = sink.address().port;

    async function setConsumers(n: number): Promise<void> {
      while (legs.length > n) legs.pop()!.close();
      // Create in batches: concurrent channel requests, but not thousands at once.
      for (let batches = 0; legs.length < n && batches < 10_000; batches++) {
        const batch = Math.min(25, n - legs.length);
        legs.push(...(await Promise.all(Array.from({ length: batch }, () => path.addLeg(sinkPort)))));
      }
    }

    /** RTP packets each consumer has sent so far (retransmissions not counted). */
    async function sentPerConsumer(): Promise<number[]> {
      const counts: number[] = [];
      for (let i = 0; i < legs.length; i += 100) counts.push(...(await Promise.all(legs.slice(i, i + 100).map((leg) => leg.sent()))));
      return counts;
    }
    const sentPackets = async () => (await sentPerConsumer()).reduce((sum, count) => sum + count, 0);

    /**
     * With the relay paused: the consumers' count once the worker has sent everything it was given
     * (two reads 100 ms apart agree; at most 3 s). A worker that fell behind works off its backlog
     * first, so a window neither starts with an old backlog nor ends before its own is sent.
     */
    async function drainedSentPackets(): Promise<number> {
      let last = await sentPackets();
      for (let waited = 0; waited < 3_000; waited += 100) {
        await sleep(100);
        const now = await sentPackets();
        if (now === last) return now;
        last = now;
      }
      return last;
    }

    /**
     * After the stream (re)starts, a video consumer forwards nothing until the next key frame (the
     * clip has one a second, but ffmpeg may lag on a busy machine): wait, bounded, until every
     * consumer has sent something, so that a window never counts consumers still waiting.
     */
    async function waitUntilAllForward(): Promise<void> {
      const base = await sentPerConsumer();
      for (let waited = 0; waited < 15_000; waited += 250) {
        await sleep(250);
        const now = await sentPerConsumer();
        if (now.every((count, i) => count > (base[i] ?? 0))) return;
      }
      log('not every consumer forwards after 15 s; measuring anyway');
    }

    /** One window; other processes on the worker's core can disturb it: see measureStep(). */
    async function measureWindow(): Promise<StepResult> {
      const clock = () => ({
        at: performance.now(),
        cpu: cpuSeconds(worker.pid),
        core: config.workerCore !== null ? coreTaskSeconds(config.workerCore) : Number.NaN,
      });
      // Open: pause, let what is in flight arrive, count; then forward for windowMs.
      relay!.forwarding = false;
      await sleep(GRACE_MS);
      const before = { sent: await drainedSentPackets(), relayed: relay!.count, drops: udpDropsByPort() };
      const cpuBefore = cpuSeconds(worker.pid);
      relay!.forwarding = true;
      const start = clock();
      await sleep(config.windowMs);
      // Close: pause, give the last packets GRACE_MS, count.
      relay!.forwarding = false;
      const end = clock();
      await sleep(GRACE_MS);
      const after = { sent: await drainedSentPackets(), relayed: relay!.count, drops: udpDropsByPort() };
      const cpuAfter = cpuSeconds(worker.pid);
      relay!.forwarding = true;
      if (workerDied) throw workerDied;

      const seconds = (end.at - start.at) / 1000;
      // All the worker's CPU for the window's packets: a worker that falls behind (it was kept
      // off the core, or the input came in a burst) works off its backlog after the window and
      // while the count runs, and that is counted too (with the count's own getStats requests, a
      // few ms). So cpu is the share of a core the stream needs, and us/pkt its true cost.
      const cpuTime = cpuAfter - cpuBefore;
      const cpu = cpuTime / seconds;
      const coreOthers = (end.core - start.core - (end.cpu - start.cpu)) / seconds;
      const delivered = after.sent - before.sent;
      const expected = (after.relayed - before.relayed) * legs.length;
      const delivery = expected > 0 ? Math.min(1, delivered / expected) : 0;
      return {
        consumers: legs.length,
        cpu,
        delivery,
        delivered,
        cpuUsPerPacket: delivered > 0 ? (cpuTime * 1e6) / delivered : null,
        coreOthers: Number.isFinite(coreOthers) ? Math.max(0, coreOthers) : null,
        windows: 1,
        inputDrops: sumDrops(after.drops, [rtpPort]) - sumDrops(before.drops, [rtpPort]),
        pass: cpu < config.cpuLimit && delivery >= config.minDelivery,
      };
    }

    /** N consumers, stream on, settle, then windows until one is undisturbed (at most 3; the least disturbed counts). */
    async function measureStep(n: number): Promise<StepResult> {
      await setConsumers(n);
      await resume();
      try {
        await waitUntilAllForward();
        await sleep(config.settleMs);
        let best: StepResult | null = null;
        for (let windows = 1; windows <= 3; windows++) {
          const result = await measureWindow();
          if (!best || (result.coreOthers ?? 0) < (best.coreOthers ?? 0)) best = { ...result, windows };
          else best.windows = windows;
          if ((result.coreOthers ?? 0) <= config.maxOthers) break;
        }
        return best!;
      } finally {
        await pause();
      }
    }

    const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
    const name = `${config.mode} ${process.env.FANOUT_LABEL ?? config.path}`.trim();
    reply({ op: 'ready' });

    // Requests, one at a time, until quit or end of input.
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      const request = JSON.parse(line) as AgentRequest;
      if (request.op === 'quit') break;
      const before = (await worker.dump()).liburing;
      const r = await measureStep(request.consumers);
      const after = (await worker.dump()).liburing;
      // How many sends went through io_uring, and how many fell back to sendmsg() because the
      // ring or its send buffers were full, e.g. in a key frame's burst (the worker's own counters,
      // over the whole step).
      const uring =
        before && after
          ? ` | io_uring: ${after.sqeProcessCount - before.sqeProcessCount} sends, ` +
            `${after.sqeMissCount + after.userDataMissCount - before.sqeMissCount - before.userDataMissCount} by sendmsg()`
          : '';
      log(
        `${name}: N=${r.consumers} cpu=${percent(r.cpu)} delivery=${(r.delivery * 100).toFixed(2)}% ` +
          `${r.cpuUsPerPacket?.toFixed(2) ?? '-'} us/pkt | others on the core ${percent(r.coreOthers)}` +
          `${r.windows > 1 ? ` (least of ${r.windows} windows)` : ''}, input drops ${r.inputDrops}` +
          `${uring} | ${r.pass ? 'pass' : 'FAIL'}`,
      );
      reply({ op: 'result', result: r });
    }

    const runSeconds = (performance.now() - runStartedAt) / 1000;
    reply({
      op: 'done',
      inputPps: Math.round(relay.count / runSeconds),
      inputKbps: Math.round((relay.bytes * 8) / runSeconds / 1000),
    });
  } finally {
    clearTimeout(backstop);
    ffmpeg?.kill('SIGKILL');
    fanout?.close();
    worker.close();
    relay?.close();
    sink?.close();
  }
}

run(JSON.parse(process.argv[2] ?? '') as AgentConfig).then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
