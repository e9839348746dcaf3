import { z } from 'zod';

/**
 * Payload schemas, shared by server (validation at the edge) and browser (typing). Our own objects
 * are strict: an unknown field is an error. mediasoup's parameter objects are checked for shape
 * here and in depth by mediasoup itself.
 */
const id = z.uuid();

/** A media room: `booth:<uuid>` now; interviews and broadcasts follow the same form. */
export const roomIdSchema = z.string().regex(/^booth:[0-9a-f-]{36}$/, 'must look like booth:<uuid>');

const mediaObject = z.looseObject({});

export const boothJoinSchema = z.strictObject({ boothId: id });
export const boothLeaveSchema = boothJoinSchema;

export const transportCreateSchema = z.strictObject({
  roomId: roomIdSchema,
  direction: z.enum(['send', 'recv']),
});

export const transportConnectSchema = z.strictObject({
  roomId: roomIdSchema,
  transportId: id,
  dtlsParameters: z.looseObject({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z.array(z.looseObject({ algorithm: z.string(), value: z.string() })).min(1),
  }),
});

export const mediaSourceSchema = z.enum(['camera', 'mic', 'screen']);

export const produceSchema = z.strictObject({
  roomId: roomIdSchema,
  transportId: id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: z.looseObject({ codecs: z.array(mediaObject).min(1) }),
  source: mediaSourceSchema,
});

export const producerCloseSchema = z.strictObject({ roomId: roomIdSchema, producerId: id });

export const consumeSchema = z.strictObject({
  roomId: roomIdSchema,
  transportId: id,
  producerId: id,
  rtpCapabilities: z.looseObject({ codecs: z.array(mediaObject).optional() }),
});

export const consumerResumeSchema = z.strictObject({ roomId: roomIdSchema, consumerId: id });

export type BoothJoin = z.infer<typeof boothJoinSchema>;
export type TransportCreate = z.infer<typeof transportCreateSchema>;
export type TransportConnect = z.infer<typeof transportConnectSchema>;
export type Produce = z.infer<typeof produceSchema>;
export type ProducerClose = z.infer<typeof producerCloseSchema>;
export type Consume = z.infer<typeof consumeSchema>;
export type ConsumerResume = z.infer<typeof consumerResumeSchema>;
export type MediaSource = z.infer<typeof mediaSourceSchema>;
