import { z } from 'zod';
import { CHAT_MAX_LENGTH, QUESTION_MAX_LENGTH, SLOW_MODE_MAX_SECONDS } from '@fairground/core/schemas';

/**
 * Payload schemas, shared by server (validation at the edge) and browser (typing). Our own objects
 * are strict: an unknown field is an error. mediasoup's parameter objects are checked for shape
 * here and in depth by mediasoup itself.
 */
const id = z.uuid();

/** A media room: `booth:<uuid>` (a booth's stage), `interview:<uuid>` (a 1:1 interview) or `broadcast:<uuid>`. */
export const roomIdSchema = z
  .string()
  .regex(/^(booth|interview|broadcast):[0-9a-f-]{36}$/, 'must look like booth:<uuid>, interview:<uuid> or broadcast:<uuid>');

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
export type TransportConnect = z.infer<typeof transportConnectSchema>;
export type Produce = z.infer<typeof produceSchema>;
export type ProducerClose = z.infer<typeof producerCloseSchema>;
export type Consume = z.infer<typeof consumeSchema>;
export type ConsumerResume = z.infer<typeof consumerResumeSchema>;
export type MediaSource = z.infer<typeof mediaSourceSchema>;
export type ConsumerLayersInput = z.infer<typeof consumerLayersSchema>;
export type TransportRestartIce = z.infer<typeof transportRestartIceSchema>;
export type BroadcastJoin = z.infer<typeof broadcastJoinSchema>;
export type BroadcastHand = z.infer<typeof broadcastHandSchema>;
export type BroadcastStagePeer = z.infer<typeof broadcastStagePeerSchema>;
