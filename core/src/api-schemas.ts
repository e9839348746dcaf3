import { z } from 'zod';

/**
 * The read API's resources (`/api/v1`), as zod schemas. The API answers every response through
 * these (`parse` drops anything not listed), and its OpenAPI document is generated from them
 * (signaling/src/http/api-openapi.ts): the document cannot drift from what is sent.
 */
const id = z.uuid();
const instant = z.iso.datetime({ offset: true });

export const API_SCOPES = ['fairs:read', 'booths:read', 'jobs:read', 'candidates:read', 'interviews:read', 'reports:read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
/** Candidates and interviews are an employer's own relations with people: a fair's organizers do not get them. */
export const FAIR_SCOPES: readonly ApiScope[] = ['fairs:read', 'booths:read', 'jobs:read', 'reports:read'];

export const apiFair = z
  .object({
    id,
    title: z.string(),
    theme: z.string(),
    status: z.enum(['draft', 'published', 'live', 'ended']),
    startsAt: instant,
    endsAt: instant,
    timeZone: z.string(),
  })
  .meta({ id: 'Fair' });

export const apiBooth = z
  .object({ id, fairId: id, employerId: id, employerName: z.string(), status: z.enum(['applied', 'invited', 'approved', 'rejected']), tagline: z.string() })
  .meta({ id: 'Booth' });

export const apiJob = z
  .object({
    id,
    employerId: id,
    title: z.string(),
    location: z.string(),
    jobType: z.enum(['full_time', 'part_time', 'gig', 'internship']),
    salaryMin: z.number().int(),
    salaryMax: z.number().int(),
    currency: z.string(),
    skills: z.array(z.string()),
  })
  .meta({ id: 'Job' });

export const apiCandidate = z
  .object({
    id,
    name: z.string(),
    /** Only once the candidate shared their resume with the employer (accepting an interview). */
    email: z.string().nullable(),
    headline: z.string(),
    skills: z.array(z.string()),
    yearsExperience: z.number().int(),
    education: z.string(),
    /** The resume the employer may read now (resume access rules), else null. */
    resumeUploadId: id.nullable(),
    firstSeenAt: instant,
  })
  .meta({ id: 'Candidate' });

export const apiInterview = z
  .object({
    id,
    boothId: id,
    seekerId: id,
    recruiterId: id,
    startedAt: instant.nullable(),
    endedAt: instant.nullable(),
    outcome: z.enum(['next_round', 'offer', 'not_a_fit', 'no_show']).nullable(),
    rating: z.number().int().min(1).max(4).nullable(),
  })
  .meta({ id: 'Interview' });

export const apiReport = z
  .object({
    visited: z.number().int(),
    queued: z.number().int(),
    interviewed: z.number().int(),
    withOutcome: z.number().int(),
    entries: z.number().int(),
    noShows: z.number().int(),
    conversion: z.number(),
    medianWaitSeconds: z.number().nullable(),
    medianInterviewSeconds: z.number().nullable(),
    outcomes: z.record(z.string(), z.number().int()),
  })
  .meta({ id: 'Report' });

/** A page of a list: `nextCursor` is passed back as `?cursor=` for the next page; null at the end. */
export function page<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() }).meta({ id: name });
}

export const apiError = z
  .object({
    error: z.object({
      code: z.enum(['UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'NOT_AUTHORIZED', 'NOT_FOUND', 'INVALID', 'RATE_LIMITED', 'INTERNAL']),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const listQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Every list endpoint: path, scope, item schema. */
export const API_LISTS = {
  '/fairs': { scope: 'fairs:read', schema: page(apiFair, 'FairPage'), summary: 'Fairs the owner takes part in' },
  '/booths': { scope: 'booths:read', schema: page(apiBooth, 'BoothPage'), summary: 'Booths of the employer, or of the fair' },
  '/jobs': { scope: 'jobs:read', schema: page(apiJob, 'JobPage'), summary: 'Jobs of the employer, or of the fair’s exhibitors' },
  '/candidates': {
    scope: 'candidates:read',
    schema: page(apiCandidate, 'CandidatePage'),
    summary: 'Seekers who joined the employer’s lines or shared a resume with it',
  },
  '/interviews': { scope: 'interviews:read', schema: page(apiInterview, 'InterviewPage'), summary: 'The employer’s interviews and their outcomes' },
} as const satisfies Record<string, { scope: ApiScope; schema: z.ZodType; summary: string }>;

export type ApiListPath = keyof typeof API_LISTS;

/** The item schemas, by the name they have in the OpenAPI document's components. */
export const API_ITEMS = { Fair: apiFair, Booth: apiBooth, Job: apiJob, Candidate: apiCandidate, Interview: apiInterview } as const;
