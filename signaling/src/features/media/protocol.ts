import { z } from 'zod';
import type { RtpCapabilities, RtpParameters, DtlsParameters, IceParameters, IceCandidate } from 'mediasoup-client/types';
import type { Ack } from '../../protocol/errors.ts';
import { id, roomIdSchema } from '../../protocol/common.ts';

/** The media feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

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

/**
 * Media parameters are mediasoup-client's own types on both sides: the browser hands them to its
 * Device and Transport as they are, the server fills them from the media server (same JSON).
 */
export interface TransportOptions {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  /** TURN (with time-limited credentials) and STUN servers for this transport's RTCPeerConnection. */
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
  /** `relay` when the deployment sends all media through TURN (ICE_TRANSPORT_POLICY). */
  iceTransportPolicy: 'all' | 'relay';
}

export interface RemoteProducer {
  id: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  /** Whose it is: given in interview rooms only, where the page names each person's camera. */
  userId?: string;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
}

/**
 * Receiving set up within a room's join (one round trip instead of a transport, a consume and a
 * resume each): what the browser's Device can receive, the simulcast layer it wants at most, and
 * whether it wants video at all (audio-only mode).
 */
export const receiveRequestSchema = z.strictObject({
  rtpCapabilities: rtpCapabilitiesSchema,
  spatialLayer: z.number().int().min(0).max(2),
  video: z.boolean(),
});

export type ReceiveRequest = Omit<z.infer<typeof receiveRequestSchema>, 'rtpCapabilities'> & { rtpCapabilities: RtpCapabilities };

/**
 * The answer: a receive transport and a consumer of every producer in the room, already flowing
 * (video stays paused when not wanted). Null when the room had no producers yet: later ones come
 * as `media:producer-added` and are consumed one by one.
 */
export interface ReceiveSetup {
  transport: TransportOptions;
  consumers: ConsumerOptions[];
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface MediaClientEvents {
  'media:transport-create': (payload: TransportCreate, ack: Ack<TransportOptions>) => void;
  'media:transport-connect': (payload: TransportConnect, ack: Ack<null>) => void;
  'media:produce': (payload: Produce, ack: Ack<{ producerId: string }>) => void;
  'media:producer-close': (payload: ProducerClose, ack: Ack<null>) => void;
  'media:consume': (payload: Consume, ack: Ack<ConsumerOptions>) => void;
  'media:consumer-resume': (payload: ConsumerResume, ack: Ack<null>) => void;
  /** Stops forwarding one consumer (audio-only mode pauses video); resume brings it back. */
  'media:consumer-pause': (payload: ConsumerResume, ack: Ack<null>) => void;
  /** Caps the simulcast layer of one consumer (broadcasts only); bandwidth estimation may go lower. */
  'media:consumer-layers': (payload: ConsumerLayersInput, ack: Ack<null>) => void;
  /** New ICE credentials for a transport whose connection failed (the client then restarts ICE). */
  'media:transport-restart-ice': (payload: TransportRestartIce, ack: Ack<{ iceParameters: IceParameters; iceServers: TransportOptions['iceServers'] }>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface MediaServerEvents {
  'media:producer-added': (payload: { roomId: string; producer: RemoteProducer }) => void;
  'media:producer-closed': (payload: { roomId: string; producerId: string }) => void;
  'media:consumer-closed': (payload: { roomId: string; consumerId: string }) => void;
  /** The room's media died (worker crash); rejoin to get new transports. */
  'media:room-reset': (payload: { roomId: string }) => void;
}
