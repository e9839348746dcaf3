import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMediaServer, type MediaServer, type RoomKind, type RoomReset, type RtpParameters } from './index.ts';

const vp8: RtpParameters = {
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
  headerExtensions: [],
  encodings: [{ ssrc: 33333333 }],
  rtcp: { cname: 'worker-death' },
};

/**
 * One lifecycle for every room kind, on real workers: a worker's process is killed (by its pid)
 * under a booth, an interview and a broadcast. The worker is replaced, `room-reset` names exactly
 * the rooms (or, for a broadcast's edge, the peers) that lost their media, before the room closes,
 * and joining again gives working producers and consumers.
 */
describe('a mediasoup worker dies under live rooms', () => {
  let media: MediaServer;
  const events: Array<[string, { roomId: string }]> = [];
  const resets = () => events.filter(([n]) => n === 'room-reset').map(([, e]) => e as RoomReset);

  beforeAll(async () => {
    media = await createMediaServer({ workers: 3, listenIp: '127.0.0.1', workerBin: inject('workerBin') });
    media.on('room-reset', (e) => events.push(['room-reset', e]));
    media.on('room-closed', (e) => events.push(['room-closed', e]));
  });
  afterAll(() => media.close());

  /** Kills worker `index` with SIGKILL and waits for its replacement. */
  async function kill(index: number): Promise<void> {
    const before = await media.stats();
    const pid = before.workerPids[index]!;
    process.kill(pid, 'SIGKILL');
    await vi.waitFor(
      async () => {
        const s = await media.stats();
        expect(s.workerPids[index]).not.toBe(pid);
        expect(s.workersAlive).toBe(before.workers);
      },
      { timeout: 10_000, interval: 50 },
    );
  }

  /** A publisher and a viewer with a consumer of its camera. */
  async function publishAndWatch(kind: RoomKind, roomId: string, host = 'host', viewer = 'viewer') {
    const room = { kind, id: roomId };
    const send = await media.createTransport(room, host, 'send');
    const producerId = await media.produce(roomId, host, send.id, 'video', vp8, { source: 'camera' });
    const recv = await media.createTransport(room, viewer, 'recv');
    const consumer = await media.consume(roomId, viewer, recv.id, producerId, await media.rtpCapabilities());
    await media.resumeConsumer(roomId, viewer, consumer.id);
    return { producerId, consumerId: consumer.id };
  }

  it.each(['booth', 'interview'] as const)('a %s room is reset (told first, then closed) and can be joined again', async (kind) => {
    events.length = 0;
    const roomId = `${kind}:dies`;
    await publishAndWatch(kind, roomId);
    // Another room of the same kind on another worker is not touched.
    const other = `${kind}:lives`;
    await media.createTransport({ kind, id: other }, 'p', 'recv');
    const dead = (await media.roomInfo(roomId))!.origin!;
    expect((await media.roomInfo(other))!.origin).not.toBe(dead);

    await kill(dead);
    expect(resets()).toEqual([{ roomId, kind, scope: 'room', peerIds: ['host', 'viewer'] }]);
    const order = events.filter(([, e]) => e.roomId === roomId).map(([n]) => n);
    expect(order).toEqual(['room-reset', 'room-closed']);
    expect(await media.roomInfo(roomId)).toBeNull();
    expect(await media.roomInfo(other)).toMatchObject({ peers: 1 });

    // The clients join again: new transports, a producer and a consumer, on a live worker.
    await publishAndWatch(kind, roomId);
    expect(await media.roomInfo(roomId)).toMatchObject({ kind, peers: 2 });
    expect((await media.producers(roomId)).map((p) => p.peerId)).toEqual(['host']);
    await media.closeRoom(roomId);
    await media.closeRoom(other);
    expect(await media.stats()).toMatchObject({ rooms: 0, transports: 0 });
  });

  /** A broadcast: a host on the origin and one plain-RTP viewer placed on each worker. */
  async function broadcast(roomId: string) {
    const room = { kind: 'broadcast' as const, id: roomId };
    const input = await media.createPlainTransport(room, 'host', 'send', { comedia: true });
    const producerId = await media.produce(roomId, 'host', input.id, 'video', vp8, { source: 'camera' });
    const viewers = new Map<number, { peer: string; consumerId: string }>();
    for (let i = 0; i < 3; i++) {
      const peer = `viewer-${i}`;
      const out = await media.createPlainTransport(room, peer, 'recv');
      const consumer = await media.consume(roomId, peer, out.id, producerId, await media.rtpCapabilities());
      viewers.set(out.workerIndex, { peer, consumerId: consumer.id });
    }
    expect([...viewers.keys()].sort()).toEqual([0, 1, 2]);
    return { room, producerId, viewers, origin: input.workerIndex };
  }

  it('a broadcast whose origin worker dies is reset as a whole and goes live again', async () => {
    events.length = 0;
    const roomId = 'broadcast:origin-dies';
    const { origin, room } = await broadcast(roomId);
    await kill(origin);
    expect(resets()).toEqual([{ roomId, kind: 'broadcast', scope: 'room', peerIds: ['host', 'viewer-0', 'viewer-1', 'viewer-2'] }]);
    expect(await media.roomInfo(roomId)).toBeNull();
    expect((await media.stats()).loadPerWorker.reduce((a, b) => a + b)).toBe(0);

    const again = await broadcast(roomId);
    expect(again.room).toEqual(room);
    expect((await media.roomInfo(roomId))!.placement).toEqual({ 0: 1, 1: 1, 2: 1 });
    await media.closeRoom(roomId);
  });

  it('a dead edge worker resets only the viewers on that edge; the origin and other edges carry on', async () => {
    events.length = 0;
    const roomId = 'broadcast:edge-dies';
    const { producerId, viewers, origin } = await broadcast(roomId);
    const edge = [0, 1, 2].find((i) => i !== origin)!;
    const lost = viewers.get(edge)!;
    await kill(edge);

    expect(resets()).toEqual([{ roomId, kind: 'broadcast', scope: 'peers', peerIds: [lost.peer] }]);
    expect(events.filter(([n]) => n === 'room-closed')).toEqual([]);
    // The host still publishes; the other viewers still receive, on their own edges.
    expect((await media.producers(roomId)).map((p) => p.id)).toEqual([producerId]);
    for (const [index, v] of viewers) {
      if (index === edge) continue;
      await expect(media.consumerStats(roomId, v.peer, v.consumerId)).resolves.toMatchObject({ packets: expect.any(Number) });
    }
    await expect(media.consumerStats(roomId, lost.peer, lost.consumerId)).rejects.toMatchObject({ code: 'CONSUMER_NOT_FOUND' });
    expect(await media.roomInfo(roomId)).toMatchObject({ peers: 3, origin, placement: { [origin]: 1 } });

    // The reset viewer joins again and receives the stream, piped to a live edge.
    const out = await media.createPlainTransport({ kind: 'broadcast', id: roomId }, lost.peer, 'recv');
    const consumer = await media.consume(roomId, lost.peer, out.id, producerId, await media.rtpCapabilities());
    await media.resumeConsumer(roomId, lost.peer, consumer.id);
    expect((await media.stats()).consumers).toBe(3);
    await media.closeRoom(roomId);
    expect(await media.stats()).toMatchObject({ rooms: 0, transports: 0, loadPerWorker: [0, 0, 0] });
  });

  it('refuses to open a room under another kind than it was opened with', async () => {
    await media.createTransport({ kind: 'booth', id: 'booth:kinds' }, 'p', 'recv');
    await expect(media.createTransport({ kind: 'broadcast', id: 'booth:kinds' }, 'q', 'recv')).rejects.toMatchObject({
      code: 'ROOM_NOT_FOUND',
    });
    await media.closeRoom('booth:kinds');
  });
});
