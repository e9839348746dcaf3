import { z } from 'zod';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';

/** The queue feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

export const queueBoothSchema = z.strictObject({ boothId: id });

/** Joining: `onSite` when the seeker is in the hall (opened the booth's QR code); the recruiter calls them to the desk. */
export const queueJoinSchema = z.strictObject({ boothId: id, onSite: z.boolean().optional() });

export type QueueJoin = z.infer<typeof queueJoinSchema>;

export const queueEntrySchema = z.strictObject({ entryId: id });

export const queueDutySchema = z.strictObject({ boothId: id, onDuty: z.boolean() });

export const queueDeskSchema = z.strictObject({ boothId: id, entryId: id });

export const queueCallSchema = z.strictObject({ boothId: id, entryId: id, reason: z.string().trim().min(1).max(200) });

export type QueueBooth = z.infer<typeof queueBoothSchema>;

export type QueueEntryRef = z.infer<typeof queueEntrySchema>;

export type QueueDuty = z.infer<typeof queueDutySchema>;

export type QueueCall = z.infer<typeof queueCallSchema>;

export type QueueDesk = z.infer<typeof queueDeskSchema>;

/** A seeker's place in one booth's line. */
export interface QueuePlace {
  boothId: string;
  /** Whose line it is, for the call alert on any page. */
  employerName: string;
  entryId: string;
  status: 'waiting' | 'called' | 'interviewing' | 'done' | 'left' | 'no_show';
  /** 1 = next. */
  position: number;
  etaSeconds: number;
  /** While called: accept before this (ISO time). */
  acceptBy: string | null;
  /** This place is a booked interview slot's (ahead of the walk-up line). */
  booked?: boolean;
  /** Joined in the hall: a call means "come to the desk", not a video room. */
  onSite: boolean;
}

/** One waiting seeker as recruiters see them. */
export interface QueueLineItem {
  entryId: string;
  seekerId: string;
  name: string;
  headline: string;
  skills: string[];
  yearsExperience: number;
  salaryMin: number | null;
  salaryMax: number | null;
  status: 'waiting' | 'called';
  position: number;
  joinedAt: string;
  /** The seeker's resume PDF (/files/<id>), readable by this booth's recruiters. */
  resumeFileId: string | null;
  /** Away, inside the grace period: keeps the place, skipped by "call next". */
  disconnected: boolean;
  /** Waiting in the hall (a walk-in): called to the desk, not into a video room. */
  onSite: boolean;
  /** How well the seeker fits the booth's best-fitting job; null when the booth lists no jobs. */
  match: LineMatch | null;
  /** A booked slot's seeker, ahead of the walk-up line: only `recruiterId`'s "call next" takes them. */
  booked: { recruiterId: string; startsAt: string } | null;
}

/** A seeker's fit to one job, in parts the UI words (core/src/matching.ts). */
export interface LineMatch {
  jobId: string;
  jobTitle: string;
  /** 0-100. */
  score: number;
  skillsMatched: number;
  skillsTotal: number;
  salary: 'within' | 'overlaps' | 'below' | 'above' | 'unknown';
  location: boolean | null;
  jobType: boolean | null;
}

export interface BoothStats {
  waiting: number;
  onDuty: number;
  medianWaitSeconds: number | null;
  medianInterviewSeconds: number | null;
  interviewed: number;
  /** Interviews started since midnight on the fair's clock. */
  interviewsToday: number;
  visited: number;
  /** interviewed / visited (seekers, staff excluded). */
  conversion: number;
}

export interface QueueLine {
  boothId: string;
  line: QueueLineItem[];
  stats: BoothStats;
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface QueueClientEvents {
  'queue:join': (payload: QueueJoin, ack: Ack<QueuePlace>) => void;
  'queue:leave': (payload: QueueBooth, ack: Ack<null>) => void;
  'queue:places': (payload: Record<string, never>, ack: Ack<QueuePlace[]>) => void;
  'queue:accept': (payload: QueueEntryRef, ack: Ack<{ interviewId: string }>) => void;
  'queue:duty': (payload: QueueDuty, ack: Ack<QueueLine>) => void;
  'queue:call-next': (payload: QueueBooth, ack: Ack<{ entryId: string } | null>) => void;
  'queue:call': (payload: QueueCall, ack: Ack<{ entryId: string }>) => void;
  /** The recruiter who called an on-site seeker: they are at the desk, the interview starts. */
  'queue:arrived': (payload: QueueDesk, ack: Ack<{ interviewId: string }>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface QueueServerEvents {
  /** The seeker's place changed (position, ETA, status). */
  'queue:place': (place: QueuePlace) => void;
  /** To recruiters of the booth: the line and the booth's numbers. */
  'queue:line': (line: QueueLine) => void;
}
