import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { requireMember, requireRole, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { bestMatch, rankJobs, type MatchProfile } from './matching.ts';
import { RESUME_BOOK_PAGE_SIZE, resumeSearchSchema, type ResumeSearchInput } from './resume-book-schemas.ts';
import { validate } from './validate.ts';

const { booths, employers, fairs, jobs, resumeBookOptIns, seekerProfiles, seekerViews, uploads, users } = schema;

type SeekerViewKind = (typeof schema.seekerViewKind.enumValues)[number];

/** Fair states in which the resume book is open: seekers opt in, employers search and invite. */
const OPEN_STATES = ['published', 'live'] as const;
const isOpen = (status: string) => (OPEN_STATES as readonly string[]).includes(status);

/** What an employer sees of a seeker in a result row (never the email: contact goes through invitations). */
const rowColumns = {
  id: users.id,
  name: users.name,
  headline: sql<string>`coalesce(${seekerProfiles.headline}, '')`,
  skills: sql<string[]>`coalesce(${seekerProfiles.skills}, '{}'::text[])`,
  education: sql<string>`coalesce(${seekerProfiles.education}, '')`,
  graduationYear: seekerProfiles.graduationYear,
  yearsExperience: sql<number>`coalesce(${seekerProfiles.yearsExperience}, 0)`,
  salaryMin: seekerProfiles.salaryMin,
  salaryMax: seekerProfiles.salaryMax,
  currency: sql<string>`coalesce(${seekerProfiles.currency}, 'CNY')`,
  locations: sql<string[]>`coalesce(${seekerProfiles.locations}, '{}'::text[])`,
  // As text[]: drivers parse arrays of built-in types only, and an enum array would come back as '{a,b}'.
  jobTypes: sql<MatchProfile['jobTypes'][number][]>`coalesce(${seekerProfiles.jobTypes}::text[], '{}'::text[])`,
};

export type ResumeBookRow = {
  id: string;
  name: string;
  headline: string;
  skills: string[];
  education: string;
  graduationYear: number | null;
  yearsExperience: number;
  salaryMin: number | null;
  salaryMax: number | null;
  currency: string;
  locations: string[];
  jobTypes: MatchProfile['jobTypes'][number][];
};

const uuid = z.uuid();
const isUuid = (v: string) => uuid.safeParse(v).success;

/**
 * The resume book: seekers who opted in to be found at one fair, searched by the employers holding
 * an approved booth there. Only opt-ins make a seeker findable (no row, no result, no count);
 * every row shown, profile opened and resume downloaded is written to the view log, which the
 * seeker reads (`viewsOfMe`).
 */
export class ResumeBookService {
  constructor(private readonly db: Db) {}

  /** The fairs a seeker may be found at (published or live) and whether they opted in to each. */
  async myOptIns(actor: Actor) {
    const seeker = requireRole(actor, 'seeker');
    const rows = await this.db
      .select({ id: fairs.id, title: fairs.title, status: fairs.status, startsAt: fairs.startsAt, endsAt: fairs.endsAt, optedInAt: resumeBookOptIns.optedInAt })
      .from(fairs)
      .leftJoin(resumeBookOptIns, and(eq(resumeBookOptIns.fairId, fairs.id), eq(resumeBookOptIns.seekerId, seeker.id)))
      .where(inArray(fairs.status, [...OPEN_STATES]))
      .orderBy(asc(fairs.startsAt), asc(fairs.id));
    return rows.map((r) => ({ ...r, optedIn: r.optedInAt !== null }));
  }

  /** Whether the signed-in seeker can be found at this fair (false for anyone else). */
  async isOptedIn(actor: Actor, fairId: string): Promise<boolean> {
    if (actor?.role !== 'seeker' || !isUuid(fairId)) return false;
    const [row] = await this.db
      .select({ at: resumeBookOptIns.optedInAt })
      .from(resumeBookOptIns)
      .where(and(eq(resumeBookOptIns.fairId, fairId), eq(resumeBookOptIns.seekerId, actor.id)));
    return Boolean(row);
  }

  /**
   * A seeker opts in to (or out of) one fair's resume book. Opting in needs an open fair; opting
   * out always works, and takes effect at once: the next search no longer finds them.
   */
  async setOptIn(actor: Actor, fairId: string, on: boolean): Promise<void> {
    const seeker = requireRole(actor, 'seeker');
    const [fair] = isUuid(fairId) ? await this.db.select({ status: fairs.status }).from(fairs).where(eq(fairs.id, fairId)) : [];
    if (!fair || fair.status === 'draft') throw new ServiceError('NOT_FOUND', 'No such fair');
    if (!on) {
      await this.db.delete(resumeBookOptIns).where(and(eq(resumeBookOptIns.fairId, fairId), eq(resumeBookOptIns.seekerId, seeker.id)));
      return;
    }
    if (!isOpen(fair.status)) throw new ServiceError('CONFLICT', 'This fair has ended', { form: 'fair_closed' });
    await this.db.insert(resumeBookOptIns).values({ fairId, seekerId: seeker.id }).onConflictDoNothing();
  }

  /**
   * The booth an employer searches through: approved, at an open fair, and the actor on its
   * employer's team. A seeker, an organizer or another employer's staff is refused before anything
   * is read.
   */
  async boothOf(actor: Actor, boothId: string) {
    requireRole(actor, 'employer');
    const [row] = isUuid(boothId)
      ? await this.db
          .select({
            id: booths.id,
            status: booths.status,
            employerId: booths.employerId,
            employerName: employers.name,
            fair: { id: fairs.id, title: fairs.title, status: fairs.status, timeZone: fairs.timeZone },
          })
          .from(booths)
          .innerJoin(fairs, eq(fairs.id, booths.fairId))
          .innerJoin(employers, eq(employers.id, booths.employerId))
          .where(eq(booths.id, boothId))
      : [];
    if (!row || row.status !== 'approved' || row.fair.status === 'draft') throw new ServiceError('NOT_FOUND', 'No such booth');
    const user = await requireMember(this.db, actor, row.employerId);
    if (!isOpen(row.fair.status)) throw new ServiceError('CONFLICT', 'The resume book closes when the fair ends', { form: 'fair_closed' });
    return { ...row, user };
  }

  /** The actor's booths whose resume book is open (for the console's links). */
  async openBooks(actor: Actor) {
    const user = requireRole(actor, 'employer');
    return this.db
      .select({
        boothId: booths.id,
        employerId: employers.id,
        employerName: employers.name,
        fairId: fairs.id,
        fairTitle: fairs.title,
        fairStatus: fairs.status,
      })
      .from(booths)
      .innerJoin(fairs, eq(fairs.id, booths.fairId))
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .innerJoin(schema.employerMembers, and(eq(schema.employerMembers.employerId, booths.employerId), eq(schema.employerMembers.userId, user.id)))
      .where(and(eq(booths.status, 'approved'), inArray(fairs.status, [...OPEN_STATES])))
      .orderBy(asc(fairs.startsAt), asc(booths.id));
  }

  /**
   * Searches the fair's opted-in seekers, ranked by their best match against the employer's jobs
   * (the matching engine's score and reasons), then by id so pages never overlap. Filtering is SQL;
   * ranking runs over the filtered set (a fair's opted-in seekers: thousands at most). The rows of
   * the returned page are logged as seen.
   */
  async search(actor: Actor, boothId: string, input: ResumeSearchInput, now = new Date()) {
    const filters = validate(resumeSearchSchema, input);
    const booth = await this.boothOf(actor, boothId);
    const conditions: SQL[] = [eq(resumeBookOptIns.fairId, booth.fair.id), eq(users.role, 'seeker')];
    for (const skill of filters.skills) {
      const wanted = skill.toLowerCase().replace(/\s+/g, ' ');
      conditions.push(
        sql`exists (select 1 from unnest(${seekerProfiles.skills}) as s(v) where lower(regexp_replace(btrim(s.v), '\\s+', ' ', 'g')) = ${wanted})`,
      );
    }
    if (filters.location) {
      conditions.push(sql`exists (select 1 from unnest(${seekerProfiles.locations}) as l(v) where strpos(lower(l.v), ${filters.location.toLowerCase()}) > 0)`);
    }
    if (filters.jobType) conditions.push(sql`${filters.jobType}::job_type = any(${seekerProfiles.jobTypes})`);
    if (filters.graduationYear !== undefined) conditions.push(eq(seekerProfiles.graduationYear, filters.graduationYear));
    if (filters.salaryMin !== undefined || filters.salaryMax !== undefined) {
      // A named expectation must meet the range (same currency); none named means open to offers.
      const low = filters.salaryMin ?? 0;
      const high = filters.salaryMax ?? 2_147_483_647;
      conditions.push(
        sql`((${seekerProfiles.salaryMin} is null and ${seekerProfiles.salaryMax} is null) or (${seekerProfiles.currency} = ${filters.currency} and coalesce(${seekerProfiles.salaryMin}, 0) <= ${high} and coalesce(${seekerProfiles.salaryMax}, 2147483647) >= ${low}))`,
      );
    }
    const found = await this.db
      .select(rowColumns)
      .from(resumeBookOptIns)
      .innerJoin(users, eq(users.id, resumeBookOptIns.seekerId))
      .leftJoin(seekerProfiles, eq(seekerProfiles.userId, users.id))
      .where(and(...conditions));
    const jobList = await this.db.select().from(jobs).where(eq(jobs.employerId, booth.employerId));
    const ranked = found
      .map((row) => ({ seeker: row as ResumeBookRow, match: bestMatch(row, jobList) }))
      .sort((a, b) => (b.match?.score ?? 0) - (a.match?.score ?? 0) || (a.seeker.id < b.seeker.id ? -1 : a.seeker.id > b.seeker.id ? 1 : 0));
    const start = (filters.page - 1) * RESUME_BOOK_PAGE_SIZE;
    const results = ranked.slice(start, start + RESUME_BOOK_PAGE_SIZE);
    await this.log(
      results.map((r) => r.seeker.id),
      booth,
      'search_result',
      now,
    );
    return {
      booth: { id: booth.id, employerId: booth.employerId, employerName: booth.employerName, fair: booth.fair },
      filters,
      total: ranked.length,
      page: filters.page,
      pages: Math.max(1, Math.ceil(ranked.length / RESUME_BOOK_PAGE_SIZE)),
      results,
    };
  }

  /** One opted-in seeker's profile, ranked against each of the employer's jobs; logged as seen. */
  async profile(actor: Actor, boothId: string, seekerId: string, now = new Date()) {
    const booth = await this.boothOf(actor, boothId);
    const seeker = await this.findable(booth.fair.id, seekerId);
    const jobList = await this.db.select().from(jobs).where(eq(jobs.employerId, booth.employerId));
    const [resume] = seeker.resumeUploadId
      ? await this.db.select({ filename: uploads.filename, size: uploads.size }).from(uploads).where(eq(uploads.id, seeker.resumeUploadId))
      : [];
    await this.log([seeker.id], booth, 'profile', now);
    const { resumeUploadId: _resumeUploadId, ...shown } = seeker;
    return {
      booth: { id: booth.id, employerId: booth.employerId, employerName: booth.employerName, fair: booth.fair },
      seeker: shown,
      resume: resume ?? null,
      matches: rankJobs(seeker, jobList).map(({ job, match }) => ({ jobId: job.id, title: job.title, ...match })),
      jobs: jobList.map((j) => ({ id: j.id, title: j.title })),
    };
  }

  /** The seeker's resume file, for the booth's staff; the download is logged. */
  async resume(actor: Actor, boothId: string, seekerId: string, now = new Date()) {
    const booth = await this.boothOf(actor, boothId);
    const seeker = await this.findable(booth.fair.id, seekerId);
    const [file] = seeker.resumeUploadId ? await this.db.select().from(uploads).where(eq(uploads.id, seeker.resumeUploadId)) : [];
    if (!file) throw new ServiceError('NOT_FOUND', 'No resume');
    await this.log([seeker.id], booth, 'resume', now);
    return file;
  }

  /**
   * What employers saw of the signed-in seeker, newest first: the employer, the staff member, what
   * (a result row, the profile, the resume), at which fair and when.
   */
  async viewsOfMe(actor: Actor, page = 1, pageSize = 50) {
    const seeker = requireRole(actor, 'seeker');
    const safePage = Number.isInteger(page) && page >= 1 && page <= 1000 ? page : 1;
    const viewer = schema.users;
    const [rows, [total]] = await Promise.all([
      this.db
        .select({
          id: seekerViews.id,
          kind: seekerViews.kind,
          viewedAt: seekerViews.viewedAt,
          employerName: employers.name,
          viewerName: viewer.name,
          fairTitle: fairs.title,
        })
        .from(seekerViews)
        .innerJoin(employers, eq(employers.id, seekerViews.employerId))
        .leftJoin(viewer, eq(viewer.id, seekerViews.viewerId))
        .leftJoin(fairs, eq(fairs.id, seekerViews.fairId))
        .where(eq(seekerViews.seekerId, seeker.id))
        .orderBy(desc(seekerViews.viewedAt), desc(seekerViews.id))
        .limit(pageSize)
        .offset((safePage - 1) * pageSize),
      this.db.select({ n: count() }).from(seekerViews).where(eq(seekerViews.seekerId, seeker.id)),
    ]);
    const n = total?.n ?? 0;
    return { rows, total: n, page: safePage, pages: Math.max(1, Math.ceil(n / pageSize)) };
  }

  /** A seeker opted in to this fair, with their profile; anyone else is NOT_FOUND (nothing revealed). */
  async findable(fairId: string, seekerId: string) {
    const [row] = isUuid(seekerId)
      ? await this.db
          .select({
            ...rowColumns,
            languages: sql<string[]>`coalesce(${seekerProfiles.languages}, '{}'::text[])`,
            resumeText: sql<string>`coalesce(${seekerProfiles.resumeText}, '')`,
            resumeUploadId: seekerProfiles.resumeUploadId,
          })
          .from(resumeBookOptIns)
          .innerJoin(users, eq(users.id, resumeBookOptIns.seekerId))
          .leftJoin(seekerProfiles, eq(seekerProfiles.userId, users.id))
          .where(and(eq(resumeBookOptIns.fairId, fairId), eq(resumeBookOptIns.seekerId, seekerId), eq(users.role, 'seeker')))
      : [];
    if (!row) throw new ServiceError('NOT_FOUND', 'No such candidate');
    return row as ResumeBookRow & { languages: string[]; resumeText: string; resumeUploadId: string | null };
  }

  private async log(seekerIds: string[], booth: { employerId: string; fair: { id: string }; user: { id: string } }, kind: SeekerViewKind, now: Date) {
    if (seekerIds.length === 0) return;
    await this.db
      .insert(seekerViews)
      .values(seekerIds.map((seekerId) => ({ seekerId, employerId: booth.employerId, viewerId: booth.user.id, fairId: booth.fair.id, kind, viewedAt: now })));
  }
}
