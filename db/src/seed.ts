import { sql } from 'drizzle-orm';
import type { Db } from './connect.ts';
import { hashPassword } from './passwords.ts';
import { seedDemoHistory } from './seed-history.ts';
import {
  accounts,
  booths,
  broadcastHosts,
  broadcasts,
  employerMembers,
  employers,
  fairs,
  jobs,
  seekerProfiles,
  users,
} from './schema/index.ts';

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

const HOUR = 3600 * 1000;

/**
 * Fills an empty database with a live themed fair, three employers with booths and jobs and a
 * scheduled guidance broadcast, so a newcomer sees something at once; and with a fair and a
 * broadcast that ended a couple of weeks ago, with their recorded activity (seed-history.ts), so
 * the reports have numbers at once. Does nothing when any user exists already, so it is safe on
 * every start.
 */
export async function seedDemo(db: Db, now = new Date()): Promise<{ seeded: boolean }> {
  const [{ count } = { count: 0 }] = await db.select({ count: sql<number>`count(*)::int` }).from(users);
  if (count > 0) return { seeded: false };

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const insertedUsers = await tx
      .insert(users)
      .values(DEMO_ACCOUNTS.map((a) => ({ ...a, emailVerified: true })))
      .returning();
    // Email-and-password credentials, as better-auth stores them (db/src/auth.ts).
    await tx
      .insert(accounts)
      .values(insertedUsers.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: passwordHash })));
    const userByEmail = new Map(insertedUsers.map((u) => [u.email, u]));
    const idOf = (email: string) => userByEmail.get(email)!.id;

    const [fair] = await tx
      .insert(fairs)
      .values({
        title: '春风行动 · 高校毕业生云聘会 Spring Breeze Graduates Cloud Fair',
        theme: 'spring_campaign',
        description:
          '面向高校毕业生和返乡青年的线上招聘会：企业直播宣讲，视频面试。Online fair for graduates and returning youth: live booth talks and video interviews.',
        startsAt: new Date(now.getTime() - 2 * HOUR),
        endsAt: new Date(now.getTime() + 30 * 24 * HOUR),
        status: 'live',
        createdBy: idOf('organizer@example.com'),
      })
      .returning();

    const employerRows = await tx
      .insert(employers)
      .values([
        {
          name: '星河科技 Xinghe Tech',
          industry: 'software',
          location: '杭州 Hangzhou',
          description: '做政务与教育云服务的软件公司。Software for public services and education.',
        },
        {
          name: '绿野农业合作社 Green Fields Co-op',
          industry: 'agriculture',
          location: '贵州遵义 Zunyi, Guizhou',
          description: '乡村振兴示范合作社，电商与冷链。A rural co-op selling online with its own cold chain.',
        },
        {
          name: '顺达物流 Shunda Logistics',
          industry: 'logistics',
          location: '成都 Chengdu',
          description: '西南地区城配与即时配送。City and same-day delivery across the south-west.',
        },
      ])
      .returning();
    const [xinghe, greenFields, shunda] = employerRows as [
      (typeof employerRows)[0],
      (typeof employerRows)[0],
      (typeof employerRows)[0],
    ];

    await tx.insert(employerMembers).values([
      { employerId: xinghe.id, userId: idOf('employer@example.com'), role: 'owner' },
      { employerId: greenFields.id, userId: idOf('employer2@example.com'), role: 'owner' },
      { employerId: shunda.id, userId: idOf('employer3@example.com'), role: 'owner' },
    ]);

    await tx.insert(booths).values([
      { fairId: fair!.id, employerId: xinghe.id, tagline: '前端、后端、测试岗位 · Web, backend and QA roles' },
      { fairId: fair!.id, employerId: greenFields.id, tagline: '农村电商与冷链 · Rural e-commerce and cold chain' },
      { fairId: fair!.id, employerId: shunda.id, tagline: '骑手与调度，可兼职 · Riders and dispatchers, part-time welcome' },
    ]);

    await tx.insert(jobs).values([
      {
        employerId: xinghe.id,
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
        employerId: xinghe.id,
        title: '测试工程师 QA Engineer',
        location: '杭州 Hangzhou',
        jobType: 'full_time',
        salaryMin: 9000,
        salaryMax: 14000,
        headcount: 2,
        skills: ['Playwright', 'SQL'],
        benefits: ['social_insurance'],
      },
      {
        employerId: greenFields.id,
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
        employerId: greenFields.id,
        title: '冷链仓管实习 Cold-chain Warehouse Intern',
        location: '贵州遵义 Zunyi',
        jobType: 'internship',
        salaryMin: 3000,
        salaryMax: 4000,
        headcount: 2,
        skills: ['inventory'],
        benefits: ['meals', 'dormitory'],
      },
      {
        employerId: shunda.id,
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
        employerId: shunda.id,
        title: '调度专员 Dispatcher',
        location: '成都 Chengdu',
        jobType: 'full_time',
        salaryMin: 6000,
        salaryMax: 9000,
        headcount: 2,
        skills: ['Excel', 'communication'],
        benefits: ['social_insurance', 'housing_fund'],
      },
    ]);

    await tx.insert(seekerProfiles).values({
      userId: idOf('seeker@example.com'),
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

    const [broadcast] = await tx.insert(broadcasts).values({
      fairId: fair!.id,
      status: 'published',
      createdBy: idOf('organizer@example.com'),
      title: '面试技巧云直播 Interview Skills Live',
      topic: 'interview_training',
      description: '人社专家讲解视频面试准备与常见问题。Experts on preparing for video interviews.',
      startsAt: new Date(now.getTime() + 24 * HOUR),
      endsAt: new Date(now.getTime() + 25 * HOUR),
    }).returning();
    await tx.insert(broadcastHosts).values({ broadcastId: broadcast!.id, userId: idOf('organizer@example.com') });

    await seedDemoHistory(tx as unknown as Db, now);
  });
  return { seeded: true };
}
