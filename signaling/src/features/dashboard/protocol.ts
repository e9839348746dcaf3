import { z } from 'zod';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';

/** The dashboard feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

export const dashboardSchema = z.strictObject({ fairId: id });

export type DashboardRef = z.infer<typeof dashboardSchema>;

/** One booth on the organizer's live dashboard. */
export interface DashboardBooth {
  boothId: string;
  employerName: string;
  /** Distinct visitors in the booth room now (staff excluded). */
  visitorsNow: number;
  waiting: number;
  /** Called, not yet answered. */
  called: number;
  interviewsNow: number;
  onDuty: number;
  medianWaitSeconds: number | null;
}

/** A fair's live numbers (pushed at most once a second while they change). */
export interface FairDashboard {
  fairId: string;
  /** When the numbers were read (ISO time). */
  at: string;
  /** Distinct people visiting any of the fair's booths now (staff excluded). */
  peopleNow: number;
  waiting: number;
  interviewsNow: number;
  /** Median wait of everyone called so far at the fair. */
  medianWaitSeconds: number | null;
  booths: DashboardBooth[];
  /** The fair's published broadcasts, in start order, with their live viewers now. */
  broadcasts: DashboardBroadcast[];
}

/** One broadcast of a fair on the organizer's live dashboard. */
export interface DashboardBroadcast {
  broadcastId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  /** Distinct viewers in the broadcast room now, on every node (hosts not counted). */
  live: number;
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface DashboardClientEvents {
  /** Organizers: start receiving `dashboard:update` for a fair; acked with the numbers now. */
  'dashboard:watch': (payload: DashboardRef, ack: Ack<FairDashboard>) => void;
  'dashboard:unwatch': (payload: DashboardRef, ack: Ack<null>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface DashboardServerEvents {
  /** To organizers watching a fair: its live numbers changed. */
  'dashboard:update': (payload: FairDashboard) => void;
}
