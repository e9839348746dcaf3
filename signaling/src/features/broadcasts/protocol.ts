import { z } from 'zod';
import type { RtpCapabilities } from 'mediasoup-client/types';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';
import { receiveRequestSchema, type ReceiveRequest, type ReceiveSetup, type RemoteProducer } from '../media/protocol.ts';

/** The broadcasts feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

/** `receive`: set up receiving in the same request (see ReceiveSetup). */
export const broadcastJoinSchema = z.strictObject({ broadcastId: id, receive: receiveRequestSchema.optional() });

export const broadcastLeaveSchema = z.strictObject({ broadcastId: id });

export const broadcastHandSchema = z.strictObject({ broadcastId: id, raised: z.boolean() });

/** `peer` is the connection id a raised hand or a stage guest came with. */
export const broadcastStagePeerSchema = z.strictObject({ broadcastId: id, peer: z.string().min(1).max(64) });

export type BroadcastJoin = Omit<z.infer<typeof broadcastJoinSchema>, 'receive'> & { receive?: ReceiveRequest };

export type BroadcastLeave = z.infer<typeof broadcastLeaveSchema>;

export type BroadcastHand = z.infer<typeof broadcastHandSchema>;

export type BroadcastStagePeer = z.infer<typeof broadcastStagePeerSchema>;

export interface BroadcastState {
  broadcastId: string;
  roomId: string;
  /** A host (named host or organizer): may go live; not counted as a viewer. */
  isHost: boolean;
  /** For hosts: raised hands and guests now; for viewers: null. */
  stage: StageState | null;
  /** Live viewers now (distinct identities over every node). */
  viewers: number;
  producers: RemoteProducer[];
  routerRtpCapabilities: RtpCapabilities;
  /** When the join asked to `receive`: the transport and consumers (null when nothing is published yet). */
  receive: ReceiveSetup | null;
  /** At most this many guests on stage at once (an invite beyond it is refused with CONFLICT). */
  maxStageGuests: number;
}

/** A broadcast's audience numbers (definitions in PRODUCT.md). */
export interface BroadcastNumbers {
  broadcastId: string;
  live: number;
  peak: number;
  /** Viewing sessions started; a reconnect within 30 s continues the same one. */
  views: number;
  unique: number;
  watchSeconds: number;
  averageWatchSeconds: number;
  /** Live viewers every 5 s (ISO time, count). */
  samples: Array<{ at: string; live: number }>;
}

/** A viewer with a raised hand, or a guest on stage. */
export interface StagePerson {
  peer: string;
  name: string;
}

/** To hosts: who asks to speak, and who is on stage (at most 3 guests). */
export interface StageState {
  broadcastId: string;
  hands: StagePerson[];
  guests: StagePerson[];
}

export interface BroadcastLiveNotice {
  broadcastId: string;
  title: string;
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface BroadcastClientEvents {
  /** Enters a broadcast's room: hosts may publish, everyone else watches and is counted. */
  'broadcast:join': (payload: BroadcastJoin, ack: Ack<BroadcastState>) => void;
  'broadcast:leave': (payload: BroadcastLeave, ack: Ack<null>) => void;
  /** A viewer raises (or lowers) a hand to ask a live question. */
  'broadcast:hand': (payload: BroadcastHand, ack: Ack<null>) => void;
  /** Hosts: bring a viewer with a raised hand on stage (they may then publish). CONFLICT when 3 are on stage. */
  'broadcast:stage-invite': (payload: BroadcastStagePeer, ack: Ack<StageState>) => void;
  /** Hosts: send a guest back to the audience (their media stops); a guest may send themselves back. */
  'broadcast:stage-remove': (payload: BroadcastStagePeer, ack: Ack<StageState>) => void;
  /** Hosts and organizers: the audience numbers so far. */
  'broadcast:stats': (payload: BroadcastLeave, ack: Ack<BroadcastNumbers>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface BroadcastServerEvents {
  /** To hosts of a broadcast: raised hands and stage guests changed. */
  'broadcast:stage-state': (state: StageState) => void;
  /** To one viewer: they were brought on stage (may publish now), or sent back. */
  'broadcast:on-stage': (payload: { broadcastId: string; onStage: boolean }) => void;
  /** To everyone: a published guidance broadcast has just started (sent once, by one node). */
  'notice:broadcast-live': (payload: BroadcastLiveNotice) => void;
}
