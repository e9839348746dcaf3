import type { RedisClientType } from 'redis';

/** A media-only node as it lists itself (split roles, NODE_ROLES=media). */
export interface MediaNodeEntry {
  node: string;
  /** The address its WebRTC candidates announce (MEDIA_ANNOUNCED_IP, else MEDIA_LISTEN_IP). */
  ip: string;
  /** Its load when it last beat: WebRTC transports open (one per client and direction). */
  load: number;
  /** When it last beat (ms since the epoch). */
  at: number;
}

/**
 * The media-only nodes of a split deployment: each rewrites its entry (one hash field) with every
 * heartbeat; an entry older than the node TTL is a node that stopped beating. Signaling nodes read
 * it to place a room on the least loaded live media node.
 */
export class RedisMediaNodes {
  constructor(
    private readonly redis: RedisClientType,
    private readonly key: string,
  ) {}

  async put(entry: MediaNodeEntry): Promise<void> {
    await this.redis.hSet(this.key, entry.node, JSON.stringify(entry));
  }

  async remove(node: string): Promise<void> {
    await this.redis.hDel(this.key, node);
  }

  /** Entries that beat within `ttlMs`, least loaded first (ties by name, so every node agrees). */
  async live(ttlMs: number, now = Date.now()): Promise<MediaNodeEntry[]> {
    const all = Object.values(await this.redis.hGetAll(this.key)).map((v) => JSON.parse(v) as MediaNodeEntry);
    return all.filter((e) => now - e.at < ttlMs).sort((a, b) => a.load - b.load || a.node.localeCompare(b.node));
  }
}
