import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClientType } from 'redis';
import { scratchRedis } from '../../../test/scratch-redis.ts';
import pino from 'pino';
import { RedisNodeRegistry } from '../stores/redis-nodes.ts';
import { RedisPresenceStore, type PresenceEntry, type SweptEntry } from '../stores/redis-presence.ts';
import { startNodeLiveness } from './node-liveness.ts';

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
});
