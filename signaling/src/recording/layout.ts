/** One recorded track placed on the replay's timeline (seconds from the recording's start). */
export interface TimedTrack {
  input: number;
  kind: 'audio' | 'video';
  source: string;
  /** Who published it (a user, else the connection): a host's segments across reconnects share it. */
  who: string;
  start: number;
  end: number;
}

export const CANVAS = { width: 1280, height: 720, fps: 25 } as const;
const INSET = { width: 320, height: 180, margin: 16 } as const;

const f3 = (n: number) => n.toFixed(3);
const between = (intervals: Array<[number, number]>) => (intervals.length ? intervals.map(([a, b]) => `between(t,${f3(a)},${f3(b)})`).join('+') : '0');

/**
 * The replay's ffmpeg filter graph: a black canvas the length of the recording; while someone
 * shares a screen, the screen fills it and the cameras sit as insets down its right side (the
 * first publisher, the host, at the bottom); otherwise the cameras share it side by side, host
 * first; every microphone mixed, delayed to its start, over silence.
 */
export function replayFilterGraph(tracks: TimedTrack[], duration: number, hostFirst: string[]): { graph: string; video: string; audio: string } {
  const { width: W, height: H, fps } = CANVAS;
  const parts: string[] = [`color=c=black:s=${W}x${H}:r=${fps}:d=${f3(duration)}[base0]`];
  const screens = tracks.filter((t) => t.kind === 'video' && t.source === 'screen');
  const cameras = tracks.filter((t) => t.kind === 'video' && t.source !== 'screen');
  const people = [...new Set([...hostFirst.filter((w) => cameras.some((c) => c.who === w)), ...cameras.map((c) => c.who)])];
  const screenOn = between(screens.map((s) => [s.start, s.end]));
  let base = 'base0';
  let n = 0;
  const overlay = (label: string, x: number | string, y: number | string, enable: string) => {
    const next = `base${++n}`;
    parts.push(`[${base}][${label}]overlay=x=${x}:y=${y}:eof_action=pass:enable='${enable}'[${next}]`);
    base = next;
  };
  const fit = (input: number, w: number, h: number, start: number, label: string) =>
    parts.push(
      `[${input}:v]setpts=PTS-STARTPTS+${f3(start)}/TB,fps=${fps},scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,format=yuv420p[${label}]`,
    );
  screens.forEach((s, i) => {
    fit(s.input, W, H, s.start, `scr${i}`);
    overlay(`scr${i}`, 0, 0, `between(t,${f3(s.start)},${f3(s.end)})`);
  });
  const cellW = Math.floor(W / Math.max(1, people.length) / 2) * 2;
  cameras.forEach((c, i) => {
    const slot = people.indexOf(c.who);
    const during = `between(t,${f3(c.start)},${f3(c.end)})`;
    if (screens.length) {
      parts.push(`[${c.input}:v]split=2[cam${i}a][cam${i}b]`);
      parts.push(`[cam${i}a]null[cam${i}in]`);
      parts.push(
        `[cam${i}b]setpts=PTS-STARTPTS+${f3(c.start)}/TB,fps=${fps},scale=${INSET.width}:${INSET.height}:force_original_aspect_ratio=decrease,pad=${INSET.width}:${INSET.height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p[ins${i}]`,
      );
      const y = H - (INSET.height + INSET.margin) * (slot + 1);
      overlay(`ins${i}`, W - INSET.width - INSET.margin, y, `(${during})*gt(${screenOn},0)`);
      parts.push(
        `[cam${i}in]setpts=PTS-STARTPTS+${f3(c.start)}/TB,fps=${fps},scale=${cellW}:${H}:force_original_aspect_ratio=decrease,pad=${cellW}:${H}:(ow-iw)/2:(oh-ih)/2,format=yuv420p[full${i}]`,
      );
      overlay(`full${i}`, slot * cellW, 0, `(${during})*eq(${screenOn},0)`);
    } else {
      fit(c.input, cellW, H, c.start, `full${i}`);
      overlay(`full${i}`, slot * cellW, 0, during);
    }
  });
  parts.push(`[${base}]trim=duration=${f3(duration)}[vout]`);
  const mics = tracks.filter((t) => t.kind === 'audio');
  parts.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${f3(duration)}[silence]`);
  mics.forEach((m, i) => {
    const ms = Math.round(m.start * 1000);
    // async: a gap in the packets (a muted mic, Opus DTX while silent) becomes silence of its length
    // instead of pulling what follows earlier, so speech stays in step with the picture.
    parts.push(`[${m.input}:a]asetpts=PTS-STARTPTS,aresample=48000:async=1:first_pts=0,adelay=${ms}|${ms}[mic${i}]`);
  });
  parts.push(`[silence]${mics.map((_, i) => `[mic${i}]`).join('')}amix=inputs=${mics.length + 1}:duration=first:normalize=0[aout]`);
  return { graph: parts.join(';\n'), video: '[vout]', audio: '[aout]' };
}
