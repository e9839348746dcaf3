import { z } from 'zod';

/**
 * Input schemas for everything users create. Messages are codes the pages translate
 * (`required`, `too_long`, ...). They accept what an HTML form sends (strings; lists as
 * comma- or newline-separated text) as well as typed values, so pages and tests share them.
 */
const text = (max: number) => z.string().trim().max(max, 'too_long');
const requiredText = (max: number) => text(max).min(1, 'required');
const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
/** A form's number field: blank is missing (so `optional()`/`default()` apply), digits become a number. */
const toNumber = (v: unknown) => {
  if (typeof v !== 'string') return v ?? undefined;
  if (v.trim() === '') return undefined;
  const n = Number(v.trim());
  return Number.isNaN(n) ? v : n;
};
const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'required' : 'number') })
    .int('number')
    .min(min, 'too_small')
    .max(max, 'too_large');
const int = (min: number, max: number) => z.preprocess(toNumber, wholeNumber(min, max));
// The outer default/optional make the key optional for callers; the inner ones catch a blank field.
const intOr = (min: number, max: number, fallback: number) => z.preprocess(toNumber, wholeNumber(min, max).default(fallback)).default(fallback);
const optionalInt = (min: number, max: number) => z.preprocess(toNumber, wholeNumber(min, max).optional()).optional();

/** "a, b\nc" or ["a","b"] -> ["a","b","c"]: trimmed, de-duplicated, bounded. */
const list = (maxItems: number, maxLength: number) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' ? v.split(/[,\n，、]/) : (v ?? [])),
      z
        .array(z.string().trim().max(maxLength, 'too_long'))
        .transform((items) => [...new Set(items.filter(Boolean))])
        .pipe(z.array(z.string()).max(maxItems, 'too_many')),
    )
    .optional()
    .transform((v) => v ?? []);

export const jobTypes = ['full_time', 'part_time', 'gig', 'internship'] as const;
export const fairThemes = ['graduates', 'spring_campaign', 'employment_assistance', 'rural_revitalisation', 'flexible_work', 'custom'] as const;
/** At most this many people in one interview: recruiters, the seeker, an interpreter (the invite form hides at it too). */
export const PANEL_LIMIT = 4;
export const broadcastTopics = ['career_planning', 'interview_training', 'resume_clinic', 'policy_qa', 'skills_training'] as const;
export const employerSizes = ['1-49', '50-199', '200-999', '1000+'] as const;
export const benefitCodes = ['social_insurance', 'housing_fund', 'meals', 'dormitory', 'accident_insurance', 'training'] as const;
const currency = z.enum(['CNY', 'USD', 'EUR', 'HKD'], { error: 'invalid' }).default('CNY');

/** A local date-time from <input type="datetime-local"> (or an ISO string / Date). */
const dateTime = z.preprocess(emptyToUndefined, z.coerce.date({ error: 'date' }));

const salaryRange = <T extends z.ZodRawShape>(shape: T, required: boolean) =>
  z.object(shape).superRefine((v: Record<string, unknown>, ctx) => {
    const min = v.salaryMin as number | undefined;
    const max = v.salaryMax as number | undefined;
    if (required && (min === undefined || max === undefined)) return;
    if (min !== undefined && max !== undefined && min > max) {
      ctx.addIssue({ code: 'custom', path: ['salaryMax'], message: 'salary_order' });
    }
    if ((min === undefined) !== (max === undefined)) {
      ctx.addIssue({ code: 'custom', path: [min === undefined ? 'salaryMin' : 'salaryMax'], message: 'required' });
    }
  });

export const signUpSchema = z
  .object({
    name: requiredText(80),
    email: z.string().trim().min(1, 'required').max(200, 'too_long').email('email'),
    password: z.string().min(8, 'password_short').max(128, 'too_long'),
    role: z.enum(['seeker', 'employer'], { error: 'required' }),
    /** For employers: the company they register. */
    employerName: text(120).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.role === 'employer' && !v.employerName) ctx.addIssue({ code: 'custom', path: ['employerName'], message: 'required' });
  });

export const profileSchema = salaryRange(
  {
    name: requiredText(80),
    headline: text(160).default(''),
    skills: list(30, 40),
    yearsExperience: intOr(0, 60, 0),
    education: text(300).default(''),
    graduationYear: optionalInt(1950, 2100),
    salaryMin: optionalInt(0, 10_000_000),
    salaryMax: optionalInt(0, 10_000_000),
    currency,
    locations: list(10, 60),
    jobTypes: z
      .preprocess((v) => (typeof v === 'string' ? [v] : (v ?? [])), z.array(z.enum(jobTypes, { error: 'invalid' })).max(4))
      .optional()
      .transform((v) => v ?? []),
    languages: list(10, 30),
    resumeText: text(20_000).default(''),
  },
  false,
);

export const employerSchema = z.object({
  name: requiredText(120),
  industry: requiredText(60),
  size: z.enum(employerSizes, { error: 'required' }),
  location: requiredText(120),
  description: text(4000).default(''),
});

export const jobSchema = salaryRange(
  {
    title: requiredText(120),
    description: text(8000).default(''),
    location: requiredText(120),
    jobType: z.enum(jobTypes, { error: 'required' }),
    salaryMin: int(0, 10_000_000),
    salaryMax: int(0, 10_000_000),
    currency,
    headcount: intOr(1, 10_000, 1),
    skills: list(20, 40),
    benefits: z
      .preprocess((v) => (typeof v === 'string' ? [v] : (v ?? [])), z.array(z.enum(benefitCodes, { error: 'invalid' })).max(benefitCodes.length))
      .optional()
      .transform((v) => v ?? []),
  },
  true,
);

const timeWindow = <T extends z.ZodRawShape>(shape: T) =>
  z.object(shape).superRefine((v: Record<string, unknown>, ctx) => {
    if (v.startsAt instanceof Date && v.endsAt instanceof Date && v.endsAt <= v.startsAt) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'end_before_start' });
    }
  });

export const fairSchema = timeWindow({
  title: requiredText(160),
  theme: z.enum(fairThemes, { error: 'required' }),
  customTheme: text(60).optional(),
  description: text(4000).default(''),
  startsAt: dateTime,
  endsAt: dateTime,
  timeZone: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'invalid'),
});

export const broadcastSchema = timeWindow({
  title: requiredText(160),
  topic: z.enum(broadcastTopics, { error: 'required' }),
  description: text(4000).default(''),
  startsAt: dateTime,
  endsAt: dateTime,
  fairId: z.preprocess(emptyToUndefined, z.uuid('invalid').optional()),
  /** Emails of co-hosts to invite (each becomes a host by accepting the mailed link). */
  hostEmails: list(5, 200).pipe(z.array(z.string().toLowerCase().email('email'))),
});

export const inviteSchema = z.object({ email: z.string().trim().toLowerCase().min(1, 'required').email('email') });
export const boothApplicationSchema = z.object({ fairId: z.uuid('invalid'), tagline: text(160).default('') });

export const fairFiltersSchema = z.object({
  q: text(100).optional().catch(undefined),
  industry: text(60).optional().catch(undefined),
  jobType: z.enum(jobTypes).optional().catch(undefined),
  location: text(60).optional().catch(undefined),
});

/** What callers may pass: every field optional, since a form may omit any; the schema decides. */
type Loose<T> = { [K in keyof T]?: T[K] };

export type SignUpInput = Loose<z.input<typeof signUpSchema>>;
export type ProfileInput = Loose<z.input<typeof profileSchema>>;
export type EmployerInput = Loose<z.input<typeof employerSchema>>;
export type JobInput = Loose<z.input<typeof jobSchema>>;
export type FairInput = Loose<z.input<typeof fairSchema>>;
export type BroadcastInput = Loose<z.input<typeof broadcastSchema>>;
export type FairFilters = z.output<typeof fairFiltersSchema>;

/** Longest broadcast chat message and question, in characters (after trimming). */
export const CHAT_MAX_LENGTH = 500;
export const QUESTION_MAX_LENGTH = 300;
/** Longest slow mode a moderator may set, in seconds. */
export const SLOW_MODE_MAX_SECONDS = 600;

export const chatMessageSchema = z.object({ body: requiredText(CHAT_MAX_LENGTH) });
export const questionSchema = z.object({ body: requiredText(QUESTION_MAX_LENGTH) });
export const slowModeSchema = z.object({
  seconds: z.number().int('invalid').min(0, 'invalid').max(SLOW_MODE_MAX_SECONDS, 'invalid'),
});
export * from './live-schemas.ts';
