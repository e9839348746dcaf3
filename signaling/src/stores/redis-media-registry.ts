import type { RedisClientType } from 'redis';

/** A producer as every node lists it: where it is published, by whom, and what it carries. */
export interface RegisteredProducer {
  roomId: string;
  id: string;
  /** The node (incarnation) its publisher is connected to: where other nodes bring it from. */
  node: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: string;
  /** The publisher's account (absent for a visitor): an interview names each camera by it. */
  userId?: string;
}

// Drops a dead node's entries and answers them, in one step (a sweep repeated finds nothing).
const DROP_NODE = `
local members = redis.call('SMEMBERS', KEYS[1])
local dropped = {}
for _, member in ipairs(members) do
  local at = string.find(member, ' ', 1, true)
  local roomKey = ARGV[1] .. string.sub(member, 1, at - 1)
  local producerId = string.sub(member, at + 1)
  local entry = redis.call('HGET', roomKey, producerId)
  if entry then
    table.insert(dropped, entry)
    redis.call('HDEL', roomKey, producerId)
  end
end
redis.call('DEL', KEYS[1])
return dropped`;

/**
 * Which node holds each producer of each room (media across nodes): written by the origin when a
 * producer is made, removed when it closes, and a dead node's entries are dropped by the survivor
 * that sweeps it. Any node lists a room's producers from here (its own and every other node's),
 * and looks up where to bring a producer from. A hash per room (producer id -> entry) and a set
 * per node (`roomId producerId`), so a sweep finds a node's entries without scanning rooms.
 */
export class RedisMediaRegistry {
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

  async add(p: RegisteredProducer): Promise<void> {
    await this.redis.multi().hSet(this.#roomKey(p.roomId), p.id, JSON.stringify(p)).sAdd(this.#nodeKey(p.node), `${p.roomId} ${p.id}`).exec();
  }

  async remove(p: Pick<RegisteredProducer, 'roomId' | 'id' | 'node'>): Promise<void> {
    await this.redis.multi().hDel(this.#roomKey(p.roomId), p.id).sRem(this.#nodeKey(p.node), `${p.roomId} ${p.id}`).exec();
  }

  /** Every producer of the room, on any node. */
  async room(roomId: string): Promise<RegisteredProducer[]> {
    return (await this.redis.hVals(this.#roomKey(roomId))).map((v) => JSON.parse(v) as RegisteredProducer);
  }

  async find(roomId: string, producerId: string): Promise<RegisteredProducer | null> {
    const entry = await this.redis.hGet(this.#roomKey(roomId), producerId);
    return entry ? (JSON.parse(entry) as RegisteredProducer) : null;
  }

  /** A dead node's producers: removed, and answered so their rooms can be told they closed. */
  async dropNode(node: string): Promise<RegisteredProducer[]> {
    const dropped = (await this.redis.eval(DROP_NODE, { keys: [this.#nodeKey(node)], arguments: [`${this.prefix}:room:`] })) as string[];
    return dropped.map((v) => JSON.parse(v) as RegisteredProducer);
  }
}
