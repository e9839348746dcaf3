import { z } from 'zod';
import {
  CAPTION_LANGUAGES,
  CAPTION_MAX_LENGTH,
  CHAPTER_TITLE_MAX_LENGTH,
  POLL_MAX_OPTIONS,
  POLL_MIN_OPTIONS,
  POLL_OPTION_MAX_LENGTH,
  POLL_QUESTION_MAX_LENGTH,
} from '@fairground/core/schemas';
import type { Ack } from '../../protocol/errors.ts';
import { id } from '../../protocol/common.ts';

/**
 * A broadcast's live extras over the socket: captions, polls and chapter marks. Imported by the
 * browser too (through ../../protocol/index.ts): no server code here. The shapes bound sizes at the
 * edge; the rules (who may, trimming, one vote each) are core's.
 */
export const extrasJoinSchema = z.strictObject({ broadcastId: id });
export const captionSendSchema = z.strictObject({
  broadcastId: id,
  language: z.enum(CAPTION_LANGUAGES),
  body: z.string().max(CAPTION_MAX_LENGTH * 2),
});
export const pollCreateSchema = z.strictObject({
  broadcastId: id,
  question: z.string().max(POLL_QUESTION_MAX_LENGTH * 2),
  options: z
    .array(z.string().max(POLL_OPTION_MAX_LENGTH * 2))
    .min(POLL_MIN_OPTIONS)
    .max(POLL_MAX_OPTIONS),
  multiple: z.boolean(),
});
export const pollVoteSchema = z.strictObject({
  broadcastId: id,
  pollId: id,
  choices: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(POLL_MAX_OPTIONS - 1),
    )
    .min(1)
    .max(POLL_MAX_OPTIONS),
});
export const pollRefSchema = z.strictObject({ broadcastId: id, pollId: id });
export const chapterMarkSchema = z.strictObject({ broadcastId: id, title: z.string().max(CHAPTER_TITLE_MAX_LENGTH * 2) });

export type ExtrasJoin = z.infer<typeof extrasJoinSchema>;
export type CaptionSend = z.infer<typeof captionSendSchema>;
export type PollCreate = z.infer<typeof pollCreateSchema>;
export type PollVote = z.infer<typeof pollVoteSchema>;
export type PollRef = z.infer<typeof pollRefSchema>;
export type ChapterMarkRequest = z.infer<typeof chapterMarkSchema>;

/** A caption line: shown from `startMs` (ms from the broadcast's start) for `endMs - startMs`, or until the next line. Plain text. */
export interface CaptionLine {
  id: string;
  broadcastId: string;
  language: (typeof CAPTION_LANGUAGES)[number];
  startMs: number;
  endMs: number;
  body: string;
}

/** A poll and its results so far. */
export interface PollItem {
  id: string;
  broadcastId: string;
  question: string;
  options: string[];
  multiple: boolean;
  openedAt: string;
  /** Set once closed: the results are final. */
  closedAt: string | null;
  /** Votes per option, in the options' order. */
  counts: number[];
  voters: number;
}

export interface ChapterMarkItem {
  id: string;
  broadcastId: string;
  title: string;
  atMs: number;
}

/** What `extras:join` returns (again on every rejoin). */
export interface ExtrasState {
  broadcastId: string;
  /** The broadcast's start (ISO): caption and chapter times count from it. */
  startsAt: string;
  /** Not ended: captions, polls and marks are taken. */
  open: boolean;
  /** May send caption lines (a named captioner, or a host). */
  canCaption: boolean;
  /** May run polls and mark chapters (hosts, organizers). */
  canHost: boolean;
  /** Signed in and open: may vote. */
  canVote: boolean;
  /** The latest line of each language. */
  captions: CaptionLine[];
  /** Every poll, first launched first. */
  polls: PollItem[];
  /** This user's ballots: poll id -> chosen option indexes. */
  myVotes: Record<string, number[]>;
  marks: ChapterMarkItem[];
}

/** Requests of this feature (part of ClientToServerEvents). */
export interface ExtrasClientEvents {
  'extras:join': (payload: ExtrasJoin, ack: Ack<ExtrasState>) => void;
  'extras:leave': (payload: ExtrasJoin, ack: Ack<null>) => void;
  /** Captioners and hosts; limited per user (over all nodes): RATE_LIMITED past it. */
  'caption:send': (payload: CaptionSend, ack: Ack<CaptionLine>) => void;
  'poll:create': (payload: PollCreate, ack: Ack<PollItem>) => void;
  /** One ballot per user and poll: a second is refused with CONFLICT. */
  'poll:vote': (payload: PollVote, ack: Ack<PollItem>) => void;
  'poll:close': (payload: PollRef, ack: Ack<PollItem>) => void;
  'chapter:mark': (payload: ChapterMarkRequest, ack: Ack<ChapterMarkItem>) => void;
}

/** Pushes of this feature (part of ServerToClientEvents), to everyone who joined the extras. */
export interface ExtrasServerEvents {
  'caption:line': (line: CaptionLine) => void;
  /** A poll was launched or closed, or its results changed (pushed at most a few times a second). */
  'poll:updated': (poll: PollItem) => void;
  'chapter:marked': (mark: ChapterMarkItem) => void;
}

/** The server's limits for captions, polls and chapter titles, so pages size their fields from them and never copy the numbers. */
export const extrasLimits = {
  captionMaxLength: CAPTION_MAX_LENGTH,
  pollQuestionMaxLength: POLL_QUESTION_MAX_LENGTH,
  pollOptionMaxLength: POLL_OPTION_MAX_LENGTH,
  pollMinOptions: POLL_MIN_OPTIONS,
  pollMaxOptions: POLL_MAX_OPTIONS,
  chapterTitleMaxLength: CHAPTER_TITLE_MAX_LENGTH,
} as const;
