import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { requireMember, type Actor } from './actor.ts';
import type { apiCandidate } from './api-schemas.ts';
import type { TokenGrant } from './api-tokens.ts';
import { toCsv } from './csv.ts';
import { ServiceError } from './errors.ts';
import { INTERVIEW_OUTCOMES, ReadApi, requireScope, type CandidateFilter } from './read-api.ts';
import { wallTimeToUtc } from './time.ts';
import { validate } from './validate.ts';

type Candidate = z.input<typeof apiCandidate>;

/**
 * Which candidates, as a form or a query string sends it: all of the employer's, one fair's or one
 * booth's; optionally only those who engaged between two days (`from`, `to`, inclusive, on the
 * fair's wall clock when one is chosen, else UTC) or whose interview ended with an outcome.
 */
export interface ExportScope {
  fairId?: string | undefined;
  boothId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  outcome?: string | undefined;
}

/** An empty form field means "any". */
const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
const day = z.preprocess(
  blank,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date')
    .optional(),
);
const exportFilter = z
  .object({
    from: day,
    to: day,
    outcome: z.preprocess(blank, z.enum(INTERVIEW_OUTCOMES, 'invalid').optional()),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { path: ['to'], message: 'before_from' });

export const CANDIDATE_CSV_HEADER = [
  'id',
  'name',
  'email',
  'headline',
  'skills',
  'years_experience',
  'education',
  'resume_upload_id',
  'first_seen_at',
] as const;

/**
 * Candidate exports for applicant tracking systems, in CSV (formula-safe, core/src/csv.ts) and in
 * JSON Resume (jsonresume.org, schema 1.x). The same people and fields as the API's
 * `/candidates` (read-api.ts), under the same rules: an employer's staff, or a token with
 * `candidates:read`, get the seekers who engaged with that employer and nothing else.
 */
export class CandidateExports {
  readonly #api: ReadApi;
  constructor(private readonly db: Db) {
    this.#api = new ReadApi(db);
  }

  /** For a signed-in member of the employer (pages). */
  async forMember(actor: Actor, employerId: string, scope: ExportScope): Promise<Candidate[]> {
    await requireMember(this.db, actor, employerId);
    return this.#collect({ tokenId: 'session', owner: { kind: 'employer', employerId }, scopes: new Set(['candidates:read']) }, scope);
  }

  /** For an API token (its scope and owner are checked). */
  async forToken(grant: TokenGrant, scope: ExportScope): Promise<Candidate[]> {
    requireScope(grant, 'candidates:read');
    return this.#collect(grant, scope);
  }

  async #collect(grant: TokenGrant, scope: ExportScope): Promise<Candidate[]> {
    if (grant.owner.kind !== 'employer') throw new ServiceError('NOT_AUTHORIZED', 'Only an employer exports its candidates');
    const employerId = grant.owner.employerId;
    const ids = z.object({ fairId: z.preprocess(blank, z.uuid().optional()), boothId: z.preprocess(blank, z.uuid().optional()) }).safeParse(scope);
    if (!ids.success) throw new ServiceError('NOT_FOUND', 'No such fair or booth');
    const filter = validate(exportFilter, scope);
    let timeZone = 'UTC';
    if (ids.data.boothId) {
      const [booth] = await this.db
        .select({ id: schema.booths.id, timeZone: schema.fairs.timeZone })
        .from(schema.booths)
        .innerJoin(schema.fairs, eq(schema.fairs.id, schema.booths.fairId))
        .where(and(eq(schema.booths.id, ids.data.boothId), eq(schema.booths.employerId, employerId)));
      // Another employer's booth is as unknown as a missing one.
      if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
      timeZone = booth.timeZone;
    } else if (ids.data.fairId) {
      const [fair] = await this.db.select({ timeZone: schema.fairs.timeZone }).from(schema.fairs).where(eq(schema.fairs.id, ids.data.fairId));
      if (fair) timeZone = fair.timeZone;
    }
    // Whole days on the fair's wall clock (core/src/time.ts): `to` includes its day.
    const dayStart = (d: string | undefined, field: 'from' | 'to', plusDays = 0) => {
      if (!d) return undefined;
      // The calendar date `plusDays` later (plain date arithmetic, no zone involved), at its midnight.
      const date = new Date(Date.parse(`${d}T00:00:00Z`) + plusDays * 86_400_000);
      const instant = Number.isNaN(date.getTime()) ? null : wallTimeToUtc(`${date.toISOString().slice(0, 10)}T00:00`, timeZone);
      // A day that does not exist (2025-02-30) is refused, not rolled over.
      if (!instant || wallTimeToUtc(`${d}T00:00`, timeZone) === null) throw new ServiceError('INVALID', 'Some fields need attention', { [field]: 'date' });
      return instant;
    };
    const options: CandidateFilter = {
      ...ids.data,
      engagedFrom: dayStart(filter.from, 'from'),
      engagedBefore: dayStart(filter.to, 'to', 1),
      outcome: filter.outcome,
    };
    const all: Candidate[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#api.candidates(grant, { limit: 200, cursor }, options);
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }
}

export function candidatesCsv(candidates: Candidate[]): string {
  return toCsv(
    CANDIDATE_CSV_HEADER,
    candidates.map((c) => [
      c.id,
      c.name,
      c.email ?? '',
      c.headline,
      c.skills.join('; '),
      c.yearsExperience,
      c.education,
      c.resumeUploadId ?? '',
      c.firstSeenAt,
    ]),
  );
}

/** One JSON Resume document per candidate; Fairground's own fields go under `meta`. */
export function candidatesJsonResume(candidates: Candidate[], origin: string) {
  return candidates.map((c) => ({
    $schema: 'https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json',
    basics: {
      name: c.name,
      ...(c.email ? { email: c.email } : {}),
      ...(c.headline ? { label: c.headline } : {}),
    },
    ...(c.education ? { education: [{ institution: c.education }] } : {}),
    skills: c.skills.map((name) => ({ name })),
    meta: {
      canonical: `${origin}/api/v1/candidates`,
      lastModified: c.firstSeenAt,
      fairground: { candidateId: c.id, yearsExperience: c.yearsExperience, resumeUploadId: c.resumeUploadId, firstSeenAt: c.firstSeenAt },
    },
  }));
}
