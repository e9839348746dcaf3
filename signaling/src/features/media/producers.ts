import type { MediaServer, ProducerInfo } from '@fairground/media-server';
import type { AppServer } from '../../app/types.ts';
import type { MediaSource, RemoteProducer } from '../../protocol/index.ts';

export function toRemoteProducer(p: ProducerInfo): RemoteProducer {
  return { id: p.id, kind: p.kind, source: (p.appData.source as MediaSource | undefined) ?? 'camera' };
}

/** Stops everything a peer publishes in a room (a guest sent back from the stage). */
export function closeProducersOf(media: Pick<MediaServer, 'producers' | 'closeProducer'>, roomId: string, peer: string): void {
  for (const p of media.producers(roomId)) {
    if (p.peerId === peer) media.closeProducer(roomId, peer, p.id).catch(() => {});
  }
}


/** Server-wide: the media server's own closings reach the peers concerned. */
export function relayMediaEvents(io: AppServer, media: Pick<MediaServer, 'on'>): void {
  media.on('producer-closed', ({ roomId, producerId }) => io.to(roomId).emit('media:producer-closed', { roomId, producerId }));
  media.on('consumer-closed', ({ roomId, consumerId, peerId }) => io.to(peerId).emit('media:consumer-closed', { roomId, consumerId }));
  media.on('room-closed', ({ roomId }) => io.to(roomId).emit('media:room-reset', { roomId }));
}
