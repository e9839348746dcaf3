import type { RedisClientType } from 'redis';

// Takes the room's origin when nobody holds it, in one step (two nodes publishing at once: one
// wins); answers the holder either way.
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return ARGV[1]`;

// Gives the origin up only if this node still holds it (a takeover may have happened meanwhile).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 0`;

// A dead node's origins: freed (those it still holds) and answered, in one step.
const DROP_NODE = `
local rooms = redis.call('SMEMBERS', KEYS[1])
local freed = {}
for _, room in ipairs(rooms) do
  local key = ARGV[1] .. room
  if redis.call('GET', key) == ARGV[2] then
    redis.call('DEL', key)
    table.insert(freed, room)
  end
end
redis.call('DEL', KEYS[1])
return freed`;

/**
 * Which node owns each room's origin (media across nodes): the node its publishers are on, where
 * every other node pipes the room's producers from. Claimed atomically by the first node that
 * publishes in the room, given up when its last producer there closes, and freed by the survivor
 * that sweeps the node once its heartbeat expired (live/node-liveness.ts): the next node a
 * publisher reaches (its page reconnects there and publishes again) takes it over. A key per room
 * and a set per node, so a sweep finds a node's rooms without scanning.
 */
export class RedisRoomOrigins {
  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  #roomKey(roomId: string): string {
    return `${this.prefix}:room:${roomId}`;
  }

  #nodeKey(node: string): string {
    return `${this.prefix}:node:${node}`;
  }

  /** Claims the room's origin for `node` unless another node holds it; answers the owner. */
  async claim(roomId: string, node: string): Promise<string> {
    return String(await this.redis.eval(CLAIM, { keys: [this.#roomKey(roomId), this.#nodeKey(node)], arguments: [node, roomId] }));
  }

  /** `node` gives the origin up (its last publisher there left); a no-op when it is not the owner. */
  async release(roomId: string, node: string): Promise<void> {
    await this.redis.eval(RELEASE, { keys: [this.#roomKey(roomId), this.#nodeKey(node)], arguments: [node, roomId] });
  }

  /** The node that owns the room's origin, or null. */
  async owner(roomId: string): Promise<string | null> {
    return this.redis.get(this.#roomKey(roomId));
  }

  /** A dead node's origins: freed for the next claim, and answered (the rooms). */
  async dropNode(node: string): Promise<string[]> {
    return (await this.redis.eval(DROP_NODE, { keys: [this.#nodeKey(node)], arguments: [`${this.prefix}:room:`, node] })) as string[];
  }
}
