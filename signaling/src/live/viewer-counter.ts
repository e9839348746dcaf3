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
    this.#schedule(roomId, live);
    return live;
  }

  async leave(roomId: string, identity: string, connectionId: string): Promise<number> {
    const live = await this.#store.remove(roomId, identity, connectionId);
    this.#schedule(roomId, live);
    return live;
  }

  count(roomId: string): Promise<number> {
    return this.#store.count(roomId);
  }

  /**
   * The interval holds across nodes: whoever publishes first claims the room for `minIntervalMs`
   * in the shared store. A node that finds the room claimed tries once more when the claim has
   * run out; if another node published in between, that update read the count after this change,
   * so nothing is lost by dropping it.
   */
  #schedule(roomId: string, live: number): void {
    if (this.#pending.has(roomId)) return;
    const wait = (this.#lastSent.get(roomId) ?? -Infinity) + this.#interval - Date.now();
    if (wait <= 0) {
      this.#lastSent.set(roomId, Date.now());
      void this.#claimAndPublish(roomId, live, true);
      return;
    }
    this.#later(roomId, wait, false);
  }

  #later(roomId: string, wait: number, lastTry: boolean): void {
    const timer = setTimeout(() => {
      this.#pending.delete(roomId);
      this.#lastSent.set(roomId, Date.now());
      void this.#claimAndPublish(roomId, null, !lastTry);
    }, wait);
    timer.unref();
    this.#pending.set(roomId, timer);
  }

  async #claimAndPublish(roomId: string, live: number | null, retry: boolean): Promise<void> {
    try {
      // A little under the interval, so this node's own trailing update is not refused by its claim.
      if (!(await this.#store.claim(`viewers:${roomId}`, Math.max(1, this.#interval - 50)))) {
        if (retry && !this.#pending.has(roomId) && !this.#closed) this.#later(roomId, this.#interval, true);
        return;
      }
      const count = live ?? (await this.#store.count(roomId));
      // Shutting down: the sockets and the pub/sub this would go through are closing.
      if (!this.#closed) this.#publish(roomId, count);
    } catch {
      // A store hiccup skips one update; the next change publishes a fresh count.
    }
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }
}
