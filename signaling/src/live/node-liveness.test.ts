import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClientType } from 'redis';
import { scratchRedis } from '../../../test/scratch-redis.ts';
import pino from 'pino';
import { RedisNodeRegistry } from '../stores/redis-nodes.ts';
import { RedisPresenceStore, type PresenceEntry, type SweptEntry } from '../stores/redis-presence.ts';
import { startNodeLiveness, type NodeLivenessOptions } from './node-liveness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two nodes' liveness over the test run's Redis: a node that stops beating is swept by the other; when it beats again, it writes its presence back. */
describe('node liveness', () => {
  let redis: Awaited<ReturnType<typeof scratchRedis>>;
  let client: RedisClientType;
  let prefix: string;

  beforeAll(async () => {
    redis = await scratchRedis('liveness');
    ({ client, prefix } = redis);
  });
  afterAll(() => redis.close());

  it('sweeps a node that stopped beating once, at its last beat, and the node restores itself when it beats again', async () => {
    const registry = new RedisNodeRegistry(client, `${prefix}:nodes`);
    const log = pino({ level: 'silent' });
    const seen: { gone: Array<{ entries: SweptEntry[]; at: Date }>; restored: PresenceEntry[][] } = { gone: [], restored: [] };
    const effects = {
      gone: async (entries: SweptEntry[], at: Date) => void seen.gone.push({ entries, at }),
      restored: async (entries: PresenceEntry[]) => void seen.restored.push(entries),
    };
    // Media across nodes: who saw which node dead (every survivor), who swept its media (one).
    const media: { seen: string[]; swept: string[]; restored: string[] } = { seen: [], swept: [], restored: [] };
    const node = (id: string) => {
      const presence = new RedisPresenceStore(client, `${prefix}:presence`, id);
      const hooks = {
        seen: async (dead: string) => void media.seen.push(`${id}:${dead}`),
        swept: async (dead: { nodeId: string }) => void media.swept.push(`${id}:${dead.nodeId}`),
        restored: async () => void media.restored.push(id),
      };
      return { presence, liveness: startNodeLiveness({ nodeId: id, registry, presence, effects, media: hooks, heartbeatMs: 100, ttlMs: 400, log }) };
    };
    const a = node('a');
    const b = node('b');
    a.presence.own('sa');
    await a.presence.add('booth:1', 'user:1', 'sa');
    await a.presence.add('online', 'user:1', 'sa');
    await sleep(150);

    // Node a stalls (its loop stops): after its expiry, b sweeps it exactly once.
    a.liveness.stop();
    const stalledAt = Date.now();
    while (seen.gone.length === 0 && Date.now() - stalledAt < 5000) await sleep(50);
    expect(seen.gone).toHaveLength(1);
    expect(seen.gone[0]!.entries.map((e) => e.roomId).sort()).toEqual(['booth:1', 'online']);
    expect(seen.gone[0]!.at.getTime()).toBeLessThanOrEqual(stalledAt);
    expect(await b.presence.count('booth:1')).toBe(0);
    await sleep(500);
    expect(seen.gone).toHaveLength(1);
    expect(media.swept).toEqual(['b:a']);
    expect(new Set(media.seen)).toEqual(new Set(['b:a']));

    // Node a wakes up: its beat finds its key gone, so it writes its live socket's presence back.
    await a.liveness.tick();
    expect(seen.restored).toEqual([[expect.objectContaining({ roomId: 'booth:1' }), expect.objectContaining({ roomId: 'online' })]]);
    expect(await b.presence.count('booth:1')).toBe(1);
    expect(media.restored).toEqual(['a']);
    b.liveness.stop();
  });

  const nodes = (at: string) => {
    const registry = new RedisNodeRegistry(client, `${prefix}:${at}:nodes`);
    const log = pino({ level: 'silent' });
    const gone: SweptEntry[][] = [];
    const effects = { gone: async (entries: SweptEntry[]) => void gone.push(entries), restored: async () => {} };
    const start = (id: string, wrap: (p: RedisPresenceStore) => Partial<NodeLivenessOptions['presence']> = () => ({})) => {
      const presence = new RedisPresenceStore(client, `${prefix}:${at}:presence`, id);
      const port: NodeLivenessOptions['presence'] = {
        sweepNode: (nodeId, fence) => presence.sweepNode(nodeId, fence),
        restore: () => presence.restore(),
        restoreTheirs: () => presence.restoreTheirs(),
        pruneTheirs: () => presence.pruneTheirs(),
        ...wrap(presence),
      };
      return { presence, liveness: startNodeLiveness({ nodeId: id, registry, presence: port, effects, heartbeatMs: 100, ttlMs: 400, log }) };
    };
    return { registry, gone, start };
  };

  it('stops a sweep when the swept node beats again: nothing it wrote back is removed, nothing is replayed as a leave', async () => {
    const { registry, gone, start } = nodes('woke');
    const a = start('a');
    const sockets = Array.from({ length: 250 }, (_, i) => `sa${i}`);
    for (const s of sockets) {
      a.presence.own(s);
      await a.presence.add('broadcast:1', `device:${s}`, s);
    }
    await sleep(150);
    a.liveness.stop();
    // The survivor's sweep reaches Redis only after the stalled node woke, beat, wrote its presence
    // back, and wrote it back once more three beats later (a starved survivor's sweep, or a long one).
    let swept: { swept: SweptEntry[]; interrupted: boolean } | null = null;
    const b = start('b', (presence) => ({
      sweepNode: async (nodeId, fence) => {
        await a.liveness.tick();
        await sleep(350);
        await a.liveness.tick();
        return (swept = await presence.sweepNode(nodeId, fence));
      },
    }));
    const until = Date.now() + 10_000;
    while (!swept && Date.now() < until) await sleep(50);
    expect(swept).toEqual({ swept: [], interrupted: true });
    expect(await a.presence.count('broadcast:1')).toBe(250);
    expect(gone).toEqual([]);
    // Still listed as its node's: should it die for real later, its sockets are swept then.
    expect((await a.presence.nodeSockets('a')).length).toBe(250);
    expect(await registry.isAlive('a')).toBe(true);
    b.liveness.stop();
  });

  it('beats on while a sweep takes longer than the expiry', async () => {
    const { registry, gone, start } = nodes('slow');
    const a = start('a');
    a.presence.own('sa');
    await a.presence.add('booth:1', 'user:1', 'sa');
    await sleep(150);
    a.liveness.stop();
    // The survivor's sweep takes three expiries (thousands of sockets on a starved node).
    const b = start('b', (presence) => ({
      sweepNode: async (nodeId, fence) => {
        await sleep(1200);
        return presence.sweepNode(nodeId, fence);
      },
    }));
    const until = Date.now() + 10_000;
    let bAlways = true;
    while (gone.length === 0 && Date.now() < until) {
      bAlways &&= await registry.isAlive('b');
      await sleep(30);
    }
    // b's key never expired during its own long sweep (no node could take it for dead), and a was swept once.
    expect(bAlways).toBe(true);
    expect(gone).toHaveLength(1);
    expect(gone[0]!.map((e) => e.roomId)).toEqual(['booth:1']);
    b.liveness.stop();
  });
});
