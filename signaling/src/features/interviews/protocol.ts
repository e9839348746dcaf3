import { z } from 'zod';
import type { RtpCapabilities } from 'mediasoup-client/types';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';
import type { RemoteProducer } from '../media/protocol.ts';

/** The interviews feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

export const interviewIdSchema = z.strictObject({ interviewId: id });

/** The longest interview chat message (the `interview:join` ack tells the page). */
export const INTERVIEW_CHAT_MAX_LENGTH = 1000;
export const interviewChatSchema = z.strictObject({ interviewId: id, body: z.string().trim().min(1).max(INTERVIEW_CHAT_MAX_LENGTH) });

export type InterviewRef = z.infer<typeof interviewIdSchema>;

/** Hand-offs (core/src/handoffs.ts): transfer to a colleague, invite to the panel, audio only. */
export const interviewTransferSchema = z.strictObject({ interviewId: id, colleagueId: id });
export const interviewInviteSchema = z.strictObject({ interviewId: id, userId: id, role: z.enum(['recruiter', 'interpreter']) });
export const interviewAudioOnlySchema = z.strictObject({ interviewId: id, audioOnly: z.boolean() });

export type InterviewTransfer = z.infer<typeof interviewTransferSchema>;
export type InterviewInvite = z.infer<typeof interviewInviteSchema>;
export type InterviewAudioOnly = z.infer<typeof interviewAudioOnlySchema>;

/** Someone in an interview besides its seeker and its recruiter. */
export interface PanelMember {
  userId: string;
  name: string;
  role: 'recruiter' | 'interpreter';
}

/** A colleague a recruiter may hand the seeker to or invite (the booth's team). */
export interface Colleague {
  userId: string;
  name: string;
  /** On duty at this booth now: only those can take a transfer. */
  onDuty: boolean;
}

/** The timing and mode of an interview, pushed to everyone in it on each change. */
export interface InterviewTiming {
  interviewId: string;
  startedAt: string | null;
  endedAt: string | null;
  plannedMinutes: number;
  /** Cameras are off for everyone (a recruiter dropped the interview to audio only). */
  audioOnly: boolean;
}

export type InterviewChat = z.infer<typeof interviewChatSchema>;

export interface InterviewState extends InterviewTiming {
  roomId: string;
  /** `panel`: a colleague the recruiter invited (a recruiter or the interpreter). */
  role: 'seeker' | 'recruiter' | 'panel';
  panel: PanelMember[];
  routerRtpCapabilities: RtpCapabilities;
  producers: RemoteProducer[];
  /** The longest chat message the server accepts. */
  chatMaxLength: number;
}

export interface ChatMessage {
  id: string;
  interviewId: string;
  authorId: string;
  authorName: string;
  body: string;
  sentAt: string;
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface InterviewClientEvents {
  'interview:join': (payload: InterviewRef, ack: Ack<InterviewState>) => void;
  'interview:chat': (payload: InterviewChat, ack: Ack<ChatMessage>) => void;
  'interview:extend': (payload: InterviewRef, ack: Ack<null>) => void;
  'interview:end': (payload: InterviewRef, ack: Ack<null>) => void;
  /** The recruiter sends the seeker back to the front of the line (the interview ends). */
  'interview:send-back': (payload: InterviewRef, ack: Ack<{ entryId: string }>) => void;
  /** The recruiter hands the seeker to a colleague on duty; `called`: the colleague was called for them at once. */
  'interview:transfer': (payload: InterviewTransfer, ack: Ack<{ entryId: string; called: boolean }>) => void;
  /** The recruiter's colleagues, for the transfer and invite menus. */
  'interview:colleagues': (payload: InterviewRef, ack: Ack<Colleague[]>) => void;
  /** The recruiter invites a colleague into the interview (a panel of at most 4: PANEL_FULL beyond). */
  'interview:invite': (payload: InterviewInvite, ack: Ack<PanelMember[]>) => void;
  /** A recruiter of the interview turns cameras off for everyone (or back on). */
  'interview:audio-only': (payload: InterviewAudioOnly, ack: Ack<null>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface InterviewServerEvents {
  /** To both participants: the interview room is ready. */
  'interview:ready': (payload: { interviewId: string }) => void;
  'interview:state': (payload: InterviewTiming) => void;
  /** To the interview's room: who sits on its panel now. */
  'interview:panel': (payload: { interviewId: string; panel: PanelMember[] }) => void;
  /** To a colleague invited into an interview. */
  'interview:invited': (payload: { interviewId: string; role: 'recruiter' | 'interpreter'; byName: string }) => void;
  /** To the seeker: the interview was handed on (back to the line, or to a colleague) and ended. */
  'interview:handed-off': (payload: { interviewId: string; boothId: string; to: 'line' | 'colleague' }) => void;
  'interview:chat': (message: ChatMessage) => void;
}
