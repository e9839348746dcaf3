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

export type InterviewChat = z.infer<typeof interviewChatSchema>;

export interface InterviewState {
  interviewId: string;
  roomId: string;
  role: 'seeker' | 'recruiter';
  startedAt: string | null;
  endedAt: string | null;
  plannedMinutes: number;
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
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface InterviewServerEvents {
  /** To both participants: the interview room is ready. */
  'interview:ready': (payload: { interviewId: string }) => void;
  'interview:state': (payload: { interviewId: string; startedAt: string | null; endedAt: string | null; plannedMinutes: number }) => void;
  'interview:chat': (message: ChatMessage) => void;
}
