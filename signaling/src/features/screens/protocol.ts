import { z } from 'zod';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';

/** The screens feature's part of the protocol (hall and booth screens). Imported by the browser too: no server code here. */

export const screenFairSchema = z.strictObject({ fairId: id });
/** The code the seeker read off a hall screen (core/src/screen-codes.ts checks it; loosely typed is fine). */
export const screenCompareSchema = z.strictObject({ fairId: id, code: z.string().trim().min(1).max(16) });
export const screenBoothSchema = z.strictObject({ boothId: id });
export const BOOTH_SCREEN_MODE_VALUES = ['camera', 'screen', 'jobs', 'line'] as const;
export const boothScreenSetSchema = z.strictObject({ boothId: id, mode: z.enum(BOOTH_SCREEN_MODE_VALUES) });

export type ScreenFairRef = z.infer<typeof screenFairSchema>;
export type ScreenCompare = z.infer<typeof screenCompareSchema>;
export type ScreenBoothRef = z.infer<typeof screenBoothSchema>;
export type BoothScreenSet = z.infer<typeof boothScreenSetSchema>;
export type BoothScreenModeName = (typeof BOOTH_SCREEN_MODE_VALUES)[number];

/** One booth's live line on a hall screen. */
export interface ScreenBoothLine {
  boothId: string;
  waiting: number;
  onDuty: number;
  /** Estimated wait of someone joining now: ceil(waiting / on duty) × the booth's median wait or interview length. */
  waitSeconds: number | null;
}

/** A hall screen's live numbers (pushed at most once a second while they change). */
export interface HallNumbers {
  fairId: string;
  at: string;
  /** Distinct people at the fair's booths online now. */
  online: number;
  /** Seekers in the hall: on site in the fair's lines or checked in at its kiosk, each once (core's VenueService.hallCount). */
  inHall: number;
  booths: ScreenBoothLine[];
}

/** A seeker's comparison on a hall screen: numbers only, and how long it still shows. */
export interface HallComparison {
  /** Which showing this is (when it went up, server time): a screen never shows again one it cleared. */
  shownAt: string;
  salaryMin: number;
  salaryMax: number;
  /** Milliseconds it still shows, from the server's clock (the screen's own clock may be off). */
  remainingMs: number;
}

/** The short code a hall screen shows now, and how long until the screen asks for the next. */
export interface HallScreenCode {
  code: string;
  remainingMs: number;
}

export interface HallWatch {
  numbers: HallNumbers;
  comparison: HallComparison | null;
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface ScreenClientEvents {
  /** A hall screen (display session of this fair): live numbers and comparisons from now on. */
  'screen:watch': (payload: ScreenFairRef, ack: Ack<HallWatch>) => void;
  /** A hall screen asks for the code it shows (rotated by these requests; every screen of the fair shows the same). */
  'screen:code': (payload: ScreenFairRef, ack: Ack<HallScreenCode>) => void;
  /** A signed-in seeker shows their expected salary on the fair's hall screens for a minute, with the code on a screen. */
  'screen:compare': (payload: ScreenCompare, ack: Ack<HallComparison>) => void;
  /** The seeker takes their comparison down early. */
  'screen:compare-clear': (payload: ScreenFairRef, ack: Ack<null>) => void;
  /** A booth screen (display session of this booth): its mode from now on, and its fair's numbers (`screen:numbers`) for its line. */
  'screen:booth-watch': (payload: ScreenBoothRef, ack: Ack<{ mode: BoothScreenModeName; line: ScreenBoothLine | null }>) => void;
  /** The booth's staff choose what its screen shows. */
  'screen:booth-set': (payload: BoothScreenSet, ack: Ack<{ mode: BoothScreenModeName }>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface ScreenServerEvents {
  'screen:numbers': (numbers: HallNumbers) => void;
  /** A comparison began (numbers) or ended (null). */
  'screen:comparison': (comparison: HallComparison | null) => void;
  'screen:booth-mode': (payload: { boothId: string; mode: BoothScreenModeName }) => void;
}
