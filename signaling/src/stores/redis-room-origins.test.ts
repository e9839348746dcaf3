import { describe, expect, it } from 'vitest';
import { redisForTest } from './redis-for-test.ts';
import { RedisRoomOrigins } from './redis-room-origins.ts';

/** Which node owns each room's origin, over the test run's Redis: one claim wins, a dead node's are freed. */
describe('room origins', () => {
  const redis = redisForTest('room-origins');

  it('gives a room to one of two nodes claiming at once, and the other takes it over once the owner is swept', async () => {
    const origins = new RedisRoomOrigins(redis.client, redis.prefix);
    const owners = await Promise.all([origins.claim('broadcast:1', 'a'), origins.claim('broadcast:1', 'b')]);
    // Both are told the same winner.
    expect(owners[0]).toBe(owners[1]);
    const [winner, loser] = owners[0] === 'a' ? ['a', 'b'] : ['b', 'a'];
    expect(await origins.owner('broadcast:1')).toBe(winner);
    await origins.claim('booth:2', winner);

    // Only the owner gives it up: the other node's release changes nothing.
    await origins.release('broadcast:1', loser);
    expect(await origins.owner('broadcast:1')).toBe(winner);

    // The owner died: the sweep frees its rooms, and the next claim takes the origin over.
    expect((await origins.dropNode(winner)).sort()).toEqual(['booth:2', 'broadcast:1']);
    expect(await origins.owner('broadcast:1')).toBeNull();
    expect(await origins.claim('broadcast:1', loser)).toBe(loser);
    // A sweep repeated (its sweeper died half-way) frees nothing more, nor the new owner's claim.
    expect(await origins.dropNode(winner)).toEqual([]);
    expect(await origins.owner('broadcast:1')).toBe(loser);

    await origins.release('broadcast:1', loser);
    expect(await origins.owner('broadcast:1')).toBeNull();
    expect(await origins.dropNode(loser)).toEqual([]);
  });
});
