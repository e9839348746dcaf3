import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const {
  booths,
  broadcastHosts,
  broadcastMessages,
  broadcastPeaks,
  broadcastQuestions,
  broadcastQuestionVotes,
  broadcastViewers,
  broadcastViewerSamples,
  broadcasts,
  countedEvents,
  employerMembers,
  employers,
  fairs,
  interviews,
  queueEntries,
  seekerProfiles,
  users,
} = schema;

/*
 * A finished fair and a finished broadcast with recorded activity, so every report has numbers on
 * a fresh start. Rows are written the way the product writes them (core/src/queue.ts,
 * interviews.ts, funnel.ts, broadcast-audience.ts): counted events with the ids the real code
 * derives, queue entries and interviews whose statuses and timestamps agree with those events,
 * and an audience whose viewers, peak and 5 s samples agree with each other. The reports then
 * compute everything themselves. A seeded generator makes it the same on every run (only the
 * row ids differ).
 *
 * The history writer: unlike seed.ts, which acts through core's services, this writes rows
 * directly, because everything here happened weeks ago (registrations, a fair's two days, a line
 * played minute by minute, an audience on the 5 s grid) and the services act now. It writes only
 * finished things (an ended fair and broadcast), so no rule of the live product depends on it;
 * history.test.ts checks its rows against each other and the plan, history-report.test.ts the
 * reports on them.
 */

/**
 * What happened to one queue entry:
 * - an interview that started (both sides connected) and ended, with the recruiter's outcome
 *   (`no_outcome`: none recorded; `no_show`: the seeker dropped at once and never came back);
 * - `left`: gave up while waiting; `expired`: disconnected and gone past the grace period;
 * - `declined`: was called and said no; `missed`: was called and did not accept in time (a
 *   queue no-show).
 */
export type DemoStory = 'offer' | 'next_round' | 'not_a_fit' | 'no_show' | 'no_outcome' | 'left' | 'expired' | 'declined' | 'missed';

export const INTERVIEW_STORIES: readonly DemoStory[] = ['offer', 'next_round', 'not_a_fit', 'no_show', 'no_outcome'];

export interface DemoBoothPlan {
  /** A word of the demo employer's name (seed.ts). */
  employer: 'Xinghe' | 'Green Fields' | 'Shunda';
  tagline: string;
  /** When its morning and afternoon live talks end (Shanghai [hour, minute]): lines grow after them. */
  talks: readonly [readonly [number, number], readonly [number, number]];
  /** Seekers who visited the booth and never joined its line. */
  visitedOnly: number;
  /** One list per seeker who joined the line: their entries, in order (a rejoin is a second entry). */
  lines: DemoStory[][];
}

const HOUR = 3600 * 1000;
const MINUTE = 60 * 1000;
const DAY = 24 * HOUR;
/** China has one zone and no daylight saving. */
const SHANGHAI_OFFSET = 8 * HOUR;
const SAMPLE_MS = 5000;

/** The shape of the history; the numbers in the reports follow from it. */
export const DEMO_HISTORY = {
  fair: {
    title: '民营企业招聘月 · 线上专场 Private Enterprise Recruitment Month Online Fair',
    customTheme: '民营企业招聘月 Private Enterprise Recruitment Month',
    description:
      '全国民营企业招聘月线上专场：企业直播宣讲，视频面试，岗位与求职者精准对接。Online session of the national Private Enterprise Recruitment Month: live company talks and video interviews.',
    /** Shanghai dates: it opened this many days before today at 09:00 and ran two days, to 17:00. */
    startsDaysAgo: 17,
    days: 2,
  },
  broadcast: {
    title: '政策问答：社保、就业补贴与创业扶持 Policy Q&A: social insurance, job subsidies and start-up support',
    description:
      '人社局专家解答灵活就业参保、求职创业补贴和返乡创业扶持。Officials of the human resources and social security bureau on social insurance for gig workers, job-seeking and start-up subsidies, and support for returning entrepreneurs.',
    /** On the fair's first day, 14:00 to 15:00 Shanghai time. */
    startsAtHour: 14,
    minutes: 60,
    /** Signed-in seekers who watched (of the seeded ones) and anonymous devices. */
    seekerViewers: 26,
    deviceViewers: 92,
  },
  seekers: 40,
  booths: [
    {
      employer: 'Xinghe',
      talks: [
        [10, 0],
        [14, 0],
      ],
      tagline: '政务云项目扩招：前端与测试 · Growing our public-service cloud team: frontend and QA',
      visitedOnly: 17,
      lines: [
        ['offer'],
        ['offer'],
        ['next_round'],
        ['next_round'],
        ['missed', 'next_round'],
        ['not_a_fit'],
        ['not_a_fit'],
        ['left', 'not_a_fit'],
        ['no_show'],
        ['left'],
        ['left'],
        ['declined'],
        ['missed'],
        ['expired'],
      ],
    },
    {
      employer: 'Green Fields',
      talks: [
        [10, 30],
        [14, 30],
      ],
      tagline: '合作社电商团队招人，包食宿 · Co-op e-commerce team hiring, meals and dormitory',
      visitedOnly: 11,
      lines: [
        ['offer'],
        ['offer'],
        ['missed', 'offer'],
        ['next_round'],
        ['next_round'],
        ['not_a_fit'],
        ['no_outcome'],
        ['left'],
        ['left'],
        ['missed'],
        ['expired'],
      ],
    },
    {
      employer: 'Shunda',
      talks: [
        [9, 45],
        [13, 45],
      ],
      tagline: '旺季骑手与调度，日结可选 · Peak-season riders and dispatchers, daily pay available',
      visitedOnly: 16,
      lines: [
        ['offer'],
        ['offer'],
        ['offer'],
        ['offer'],
        ['left', 'offer'],
        ['next_round'],
        ['next_round'],
        ['not_a_fit'],
        ['not_a_fit'],
        ['missed', 'not_a_fit'],
        ['no_show'],
        ['no_outcome'],
        ['left'],
        ['left'],
        ['left'],
        ['declined'],
        ['missed'],
        ['missed'],
      ],
    },
  ] satisfies DemoBoothPlan[],
} as const;

type Archetype = 'tech' | 'ecommerce' | 'logistics' | 'general';

/** The seeded seekers: `seekerNN@demo.fairground.test`, in this order. */
export const DEMO_SEEKERS: ReadonlyArray<{ name: string; kind: Archetype }> = [
  { name: '王磊 Wang Lei', kind: 'tech' },
  { name: '李娜 Li Na', kind: 'ecommerce' },
  { name: '刘洋 Liu Yang', kind: 'logistics' },
  { name: '陈晨 Chen Chen', kind: 'tech' },
  { name: '杨帆 Yang Fan', kind: 'logistics' },
  { name: '赵敏 Zhao Min', kind: 'ecommerce' },
  { name: '黄涛 Huang Tao', kind: 'logistics' },
  { name: '周婷 Zhou Ting', kind: 'tech' },
  { name: '吴昊 Wu Hao', kind: 'tech' },
  { name: '徐静 Xu Jing', kind: 'general' },
  { name: '孙浩然 Sun Haoran', kind: 'tech' },
  { name: '马丽 Ma Li', kind: 'ecommerce' },
  { name: '朱军 Zhu Jun', kind: 'logistics' },
  { name: '胡雪 Hu Xue', kind: 'general' },
  { name: '郭鹏 Guo Peng', kind: 'logistics' },
  { name: '何欣 He Xin', kind: 'tech' },
  { name: '高翔 Gao Xiang', kind: 'logistics' },
  { name: '林晓雯 Lin Xiaowen', kind: 'ecommerce' },
  { name: '罗斌 Luo Bin', kind: 'logistics' },
  { name: '郑佳怡 Zheng Jiayi', kind: 'tech' },
  { name: '梁超 Liang Chao', kind: 'logistics' },
  { name: '谢婷婷 Xie Tingting', kind: 'ecommerce' },
  { name: '宋宇 Song Yu', kind: 'tech' },
  { name: '唐敏 Tang Min', kind: 'general' },
  { name: '许文博 Xu Wenbo', kind: 'tech' },
  { name: '韩梅 Han Mei', kind: 'ecommerce' },
  { name: '冯刚 Feng Gang', kind: 'logistics' },
  { name: '邓雨欣 Deng Yuxin', kind: 'general' },
  { name: '曹阳 Cao Yang', kind: 'logistics' },
  { name: '彭飞 Peng Fei', kind: 'tech' },
  { name: '曾秀英 Zeng Xiuying', kind: 'ecommerce' },
  { name: '肖楠 Xiao Nan', kind: 'tech' },
  { name: '田野 Tian Ye', kind: 'ecommerce' },
  { name: '董建国 Dong Jianguo', kind: 'logistics' },
  { name: '袁媛 Yuan Yuan', kind: 'general' },
  { name: '潘志强 Pan Zhiqiang', kind: 'logistics' },
  { name: '蒋琳 Jiang Lin', kind: 'tech' },
  { name: '蔡明辉 Cai Minghui', kind: 'ecommerce' },
  { name: '余洁 Yu Jie', kind: 'general' },
  { name: '杜鹏程 Du Pengcheng', kind: 'tech' },
];

export const demoSeekerEmail = (i: number) => `seeker${String(i + 1).padStart(2, '0')}@demo.fairground.test`;

/** A small seeded generator (mulberry32): the same numbers for the same seed, everywhere. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const chance = (p: number) => next() < p;
  /** k items without replacement, heavier weights first more often (Efraimidis-Spirakis). */
  const weighted = <T>(list: readonly T[], weight: (t: T) => number, k: number): T[] =>
    list
      .map((item) => ({ item, key: Math.pow(next(), 1 / weight(item)) }))
      .sort((x, y) => y.key - x.key)
      .slice(0, k)
      .map((x) => x.item);
  return { next, int, pick, chance, weighted };
}
type Random = ReturnType<typeof seededRandom>;

/** Seeker profiles by archetype: what they can do, want and where (their "demand list"). */
function profileFor(kind: Archetype, r: Random) {
  const pickSome = (pool: readonly string[], min: number, max: number) => r.weighted(pool, () => 1, r.int(min, max));
  const roundTo = (n: number, step: number) => Math.round(n / step) * step;
  switch (kind) {
    case 'tech': {
      const years = r.int(0, 6);
      const salaryMin = roundTo(7000 + years * 1200 + r.int(0, 2000), 500);
      return {
        headline: r.pick(
          years === 0
            ? ['计算机专业应届生 · Computer science graduate', '软件工程应届生，做过校园项目 · Software engineering graduate with campus projects']
            : [
                `前端开发，${years} 年经验 · Frontend developer, ${years} years`,
                `测试工程师，${years} 年经验 · QA engineer, ${years} years`,
                `后端开发，${years} 年经验 · Backend developer, ${years} years`,
              ],
        ),
        skills: pickSome(['TypeScript', 'Svelte', 'CSS', 'SQL', 'Playwright', 'Java', 'Python', 'Vue', 'Linux', 'Git'], 3, 5),
        yearsExperience: years,
        education: r.pick([
          '浙江工业大学 软件工程 本科 · BEng Software Engineering, Zhejiang University of Technology',
          '贵州大学 计算机科学与技术 本科 · BSc Computer Science, Guizhou University',
          '杭州职业技术学院 软件技术 大专 · Diploma in Software Technology, Hangzhou Vocational and Technical College',
          '四川大学 信息安全 本科 · BEng Information Security, Sichuan University',
        ]),
        salaryMin,
        salaryMax: salaryMin + roundTo(r.int(3000, 8000), 500),
        locations: r.chance(0.5) ? ['杭州 Hangzhou'] : ['杭州 Hangzhou', r.pick(['上海 Shanghai', '成都 Chengdu', '贵阳 Guiyang'])],
        jobTypes: years === 0 ? (['full_time', 'internship'] as const) : (['full_time'] as const),
        languages: r.chance(0.6) ? ['zh', 'en'] : ['zh'],
      };
    }
    case 'ecommerce': {
      const years = r.int(0, 4);
      const salaryMin = roundTo(3500 + r.int(0, 3000), 500);
      return {
        headline: r.pick([
          '返乡青年，做过农产品直播 · Back home, sold farm produce on livestreams',
          `电商客服 ${Math.max(1, years)} 年 · E-commerce customer service, ${Math.max(1, years)} years`,
          '会拍短视频，想做乡村电商 · Makes short videos, wants to work in rural e-commerce',
          '物流管理专业，熟悉仓储 · Logistics management student, knows warehousing',
        ]),
        skills: pickSome(['livestream selling', 'copywriting', 'photography', 'inventory', 'customer service', 'Excel', 'short video editing'], 2, 4),
        yearsExperience: years,
        education: r.pick([
          '遵义职业技术学院 电子商务 大专 · Diploma in E-commerce, Zunyi Vocational and Technical College',
          '贵州财经大学 市场营销 本科 · BA Marketing, Guizhou University of Finance and Economics',
          '凯里学院 物流管理 本科 · BA Logistics Management, Kaili University',
          '高中 · Senior high school',
        ]),
        salaryMin,
        salaryMax: salaryMin + roundTo(r.int(1500, 3000), 500),
        locations: ['贵州遵义 Zunyi', ...(r.chance(0.5) ? [r.pick(['贵阳 Guiyang', '凯里 Kaili'])] : [])],
        jobTypes: r.pick([['full_time'], ['full_time', 'internship'], ['full_time', 'part_time']] as const),
        languages: ['zh'],
      };
    }
    case 'logistics': {
      const years = r.int(0, 8);
      const salaryMin = roundTo(4000 + r.int(0, 3000), 500);
      return {
        headline: r.pick([
          `快递员 ${Math.max(1, years)} 年，熟悉城区 · Courier for ${Math.max(1, years)} years, knows the city`,
          '想找兼职骑手，时间灵活 · Looking for part-time rider work, flexible hours',
          '仓库叉车工，有证 · Warehouse forklift driver, licensed',
          '做过调度和客服 · Has worked as dispatcher and in customer service',
        ]),
        skills: pickSome(['driving licence', 'Excel', 'communication', 'forklift', 'route planning', 'inventory'], 2, 4),
        yearsExperience: years,
        education: r.pick([
          '成都职业技术学院 物流管理 大专 · Diploma in Logistics Management, Chengdu Polytechnic',
          '高中 · Senior high school',
          '中专 汽车运用与维修 · Vocational school, vehicle maintenance',
          '西华大学 交通运输 本科 · BEng Transportation, Xihua University',
        ]),
        salaryMin,
        salaryMax: salaryMin + roundTo(r.int(2000, 4000), 500),
        locations: ['成都 Chengdu', ...(r.chance(0.4) ? [r.pick(['重庆 Chongqing', '绵阳 Mianyang'])] : [])],
        jobTypes: r.pick([['gig'], ['gig', 'part_time'], ['full_time'], ['full_time', 'gig']] as const),
        languages: ['zh'],
      };
    }
    case 'general': {
      const years = r.int(0, 3);
      const salaryMin = roundTo(4000 + r.int(0, 4000), 500);
      return {
        headline: r.pick([
          '应届毕业生，方向未定 · Fresh graduate, open to options',
          '想换行，做过行政 · Former office administrator looking for a change',
          '宝妈，想找兼职 · Parent looking for part-time work',
        ]),
        skills: pickSome(['communication', 'Excel', 'copywriting', 'customer service', 'SQL'], 2, 3),
        yearsExperience: years,
        education: r.pick([
          '西南大学 汉语言文学 本科 · BA Chinese Literature, Southwest University',
          '贵州师范大学 英语 本科 · BA English, Guizhou Normal University',
          '大专 · College diploma',
        ]),
        salaryMin,
        salaryMax: salaryMin + roundTo(r.int(2000, 4000), 500),
        locations: r.weighted(['杭州 Hangzhou', '贵州遵义 Zunyi', '成都 Chengdu', '贵阳 Guiyang'], () => 1, r.int(1, 2)),
        jobTypes: r.pick([['full_time'], ['part_time', 'gig'], ['full_time', 'part_time']] as const),
        languages: r.chance(0.3) ? ['zh', 'en'] : ['zh'],
      };
    }
  }
}

/** How likely a seeker of each kind is to walk into each booth (and to get far in its line). */
const AFFINITY: Record<DemoBoothPlan['employer'], Record<Archetype, number>> = {
  Xinghe: { tech: 1, general: 0.6, ecommerce: 0.3, logistics: 0.2 },
  'Green Fields': { ecommerce: 1, general: 0.5, logistics: 0.35, tech: 0.2 },
  Shunda: { logistics: 1, general: 0.6, ecommerce: 0.45, tech: 0.2 },
};

const NOTES: Record<Exclude<DemoStory, 'left' | 'expired' | 'declined' | 'missed'>, string[]> = {
  offer: [
    '基础扎实，沟通清楚，可以尽快到岗。发 offer。Solid basics, communicates clearly, can start soon. Offer.',
    '做过类似工作，期望薪资在范围内。Has done similar work; salary expectation fits. Offer made.',
    '态度积极，熟悉本地情况。Positive attitude, knows the area well. Offer.',
  ],
  next_round: [
    '初面通过，约主管复试。Passed the first round; second round with the team lead.',
    '经验略少但学得快，安排复试。A little light on experience but learns fast; second interview.',
    '先到现场试岗半天再定。Half a day on site before we decide.',
  ],
  not_a_fit: [
    '期望薪资高于岗位范围。Salary expectation above the range.',
    '希望在老家附近工作，岗位在外地。Wants to work near home; the job is elsewhere.',
    '岗位需要的技能暂时不具备。Does not have the skills the job needs yet.',
  ],
  no_show: ['候选人连上后很快掉线，等了 3 分钟未返回。Dropped right after connecting; waited 3 minutes, did not come back.'],
  no_outcome: ['网络较差，聊了一半，稍后电话联系。Poor connection; will follow up by phone.'],
};

const QUESTIONS: Array<{ body: string; votes: number; answered: boolean; pinned?: boolean }> = [
  { body: '灵活就业人员怎么交社保？能按月交吗？How do gig workers pay social insurance? Can we pay monthly?', votes: 17, answered: true, pinned: true },
  { body: '返乡创业有哪些补贴？贷款有贴息吗？What start-up subsidies are there for returning entrepreneurs? Are loans subsidised?', votes: 13, answered: true },
  { body: '应届生的求职创业补贴怎么申请？How do graduates apply for the job-seeking and start-up subsidy?', votes: 10, answered: true },
  { body: '试用期公司必须给交社保吗？Must the employer pay social insurance during probation?', votes: 8, answered: true },
  { body: '兼职骑手算劳动关系吗？受伤了怎么办？Are part-time riders employees? What if we get hurt?', votes: 5, answered: true },
  { body: '在外地就业，医保能转过去吗？If I work in another province, can my medical insurance move with me?', votes: 3, answered: false },
];

const CHAT: string[] = [
  '老师好！来自遵义 Hello from Zunyi',
  '声音很清楚 Sound is clear',
  '成都的同学有吗？Anyone from Chengdu?',
  '灵活就业社保这个太有用了 The gig-worker social insurance part is really useful',
  '补贴去哪个窗口办？Which office handles the subsidy?',
  '能发一下政策文件链接吗？Could you share the policy document?',
  '谢谢老师，讲得很清楚 Thanks, very clear',
  '创业担保贷款额度是多少？How much is the start-up guarantee loan?',
  '骑手的职业伤害保障说得很细 Good detail on rider injury cover',
  '回放在哪里看？Where is the replay?',
  '已记下，谢谢！Noted, thanks!',
  '下次能讲讲简历吗？Could the next one cover resumes?',
  '我们村也有合作社在招人 Our village co-op is hiring too',
  '这个直播太及时了 Perfect timing for this stream',
  '社保断缴了会怎样？What happens if I miss social insurance payments?',
  '刚进来，错过了开头 Just joined, missed the start',
];

const HOST_CHAT = [
  {
    minute: 1,
    body: '欢迎大家！今天讲社保、就业补贴和创业扶持，问题请发到“提问”里。Welcome! Today: social insurance, job subsidies and start-up support. Please post questions under Questions.',
  },
  { minute: 57, body: '谢谢大家！下周还有简历诊断直播，记得预约。Thank you all! A resume clinic is on next week — save the date.' },
];

/** The instant of a Shanghai wall-clock time on the day `daysAgo` days before `now`'s Shanghai date. */
function shanghai(now: Date, daysAgo: number, hours: number, minutes = 0): number {
  const midnight = Math.floor((now.getTime() + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET;
  return midnight - daysAgo * DAY + hours * HOUR + minutes * MINUTE;
}

/** The fair's and the broadcast's windows for a given "now" (also used by tests). */
export function demoHistoryWindows(now: Date) {
  const { fair, broadcast } = DEMO_HISTORY;
  const fairStart = shanghai(now, fair.startsDaysAgo, 9);
  const fairEnd = shanghai(now, fair.startsDaysAgo - (fair.days - 1), 17);
  const broadcastStart = shanghai(now, fair.startsDaysAgo, broadcast.startsAtHour);
  return {
    fair: { startsAt: new Date(fairStart), endsAt: new Date(fairEnd) },
    broadcast: { startsAt: new Date(broadcastStart), endsAt: new Date(broadcastStart + broadcast.minutes * MINUTE) },
  };
}

interface Viewer {
  identity: string;
  seeker: number | null;
  /** [start, end) in 5 s slots from the broadcast's start. */
  segments: Array<[number, number]>;
}

/**
 * The broadcast's audience as viewing segments on the 5 s grid (joins and leaves fall on sample
 * boundaries, so the highest count ever reached is also the highest sample): most arrive in the
 * first half hour, some stay to the end, some drop and come back.
 */
export function demoAudience(r: Random, seekerIds: number[]): Viewer[] {
  const { broadcast } = DEMO_HISTORY;
  const end = (broadcast.minutes * MINUTE) / SAMPLE_MS; // 720 slots
  const deviceId = () => Array.from({ length: 32 }, () => '0123456789abcdef'[r.int(0, 15)]).join('');
  const people = [
    ...seekerIds.map((s) => ({ identity: `seeker:${s}`, seeker: s as number | null })),
    ...Array.from({ length: broadcast.deviceViewers }, () => ({ identity: `device:${deviceId()}`, seeker: null })),
  ];
  return people.map(({ identity, seeker }) => {
    const a = r.next();
    // Arrivals: a crowd at the start, a steady stream over the first 35 minutes, a few late.
    const arrival = a < 0.25 ? r.int(0, 60) : a < 0.85 ? r.int(60, 420) : r.int(420, 600);
    const s = r.next();
    // Stays: some only look in, many watch a good while, a third stay for most of it.
    const leave = s < 0.2 ? arrival + r.int(12, 72) : s < 0.62 ? arrival + r.int(120, 400) : r.chance(0.35) ? end : r.int(Math.max(arrival + 120, 460), end);
    const segments: Array<[number, number]> = [[arrival, Math.min(end, Math.max(arrival + 6, leave))]];
    const [first] = segments;
    // A dropped connection back within 10-25 s: the same view (the gap is no watch time).
    if (r.chance(0.18) && first![1] - first![0] > 40) {
      const cut = r.int(first![0] + 10, first![1] - 20);
      const gap = r.int(2, 5);
      segments.splice(0, 1, [first![0], cut], [cut + gap, first![1]]);
    }
    // Back after a few minutes: a second view.
    const last = segments.at(-1)!;
    if (r.chance(0.14) && last[1] + 60 < end) {
      const back = last[1] + r.int(24, 120);
      if (back + 24 <= end) segments.push([back, Math.min(end, back + r.int(24, 240))]);
    }
    return { identity, seeker, segments };
  });
}

interface PlannedEntry {
  id: string;
  booth: number;
  seeker: number;
  story: DemoStory;
  joinedAt: number;
  calledAt?: number;
  acceptedAt?: number;
  startedAt?: number;
  endedAt?: number;
  outcomeAt?: number;
  disconnectedAt?: number;
  interviewId?: string;
  /** What the same seeker does after this entry (a rejoin). */
  rest?: DemoStory[];
}

/**
 * One booth's line over the fair, played in time: seekers join (clustered mid-morning and early
 * afternoon), the booth's recruiter (on duty 09:00-12:00 and 13:30-17:00) calls the first one
 * waiting each time they are free; those who give up leave before they are reached.
 */
function playLine(
  r: Random,
  booth: number,
  plan: DemoBoothPlan,
  queued: number[],
  windows: { day: (d: number, h: number, m?: number) => number; fairEnd: number },
): PlannedEntry[] {
  const { day, fairEnd } = windows;
  // Most join right after one of the booth's live talks (each morning and afternoon of both days,
  // a quarter of the line each), the rest whenever they pass by that half-day. Whoever comes back
  // for a second try starts on the first day.
  const wave = new Map(
    r
      .weighted(
        plan.lines.map((_, i) => i),
        () => 1,
        plan.lines.length,
      )
      .map((i, k) => [i, k % 4]),
  );
  const joinTime = (i: number) => {
    const w = plan.lines[i]!.length > 1 ? wave.get(i)! % 2 : wave.get(i)!;
    const d = w >> 1;
    const [h, m] = plan.talks[w & 1]!;
    const [from, to] = r.chance(0.85) ? [day(d, h, m), day(d, h, m + 8)] : w & 1 ? [day(d, 13, 35), day(d, 15, 30)] : [day(d, 9, 15), day(d, 11, 30)];
    return from + Math.floor((r.next() * (to - from)) / 1000) * 1000;
  };
  /** The next moment the recruiter is on duty. */
  const onDuty = (t: number) => {
    for (let d = 0; d < DEMO_HISTORY.fair.days; d++) {
      if (t < day(d, 9)) return day(d, 9);
      if (t < day(d, 12)) return t;
      if (t < day(d, 13, 30)) return day(d, 13, 30);
      if (t < day(d, 16, 55)) return t;
    }
    throw new Error('demo history: the line ran past the fair');
  };
  /** A rejoin some time after the first entry ended, inside the hours seekers come. */
  const rejoinTime = (after: number) => {
    const t = after + r.int(15, 70) * MINUTE + r.int(0, 59) * 1000;
    for (let d = 0; d < DEMO_HISTORY.fair.days; d++) {
      if (t < day(d, 12)) return t;
      if (t < day(d, 13, 30)) return day(d, 13, 30) + r.int(0, 25) * MINUTE;
      if (t < day(d, 15, 45)) return t;
      if (d + 1 < DEMO_HISTORY.fair.days && t < day(d + 1, 9)) return day(d + 1, 9, 10) + r.int(0, 40) * MINUTE;
    }
    throw new Error('demo history: a rejoin fell after the fair');
  };
  const sec = (min: number, max: number) => r.int(min, max) * 1000;

  const pending = queued.map((seeker, i) => ({ seeker, stories: plan.lines[i]!, joinedAt: joinTime(i) }));
  const waiting: PlannedEntry[] = [];
  const done: PlannedEntry[] = [];
  let t = day(0, 9);
  while (pending.length || waiting.length) {
    pending.sort((a, b) => a.joinedAt - b.joinedAt);
    t = onDuty(t);
    while (pending.length && pending[0]!.joinedAt <= t) {
      const p = pending.shift()!;
      const [story, ...rest] = p.stories;
      waiting.push({ id: randomUUID(), booth, seeker: p.seeker, story: story!, joinedAt: p.joinedAt, rest });
    }
    if (!waiting.length) {
      // An idle recruiter sees the newcomer and calls them a little later.
      t = pending[0]!.joinedAt + sec(15, 120);
      continue;
    }
    const e = waiting.shift()!;
    switch (e.story) {
      case 'left': {
        // Gave up before the recruiter got to them.
        const waited = t - e.joinedAt;
        e.endedAt = e.joinedAt + Math.max(Math.min(waited, 30_000), Math.floor((waited * (0.4 + 0.55 * r.next())) / 1000) * 1000);
        break;
      }
      case 'expired': {
        // Their connection dropped while waiting (so "call next" skipped them) and did not come
        // back within the 60 s grace period; the next sweep took them out of the line.
        const waited = t - e.joinedAt;
        e.disconnectedAt = e.joinedAt + Math.min(waited, Math.max(20_000, Math.floor((waited * (0.3 + 0.6 * r.next())) / 1000) * 1000));
        e.endedAt = e.disconnectedAt + sec(60, 61);
        break;
      }
      case 'declined':
        e.calledAt = t;
        e.endedAt = t + sec(8, 40);
        t = e.endedAt + sec(10, 30);
        break;
      case 'missed':
        e.calledAt = t;
        // Not accepted in 60 s: the next sweep (each second) makes it a no-show.
        e.endedAt = t + 60_000 + sec(0, 1);
        t = e.endedAt + sec(5, 20);
        break;
      default: {
        e.calledAt = t;
        e.acceptedAt = t + sec(6, 45);
        e.startedAt = e.acceptedAt + sec(4, 25);
        const minutes = { offer: [14, 24], next_round: [11, 20], not_a_fit: [6, 13], no_outcome: [8, 15], no_show: [1, 3] }[e.story] as [number, number];
        e.endedAt = e.startedAt + r.int(minutes[0] * 60, minutes[1] * 60) * 1000;
        e.interviewId = randomUUID();
        if (e.story !== 'no_outcome') e.outcomeAt = e.endedAt + sec(20, 240);
        t = (e.outcomeAt ?? e.endedAt) + sec(15, 150);
      }
    }
    if (e.endedAt! > fairEnd) throw new Error('demo history: an entry ended after the fair');
    if (e.calledAt && e.calledAt - e.joinedAt > 3 * HOUR) throw new Error('demo history: a seeker waited overnight');
    done.push(e);
    const { rest } = e;
    delete e.rest;
    if (rest?.length) pending.push({ seeker: e.seeker, stories: rest, joinedAt: rejoinTime(e.endedAt!) });
  }
  return done;
}

/**
 * Adds the finished fair (three booths of the demo employers, their lines, interviews and outcomes),
 * its finished broadcast (audience, chat and Q&A) and the seekers who took part. Call it on a
 * database that has the demo accounts and employers (seedDemo does, in its own transaction).
 */
export async function seedDemoHistory(db: Db, now = new Date()) {
  const r = seededRandom(20240515);
  const { fair: fairWindow, broadcast: broadcastWindow } = demoHistoryWindows(now);
  const fairStart = fairWindow.startsAt.getTime();
  const day = (d: number, h: number, m = 0) => fairStart + d * DAY + (h - 9) * HOUR + m * MINUTE;

  const [organizer] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'organizer@example.com'));
  const employerRows = await db
    .select({ id: employers.id, name: employers.name, ownerId: employerMembers.userId })
    .from(employers)
    .innerJoin(employerMembers, eq(employerMembers.employerId, employers.id))
    .where(eq(employerMembers.role, 'owner'));
  const employerOf = (word: string) => {
    const row = employerRows.find((e) => e.name.includes(word));
    if (!row) throw new Error(`demo history: no demo employer "${word}"`);
    return row;
  };
  if (!organizer) throw new Error('demo history: no demo organizer');

  // The seekers, registered in the weeks before the fair.
  const seekerRows = await db
    .insert(users)
    .values(
      DEMO_SEEKERS.map((s, i) => {
        const at = new Date(fairStart - r.int(3, 40) * DAY - r.int(0, 12 * 60) * MINUTE);
        return { email: demoSeekerEmail(i), name: s.name, role: 'seeker' as const, emailVerified: true, createdAt: at, updatedAt: at };
      }),
    )
    .returning({ id: users.id, email: users.email, createdAt: users.createdAt });
  const seekerId = (i: number) => seekerRows.find((u) => u.email === demoSeekerEmail(i))!.id;
  await db.insert(seekerProfiles).values(
    DEMO_SEEKERS.map((s, i) => {
      const p = profileFor(s.kind, r);
      return {
        userId: seekerId(i),
        ...p,
        jobTypes: [...p.jobTypes],
        updatedAt: new Date(seekerRows[i]!.createdAt.getTime() + r.int(5, 120) * MINUTE),
      };
    }),
  );

  const [fair] = await db
    .insert(fairs)
    .values({
      title: DEMO_HISTORY.fair.title,
      theme: 'custom',
      customTheme: DEMO_HISTORY.fair.customTheme,
      description: DEMO_HISTORY.fair.description,
      startsAt: fairWindow.startsAt,
      endsAt: fairWindow.endsAt,
      status: 'ended',
      createdBy: organizer.id,
      createdAt: new Date(fairStart - 21 * DAY),
    })
    .returning({ id: fairs.id });
  const plans = DEMO_HISTORY.booths as readonly DemoBoothPlan[];
  const boothRows = await db
    .insert(booths)
    .values(
      plans.map((p, i) => ({ fairId: fair!.id, employerId: employerOf(p.employer).id, tagline: p.tagline, createdAt: new Date(fairStart - (14 - i) * DAY) })),
    )
    .returning({ id: booths.id, employerId: booths.employerId });

  // Who visited which booth, and who of them joined its line (more likely the closer the fit).
  const everyone = DEMO_SEEKERS.map((_, i) => i);
  const events: Array<typeof countedEvents.$inferInsert> = [];
  const entries: PlannedEntry[] = [];
  plans.forEach((plan, b) => {
    const boothId = boothRows[b]!.id;
    const fit = (i: number) => AFFINITY[plan.employer][DEMO_SEEKERS[i]!.kind];
    const visitors = r.weighted(everyone, fit, plan.visitedOnly + plan.lines.length);
    const queued = r.weighted(visitors, (i) => fit(i) * fit(i), plan.lines.length);
    const lineEntries = playLine(r, b, plan, queued, { day, fairEnd: fairWindow.endsAt.getTime() });
    entries.push(...lineEntries);
    for (const i of visitors) {
      const first = lineEntries.filter((e) => e.seeker === i).sort((x, y) => x.joinedAt - y.joinedAt)[0];
      // A visit a few minutes before joining the line, or any time the fair was busy.
      const at = first ? first.joinedAt - r.int(60, 12 * 60) * 1000 : day(r.int(0, 1), r.pick([9, 10, 11, 13, 14, 15, 16]), r.int(0, 50)) + r.int(0, 59) * 1000;
      events.push({ id: `booth_visit:${boothId}:${seekerId(i)}`, kind: 'booth_visit', roomId: boothId, actor: seekerId(i), occurredAt: new Date(at) });
    }
  });
  entries.sort((a, b) => a.joinedAt - b.joinedAt);

  const status = (e: PlannedEntry): 'done' | 'no_show' | 'left' => (INTERVIEW_STORIES.includes(e.story) ? 'done' : e.story === 'missed' ? 'no_show' : 'left');
  const ownerOf = (e: PlannedEntry) => employerOf(plans[e.booth]!.employer).ownerId;
  // Inserted in the order they joined, so `seq` is the order of the line.
  await db.insert(queueEntries).values(
    entries.map((e) => ({
      id: e.id,
      boothId: boothRows[e.booth]!.id,
      seekerId: seekerId(e.seeker),
      status: status(e),
      joinedAt: new Date(e.joinedAt),
      disconnectedAt: e.disconnectedAt ? new Date(e.disconnectedAt) : null,
      calledAt: e.calledAt ? new Date(e.calledAt) : null,
      calledBy: e.calledAt ? ownerOf(e) : null,
      acceptBy: e.calledAt ? new Date(e.calledAt + 60_000) : null,
      endedAt: new Date(e.endedAt!),
    })),
  );
  const interviewed = entries.filter((e) => e.interviewId);
  if (interviewed.length) {
    await db.insert(interviews).values(
      interviewed.map((e) => {
        const story = e.story as keyof typeof NOTES;
        const minutes = (e.endedAt! - e.startedAt!) / MINUTE;
        const rating = {
          offer: r.chance(0.75) ? 4 : 3,
          next_round: r.chance(0.7) ? 3 : 4,
          not_a_fit: r.int(1, 2),
          no_show: null,
          no_outcome: r.chance(0.5) ? 2 : null,
        }[story];
        return {
          id: e.interviewId!,
          entryId: e.id,
          boothId: boothRows[e.booth]!.id,
          seekerId: seekerId(e.seeker),
          recruiterId: ownerOf(e),
          createdAt: new Date(e.acceptedAt!),
          startedAt: new Date(e.startedAt!),
          endedAt: new Date(e.endedAt!),
          // Extended by 5 minutes at a time when the talk ran long.
          plannedMinutes: minutes > 20 ? 25 : minutes > 15 ? 20 : 15,
          notes: r.pick(NOTES[story]),
          rating,
          outcome: story === 'no_outcome' ? null : story,
          outcomeShared: story === 'offer' || story === 'next_round' || (story === 'not_a_fit' && r.chance(0.5)),
        };
      }),
    );
  }

  // The counted events, with the ids core/src/queue.ts and interviews.ts give them.
  for (const e of entries) {
    const roomId = boothRows[e.booth]!.id;
    const actor = seekerId(e.seeker);
    const add = (id: string, kind: string, at: number, data: Record<string, unknown> = {}) =>
      events.push({ id, kind, roomId, actor, occurredAt: new Date(at), data });
    add(`queue_joined:${e.id}`, 'queue_joined', e.joinedAt);
    if (e.calledAt) add(`called:${e.id}`, 'called', e.calledAt);
    if (e.story === 'left' || e.story === 'expired' || e.story === 'declined') add(`queue_left:${e.id}`, 'queue_left', e.endedAt!);
    if (e.story === 'missed') add(`no_show:${e.id}`, 'no_show', e.endedAt!);
    if (e.interviewId) {
      add(`interview_started:${e.interviewId}`, 'interview_started', e.startedAt!);
      add(`interview_ended:${e.interviewId}`, 'interview_ended', e.endedAt!, { durationSeconds: Math.round((e.endedAt! - e.startedAt!) / 1000) });
      if (e.outcomeAt) add(`outcome:${e.interviewId}`, 'outcome', e.outcomeAt, { outcome: e.story });
    }
  }
  events.sort((a, b) => a.occurredAt!.getTime() - b.occurredAt!.getTime());
  await db.insert(countedEvents).values(events);

  // The broadcast: published ahead, announced when it started, hosted by the organizer.
  const b0 = broadcastWindow.startsAt.getTime();
  const [broadcast] = await db
    .insert(broadcasts)
    .values({
      fairId: fair!.id,
      title: DEMO_HISTORY.broadcast.title,
      topic: 'policy_qa',
      description: DEMO_HISTORY.broadcast.description,
      startsAt: broadcastWindow.startsAt,
      endsAt: broadcastWindow.endsAt,
      status: 'published',
      announcedAt: broadcastWindow.startsAt,
      createdBy: organizer.id,
      createdAt: new Date(fairStart - 10 * DAY),
    })
    .returning({ id: broadcasts.id });
  const broadcastId = broadcast!.id;
  await db.insert(broadcastHosts).values({ broadcastId, userId: organizer.id });

  const watchers = r.weighted(everyone, () => 1, DEMO_HISTORY.broadcast.seekerViewers).sort((a, b) => a - b);
  const audience = demoAudience(r, watchers).map((v) => ({ ...v, identity: v.seeker === null ? v.identity : `user:${seekerId(v.seeker)}` }));
  const slot = (s: number) => new Date(b0 + s * SAMPLE_MS);
  await db.insert(broadcastViewers).values(
    audience.map((v) => ({
      broadcastId,
      identity: v.identity,
      firstSeenAt: slot(v.segments[0]![0]),
      // A return more than 30 s after leaving is a new view (core's AudienceLedger).
      views: 1 + v.segments.slice(1).filter(([start], i) => (start - v.segments[i]![1]) * SAMPLE_MS > 30_000).length,
      watchedMs: v.segments.reduce((sum, [start, end]) => sum + (end - start) * SAMPLE_MS, 0),
      watchingSince: null,
      leftAt: slot(v.segments.at(-1)![1]),
    })),
  );
  // Live viewers at each 5 s boundary from the first arrival until everyone had gone.
  const first = Math.min(...audience.map((v) => v.segments[0]![0]));
  const last = Math.max(...audience.map((v) => v.segments.at(-1)![1]));
  const samples: Array<{ at: Date; live: number }> = [];
  for (let s = first; s <= last; s++) {
    const live = audience.filter((v) => v.segments.some(([start, end]) => start <= s && s < end)).length;
    samples.push({ at: slot(s), live });
  }
  await db.insert(broadcastViewerSamples).values(samples.map((s) => ({ broadcastId, ...s })));
  const peak = samples.reduce((best, s) => (s.live > best.live ? s : best), samples[0]!);
  await db.insert(broadcastPeaks).values({ broadcastId, peak: peak.live, peakAt: peak.at });

  // Chat and questions from seekers while they were watching.
  const seekerViewers = audience.filter((v) => v.seeker !== null);
  const whileWatching = (v: Viewer) => {
    const [start, end] = r.pick(v.segments);
    return b0 + r.int(start, end - 1) * SAMPLE_MS + r.int(0, 4999);
  };
  const messages = [
    ...HOST_CHAT.map((m) => ({ authorId: organizer.id, body: m.body, sentAt: new Date(b0 + m.minute * MINUTE + r.int(0, 59) * 1000) })),
    ...CHAT.map((body) => {
      const v = r.pick(seekerViewers);
      return { authorId: seekerId(v.seeker!), body, sentAt: new Date(whileWatching(v)) };
    }),
  ].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  await db.insert(broadcastMessages).values(messages.map((m) => ({ broadcastId, ...m })));
  for (const q of QUESTIONS) {
    const [author, ...voters] = r.weighted(seekerViewers, () => 1, q.votes + 1);
    const askedAt = whileWatching(author!);
    const [row] = await db
      .insert(broadcastQuestions)
      .values({
        broadcastId,
        authorId: seekerId(author!.seeker!),
        body: q.body,
        askedAt: new Date(askedAt),
        votes: voters.length,
        pinnedAt: q.pinned ? new Date(Math.min(broadcastWindow.endsAt.getTime(), askedAt + r.int(1, 4) * MINUTE)) : null,
        answeredAt: q.answered ? new Date(Math.min(broadcastWindow.endsAt.getTime(), askedAt + r.int(5, 15) * MINUTE)) : null,
      })
      .returning({ id: broadcastQuestions.id });
    if (voters.length) {
      await db.insert(broadcastQuestionVotes).values(
        voters.map((v) => ({
          questionId: row!.id,
          userId: seekerId(v.seeker!),
          votedAt: new Date(Math.min(broadcastWindow.endsAt.getTime(), Math.max(askedAt + 1000, whileWatching(v)))),
        })),
      );
    }
  }

  return { fairId: fair!.id, boothIds: boothRows.map((b) => b.id), broadcastId, seekerIds: seekerRows.map((u) => u.id) };
}
