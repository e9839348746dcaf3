import type { PresenceStore } from './presence-store.ts';

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

  #schedule(roomId: string, live: number): void {
    if (this.#pending.has(roomId)) return;
    const wait = (this.#lastSent.get(roomId) ?? -Infinity) + this.#interval - Date.now();
    if (wait <= 0) {
      this.#lastSent.set(roomId, Date.now());
      this.#publish(roomId, live);
      return;
    }
    const timer = setTimeout(() => {
      this.#pending.delete(roomId);
      this.#lastSent.set(roomId, Date.now());
      this.#store.count(roomId).then(
        (fresh) => this.#publish(roomId, fresh),
        () => {},
      );
    }, wait);
    timer.unref();
    this.#pending.set(roomId, timer);
  }

  close(): void {
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }
}
