import type { HallComparison, HallNumbers, HallScreenCode } from '@fairground/signaling/protocol';
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
  /** The short code shown for comparisons (every screen of the fair shows the same one). */
  code = $state<HallScreenCode | null>(null);
  #clear: ReturnType<typeof setTimeout> | undefined;
  /** The showing this screen's timer ended (its `shownAt`). */
  #ended: string | null = null;
  #nextCode: ReturnType<typeof setTimeout> | undefined;

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
    // Asked for again when it runs out (the server rotates it then); after a failure, in a few seconds.
    let stopped = false;
    const readCode = async () => {
      clearTimeout(this.#nextCode);
      let wait = 5000;
      try {
        this.code = await request('screen:code', { fairId: this.fairId });
        wait = this.code.remainingMs + 250;
      } catch {
        // Offline or restarting: the reconnect reads it again too.
      }
      // An answer after the page closed schedules nothing (no timer outlives the screen).
      if (!stopped) this.#nextCode = setTimeout(() => void readCode(), wait);
    };
    const offs = [
      session.on('screen:numbers', (n) => {
        if (n.fairId === this.fairId) this.numbers = n;
      }),
      session.on('screen:comparison', (c) => this.#show(c)),
      session.room(() => {
        void watch(true).catch(() => {});
        void readCode();
      }),
    ];
    void watch(false).catch(() => {});
    void readCode();
    return () => {
      stopped = true;
      offs.forEach((off) => off());
      clearTimeout(this.#clear);
      clearTimeout(this.#nextCode);
    };
  }

  #show(c: HallComparison | null): void {
    // A showing this screen's own timer already ended stays down: a reconnect that reads it again
    // from a server whose clock is a little behind (or a late push) must not bring it back.
    if (c && c.shownAt === this.#ended) return;
    clearTimeout(this.#clear);
    this.comparison = c;
    if (!c) return;
    this.comparisonEndsAt = Date.now() + c.remainingMs;
    // Cleared here too, so a push lost in an outage cannot leave someone's numbers up.
    this.#clear = setTimeout(() => {
      this.#ended = c.shownAt;
      this.comparison = null;
    }, c.remainingMs);
  }
}
