import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { funnels, type Funnel } from './reports.ts';

const { countedEvents, booths } = schema;

export type FunnelKind = 'booth_visit' | 'queue_joined' | 'called' | 'interview_started' | 'interview_ended' | 'outcome' | 'no_show' | 'queue_left';

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

/** The booth funnel over some booths (staff never appear: only seekers' actions are recorded). */
export type FunnelReport = Funnel;

/** One funnel over all of these booths (a seeker at two of them counts once): see `funnels()`. */
export async function funnelReport(db: Db, boothIds: string[]): Promise<FunnelReport> {
  return (await funnels(db, boothIds, { perBooth: false })).total;
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
