import { iceServersFor } from '@fairground/core';
import type { ProducerInfo, RoomRef, TransportInfo } from '@fairground/media-server';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import type { ReceiveSetup, RequestPayload, TransportOptions } from '../../protocol/index.ts';
import { toClient, toServer } from './params.ts';

type Deps = Pick<FeatureDeps, 'media' | 'cluster' | 'ice'>;

/** TURN credentials minted now (for a transport, or its ICE restart) and plain STUN servers. */
export function iceServersOf(deps: Pick<FeatureDeps, 'ice'>, user: Connection['user']): TransportOptions['iceServers'] {
  return [...iceServersFor(deps.ice.turn, user?.id ?? 'anon'), ...(deps.ice.stunUrls.length > 0 ? [{ urls: [...deps.ice.stunUrls] }] : [])];
}

/** What the browser builds its transport from (the media server's answer plus ICE servers). */
export function transportOptions(deps: Pick<FeatureDeps, 'ice'>, user: Connection['user'], t: TransportInfo): TransportOptions {
  return {
    id: t.id,
    iceParameters: { ...t.iceParameters },
    iceCandidates: t.iceCandidates.map((c) => ({ ...c })),
    dtlsParameters: { ...t.dtlsParameters },
    // Minted per transport, so a long session's later transports get fresh ones; anonymous
    // broadcast viewers relay too (they sit behind the same firewalls).
    iceServers: iceServersOf(deps, user),
    iceTransportPolicy: deps.ice.policy,
  };
}

/**
 * Receiving set up inside a join, for a peer that has just entered the room (its earlier media,
 * if any, closed on entering): a new receive transport and a consumer of each producer, created
 * flowing because the transport has not connected yet (the media server checks that), so the
 * first key frame is asked for the moment the browser's DTLS completes, with no resume request.
 * The same media-server calls as `media:transport-create` and `media:consume`, so the same
 * per-peer limits hold. Video comes first: its track is the one the browser wires before it starts
 * ICE. Null when nothing is published yet.
 */
export async function openReceive(
  deps: Deps,
  who: { peerId: string; user: Connection['user'] },
  room: RoomRef,
  producers: ProducerInfo[],
  request: NonNullable<RequestPayload<'broadcast:join'>['receive']>,
): Promise<ReceiveSetup | null> {
  if (producers.length === 0) return null;
  const { media, cluster } = deps;
  const transport = await media.createTransport(room, who.peerId, 'recv');
  const caps = toServer.rtpCapabilities(request.rtpCapabilities);
  const ordered = [...producers].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
  const consumers = await Promise.all(
    ordered.map(async (p) => {
      // Published on another node: piped here once, as `media:consume` does.
      await cluster.ensureLocal(room, p.id);
      const video = p.kind === 'video';
      const c = await media.consume(room.id, who.peerId, transport.id, p.id, caps, {
        paused: video && !request.video,
        spatialLayer: video && request.spatialLayer < 2 ? request.spatialLayer : undefined,
      });
      return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: toClient.rtpParameters(c.rtpParameters) };
    }),
  );
  return { transport: transportOptions(deps, who.user, transport), consumers };
}
