import { deviceId } from '#lib/realtime/session.svelte.ts';

/** How often a playing replay reports (the server keeps the largest watch time it was told). */
export const BEAT_MS = 10_000;
/** A jump of more than this between two time updates is a seek, not playback. */
const MAX_STEP_S = 1.5;

/**
 * The replay's numbers from the player's side: one session id per page load (the view), the media
 * time actually played (seeks are not watch time), and heartbeats to `/broadcasts/[id]/replay-beat`
 * while playing and when the page goes. The server counts the view once and clamps the time.
 */
export class ReplayBeats {
  readonly session = crypto.randomUUID();
  #watchedMs = 0;
  #lastTime: number | null = null;
  #started = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #url: string;
  #signedIn: boolean;

  constructor(broadcastId: string, signedIn: boolean) {
    this.#url = `/broadcasts/${broadcastId}/replay-beat`;
    this.#signedIn = signedIn;
  }

  get watchedMs(): number {
    return Math.round(this.#watchedMs);
  }

  #body(): string {
    // Read when a beat is sent (in the browser; the page is also rendered on the server).
    return JSON.stringify({ session: this.session, watchedMs: this.watchedMs, ...(this.#signedIn ? {} : { device: deviceId() }) });
  }

  /** A beat by fetch (while the page stays); failures are dropped: the next beat carries the total. */
  send(): void {
    void fetch(this.#url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: this.#body(), keepalive: true }).catch(() => {});
  }

  /** The page is going: a beacon survives the unload. */
  flush(): void {
    if (!this.#started) return;
    navigator.sendBeacon(this.#url, new Blob([this.#body()], { type: 'application/json' }));
  }

  /** Playback started: the first time, the view is counted; then a beat every BEAT_MS. */
  playing(currentTime: number): void {
    this.#lastTime = currentTime;
    if (!this.#started) {
      this.#started = true;
      this.send();
    }
    this.#timer ??= setInterval(() => this.send(), BEAT_MS);
  }

  /** Paused, ended or waiting: report what was played, stop the beats. */
  stopped(): void {
    this.#lastTime = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#started) this.send();
  }

  /** The player's time moved: forward steps of normal playback add to the watch time. */
  timeUpdate(currentTime: number, paused: boolean): void {
    if (!paused && this.#lastTime !== null) {
      const step = currentTime - this.#lastTime;
      if (step > 0 && step <= MAX_STEP_S) this.#watchedMs += step * 1000;
    }
    this.#lastTime = paused ? null : currentTime;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.flush();
  }
}

/** 75 -> "1:15", 3725 -> "1:02:05": a time in the replay. */
export function replayTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}` : `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

export const REPLAY_SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2] as const;
