import type { RedisClientType } from 'redis';
import type { PresenceStore } from '@fairground/core';

// Each room keeps a set of identities and, per identity, a set of connection ids. Beside them, each
// socket keeps the list of entries that name it (KEYS[3]), so whatever a dead socket left behind can
// be found and removed, and the node that owns the socket lists it among its sockets (KEYS[4], only
// when the node adding the entry is the socket's own). The scripts run atomically in Redis, so two
// processes adding or removing the same identity cannot disagree.
const ADD = `
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
if KEYS[4] then redis.call('SADD', KEYS[4], ARGV[4]) end
return redis.call('SCARD', KEYS[1])`;

const REMOVE = `
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[1], ARGV[1]) end
redis.call('SREM', KEYS[3], ARGV[3])
return redis.call('SCARD', KEYS[1])`;

// A survivor's sweep of a node taken for dead: the same remove, unless the node's heartbeat key
// (KEYS[4]) exists again. Checked in the script, so once the node's beat is back no removal of the
// sweep lands after it, and the node's restore (which follows its beat) is never undone by a sweep
// that was still running (a stalled node swept while it resumes: issue 13's storm lost its count so).
// Returns the identity's connections left in the room, or -1 when the node is back.
const SWEEP_REMOVE = `
if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[1], ARGV[1]) end
redis.call('SREM', KEYS[3], ARGV[3])
return redis.call('SCARD', KEYS[2])`;

// Deletes KEYS[1] unless the fence KEYS[2] exists (the swept node is back): 1 when deleted, -1 if not.
const DEL_UNLESS = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('DEL', KEYS[1])
return 1`;

/** Sockets swept, or entries restored, at once: pipelined on the connection, not one round trip after another. */
const AT_ONCE = 200;

// The check and the add in one script: a limit (the stage's three guests) holds across nodes.
const ADD_WITHIN = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[5]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
if KEYS[4] then redis.call('SADD', KEYS[4], ARGV[4]) end
return 1`;

/** One presence entry: a connection of an identity in a room. */
export interface PresenceEntry {
  roomId: string;
  identity: string;
  connectionId: string;
}

/** An entry removed because its socket is gone, and what is left of its identity in the room. */
export interface SweptEntry extends PresenceEntry {
  /** The identity's connections still in the room (other tabs, or the same person on another node). */
  remaining: number;
}

/**
 * The socket a connection id belongs to. A connection id is a socket id, or a socket id, `|` and a
 * qualifier when one socket is counted in several rooms of one kind (a booth visitor in the fair).
 */
export const socketOf = (connectionId: string) => connectionId.split('|', 1)[0]!;

const encode = (e: PresenceEntry) => JSON.stringify([e.roomId, e.identity, e.connectionId]);
const decode = (s: string): PresenceEntry => {
  const [roomId, identity, connectionId] = JSON.parse(s) as [string, string, string];
  return { roomId, identity, connectionId };
};

/**
 * Presence shared by every signaling process through Redis, owned per node: this node's sockets
 * are listed under its id (`nodeSockets`), so a survivor can sweep what a dead node left behind
 * (`sweepSockets`), and this node keeps what it wrote in memory too, so it can put it back when
 * Redis comes back empty after a restart (`restore`, then `restoreTheirs`).
 */
export class RedisPresenceStore implements PresenceStore {
  /** This node's live sockets -> the entries it added for them (encoded -> entry). */
  readonly #mine = new Map<string, Map<string, PresenceEntry>>();
  /** Other nodes' sockets -> entries this node wrote for them (a host seating a guest connected elsewhere). */
  readonly #theirs = new Map<string, Map<string, PresenceEntry>>();

  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
    /** This node's id (config NODE_ID); every node of a deployment has its own. */
    readonly nodeId = 'single',
  ) {}

  #keys(roomId: string, identity: string): [string, string] {
    // The {roomId} hash tag keeps a room's keys in one slot should Redis ever be clustered.
    return [`${this.prefix}:{${roomId}}`, `${this.prefix}:{${roomId}}:${identity}`];
  }

  #socketKey(socketId: string): string {
    return `${this.prefix}:socket:{${socketId}}`;
  }

  /** The set of a node's sockets that have presence entries. */
  nodeSocketsKey(nodeId: string): string {
    return `${this.prefix}:node:{${nodeId}}:sockets`;
  }

  /** Keys and arguments of an add; the entry is remembered when its socket is this node's. */
  #write(entry: PresenceEntry): { keys: string[]; args: string[] } {
    const socketId = socketOf(entry.connectionId);
    const encoded = encode(entry);
    const keys = [...this.#keys(entry.roomId, entry.identity), this.#socketKey(socketId)];
    const args = [entry.identity, entry.connectionId, encoded];
    const mine = this.#mine.get(socketId);
    if (mine) {
      mine.set(encoded, entry);
      keys.push(this.nodeSocketsKey(this.nodeId));
      args.push(socketId);
    } else {
      let theirs = this.#theirs.get(socketId);
      if (!theirs) this.#theirs.set(socketId, (theirs = new Map()));
      theirs.set(encoded, entry);
      args.push('');
    }
    return { keys, args };
  }

  #forget(entry: PresenceEntry): void {
    const socketId = socketOf(entry.connectionId);
    const encoded = encode(entry);
    this.#mine.get(socketId)?.delete(encoded);
    const theirs = this.#theirs.get(socketId);
    theirs?.delete(encoded);
    if (theirs?.size === 0) this.#theirs.delete(socketId);
  }

  /** A socket of this node opened: its entries are remembered (for `restore`) and listed under the node. */
  own(socketId: string): void {
    if (!this.#mine.has(socketId)) this.#mine.set(socketId, new Map());
  }

  /**
   * A socket of this node closed and its handlers ran: whatever presence still names it (a leave
   * that failed, say) is removed, and the node stops listing it. Returns what was removed.
   */
  async disown(socketId: string): Promise<SweptEntry[]> {
    this.#mine.delete(socketId);
    const swept = await this.sweepSockets([socketId]);
    await this.redis.sRem(this.nodeSocketsKey(this.nodeId), socketId);
    return swept;
  }

  /** The sockets a node listed (for a sweep of a dead node). */
  nodeSockets(nodeId: string): Promise<string[]> {
    return this.redis.sMembers(this.nodeSocketsKey(nodeId));
  }

  /**
   * Removes every entry naming these sockets (they are gone: their node died, or they closed),
   * through the same atomic remove as a leave. Safe to repeat: an entry removed twice is removed once.
   */
  async sweepSockets(socketIds: string[]): Promise<SweptEntry[]> {
    const swept: SweptEntry[] = [];
    for (const socketId of socketIds) {
      const key = this.#socketKey(socketId);
      for (const raw of await this.redis.sMembers(key)) {
        const entry = decode(raw);
        await this.remove(entry.roomId, entry.identity, entry.connectionId);
        swept.push({ ...entry, remaining: await this.connections(entry.roomId, entry.identity) });
      }
      await this.redis.del(key);
    }
    return swept;
  }

  /**
   * Sweeps a node taken for dead: every entry its sockets hold, then its list of sockets. `fence`
   * is the node's heartbeat key: should the node beat again meanwhile (it had stalled, not died),
   * the sweep stops there, in Redis, and removes nothing more; the node writes back what was
   * removed (`restore`) after that beat. Returns what was removed and whether the node came back.
   * Sockets are swept a few hundred at a time: one after the other, a storm's thousands of sockets
   * took the survivor many seconds.
   */
  async sweepNode(nodeId: string, fence: string): Promise<{ swept: SweptEntry[]; interrupted: boolean }> {
    const sockets = await this.nodeSockets(nodeId);
    const swept: SweptEntry[] = [];
    let interrupted = false;
    const sweepOne = async (socketId: string) => {
      const key = this.#socketKey(socketId);
      const entries = (await this.redis.sMembers(key)).map(decode);
      const removed = await Promise.all(
        entries.map(async (entry) => {
          const keys = [...this.#keys(entry.roomId, entry.identity), key, fence];
          const remaining = Number(await this.redis.eval(SWEEP_REMOVE, { keys, arguments: [entry.identity, entry.connectionId, encode(entry)] }));
          return remaining < 0 ? null : { ...entry, remaining };
        }),
      );
      for (const entry of removed) if (entry) swept.push(entry);
      if (removed.includes(null) || Number(await this.redis.eval(DEL_UNLESS, { keys: [key, fence] })) < 0) interrupted = true;
    };
    for (let i = 0; i < sockets.length && !interrupted; i += AT_ONCE) await Promise.all(sockets.slice(i, i + AT_ONCE).map(sweepOne));
    if (!interrupted && Number(await this.redis.eval(DEL_UNLESS, { keys: [this.nodeSocketsKey(nodeId), fence] })) < 0) interrupted = true;
    return { swept, interrupted };
  }

  /**
   * Writes this node's entries again (Redis restarted and lost them, or a survivor swept this node
   * while it was stalled). Returns them, so the caller can recount and re-mark what they mean.
   */
  async restore(): Promise<PresenceEntry[]> {
    const entries = [...this.#mine.values()].flatMap((m) => [...m.values()]);
    for (let i = 0; i < entries.length; i += AT_ONCE) {
      await Promise.all(
        entries.slice(i, i + AT_ONCE).map((entry) => {
          const { keys, args } = this.#write(entry);
          return this.redis.eval(ADD, { keys, arguments: args });
        }),
      );
    }
    return entries;
  }

  /**
   * Writes back what this node wrote for other nodes' sockets (stage seats), for those sockets
   * that are still alive: call it once the other nodes have restored their own (a live socket
   * always has entries, at least its connection counts, so its list exists again). The rest are
   * forgotten. Returns what was written back.
   */
  async restoreTheirs(): Promise<PresenceEntry[]> {
    const restored: PresenceEntry[] = [];
    for (const [socketId, entries] of [...this.#theirs]) {
      if (!(await this.#alive(socketId))) {
        this.#theirs.delete(socketId);
        continue;
      }
      for (const entry of entries.values()) {
        const { keys, args } = this.#write(entry);
        await this.redis.eval(ADD, { keys, arguments: args });
        restored.push(entry);
      }
    }
    return restored;
  }

  /** Forgets what this node wrote for other nodes' sockets that have gone since (memory stays bounded). */
  async pruneTheirs(): Promise<void> {
    for (const socketId of [...this.#theirs.keys()]) if (!(await this.#alive(socketId))) this.#theirs.delete(socketId);
  }

  async #alive(socketId: string): Promise<boolean> {
    return (await this.redis.exists(this.#socketKey(socketId))) === 1;
  }

  async add(roomId: string, identity: string, connectionId: string): Promise<number> {
    const { keys, args } = this.#write({ roomId, identity, connectionId });
    return Number(await this.redis.eval(ADD, { keys, arguments: args }));
  }

  async remove(roomId: string, identity: string, connectionId: string): Promise<number> {
    const entry = { roomId, identity, connectionId };
    const socketId = socketOf(connectionId);
    const encoded = encode(entry);
    this.#forget(entry);
    const keys = [...this.#keys(roomId, identity), this.#socketKey(socketId)];
    return Number(await this.redis.eval(REMOVE, { keys, arguments: [identity, connectionId, encoded] }));
  }

  async addWithin(roomId: string, identity: string, connectionId: string, limit: number): Promise<boolean> {
    const { keys, args } = this.#write({ roomId, identity, connectionId });
    const added = Number(await this.redis.eval(ADD_WITHIN, { keys, arguments: [...args, String(limit)] })) === 1;
    if (!added) this.#forget({ roomId, identity, connectionId });
    return added;
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
