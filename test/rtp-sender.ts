import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A publisher for tests without a browser: ffmpeg encoding a test pattern (VP8) or a tone (Opus)
 * live and sending it as RTP to a mediasoup plain transport (comedia: it learns our address from
 * the first packet). Real encoders, real packets, at real time.
 */
export const senderRtp = {
  video: (ssrc: number) => ({
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `test-${ssrc}` },
  }),
  audio: (ssrc: number) => ({
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 }, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `test-${ssrc}` },
  }),
};

/**
 * Sends to `port`, RTCP to `rtcpPort`: ffmpeg sends RTCP from a second socket, and a comedia
 * transport with RTCP muxed would take whichever came first as the publisher's address.
 */
export function startRtpSender(
  kind: 'audio' | 'video',
  port: number,
  ssrc: number,
  rtcpPort: number,
  /** The lavfi source of the picture (default a 320x240 test pattern). */
  picture = 'testsrc=size=320x240:rate=15',
): { stop(): Promise<void> } {
  const input =
    kind === 'video'
      ? ['-f', 'lavfi', '-i', picture, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15']
      : ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-c:a', 'libopus', '-b:a', '32k', '-ac', '2'];
  const pt = kind === 'video' ? '101' : '100';
  const child: ChildProcess = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-re',
      ...input,
      '-ssrc',
      String(ssrc),
      '-payload_type',
      pt,
      '-f',
      'rtp',
      `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** What ffprobe finds in a recorded file: its codec, duration and decodable frames (packets counted). */
export function probe(file: string): { codec: string; durationSec: number; frames: number } {
  const out = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames:format=duration', '-of', 'json', file], {
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`ffprobe failed on ${file}: ${out.stderr}`);
  const json = JSON.parse(out.stdout) as { streams: Array<{ codec_name: string; nb_read_frames?: string }>; format: { duration?: string } };
  const stream = json.streams[0]!;
  return { codec: stream.codec_name, durationSec: Number(json.format.duration ?? 0), frames: Number(stream.nb_read_frames ?? 0) };
}
