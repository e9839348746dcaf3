import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createMediaServer, MediaError, type MediaServer, type RtpParameters } from './index.ts';

const vp8: RtpParameters = {
  mid: '0',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 101,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 22222222 }],
  rtcp: { cname: 'media-test' },
};

const opus: RtpParameters = {
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  headerExtensions: [],
  encodings: [{ ssrc: 11111111 }],
  rtcp: { cname: 'media-test' },
};

/** Linux 6 or later with io_uring not switched off by the admin (kernel.io_uring_disabled). */
function ioUringAvailable(): boolean {
  if (process.platform !== 'linux' || Number.parseInt(os.release(), 10) < 6) return false;
  try {
    return readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim() === '0';
  } catch {
    return true; // kernels before 6.6 have no such switch: io_uring is on
  }
}

describe('media-server on real mediasoup workers', () => {
  let media: MediaServer;
  const events: Array<[string, unknown]> = [];

  beforeAll(async () => {
    media = await createMediaServer({ workers: 2, listenIp: '127.0.0.1', workerBin: inject('workerBin') });
    for (const name of ['producer-closed', 'consumer-closed', 'room-closed'] as const) {
      media.on(name, (payload: unknown) => events.push([name, payload]));
    }
  });
  afterAll(() => media.close());

  // Stock mediasoup batches fan-out sends through io_uring on Linux 6+; our worker build must too
  // (build-worker.sh links liburing in), wherever the kernel offers io_uring to this process.
  it.runIf(ioUringAvailable())('runs every worker with io_uring send batching', async () => {
    expect((await media.stats()).ioUringPerWorker).toEqual([true, true]);
  });

  it('starts the configured number of workers', async () => {
    expect(await media.stats()).toMatchObject({ workers: 2, workersAlive: 2, rooms: 0 });
    expect((await media.rtpCapabilities()).codecs?.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']));
  });

  it("reports each worker's CPU time, read from the worker process itself", async () => {
    const before = await media.workerUsage();
    expect(before.map((u) => [u.worker, u.pid])).toEqual((await media.stats()).workerPids.map((pid, i) => [i, pid]));
    // Work for the workers (a router and transports made and dropped): their counts grow.
    for (let i = 0; i < 30; i++) {
      await media.createTransport({ kind: 'booth', id: 'room-cpu' }, `peer-${i}`, 'recv');
      await media.closePeer('room-cpu', `peer-${i}`);
    }
    const after = await media.workerUsage();
    const total = (u: { userSeconds: number; systemSeconds: number }) => u.userSeconds + u.systemSeconds;
    expect(after.reduce((sum, u) => sum + total(u), 0)).toBeGreaterThan(before.reduce((sum, u) => sum + total(u), 0));
    for (const [i, u] of after.entries()) expect(total(u)).toBeGreaterThanOrEqual(total(before[i]!));
  });

  it('creates WebRTC transports listening on 127.0.0.1', async () => {
    const t = await media.createTransport({ kind: 'booth', id: 'room-a' }, 'peer-1', 'recv');
    expect(t.iceCandidates.length).toBeGreaterThan(0);
    expect(t.iceCandidates.every((c) => c.address === '127.0.0.1')).toBe(true);
    expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    await media.closePeer('room-a', 'peer-1');
    expect((await media.stats()).rooms).toBe(0);
  });

  it('produces and consumes, then cascades closes from peer to producer to consumer', async () => {
    events.length = 0;
    const send = await media.createTransport({ kind: 'booth', id: 'room-b' }, 'host', 'send');
    const videoId = await media.produce('room-b', 'host', send.id, 'video', vp8, { source: 'camera' });
    const audioId = await media.produce('room-b', 'host', send.id, 'audio', opus, { source: 'mic' });
    expect(await media.producers('room-b')).toEqual(
      expect.arrayContaining([
        { id: videoId, peerId: 'host', kind: 'video', appData: { source: 'camera' } },
        { id: audioId, peerId: 'host', kind: 'audio', appData: { source: 'mic' } },
      ]),
    );

    const recv = await media.createTransport({ kind: 'booth', id: 'room-b' }, 'viewer', 'recv');
    const consumer = await media.consume('room-b', 'viewer', recv.id, videoId, await media.rtpCapabilities());
    expect(consumer).toMatchObject({ producerId: videoId, kind: 'video' });
    expect(consumer.rtpParameters.codecs[0]!.mimeType).toBe('video/VP8');
    await media.resumeConsumer('room-b', 'viewer', consumer.id);
    expect(await media.stats()).toMatchObject({ rooms: 1, transports: 2, producers: 2, consumers: 1 });

    await media.closePeer('room-b', 'host');
    // The worker reports the consumer's end asynchronously ("producerclose").
    await vi.waitFor(() => expect(events.some(([name]) => name === 'consumer-closed')).toBe(true));
    expect(await media.stats()).toMatchObject({ rooms: 1, transports: 1, producers: 0, consumers: 0 });
    expect(events).toEqual(
      expect.arrayContaining([
        ['producer-closed', { roomId: 'room-b', producerId: videoId, peerId: 'host' }],
        ['producer-closed', { roomId: 'room-b', producerId: audioId, peerId: 'host' }],
        ['consumer-closed', { roomId: 'room-b', consumerId: consumer.id, peerId: 'viewer' }],
      ]),
    );

    await media.closePeer('room-b', 'viewer');
    await media.closePeer('room-b', 'viewer'); // twice is fine
    expect(await media.stats()).toMatchObject({ rooms: 0, transports: 0 });
  });

  it('spreads rooms over the least-loaded workers', async () => {
    await media.createTransport({ kind: 'booth', id: 'room-1' }, 'p', 'recv');
    await media.createTransport({ kind: 'booth', id: 'room-2' }, 'p', 'recv');
    expect((await media.stats()).roomsPerWorker).toEqual([1, 1]);
    await media.createTransport({ kind: 'booth', id: 'room-3' }, 'p', 'recv');
    expect((await media.stats()).roomsPerWorker.sort()).toEqual([1, 2]);
    await media.closeRoom('room-3');
    await media.closeRoom('room-1');
    await media.closeRoom('room-2');
    await media.closeRoom('room-2');
    expect((await media.stats()).rooms).toBe(0);
  });

  it('refuses bad requests with codes and leaves state as it was', async () => {
    await expect(media.connectTransport('nowhere', 'p', 'x', { fingerprints: [] })).rejects.toMatchObject({
      code: 'ROOM_NOT_FOUND',
    });
    const t = await media.createTransport({ kind: 'booth', id: 'room-c' }, 'p', 'send');
    await expect(media.produce('room-c', 'other-peer', t.id, 'video', vp8)).rejects.toMatchObject({
      code: 'TRANSPORT_NOT_FOUND',
    });
    await expect(media.produce('room-c', 'p', t.id, 'video', { codecs: [{ nonsense: 1 }] } as unknown as RtpParameters)).rejects.toBeInstanceOf(MediaError);
    await expect(media.consume('room-c', 'p', t.id, '00000000-0000-4000-8000-000000000000', await media.rtpCapabilities())).rejects.toMatchObject({
      code: 'CANNOT_CONSUME',
    });
    expect(await media.stats()).toMatchObject({ rooms: 1, transports: 1, producers: 0 });
    await media.closeRoom('room-c');
  });

  it('opens one router when many first requests for a room race', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => media.createTransport({ kind: 'booth', id: 'room-race' }, `p${i}`, 'recv')));
    expect(await media.stats()).toMatchObject({ rooms: 1, transports: 10 });
    await media.closeRoom('room-race');
    expect(await media.stats()).toMatchObject({ rooms: 0, transports: 0 });
  });

  it('closes twice without error', async () => {
    const extra = await createMediaServer({ workers: 1, listenIp: '127.0.0.1', workerBin: inject('workerBin') });
    await extra.close();
    await extra.close();
    expect((await extra.stats()).workersAlive).toBe(0);
  });
});
