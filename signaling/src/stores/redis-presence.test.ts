import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { BroadcastStage } from '@fairground/core';
import { RedisPresenceStore } from './redis-presence.ts';
import { scratchRedis } from '../../../test/scratch-redis.ts';

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

/** Presence owned per node: what a dead node's sockets held is found and swept; a restart of Redis is repaired. */
describe('RedisPresenceStore ownership', () => {
  let redis: Awaited<ReturnType<typeof scratchRedis>>;
  let client: RedisClientType;
  let prefix: string;

  beforeAll(async () => {
    redis = await scratchRedis('ownership');
    ({ client, prefix } = redis);
  });
  afterAll(() => redis.close());

  it('sweeps every entry naming a dead node’s sockets, and only those', async () => {
    const a = new RedisPresenceStore(client, prefix, 'node-a');
    const b = new RedisPresenceStore(client, prefix, 'node-b');
    a.own('sa');
    b.own('sb');
    await a.add('broadcast:1', 'user:1', 'sa');
    await a.add('fair:f', 'user:1', 'sa|booth-1');
    await b.add('broadcast:1', 'user:1', 'sb');
    await b.add('broadcast:1', 'user:2', 'sb');
    // A host on node b seats node a's viewer: the entry still belongs to the viewer's socket.
    expect(await b.addWithin('stage:1', 'guest', 'sa', 3)).toBe(true);
    // Listed under the node that owns the socket, not the one that wrote the entry.
    expect(await b.nodeSockets('node-b')).toEqual(['sb']);
    expect(await b.nodeSockets('node-a')).toEqual(['sa']);

    const swept = await b.sweepSockets(await b.nodeSockets('node-a'));
    expect(swept.map((e) => [e.roomId, e.identity, e.remaining]).sort()).toEqual([
      ['broadcast:1', 'user:1', 1],
      ['fair:f', 'user:1', 0],
      ['stage:1', 'guest', 0],
    ]);
    expect(await b.count('broadcast:1')).toBe(2);
    expect(await b.connections('broadcast:1', 'user:1')).toBe(1);
    expect(await b.count('stage:1')).toBe(0);
    // A second sweep (a sweeper that died half way, then another) changes nothing.
    expect(await b.sweepSockets(['sa'])).toEqual([]);
  });

  it('writes a node’s own entries back after Redis lost them', async () => {
    const a = new RedisPresenceStore(client, `${prefix}:restore`, 'node-a');
    a.own('s1');
    a.own('s2');
    await a.add('booth:9', 'user:1', 's1');
    await a.add('booth:9', 'user:2', 's2');
    await a.add('online', 'user:2', 's2');
    await a.remove('online', 'user:2', 's2');
    await redis.wipe(`${prefix}:restore`);
    expect(await a.count('booth:9')).toBe(0);
    const restored = await a.restore();
    expect(restored).toHaveLength(2);
    expect(await a.count('booth:9')).toBe(2);
    expect(await a.count('online')).toBe(0);
    expect((await a.nodeSockets('node-a')).sort()).toEqual(['s1', 's2']);
    // A closed socket is no longer restored, and what it still held goes.
    expect(await a.disown('s1')).toEqual([{ roomId: 'booth:9', identity: 'user:1', connectionId: 's1', remaining: 0 }]);
    expect(await a.nodeSockets('node-a')).toEqual(['s2']);
    expect(await a.restore()).toHaveLength(1);
  });

  it('writes back a stage seat given by a host on another node, once the guest’s node is back, and only if the guest is', async () => {
    const p = `${prefix}:theirs`;
    const guestNode = new RedisPresenceStore(client, p, 'node-a');
    const hostNode = new RedisPresenceStore(client, p, 'node-b');
    guestNode.own('guest');
    guestNode.own('gone');
    await guestNode.add('sockets:identity:user:1', 'guest', 'guest');
    await guestNode.add('sockets:identity:user:2', 'gone', 'gone');
    expect(await hostNode.addWithin('stage:1', '["guest","Ann"]', 'guest', 3)).toBe(true);
    expect(await hostNode.addWithin('stage:1', '["gone","Bo"]', 'gone', 3)).toBe(true);
    const wipe = () => redis.wipe(p);
    // "gone" closes, then Redis restarts empty: the guest node restores only its live socket.
    await guestNode.disown('gone');
    await wipe();
    await guestNode.restore();
    expect(await hostNode.restoreTheirs()).toEqual([{ roomId: 'stage:1', identity: '["guest","Ann"]', connectionId: 'guest' }]);
    expect(await hostNode.members('stage:1')).toEqual(['["guest","Ann"]']);
    // The seat of the socket that had gone is forgotten, not written back next time either.
    expect(await hostNode.restoreTheirs()).toHaveLength(1);
  });
});
