import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const { broadcastViewers, broadcastPeaks, broadcastViewerSamples } = schema;

/** A return within this long after leaving continues the same view (PRODUCT.md). */
export const VIEW_CONTINUES_MS = 30_000;
/** Spacing of the stored live-viewer series. */
export const SAMPLE_MS = 5_000;

export interface BroadcastStats {
  broadcastId: string;
  /** Distinct identities watching now (the latest sample when it is recent, else 0). */
  live: number;
  peak: number;
  /** Viewing sessions started; a reconnect within 30 s is not a new one. */
  views: number;
  unique: number;
  /** Total watch time over every viewer, in whole seconds. */
  watchSeconds: number;
  /** watchSeconds / unique (0 without viewers). */
  averageWatchSeconds: number;
  samples: Array<{ at: string; live: number }>;
}

/**
 * The durable side of a broadcast's audience, in Postgres. Every write is one conditional
 * statement, so any number of signaling nodes can call it for the same viewer without counting a
 * view twice or losing one.
 */
export class AudienceLedger {
  constructor(private readonly db: Db) {}

  /**
   * The identity is watching: opens its view unless one is open, or continues the last one when
   * it left less than 30 s ago. Safe to call for every connection of the identity.
   */
  async watching(broadcastId: string, identity: string, now = new Date()): Promise<void> {
    await this.watchingMany(broadcastId, [identity], now);
  }

  /**
   * `watching` for several identities of one broadcast in one statement (a join storm's viewers,
   * gathered by signaling/src/live/ledger-batch.ts): each row gets exactly what `watching` would
   * give it. An identity named twice is written once (Postgres refuses to update one row twice in
   * a statement, and a second `watching` of an open view changes nothing).
   */
  async watchingMany(broadcastId: string, identities: readonly string[], now = new Date()): Promise<void> {
    const distinct = [...new Set(identities)];
    if (distinct.length === 0) return;
    const at = now.toISOString();
    const continuesAfter = new Date(now.getTime() - VIEW_CONTINUES_MS).toISOString();
    const v = broadcastViewers;
    // The identities as one JSON parameter, unpacked by Postgres: building a statement with a
    // parameter per row and column took as long as the write in a storm's large batches.
    await this.db.execute(sql`
      insert into ${v} (${sql.identifier(v.broadcastId.name)}, ${sql.identifier(v.identity.name)}, ${sql.identifier(v.firstSeenAt.name)},
        ${sql.identifier(v.views.name)}, ${sql.identifier(v.watchedMs.name)}, ${sql.identifier(v.watchingSince.name)})
      select ${broadcastId}::uuid, identity, ${at}::timestamptz, 1, 0, ${at}::timestamptz
      from json_array_elements_text(${JSON.stringify(distinct)}::json) as identity
      on conflict (${sql.identifier(v.broadcastId.name)}, ${sql.identifier(v.identity.name)}) do update set
        ${sql.identifier(v.views.name)} = case when ${v.watchingSince} is null and (${v.leftAt} is null or ${v.leftAt} < ${continuesAfter}::timestamptz)
          then ${v.views} + 1 else ${v.views} end,
        ${sql.identifier(v.watchingSince.name)} = coalesce(${v.watchingSince}, ${at}::timestamptz)`);
  }

  /** The identity's last connection closed: its open segment is added to its watch time. */
  async stopped(broadcastId: string, identity: string, now = new Date()): Promise<void> {
    await this.db
      .update(broadcastViewers)
      .set({
        watchedMs: sql`${broadcastViewers.watchedMs} + greatest(0, floor(extract(epoch from (${now.toISOString()}::timestamptz - ${broadcastViewers.watchingSince})) * 1000))::bigint`,
        watchingSince: null,
        leftAt: now,
      })
      .where(and(eq(broadcastViewers.broadcastId, broadcastId), eq(broadcastViewers.identity, identity), isNotNull(broadcastViewers.watchingSince)));
  }

  async raisePeak(broadcastId: string, live: number, now = new Date()): Promise<void> {
    await this.db
      .insert(broadcastPeaks)
      .values({ broadcastId, peak: live, peakAt: now })
      .onConflictDoUpdate({
        target: broadcastPeaks.broadcastId,
        set: {
          peakAt: sql`case when ${live} > ${broadcastPeaks.peak} then ${now.toISOString()}::timestamptz else ${broadcastPeaks.peakAt} end`,
          peak: sql`greatest(${broadcastPeaks.peak}, ${live})`,
        },
      });
  }

  /** Stores the live count for the 5 s boundary at or before `now`; the first node to write wins. */
  async sample(broadcastId: string, live: number, now = new Date()): Promise<void> {
    const at = new Date(Math.floor(now.getTime() / SAMPLE_MS) * SAMPLE_MS);
    await this.db.insert(broadcastViewerSamples).values({ broadcastId, at, live }).onConflictDoNothing();
  }

  /** Everything a report shows about one broadcast's audience. */
  async stats(broadcastId: string, now = new Date()): Promise<BroadcastStats> {
    const [totals] = await this.db
      .select({
        unique: sql<number>`count(*)::int`,
        views: sql<number>`coalesce(sum(${broadcastViewers.views}), 0)::int`,
        watchMs: sql<number>`coalesce(sum(${broadcastViewers.watchedMs} + case when ${broadcastViewers.watchingSince} is null then 0
          else greatest(0, extract(epoch from (${now.toISOString()}::timestamptz - ${broadcastViewers.watchingSince})) * 1000) end), 0)::float8`,
      })
      .from(broadcastViewers)
      .where(eq(broadcastViewers.broadcastId, broadcastId));
    const [peak] = await this.db.select().from(broadcastPeaks).where(eq(broadcastPeaks.broadcastId, broadcastId));
    const rows = await this.db
      .select({ at: broadcastViewerSamples.at, live: broadcastViewerSamples.live })
      .from(broadcastViewerSamples)
      .where(eq(broadcastViewerSamples.broadcastId, broadcastId))
      .orderBy(asc(broadcastViewerSamples.at));
    const last = rows.at(-1);
    const live = last && now.getTime() - last.at.getTime() <= 2 * SAMPLE_MS ? last.live : 0;
    const unique = totals?.unique ?? 0;
    const watchSeconds = Math.floor((totals?.watchMs ?? 0) / 1000);
    return {
      broadcastId,
      live,
      peak: peak?.peak ?? 0,
      views: totals?.views ?? 0,
      unique,
      watchSeconds,
      averageWatchSeconds: unique ? Math.round(watchSeconds / unique) : 0,
      samples: rows.map((r) => ({ at: r.at.toISOString(), live: r.live })),
    };
  }
}

/** A broadcast's numbers without its series (the fair report's per-broadcast rows). */
export type BroadcastSummary = Omit<BroadcastStats, 'live' | 'samples'>;

/**
 * The summaries of several broadcasts in two grouped reads (the same numbers as `stats()`: watch
 * time includes open segments up to `now`).
 */
export async function broadcastSummaries(db: Db, broadcastIds: string[], now = new Date()): Promise<Map<string, BroadcastSummary>> {
  const result = new Map<string, BroadcastSummary>();
  if (broadcastIds.length === 0) return result;
  const [totals, peaks] = await Promise.all([
    db
      .select({
        broadcastId: broadcastViewers.broadcastId,
        unique: sql<number>`count(*)::int`,
        views: sql<number>`coalesce(sum(${broadcastViewers.views}), 0)::int`,
        watchMs: sql<number>`coalesce(sum(${broadcastViewers.watchedMs} + case when ${broadcastViewers.watchingSince} is null then 0
          else greatest(0, extract(epoch from (${now.toISOString()}::timestamptz - ${broadcastViewers.watchingSince})) * 1000) end), 0)::float8`,
      })
      .from(broadcastViewers)
      .where(inArray(broadcastViewers.broadcastId, broadcastIds))
      .groupBy(broadcastViewers.broadcastId),
    db.select().from(broadcastPeaks).where(inArray(broadcastPeaks.broadcastId, broadcastIds)),
  ]);
  for (const broadcastId of broadcastIds) {
    const t = totals.find((r) => r.broadcastId === broadcastId);
    const unique = t?.unique ?? 0;
    const watchSeconds = Math.floor((t?.watchMs ?? 0) / 1000);
    result.set(broadcastId, {
      broadcastId,
      peak: peaks.find((p) => p.broadcastId === broadcastId)?.peak ?? 0,
      views: t?.views ?? 0,
      unique,
      watchSeconds,
      averageWatchSeconds: unique ? Math.round(watchSeconds / unique) : 0,
    });
  }
  return result;
}

/** The read side for reports: `broadcastStats(db, id)`. */
export function broadcastStats(db: Db, broadcastId: string, now = new Date()): Promise<BroadcastStats> {
  return new AudienceLedger(db).stats(broadcastId, now);
}
