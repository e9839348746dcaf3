import type { MediaServer, ProducerInfo } from '@fairground/media-server';
import type { AppServer } from '../../app/types.ts';
import type { MediaEventSource } from '../../app/media-calls.ts';
import type { MediaCluster } from '../../live/media-cluster.ts';
import type { MediaSource, RemoteProducer } from '../../protocol/index.ts';

export function toRemoteProducer(p: ProducerInfo, { withUser = false } = {}): RemoteProducer {
  const userId = withUser && typeof p.appData.userId === 'string' ? p.appData.userId : undefined;
  return { id: p.id, kind: p.kind, source: (p.appData.source as MediaSource | undefined) ?? 'camera', ...(userId ? { userId } : {}) };
}

/** Stops everything a peer publishes in a room (a guest sent back from the stage). */
export async function closeProducersOf(media: Pick<MediaServer, 'producers' | 'closeProducer'>, roomId: string, peer: string): Promise<void> {
  for (const p of await media.producers(roomId)) {
    if (p.peerId === peer) media.closeProducer(roomId, peer, p.id).catch(() => {});
  }
}

/**
 * Server-wide: the media server's own closings reach the peers concerned. A producer's close is
 * told to its room on every node by its origin (or, if the origin died, by the node that swept
 * it); an import closing here (its origin's close relayed, or this node's room closing) is not.
 */
export function relayMediaEvents(io: AppServer, media: MediaEventSource, cluster: Pick<MediaCluster, 'closed'>): void {
  media.on('producer-closed', (e) => {
    if (cluster.closed(e)) io.to(e.roomId).emit('media:producer-closed', { roomId: e.roomId, producerId: e.producerId });
  });
  media.on('consumer-closed', ({ roomId, consumerId, peerId }) => io.to(peerId).emit('media:consumer-closed', { roomId, consumerId }));
  // A worker died under these peers' media (a whole room, or a broadcast edge's viewers): each
  // joins again. Emitted by the media server before it closes anything, for every room kind.
  media.on('room-reset', ({ roomId, peerIds }) => {
    if (peerIds.length > 0) io.to(peerIds).emit('media:room-reset', { roomId });
  });
}
