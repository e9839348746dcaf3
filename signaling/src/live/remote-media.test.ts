import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { MediaError, type MediaServer } from '@fairground/media-server';
import { answerMediaCall, type MediaCall } from '../app/media-calls.ts';
import { redisForTest } from '../stores/redis-for-test.ts';
import { RedisMediaNodes } from '../stores/redis-media-nodes.ts';
import { RedisRoomOrigins } from '../stores/redis-room-origins.ts';
import { RemoteMedia } from './remote-media.ts';

const log = pino({ level: 'silent' });
const TTL = 1000;
const transport = { id: 't', iceParameters: {}, iceCandidates: [], dtlsParameters: {} };

/**
 * A signaling-only node's media (split roles) over the test run's Redis: the directory of media
 * nodes and the shared room placement are the real stores; the media nodes are stand-ins that
 * record the calls they are sent (the real ones are in test/node-roles.test.ts).
 */
describe('remote media (NODE_ROLES=signaling)', () => {
  const redis = redisForTest('remote-media');

  const setup = () => {
    const nodes = new RedisMediaNodes(redis.client, `${redis.prefix}:media-nodes`);
    const rooms = new RedisRoomOrigins(redis.client, `${redis.prefix}:media-room`);
    const sent: Array<{ to: string; call: MediaCall }> = [];
    const down = new Set<string>();
    const signalingNode = () =>
      new RemoteMedia({
        nodes,
        rooms,
        ttlMs: TTL,
        log,
        call: async (to, call) => {
          if (down.has(to)) throw new MediaError('MEDIA_UNAVAILABLE', `Node ${to} is not reachable`);
          sent.push({ to, call });
          return call.method === 'createTransport' ? transport : call.method === 'producers' ? [] : null;
        },
      });
    return { nodes, rooms, sent, down, signalingNode };
  };

  it('places a room on the least loaded live media node, the same one for every signaling node, and again elsewhere when it dies', async () => {
    const { nodes, rooms, sent, down, signalingNode } = setup();
    const [a, b] = [signalingNode(), signalingNode()];
    // Nothing to place on yet: a code, at once.
    await expect(a.createTransport({ kind: 'booth', id: 'booth:1' }, 'p1', 'send')).rejects.toMatchObject({ code: 'MEDIA_UNAVAILABLE' });
    await nodes.put({ node: 'm1', ip: '10.0.0.1', load: 5, at: Date.now() });
    await nodes.put({ node: 'm2', ip: '10.0.0.2', load: 1, at: Date.now() });
    await nodes.put({ node: 'm0', ip: '10.0.0.3', load: 0, at: Date.now() - 2 * TTL }); // stopped beating
    expect(await a.available()).toBe(2);

    await a.createTransport({ kind: 'booth', id: 'booth:1' }, 'p1', 'send');
    expect(sent.at(-1)).toMatchObject({ to: 'm2', call: { method: 'createTransport' } });
    // m1 is lighter now, but the room stays where its peers are: b's peer meets a's on m2.
    await nodes.put({ node: 'm1', ip: '10.0.0.1', load: 0, at: Date.now() });
    await b.createTransport({ kind: 'booth', id: 'booth:1' }, 'p2', 'recv');
    expect(sent.at(-1)?.to).toBe('m2');
    // Later calls follow the room; a room nobody placed has no media.
    await b.connectTransport('booth:1', 'p2', 't', { role: 'client', fingerprints: [] });
    expect(sent.at(-1)).toMatchObject({ to: 'm2', call: { method: 'connectTransport', args: ['booth:1', 'p2', 't', { role: 'client' }] } });
    await expect(b.consume('booth:9', 'p2', 't', 'x', {})).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    expect(await b.producers('booth:9')).toEqual([]);
    // m2 dies: a call in flight fails with a code; once its heartbeat is found expired, each
    // signaling node resets the room for its own peers, and the next transport lands on m1.
    down.add('m2');
    await expect(a.restartIce('booth:1', 'p1', 't')).rejects.toMatchObject({ code: 'MEDIA_UNAVAILABLE' });
    const resets: Array<{ roomId: string; peerIds: string[] }> = [];
    a.on('room-reset', (e) => resets.push(e));
    b.on('room-reset', (e) => resets.push(e));
    expect(a.nodeGone('m2')).toBe(1);
    expect(b.nodeGone('m2')).toBe(1);
    expect(resets).toEqual([expect.objectContaining({ roomId: 'booth:1', peerIds: ['p1'] }), expect.objectContaining({ roomId: 'booth:1', peerIds: ['p2'] })]);
    // Not swept yet (the claim still names m2): the placement is freed and taken by a live node.
    await a.createTransport({ kind: 'booth', id: 'booth:1' }, 'p1', 'send');
    expect(sent.at(-1)?.to).toBe('m1');
    await b.createTransport({ kind: 'booth', id: 'booth:1' }, 'p2', 'recv');
    expect(sent.at(-1)?.to).toBe('m1');

    // The room closes on m1 (its media node gives the placement up) and another signaling node
    // places it again, on m3 now: this node follows the shared placement, not its own memory.
    await nodes.put({ node: 'm1', ip: '10.0.0.1', load: 9, at: Date.now() });
    await nodes.put({ node: 'm3', ip: '10.0.0.4', load: 0, at: Date.now() });
    await rooms.release('booth:1', 'm1');
    await signalingNode().createTransport({ kind: 'booth', id: 'booth:1' }, 'p3', 'send');
    expect(sent.at(-1)?.to).toBe('m3');
    await a.producers('booth:1');
    expect(sent.at(-1)).toMatchObject({ to: 'm3', call: { method: 'producers' } });
  });

  it('emits a media node’s events as the in-process media server would, and drops malformed ones', async () => {
    const media = setup().signalingNode();
    const closed: unknown[] = [];
    media.on('consumer-closed', (e) => closed.push(e));
    media.deliver({ name: 'consumer-closed', payload: { roomId: 'booth:1', consumerId: 'c', peerId: 'p' } }, 'm1');
    media.deliver({ name: 'consumer-closed', payload: { roomId: 'booth:1' } }, 'm1');
    media.deliver({ name: 'shutdown', payload: {} }, 'm1');
    expect(closed).toEqual([{ roomId: 'booth:1', consumerId: 'c', peerId: 'p' }]);
  });

  it('a media node refuses a malformed call before the media server sees it', async () => {
    const untouched = {} as MediaServer;
    await expect(answerMediaCall(untouched, { method: 'closeRoom', args: [] })).rejects.toMatchObject({ code: 'MEDIA_REJECTED' });
    await expect(answerMediaCall(untouched, { method: 'close', args: [] })).rejects.toMatchObject({ code: 'MEDIA_REJECTED' });
    await expect(answerMediaCall(untouched, { method: 'createTransport', args: [{ kind: 'lobby', id: 'x' }, 'p', 'send'] })).rejects.toMatchObject({
      code: 'MEDIA_REJECTED',
    });
  });
});
