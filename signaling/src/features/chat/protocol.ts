import { z } from 'zod';
import { CHAT_MAX_LENGTH, QUESTION_MAX_LENGTH, SLOW_MODE_MAX_SECONDS } from '@fairground/core/schemas';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';

/** The chat feature's part of the protocol: payload schemas, their types, and its events. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

export const chatJoinSchema = z.strictObject({ broadcastId: id });

export const chatSendSchema = z.strictObject({ broadcastId: id, body: z.string().trim().min(1).max(CHAT_MAX_LENGTH) });

export const chatDeleteSchema = z.strictObject({ broadcastId: id, messageId: id });

export const chatMuteSchema = z.strictObject({ broadcastId: id, userId: id, muted: z.boolean() });

export const chatSlowModeSchema = z.strictObject({ broadcastId: id, seconds: z.number().int().min(0).max(SLOW_MODE_MAX_SECONDS) });

export const questionAskSchema = z.strictObject({ broadcastId: id, body: z.string().trim().min(1).max(QUESTION_MAX_LENGTH) });

export const questionRefSchema = z.strictObject({ broadcastId: id, questionId: id });

export const questionPinSchema = z.strictObject({ broadcastId: id, questionId: id, pinned: z.boolean() });

export const questionAnswerSchema = z.strictObject({ broadcastId: id, questionId: id, answered: z.boolean() });

export type ChatJoin = z.infer<typeof chatJoinSchema>;

export type ChatSend = z.infer<typeof chatSendSchema>;

export type ChatDelete = z.infer<typeof chatDeleteSchema>;

export type ChatMute = z.infer<typeof chatMuteSchema>;

export type ChatSlowMode = z.infer<typeof chatSlowModeSchema>;

export type QuestionAsk = z.infer<typeof questionAskSchema>;

export type QuestionRef = z.infer<typeof questionRefSchema>;

export type QuestionPin = z.infer<typeof questionPinSchema>;

export type QuestionAnswer = z.infer<typeof questionAnswerSchema>;

/** A message in a broadcast's live chat. Bodies are plain text: render them as text, never HTML. */
export interface BroadcastChatLine {
  id: string;
  broadcastId: string;
  authorId: string;
  authorName: string;
  /** The author hosts this broadcast or organizes (a badge). */
  fromHost: boolean;
  body: string;
  sentAt: string;
}

/** A viewer's question. Lists sort pinned first, then by votes (most first), then by time asked. */
export interface BroadcastQuestionItem {
  id: string;
  broadcastId: string;
  authorId: string;
  authorName: string;
  body: string;
  askedAt: string;
  votes: number;
  pinned: boolean;
  answered: boolean;
}

/** What `chat:join` returns: recent history and what this user may do (sent again on every rejoin). */
export interface BroadcastChatState {
  broadcastId: string;
  /** The latest messages, oldest first. */
  messages: BroadcastChatLine[];
  questions: BroadcastQuestionItem[];
  /** Seconds between two messages of one user; 0 = off. */
  slowModeSeconds: number;
  /** The broadcast has not ended: chat and questions take posts and votes. */
  open: boolean;
  /** Signed in and the broadcast open: may post (unless muted) and vote. */
  canPost: boolean;
  /** May delete, mute, set slow mode, pin and mark answered (hosts, organizers, admins). */
  canModerate: boolean;
  /** This user is muted in this broadcast. */
  muted: boolean;
  /** Questions this user has voted for. */
  myVotes: string[];
  /** Moderators only (empty for others): who is muted. */
  mutedUserIds: string[];
  /** The server's limits for posts and slow mode (the page sizes its fields and choices by them). */
  limits: ChatLimits;
}

export interface ChatLimits {
  messageMaxLength: number;
  questionMaxLength: number;
  slowModeMaxSeconds: number;
}

/** Chat limits as the `chat:join` ack sends them, so pages never copy the numbers. */
export const chatLimits: ChatLimits = {
  messageMaxLength: CHAT_MAX_LENGTH,
  questionMaxLength: QUESTION_MAX_LENGTH,
  slowModeMaxSeconds: SLOW_MODE_MAX_SECONDS,
};

/** Requests of this feature (part of ClientToServerEvents). */
export interface ChatClientEvents {
  'chat:join': (payload: ChatJoin, ack: Ack<BroadcastChatState>) => void;
  'chat:leave': (payload: ChatJoin, ack: Ack<null>) => void;
  'chat:send': (payload: ChatSend, ack: Ack<BroadcastChatLine>) => void;
  'chat:delete': (payload: ChatDelete, ack: Ack<null>) => void;
  'chat:mute': (payload: ChatMute, ack: Ack<null>) => void;
  'chat:slow-mode': (payload: ChatSlowMode, ack: Ack<null>) => void;
  'question:ask': (payload: QuestionAsk, ack: Ack<BroadcastQuestionItem>) => void;
  /** One vote per user: voting again is not an error and changes nothing. */
  'question:vote': (payload: QuestionRef, ack: Ack<BroadcastQuestionItem>) => void;
  'question:pin': (payload: QuestionPin, ack: Ack<null>) => void;
  'question:answer': (payload: QuestionAnswer, ack: Ack<null>) => void;
  'question:delete': (payload: QuestionRef, ack: Ack<null>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface ChatServerEvents {
  /** To everyone in the broadcast's chat: a new message. */
  'chat:message': (message: BroadcastChatLine) => void;
  /** To everyone in the broadcast's chat: a moderator deleted a message. */
  'chat:deleted': (payload: { broadcastId: string; messageId: string }) => void;
  /** To everyone in the broadcast's chat: slow mode changed. */
  'chat:settings': (payload: { broadcastId: string; slowModeSeconds: number }) => void;
  /** To the muted user (all their tabs) and the broadcast's moderators. */
  'chat:muted': (payload: { broadcastId: string; userId: string; muted: boolean }) => void;
  /** To everyone in the broadcast's chat: a question was asked, or its votes, pin or answer changed. */
  'question:updated': (question: BroadcastQuestionItem) => void;
  /** To everyone in the broadcast's chat: a moderator removed a question. */
  'question:deleted': (payload: { broadcastId: string; questionId: string }) => void;
}
