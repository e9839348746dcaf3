import type { BoothScreenModeName, ScreenBoothLine } from '@fairground/signaling/protocol';
import { LiveMedia } from './live-media.svelte';
import { request, session } from './session.svelte';

/**
 * A booth screen's live side: what the booth's recruiter chose to show, the booth's stage (its
 * camera and shared screen, received as any viewer does, never counted as a visitor), and its
 * line's length. Joined again after every reconnect or media reset.
 */
export class BoothScreenLive {
  mode = $state<BoothScreenModeName>('jobs');
  line = $state<ScreenBoothLine | null>(null);
  readonly media = new LiveMedia();

  constructor(
    readonly boothId: string,
    readonly initialMode: BoothScreenModeName,
  ) {
    this.mode = initialMode;
  }

  connect(): () => void {
    const offs = [
      session.on('screen:booth-mode', (p) => {
        if (p.boothId === this.boothId) this.mode = p.mode;
      }),
      session.on('screen:numbers', (n) => {
        this.line = n.booths.find((b) => b.boothId === this.boothId) ?? null;
      }),
      session.on('media:room-reset', (p) => {
        if (p.roomId === this.media.roomId) this.media.resetting();
        void this.#join().catch(() => this.media.recovery.clear());
      }),
      session.room(() => void this.#join().catch(() => {})),
    ];
    void this.#join().catch(() => {});
    return () => {
      offs.forEach((off) => off());
      this.media.close();
      void request('booth:leave', { boothId: this.boothId }).catch(() => {});
    };
  }

  async #join(): Promise<void> {
    const watched = await request('screen:booth-watch', { boothId: this.boothId });
    this.mode = watched.mode;
    this.line = watched.line;
    const state = await request('booth:join', { boothId: this.boothId });
    await this.media.open(state, { consume: true });
  }
}
