import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { isHost, isOrganizer, membership, requireRole, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { broadcastStats, broadcastSummaries } from './broadcast-audience.ts';
import { replayStats } from './replay-audience.ts';
import { slotCounts as countSlots } from './slot-counts.ts';
import { pollsOf } from './broadcast-polls.ts';
import { hiringFigures } from './hiring.ts';
import { invitationFigures } from './invitation-counts.ts';
import { SurveyService } from './surveys.ts';

const { countedEvents, booths, employers, fairs, jobs, queueEntries, interviews, broadcasts, broadcastHosts, users } = schema;

type JobType = (typeof schema.jobType.enumValues)[number];
export type Outcome = (typeof schema.interviewOutcome.enumValues)[number];
export const OUTCOMES: readonly Outcome[] = schema.interviewOutcome.enumValues;

/**
 * A booth funnel (or a fair's, over all its booths). Stages count distinct seekers (staff never
 * appear: only seekers' actions are recorded); entries, calls and no-shows count queue entries,
 * so a seeker who joins twice waited twice.
 */
export interface Funnel {
  visited: number;
  queued: number;
  interviewed: number;
  withOutcome: number;
  /** Seekers who joined the line / seekers who visited. */
  visitToQueue: number;
  /** Seekers interviewed / seekers who joined the line. */
  queueToInterview: number;
  /** Booth-to-interview conversion: seekers interviewed / seekers who visited. */
  conversion: number;
  /** Queue entries (a rejoin is a second entry). */
  entries: number;
  /** Entries that left the line without an interview (gave up, declined, or gone past the grace period). */
  abandoned: number;
  /** abandoned / entries. */
  abandonment: number;
  /** Entries called by a recruiter. */
  called: number;
  noShows: number;
  /** noShows / called. */
  noShowRate: number;
  medianWaitSeconds: number | null;
  medianInterviewSeconds: number | null;
  outcomes: Record<Outcome, number>;
}

/** Where a seeker met the booth: in the hall (a walk-in, called to the desk) or online. */
export type Channel = 'on_site' | 'online';
export const CHANNELS: readonly Channel[] = ['on_site', 'online'];

/** A funnel split by channel: the two parts, and the whole (where a seeker met in both ways counts once). */
export interface ChannelSplit {
  on_site: Funnel;
  online: Funnel;
}

/**
 * The on-site and online funnels of some booths (per booth and in total). Each stage counts a
 * seeker in the channel of that stage's event, so one who visited online and queued in the hall
 * appears in both rows, at different stages; the unsplit funnel still counts them once.
 */
export async function channelFunnels(db: Db, boothIds: string[]): Promise<{ total: ChannelSplit; byBooth: Map<string, ChannelSplit> }> {
  const [onSite, online] = await Promise.all(CHANNELS.map((channel) => funnels(db, boothIds, { channel })));
  const byBooth = new Map<string, ChannelSplit>();
  for (const id of boothIds) byBooth.set(id, { on_site: onSite!.byBooth.get(id)!, online: online!.byBooth.get(id)! });
  return { total: { on_site: onSite!.total, online: online!.total }, byBooth };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const median = (v: unknown) => (v == null ? null : Math.round(Number(v)));

interface Counts {
  visited: number;
  queued: number;
  interviewed: number;
  withOutcome: number;
  entries: number;
  abandoned: number;
  called: number;
  noShows: number;
}

function funnelOf(c: Counts, wait: number | null, length: number | null, outcomes: Partial<Record<Outcome, number>>): Funnel {
  return {
    ...c,
    visitToQueue: ratio(c.queued, c.visited),
    queueToInterview: ratio(c.interviewed, c.queued),
    conversion: ratio(c.interviewed, c.visited),
    abandonment: ratio(c.abandoned, c.entries),
    noShowRate: ratio(c.noShows, c.called),
    medianWaitSeconds: wait,
    medianInterviewSeconds: length,
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, outcomes[o] ?? 0])) as Record<Outcome, number>,
  };
}

/**
 * Funnels for a set of booths: one per booth, and the total over all of them (where a seeker who
 * visited two booths is one visitor). Read from the durable tables only: counted events (whose
 * ids make every retry or reconnect count once), queue entries and interviews.
 */
export async function funnels(
  db: Db,
  boothIds: string[],
  options: { perBooth?: boolean; channel?: Channel } = {},
): Promise<{ total: Funnel; byBooth: Map<string, Funnel> }> {
  const grouped = options.perBooth ?? true;
  const none = Promise.resolve([] as never[]);
  const ids = boothIds.length ? boothIds : ['00000000-0000-0000-0000-000000000000'];
  // A channel keeps the events, entries and interviews of that channel only (every counted event
  // of the booth funnel names its channel in `data.onSite`; older ones, and visits to the booth's
  // page, are online).
  const onSite = options.channel === undefined ? null : options.channel === 'on_site';
  const eventChannel = onSite === null ? undefined : sql`coalesce((${countedEvents.data}->>'onSite')::boolean, false) = ${onSite}`;
  const entryChannel = onSite === null ? undefined : eq(queueEntries.onSite, onSite);
  const interviewChannel = onSite === null ? undefined : eq(interviews.mode, onSite ? 'on_site' : 'video');
  const inBooths = and(inArray(countedEvents.roomId, ids), eventChannel)!;
  const distinct = (kind: string) => sql<number>`count(distinct ${countedEvents.actor}) filter (where ${countedEvents.kind} = ${kind})::int`;
  const events = (kind: string) => sql<number>`count(*) filter (where ${countedEvents.kind} = ${kind})::int`;
  const columns = {
    visited: distinct('booth_visit'),
    queued: distinct('queue_joined'),
    interviewed: distinct('interview_started'),
    withOutcome: distinct('outcome'),
    entries: events('queue_joined'),
    abandoned: events('queue_left'),
    called: events('called'),
    noShows: events('no_show'),
  };
  const waitMedian = sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${queueEntries.calledAt} - ${queueEntries.joinedAt}))`;
  const lengthMedian = sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${interviews.endedAt} - ${interviews.startedAt}))`;
  const waitWhere = and(inArray(queueEntries.boothId, ids), isNotNull(queueEntries.calledAt), entryChannel);
  const lengthWhere = and(inArray(interviews.boothId, ids), isNotNull(interviews.startedAt), isNotNull(interviews.endedAt), interviewChannel);
  const outcomeColumn = sql<Outcome>`${countedEvents.data}->>'outcome'`;
  const outcomeWhere = and(inBooths, eq(countedEvents.kind, 'outcome'));

  const [totalCounts, perBooth, totalWait, boothWait, totalLength, boothLength, totalOutcomes, boothOutcomes] = await Promise.all([
    db.select(columns).from(countedEvents).where(inBooths),
    grouped
      ? db
          .select({ boothId: countedEvents.roomId, ...columns })
          .from(countedEvents)
          .where(inBooths)
          .groupBy(countedEvents.roomId)
      : none,
    db.select({ m: waitMedian }).from(queueEntries).where(waitWhere),
    grouped ? db.select({ boothId: queueEntries.boothId, m: waitMedian }).from(queueEntries).where(waitWhere).groupBy(queueEntries.boothId) : none,
    db.select({ m: lengthMedian }).from(interviews).where(lengthWhere),
    grouped ? db.select({ boothId: interviews.boothId, m: lengthMedian }).from(interviews).where(lengthWhere).groupBy(interviews.boothId) : none,
    db
      .select({ outcome: outcomeColumn, n: sql<number>`count(*)::int` })
      .from(countedEvents)
      .where(outcomeWhere)
      .groupBy(outcomeColumn),
    grouped
      ? db
          .select({ boothId: countedEvents.roomId, outcome: outcomeColumn, n: sql<number>`count(*)::int` })
          .from(countedEvents)
          .where(outcomeWhere)
          .groupBy(countedEvents.roomId, outcomeColumn)
      : none,
  ]);
  const zero: Counts = { visited: 0, queued: 0, interviewed: 0, withOutcome: 0, entries: 0, abandoned: 0, called: 0, noShows: 0 };
  const outcomesOf = (rows: Array<{ outcome: Outcome; n: number }>) => Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
  const total = funnelOf(totalCounts[0] ?? zero, median(totalWait[0]?.m), median(totalLength[0]?.m), outcomesOf(totalOutcomes));
  const byBooth = new Map<string, Funnel>();
  for (const id of grouped ? boothIds : []) {
    const { boothId: _, ...counts } = perBooth.find((r) => r.boothId === id) ?? { boothId: id, ...zero };
    byBooth.set(
      id,
      funnelOf(
        counts,
        median(boothWait.find((r) => r.boothId === id)?.m),
        median(boothLength.find((r) => r.boothId === id)?.m),
        outcomesOf(boothOutcomes.filter((r) => r.boothId === id)),
      ),
    );
  }
  return { total, byBooth };
}

export interface DemandJob {
  employerName: string;
  title: string;
  headcount: number;
  location: string;
  jobType: JobType;
  salaryMin: number;
  salaryMax: number;
  currency: string;
  skills: string[];
}

export interface DemandRow {
  key: string;
  jobs: number;
  headcount: number;
}

/** Monthly salary bands by the middle of the offered range (the seed's offices report in CNY). */
export const SALARY_BANDS = [
  { key: 'under_3000', below: 3000 },
  { key: '3000_4999', below: 5000 },
  { key: '5000_7999', below: 8000 },
  { key: '8000_11999', below: 12000 },
  { key: '12000_19999', below: 20000 },
  { key: '20000_plus', below: Number.POSITIVE_INFINITY },
] as const;
export type SalaryBand = (typeof SALARY_BANDS)[number]['key'];

export function salaryBand(job: Pick<DemandJob, 'salaryMin' | 'salaryMax'>): SalaryBand {
  const mid = (job.salaryMin + job.salaryMax) / 2;
  return SALARY_BANDS.find((b) => mid < b.below)!.key;
}

export interface DemandTable {
  jobs: DemandJob[];
  totals: { jobs: number; headcount: number; employers: number };
  bySkill: DemandRow[];
  byLocation: DemandRow[];
  byJobType: DemandRow[];
  /** Keyed `<band> <currency>`, e.g. `8000_11999 CNY`. */
  bySalaryBand: DemandRow[];
}

/**
 * The employer demand table (人才需求表): which jobs and how many people the fair's employers
 * need, by skill, location, job type and salary band. A job asking for three skills counts under
 * each; skills are grouped without regard to case. Rows are largest headcount first. Pure.
 */
export function demandTable(list: readonly DemandJob[]): DemandTable {
  const group = (keysOf: (j: DemandJob) => string[], normalize = (k: string) => k) => {
    const rows = new Map<string, DemandRow>();
    for (const job of list) {
      for (const key of new Set(
        keysOf(job)
          .map((k) => k.trim())
          .filter(Boolean),
      )) {
        const id = normalize(key);
        const row = rows.get(id) ?? { key, jobs: 0, headcount: 0 };
        row.jobs += 1;
        row.headcount += job.headcount;
        rows.set(id, row);
      }
    }
    return [...rows.values()].sort((a, b) => b.headcount - a.headcount || b.jobs - a.jobs || a.key.localeCompare(b.key));
  };
  return {
    jobs: [...list],
    totals: {
      jobs: list.length,
      headcount: list.reduce((n, j) => n + j.headcount, 0),
      employers: new Set(list.map((j) => j.employerName)).size,
    },
    bySkill: group(
      (j) => j.skills,
      (k) => k.toLowerCase(),
    ),
    byLocation: group((j) => [j.location]),
    byJobType: group((j) => [j.jobType]),
    bySalaryBand: group((j) => [`${salaryBand(j)} ${j.currency}`]),
  };
}

export interface BoothLine {
  boothId: string;
  employerName: string;
  waiting: number;
  /** Called and not yet answered. */
  called: number;
  interviewsNow: number;
  /** Median of the waits of those called so far at this booth (seconds). */
  medianWaitSeconds: number | null;
}

/** A broadcast of a fair, as its report and the live dashboard list it. */
export interface FairBroadcast {
  broadcastId: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
}

/** Reports for organizers (any fair), employers (their own booths) and hosts (their broadcasts). */
export class ReportService {
  constructor(private readonly db: Db) {}

  async #fair(fairId: string) {
    const [fair] = await this.db.select().from(fairs).where(eq(fairs.id, fairId));
    if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
    return fair;
  }

  async #approvedBooths(fairId: string) {
    return this.db
      .select({ boothId: booths.id, employerId: employers.id, employerName: employers.name })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(and(eq(booths.fairId, fairId), eq(booths.status, 'approved')))
      .orderBy(asc(employers.name));
  }

  async #demand(fairId: string): Promise<DemandTable> {
    const rows = await this.db
      .select({
        employerName: employers.name,
        title: jobs.title,
        headcount: jobs.headcount,
        location: jobs.location,
        jobType: jobs.jobType,
        salaryMin: jobs.salaryMin,
        salaryMax: jobs.salaryMax,
        currency: jobs.currency,
        skills: jobs.skills,
      })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .innerJoin(jobs, eq(jobs.employerId, booths.employerId))
      .where(and(eq(booths.fairId, fairId), eq(booths.status, 'approved')))
      .orderBy(asc(employers.name), asc(jobs.title));
    return demandTable(rows);
  }

  /** The published broadcasts that belong to a fair, in start order. */
  broadcastsOf(fairId: string): Promise<FairBroadcast[]> {
    return (
      this.db
        .select({ broadcastId: broadcasts.id, title: broadcasts.title, startsAt: broadcasts.startsAt, endsAt: broadcasts.endsAt })
        .from(broadcasts)
        // Booth presentations have their own reports (their hosts', from the booth page).
        .where(and(eq(broadcasts.fairId, fairId), eq(broadcasts.status, 'published'), isNull(broadcasts.boothId)))
        .orderBy(asc(broadcasts.startsAt), asc(broadcasts.title))
    );
  }

  /** A fair's report: its funnel, each booth's, the demand table and its broadcasts' audiences. Organizers only. */
  async fairReport(actor: Actor, fairId: string, now = new Date()) {
    requireRole(actor, 'organizer');
    const fair = await this.#fair(fairId);
    const [list, fairBroadcasts] = await Promise.all([this.#approvedBooths(fairId), this.broadcastsOf(fairId)]);
    const ids = list.map((b) => b.boothId);
    const [{ total, byBooth }, split, demand, audiences, slotCounts, hiring, survey, invitations] = await Promise.all([
      funnels(this.db, ids),
      channelFunnels(this.db, ids),
      this.#demand(fairId),
      broadcastSummaries(
        this.db,
        fairBroadcasts.map((b) => b.broadcastId),
        now,
      ),
      countSlots(this.db, ids),
      hiringFigures(this.db, ids),
      new SurveyService(this.db).results(fairId),
      invitationFigures(this.db, ids),
    ]);
    const slotTotal = { published: 0, booked: 0, kept: 0, noShow: 0 };
    for (const c of slotCounts.values()) for (const k of Object.keys(slotTotal) as Array<keyof typeof slotTotal>) slotTotal[k] += c[k];
    return {
      fair: { id: fair.id, title: fair.title, status: fair.status, startsAt: fair.startsAt, endsAt: fair.endsAt, timeZone: fair.timeZone },
      total,
      /** The fair's funnel split into on-site (walk-ins) and online seekers. */
      channels: split.total,
      /** Booked interview slots over the fair's booths: published, booked, kept, no-show. */
      slots: slotTotal,
      booths: list.map((b) => ({
        ...b,
        funnel: byBooth.get(b.boothId)!,
        channels: split.byBooth.get(b.boothId)!,
        slots: slotCounts.get(b.boothId)!,
        hiring: hiring.byBooth.get(b.boothId)!,
        invitations: invitations.byBooth.get(b.boothId)!,
      })),
      /** Invitations (邀约) from the resume book: sent, accepted (core/src/invitation-counts.ts). */
      invitations: invitations.total,
      /** Past the interview: resumes received, offers and hires (core/src/hiring.ts); hires per fair is `hiring.hires`. */
      hiring: hiring.total,
      /** The post-fair survey's answers (no names) and averages. */
      survey,
      demand,
      broadcasts: fairBroadcasts.map((b) => ({ ...b, audience: audiences.get(b.broadcastId)! })),
    };
  }

  /**
   * One broadcast's audience report (live-viewer series, peak, views, unique viewers, watch time):
   * organizers, admins and the broadcast's named hosts. Anyone else learns nothing: a draft is
   * NOT_FOUND, a published broadcast NOT_AUTHORIZED (its page is public anyway).
   */
  async broadcastReport(actor: Actor, broadcastId: string, now = new Date()) {
    const user = requireUser(actor);
    const [row] = await this.db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such broadcast');
    const hosts = await this.db
      .select({ id: users.id, name: users.name })
      .from(broadcastHosts)
      .innerJoin(users, eq(users.id, broadcastHosts.userId))
      .where(eq(broadcastHosts.broadcastId, broadcastId))
      .orderBy(asc(users.name));
    if (!isHost(user, hosts)) {
      if (row.status === 'draft') throw new ServiceError('NOT_FOUND', 'No such broadcast');
      throw new ServiceError('NOT_AUTHORIZED', 'Only the broadcast’s hosts and organizers may read its report');
    }
    const [stats, replay, fair, polls] = await Promise.all([
      broadcastStats(this.db, broadcastId, now),
      replayStats(this.db, broadcastId),
      row.fairId ? this.db.select({ id: fairs.id, title: fairs.title }).from(fairs).where(eq(fairs.id, row.fairId)) : Promise.resolve([]),
      pollsOf(this.db, broadcastId),
    ]);
    return {
      broadcast: {
        id: row.id,
        title: row.title,
        topic: row.topic,
        status: row.status,
        startsAt: row.startsAt,
        endsAt: row.endsAt,
        hosts: hosts.map((h) => h.name),
      },
      /** The fair it belongs to (organizers link to that fair's report). */
      fair: fair[0] ?? null,
      stats,
      /** Replay numbers, apart from the live ones (core/src/replay-audience.ts). */
      replay,
      /** Its polls with their results (open ones as they stand). */
      polls,
    };
  }

  /** One booth's report: the employer's staff (and organizers). */
  async boothReport(actor: Actor, boothId: string) {
    const user = requireUser(actor);
    const [row] = await this.db
      .select({ boothId: booths.id, employerId: employers.id, employerName: employers.name, fairId: booths.fairId, status: booths.status })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(eq(booths.id, boothId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such booth');
    if (!isOrganizer(user) && !(await membership(this.db, user.id, row.employerId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only this employer’s staff may read its report');
    }
    const fair = await this.#fair(row.fairId);
    const [{ total }, split, slotCounts, hiring, invitations] = await Promise.all([
      funnels(this.db, [boothId]),
      channelFunnels(this.db, [boothId]),
      countSlots(this.db, [boothId]),
      hiringFigures(this.db, [boothId]),
      invitationFigures(this.db, [boothId]),
    ]);
    const outcomes = await this.db
      .select({ outcome: interviews.outcome, rating: interviews.rating, n: sql<number>`count(*)::int` })
      .from(interviews)
      .where(and(eq(interviews.boothId, boothId), isNotNull(interviews.startedAt)))
      .groupBy(interviews.outcome, interviews.rating);
    return {
      fair: { id: fair.id, title: fair.title, status: fair.status, startsAt: fair.startsAt, endsAt: fair.endsAt, timeZone: fair.timeZone },
      booth: { id: row.boothId, employerId: row.employerId, employerName: row.employerName },
      funnel: total,
      /** The booth's funnel split into on-site (walk-ins) and online seekers. */
      channels: split.total,
      /** Booked interview slots: published, booked, kept, no-show. */
      slots: slotCounts.get(boothId)!,
      hiring: hiring.total,
      /** Invitations (邀约) this booth sent, and how many were accepted. */
      invitations: invitations.total,
      /** Interviews that started, by the recruiter's rating (1-4, or none). */
      ratings: [1, 2, 3, 4, null].map((rating) => ({ rating, n: outcomes.filter((o) => o.rating === rating).reduce((a, o) => a + o.n, 0) })),
    };
  }

  /** Who may watch a fair live: organizers. */
  requireOrganizer(actor: Actor) {
    return requireRole(actor, 'organizer');
  }

  /** The approved booths of a fair (for the live dashboard and the fair of a booth). */
  boothsOf(fairId: string) {
    return this.#approvedBooths(fairId);
  }

  /** The fair a broadcast belongs to, if any (the live dashboard follows its viewers). */
  async fairOfBroadcast(broadcastId: string): Promise<string | null> {
    const [row] = await this.db.select({ fairId: broadcasts.fairId }).from(broadcasts).where(eq(broadcasts.id, broadcastId));
    return row?.fairId ?? null;
  }

  async fairOfBooth(boothId: string): Promise<string | null> {
    const [row] = await this.db.select({ fairId: booths.fairId }).from(booths).where(eq(booths.id, boothId));
    return row?.fairId ?? null;
  }

  /**
   * Each approved booth's line right now, from the durable tables, and the median wait of
   * everyone called so far at the fair.
   */
  async live(fairId: string): Promise<{ booths: BoothLine[]; medianWaitSeconds: number | null }> {
    const list = await this.#approvedBooths(fairId);
    if (list.length === 0) return { booths: [], medianWaitSeconds: null };
    const ids = list.map((b) => b.boothId);
    const waitMedian = sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${queueEntries.calledAt} - ${queueEntries.joinedAt}))`;
    const [entries, live, waits, [all]] = await Promise.all([
      this.db
        .select({
          boothId: queueEntries.boothId,
          waiting: sql<number>`count(*) filter (where ${queueEntries.status} = 'waiting')::int`,
          called: sql<number>`count(*) filter (where ${queueEntries.status} = 'called')::int`,
        })
        .from(queueEntries)
        .where(and(inArray(queueEntries.boothId, ids), inArray(queueEntries.status, ['waiting', 'called'])))
        .groupBy(queueEntries.boothId),
      this.db
        .select({ boothId: interviews.boothId, n: sql<number>`count(*)::int` })
        .from(interviews)
        .where(and(inArray(interviews.boothId, ids), isNotNull(interviews.startedAt), isNull(interviews.endedAt)))
        .groupBy(interviews.boothId),
      this.db
        .select({ boothId: queueEntries.boothId, m: waitMedian })
        .from(queueEntries)
        .where(and(inArray(queueEntries.boothId, ids), isNotNull(queueEntries.calledAt)))
        .groupBy(queueEntries.boothId),
      this.db
        .select({ m: waitMedian })
        .from(queueEntries)
        .where(and(inArray(queueEntries.boothId, ids), isNotNull(queueEntries.calledAt))),
    ]);
    const booths = list.map((b) => {
      const e = entries.find((r) => r.boothId === b.boothId);
      return {
        boothId: b.boothId,
        employerName: b.employerName,
        waiting: e?.waiting ?? 0,
        called: e?.called ?? 0,
        interviewsNow: live.find((r) => r.boothId === b.boothId)?.n ?? 0,
        medianWaitSeconds: median(waits.find((r) => r.boothId === b.boothId)?.m),
      };
    });
    return { booths, medianWaitSeconds: median(all?.m) };
  }
}
