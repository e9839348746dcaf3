import type { RedisClientType } from 'redis';

// The beat renews the node's key and records when it was last seen; it answers whether the key was
// still there, so a node notices at once when Redis lost its state (a restart) or a survivor
// declared it dead (it stalled past the expiry).
const BEAT = `
local alive = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
return alive`;

export interface DeadNode {
  nodeId: string;
  /** Its last heartbeat: what it held is taken to have ended then. */
  lastSeen: Date;
}

/**
 * Signaling nodes' heartbeats in Redis: each node renews a key with an expiry; a node whose key
 * expired is dead, and one survivor (by an atomic claim) sweeps what it left behind.
 */
export class RedisNodeRegistry {
  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  /** The node's heartbeat key: there while it is alive (a sweep of it stops when it is back). */
  aliveKey(nodeId: string): string {
    return `${this.prefix}:alive:{${nodeId}}`;
  }

  get #seenKey(): string {
    return `${this.prefix}:seen`;
  }

  /** Renews the node's heartbeat for `ttlMs`; false when its previous one was gone. */
  async beat(nodeId: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const alive = await this.redis.eval(BEAT, { keys: [this.aliveKey(nodeId), this.#seenKey], arguments: [String(now), String(ttlMs), nodeId] });
    return Number(alive) === 1;
  }

  async isAlive(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(this.aliveKey(nodeId))) === 1;
  }

  /** Nodes that beat once and whose heartbeat has expired, other than `self`. */
  async dead(self: string): Promise<DeadNode[]> {
    const seen = await this.redis.hGetAll(this.#seenKey);
    const dead: DeadNode[] = [];
    for (const [nodeId, at] of Object.entries(seen)) {
      if (nodeId === self || (await this.isAlive(nodeId))) continue;
      dead.push({ nodeId, lastSeen: new Date(Number(at)) });
    }
    return dead;
  }

  /** One survivor sweeps a dead node: true for the one that took the claim. */
  async claimSweep(nodeId: string, by: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:sweep:{${nodeId}}`, by, { NX: true, PX: ms })) === 'OK';
  }

  /** The dead node was swept: no longer listed (unless it beats again). */
  async forget(nodeId: string): Promise<void> {
    // Only if it has not come back meanwhile: its next beat would list it again anyway.
    if (!(await this.isAlive(nodeId))) await this.redis.hDel(this.#seenKey, nodeId);
  }
}
