import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMediaServer, type MediaServer, type RtpParameters } from './index.ts';

const SSRC = 11111111;
const opus: RtpParameters = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  headerExtensions: [],
  encodings: [{ ssrc: SSRC }],
  rtcp: { cname: 'broadcast-test' },
};

/** Three simulcast layers, as mediasoup-client sends them (one SSRC per layer). */
const vp8Simulcast: RtpParameters = {
  mid: '1',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 101,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    },
  ],
  headerExtensions: [],
  encodings: [
    { ssrc: 2001, maxBitrate: 150_000 },
    { ssrc: 2002, maxBitrate: 500_000 },
    { ssrc: 2003, maxBitrate: 1_500_000 },
  ],
  rtcp: { cname: 'broadcast-test' },
};

function rtpPacket(seq: number): Buffer {
  const packet = Buffer.alloc(12 + 40, 0x5a);
  packet[0] = 0x80;
  packet[1] = 111;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE((seq * 960) >>> 0, 4);
  packet.writeUInt32BE(SSRC, 8);
  return packet;
}

interface Sink {
  socket: Socket;
  port: number;
  packets: number;
}

async function sink(): Promise<Sink> {
  const socket = createSocket('udp4');
  const s: Sink = { socket, port: 0, packets: 0 };
  socket.on('message', (msg) => {
    // RTP, not RTCP (RTCP packet types 192-223 fill the whole second byte).
    if (msg.length >= 12 && !(msg[1]! >= 192 && msg[1]! <= 223)) s.packets++;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  s.port = socket.address().port;
  return s;
}

const b = (id: string) => ({ kind: 'broadcast' as const, id });

describe('broadcast fan-out over workers (real mediasoup)', () => {
  let media: MediaServer;
  const events: Array<[string, unknown]> = [];
  const sinks: Sink[] = [];

  beforeAll(async () => {
    media = await createMediaServer({ workers: 2, listenIp: '127.0.0.1', workerBin: inject('workerBin') });
    for (const name of ['producer-closed', 'consumer-closed', 'room-closed'] as const) {
      media.on(name, (payload: unknown) => events.push([name, payload]));
    }
  });
  afterAll(async () => {
    for (const s of sinks) s.socket.close();
    await media.close();
  });

  it('pipes one producer to viewers placed on every worker, and each receives its packets', async () => {
    const room = 'broadcast:fanout';
    const input = await media.createPlainTransport(b(room), 'host', 'send', { comedia: true });
    const producerId = await media.produce(room, 'host', input.id, 'audio', opus, { source: 'mic' });

    const viewers: Array<{ peer: string; consumerId: string; sink: Sink; worker: number }> = [];
    for (let i = 0; i < 6; i++) {
      const peer = `viewer-${i}`;
      const out = await media.createPlainTransport(b(room), peer, 'recv');
      const s = await sink();
      sinks.push(s);
      await media.connectPlainTransport(room, peer, out.id, { ip: '127.0.0.1', port: s.port });
      const consumer = await media.consume(room, peer, out.id, producerId, await media.rtpCapabilities());
      await media.resumeConsumer(room, peer, consumer.id);
      viewers.push({ peer, consumerId: consumer.id, sink: s, worker: out.workerIndex });
    }
    // Least-loaded placement alternates: three viewers per worker, one producer piped once.
    expect(await media.placement(room)).toEqual({ 0: 3, 1: 3 });
    expect(new Set(viewers.map((v) => v.worker))).toEqual(new Set([0, 1]));
    // Three seats and three consumers per worker.
    expect((await media.stats()).loadPerWorker).toEqual([6, 6]);

    const sender = createSocket('udp4');
    for (let seq = 1; seq <= 60; seq++) {
      sender.send(rtpPacket(seq), input.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 5));
    }
    await vi.waitFor(() => expect(viewers.every((v) => v.sink.packets >= 57)).toBe(true), { timeout: 5000 });
    sender.close();
    for (const v of viewers) {
      expect((await media.consumerStats(room, v.peer, v.consumerId)).packets).toBeGreaterThanOrEqual(57);
    }

    // The host leaves: every viewer on both workers is told its consumer ended.
    events.length = 0;
    await media.closePeer(room, 'host');
    await vi.waitFor(() => expect(events.filter(([n]) => n === 'consumer-closed')).toHaveLength(6));
    expect((await media.stats()).loadPerWorker).toEqual([3, 3]);
    for (const v of viewers) await media.closePeer(room, v.peer);
    expect(await media.stats()).toMatchObject({ rooms: 0, transports: 0, loadPerWorker: [0, 0] });
    await vi.waitFor(async () => expect((await media.stats()).roomsPerWorker).toEqual([0, 0]));
  });

  it('consumes three-layer simulcast, caps a viewer to a lower layer, and pauses video', async () => {
    const room = 'broadcast:simulcast';
    const input = await media.createPlainTransport(b(room), 'host', 'send', { comedia: true });
    const videoId = await media.produce(room, 'host', input.id, 'video', vp8Simulcast, { source: 'camera' });
    const peers = ['a', 'b'];
    for (const peer of peers) {
      const out = await media.createPlainTransport(b(room), peer, 'recv');
      const consumer = await media.consume(room, peer, out.id, videoId, await media.rtpCapabilities());
      // The viewer receives one stream, whichever layer is chosen.
      expect(consumer.rtpParameters.encodings).toHaveLength(1);
      await media.setConsumerLayers(room, peer, consumer.id, { spatialLayer: 0 });
      await media.resumeConsumer(room, peer, consumer.id);
      await media.pauseConsumer(room, peer, consumer.id);
    }
    expect(Object.keys(await media.placement(room)).sort()).toEqual(['0', '1']);
    await expect(media.setConsumerLayers(room, 'a', 'nope', { spatialLayer: 0 })).rejects.toMatchObject({
      code: 'CONSUMER_NOT_FOUND',
    });
    // A viewer cannot consume on a send transport, nor a producer that is not in this broadcast.
    await expect(media.consume(room, 'host', input.id, videoId, await media.rtpCapabilities())).rejects.toMatchObject({
      code: 'TRANSPORT_NOT_FOUND',
    });
    await media.closeRoom(room);
    await media.closeRoom(room);
    expect(await media.stats()).toMatchObject({ rooms: 0, loadPerWorker: [0, 0] });
  });

  it('spreads viewers that join at the same moment', async () => {
    const room = 'broadcast:burst';
    await media.createTransport(b(room), 'host', 'send');
    await Promise.all(Array.from({ length: 10 }, (_, i) => media.createTransport(b(room), `v${i}`, 'recv')));
    expect(await media.placement(room)).toEqual({ 0: 5, 1: 5 });
    await media.closeRoom(room);
    expect((await media.stats()).loadPerWorker).toEqual([0, 0]);
  });
});
