import type { MediaServer, ProducerInfo } from '@fairground/media-server';
import type { AppServer } from '../../app/types.ts';
import type { MediaSource, RemoteProducer } from '../../protocol/index.ts';

export function toRemoteProducer(p: ProducerInfo): RemoteProducer {
  return { id: p.id, kind: p.kind, source: (p.appData.source as MediaSource | undefined) ?? 'camera' };
}

/** Stops everything a peer publishes in a room (a guest sent back from the stage). */
export async function closeProducersOf(media: Pick<MediaServer, 'producers' | 'closeProducer'>, roomId: string, peer: string): Promise<void> {
  for (const p of await media.producers(roomId)) {
    if (p.peerId === peer) media.closeProducer(roomId, peer, p.id).catch(() => {});
  }
}

/** Server-wide: the media server's own closings reach the peers concerned. */
export function relayMediaEvents(io: AppServer, media: Pick<MediaServer, 'on'>): void {
  media.on('producer-closed', ({ roomId, producerId }) => io.to(roomId).emit('media:producer-closed', { roomId, producerId }));
  media.on('consumer-closed', ({ roomId, consumerId, peerId }) => io.to(peerId).emit('media:consumer-closed', { roomId, consumerId }));
  // A worker died under these peers' media (a whole room, or a broadcast edge's viewers): each
  // joins again. Emitted by the media server before it closes anything, for every room kind.
  media.on('room-reset', ({ roomId, peerIds }) => {
    if (peerIds.length > 0) io.to(peerIds).emit('media:room-reset', { roomId });
  });
}
