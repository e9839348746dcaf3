import type { PresenceStore } from '@fairground/core';

export interface ViewerCounterOptions {
  store: PresenceStore;
  /** Called with a room's current count; at most once per `minIntervalMs` per room. */
  publish: (roomId: string, live: number) => void;
  /** Spacing of updates per room, so thousands joining at once cause one update a second. */
  minIntervalMs?: number;
}

/**
 * Live viewers per room. The first change after a quiet spell is published at once; changes
 * during the following interval are folded into one trailing update that reads the store again,
 * so the published number is always a fresh count, never a stale one.
 */
export class ViewerCounter {
  readonly #store: PresenceStore;
  readonly #publish: ViewerCounterOptions['publish'];
  readonly #interval: number;
  readonly #lastSent = new Map<string, number>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(options: ViewerCounterOptions) {
    this.#store = options.store;
    this.#publish = options.publish;
    this.#interval = options.minIntervalMs ?? 1000;
  }

  async join(roomId: string, identity: string, connectionId: string): Promise<number> {
    const live = await this.#store.add(roomId, identity, connectionId);
    this.#schedule(roomId);
    return live;
  }

  async leave(roomId: string, identity: string, connectionId: string): Promise<number> {
    const live = await this.#store.remove(roomId, identity, connectionId);
    this.#schedule(roomId);
    return live;
  }

  count(roomId: string): Promise<number> {
    return this.#store.count(roomId);
  }

  /** The room's count changed elsewhere (a dead node's viewers swept, presence restored): push it. */
  recount(roomId: string): void {
    this.#schedule(roomId);
  }

  /**
   * The interval holds across nodes: whoever publishes claims the room for `minIntervalMs` in the
   * shared store, then reads the count. A change this node made is always followed by a publish
   * that read the store after it: when the room is claimed by another node (whose read may have
   * come just before this change) this node asks again every fifth of an interval until it gets
   * the claim, and when the store fails for a moment it tries again an interval later, for as long
   * as it takes. So every client's number converges on the true count within about an interval of
   * the last change, and still at most one update a second goes out per room (the claim, not the
   * asking, spaces the updates).
   */
  #schedule(roomId: string): void {
    if (this.#pending.has(roomId) || this.#closed) return;
    const wait = (this.#lastSent.get(roomId) ?? -Infinity) + this.#interval - Date.now();
    if (wait <= 0) {
      this.#lastSent.set(roomId, Date.now());
      void this.#claimAndPublish(roomId);
      return;
    }
    this.#later(roomId, wait);
  }

  #later(roomId: string, wait: number): void {
    const timer = setTimeout(() => {
      this.#pending.delete(roomId);
      this.#lastSent.set(roomId, Date.now());
      void this.#claimAndPublish(roomId);
    }, wait);
    timer.unref();
    this.#pending.set(roomId, timer);
  }

  async #claimAndPublish(roomId: string): Promise<void> {
    try {
      // A little under the interval, so this node's own trailing update is not refused by its claim.
      if (!(await this.#store.claim(`viewers:${roomId}`, Math.max(1, this.#interval - 50)))) {
        // Not a whole interval later: the other node's claim may have been taken up to an interval
        // ago and run out at any moment now; waiting a full interval after the refusal put the
        // last update up to two intervals after the last change (test/chaos/counts-converge.test.ts).
        if (!this.#pending.has(roomId) && !this.#closed) this.#later(roomId, Math.max(1, Math.round(this.#interval / 5)));
        return;
      }
      // Read after the claim: a count taken before it could miss a change another node made.
      const count = await this.#store.count(roomId);
      // Shutting down: the sockets and the pub/sub this would go through are closing.
      if (!this.#closed) this.#publish(roomId, count);
    } catch {
      // The store failed for a moment (Redis restarting): try again, the number must not stay wrong.
      if (!this.#pending.has(roomId) && !this.#closed) this.#later(roomId, this.#interval);
    }
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }
}
