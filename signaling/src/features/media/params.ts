import type { DtlsParameters as ServerDtls, RtpCapabilities as ServerCaps, RtpParameters as ServerRtp } from '@fairground/media-server';
import type { RequestPayload, RtpCapabilities, RtpParameters } from '../../protocol/index.ts';

/**
 * The one crossing between mediasoup's server types (what the media server speaks) and
 * mediasoup-client's (what the protocol and the browser speak). Both describe the same JSON, but
 * their string unions differ by release (header-extension URIs, codec names), so TypeScript cannot
 * equate them. Inbound values have been validated by the protocol's zod schemas; outbound ones
 * come from mediasoup itself.
 */
export const toClient = {
  rtpCapabilities: (caps: ServerCaps): RtpCapabilities => caps as unknown as RtpCapabilities,
  rtpParameters: (params: ServerRtp): RtpParameters => params as unknown as RtpParameters,
};

export const toServer = {
  dtlsParameters: (params: RequestPayload<'media:transport-connect'>['dtlsParameters']): ServerDtls => params as unknown as ServerDtls,
  rtpParameters: (params: RequestPayload<'media:produce'>['rtpParameters']): ServerRtp => params as unknown as ServerRtp,
  rtpCapabilities: (caps: RequestPayload<'media:consume'>['rtpCapabilities']): ServerCaps => caps as unknown as ServerCaps,
};
