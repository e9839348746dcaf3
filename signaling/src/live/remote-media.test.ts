import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { MediaError, type MediaServer, type PipeRequest } from '@fairground/media-server';
import { answerMediaCall, type MediaCall } from '../app/media-calls.ts';
import { redisForTest } from '../stores/redis-for-test.ts';
import { RedisMediaNodes } from '../stores/redis-media-nodes.ts';
import { RedisRoomOrigins } from '../stores/redis-room-origins.ts';
import { RemoteMedia, type RemoteMediaOptions } from './remote-media.ts';

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

  let tests = 0;
  const setup = () => {
    // Each test's own directory and placements: no media node of an earlier test is live in it.
    const prefix = `${redis.prefix}:${++tests}`;
    const nodes = new RedisMediaNodes(redis.client, `${prefix}:media-nodes`);
    const rooms = new RedisRoomOrigins(redis.client, `${prefix}:media-room`);
    const sent: Array<{ to: string; call: MediaCall }> = [];
    const pipes: Array<{ to: string; request: PipeRequest }> = [];
    const down = new Set<string>();
    /** Receive transports get an id naming their node, so a test sees where a call went. */
    const made = (to: string, call: MediaCall) =>
      call.method === 'createTransport' && call.args[2] === 'recv' ? { ...transport, id: `t-${to}-${call.args[1]}` } : transport;
    const signalingNode = (edgeAfter = 1_000_000, home?: RemoteMediaOptions['home']) =>
      new RemoteMedia({
        ...(home ? { home } : {}),
        nodes,
        rooms,
        ttlMs: TTL,
        edgeAfter,
        log,
        call: async (to, call) => {
          if (down.has(to)) throw new MediaError('MEDIA_UNAVAILABLE', `Node ${to} is not reachable`);
          sent.push({ to, call });
          return call.method === 'createTransport' ? made(to, call) : call.method === 'producers' ? [] : null;
        },
        // The pipe messages of bringProducer, answered as a media server would (shapes only).
        pipe: async (to, request) => {
          if (down.has(to)) throw new MediaError('MEDIA_UNAVAILABLE', `Node ${to} is not reachable`);
          pipes.push({ to, request });
          switch (request.type) {
            case 'openPipe':
              return { id: `pipe-${to}`, ip: '10.0.0.9', port: 40000, connectedTo: request.remote ? request.remote.id : null };
            case 'exportProducer':
              return { pipeId: `pipe-${to}`, id: request.producerId, peerId: 'host', kind: 'video', rtpParameters: {}, paused: false, appData: {} };
            case 'importProducer':
              return { id: request.producer.id, peerId: request.producer.peerId, kind: request.producer.kind };
            default:
              return null;
          }
        },
      });
    return { nodes, rooms, sent, pipes, down, signalingNode };
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

  it('places a broadcast’s viewers on an edge media node past the room node’s load, and pipes each producer there once', async () => {
    const { nodes, sent, pipes, down, signalingNode } = setup();
    await nodes.put({ node: 'm1', ip: '10.0.0.1', load: 0, at: Date.now() });
    const s = signalingNode(1);
    const room = { kind: 'broadcast' as const, id: 'broadcast:1' };
    // The host's send transport places the room on m1 (the only live node).
    await s.createTransport(room, 'host', 'send');
    expect(sent.at(-1)?.to).toBe('m1');
    // m1 holds one transport (its beat says so), the limit here: viewers go to m2 from now on.
    await nodes.put({ node: 'm1', ip: '10.0.0.1', load: 1, at: Date.now() });
    await nodes.put({ node: 'm2', ip: '10.0.0.2', load: 0, at: Date.now() });
    const t1 = await s.createTransport(room, 'v1', 'recv');
    const t2 = await s.createTransport(room, 'v2', 'recv');
    expect([t1.id, t2.id]).toEqual(['t-m2-v1', 't-m2-v2']);
    // A booth stays on its one node whatever the load: m1, as m2 holds the two viewers made there
    // since its entry was written.
    await s.createTransport({ kind: 'booth', id: 'booth:1' }, 'b1', 'send');
    expect(sent.at(-1)?.to).toBe('m1');
    expect((await s.createTransport({ kind: 'booth', id: 'booth:1' }, 'b2', 'recv')).id).toBe(`t-${sent.at(-1)!.to}-b2`);
    await s.connectTransport('broadcast:1', 'v1', t1.id, { role: 'client', fingerprints: [] });
    expect(sent.at(-1)).toMatchObject({ to: 'm2', call: { method: 'connectTransport' } });
    // Two viewers consume the host's producer at once: one bring (five pipe messages, two to m1,
    // the edge's end first), then each consume on m2.
    await Promise.all([s.consume('broadcast:1', 'v1', t1.id, 'P', {}), s.consume('broadcast:1', 'v2', t2.id, 'P', {})]);
    expect(pipes.map((p) => `${p.to} ${p.request.type}`)).toEqual(['m2 openPipe', 'm1 openPipe', 'm2 openPipe', 'm1 exportProducer', 'm2 importProducer']);
    expect(pipes[3]!.request).toMatchObject({ roomId: 'broadcast:1', producerId: 'P', toNode: 'm2' });
    expect(sent.filter((c) => c.call.method === 'consume').map((c) => c.to)).toEqual(['m2', 'm2']);
    await s.resumeConsumer('broadcast:1', 'v1', 'c1');
    expect(sent.at(-1)).toMatchObject({ to: 'm2', call: { method: 'resumeConsumer' } });
    // The host's calls stay on m1; its producer listing too.
    await s.produce('broadcast:1', 'host', 't', 'video', { codecs: [] });
    expect(sent.at(-1)?.to).toBe('m1');
    await s.producers('broadcast:1');
    expect(sent.at(-1)?.to).toBe('m1');
    // A viewer leaving is closed on its edge and on the room's node.
    await s.closePeer('broadcast:1', 'v2');
    expect(sent.slice(-2).map((c) => `${c.to} ${c.call.method}`)).toEqual(['m2 closePeer', 'm1 closePeer']);
    // The edge's copy of the room closing (its last viewer there left) is not the room closing.
    const closed: unknown[] = [];
    s.on('room-closed', (e) => closed.push(e));
    s.deliver({ name: 'room-closed', payload: { roomId: 'broadcast:1', kind: 'broadcast' } }, 'm2');
    expect(closed).toEqual([]);
    expect((await s.createTransport(room, 'v1', 'recv')).id).toBe('t-m2-v1');
    // m1 dies: the host is reset (it publishes again), and the booth's peers; v1 on the live edge
    // is not (it keeps its transport and consumes what the host publishes next).
    const resets: Array<{ peerIds: string[] }> = [];
    s.on('room-reset', (e) => resets.push(e));
    down.add('m1');
    s.nodeGone('m1');
    expect(resets.map((r) => r.peerIds)).toEqual([['host'], ['b1', 'b2']]);
    // The host's new send transport places the room on m2, the edge: v1's consumes are local now.
    await s.createTransport(room, 'host', 'send');
    expect(sent.at(-1)?.to).toBe('m2');
    const before = pipes.length;
    await s.consume('broadcast:1', 'v1', t1.id, 'P2', {});
    expect(pipes.length).toBe(before);
    expect(sent.at(-1)).toMatchObject({ to: 'm2', call: { method: 'consume' } });
    // m2 dies too: v1 and the host are reset.
    s.nodeGone('m2');
    expect(resets.slice(2).flatMap((r) => r.peerIds)).toEqual(expect.arrayContaining(['host', 'v1']));
  });

  it('spreads a burst of joins within one beat over the media nodes, counting what it made since each entry was written', async () => {
    const { nodes, signalingNode } = setup();
    const at = Date.now();
    for (const node of ['m1', 'm2', 'm3']) await nodes.put({ node, ip: '10.0.0.1', load: 0, at });
    const s = signalingNode(2);
    const room = { kind: 'broadcast' as const, id: 'broadcast:burst' };
    await s.createTransport(room, 'host', 'send');
    // The room is on m1 (ties by name); its host's transport and one viewer's fill it to the
    // limit of two before its next beat, then the viewers alternate over the two edges.
    const ids = [];
    for (const v of ['v1', 'v2', 'v3', 'v4', 'v5']) ids.push((await s.createTransport(room, v, 'recv')).id);
    expect(ids).toEqual(['t-m1-v1', 't-m2-v2', 't-m3-v3', 't-m2-v4', 't-m3-v5']);
    // m2 beats: its entry now counts what was made there (two) and more, so m3 is lighter.
    await nodes.put({ node: 'm2', ip: '10.0.0.1', load: 5, at: at + 1 });
    expect((await s.createTransport(room, 'v6', 'recv')).id).toBe('t-m3-v6');
    await nodes.put({ node: 'm3', ip: '10.0.0.1', load: 6, at: at + 1 });
    expect((await s.createTransport(room, 'v7', 'recv')).id).toBe('t-m2-v7');
    // A new room goes to the least loaded node, counting the burst: m1 (two) over m2 (six).
    await s.createTransport({ kind: 'booth', id: 'booth:burst' }, 'b1', 'send');
    expect((await s.createTransport({ kind: 'booth', id: 'booth:burst' }, 'b2', 'recv')).id).toBe('t-m1-b2');
  });

  it('beside a node of both roles: keeps its rooms home and puts broadcast viewers on media nodes past the load, whose events and deaths it handles', async () => {
    const { nodes, sent, pipes, signalingNode } = setup();
    // This node's own media server: it records the calls it gets and answers like one.
    const homeCalls: string[] = [];
    let homeTransports = 0;
    const local = Object.assign(new EventEmitter(), {
      createTransport: async (_room: unknown, peerId: string) => (
        homeTransports++,
        homeCalls.push(`createTransport ${peerId}`),
        { ...transport, id: `t-home-${peerId}` }
      ),
      connectTransport: async (_r: string, peerId: string) => void homeCalls.push(`connectTransport ${peerId}`),
      consume: async (_r: string, peerId: string) => (homeCalls.push(`consume ${peerId}`), { id: 'c' }),
      closePeer: async (_r: string, peerId: string) => void homeCalls.push(`closePeer ${peerId}`),
      producers: async () => [{ id: 'P', peerId: 'host', kind: 'video', appData: {} }],
      rtpCapabilities: async () => ({ codecs: [] }),
      stats: async () => ({ transports: homeTransports }),
    }) as unknown as MediaServer;
    const s = signalingNode(2, { node: 'home', media: local });
    const room = { kind: 'broadcast' as const, id: 'broadcast:home' };

    // No media node beside it: everything stays home, nothing sent anywhere.
    await s.createTransport(room, 'host', 'send');
    expect((await s.createTransport(room, 'v1', 'recv')).id).toBe('t-home-v1');
    expect(await s.producers('broadcast:home')).toHaveLength(1);
    expect(sent).toEqual([]);

    // A media node starts (the directory is read again after a second); home holds two transports,
    // the limit: the next viewer's receive transport is on m1, its calls go there, and its consume
    // is sent as is (m1 brings the producer from where it was published: no pipe from here).
    await new Promise((r) => setTimeout(r, 1100));
    await nodes.put({ node: 'm1', ip: '10.0.0.1', load: 0, at: Date.now() });
    const edged = await s.createTransport(room, 'v2', 'recv');
    expect(edged.id).toBe('t-m1-v2');
    await s.connectTransport('broadcast:home', 'v2', edged.id, { role: 'client', fingerprints: [] });
    await s.consume('broadcast:home', 'v2', edged.id, 'P', {});
    expect(sent.map((x) => `${x.to} ${x.call.method}`)).toEqual(['m1 createTransport', 'm1 connectTransport', 'm1 consume']);
    expect(pipes).toEqual([]);
    // Booths and the home viewers stay home.
    expect((await s.createTransport({ kind: 'booth', id: 'booth:home' }, 'b1', 'recv')).id).toBe('t-home-b1');
    await s.connectTransport('broadcast:home', 'v1', 't-home-v1', { role: 'client', fingerprints: [] });
    expect(homeCalls.at(-1)).toBe('connectTransport v1');

    // Events: the home media server's are this API's; an edge's copy of the room closing is not
    // the room closing; a consumer closed on the edge reaches its viewer.
    const events: string[] = [];
    for (const name of ['room-closed', 'consumer-closed', 'room-reset', 'producer-closed'] as const) {
      (s.on as (e: string, l: (p: unknown) => void) => unknown)(name, (e) => events.push(`${name} ${JSON.stringify(e)}`));
    }
    (local as unknown as EventEmitter).emit('producer-closed', { roomId: 'broadcast:home', producerId: 'P', peerId: 'host' });
    s.deliver({ name: 'consumer-closed', payload: { roomId: 'broadcast:home', consumerId: 'c', peerId: 'v2' } }, 'm1');
    s.deliver({ name: 'room-closed', payload: { roomId: 'broadcast:other', kind: 'broadcast' } }, 'm1');
    expect(events).toEqual([
      'producer-closed {"roomId":"broadcast:home","producerId":"P","peerId":"host"}',
      'consumer-closed {"roomId":"broadcast:home","consumerId":"c","peerId":"v2"}',
    ]);

    // m1 dies: only its viewer joins again; the room lives on at home.
    s.nodeGone('m1');
    expect(events.slice(2)).toEqual(['room-reset {"roomId":"broadcast:home","kind":"broadcast","scope":"peers","peerIds":["v2"]}']);
    // Its viewer's leaving closes it at home only (its edge is gone).
    await s.closePeer('broadcast:home', 'v2');
    expect(sent.at(-1)?.call.method).toBe('consume');
    expect(homeCalls.at(-1)).toBe('closePeer v2');
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
