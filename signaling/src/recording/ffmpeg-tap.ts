import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, stat, writeFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Binds a UDP socket to `port` on loopback; false when it is taken. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * Two free consecutive UDP ports (RTP, RTCP) for ffmpeg, the even one first as RTP/AVP wants. A
 * port may be taken between this check and ffmpeg's bind; `waitBound` then times out and the tap
 * is tried again by its caller.
 */
export async function freePortPair(range = { min: 40_000, max: 49_000 }): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = range.min + 2 * Math.floor((Math.random() * (range.max - range.min)) / 2);
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
  }
  throw new Error('No free UDP port pair for the recorder');
}

export interface FfmpegCopy {
  /** Stops the copy: ffmpeg finishes the file (its trailer) and exits. Resolves with the file's size. */
  stop(): Promise<number | null>;
  /** Resolves when ffmpeg exits on its own or after stop: its exit code. */
  readonly exited: Promise<number | null>;
  readonly pid: number | undefined;
}

/**
 * ffmpeg copying one RTP stream into a Matroska file as it arrives (`-c copy`: no transcoding).
 * Matroska is written cluster by cluster, so a file whose writer was killed still holds what came.
 *
 * ffmpeg runs under `sh`, which waits on its stdin: the stdin closing (our `stop()`, or this
 * process dying, whatever the signal) makes it send ffmpeg SIGINT, ffmpeg's own clean stop. So a
 * crashed node never leaves an ffmpeg waiting for packets forever.
 */
export async function startFfmpegCopy(options: {
  ffmpeg: string;
  sdp: string;
  sdpFile: string;
  output: string;
  log: (line: string) => void;
}): Promise<FfmpegCopy> {
  await mkdir(dirname(options.output), { recursive: true });
  await writeFile(options.sdpFile, options.sdp);
  const args = [
    '-hide_banner',
    '-loglevel',
    process.env.RECORDER_FFMPEG_LOGLEVEL ?? 'error',
    '-nostdin',
    '-protocol_whitelist',
    'file,udp,rtp',
    // Large enough for a key frame's burst of packets on a busy machine.
    '-buffer_size',
    '4194304',
    // Copying VP8 into Matroska needs the picture size from a key frame: wait for one long enough
    // on a loaded machine (a browser answers the consumer's key frame request at once).
    '-analyzeduration',
    '20000000',
    '-reorder_queue_size',
    '100',
    '-i',
    options.sdpFile,
    '-map',
    '0',
    '-c',
    'copy',
    // A cluster a second, flushed to disk when written: a crash loses at most the last second.
    '-cluster_time_limit',
    '1000',
    '-flush_packets',
    '1',
    '-f',
    'matroska',
    '-y',
    options.output,
  ];
  // A background job's stdin is /dev/null unless redirected: the watcher reads the pipe as fd 3.
  const script = 'exec 3<&0; ffmpeg_bin="$1"; shift; "$ffmpeg_bin" "$@" & pid=$!; (cat <&3 >/dev/null; kill -INT $pid 2>/dev/null) & wait $pid';
  const child: ChildProcess = spawn('sh', ['-c', script, 'sh', options.ffmpeg, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) options.log(line.trim());
  });
  child.stdin?.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  void exited.then(() => {
    child.stdin?.end(); // lets the watcher go when ffmpeg stopped by itself
    return rm(options.sdpFile, { force: true }).catch(() => {});
  });
  return {
    pid: child.pid,
    exited,
    async stop() {
      child.stdin?.end();
      // ffmpeg writes its trailer within moments of SIGINT; a stuck one is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return stat(options.output).then(
        (s) => s.size,
        () => null,
      );
    },
  };
}

/** Waits until something (ffmpeg) holds `port`, so no packet is sent before it listens. */
export async function waitBound(port: number, exited: Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (gone) throw new Error('ffmpeg exited before it listened');
    if (!(await canBind(port))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`ffmpeg did not listen on ${port}`);
}
