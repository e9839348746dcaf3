import { z } from 'zod';

/**
 * Inputs of a broadcast's live extras: caption lines, polls, chapter markers. Messages are codes
 * the pages translate (`required`, `too_long`, ...), like schemas.ts.
 */

/** The languages a caption line may be in (the viewer picks one when both exist). */
export const CAPTION_LANGUAGES = ['en', 'zh-CN'] as const;
export type CaptionLanguage = (typeof CAPTION_LANGUAGES)[number];
/** Longest caption line, in characters (after trimming). */
export const CAPTION_MAX_LENGTH = 200;
export const POLL_QUESTION_MAX_LENGTH = 200;
export const POLL_OPTION_MAX_LENGTH = 80;
export const POLL_MIN_OPTIONS = 2;
export const POLL_MAX_OPTIONS = 6;
export const CHAPTER_TITLE_MAX_LENGTH = 120;
/** A time inside a broadcast (ms from its start): at most a day. */
export const MAX_OFFSET_MS = 24 * 3600_000;

/** One line of text: runs of white space (new lines too) become one space, so a cue is one line. */
const line = (max: number) =>
  z
    .string()
    .transform((v) => v.replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(1, 'required').max(max, 'too_long'));
const offset = z.number().int('invalid').min(0, 'invalid').max(MAX_OFFSET_MS, 'invalid');

export const captionLineSchema = z.object({ language: z.enum(CAPTION_LANGUAGES, 'invalid'), body: line(CAPTION_MAX_LENGTH) });
export const captionEditSchema = z
  .object({ body: line(CAPTION_MAX_LENGTH), startMs: offset, endMs: offset })
  .refine((c) => c.endMs > c.startMs, { message: 'end_before_start', path: ['endMs'] });

export const pollSchema = z.object({
  question: line(POLL_QUESTION_MAX_LENGTH),
  options: z
    .array(line(POLL_OPTION_MAX_LENGTH), 'invalid')
    .min(POLL_MIN_OPTIONS, 'too_few')
    .max(POLL_MAX_OPTIONS, 'too_many')
    .refine((o) => new Set(o.map((x) => x.toLowerCase())).size === o.length, 'duplicate'),
  multiple: z.boolean('invalid').default(false),
});
/** Option indexes; checked against the poll's options and kind by the service. */
export const pollVoteSchema = z.object({
  choices: z
    .array(
      z
        .number()
        .int('invalid')
        .min(0, 'invalid')
        .max(POLL_MAX_OPTIONS - 1, 'invalid'),
      'invalid',
    )
    .min(1, 'required')
    .max(POLL_MAX_OPTIONS, 'too_many'),
});

export const chapterSchema = z.object({ title: line(CHAPTER_TITLE_MAX_LENGTH), atMs: offset.optional() });
export const chapterEditSchema = z.object({ title: line(CHAPTER_TITLE_MAX_LENGTH), atMs: offset });

export const captionerSchema = z.object({ email: z.string().trim().toLowerCase().min(1, 'required').email('email') });
