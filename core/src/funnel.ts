import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const { countedEvents, booths, queueEntries, interviews } = schema;

export type FunnelKind =
  | 'booth_visit'
  | 'queue_joined'
  | 'called'
  | 'interview_started'
  | 'interview_ended'
  | 'outcome'
  | 'no_show'
  | 'queue_left';

/**
 * Records a counted event once. The id says what makes the event unique (one visit per seeker
 * per booth, one start per interview...), so a retry, a reconnect or a second node inserts
 * nothing new. Outcomes may be corrected: their data is replaced, still one row.
 */
export async function recordEvent(
  db: Db,
  event: { id: string; kind: FunnelKind; boothId: string; actor: string; data?: Record<string, unknown>; at?: Date },
): Promise<boolean> {
  const values = {
    id: event.id,
    kind: event.kind,
    roomId: event.boothId,
    actor: event.actor,
    data: event.data ?? {},
    occurredAt: event.at ?? new Date(),
  };
  const query = db.insert(countedEvents).values(values);
  const rows =
    event.kind === 'outcome'
      ? await query.onConflictDoUpdate({ target: countedEvents.id, set: { data: values.data } }).returning({ id: countedEvents.id })
      : await query.onConflictDoNothing().returning({ id: countedEvents.id });
  return rows.length > 0;
}

export interface FunnelReport {
  visited: number;
  queued: number;
  interviewed: number;
  withOutcome: number;
  /** Seekers interviewed / seekers who visited (0 when nobody visited). */
  conversion: number;
  noShows: number;
  /** Entries that left the line before being called / entries that joined. */
  abandonment: number;
  medianWaitSeconds: number | null;
  medianInterviewSeconds: number | null;
  outcomes: Record<string, number>;
}

/** The booth funnel (staff never appear: only seekers' actions are recorded). */
export async function funnelReport(db: Db, boothIds: string[]): Promise<FunnelReport> {
  if (boothIds.length === 0) boothIds = ['00000000-0000-0000-0000-000000000000'];
  const counts = await db
    .select({ kind: countedEvents.kind, actors: sql<number>`count(distinct ${countedEvents.actor})::int`, events: sql<number>`count(*)::int` })
    .from(countedEvents)
    .where(inArray(countedEvents.roomId, boothIds))
    .groupBy(countedEvents.kind);
  const by = (kind: FunnelKind) => counts.find((c) => c.kind === kind);
  const outcomes = await db
    .select({ outcome: sql<string>`${countedEvents.data}->>'outcome'`, n: sql<number>`count(*)::int` })
    .from(countedEvents)
    .where(and(inArray(countedEvents.roomId, boothIds), eq(countedEvents.kind, 'outcome')))
    .groupBy(sql`${countedEvents.data}->>'outcome'`);
  const [wait] = await db
    .select({
      median: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${queueEntries.calledAt} - ${queueEntries.joinedAt}))`,
    })
    .from(queueEntries)
    .where(and(inArray(queueEntries.boothId, boothIds), sql`${queueEntries.calledAt} is not null`));
  const [length] = await db
    .select({
      median: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${interviews.endedAt} - ${interviews.startedAt}))`,
    })
    .from(interviews)
    .where(and(inArray(interviews.boothId, boothIds), sql`${interviews.endedAt} is not null and ${interviews.startedAt} is not null`));
  const joinedEntries = by('queue_joined')?.events ?? 0; // one event per entry, so rejoins count
  const visited = by('booth_visit')?.actors ?? 0;
  const interviewed = by('interview_started')?.actors ?? 0;
  return {
    visited,
    queued: by('queue_joined')?.actors ?? 0,
    interviewed,
    withOutcome: by('outcome')?.actors ?? 0,
    conversion: visited ? interviewed / visited : 0,
    noShows: by('no_show')?.events ?? 0,
    abandonment: joinedEntries ? (by('queue_left')?.events ?? 0) / joinedEntries : 0,
    medianWaitSeconds: wait?.median == null ? null : Math.round(Number(wait.median)),
    medianInterviewSeconds: length?.median == null ? null : Math.round(Number(length.median)),
    outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome, o.n])),
  };
}

/** Interviews started at these booths since an instant (e.g. the start of the fair's day). */
export async function interviewsStartedSince(db: Db, boothIds: string[], since: Date): Promise<number> {
  if (boothIds.length === 0) return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(countedEvents)
    .where(and(inArray(countedEvents.roomId, boothIds), eq(countedEvents.kind, 'interview_started'), gte(countedEvents.occurredAt, since)));
  return row?.n ?? 0;
}

/** The booths of a fair, for fair-wide funnels. */
export async function boothIdsOfFair(db: Db, fairId: string): Promise<string[]> {
  const rows = await db.select({ id: booths.id }).from(booths).where(eq(booths.fairId, fairId));
  return rows.map((r) => r.id);
}
