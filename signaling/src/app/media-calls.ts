import { z } from 'zod';
import { MediaError, type MediaEvents, type MediaServer } from '@fairground/media-server';

/**
 * Split roles (NODE_ROLES): the calls a signaling node makes of the media server, as messages a
 * media node answers. One schema, parsed by the media node on every call it receives and by the
 * signaling node on every event it is told, so both sides agree on one shape. Each call names a
 * `MediaServer` method and carries its arguments in order; the answer is that method's result
 * (plain JSON, as the media server's API already is). They travel over the node-to-node requests
 * on Redis (app/node-messages.ts), the same ones that set up pipes between nodes.
 *
 * mediasoup's own parameter objects (DTLS, RTP parameters and capabilities) are checked for being
 * objects only: the client-facing protocol validated them already, and mediasoup checks them again.
 */

const id = z.string().min(1).max(200);
const roomRef = z.object({ kind: z.enum(['booth', 'interview', 'broadcast']), id });
const params = z.record(z.string(), z.unknown());
const direction = z.enum(['send', 'recv']);

/** Every call a media node answers: `{ method, args }`, args as the method takes them. */
export const mediaCallSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('rtpCapabilities'), args: z.tuple([]) }),
  z.object({ method: z.literal('createTransport'), args: z.tuple([roomRef, id, direction]) }),
  z.object({ method: z.literal('connectTransport'), args: z.tuple([id, id, id, params]) }),
  z.object({ method: z.literal('restartIce'), args: z.tuple([id, id, id]) }),
  z.object({ method: z.literal('transportStats'), args: z.tuple([id, id, id]) }),
  z.object({
    method: z.literal('produce'),
    args: z.tuple([id, id, id, z.enum(['audio', 'video']), params, params.optional()]),
  }),
  z.object({ method: z.literal('closeProducer'), args: z.tuple([id, id, id]) }),
  z.object({ method: z.literal('pauseProducer'), args: z.tuple([id, id, id]) }),
  z.object({ method: z.literal('resumeProducer'), args: z.tuple([id, id, id]) }),
  z.object({
    method: z.literal('consume'),
    args: z.tuple([id, id, id, id, params, z.object({ paused: z.boolean().optional(), spatialLayer: z.number().int().min(0).max(10).optional() }).optional()]),
  }),
  z.object({ method: z.literal('resumeConsumer'), args: z.tuple([id, id, id]) }),
  z.object({ method: z.literal('pauseConsumer'), args: z.tuple([id, id, id]) }),
  z.object({
    method: z.literal('setConsumerLayers'),
    args: z.tuple([id, id, id, z.object({ spatialLayer: z.number().int().min(0).max(10), temporalLayer: z.number().int().min(0).max(10).optional() })]),
  }),
  z.object({ method: z.literal('consumerStats'), args: z.tuple([id, id, id]) }),
  z.object({ method: z.literal('producers'), args: z.tuple([id]) }),
  z.object({ method: z.literal('roomInfo'), args: z.tuple([id]) }),
  z.object({ method: z.literal('closePeer'), args: z.tuple([id, id]) }),
  z.object({ method: z.literal('closeRoom'), args: z.tuple([id]) }),
  z.object({ method: z.literal('stats'), args: z.tuple([]) }),
]);

export type MediaCall = z.infer<typeof mediaCallSchema>;
export type MediaMethod = MediaCall['method'];

/** Where the media server's events come from (in-process the MediaServer, else remote-media.ts). */
export interface MediaEventSource {
  on<E extends keyof MediaEvents>(event: E, listener: (...args: MediaEvents[E]) => void): unknown;
}

/** What a signaling node reaches a media server through: in-process the MediaServer itself. */
export type MediaApi = Pick<MediaServer, MediaMethod | 'close'> & MediaEventSource;

/** The result of calling `method` (its Promise's value). */
export type MediaResult<M extends MediaMethod> = Awaited<ReturnType<MediaServer[M]>>;

/** The room a call is about (its first argument), for routing it and for knowing whose peer it is. */
export function callRoom(call: MediaCall): { roomId: string; peerId?: string } | null {
  const [first, second] = call.args as unknown[];
  if (first === undefined) return null;
  const roomId = typeof first === 'string' ? first : (first as { id: string }).id;
  return typeof second === 'string' ? { roomId, peerId: second } : { roomId };
}

/** On a media node: a received call, checked against the schema, answered by the media server. */
export async function answerMediaCall(media: MediaServer, raw: unknown): Promise<unknown> {
  const parsed = mediaCallSchema.safeParse(raw);
  if (!parsed.success) throw new MediaError('MEDIA_REJECTED', `Malformed media call: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { method, args } = parsed.data;
  return (media[method] as (...a: unknown[]) => Promise<unknown>).apply(media, args);
}

/** The media server's events a media node tells the signaling nodes whose peers they concern. */
export const mediaEventSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('producer-closed'), payload: z.object({ roomId: id, producerId: id, peerId: id }) }),
  z.object({ name: z.literal('producer-paused'), payload: z.object({ roomId: id, producerId: id, peerId: id }) }),
  z.object({ name: z.literal('producer-resumed'), payload: z.object({ roomId: id, producerId: id, peerId: id }) }),
  z.object({ name: z.literal('consumer-closed'), payload: z.object({ roomId: id, consumerId: id, peerId: id }) }),
  z.object({
    name: z.literal('room-reset'),
    payload: z.object({ roomId: id, kind: roomRef.shape.kind, scope: z.enum(['room', 'peers']), peerIds: z.array(id) }),
  }),
  z.object({ name: z.literal('room-closed'), payload: z.object({ roomId: id, kind: roomRef.shape.kind }) }),
]);

export type MediaEventMessage = z.infer<typeof mediaEventSchema>;
export type RelayedMediaEvent = MediaEventMessage['name'] & keyof MediaEvents;
