export { createMediaServer, MediaServer } from './media-server.ts';
export {
  DEFAULT_MEDIA_LIMITS,
  MediaError,
  type MediaLimits,
  type ConsumerInfo,
  type ConsumerLayers,
  type ConsumeOptions,
  type PlainTransportInfo,
  type DtlsParameters,
  type IceParameters,
  type MediaErrorCode,
  type MediaEvents,
  type MediaKind,
  type MediaLogger,
  type MediaServerOptions,
  type MediaStats,
  type ProducerInfo,
  type RoomInfo,
  type RoomKind,
  type RoomRef,
  type RoomReset,
  type RtpCapabilities,
  type RtpParameters,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';
export type { ExportedProducer, OpenedPipe, PipeEndpoint, PipeEvents, PipeRequest, PipeResponses, PipeState } from './pipe-types.ts';
export { bringProducer, pipeEventRequest, type PipeNode } from './pipe-link.ts';
