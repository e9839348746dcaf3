import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { demoFair, freshDatabase } from '../../test/helpers.ts';
import { toCsv } from './csv.ts';
import { demandTable, ReportService, salaryBand, type DemandJob } from './reports.ts';

const job = (over: Partial<DemandJob>): DemandJob => ({
  employerName: 'E',
  title: 'T',
  headcount: 1,
  location: '杭州 Hangzhou',
  jobType: 'full_time',
  salaryMin: 5000,
  salaryMax: 8000,
  currency: 'CNY',
  skills: [],
  ...over,
});

describe('demandTable', () => {
  it('counts jobs and headcount by skill, location, job type and salary band', () => {
    const t = demandTable([
      job({ employerName: '星河科技', title: '前端', headcount: 3, skills: ['TypeScript', 'CSS'], salaryMin: 12000, salaryMax: 20000 }),
      job({ employerName: '星河科技', title: 'QA', headcount: 2, skills: ['typescript', 'SQL'], salaryMin: 9000, salaryMax: 14000 }),
      job({
        employerName: '顺达',
        title: 'Rider',
        headcount: 20,
        skills: ['driving licence'],
        location: '成都 Chengdu',
        jobType: 'gig',
        salaryMin: 4000,
        salaryMax: 9000,
      }),
      job({ employerName: '顺达', title: 'Remote', headcount: 1, skills: [], location: '成都 Chengdu', salaryMin: 2000, salaryMax: 3000, currency: 'USD' }),
    ]);
    expect(t.totals).toEqual({ jobs: 4, headcount: 26, employers: 2 });
    expect(t.bySkill).toEqual([
      { key: 'driving licence', jobs: 1, headcount: 20 },
      { key: 'TypeScript', jobs: 2, headcount: 5 },
      { key: 'CSS', jobs: 1, headcount: 3 },
      { key: 'SQL', jobs: 1, headcount: 2 },
    ]);
    expect(t.byLocation).toEqual([
      { key: '成都 Chengdu', jobs: 2, headcount: 21 },
      { key: '杭州 Hangzhou', jobs: 2, headcount: 5 },
    ]);
    expect(t.byJobType).toEqual([
      { key: 'gig', jobs: 1, headcount: 20 },
      { key: 'full_time', jobs: 3, headcount: 6 },
    ]);
    expect(t.bySalaryBand).toEqual([
      { key: '5000_7999 CNY', jobs: 1, headcount: 20 }, // middle 6500
      { key: '12000_19999 CNY', jobs: 1, headcount: 3 }, // middle 16000
      { key: '8000_11999 CNY', jobs: 1, headcount: 2 }, // middle 11500
      { key: 'under_3000 USD', jobs: 1, headcount: 1 },
    ]);
  });

  it('bands by the middle of the range, lower bound inclusive', () => {
    expect(salaryBand({ salaryMin: 2000, salaryMax: 3998 })).toBe('under_3000');
    expect(salaryBand({ salaryMin: 3000, salaryMax: 3000 })).toBe('3000_4999');
    expect(salaryBand({ salaryMin: 20000, salaryMax: 30000 })).toBe('20000_plus');
  });
});

describe('toCsv', () => {
  it('writes UTF-8 with a BOM, CRLF line ends and RFC 4180 quoting', () => {
    const csv = toCsv(
      ['岗位', 'note'],
      [
        ['前端工程师', 'plain'],
        ['a,b', 'say "hi"'],
        ['two\nlines', null],
        [12000, -5],
      ],
    );
    expect(csv).toBe('\uFEFF岗位,note\r\n前端工程师,plain\r\n"a,b","say ""hi"""\r\n"two\nlines",\r\n12000,-5\r\n');
  });

  it('keeps spreadsheets from running a cell as a formula', () => {
    expect(toCsv(['x'], [['=HYPERLINK("x")'], ['+1 call'], ['@me']])).toBe('\uFEFFx\r\n"\'=HYPERLINK(""x"")"\r\n\'+1 call\r\n\'@me\r\n');
  });

  it('neutralises cells that start with whitespace, a line break, a pipe or a full-width formula sign', () => {
    const risky = [' =1+1', '\t=1', '\r=1', '\n=1', '\u3000=1', '\u00a0=1', '|calc', '＝1+1', '＋1', '－1', '＠SUM(A1)', '｜calc', '-1+1', '=cmd|x'];
    for (const text of risky) {
      const [, line] = toCsv(['x'], [[text]])
        .slice(1)
        .split('\r\n');
      const unquoted = line!.startsWith('"') ? line!.slice(1, -1).replaceAll('""', '"') : line!;
      expect(unquoted, JSON.stringify(text)).toBe(`'${text}`);
    }
    // Numbers and ordinary text are left alone.
    expect(toCsv(['x'], [[-5], ['-5'], ['3.5'], ['a - b'], ['前端']])).toBe('\uFEFFx\r\n-5\r\n-5\r\n3.5\r\na - b\r\n前端\r\n');
  });
});

describe('ReportService on the demo data (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let fairId: string;
  let boothOf: (name: string) => string;
  beforeAll(async () => {
    fresh = await freshDatabase('reports');
    fairId = (await demoFair(fresh.database.db)).id;
    const booths = await fresh.database.db
      .select({ id: schema.booths.id, name: schema.employers.name })
      .from(schema.booths)
      .innerJoin(schema.employers, eq(schema.employers.id, schema.booths.employerId))
      .where(eq(schema.booths.fairId, fairId));
    boothOf = (name) => booths.find((b) => b.name.includes(name))!.id;
  });
  afterAll(async () => {
    await fresh?.drop();
  });
  const user = async (email: string): Promise<SessionUser> => {
    const [u] = await fresh.database.db.select().from(schema.users).where(eq(schema.users.email, email));
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
  };

  it('gives organizers the fair report with the demand table, zeros before anyone came', async () => {
    const reports = new ReportService(fresh.database.db);
    const report = await reports.fairReport(await user('organizer@example.com'), fairId);
    expect(report.booths).toHaveLength(3);
    expect(report.total).toMatchObject({ visited: 0, queued: 0, interviewed: 0, conversion: 0, medianWaitSeconds: null });
    expect(report.demand.totals).toEqual({ jobs: 6, headcount: 33, employers: 3 });
    expect(report.demand.byJobType).toEqual([
      { key: 'gig', jobs: 1, headcount: 20 },
      { key: 'full_time', jobs: 4, headcount: 11 },
      { key: 'internship', jobs: 1, headcount: 2 },
    ]);
  });

  it('lets each employer read only its own booth, and only organizers the fair', async () => {
    const reports = new ReportService(fresh.database.db);
    const xinghe = boothOf('Xinghe');
    await expect(reports.boothReport(await user('employer@example.com'), xinghe)).resolves.toMatchObject({ booth: { id: xinghe } });
    await expect(reports.boothReport(await user('organizer@example.com'), xinghe)).resolves.toMatchObject({ booth: { id: xinghe } });
    await expect(reports.boothReport(await user('employer2@example.com'), xinghe)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(reports.boothReport(await user('seeker@example.com'), xinghe)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(reports.boothReport(null, xinghe)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(reports.fairReport(await user('employer@example.com'), fairId)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(reports.fairReport(await user('seeker@example.com'), fairId)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(reports.fairReport(await user('organizer@example.com'), '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
