import type { Actor, BroadcastService, LoadedBroadcast } from '@fairground/core';

/** How long one read of a broadcast and its hosts serves this node's joins. */
export const BROADCAST_READ_TTL_MS = 1000;
/** Broadcasts remembered at once; past this, expired entries are dropped as new ones come. */
const MAX_ENTRIES = 1000;

/**
 * One read of a broadcast (its row and hosts) shared by the joins of one node for a second.
 * Thousands of viewers joining at the start time each read the same two rows otherwise: two
 * queries a join, the largest share of a join's time. Concurrent joins wait for the same read; a
 * failed read is not kept. The checks themselves (draft, host, ended) still run per actor and per
 * join on that read (`BroadcastService.accessFor`), so an end time is judged at the join's moment;
 * a change to the row or its hosts reaches joins on this node within `ttlMs`.
 *
 * Only for joins: what publishes or moderates (requireOpen, requireHost) reads afresh every time.
 */
export function createBroadcastReads(broadcasts: Pick<BroadcastService, 'load' | 'accessFor'>, ttlMs = BROADCAST_READ_TTL_MS) {
  const entries = new Map<string, { until: number; read: Promise<LoadedBroadcast | null> }>();
  const read = (id: string) => {
    const now = Date.now();
    const entry = entries.get(id);
    if (entry && entry.until > now) return entry.read;
    if (entries.size >= MAX_ENTRIES) for (const [key, e] of entries) if (e.until <= now) entries.delete(key);
    const fresh = broadcasts.load(id);
    entries.set(id, { until: now + ttlMs, read: fresh });
    fresh.catch(() => {
      if (entries.get(id)?.read === fresh) entries.delete(id);
    });
    return fresh;
  };
  return {
    async access(actor: Actor, id: string) {
      return broadcasts.accessFor(actor, await read(id));
    },
  };
}

export type BroadcastReads = ReturnType<typeof createBroadcastReads>;
