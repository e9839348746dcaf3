/// <reference lib="dom" />
/**
 * A minimal media client run in Chromium by cross-node-media.test.ts (bundled with esbuild): the
 * web app's own libraries (mediasoup-client, socket.io-client) and the same requests as
 * web/src/lib/realtime/room-media.ts, without the pages. Connects to the node that served the page.
 */
import { Device, type types } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

function client() {
  const socket: Socket = io({ transports: ['websocket'], reconnection: false });
  const request = async <T>(event: string, payload: unknown): Promise<T> => {
    const result = (await socket.timeout(10_000).emitWithAck(event, payload)) as Ack<T>;
    if (!result.ok) throw new Error(`${event}: ${result.error.code} ${result.error.message}`);
    return result.data;
  };
  return { socket, request };
}

async function transport(request: ReturnType<typeof client>['request'], device: Device, roomId: string, direction: 'send' | 'recv') {
  const options = await request<types.TransportOptions>('media:transport-create', { roomId, direction });
  const t = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  t.on('connect', ({ dtlsParameters }, done, fail) => {
    request('media:transport-connect', { roomId, transportId: t.id, dtlsParameters }).then(() => done(), fail);
  });
  if (direction === 'send') {
    t.on('produce', ({ kind, rtpParameters }, done, fail) => {
      request<{ producerId: string }>('media:produce', { roomId, transportId: t.id, kind, rtpParameters, source: 'camera' }).then(
        ({ producerId }) => done({ id: producerId }),
        fail,
      );
    });
  }
  return t;
}

interface Joined {
  roomId: string;
  producers: Array<{ id: string; kind: string }>;
  routerRtpCapabilities: types.RtpCapabilities;
}

/** Booth staff: publishes the fake camera. */
async function publish(boothId: string): Promise<{ producerId: string }> {
  const { socket, request } = client();
  const joined = await request<Joined>('booth:join', { boothId });
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const send = await transport(request, device, joined.roomId, 'send');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
  const producer = await send.produce({ track: stream.getVideoTracks()[0]!, appData: { source: 'camera' } });
  Object.assign(window, { host: { socket, request, producer, roomId: joined.roomId } });
  return { producerId: producer.id };
}

async function stopPublishing(): Promise<void> {
  const { request, producer, roomId } = (
    window as unknown as { host: { request: ReturnType<typeof client>['request']; producer: types.Producer; roomId: string } }
  ).host;
  producer.close();
  await request('media:producer-close', { roomId, producerId: producer.id });
}

/**
 * A visitor: joins, consumes the first video producer the join listed, and answers when a frame
 * was decoded, with ms from the consume request to its answer and to the first decoded frame.
 */
async function watch(
  boothId: string,
): Promise<{ listed: string[]; consumeMs: number; connectedMs: number; firstPacketMs: number; firstFrameMs: number; producerId: string }> {
  const { socket, request } = client();
  const closed: string[] = [];
  socket.on('media:producer-closed', (p: { producerId: string }) => closed.push(p.producerId));
  const joined = await request<Joined>('booth:join', { boothId });
  const video = joined.producers.find((p) => p.kind === 'video');
  if (!video) throw new Error(`no video producer listed (${JSON.stringify(joined.producers)})`);
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const recv = await transport(request, device, joined.roomId, 'recv');
  const started = performance.now();
  let connectedMs = NaN;
  recv.on('connectionstatechange', (state) => {
    if (state === 'connected') connectedMs = performance.now() - started;
  });
  const options = await request<{ id: string; producerId: string; kind: 'video'; rtpParameters: types.RtpParameters }>('media:consume', {
    roomId: joined.roomId,
    transportId: recv.id,
    producerId: video.id,
    rtpCapabilities: device.rtpCapabilities,
  });
  const consumeMs = performance.now() - started;
  const consumer = await recv.consume(options);
  await request('media:consumer-resume', { roomId: joined.roomId, consumerId: consumer.id });
  let firstPacketMs = NaN;
  for (;;) {
    const stats = await consumer.getStats();
    let decoded = 0;
    stats.forEach((s: { type: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      decoded = s.framesDecoded ?? 0;
      if (Number.isNaN(firstPacketMs) && (s.packetsReceived ?? 0) > 0) firstPacketMs = performance.now() - started;
    });
    if (decoded > 0) break;
    if (performance.now() - started > 20_000) throw new Error('no frame decoded within 20 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  const firstFrameMs = performance.now() - started;
  Object.assign(window, { viewer: { socket, consumer, closed } });
  return { listed: joined.producers.map((p) => p.id), consumeMs, connectedMs, firstPacketMs, firstFrameMs, producerId: video.id };
}

/** Frames decoded so far by the viewer's consumer, and the producers it was told closed. */
async function viewed(): Promise<{ framesDecoded: number; closed: string[]; trackEnded: boolean }> {
  const { consumer, closed } = (window as unknown as { viewer: { consumer: types.Consumer; closed: string[] } }).viewer;
  let framesDecoded = 0;
  if (!consumer.closed) {
    (await consumer.getStats()).forEach((s: { type: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp') framesDecoded = s.framesDecoded ?? 0;
    });
  }
  return { framesDecoded, closed: [...closed], trackEnded: consumer.track.readyState === 'ended' };
}

/**
 * One side of an interview on one connection: joins, publishes the fake camera, consumes the
 * other side's camera (listed at the join, or announced later) and answers once a frame of it was
 * decoded, with ms from the join to that frame.
 */
async function interview(interviewId: string): Promise<{ firstFrameMs: number; producerId: string }> {
  const started = performance.now();
  const { socket, request } = client();
  let announce: (id: string) => void = () => {};
  const announced = new Promise<string>((resolve) => (announce = resolve));
  socket.on('media:producer-added', (p: { producer: { id: string; kind: string } }) => {
    if (p.producer.kind === 'video') announce(p.producer.id);
  });
  const joined = await request<Joined>('interview:join', { interviewId });
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const send = await transport(request, device, joined.roomId, 'send');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
  await send.produce({ track: stream.getVideoTracks()[0]!, appData: { source: 'camera' } });
  const producerId = joined.producers.find((p) => p.kind === 'video')?.id ?? (await announced);
  const recv = await transport(request, device, joined.roomId, 'recv');
  const options = await request<{ id: string; producerId: string; kind: 'video'; rtpParameters: types.RtpParameters }>('media:consume', {
    roomId: joined.roomId,
    transportId: recv.id,
    producerId,
    rtpCapabilities: device.rtpCapabilities,
  });
  const consumer = await recv.consume(options);
  await request('media:consumer-resume', { roomId: joined.roomId, consumerId: consumer.id });
  for (;;) {
    let decoded = 0;
    (await consumer.getStats()).forEach((s: { type: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp') decoded = s.framesDecoded ?? 0;
    });
    if (decoded > 0) break;
    if (performance.now() - started > 20_000) throw new Error('no frame decoded within 20 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return { firstFrameMs: performance.now() - started, producerId };
}

Object.assign(window, { fg: { publish, stopPublishing, watch, viewed, interview } });
