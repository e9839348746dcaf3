import { MediaError, type RoomRef } from './types.ts';
import type { PipeEvents, PipeRequest, PipeResponses } from './pipe-types.ts';

/**
 * A media node as another node reaches it: its name, and a way to send it one pipe message and
 * get the answer. In one process that is `server.request`; across machines, whatever carries the
 * JSON (signaling relays it over Redis). Failures come back as MediaError with their code.
 */
export interface PipeNode {
  readonly node: string;
  request<T extends PipeRequest['type']>(msg: Extract<PipeRequest, { type: T }>): Promise<PipeResponses[T]>;
}

/**
 * Brings `producerId` of `room` from `origin` into the same room on `target`, where its viewers
 * consume it as if it were published there. The first time for a room and node pair, the two
 * ends of the pipe are opened and connected to each other (the target's end first, so two nodes
 * bringing each other's producers at once meet on one pair); later producers reuse the pair, and
 * a producer already brought is answered again without piping it twice. Five messages, two of
 * them to the origin. A target end still connected to an end the origin no longer has (a
 * `pipe-closed` that was never relayed) is closed and the pair opened afresh; so is a pipe
 * replaced meanwhile (PIPE_NOT_FOUND).
 */
export async function bringProducer(origin: PipeNode, target: PipeNode, room: RoomRef, producerId: string): Promise<PipeResponses['importProducer']> {
  for (let attempt = 1; ; attempt++) {
    try {
      const mine = await target.request({ type: 'openPipe', room, remoteNode: origin.node });
      const theirs = await origin.request({ type: 'openPipe', room, remoteNode: target.node, remote: mine, existing: true });
      if (mine.connectedTo !== null && mine.connectedTo !== theirs.id) {
        await target.request({ type: 'closePipe', roomId: room.id, remoteNode: origin.node, remotePipeId: mine.connectedTo });
        throw new MediaError('PIPE_NOT_FOUND', 'The pipe was connected to a stale end');
      }
      await target.request({ type: 'openPipe', room, remoteNode: origin.node, remote: theirs });
      const producer = await origin.request({ type: 'exportProducer', roomId: room.id, producerId, toNode: target.node });
      return await target.request({ type: 'importProducer', room, fromNode: origin.node, producer });
    } catch (error) {
      if (attempt < 3 && error instanceof MediaError && error.code === 'PIPE_NOT_FOUND') continue;
      throw error;
    }
  }
}

/**
 * What a node's pipe event asks of the node it names: the transport layer sends `request` to
 * `to`. `pipe-export` (the origin's producer paused, resumed or closed) becomes `updateImport`;
 * `pipe-closed` (this end is gone) becomes `closePipe`, so the other end and its imports close.
 */
export function pipeEventRequest<E extends keyof PipeEvents>(fromNode: string, event: E, payload: PipeEvents[E][0]): { to: string; request: PipeRequest } {
  if (event === 'pipe-export') {
    const e = payload as PipeEvents['pipe-export'][0];
    return {
      to: e.toNode,
      request: { type: 'updateImport', roomId: e.roomId, fromNode, pipeId: e.pipeId, producerId: e.producerId, state: e.state },
    };
  }
  const e = payload as PipeEvents['pipe-closed'][0];
  return { to: e.remoteNode, request: { type: 'closePipe', roomId: e.roomId, remoteNode: fromNode, remotePipeId: e.pipeId } };
}
