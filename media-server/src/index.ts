export { createMediaServer, isBroadcastRoom, MediaServer } from './media-server.ts';
export {
  MediaError,
  type ConsumerInfo,
  type ConsumerLayers,
  type PlainTransportInfo,
  type DtlsParameters,
  type MediaErrorCode,
  type MediaEvents,
  type MediaKind,
  type MediaLogger,
  type MediaServerOptions,
  type MediaStats,
  type ProducerInfo,
  type RtpCapabilities,
  type RtpParameters,
  type TransportDirection,
  type TransportInfo,
} from './types.ts';
