import type { RedisClientType } from 'redis';
import type { PresenceStore } from '@fairground/core';

// Each room keeps a set of identities and, per identity, a set of connection ids. The scripts run
// atomically in Redis, so two processes adding or removing the same identity cannot disagree.
const ADD = `
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
return redis.call('SCARD', KEYS[1])`;

const REMOVE = `
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[1], ARGV[1]) end
return redis.call('SCARD', KEYS[1])`;

// The check and the add in one script: a limit (the stage's three guests) holds across nodes.
const ADD_WITHIN = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
return 1`;

/** Presence shared by every signaling process through Redis. */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  #keys(roomId: string, identity: string): [string, string] {
    // The {roomId} hash tag keeps a room's keys in one slot should Redis ever be clustered.
    return [`${this.prefix}:{${roomId}}`, `${this.prefix}:{${roomId}}:${identity}`];
  }

  async add(roomId: string, identity: string, connectionId: string): Promise<number> {
    const keys = this.#keys(roomId, identity);
    return Number(await this.redis.eval(ADD, { keys, arguments: [identity, connectionId] }));
  }

  async remove(roomId: string, identity: string, connectionId: string): Promise<number> {
    const keys = this.#keys(roomId, identity);
    return Number(await this.redis.eval(REMOVE, { keys, arguments: [identity, connectionId] }));
  }

  async addWithin(roomId: string, identity: string, connectionId: string, limit: number): Promise<boolean> {
    const keys = this.#keys(roomId, identity);
    return Number(await this.redis.eval(ADD_WITHIN, { keys, arguments: [identity, connectionId, String(limit)] })) === 1;
  }

  async count(roomId: string): Promise<number> {
    return this.redis.sCard(this.#keys(roomId, '')[0]);
  }

  async members(roomId: string): Promise<string[]> {
    return this.redis.sMembers(this.#keys(roomId, '')[0]);
  }

  async connections(roomId: string, identity: string): Promise<number> {
    return this.redis.sCard(this.#keys(roomId, identity)[1]);
  }

  async claim(key: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:claim:{${key}}`, '1', { NX: true, PX: ms })) === 'OK';
  }
}
