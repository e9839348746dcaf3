import { and, eq, inArray } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireRole, type Actor } from './actor.ts';

const { jobs, employers, booths, fairs, seekerProfiles } = schema;

type JobType = (typeof schema.jobType.enumValues)[number];

/** What matching reads of a seeker's profile (the "demand list"). */
export interface MatchProfile {
  skills: readonly string[];
  /** Expected monthly salary range; either end may be open. */
  salaryMin: number | null;
  salaryMax: number | null;
  currency: string;
  locations: readonly string[];
  jobTypes: readonly JobType[];
}

/** What matching reads of a job (the "job list"). */
export interface MatchJob {
  skills: readonly string[];
  salaryMin: number;
  salaryMax: number;
  currency: string;
  location: string;
  jobType: JobType;
}

/**
 * How the job's offered range sits against the seeker's expectation: `within` it, `overlaps` it in
 * part, wholly `below` or `above` it; `unknown` when the seeker named no range or the currencies differ.
 */
export type SalaryFit = 'within' | 'overlaps' | 'below' | 'above' | 'unknown';

/** The parts of a match's reason; the UI words them in the reader's language. */
export interface MatchReason {
  skills: { matched: number; total: number; names: string[] };
  salary: SalaryFit;
  /** null: the seeker named no preferred location. */
  location: boolean | null;
  /** null: the seeker named no preferred job type. */
  jobType: boolean | null;
}

export interface Match {
  /** 0-100, higher is a better fit. */
  score: number;
  reason: MatchReason;
}

/** Weights of the four parts (sum 100): skills matter most, then pay, then place, then type. */
export const MATCH_WEIGHTS = { skills: 50, salary: 25, location: 15, jobType: 10 } as const;

const normalizeSkill = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Words of a place name ("贵州遵义 Zunyi, Guizhou" → 贵州遵义, zunyi, guizhou). */
function placeWords(place: string): Set<string> {
  return new Set(
    place
      .toLowerCase()
      .split(/[\s,，、·/|()（）-]+/u)
      .filter((w) => w.length > 0),
  );
}

/** Two place names name the same place when they share a word (both scripts are common). */
export function sameLocation(a: string, b: string): boolean {
  const wa = placeWords(a);
  for (const w of placeWords(b)) if (wa.has(w)) return true;
  return false;
}

export function salaryFit(
  profile: Pick<MatchProfile, 'salaryMin' | 'salaryMax' | 'currency'>,
  job: Pick<MatchJob, 'salaryMin' | 'salaryMax' | 'currency'>,
): SalaryFit {
  if (profile.salaryMin == null && profile.salaryMax == null) return 'unknown';
  if (profile.currency !== job.currency) return 'unknown';
  const low = profile.salaryMin ?? 0;
  const high = profile.salaryMax ?? Number.POSITIVE_INFINITY;
  if (job.salaryMax < low) return 'below';
  if (job.salaryMin > high) return 'above';
  if (job.salaryMin >= low && job.salaryMax <= high) return 'within';
  return 'overlaps';
}

const SALARY_POINTS: Record<SalaryFit, number> = { within: 1, above: 1, overlaps: 0.6, unknown: 0.5, below: 0 };

/** How well one job fits one profile, with the reason's parts. Pure. */
export function matchJob(profile: MatchProfile, job: MatchJob): Match {
  const mine = new Set(profile.skills.map(normalizeSkill));
  const seen = new Set<string>();
  const wanted = job.skills.filter((s) => !seen.has(normalizeSkill(s)) && seen.add(normalizeSkill(s)));
  const names = wanted.filter((s) => mine.has(normalizeSkill(s)));
  const skills = { matched: names.length, total: wanted.length, names };
  const salary = salaryFit(profile, job);
  const location = profile.locations.length === 0 ? null : profile.locations.some((l) => sameLocation(l, job.location));
  const jobType = profile.jobTypes.length === 0 ? null : profile.jobTypes.includes(job.jobType);

  // A job asking for no skills neither helps nor hurts: half marks, like an unknown salary.
  const skillPart = skills.total === 0 ? 0.5 : skills.matched / skills.total;
  const boolPart = (v: boolean | null) => (v == null ? 0.5 : v ? 1 : 0);
  const score =
    MATCH_WEIGHTS.skills * skillPart +
    MATCH_WEIGHTS.salary * SALARY_POINTS[salary] +
    MATCH_WEIGHTS.location * boolPart(location) +
    MATCH_WEIGHTS.jobType * boolPart(jobType);
  return { score: Math.round(score), reason: { skills, salary, location, jobType } };
}

/**
 * Jobs ordered best first: by score, then the higher offered maximum, then the more skills matched,
 * then by id so the order is stable.
 */
export function rankJobs<J extends MatchJob & { id: string }>(profile: MatchProfile, list: readonly J[]): Array<{ job: J; match: Match }> {
  return list
    .map((job) => ({ job, match: matchJob(profile, job) }))
    .sort(
      (a, b) =>
        b.match.score - a.match.score ||
        b.job.salaryMax - a.job.salaryMax ||
        b.match.reason.skills.matched - a.match.reason.skills.matched ||
        (a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0),
    );
}

/** The best of a booth's jobs for one seeker: what recruiters see beside a waiting seeker. */
export function bestMatch<J extends MatchJob & { id: string; title: string }>(profile: MatchProfile, list: readonly J[]) {
  const [top] = rankJobs(profile, list);
  return top ? { jobId: top.job.id, title: top.job.title, ...top.match } : null;
}

const EMPTY_PROFILE: MatchProfile = { skills: [], salaryMin: null, salaryMax: null, currency: 'CNY', locations: [], jobTypes: [] };

/** Loads what matching needs from the database. */
export class MatchingService {
  constructor(private readonly db: Db) {}

  async profileOf(seekerId: string): Promise<MatchProfile> {
    const [row] = await this.db.select().from(seekerProfiles).where(eq(seekerProfiles.userId, seekerId));
    return row ?? EMPTY_PROFILE;
  }

  async profilesOf(seekerIds: string[]): Promise<Map<string, MatchProfile>> {
    if (seekerIds.length === 0) return new Map();
    const rows = await this.db.select().from(seekerProfiles).where(inArray(seekerProfiles.userId, seekerIds));
    return new Map(seekerIds.map((id) => [id, rows.find((r) => r.userId === id) ?? EMPTY_PROFILE]));
  }

  /** The jobs of the employer that staffs a booth. */
  async jobsOfBooth(boothId: string) {
    return this.db
      .select({ job: jobs })
      .from(booths)
      .innerJoin(jobs, eq(jobs.employerId, booths.employerId))
      .where(eq(booths.id, boothId))
      .then((rows) => rows.map((r) => r.job));
  }

  /**
   * The signed-in seeker's matches: jobs of employers with an approved booth at a fair that is
   * published or live (somewhere the seeker can still meet them), best first.
   */
  async forSeeker(actor: Actor) {
    const seeker = requireRole(actor, 'seeker');
    const profile = await this.profileOf(seeker.id);
    const rows = await this.db
      .selectDistinctOn([jobs.id], { job: jobs, employerName: employers.name })
      .from(jobs)
      .innerJoin(employers, eq(employers.id, jobs.employerId))
      .innerJoin(booths, and(eq(booths.employerId, jobs.employerId), eq(booths.status, 'approved')))
      .innerJoin(fairs, and(eq(fairs.id, booths.fairId), inArray(fairs.status, ['published', 'live'])))
      .orderBy(jobs.id);
    const ranked = rankJobs(
      profile,
      rows.map((r) => ({ ...r.job, employerName: r.employerName })),
    );
    return { profile, matches: ranked };
  }

  /** The signed-in seeker's matches among one fair's booths (the hall's kiosk), best first. */
  async forSeekerAtFair(actor: Actor, fairId: string) {
    const seeker = requireRole(actor, 'seeker');
    const profile = await this.profileOf(seeker.id);
    const rows = await this.db
      .selectDistinctOn([jobs.id], { job: jobs, employerName: employers.name, boothId: booths.id })
      .from(jobs)
      .innerJoin(employers, eq(employers.id, jobs.employerId))
      .innerJoin(booths, and(eq(booths.employerId, jobs.employerId), eq(booths.status, 'approved'), eq(booths.fairId, fairId)))
      .orderBy(jobs.id);
    return {
      profile,
      matches: rankJobs(
        profile,
        rows.map((r) => ({ ...r.job, employerName: r.employerName, boothId: r.boothId })),
      ),
    };
  }
}
