import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { freshDatabase } from '../../test/helpers.ts';
import { bestMatch, matchJob, MatchingService, rankJobs, salaryFit, sameLocation, type MatchJob, type MatchProfile } from './matching.ts';

/** The demo seeker: a computer-science graduate (demo/src/seed.ts). */
const graduate: MatchProfile = {
  skills: ['TypeScript', 'CSS', 'SQL'],
  salaryMin: 8000,
  salaryMax: 13000,
  currency: 'CNY',
  locations: ['杭州 Hangzhou', '贵州遵义 Zunyi'],
  jobTypes: ['full_time', 'internship'],
};

/** The demo fair's six jobs. */
const demoJobs: Array<MatchJob & { id: string; title: string }> = [
  {
    id: 'd-intern',
    title: 'Cold-chain intern',
    skills: ['inventory'],
    salaryMin: 3000,
    salaryMax: 4000,
    currency: 'CNY',
    location: '贵州遵义 Zunyi',
    jobType: 'internship',
  },
  {
    id: 'a-frontend',
    title: 'Frontend',
    skills: ['TypeScript', 'Svelte', 'CSS'],
    salaryMin: 12000,
    salaryMax: 20000,
    currency: 'CNY',
    location: '杭州 Hangzhou',
    jobType: 'full_time',
  },
  { id: 'e-rider', title: 'Rider', skills: ['driving licence'], salaryMin: 4000, salaryMax: 9000, currency: 'CNY', location: '成都 Chengdu', jobType: 'gig' },
  {
    id: 'b-qa',
    title: 'QA',
    skills: ['Playwright', 'SQL'],
    salaryMin: 9000,
    salaryMax: 14000,
    currency: 'CNY',
    location: '杭州 Hangzhou',
    jobType: 'full_time',
  },
  {
    id: 'f-dispatcher',
    title: 'Dispatcher',
    skills: ['Excel', 'communication'],
    salaryMin: 6000,
    salaryMax: 9000,
    currency: 'CNY',
    location: '成都 Chengdu',
    jobType: 'full_time',
  },
  {
    id: 'c-ecommerce',
    title: 'E-commerce',
    skills: ['livestream selling', 'copywriting'],
    salaryMin: 5000,
    salaryMax: 8000,
    currency: 'CNY',
    location: '贵州遵义 Zunyi',
    jobType: 'full_time',
  },
];

describe('salaryFit', () => {
  const expect_ = (min: number | null, max: number | null) => ({ salaryMin: min, salaryMax: max, currency: 'CNY' });
  const offer = (min: number, max: number, currency = 'CNY') => ({ salaryMin: min, salaryMax: max, currency });
  it('places the offered range against the expected one', () => {
    expect(salaryFit(expect_(8000, 13000), offer(9000, 12000))).toBe('within');
    expect(salaryFit(expect_(8000, 13000), offer(8000, 13000))).toBe('within');
    expect(salaryFit(expect_(8000, 13000), offer(12000, 20000))).toBe('overlaps');
    expect(salaryFit(expect_(8000, 13000), offer(5000, 8000))).toBe('overlaps');
    expect(salaryFit(expect_(8000, 13000), offer(3000, 7999))).toBe('below');
    expect(salaryFit(expect_(8000, 13000), offer(13001, 16000))).toBe('above');
  });
  it('treats a missing end as open, and no range or another currency as unknown', () => {
    expect(salaryFit(expect_(10000, null), offer(12000, 50000))).toBe('within');
    expect(salaryFit(expect_(null, 6000), offer(7000, 9000))).toBe('above');
    expect(salaryFit(expect_(null, null), offer(7000, 9000))).toBe('unknown');
    expect(salaryFit(expect_(8000, 13000), offer(1000, 2000, 'USD'))).toBe('unknown');
  });
});

describe('sameLocation', () => {
  it('matches place names sharing a word, in either script', () => {
    expect(sameLocation('贵州遵义 Zunyi', '贵州遵义 Zunyi, Guizhou')).toBe(true);
    expect(sameLocation('Hangzhou', '杭州 Hangzhou')).toBe(true);
    expect(sameLocation('杭州', '杭州 Hangzhou')).toBe(true);
    expect(sameLocation('杭州 Hangzhou', '成都 Chengdu')).toBe(false);
  });
});

describe('matchJob', () => {
  it('gives the reason in parts: skills matched of the job’s, salary, location, job type', () => {
    expect(matchJob(graduate, demoJobs[1]!)).toEqual({
      score: 73, // 50·2/3 + 25·0.6 + 15 + 10
      reason: { skills: { matched: 2, total: 3, names: ['TypeScript', 'CSS'] }, salary: 'overlaps', location: true, jobType: true },
    });
  });

  it('compares skills without case or spacing, and counts a repeated skill once', () => {
    const m = matchJob({ ...graduate, skills: ['typescript', ' css '] }, { ...demoJobs[1]!, skills: ['TypeScript', 'Typescript', 'CSS'] });
    expect(m.reason.skills).toEqual({ matched: 2, total: 2, names: ['TypeScript', 'CSS'] });
  });

  it('scores a perfect fit 100 and an unknown preference as half', () => {
    const perfect = matchJob(graduate, { skills: ['SQL'], salaryMin: 9000, salaryMax: 12000, currency: 'CNY', location: 'Hangzhou', jobType: 'full_time' });
    expect(perfect).toEqual({ score: 100, reason: { skills: { matched: 1, total: 1, names: ['SQL'] }, salary: 'within', location: true, jobType: true } });
    const blank: MatchProfile = { skills: [], salaryMin: null, salaryMax: null, currency: 'CNY', locations: [], jobTypes: [] };
    // 0 skills of 1, salary unknown (12.5), location and type unnamed (7.5 + 5)
    expect(matchJob(blank, demoJobs[0]!)).toEqual({
      score: 25,
      reason: { skills: { matched: 0, total: 1, names: [] }, salary: 'unknown', location: null, jobType: null },
    });
  });
});

describe('rankJobs', () => {
  it('ranks the demo jobs for the demo graduate in the order written here', () => {
    const ranked = rankJobs(graduate, demoJobs);
    expect(ranked.map((r) => [r.job.id, r.match.score])).toEqual([
      ['a-frontend', 73], // 2 of 3 skills, pay overlaps, Hangzhou, full-time
      ['b-qa', 65], // 1 of 2 skills, pay overlaps, Hangzhou, full-time
      ['c-ecommerce', 40], // no skills, pay overlaps (8000 = expected minimum), Zunyi, full-time
      ['f-dispatcher', 25], // no skills, pay overlaps, Chengdu, full-time; ties with the intern job but pays more
      ['d-intern', 25], // no skills, pay below, Zunyi, internship
      ['e-rider', 15], // no skills, pay overlaps, Chengdu, gig
    ]);
  });

  it('ranks differently for a rider in Chengdu who wants gig work', () => {
    const rider: MatchProfile = {
      skills: ['Driving licence', 'Excel'],
      salaryMin: 5000,
      salaryMax: 10000,
      currency: 'CNY',
      locations: ['Chengdu'],
      jobTypes: ['gig', 'part_time'],
    };
    expect(rankJobs(rider, demoJobs).map((r) => [r.job.id, r.match.score])).toEqual([
      ['e-rider', 90], // 1 of 1 skills, pay overlaps (4000 under the expected 5000), Chengdu, gig
      ['f-dispatcher', 65], // Excel: 1 of 2, pay within, Chengdu, full-time is not wanted
      ['a-frontend', 25], // no skills, pay above the expectation; ties with e-commerce but pays more
      ['c-ecommerce', 25], // no skills, pay within
      ['b-qa', 15], // no skills, pay overlaps
      ['d-intern', 0], // no skills, pay below, elsewhere, an internship
    ]);
  });
});

describe('bestMatch', () => {
  it('picks the best of a booth’s jobs, or nothing for a booth without jobs', () => {
    expect(bestMatch(graduate, demoJobs.slice(0, 4))).toMatchObject({ jobId: 'a-frontend', title: 'Frontend', score: 73 });
    expect(bestMatch(graduate, [])).toBeNull();
  });
});

describe('MatchingService on the demo data (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    fresh = await freshDatabase('matching');
  });
  afterAll(async () => {
    await fresh?.drop();
  });
  const user = async (email: string): Promise<SessionUser> => {
    const [u] = await fresh.database.db.select().from(schema.users).where(eq(schema.users.email, email));
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
  };

  it('ranks the open fair’s jobs for the demo seeker as the pure ranking does', async () => {
    const service = new MatchingService(fresh.database.db);
    const { matches } = await service.forSeeker(await user('seeker@example.com'));
    expect(matches.map((r) => [r.job.title, r.match.score])).toEqual([
      ['前端工程师 Frontend Engineer', 73],
      ['测试工程师 QA Engineer', 65],
      ['电商运营 E-commerce Operator', 40],
      ['调度专员 Dispatcher', 25],
      ['冷链仓管实习 Cold-chain Warehouse Intern', 25],
      ['配送骑手（兼职）Delivery Rider (part-time)', 15],
    ]);
    expect(matches[0]!.job.employerName).toMatch(/Xinghe/);
  });

  it('leaves out jobs of employers whose only fair has ended, and refuses other roles', async () => {
    const db = fresh.database.db;
    await db.update(schema.fairs).set({ status: 'ended' });
    const service = new MatchingService(db);
    expect((await service.forSeeker(await user('seeker@example.com'))).matches).toEqual([]);
    await expect(service.forSeeker(await user('employer@example.com'))).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(service.forSeeker(null)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
