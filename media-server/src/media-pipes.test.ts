import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  bringProducer,
  createMediaServer,
  MediaError,
  pipeEventRequest,
  type MediaServer,
  type PipeNode,
  type PipeRequest,
  type RtpParameters,
} from './index.ts';

/**
 * Media across nodes on real workers: two MediaServers are two nodes (node B in this process, node
 * A here too or in a child process of its own), and a producer published on A is brought into the
 * same room on B through a PipeTransport pair over UDP on 127.0.0.1, where B's viewers receive it.
 * Pipe events are relayed between the nodes as signaling will relay them (pipeEventRequest).
 */

const opus = (ssrc: number, mid: string): RtpParameters => ({
  mid,
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: 'pipe-test' },
});

/** Three simulcast layers, as mediasoup-client sends them (one SSRC per layer). */
const vp8Simulcast: RtpParameters = {
  mid: '1',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
  headerExtensions: [],
  encodings: [
    { ssrc: 2001, maxBitrate: 150_000 },
    { ssrc: 2002, maxBitrate: 500_000 },
    { ssrc: 2003, maxBitrate: 1_500_000 },
  ],
  rtcp: { cname: 'pipe-test' },
};

const vp8: RtpParameters = {
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
  headerExtensions: [],
  encodings: [{ ssrc: 44444444 }],
  rtcp: { cname: 'pipe-test' },
};

function rtpPacket(ssrc: number, seq: number): Buffer {
  const packet = Buffer.alloc(12 + 40, 0x5a);
  packet[0] = 0x80;
  packet[1] = 111;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE((seq * 960) >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

/** A VP8 packet (payload descriptor with S=1; the payload header's P bit 0 on a key frame). */
function vp8Packet(ssrc: number, seq: number, keyFrame: boolean): Buffer {
  const packet = Buffer.alloc(12 + 40, 0);
  packet[0] = 0x80;
  packet[1] = 0x80 | 101; // marker, VP8
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE((seq * 3000) >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  packet[12] = 0x10;
  packet[13] = keyFrame ? 0x00 : 0x01;
  // Key frame start code and a 320x240 size, as VP8 puts them after the 3-byte frame tag.
  packet.set([0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00], 16);
  return packet;
}

/** An RTCP PLI from a viewer about the stream it receives (`ssrc`). */
function pli(ssrc: number): Buffer {
  const packet = Buffer.alloc(12);
  packet[0] = 0x81; // V=2, FMT=1 (PLI)
  packet[1] = 206; // PSFB
  packet.writeUInt16BE(2, 2);
  packet.writeUInt32BE(12345678, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

/** PLIs in a (compound) RTCP packet. */
function countPlis(msg: Buffer): number {
  let count = 0;
  for (let at = 0; at + 4 <= msg.length; at += (msg.readUInt16BE(at + 2) + 1) * 4) {
    if (msg[at + 1] === 206 && (msg[at]! & 0x1f) === 1) count++;
    if (msg[at + 1]! < 192 || msg[at + 1]! > 223) break; // not RTCP
  }
  return count;
}

interface Sink {
  socket: Socket;
  port: number;
  packets: number;
  firstAt: number | null;
}

async function sink(): Promise<Sink> {
  const socket = createSocket('udp4');
  const s: Sink = { socket, port: 0, packets: 0, firstAt: null };
  socket.on('message', (msg) => {
    // RTP, not RTCP (RTCP packet types 192-223 fill the whole second byte).
    if (msg.length >= 12 && !(msg[1]! >= 192 && msg[1]! <= 223)) {
      s.packets++;
      s.firstAt ??= performance.now();
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  s.port = socket.address().port;
  return s;
}

/** One sending socket per test: a comedia transport keeps the source address its first packet came from. */
const senders: Socket[] = [];

/**
 * Sends `count` RTP packets, one every 5 ms, from `sender` to a comedia plain transport; returns
 * when the first left.
 */
async function send(port: number, ssrc: number, count: number, from = 1, sender = senders.at(-1)!): Promise<number> {
  const first = performance.now();
  for (let seq = from; seq < from + count; seq++) {
    sender.send(rtpPacket(ssrc, seq), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 5));
  }
  return first;
}

const local = (node: string, server: MediaServer): PipeNode => ({ node, request: (msg) => server.request(msg) });

/** Off: events are lost, as when the network between nodes fails. */
const relaying = { on: true };

/** Relays `from`'s pipe events to the node each names, as signaling will (here: direct calls). */
function relay(from: string, events: EventEmitter | MediaServer, nodes: Map<string, PipeNode>): void {
  for (const event of ['pipe-export', 'pipe-closed'] as const) {
    (events as EventEmitter).on(event, (payload: unknown) => {
      if (!relaying.on) return;
      const { to, request } = pipeEventRequest(from, event, payload as never);
      // A node that is gone answers nothing: its heartbeat expiring is what tells the others.
      nodes
        .get(to)
        ?.request(request as Extract<PipeRequest, { type: 'closePipe' }>)
        .catch(() => {});
    });
  }
}

const ms = (t: number) => `${t.toFixed(1)} ms`;

beforeEach(() => {
  senders.push(createSocket('udp4'));
});
afterAll(() => {
  for (const s of senders) s.close();
});

describe('media across nodes: producers piped between two MediaServers', () => {
  let a: MediaServer;
  let b: MediaServer;
  const nodes = new Map<string, PipeNode>();
  const events: Array<[string, Record<string, unknown>]> = [];
  const sinks: Sink[] = [];
  const named = (name: string) => events.filter(([n]) => n === name).map(([, e]) => e);

  beforeAll(async () => {
    const options = { listenIp: '127.0.0.1', workerBin: inject('workerBin'), pipeListenIp: '127.0.0.1' };
    [a, b] = await Promise.all([createMediaServer({ ...options, workers: 1 }), createMediaServer({ ...options, workers: 2 })]);
    nodes.set('A', local('A', a)).set('B', local('B', b));
    relay('A', a, nodes);
    relay('B', b, nodes);
    for (const name of ['producer-closed', 'consumer-closed', 'producer-paused', 'producer-resumed', 'room-reset'] as const) {
      b.on(name, (payload: unknown) => events.push([name, payload as Record<string, unknown>]));
    }
  });
  afterAll(async () => {
    for (const s of sinks) s.socket.close();
    await Promise.all([a.close(), b.close()]);
  });
  // A failed test leaves nothing behind for the next one's counts.
  afterEach(async () => {
    events.length = 0;
    for (const server of [a, b]) {
      for (const id of [
        'broadcast:piped',
        'interview:split',
        'broadcast:refusals',
        'broadcast:origin-worker-dies',
        'broadcast:pli-storm',
        'broadcast:stale',
        'broadcast:simulcast',
        'broadcast:early',
      ])
        await server.closeRoom(id);
    }
    await vi.waitFor(async () => expect([(await a.stats()).pipes, (await b.stats()).pipes]).toEqual([0, 0]));
  });

  /** A viewer on B with a plain RTP sink, consuming `producerId` (resumed). */
  async function viewer(roomId: string, peer: string, producerId: string) {
    const out = await b.createPlainTransport({ kind: 'broadcast', id: roomId }, peer, 'recv');
    const s = await sink();
    sinks.push(s);
    await b.connectPlainTransport(roomId, peer, out.id, { ip: '127.0.0.1', port: s.port });
    const consumer = await b.consume(roomId, peer, out.id, producerId, await b.rtpCapabilities());
    await b.resumeConsumer(roomId, peer, consumer.id);
    return { peer, consumerId: consumer.id, sink: s, worker: out.workerIndex, port: out.port, ssrc: consumer.rtpParameters.encodings![0]!.ssrc! };
  }

  it('brings a broadcast producer from A to viewers on both of B’s workers; RTP flows; pause, a second producer and close follow', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:piped' };
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const micId = await a.produce(room.id, 'host', input.id, 'audio', opus(1111, '0'), { source: 'mic' });

    let t = performance.now();
    const imported = await bringProducer(nodes.get('A')!, nodes.get('B')!, room, micId);
    const firstPipe = performance.now() - t;
    expect(imported).toEqual({ id: micId, peerId: 'host', kind: 'audio' });
    expect(await b.producers(room.id)).toEqual([{ id: micId, peerId: 'host', kind: 'audio', appData: { source: 'mic', fromNode: 'A' } }]);

    // Two viewers on B, one per worker: the imported producer reaches B's second worker by pipeToRouter.
    const viewers = [await viewer(room.id, 'v1', micId), await viewer(room.id, 'v2', micId)];
    expect(new Set(viewers.map((v) => v.worker))).toEqual(new Set([0, 1]));

    const sentAt = await send(input.port, 1111, 60);
    await vi.waitFor(() => expect(viewers.every((v) => v.sink.packets >= 57)).toBe(true), { timeout: 5000 });
    for (const v of viewers) expect((await b.consumerStats(room.id, v.peer, v.consumerId)).packets).toBeGreaterThanOrEqual(57);
    const firstPacket = Math.min(...viewers.map((v) => v.sink.firstAt!)) - sentAt;

    // A second producer of the room goes through the same pipe pair; bringing one twice pipes it once.
    const camId = await a.produce(room.id, 'host', input.id, 'audio', opus(2222, '1'), { source: 'screen-audio' });
    t = performance.now();
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, camId);
    const secondPipe = performance.now() - t;
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, micId);
    expect(await a.stats()).toMatchObject({ pipes: 1, exports: 2, imports: 0 });
    expect(await b.stats()).toMatchObject({ pipes: 1, exports: 0, imports: 2, producers: 2 });
    console.log(`[pipe] first producer piped A->B (pipe pair opened): ${ms(firstPipe)}; second producer over the same pair: ${ms(secondPipe)}`);
    console.log(`[pipe] first RTP packet at a B viewer ${ms(firstPacket)} after it left for A; ${viewers.map((v) => v.sink.packets).join('/')} of 60 received`);

    // Pausing on A pauses the import on B (told by the relayed pipe-export event): nothing flows.
    await a.pauseProducer(room.id, 'host', micId);
    await vi.waitFor(() => expect(named('producer-paused')).toEqual([{ roomId: room.id, producerId: micId, peerId: 'host' }]));
    const before = viewers.map((v) => v.sink.packets);
    await send(input.port, 1111, 20, 61);
    await new Promise((r) => setTimeout(r, 200));
    expect(viewers.map((v) => v.sink.packets)).toEqual(before);
    await a.resumeProducer(room.id, 'host', micId);
    await vi.waitFor(() => expect(named('producer-resumed')).toHaveLength(1));
    await send(input.port, 1111, 20, 81);
    await vi.waitFor(() => expect(viewers.every((v, i) => v.sink.packets >= before[i]! + 18)).toBe(true), { timeout: 5000 });

    // Closing on A closes it on B: B's viewers are told as for a local producer.
    t = performance.now();
    await a.closeProducer(room.id, 'host', micId);
    await vi.waitFor(() => expect(named('consumer-closed')).toHaveLength(2), { interval: 5 });
    console.log(`[pipe] producer closed on A -> both B viewers told consumer-closed: ${ms(performance.now() - t)}`);
    expect(named('producer-closed')).toEqual([{ roomId: room.id, producerId: micId, peerId: 'host', fromNode: 'A' }]);
    expect(await b.stats()).toMatchObject({ pipes: 1, imports: 1, consumers: 0 });
    await a.closeRoom(room.id);
    await b.closeRoom(room.id);
    await vi.waitFor(async () => expect(await a.stats()).toMatchObject({ rooms: 0, pipes: 0 }));
    expect(await b.stats()).toMatchObject({ rooms: 0, pipes: 0, imports: 0 });
  });

  it('absorbs a storm of key frame requests from B’s viewers: the host sees a few PLIs, not one per viewer', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:pli-storm' };
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const camId = await a.produce(room.id, 'host', input.id, 'video', vp8, { source: 'camera' });
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, camId);
    // The host's PLIs come back to the socket it sends from (comedia), in compound RTCP packets.
    const sender = senders.at(-1)!;
    let plis = 0;
    sender.on('message', (msg) => (plis += countPlis(msg)));
    for (let seq = 1; seq <= 10; seq++) sender.send(vp8Packet(44444444, seq, seq === 1), input.port, '127.0.0.1');

    const viewers = await Promise.all(Array.from({ length: 20 }, (_, i) => viewer(room.id, `v${i}`, camId)));
    const requests = 3;
    for (let round = 0; round < requests; round++) {
      for (const v of viewers) v.sink.socket.send(pli(v.ssrc), v.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1200));
    console.log(
      `[pipe] ${viewers.length} viewers on B (2 workers) resumed and sent ${viewers.length * requests} PLIs within 0.3 s: ` +
        `the host got ${plis} PLIs in 1.5 s (B's pipe producer keeps one request pending, keyFrameRequestDelay 500 ms)`,
    );
    expect(plis).toBeGreaterThanOrEqual(1);
    expect(plis).toBeLessThanOrEqual(4);

    // The path works for one request too: once a key frame answered, a single viewer's PLI on B
    // reaches the host through B's edge, B's origin, the pipe and A's producer.
    sender.send(vp8Packet(44444444, 11, true), input.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 700));
    const before = plis;
    const t = performance.now();
    viewers[0]!.sink.socket.send(pli(viewers[0]!.ssrc), viewers[0]!.port, '127.0.0.1');
    await vi.waitFor(() => expect(plis).toBeGreaterThan(before), { timeout: 3000, interval: 2 });
    console.log(`[pipe] one viewer's PLI on B reached the host on A in ${ms(performance.now() - t)}`);
  });

  it('an interview split over two nodes: each side brings the other’s producer at once, over one pipe pair', async () => {
    const room = { kind: 'interview' as const, id: 'interview:split' };
    const onA = await a.createTransport(room, 'recruiter', 'send');
    const recruiterCam = await a.produce(room.id, 'recruiter', onA.id, 'video', vp8, { source: 'camera' });
    const onB = await b.createTransport(room, 'seeker', 'send');
    const seekerCam = await b.produce(room.id, 'seeker', onB.id, 'video', vp8, { source: 'camera' });

    await Promise.all([bringProducer(nodes.get('A')!, nodes.get('B')!, room, recruiterCam), bringProducer(nodes.get('B')!, nodes.get('A')!, room, seekerCam)]);
    expect(await a.stats()).toMatchObject({ pipes: 1, exports: 1, imports: 1 });
    expect(await b.stats()).toMatchObject({ pipes: 1, exports: 1, imports: 1 });
    const seekerRecv = await b.createTransport(room, 'seeker', 'recv');
    const seesRecruiter = await b.consume(room.id, 'seeker', seekerRecv.id, recruiterCam, await b.rtpCapabilities());
    const recruiterRecv = await a.createTransport(room, 'recruiter', 'recv');
    const seesSeeker = await a.consume(room.id, 'recruiter', recruiterRecv.id, seekerCam, await a.rtpCapabilities());
    expect([seesRecruiter.kind, seesSeeker.kind]).toEqual(['video', 'video']);

    // The seeker leaves B: B's room closes, its pipe end with it, and A closes its end (pipe-closed, relayed).
    events.length = 0;
    await b.closePeer(room.id, 'seeker');
    await vi.waitFor(async () => expect(await a.stats()).toMatchObject({ pipes: 0, exports: 0, imports: 0 }));
    expect(await a.producers(room.id)).toEqual([{ id: recruiterCam, peerId: 'recruiter', kind: 'video', appData: { source: 'camera' } }]);
    await a.closeRoom(room.id);
  });

  it('a pipe-closed that never arrived: the next bring replaces the stale end and media flows again', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:stale' };
    const first = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const oldMic = await a.produce(room.id, 'host', first.id, 'audio', opus(6666, '0'), { source: 'mic' });
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, oldMic);
    const before = await viewer(room.id, 'v1', oldMic);
    relaying.on = false;
    try {
      await a.closeRoom(room.id);
    } finally {
      relaying.on = true;
    }
    expect(await b.stats()).toMatchObject({ pipes: 1, imports: 1 });

    // The host publishes again on A (a new room there, a new pipe end); B's end still points at the old one.
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const mic = await a.produce(room.id, 'host', input.id, 'audio', opus(6667, '0'), { source: 'mic' });
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, mic);
    await vi.waitFor(() => expect(named('consumer-closed')).toContainEqual({ roomId: room.id, consumerId: before.consumerId, peerId: 'v1' }));
    const after = await viewer(room.id, 'v2', mic);
    await send(input.port, 6667, 30);
    await vi.waitFor(() => expect(after.sink.packets).toBeGreaterThanOrEqual(27), { timeout: 5000 });
    expect(await a.stats()).toMatchObject({ pipes: 1, exports: 1 });
    expect(await b.stats()).toMatchObject({ pipes: 1, imports: 1 });
  });

  it('pipes three-layer simulcast whole: each B viewer gets its own layer', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:simulcast' };
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const camId = await a.produce(room.id, 'host', input.id, 'video', vp8Simulcast, { source: 'camera' });
    const exported = await bringProducer(nodes.get('A')!, nodes.get('B')!, room, camId);
    expect(exported.kind).toBe('video');
    // Every layer crosses the pipe; the choice of layer stays per viewer, on the viewer's node.
    const sent = await a.exportProducer({ roomId: room.id, producerId: camId, toNode: 'B' });
    expect(sent.rtpParameters.encodings).toHaveLength(3);
    for (const peer of ['low', 'high']) {
      const out = await b.createPlainTransport(room, peer, 'recv');
      const consumer = await b.consume(room.id, peer, out.id, camId, await b.rtpCapabilities());
      expect(consumer.rtpParameters.encodings).toHaveLength(1);
      await b.setConsumerLayers(room.id, peer, consumer.id, { spatialLayer: peer === 'low' ? 0 : 2 });
    }
  });

  it('a pause or close relayed before the import arrives is applied to it', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:early' };
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const mic = await a.produce(room.id, 'host', input.id, 'audio', opus(9991, '0'), { source: 'mic' });
    const screen = await a.produce(room.id, 'host', input.id, 'audio', opus(9992, '1'), { source: 'screen-audio' });
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, mic);

    // The relayed pause overtakes the import (called here in that order): the import is made paused.
    const exported = await a.exportProducer({ roomId: room.id, producerId: screen, toNode: 'B' });
    expect(exported.paused).toBe(false);
    await b.updateImport({ roomId: room.id, fromNode: 'A', pipeId: exported.pipeId, producerId: screen, state: 'paused' });
    await b.importProducer({ room, fromNode: 'A', producer: exported });
    expect(named('producer-paused')).toEqual([{ roomId: room.id, producerId: screen, peerId: 'host' }]);

    // A relayed close that overtakes the import: the import is refused and nothing is left.
    const camera = await a.produce(room.id, 'host', input.id, 'audio', opus(9993, '2'), { source: 'camera' });
    const doomed = await a.exportProducer({ roomId: room.id, producerId: camera, toNode: 'B' });
    await b.updateImport({ roomId: room.id, fromNode: 'A', pipeId: doomed.pipeId, producerId: camera, state: 'closed' });
    await expect(b.importProducer({ room, fromNode: 'A', producer: doomed })).rejects.toMatchObject({ code: 'PRODUCER_NOT_FOUND' });
    expect((await b.producers(room.id)).map((p) => p.id).sort()).toEqual([mic, screen].sort());
  });

  it('refuses what it cannot do with codes', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:refusals' };
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const id = await a.produce(room.id, 'host', input.id, 'audio', opus(3333, '0'), { source: 'mic' });
    await expect(a.exportProducer({ roomId: room.id, producerId: id, toNode: 'B' })).rejects.toMatchObject({ code: 'PIPE_NOT_FOUND' });
    await expect(a.exportProducer({ roomId: room.id, producerId: 'nope', toNode: 'B' })).rejects.toMatchObject({ code: 'PRODUCER_NOT_FOUND' });
    await expect(a.exportProducer({ roomId: 'nowhere', producerId: id, toNode: 'B' })).rejects.toBeInstanceOf(MediaError);
    await expect(a.request({ type: 'bogus' } as never)).rejects.toMatchObject({ code: 'MEDIA_REJECTED' });
    // Bringing from a node that has no such room opens nothing there (B's own end stays until B's room closes).
    const elsewhere = { kind: 'broadcast' as const, id: 'broadcast:not-on-a' };
    await expect(bringProducer(nodes.get('A')!, nodes.get('B')!, elsewhere, id)).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    expect(await a.roomInfo(elsewhere.id)).toBeNull();
    await b.closeRoom(elsewhere.id);
    // Relayed events about rooms or pipes that are gone are ignored.
    await expect(b.updateImport({ roomId: 'nowhere', fromNode: 'A', pipeId: 'x', producerId: id, state: 'closed' })).resolves.toBeNull();
    await expect(b.closePipe({ roomId: 'nowhere', remoteNode: 'A' })).resolves.toBeNull();
    await a.closeRoom(room.id);
  });

  it('A’s worker dies: its room resets, its pipe end closes, and B’s import and viewers are told', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:origin-worker-dies' };
    const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
    const micId = await a.produce(room.id, 'host', input.id, 'audio', opus(5555, '0'), { source: 'mic' });
    await bringProducer(nodes.get('A')!, nodes.get('B')!, room, micId);
    const v = await viewer(room.id, 'v1', micId);
    await send(input.port, 5555, 10);
    await vi.waitFor(() => expect(v.sink.packets).toBeGreaterThanOrEqual(8));

    events.length = 0;
    const aResets: unknown[] = [];
    a.once('room-reset', (e) => aResets.push(e));
    const pid = (await a.stats()).workerPids[0]!;
    const t = performance.now();
    process.kill(pid, 'SIGKILL');
    await vi.waitFor(() => expect(named('consumer-closed')).toEqual([{ roomId: room.id, consumerId: v.consumerId, peerId: 'v1' }]), {
      timeout: 10_000,
      interval: 5,
    });
    console.log(`[pipe] A's worker killed -> B's viewer told consumer-closed: ${ms(performance.now() - t)}`);
    expect(aResets).toEqual([{ roomId: room.id, kind: 'broadcast', scope: 'room', peerIds: ['host'] }]);
    expect(named('producer-closed')).toEqual([{ roomId: room.id, producerId: micId, peerId: 'host', fromNode: 'A' }]);
    expect(await b.stats()).toMatchObject({ pipes: 0, imports: 0 });
    // B's viewer stays in B's room, ready for the host's republished producer.
    expect(await b.roomInfo(room.id)).toMatchObject({ peers: 1 });
    await vi.waitFor(async () => expect((await a.stats()).workersAlive).toBe(1), { timeout: 10_000 });
    await b.closeRoom(room.id);
  });
});

describe('pipes with SRTP and a fixed port range (networks between nodes that are not private)', () => {
  it('exchanges SRTP keys in the endpoints, binds in the range, and RTP flows', async () => {
    const options = { listenIp: '127.0.0.1', workerBin: inject('workerBin'), workers: 1, pipeSrtp: true, pipePortRange: { min: 47100, max: 47199 } };
    const [a, b] = await Promise.all([createMediaServer(options), createMediaServer(options)]);
    try {
      const room = { kind: 'broadcast' as const, id: 'broadcast:srtp' };
      const input = await a.createPlainTransport(room, 'host', 'send', { comedia: true });
      const micId = await a.produce(room.id, 'host', input.id, 'audio', opus(8888, '0'), { source: 'mic' });
      const end = await b.openPipe({ room, remoteNode: 'A' });
      expect(end.srtp?.keyBase64).toEqual(expect.any(String));
      expect(end.port).toBeGreaterThanOrEqual(47100);
      expect(end.port).toBeLessThanOrEqual(47199);
      await bringProducer(local('A', a), local('B', b), room, micId);

      const out = await b.createPlainTransport(room, 'viewer', 'recv');
      const s = await sink();
      try {
        await b.connectPlainTransport(room.id, 'viewer', out.id, { ip: '127.0.0.1', port: s.port });
        const consumer = await b.consume(room.id, 'viewer', out.id, micId, await b.rtpCapabilities());
        await b.resumeConsumer(room.id, 'viewer', consumer.id);
        await send(input.port, 8888, 30);
        await vi.waitFor(() => expect(s.packets).toBeGreaterThanOrEqual(27), { timeout: 5000 });
      } finally {
        s.socket.close();
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/** Node A in a child process, reached only through JSON messages (as across machines). */
class ChildNode extends EventEmitter implements PipeNode {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #next = 0;
  readonly ready: Promise<void>;

  constructor(
    readonly node: string,
    options: object,
  ) {
    super();
    this.#child = fork(fileURLToPath(new URL('./pipe-node.fixture.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, MEDIA_NODE_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => reject(new Error(`media node exited (${code})`)));
      this.#child.on(
        'message',
        (msg: { ready?: boolean; id?: number; ok?: boolean; value?: unknown; error?: { code: never; message: string }; event?: string; payload?: unknown }) => {
          if (msg.ready) resolve();
          else if (msg.event) this.emit(msg.event, msg.payload);
          else if (msg.id !== undefined) {
            const waiting = this.#waiting.get(msg.id);
            this.#waiting.delete(msg.id);
            if (msg.ok) waiting?.resolve(msg.value);
            else waiting?.reject(new MediaError(msg.error!.code, msg.error!.message));
          }
        },
      );
    });
    this.#child.on('exit', () => {
      for (const w of this.#waiting.values()) w.reject(new Error('media node is gone'));
      this.#waiting.clear();
      this.emit('gone');
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  call<T>(call: string, ...args: unknown[]): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      if (!this.#child.connected) return reject(new MediaError('ROOM_NOT_FOUND', 'media node is gone'));
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, call, args }, (error) => {
        if (error && this.#waiting.delete(id)) reject(error);
      });
    });
  }

  request<T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>) {
    return this.call<never>('request', msg);
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

describe('media across processes: node A is another process, reached by JSON messages only', () => {
  let a: ChildNode;
  let b: MediaServer;
  const nodes = new Map<string, PipeNode>();
  const events: Array<[string, Record<string, unknown>]> = [];
  const sinks: Sink[] = [];

  beforeAll(async () => {
    const options = { listenIp: '127.0.0.1', workerBin: inject('workerBin'), pipeListenIp: '127.0.0.1', workers: 1 };
    a = new ChildNode('A', options);
    b = await createMediaServer(options);
    await a.ready;
    nodes.set('A', a).set('B', local('B', b));
    relay('A', a, nodes);
    relay('B', b, nodes);
    // What signaling does when a node's heartbeat expires: drop everything that came from it.
    a.on('gone', () => void b.closeImportsFrom({ node: 'A' }));
    for (const name of ['producer-closed', 'consumer-closed', 'producer-paused'] as const) {
      b.on(name, (payload: unknown) => events.push([name, payload as Record<string, unknown>]));
    }
  });
  afterAll(async () => {
    for (const s of sinks) s.socket.close();
    a.kill();
    await b.close();
  });

  it('RTP from a producer in the other process reaches a viewer here; killing that process closes the import', async () => {
    const room = { kind: 'broadcast' as const, id: 'broadcast:two-processes' };
    const input = await a.call<{ id: string; port: number }>('createPlainTransport', room, 'host', 'send', { comedia: true });
    const micId = await a.call<string>('produce', room.id, 'host', input.id, 'audio', opus(7777, '0'), { source: 'mic' });
    const t = performance.now();
    await bringProducer(a, nodes.get('B')!, room, micId);
    const setup = performance.now() - t;

    const out = await b.createPlainTransport(room, 'viewer', 'recv');
    const s = await sink();
    sinks.push(s);
    await b.connectPlainTransport(room.id, 'viewer', out.id, { ip: '127.0.0.1', port: s.port });
    const consumer = await b.consume(room.id, 'viewer', out.id, micId, await b.rtpCapabilities());
    await b.resumeConsumer(room.id, 'viewer', consumer.id);
    const sentAt = await send(input.port, 7777, 60);
    await vi.waitFor(() => expect(s.packets).toBeGreaterThanOrEqual(57), { timeout: 5000 });
    console.log(
      `[pipe] across processes: pipe pair + first producer ${ms(setup)}; first RTP at the viewer ${ms(s.firstAt! - sentAt)} after it left; ${s.packets}/60`,
    );

    // Pausing in the other process reaches here through the relayed event too.
    await a.call('pauseProducer', room.id, 'host', micId);
    await vi.waitFor(() => expect(events).toContainEqual(['producer-paused', { roomId: room.id, producerId: micId, peerId: 'host' }]));

    const killedAt = performance.now();
    a.kill();
    await vi.waitFor(() => expect(events).toContainEqual(['consumer-closed', { roomId: room.id, consumerId: consumer.id, peerId: 'viewer' }]), {
      timeout: 10_000,
      interval: 5,
    });
    console.log(`[pipe] node A's process killed -> closeImportsFrom -> viewer told: ${ms(performance.now() - killedAt)}`);
    expect(await b.stats()).toMatchObject({ pipes: 0, imports: 0 });
    await b.closeRoom(room.id);
  });
});
