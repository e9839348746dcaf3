import type { types as ms } from 'mediasoup';
import { MediaError, type MediaLimits, type PlainTransportInfo, type TransportDirection, type TransportInfo } from './types.ts';

/** The WebRTC transport's parameters a client needs to connect to it (copies: plain JSON). */
export function transportInfo(transport: ms.WebRtcTransport): TransportInfo {
  return {
    id: transport.id,
    iceParameters: { ...transport.iceParameters },
    iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
    dtlsParameters: structuredClone(transport.dtlsParameters),
  };
}

/**
 * A plain RTP transport on loopback or a LAN (ffmpeg, a recorder, the benchmarks), for a peer
 * holding a transport slot; the caller keeps it. `comedia` learns the remote address from the
 * first packet; otherwise the room's `connectPlainTransport`.
 */
export function createPlainTransport(
  router: ms.Router,
  direction: TransportDirection,
  options: { listenIp: string; comedia?: boolean; rtcpMux?: boolean },
): Promise<ms.PlainTransport> {
  return router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: options.listenIp },
    comedia: options.comedia ?? false,
    rtcpMux: options.rtcpMux ?? true,
    appData: { direction },
  });
}

/** Where a plain transport listens (its RTCP port when not muxed) and on which worker. */
export function plainTransportInfo(transport: ms.PlainTransport, workerIndex: number): PlainTransportInfo {
  return { id: transport.id, ip: transport.tuple.localAddress, port: transport.tuple.localPort, rtcpPort: transport.rtcpTuple?.localPort, workerIndex };
}

/** The same WebRTC transport options for every room: UDP first, TCP where UDP is blocked. */
export function webRtcTransportOptions(webRtcServer: ms.WebRtcServer, direction: string, limits: MediaLimits): ms.WebRtcTransportOptions {
  return {
    webRtcServer,
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: limits.initialAvailableOutgoingBitrate,
    appData: { direction },
  };
}

/**
 * A WebRTC transport for a peer holding a transport slot (`PeerTable.reserveTransport`); it
 * accepts at most `maxIncomingBitrate` from its client. The caller keeps it (`keepTransport`).
 */
export async function createLimitedWebRtcTransport(
  router: ms.Router,
  webRtcServer: ms.WebRtcServer,
  direction: TransportDirection,
  limits: MediaLimits,
): Promise<ms.WebRtcTransport> {
  const transport = await router.createWebRtcTransport(webRtcTransportOptions(webRtcServer, direction, limits));
  try {
    await transport.setMaxIncomingBitrate(limits.maxIncomingBitrate);
  } catch (error) {
    transport.close();
    throw error;
  }
  return transport;
}

/** mediasoup throws TypeError/Error on parameters it will not take; callers get a safe code. */
export async function rejectAsMedia<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof MediaError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : 'rejected';
    throw new MediaError('MEDIA_REJECTED', `The media server refused the parameters: ${reason}`);
  }
}
