import type { MediaServer, ProducerInfo } from '@fairground/media-server';
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

