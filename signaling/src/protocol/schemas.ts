/** Every feature's payload schemas and types, gathered (the browser imports them from here). */
export * from './common.ts';
export * from '../features/booths/protocol.ts';
export * from '../features/media/protocol.ts';
export * from '../features/queue/protocol.ts';
export * from '../features/interviews/protocol.ts';
export * from '../features/broadcasts/protocol.ts';
export * from '../features/chat/protocol.ts';
export * from '../features/dashboard/protocol.ts';
export type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters, SctpParameters } from 'mediasoup-client/types';
export * from '../features/venue/protocol.ts';
