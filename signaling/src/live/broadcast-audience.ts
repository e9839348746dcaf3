import type { PresenceStore } from '@fairground/core';
import type { ViewerCounter } from './viewer-counter.ts';

import { broadcastRoomId } from '../app/rooms.ts';

/** The durable record of an audience (core's AudienceLedger on Postgres; a fake in tests). */
export interface AudienceLedgerPort {
  watching(broadcastId: string, identity: string): Promise<void>;
  stopped(broadcastId: string, identity: string): Promise<void>;
  raisePeak(broadcastId: string, live: number): Promise<void>;
  sample(broadcastId: string, live: number): Promise<void>;
}

export interface BroadcastAudienceOptions {
  counter: ViewerCounter;
  presence: PresenceStore;
  ledger: AudienceLedgerPort;
  /** Spacing of the stored live-viewer series (5 s). */
  sampleMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * A broadcast's viewers: the live count (through ViewerCounter: distinct identities over every
 * node, updates coalesced), and the durable numbers (views, watch time, peak, the 5 s series)
 * through the ledger. Knows nothing of sockets. A view opens with an identity's first connection
 * on any node and closes with its last; the ledger decides whether a return continues it.
 */
export class BroadcastAudience {
  readonly #counter: ViewerCounter;
  readonly #presence: PresenceStore;
  readonly #ledger: AudienceLedgerPort;
  readonly #sampleMs: number;
  readonly #onError: (err: unknown) => void;
  /** Broadcasts with viewers on this node -> their connections here; sampled while listed. */
  readonly #local = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: BroadcastAudienceOptions) {
    this.#counter = options.counter;
    this.#presence = options.presence;
    this.#ledger = options.ledger;
    this.#sampleMs = options.sampleMs ?? 5000;
    this.#onError = options.onError ?? (() => {});
  }

  count(broadcastId: string): Promise<number> {
    return this.#counter.count(broadcastRoomId(broadcastId));
  }

  async join(broadcastId: string, identity: string, connectionId: string): Promise<number> {
    this.#local.set(broadcastId, (this.#local.get(broadcastId) ?? 0) + 1);
    const live = await this.#counter.join(broadcastRoomId(broadcastId), identity, connectionId);
    // Independent writes (the view, the peak): together, so a batching ledger writes both in one batch.
    await Promise.all([this.#ledger.watching(broadcastId, identity), this.#ledger.raisePeak(broadcastId, live)]);
    return live;
  }

  async leave(broadcastId: string, identity: string, connectionId: string): Promise<number> {
    const room = broadcastRoomId(broadcastId);
    const here = (this.#local.get(broadcastId) ?? 1) - 1;
    // Kept at 0 until the next sample writes the drop to the series.
    this.#local.set(broadcastId, Math.max(0, here));
    const live = await this.#counter.leave(room, identity, connectionId);
    if ((await this.#presence.connections(room, identity)) === 0) {
      await this.#ledger.stopped(broadcastId, identity);
      // A tab of the same viewer that opened meanwhile (on any node) keeps the view going.
      if ((await this.#presence.connections(room, identity)) > 0) await this.#ledger.watching(broadcastId, identity);
    }
    return live;
  }

  /** Writes one sample for every broadcast with viewers on this node (or that just lost them). */
  async sampleNow(): Promise<void> {
    for (const [broadcastId, here] of [...this.#local]) {
      try {
        await this.#ledger.sample(broadcastId, await this.count(broadcastId));
      } catch (err) {
        this.#onError(err);
      }
      if (here === 0 && this.#local.get(broadcastId) === 0) this.#local.delete(broadcastId);
    }
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sampleNow(), this.#sampleMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
