/// <reference lib="dom" />
/**
 * The browser side of join-storm.ts (bundled with esbuild, run in Chromium): a host publishing the
 * fake camera into a broadcast, and viewers that join during the storm and wait for their first
 * decoded frame. The web app's libraries (mediasoup-client, socket.io-client) and the requests of
 * web/src/lib/realtime/room-media.ts, without the pages. Connects to the node that served the page.
 */
import { Device, type types } from 'mediasoup-client';
import { io } from 'socket.io-client';

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

interface Joined {
  roomId: string;
  producers: Array<{ id: string; kind: string }>;
  routerRtpCapabilities: types.RtpCapabilities;
}

function client() {
  const socket = io({ transports: ['websocket'], reconnection: false, autoConnect: false });
  // A node turning handshakes away (BUSY, with a hint) is tried again after the hint, as the web client does.
  socket.on('connect_error', (err: Error & { data?: { code?: string; retryAfterMs?: number } }) => {
    if (err.data?.code === 'BUSY') setTimeout(() => socket.connect(), (err.data.retryAfterMs ?? 1000) * (0.5 + Math.random()));
  });
  socket.connect();
  const request = async <T>(event: string, payload: unknown): Promise<T> => {
    const result = (await socket.timeout(60_000).emitWithAck(event, payload)) as Ack<T>;
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
  t.on('produce', ({ kind, rtpParameters }, done, fail) => {
    request<{ producerId: string }>('media:produce', { roomId, transportId: t.id, kind, rtpParameters, source: 'camera' }).then(
      ({ producerId }) => done({ id: producerId }),
      fail,
    );
  });
  return t;
}

/** The host: joins its broadcast and publishes the fake camera. */
async function publish(broadcastId: string): Promise<{ producerId: string }> {
  const { socket, request } = client();
  const joined = await request<Joined>('broadcast:join', { broadcastId });
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const send = await transport(request, device, joined.roomId, 'send');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
  const producer = await send.produce({ track: stream.getVideoTracks()[0]!, appData: { source: 'camera' } });
  Object.assign(window, { host: { socket, producer } });
  return { producerId: producer.id };
}

/** A viewer: ms from its connect to the join's answer and to the first decoded frame of the listed video. */
async function watch(broadcastId: string): Promise<{ joinMs: number; firstFrameMs: number }> {
  const started = performance.now();
  const { request } = client();
  const joined = await request<Joined>('broadcast:join', { broadcastId });
  const joinMs = performance.now() - started;
  const video = joined.producers.find((p) => p.kind === 'video');
  if (!video) throw new Error('no video producer listed at the join');
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const recv = await transport(request, device, joined.roomId, 'recv');
  const options = await request<{ id: string; producerId: string; kind: 'video'; rtpParameters: types.RtpParameters }>('media:consume', {
    roomId: joined.roomId,
    transportId: recv.id,
    producerId: video.id,
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
    if (performance.now() - started > 30_000) throw new Error('no frame decoded within 30 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return { joinMs, firstFrameMs: performance.now() - started };
}

Object.assign(window, { fg: { publish, watch } });
