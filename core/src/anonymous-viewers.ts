/**
 * A set per key with a size limit and a lifetime: `admit` says whether `member` is (or now is)
 * one of at most `limit` members of `key`'s set. The lifetime starts with the set's first member.
 * Shared across nodes (Redis) when several run, so the limit holds for the whole deployment.
 */
export interface BoundedSets {
  admit(key: string, member: string, limit: number, ttlMs: number): Promise<boolean>;
}

/** One process's bounded sets (no Redis). Expired sets are swept as new ones are made. */
export class MemoryBoundedSets implements BoundedSets {
  readonly #sets = new Map<string, { members: Set<string>; until: number }>();

  async admit(key: string, member: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    let set = this.#sets.get(key);
    if (!set || set.until <= now) {
      if (this.#sets.size > 10_000) for (const [k, s] of this.#sets) if (s.until <= now) this.#sets.delete(k);
      this.#sets.set(key, (set = { members: new Set(), until: now + ttlMs }));
    }
    if (set.members.has(member)) return true;
    if (set.members.size >= limit) return false;
    set.members.add(member);
    return true;
  }
}

export interface AnonymousViewerCapOptions {
  sets: BoundedSets;
  /** Distinct anonymous identities counted per client address per broadcast in one window. */
  perAddress: number;
  windowMs: number;
}

/**
 * Bounds what anonymous identities can do to a broadcast's numbers: a device id is whatever the
 * client sends, so one address may make any number of them. Only the first `perAddress` distinct
 * ones per address and broadcast in a window are counted; the rest still watch, uncounted.
 * Signed-in users are not capped here: accounts are what bounds them.
 */
export class AnonymousViewerCap {
  constructor(private readonly options: AnonymousViewerCapOptions) {}

  admit(broadcastId: string, address: string, identity: string): Promise<boolean> {
    const { sets, perAddress, windowMs } = this.options;
    return sets.admit(`anon:${broadcastId}:${address}`, identity, perAddress, windowMs);
  }
}
