import { z } from 'zod';
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup-client/types';
import { CHAT_MAX_LENGTH, QUESTION_MAX_LENGTH, SLOW_MODE_MAX_SECONDS } from '@fairground/core/schemas';

/**
 * Payload schemas, shared by server (validation at the edge) and browser (typing). Our own objects
 * are strict: an unknown field is an error. mediasoup's parameter objects (RTP capabilities and
 * parameters, DTLS parameters) are described field by field with bounded strings, numbers and
 * arrays: unknown fields are dropped, so nothing deeper or larger than these shapes ever reaches
 * mediasoup (a deeply nested object used to overflow its stack); mediasoup then checks the values.
 */
const id = z.uuid();

/** A media room: `booth:<uuid>` (a booth's stage), `interview:<uuid>` (a 1:1 interview) or `broadcast:<uuid>`. */
export const roomIdSchema = z
  .string()
  .regex(/^(booth|interview|broadcast):[0-9a-f-]{36}$/, 'must look like booth:<uuid>, interview:<uuid> or broadcast:<uuid>');

// Bounded building blocks for mediasoup's parameter objects (mediasoup-client sends these shapes).
const token = z.string().max(128);
const smallInt = z.number().int().min(0).max(0xffff_ffff);
/** Codec parameters (fmtp): a flat map of short keys to strings or numbers. */
const codecParameters = z
  .record(z.string().max(64), z.union([z.string().max(256), z.number().finite()]))
  .refine((p) => Object.keys(p).length <= 32, 'at most 32 codec parameters');
const rtcpFeedback = z.array(z.object({ type: token, parameter: token.optional() })).max(16);

const rtpCodecCapability = z.object({
  kind: z.enum(['audio', 'video']),
  mimeType: token,
  preferredPayloadType: smallInt.max(127).optional(),
  clockRate: smallInt,
  channels: smallInt.max(16).optional(),
  parameters: codecParameters.optional(),
  rtcpFeedback: rtcpFeedback.optional(),
});
const headerExtensionCapability = z.object({
  kind: z.enum(['audio', 'video']),
  uri: z.string().max(256),
  preferredId: smallInt.max(255),
  preferredEncrypt: z.boolean().optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
});
/** A device's receive capabilities (mediasoup-client `device.rtpCapabilities`). */
export const rtpCapabilitiesSchema = z.strictObject({
  codecs: z.array(rtpCodecCapability).min(1).max(64),
  headerExtensions: z.array(headerExtensionCapability).max(64).optional(),
});

const rtpCodecParameters = z.object({
  mimeType: token,
  payloadType: smallInt.max(127),
  clockRate: smallInt,
  channels: smallInt.max(16).optional(),
  parameters: codecParameters.optional(),
  rtcpFeedback: rtcpFeedback.optional(),
});
const rtpEncoding = z.object({
  ssrc: smallInt.optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: smallInt.max(127).optional(),
  rtx: z.object({ ssrc: smallInt }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  scaleResolutionDownBy: z.number().min(1).max(64).optional(),
  maxBitrate: smallInt.optional(),
  maxFramerate: z.number().min(0).max(240).optional(),
  adaptivePtime: z.boolean().optional(),
  priority: z.enum(['very-low', 'low', 'medium', 'high']).optional(),
  networkPriority: z.enum(['very-low', 'low', 'medium', 'high']).optional(),
});
/** What a client sends with `media:produce` (mediasoup-client's producer rtpParameters). */
export const rtpParametersSchema = z.object({
  mid: z.string().max(32).optional(),
  codecs: z.array(rtpCodecParameters).min(1).max(16),
  headerExtensions: z
    .array(z.object({ uri: z.string().max(256), id: smallInt.max(255), encrypt: z.boolean().optional(), parameters: codecParameters.optional() }))
    .max(32)
    .optional(),
  encodings: z.array(rtpEncoding).max(8).optional(),
  rtcp: z.object({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() }).optional(),
});

/** The client's DTLS role and certificate fingerprints (`media:transport-connect`). */
export const dtlsParametersSchema = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().max(256) }))
    .min(1)
    .max(8),
});

export const boothJoinSchema = z.strictObject({ boothId: id });
export const boothLeaveSchema = boothJoinSchema;

export const transportCreateSchema = z.strictObject({
  roomId: roomIdSchema,
  direction: z.enum(['send', 'recv']),
});

export const transportConnectSchema = z.strictObject({
  roomId: roomIdSchema,
  transportId: id,
  dtlsParameters: dtlsParametersSchema,
});

export const mediaSourceSchema = z.enum(['camera', 'mic', 'screen']);

export const produceSchema = z.strictObject({
  roomId: roomIdSchema,
  transportId: id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: rtpParametersSchema,
  source: mediaSourceSchema,
});

export const producerCloseSchema = z.strictObject({ roomId: roomIdSchema, producerId: id });

export const consumeSchema = z.strictObject({
  roomId: roomIdSchema,
  transportId: id,
  producerId: id,
  rtpCapabilities: rtpCapabilitiesSchema,
});

export const consumerResumeSchema = z.strictObject({ roomId: roomIdSchema, consumerId: id });

export const consumerPauseSchema = consumerResumeSchema;

/** A cap on the simulcast layer a viewer receives: 0 = low, 1 = medium, 2 = high. */
export const consumerLayersSchema = z.strictObject({
  roomId: roomIdSchema,
  consumerId: id,
  spatialLayer: z.number().int().min(0).max(2),
});

export const transportRestartIceSchema = z.strictObject({ roomId: roomIdSchema, transportId: id });

export const broadcastJoinSchema = z.strictObject({ broadcastId: id });
export const broadcastHandSchema = z.strictObject({ broadcastId: id, raised: z.boolean() });
/** `peer` is the connection id a raised hand or a stage guest came with. */
export const broadcastStagePeerSchema = z.strictObject({ broadcastId: id, peer: z.string().min(1).max(64) });

export const emptySchema = z.strictObject({});
export const queueBoothSchema = z.strictObject({ boothId: id });
export const queueEntrySchema = z.strictObject({ entryId: id });
export const queueDutySchema = z.strictObject({ boothId: id, onDuty: z.boolean() });
export const queueCallSchema = z.strictObject({ boothId: id, entryId: id, reason: z.string().trim().min(1).max(200) });
export const dashboardSchema = z.strictObject({ fairId: id });
export const interviewIdSchema = z.strictObject({ interviewId: id });
export const interviewChatSchema = z.strictObject({ interviewId: id, body: z.string().trim().min(1).max(1000) });

export const chatJoinSchema = z.strictObject({ broadcastId: id });
export const chatSendSchema = z.strictObject({ broadcastId: id, body: z.string().trim().min(1).max(CHAT_MAX_LENGTH) });
export const chatDeleteSchema = z.strictObject({ broadcastId: id, messageId: id });
export const chatMuteSchema = z.strictObject({ broadcastId: id, userId: id, muted: z.boolean() });
export const chatSlowModeSchema = z.strictObject({ broadcastId: id, seconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS) });
export const questionAskSchema = z.strictObject({ broadcastId: id, body: z.string().trim().min(1).max(QUESTION_MAX_LENGTH) });
export const questionRefSchema = z.strictObject({ broadcastId: id, questionId: id });
export const questionPinSchema = z.strictObject({ broadcastId: id, questionId: id, pinned: z.boolean() });
export const questionAnswerSchema = z.strictObject({ broadcastId: id, questionId: id, answered: z.boolean() });

export type ChatJoin = z.infer<typeof chatJoinSchema>;
export type ChatSend = z.infer<typeof chatSendSchema>;
export type ChatDelete = z.infer<typeof chatDeleteSchema>;
export type ChatMute = z.infer<typeof chatMuteSchema>;
export type ChatSlowMode = z.infer<typeof chatSlowModeSchema>;
export type QuestionAsk = z.infer<typeof questionAskSchema>;
export type QuestionRef = z.infer<typeof questionRefSchema>;
export type QuestionPin = z.infer<typeof questionPinSchema>;
export type QuestionAnswer = z.infer<typeof questionAnswerSchema>;
export type BoothJoin = z.infer<typeof boothJoinSchema>;
export type DashboardRef = z.infer<typeof dashboardSchema>;
export type QueueBooth = z.infer<typeof queueBoothSchema>;
export type QueueEntryRef = z.infer<typeof queueEntrySchema>;
export type QueueDuty = z.infer<typeof queueDutySchema>;
export type QueueCall = z.infer<typeof queueCallSchema>;
export type InterviewRef = z.infer<typeof interviewIdSchema>;
export type InterviewChat = z.infer<typeof interviewChatSchema>;
export type TransportCreate = z.infer<typeof transportCreateSchema>;
// What the browser sends carries mediasoup-client's own types (the schemas above check the shape).
export type TransportConnect = Omit<z.infer<typeof transportConnectSchema>, 'dtlsParameters'> & { dtlsParameters: DtlsParameters };
export type Produce = Omit<z.infer<typeof produceSchema>, 'rtpParameters'> & { rtpParameters: RtpParameters };
export type ProducerClose = z.infer<typeof producerCloseSchema>;
export type Consume = Omit<z.infer<typeof consumeSchema>, 'rtpCapabilities'> & { rtpCapabilities: RtpCapabilities };
export type ConsumerResume = z.infer<typeof consumerResumeSchema>;
export type MediaSource = z.infer<typeof mediaSourceSchema>;
export type ConsumerLayersInput = z.infer<typeof consumerLayersSchema>;
export type TransportRestartIce = z.infer<typeof transportRestartIceSchema>;
export type BroadcastJoin = z.infer<typeof broadcastJoinSchema>;
export type BroadcastHand = z.infer<typeof broadcastHandSchema>;
export type BroadcastStagePeer = z.infer<typeof broadcastStagePeerSchema>;
