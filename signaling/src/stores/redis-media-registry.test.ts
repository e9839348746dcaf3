import { describe, expect, it } from 'vitest';
import { redisForTest } from './redis-for-test.ts';
import { RedisMediaRegistry } from './redis-media-registry.ts';

/** Where each producer is, over the test run's Redis: listed by room, unlisted on close, dropped with its node. */
describe('media registry', () => {
  const redis = redisForTest('media-registry');

  it('lists a room’s producers of every node, unlists a closed one, and drops a dead node’s in one step', async () => {
    const registry = new RedisMediaRegistry(redis.client, redis.prefix);
    const p = (roomId: string, id: string, node: string) => ({ roomId, id, node, peerId: `peer-${id}`, kind: 'video' as const, source: 'camera' });
    await registry.add(p('booth:1', 'p1', 'a'));
    await registry.add(p('booth:1', 'p2', 'b'));
    await registry.add(p('broadcast:2', 'p3', 'a'));
    expect((await registry.room('booth:1')).map((e) => `${e.node}:${e.id}`).sort()).toEqual(['a:p1', 'b:p2']);
    expect(await registry.find('broadcast:2', 'p3')).toEqual(p('broadcast:2', 'p3', 'a'));

    await registry.remove(p('booth:1', 'p2', 'b'));
    expect(await registry.find('booth:1', 'p2')).toBeNull();

    expect((await registry.dropNode('a')).map((e) => e.id).sort()).toEqual(['p1', 'p3']);
    expect(await registry.room('booth:1')).toEqual([]);
    expect(await registry.room('broadcast:2')).toEqual([]);
    // A sweep repeated (its sweeper died half-way) finds nothing more.
    expect(await registry.dropNode('a')).toEqual([]);
  });
});
