import type { HallComparison, HallNumbers } from '@fairground/signaling/protocol';
import { request, session } from './session.svelte';

/**
 * A hall screen's live side: the fair's numbers (line lengths, waits, people online) and the one
 * seeker comparison showing now. Watched again after every reconnect (the server forgot the
 * room), so the screen recovers from a lost network or a restarted server by itself. Holds only
 * the latest numbers: nothing accumulates over days of running.
 */
export class HallScreenLive {
  numbers = $state<HallNumbers | null>(null);
  comparison = $state<HallComparison | null>(null);
  /** When the comparison clears, on this screen's clock (from the server's remaining time). */
  comparisonEndsAt = $state(0);
  #clear: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly fairId: string,
    /** Told after each (re)watch, so the page can read its content again after an outage. */
    private readonly rejoined: () => void = () => {},
  ) {}

  connect(): () => void {
    const watch = async (again: boolean) => {
      const state = await request('screen:watch', { fairId: this.fairId });
      this.numbers = state.numbers;
      this.#show(state.comparison);
      if (again) this.rejoined();
    };
    const offs = [
      session.on('screen:numbers', (n) => {
        if (n.fairId === this.fairId) this.numbers = n;
      }),
      session.on('screen:comparison', (c) => this.#show(c)),
      session.room(() => void watch(true).catch(() => {})),
    ];
    void watch(false).catch(() => {});
    return () => {
      offs.forEach((off) => off());
      clearTimeout(this.#clear);
    };
  }

  #show(c: HallComparison | null): void {
    clearTimeout(this.#clear);
    this.comparison = c;
    if (!c) return;
    this.comparisonEndsAt = Date.now() + c.remainingMs;
    // Cleared here too, so a push lost in an outage cannot leave someone's numbers up.
    this.#clear = setTimeout(() => (this.comparison = null), c.remainingMs);
  }
}
