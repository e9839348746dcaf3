import { z } from 'zod';
import type { RtpCapabilities } from 'mediasoup-client/types';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';
import type { RemoteProducer } from '../media/protocol.ts';

/** The booths feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

export const boothJoinSchema = z.strictObject({ boothId: id });

export const boothLeaveSchema = boothJoinSchema;

export type BoothJoin = z.infer<typeof boothJoinSchema>;

export interface BoothState {
  boothId: string;
  roomId: string;
  employerName: string;
  /** True when the user may publish media here (the employer's staff). */
  isStaff: boolean;
  viewers: number;
  producers: RemoteProducer[];
  routerRtpCapabilities: RtpCapabilities;
}

export interface ViewerCount {
  roomId: string;
  /** Distinct viewer identities connected now (two tabs of one person count once). */
  live: number;
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface BoothClientEvents {
  'booth:join': (payload: BoothJoin, ack: Ack<BoothState>) => void;
  'booth:leave': (payload: BoothJoin, ack: Ack<null>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface BoothServerEvents {
  'room:viewers': (count: ViewerCount) => void;
}
