import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { PipeRequest, ProducerInfo } from '@fairground/media-server';
import type { RegisteredProducer } from '../stores/redis-media-registry.ts';
import { createMediaCluster } from './media-cluster.ts';

/** An in-memory registry and a media server that answers pipe messages by name, for the cluster's own rules. */
function setup() {
  const listed = new Map<string, RegisteredProducer>();
  const registry = {
    add: async (p: RegisteredProducer) => void listed.set(p.id, p),
    remove: async (p: { id: string }) => void listed.delete(p.id),
    room: async (roomId: string) => [...listed.values()].filter((p) => p.roomId === roomId),
    find: async (_roomId: string, id: string) => listed.get(id) ?? null,
    dropNode: async (node: string) => [...listed.values()].filter((p) => p.node === node && listed.delete(p.id)),
  };
  const local: ProducerInfo[] = [];
  const asked: string[] = [];
  const media = Object.assign(new EventEmitter(), {
    producers: async () => [...local],
    closeImportsFrom: async () => ({ closed: 1 }),
    request: async (msg: PipeRequest) => {
      asked.push(`here:${msg.type}`);
      if (msg.type === 'openPipe') return { id: 'pipe-here', ip: '127.0.0.1', port: 1, connectedTo: msg.remote ? msg.remote.id : null };
      if (msg.type === 'importProducer') {
        local.push({ id: msg.producer.id, peerId: msg.producer.peerId, kind: msg.producer.kind, appData: {} });
        return { id: msg.producer.id, peerId: msg.producer.peerId, kind: msg.producer.kind };
      }
      return null;
    },
  });
  const channel = {
    request: async (to: string, msg: PipeRequest) => {
      asked.push(`${to}:${msg.type}`);
      await new Promise((r) => setTimeout(r, 5));
      if (msg.type === 'openPipe') return { id: 'pipe-there', ip: '127.0.0.1', port: 2, connectedTo: 'pipe-here' };
      if (msg.type === 'exportProducer')
        return { pipeId: 'pipe-there', id: msg.producerId, peerId: 'host', kind: 'video', rtpParameters: {}, paused: false, appData: {} };
      return null;
    },
    tell: () => {},
  };
  /** Room -> owning node, as stores/redis-room-origins.ts keeps it. */
  const owners = new Map<string, string>();
  const origins = {
    claim: async (roomId: string, node: string) => {
      if (!owners.has(roomId)) owners.set(roomId, node);
      return owners.get(roomId)!;
    },
    release: async (roomId: string, node: string) => void (owners.get(roomId) === node && owners.delete(roomId)),
    dropNode: async (node: string) => [...owners].filter(([, n]) => n === node).map(([roomId]) => (owners.delete(roomId), roomId)),
  };
  const cluster = createMediaCluster({ nodeId: 'b', media: media as never, registry, origins, channel, log: pino({ level: 'silent' }) });
  return { cluster, listed, local, asked, owners };
}

describe('media cluster', () => {
  it('lists every node’s producers once, brings one once for concurrent consumes, and tells the room only of its own closes', async () => {
    const { cluster, listed, local, asked } = setup();
    local.push({ id: 'mine', peerId: 'p1', kind: 'audio', appData: { source: 'mic' } });
    await cluster.published('booth:1', { id: 'mine', peerId: 'p1', kind: 'audio', source: 'mic' });
    listed.set('theirs', { roomId: 'booth:1', id: 'theirs', node: 'a', peerId: 'host', kind: 'video', source: 'camera' });
    expect((await cluster.producers('booth:1')).map((p) => [p.id, p.appData.source])).toEqual([
      ['mine', 'mic'],
      ['theirs', 'camera'],
    ]);

    await Promise.all([1, 2, 3].map(() => cluster.ensureLocal({ kind: 'booth', id: 'booth:1' }, 'theirs')));
    expect(asked.filter((a) => a === 'a:exportProducer')).toHaveLength(1);
    expect(asked.filter((a) => a === 'here:importProducer')).toHaveLength(1);
    // Now local: no more messages.
    await cluster.ensureLocal({ kind: 'booth', id: 'booth:1' }, 'theirs');
    expect(asked.filter((a) => a === 'a:exportProducer')).toHaveLength(1);
    // The imported producer is listed once.
    expect((await cluster.producers('booth:1')).map((p) => p.id)).toEqual(['mine', 'theirs']);

    expect(cluster.closed({ roomId: 'booth:1', producerId: 'theirs', fromNode: 'a' })).toBe(false);
    expect(cluster.closed({ roomId: 'booth:1', producerId: 'mine' })).toBe(true);
    await expect.poll(() => listed.has('mine')).toBe(false);
    expect(listed.has('theirs')).toBe(true);
  });

  it('lists this node’s producers again after Redis lost them', async () => {
    const { cluster, listed } = setup();
    await cluster.published('broadcast:2', { id: 'cam', peerId: 'host', kind: 'video', source: 'camera' });
    await cluster.published('broadcast:2', { id: 'gone', peerId: 'host', kind: 'audio', source: 'mic' });
    cluster.closed({ roomId: 'broadcast:2', producerId: 'gone' });
    listed.clear();
    expect(await cluster.restore()).toBe(1);
    expect([...listed.keys()]).toEqual(['cam']);
  });

  it('claims the origin of a room it publishes in, takes it over when the owner is swept, and gives it up with its last producer', async () => {
    const { cluster, owners } = setup();
    // A publisher on node A made A the origin; a second publisher reaches this node B.
    owners.set('broadcast:3', 'a');
    await cluster.published('broadcast:3', { id: 'cam', peerId: 'host', kind: 'video', source: 'camera' });
    expect(owners.get('broadcast:3')).toBe('a');
    expect(cluster.origins()).toBe(0);
    // A dies and this node sweeps it: the origin is free, and B, where publishing goes on, takes it.
    await cluster.sweep('a');
    expect(owners.get('broadcast:3')).toBe('b');
    expect(cluster.origins()).toBe(1);

    // Swept by another node instead: B hears the node is gone and claims then.
    owners.set('booth:4', 'c');
    await cluster.published('booth:4', { id: 'mic', peerId: 'staff', kind: 'audio', source: 'mic' });
    owners.delete('booth:4');
    await cluster.gone('c');
    expect(owners.get('booth:4')).toBe('b');

    // The room's last producer here closes: the origin is given up.
    cluster.closed({ roomId: 'broadcast:3', producerId: 'cam' });
    await expect.poll(() => owners.has('broadcast:3')).toBe(false);
    expect(cluster.origins()).toBe(1);
  });
});
