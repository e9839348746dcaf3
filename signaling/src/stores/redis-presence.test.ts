import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { BroadcastStage } from '@fairground/core';
import { RedisPresenceStore } from './redis-presence.ts';

/** Two nodes = two Redis connections and two stages over one shared Redis. */
describe('RedisPresenceStore across two nodes', () => {
  const clients: RedisClientType[] = [];
  const prefix = `${inject('redisPrefix')}:stage-race:${Date.now()}`;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const client = createClient({ url: inject('redisUrl') }) as RedisClientType;
      await client.connect();
      clients.push(client);
    }
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
  });

  it('seats exactly three stage guests when ten invitations race on two nodes', async () => {
    const [a, b] = clients.map((c) => new BroadcastStage(new RedisPresenceStore(c, prefix)));
    for (let i = 0; i < 10; i++) await a!.setHand('race', { peer: `p${i}`, name: `Viewer ${i}` }, true);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).invite('race', `p${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await a!.state('race')).guests).toHaveLength(3);
    expect((await b!.state('race')).guests).toHaveLength(3);
  });

  it('lets an identity already in the room in again (another tab), even when full', async () => {
    const store = new RedisPresenceStore(clients[0]!, prefix);
    expect(await store.addWithin('room', 'x', 'c1', 1)).toBe(true);
    expect(await store.addWithin('room', 'y', 'c2', 1)).toBe(false);
    expect(await store.addWithin('room', 'x', 'c3', 1)).toBe(true);
    expect(await store.connections('room', 'x')).toBe(2);
  });
});
