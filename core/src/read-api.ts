import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { apiBooth, apiCandidate, apiFair, apiInterview, apiJob, apiReport, type ApiScope } from './api-schemas.ts';
import type { TokenGrant } from './api-tokens.ts';
import { ServiceError } from './errors.ts';
import { funnels } from './reports.ts';

const { fairs, booths, employers, jobs, interviews } = schema;

/** Which of an employer's candidates: by booth or fair, by when they engaged, by an interview's outcome. */
export interface CandidateFilter {
  fairId?: string | undefined;
  boothId?: string | undefined;
  /** Engaged at or after this instant. */
  engagedFrom?: Date | undefined;
  /** Engaged before this instant. */
  engagedBefore?: Date | undefined;
  outcome?: InterviewOutcome | undefined;
}

export const INTERVIEW_OUTCOMES = ['next_round', 'offer', 'not_a_fit', 'no_show'] as const;
export type InterviewOutcome = (typeof INTERVIEW_OUTCOMES)[number];

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** drizzle's `execute` answers `{ rows }` on PGlite and an array on postgres.js. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows?: T[] }).rows ?? (result as T[]);
}

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

/** Cursors are opaque to clients: the last id of the page, base64url-encoded. */
function afterId(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const decoded = z.uuid().safeParse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!decoded.success) throw new ServiceError('INVALID', 'Bad cursor', { cursor: 'invalid' });
  return decoded.data;
}

function paged<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? Buffer.from(data.at(-1)!.id).toString('base64url') : null };
}

export function requireScope(grant: TokenGrant, scope: ApiScope): void {
  if (!grant.scopes.has(scope)) throw new ServiceError('NOT_AUTHORIZED', `This token lacks the ${scope} scope`, { scope });
}

/**
 * The read API's answers for a token (api-tokens.ts): an employer's token sees its own booths,
 * jobs, the candidates who engaged with it and its interviews; a fair's token sees that fair, its
 * booths and jobs and its report. Each list is ordered by id and paged by cursor.
 */
export class ReadApi {
  constructor(private readonly db: Db) {}

  async #boothIds(grant: TokenGrant): Promise<string[]> {
    const where = grant.owner.kind === 'employer' ? eq(booths.employerId, grant.owner.employerId) : eq(booths.fairId, grant.owner.fairId);
    return (await this.db.select({ id: booths.id }).from(booths).where(where)).map((b) => b.id);
  }

  #employerOnly(grant: TokenGrant): string {
    if (grant.owner.kind !== 'employer') throw new ServiceError('NOT_AUTHORIZED', 'Only an employer’s token reads this');
    return grant.owner.employerId;
  }

  async fairs(grant: TokenGrant, page: PageRequest): Promise<Page<z.input<typeof apiFair>>> {
    requireScope(grant, 'fairs:read');
    const after = afterId(page.cursor);
    const owner = grant.owner;
    const mine =
      owner.kind === 'employer'
        ? inArray(fairs.id, this.db.select({ id: booths.fairId }).from(booths).where(eq(booths.employerId, owner.employerId)))
        : eq(fairs.id, owner.fairId);
    const rows = await this.db
      .select()
      .from(fairs)
      .where(and(mine, after ? gt(fairs.id, after) : undefined))
      .orderBy(fairs.id)
      .limit(page.limit + 1);
    return paged(
      rows.map((f) => ({
        id: f.id,
        title: f.title,
        theme: f.theme,
        status: f.status,
        startsAt: iso(f.startsAt)!,
        endsAt: iso(f.endsAt)!,
        timeZone: f.timeZone,
      })),
      page.limit,
    );
  }

  async booths(grant: TokenGrant, page: PageRequest): Promise<Page<z.input<typeof apiBooth>>> {
    requireScope(grant, 'booths:read');
    const after = afterId(page.cursor);
    const owner = grant.owner;
    const rows = await this.db
      .select({ booth: booths, employerName: employers.name })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(
        and(owner.kind === 'employer' ? eq(booths.employerId, owner.employerId) : eq(booths.fairId, owner.fairId), after ? gt(booths.id, after) : undefined),
      )
      .orderBy(booths.id)
      .limit(page.limit + 1);
    return paged(
      rows.map(({ booth, employerName }) => ({
        id: booth.id,
        fairId: booth.fairId,
        employerId: booth.employerId,
        employerName,
        status: booth.status,
        tagline: booth.tagline,
      })),
      page.limit,
    );
  }

  async jobs(grant: TokenGrant, page: PageRequest): Promise<Page<z.input<typeof apiJob>>> {
    requireScope(grant, 'jobs:read');
    const after = afterId(page.cursor);
    const owner = grant.owner;
    const whose =
      owner.kind === 'employer'
        ? eq(jobs.employerId, owner.employerId)
        : inArray(
            jobs.employerId,
            this.db
              .select({ id: booths.employerId })
              .from(booths)
              .where(and(eq(booths.fairId, owner.fairId), eq(booths.status, 'approved'))),
          );
    const rows = await this.db
      .select()
      .from(jobs)
      .where(and(whose, after ? gt(jobs.id, after) : undefined))
      .orderBy(jobs.id)
      .limit(page.limit + 1);
    return paged(
      rows.map((j) => ({
        id: j.id,
        employerId: j.employerId,
        title: j.title,
        location: j.location,
        jobType: j.jobType,
        salaryMin: j.salaryMin,
        salaryMax: j.salaryMax,
        currency: j.currency,
        skills: j.skills,
      })),
      page.limit,
    );
  }

  /**
   * Seekers who engaged with the employer: joined one of its lines, or shared a resume with it.
   * The resume follows the resume access rules (core/src/uploads.ts): readable while the seeker is
   * in one of the employer's lines or interviews, or once shared with it. The email comes only
   * with a share (the seeker accepted an interview with this employer).
   */
  async candidates(grant: TokenGrant, page: PageRequest, options: CandidateFilter = {}): Promise<Page<z.input<typeof apiCandidate>>> {
    requireScope(grant, 'candidates:read');
    const employerId = this.#employerOnly(grant);
    const after = afterId(page.cursor);
    // A fair's or one booth's candidates (exports); the filter applies to both ways of engaging.
    const inFair = sql`${options.fairId ? sql`and b.fair_id = ${options.fairId}::uuid` : sql``} ${options.boothId ? sql`and b.id = ${options.boothId}::uuid` : sql``}`;
    // Engaged within a period: a line joined, or a resume shared, in it.
    const within = (column: ReturnType<typeof sql>) =>
      sql`${options.engagedFrom ? sql`and ${column} >= ${options.engagedFrom.toISOString()}::timestamptz` : sql``} ${options.engagedBefore ? sql`and ${column} < ${options.engagedBefore.toISOString()}::timestamptz` : sql``}`;
    // With an outcome: an interview in the same booths ended with it.
    const withOutcome = options.outcome
      ? sql`and exists (select 1 from interviews oi join booths b on b.id = oi.booth_id
          where oi.seeker_id = p.id and b.employer_id = ${employerId}::uuid and oi.outcome = ${options.outcome} ${inFair})`
      : sql``;
    const result = await this.db.execute(sql`
      with engaged as (
        select qe.seeker_id as id, min(qe.joined_at) as first_seen
        from queue_entries qe join booths b on b.id = qe.booth_id
        where b.employer_id = ${employerId}::uuid ${inFair} ${within(sql`qe.joined_at`)}
        group by qe.seeker_id
        union all
        select u.owner_id, min(rs.shared_at)
        from resume_shares rs join uploads u on u.id = rs.upload_id
        left join interviews i on i.id = rs.interview_id left join booths b on b.id = i.booth_id
        where rs.employer_id = ${employerId}::uuid ${inFair} ${within(sql`rs.shared_at`)}
        group by u.owner_id
      ), people as (select p.id, min(p.first_seen) as first_seen from engaged p where true ${withOutcome} group by p.id)
      select p.id, p.first_seen, usr.name, usr.email,
        coalesce(sp.headline, '') as headline, coalesce(sp.skills, '{}') as skills,
        coalesce(sp.years_experience, 0) as years_experience, coalesce(sp.education, '') as education,
        sp.resume_upload_id,
        exists (select 1 from resume_shares rs where rs.employer_id = ${employerId}::uuid and rs.upload_id = sp.resume_upload_id) as resume_shared,
        exists (select 1 from resume_shares rs join uploads u on u.id = rs.upload_id where rs.employer_id = ${employerId}::uuid and u.owner_id = p.id) as shared_any,
        exists (select 1 from queue_entries qe join booths b on b.id = qe.booth_id
                where b.employer_id = ${employerId}::uuid and qe.seeker_id = p.id
                  and qe.status in ('waiting', 'called', 'interviewing') and qe.ended_at is null) as in_line
      from people p join users usr on usr.id = p.id left join seeker_profiles sp on sp.user_id = p.id
      where ${after ? sql`p.id > ${after}::uuid` : sql`true`}
      order by p.id
      limit ${page.limit + 1}`);
    type Row = {
      id: string;
      first_seen: Date | string;
      name: string;
      email: string;
      headline: string;
      skills: string[];
      years_experience: number;
      education: string;
      resume_upload_id: string | null;
      resume_shared: boolean;
      shared_any: boolean;
      in_line: boolean;
    };
    return paged(
      rowsOf<Row>(result).map((r) => ({
        id: r.id,
        name: r.name,
        email: r.shared_any ? r.email : null,
        headline: r.headline,
        skills: r.skills,
        yearsExperience: Number(r.years_experience),
        education: r.education,
        resumeUploadId: r.resume_upload_id && (r.resume_shared || r.in_line) ? r.resume_upload_id : null,
        firstSeenAt: iso(r.first_seen)!,
      })),
      page.limit,
    );
  }

  async interviews(grant: TokenGrant, page: PageRequest): Promise<Page<z.input<typeof apiInterview>>> {
    requireScope(grant, 'interviews:read');
    const employerId = this.#employerOnly(grant);
    const after = afterId(page.cursor);
    const rows = await this.db
      .select({ interview: interviews })
      .from(interviews)
      .innerJoin(booths, eq(booths.id, interviews.boothId))
      .where(and(eq(booths.employerId, employerId), after ? gt(interviews.id, after) : undefined))
      .orderBy(interviews.id)
      .limit(page.limit + 1);
    return paged(
      rows.map(({ interview: i }) => ({
        id: i.id,
        boothId: i.boothId,
        seekerId: i.seekerId,
        recruiterId: i.recruiterId,
        startedAt: iso(i.startedAt),
        endedAt: iso(i.endedAt),
        outcome: i.outcome,
        rating: i.rating,
      })),
      page.limit,
    );
  }

  /** The funnel over the owner's booths (an employer's: all its fairs together). */
  async report(grant: TokenGrant): Promise<z.input<typeof apiReport>> {
    requireScope(grant, 'reports:read');
    const { total } = await funnels(this.db, await this.#boothIds(grant), { perBooth: false });
    return {
      visited: total.visited,
      queued: total.queued,
      interviewed: total.interviewed,
      withOutcome: total.withOutcome,
      entries: total.entries,
      noShows: total.noShows,
      conversion: total.conversion,
      medianWaitSeconds: total.medianWaitSeconds,
      medianInterviewSeconds: total.medianInterviewSeconds,
      outcomes: total.outcomes,
    };
  }
}
