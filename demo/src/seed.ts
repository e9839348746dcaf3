import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createServices } from '@fairground/core';
import type { EmployerInput, JobInput } from '@fairground/core/schemas';
import { createAuth, schema, type Auth, type Db, type SessionUser } from '@fairground/db';
import { seedDemoHistory } from './history.ts';

export const DEMO_PASSWORD = 'fairground-demo';

export interface DemoAccount {
  email: string;
  role: 'seeker' | 'employer' | 'organizer';
  name: string;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'seeker@example.com', role: 'seeker', name: '李明 Li Ming' },
  { email: 'employer@example.com', role: 'employer', name: '王芳 Wang Fang' },
  { email: 'employer2@example.com', role: 'employer', name: '赵强 Zhao Qiang' },
  { email: 'employer3@example.com', role: 'employer', name: '陈静 Chen Jing' },
  { email: 'organizer@example.com', role: 'organizer', name: '张伟 Zhang Wei' },
];

/** The live demo fair's and the upcoming broadcast's titles (e2e journeys look for them). */
export const DEMO_FAIR_TITLE = '春风行动 · 高校毕业生云聘会 Spring Breeze Graduates Cloud Fair';
export const DEMO_BROADCAST_TITLE = '面试技巧云直播 Interview Skills Live';

const HOUR = 3600 * 1000;

/**
 * Fills an empty database with a live themed fair, three employers with booths and jobs and a
 * scheduled guidance broadcast, so a newcomer sees something at once; and with a fair and a
 * broadcast that ended a couple of weeks ago, with their recorded activity (history.ts), so the
 * reports have numbers at once. Does nothing when any user exists already, so it is safe on every
 * start.
 *
 * Everything of the present is made as people make it: the accounts through `auth.createAccount`
 * (better-auth's password storage, as `npm run create-admin`), then the organizer and the
 * employers act through core's services (register companies, post jobs, create and open the fair,
 * apply for booths and approve them, schedule and publish the broadcast), so the demo cannot
 * drift from the product's rules. Those steps run in one transaction after the accounts.
 *
 * `auth` is the platform's; without one (test setup, scripts) a private one stores the passwords
 * (no session is left behind, so its secret signs nothing). `now` places everything in time.
 */
export async function seedDemo(db: Db, options: { auth?: Auth; now?: Date } = {}): Promise<{ seeded: boolean }> {
  const now = options.now ?? new Date();
  const auth = options.auth ?? createAuth(db, { secret: randomBytes(32).toString('hex'), baseURL: 'http://localhost:3000' });
  const [{ count } = { count: 0 }] = await db.select({ count: sql<number>`count(*)::int` }).from(schema.users);
  if (count > 0) return { seeded: false };

  const people = new Map<string, SessionUser>();
  for (const account of DEMO_ACCOUNTS) {
    const created = await auth.createAccount({ ...account, password: DEMO_PASSWORD });
    if (!created.ok) throw new Error(`demo: could not create ${account.email}: ${created.reason}`);
    people.set(account.email, created.user);
  }
  const as = (email: string) => people.get(email)!;
  const organizer = as('organizer@example.com');

  await db.transaction(async (tx) => {
    const services = createServices(tx as unknown as Db);

    const fair = await services.fairs.create(organizer, {
      title: DEMO_FAIR_TITLE,
      theme: 'spring_campaign',
      description:
        '面向高校毕业生和返乡青年的线上招聘会：企业直播宣讲，视频面试。Online fair for graduates and returning youth: live booth talks and video interviews.',
      startsAt: new Date(now.getTime() - 2 * HOUR),
      endsAt: new Date(now.getTime() + 30 * 24 * HOUR),
    });
    await services.fairs.setStatus(organizer, fair.id, 'published');
    await services.fairs.setStatus(organizer, fair.id, 'live');

    for (const company of DEMO_EMPLOYERS) {
      const owner = as(company.owner);
      const employer = await services.employers.create(owner, { ...company.employer, size: '1-49' });
      for (const job of company.jobs) await services.employers.createJob(owner, employer.id, job);
      const booth = await services.fairs.apply(owner, employer.id, { fairId: fair.id, tagline: company.tagline });
      await services.fairs.decide(organizer, booth.id, 'approved');
    }

    const seeker = as('seeker@example.com');
    await services.profiles.save(seeker, {
      name: seeker.name,
      headline: '应届毕业生，计算机专业 · Computer science graduate',
      skills: ['TypeScript', 'CSS', 'SQL'],
      yearsExperience: 1,
      education: '贵州大学 计算机科学与技术 本科 · BSc Computer Science, Guizhou University',
      salaryMin: 8000,
      salaryMax: 13000,
      locations: ['杭州 Hangzhou', '贵州遵义 Zunyi'],
      jobTypes: ['full_time', 'internship'],
      languages: ['zh', 'en'],
    });

    const broadcast = await services.broadcasts.create(organizer, {
      fairId: fair.id,
      title: DEMO_BROADCAST_TITLE,
      topic: 'interview_training',
      description: '人社专家讲解视频面试准备与常见问题。Experts on preparing for video interviews.',
      startsAt: new Date(now.getTime() + 24 * HOUR),
      endsAt: new Date(now.getTime() + 25 * HOUR),
    });
    await services.broadcasts.publish(organizer, broadcast.id);

    await seedDemoHistory(tx as unknown as Db, now);
  });
  return { seeded: true };
}

/** The three demo companies: who owns each, its jobs and its booth's tagline. */
const DEMO_EMPLOYERS: Array<{ owner: string; employer: Omit<EmployerInput, 'size'>; tagline: string; jobs: JobInput[] }> = [
  {
    owner: 'employer@example.com',
    employer: {
      name: '星河科技 Xinghe Tech',
      industry: 'software',
      location: '杭州 Hangzhou',
      description: '做政务与教育云服务的软件公司。Software for public services and education.',
    },
    tagline: '前端、后端、测试岗位 · Web, backend and QA roles',
    jobs: [
      {
        title: '前端工程师 Frontend Engineer',
        location: '杭州 Hangzhou',
        jobType: 'full_time',
        salaryMin: 12000,
        salaryMax: 20000,
        headcount: 3,
        skills: ['TypeScript', 'Svelte', 'CSS'],
        benefits: ['social_insurance', 'housing_fund'],
      },
      {
        title: '测试工程师 QA Engineer',
        location: '杭州 Hangzhou',
        jobType: 'full_time',
        salaryMin: 9000,
        salaryMax: 14000,
        headcount: 2,
        skills: ['Playwright', 'SQL'],
        benefits: ['social_insurance'],
      },
    ],
  },
  {
    owner: 'employer2@example.com',
    employer: {
      name: '绿野农业合作社 Green Fields Co-op',
      industry: 'agriculture',
      location: '贵州遵义 Zunyi, Guizhou',
      description: '乡村振兴示范合作社，电商与冷链。A rural co-op selling online with its own cold chain.',
    },
    tagline: '农村电商与冷链 · Rural e-commerce and cold chain',
    jobs: [
      {
        title: '电商运营 E-commerce Operator',
        location: '贵州遵义 Zunyi',
        jobType: 'full_time',
        salaryMin: 5000,
        salaryMax: 8000,
        headcount: 4,
        skills: ['livestream selling', 'copywriting'],
        benefits: ['social_insurance', 'meals'],
      },
      {
        title: '冷链仓管实习 Cold-chain Warehouse Intern',
        location: '贵州遵义 Zunyi',
        jobType: 'internship',
        salaryMin: 3000,
        salaryMax: 4000,
        headcount: 2,
        skills: ['inventory'],
        benefits: ['meals', 'dormitory'],
      },
    ],
  },
  {
    owner: 'employer3@example.com',
    employer: {
      name: '顺达物流 Shunda Logistics',
      industry: 'logistics',
      location: '成都 Chengdu',
      description: '西南地区城配与即时配送。City and same-day delivery across the south-west.',
    },
    tagline: '骑手与调度，可兼职 · Riders and dispatchers, part-time welcome',
    jobs: [
      {
        title: '配送骑手（兼职）Delivery Rider (part-time)',
        location: '成都 Chengdu',
        jobType: 'gig',
        salaryMin: 4000,
        salaryMax: 9000,
        headcount: 20,
        skills: ['driving licence'],
        benefits: ['accident_insurance'],
      },
      {
        title: '调度专员 Dispatcher',
        location: '成都 Chengdu',
        jobType: 'full_time',
        salaryMin: 6000,
        salaryMax: 9000,
        headcount: 2,
        skills: ['Excel', 'communication'],
        benefits: ['social_insurance', 'housing_fund'],
      },
    ],
  },
];
