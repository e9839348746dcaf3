import type { PresenceStore } from './presence.ts';

/** Presence for a single process (the default without REDIS_URL). */
export class MemoryPresenceStore implements PresenceStore {
  readonly #rooms = new Map<string, Map<string, Set<string>>>();
  readonly #claims = new Map<string, number>();

  async add(roomId: string, identity: string, connectionId: string): Promise<number> {
    let room = this.#rooms.get(roomId);
    if (!room) this.#rooms.set(roomId, (room = new Map()));
    let connections = room.get(identity);
    if (!connections) room.set(identity, (connections = new Set()));
    connections.add(connectionId);
    return room.size;
  }

  async remove(roomId: string, identity: string, connectionId: string): Promise<number> {
    const room = this.#rooms.get(roomId);
    if (!room) return 0;
    const connections = room.get(identity);
    connections?.delete(connectionId);
    if (connections && connections.size === 0) room.delete(identity);
    if (room.size === 0) this.#rooms.delete(roomId);
    return room.size;
  }

  async addWithin(roomId: string, identity: string, connectionId: string, limit: number): Promise<boolean> {
    // Synchronous from the check to the add: nothing else runs in between on this process.
    const room = this.#rooms.get(roomId);
    if (!room?.has(identity) && (room?.size ?? 0) >= limit) return false;
    await this.add(roomId, identity, connectionId);
    return true;
  }

  async count(roomId: string): Promise<number> {
    return this.#rooms.get(roomId)?.size ?? 0;
  }

  async members(roomId: string): Promise<string[]> {
    return [...(this.#rooms.get(roomId)?.keys() ?? [])];
  }

  async connections(roomId: string, identity: string): Promise<number> {
    return this.#rooms.get(roomId)?.get(identity)?.size ?? 0;
  }

  async claim(key: string, ms: number): Promise<boolean> {
    const now = Date.now();
    if ((this.#claims.get(key) ?? 0) > now) return false;
    this.#claims.set(key, now + ms);
    if (this.#claims.size > 10_000) for (const [k, until] of this.#claims) if (until <= now) this.#claims.delete(k);
    return true;
  }
}
