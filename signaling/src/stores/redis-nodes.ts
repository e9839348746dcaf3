import type { RedisClientType } from 'redis';

/**
 * How a deployment's signaling nodes hold media: each of both roles keeps its own peers' media
 * and pipes between such nodes (`combined`, the default), or signaling-only nodes place each room
 * on a media-only node (`split`). The two do not mix (docs/ARCHITECTURE.md › Split roles);
 * media-only nodes serve either (as edges beside nodes of both roles) and hold no layout.
 */
export type NodeLayout = 'combined' | 'split';

/** The layout of a node with the signaling role. */
export function layoutOf(roles: readonly string[]): NodeLayout {
  return roles.includes('media') ? 'combined' : 'split';
}

// The beat renews the node's key and records when it was last seen; it answers whether the key was
// still there, so a node notices at once when Redis lost its state (a restart) or a survivor
// declared it dead (it stalled past the expiry). It renews the deployment's layout too (when it is
// this node's): the layout lasts while any node of it beats.
const BEAT = `
local alive = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then
  local held = redis.call('GET', KEYS[3])
  if not held or held == ARGV[4] then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[2]) end
end
return alive`;

// Takes the layout when no node holds one (or it is this one already); answers the layout held.
const HOLD_LAYOUT = `
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

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
    /** This node's layout, renewed with each beat; none for a registry that only reads. */
    private readonly layout?: NodeLayout,
  ) {}

  get #layoutKey(): string {
    return `${this.prefix}:layout`;
  }

  /**
   * At start: the deployment's layout, taken for `ttlMs` when no node holds one. Another layout
   * than this node's means nodes of the other kind are beating here, and this one must not join.
   */
  async holdLayout(ttlMs: number): Promise<NodeLayout> {
    if (!this.layout) throw new Error('holdLayout needs the node’s layout');
    return (await this.redis.eval(HOLD_LAYOUT, { keys: [this.#layoutKey], arguments: [this.layout, String(ttlMs)] })) as NodeLayout;
  }

  /** The node's heartbeat key: there while it is alive (a sweep of it stops when it is back). */
  aliveKey(nodeId: string): string {
    return `${this.prefix}:alive:{${nodeId}}`;
  }

  get #seenKey(): string {
    return `${this.prefix}:seen`;
  }

  /** Renews the node's heartbeat for `ttlMs`; false when its previous one was gone. */
  async beat(nodeId: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const alive = await this.redis.eval(BEAT, {
      keys: [this.aliveKey(nodeId), this.#seenKey, this.#layoutKey],
      arguments: [String(now), String(ttlMs), nodeId, this.layout ?? ''],
    });
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
