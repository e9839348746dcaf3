import { z } from 'zod';
import { jobTypes } from './schemas.ts';

/**
 * Input of the resume book and of candidate invitations. Like core/src/schemas.ts they take what an
 * HTML form sends (strings, blank meaning "not given") as well as typed values, and their messages
 * are codes the pages translate.
 */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v === null ? undefined : v);
const toNumber = (v: unknown) => {
  const b = blankToUndefined(v);
  if (typeof b !== 'string') return b;
  const n = Number(b.trim());
  return Number.isNaN(n) ? b : n;
};
const optionalInt = (min: number, max: number) =>
  z.preprocess(toNumber, z.number({ error: 'number' }).int('number').min(min, 'too_small').max(max, 'too_large').optional());

/** Results per page of a resume book search. */
export const RESUME_BOOK_PAGE_SIZE = 20;
/** The deepest page a search may ask for (a search past it should be narrowed, not paged). */
export const RESUME_BOOK_MAX_PAGE = 100;

/**
 * A resume book search. Skills: every one named must be among the seeker's (case-insensitive);
 * location: a word of one of the seeker's preferred places; salary: the seeker's expected range
 * (in `currency`) must meet the given one, and a seeker who named no range is kept (open to offers).
 */
export const resumeSearchSchema = z
  .object({
    skills: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(/[,\n，、]/) : (v ?? [])),
      z
        .array(z.string().trim().max(40, 'too_long'))
        .transform((items) => [...new Set(items.filter(Boolean))])
        .pipe(z.array(z.string()).max(10, 'too_many')),
    ),
    location: z.preprocess(blankToUndefined, z.string().trim().max(60, 'too_long').optional()),
    jobType: z.preprocess(blankToUndefined, z.enum(jobTypes, { error: 'invalid' }).optional()),
    salaryMin: optionalInt(0, 10_000_000),
    salaryMax: optionalInt(0, 10_000_000),
    currency: z.preprocess(blankToUndefined, z.enum(['CNY', 'USD', 'EUR', 'HKD'], { error: 'invalid' }).default('CNY')),
    graduationYear: optionalInt(1950, 2100),
    page: z.preprocess(toNumber, z.number({ error: 'number' }).int('number').min(1, 'too_small').max(RESUME_BOOK_MAX_PAGE, 'too_large').default(1)),
  })
  .superRefine((v, ctx) => {
    if (v.salaryMin !== undefined && v.salaryMax !== undefined && v.salaryMin > v.salaryMax) {
      ctx.addIssue({ code: 'custom', path: ['salaryMax'], message: 'salary_order' });
    }
  });

export type ResumeSearchInput = { [K in keyof z.input<typeof resumeSearchSchema>]?: unknown };
export type ResumeSearch = z.output<typeof resumeSearchSchema>;

/** Longest note an employer may add to an invitation. */
export const INVITATION_MESSAGE_MAX = 500;

/**
 * An invitation (邀约). `booth`: to the employer's booth at the fair; `job`: to one of its jobs;
 * `slot`: to one of the booth's free published interview slots (booked for the seeker on accepting).
 */
export const candidateInvitationSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('booth'), message: z.string().trim().max(INVITATION_MESSAGE_MAX, 'too_long').default('') }),
    z.object({
      kind: z.literal('job'),
      jobId: z.uuid('required'),
      message: z.string().trim().max(INVITATION_MESSAGE_MAX, 'too_long').default(''),
    }),
    z.object({
      kind: z.literal('slot'),
      slotId: z.uuid('required'),
      message: z.string().trim().max(INVITATION_MESSAGE_MAX, 'too_long').default(''),
    }),
  ],
  { error: 'invalid' },
);

export type CandidateInvitationInput = { kind?: unknown; jobId?: unknown; slotId?: unknown; message?: unknown };

export const invitationAnswerSchema = z.enum(['accepted', 'declined'], { error: 'invalid' });
