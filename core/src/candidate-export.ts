import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { requireMember, type Actor } from './actor.ts';
import type { apiCandidate } from './api-schemas.ts';
import type { TokenGrant } from './api-tokens.ts';
import { toCsv } from './csv.ts';
import { ServiceError } from './errors.ts';
import { ReadApi, requireScope } from './read-api.ts';

type Candidate = z.input<typeof apiCandidate>;

/** Which candidates: all of the employer's, one fair's, or one booth's. */
export interface ExportScope {
  fairId?: string | undefined;
  boothId?: string | undefined;
}

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
    const ids = z.object({ fairId: z.uuid().optional(), boothId: z.uuid().optional() }).safeParse(scope);
    if (!ids.success) throw new ServiceError('NOT_FOUND', 'No such fair or booth');
    if (ids.data.boothId) {
      const [booth] = await this.db
        .select({ id: schema.booths.id })
        .from(schema.booths)
        .where(and(eq(schema.booths.id, ids.data.boothId), eq(schema.booths.employerId, employerId)));
      // Another employer's booth is as unknown as a missing one.
      if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
    }
    const all: Candidate[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#api.candidates(grant, { limit: 200, cursor }, ids.data);
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
