import { z } from 'zod';
import type { RtpCapabilities } from 'mediasoup-client/types';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';
import type { RemoteProducer } from '../media/protocol.ts';

/** The booths feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

export const boothJoinSchema = z.strictObject({ boothId: id });

export const boothLeaveSchema = boothJoinSchema;

/** Staff start recording their booth's stage as a presentation (title: the employer's name when left out). */
export const presentationStartSchema = z.strictObject({ boothId: id, title: z.string().trim().min(1).max(120).optional() });
export const presentationStopSchema = boothJoinSchema;

export type PresentationStart = z.infer<typeof presentationStartSchema>;

/** The presentation being recorded at a booth now: the stage's "recording" mark for everyone there. */
export interface BoothPresentation {
  /** Its replay is the broadcast page of this id once composed. */
  broadcastId: string;
  title: string;
  startedAt: string;
}

export interface BoothPresentationChange {
  boothId: string;
  presentation: BoothPresentation | null;
}

export type BoothJoin = z.infer<typeof boothJoinSchema>;

export interface BoothState {
  boothId: string;
  roomId: string;
  employerName: string;
  /** True when the user may publish media here (the employer's staff). */
  isStaff: boolean;
  viewers: number;
  /** Being recorded now (everyone at the booth is told: the stage's mark). */
  presentation: BoothPresentation | null;
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
  'booth:presentation-start': (payload: PresentationStart, ack: Ack<BoothPresentation>) => void;
  'booth:presentation-stop': (payload: BoothJoin, ack: Ack<{ broadcastId: string }>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface BoothServerEvents {
  'room:viewers': (count: ViewerCount) => void;
  /** A presentation began or ended being recorded at the booth. */
  'booth:presentation': (change: BoothPresentationChange) => void;
}
