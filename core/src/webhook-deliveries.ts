import { and, eq, inArray, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { OUTBOX_LOCK } from './outbox.ts';

const { webhookDeliveries, webhookEndpoints, webhookEvents, webhookAttempts } = schema;

export interface DeliveryOptions {
  /** First retry after this; each next one waits twice as long (with jitter). */
  retryBaseMs: number;
  /** Retries stop this long after the event (a replay starts the period anew). */
  maxAgeMs: number;
  /** A claimed delivery is the worker's for this long; a worker that died lets it go by itself. */
  leaseMs: number;
  /** Failed attempts in a row after which the endpoint is paused and its owners told. */
  pauseAfterFailures: number;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  retryBaseMs: 30_000,
  maxAgeMs: 24 * 3600_000,
  leaseMs: 60_000,
  pauseAfterFailures: 15,
};

export interface ClaimedDelivery {
  deliveryId: string;
  endpointId: string;
  url: string;
  /** The secrets that sign this request: the current one, and a rotated one still in its grace period. */
  secrets: string[];
  /** The event id: the same on every attempt and replay (the receiver's idempotency key). */
  messageId: string;
  body: string;
  attempt: number;
}

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** drizzle's `execute` answers `{ rows }` on PGlite and an array on postgres.js. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows?: T[] }).rows ?? (result as T[]);
}

/**
 * The durable job queue of webhook deliveries, in Postgres (or PGlite: the same SQL), so it needs
 * no other service: events are fanned out into one delivery per subscribed endpoint, due
 * deliveries are claimed with `FOR UPDATE SKIP LOCKED` under a lease (any number of nodes may
 * work together, and a node killed mid-request loses nothing: its lease runs out and another
 * attempt follows — at least once), and each attempt is logged.
 */
export class WebhookDeliveries {
  constructor(
    private readonly db: Db,
    readonly options: DeliveryOptions = defaultDeliveryOptions,
  ) {}

  /** Copies outbox events into deliveries for the endpoints subscribed now; returns how many events. */
  async fanOut(limit = 100, now = new Date()): Promise<number> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      // One fan-out at a time across nodes: two running side by side could create a later event's
      // delivery before an earlier one's, and the later would go out first. Busy: next round.
      const lock = rowsOf<{ ok: boolean }>(await db.execute(sql`select pg_try_advisory_xact_lock(${OUTBOX_LOCK + 1}) as ok`));
      if (!lock[0]?.ok) return 0;
      const events = await db
        .select({ seq: webhookEvents.seq })
        .from(webhookEvents)
        .where(sql`${webhookEvents.fannedOutAt} is null`)
        .orderBy(webhookEvents.seq)
        .limit(limit)
        .for('update', { skipLocked: true });
      if (events.length === 0) return 0;
      const seqs = events.map((e) => e.seq);
      const giveUpAt = new Date(now.getTime() + this.options.maxAgeMs);
      await db.execute(sql`
        insert into ${webhookDeliveries} (endpoint_id, event_seq, subject, next_attempt_at, give_up_at)
        select ep.id, ev.seq, ev.subject, ${now.toISOString()}::timestamptz, ${giveUpAt.toISOString()}::timestamptz
        from ${webhookEvents} ev
        join ${webhookEndpoints} ep on ev.type = any(ep.events)
          and ((ep.owner_kind = 'employer' and ep.employer_id = ev.employer_id)
            or (ep.owner_kind = 'fair' and ep.fair_id = ev.fair_id))
        where ev.seq in (${sql.join(
          seqs.map((s) => sql`${s}`),
          sql`, `,
        )})
        on conflict do nothing`);
      await db.update(webhookEvents).set({ fannedOutAt: now }).where(inArray(webhookEvents.seq, seqs));
      return seqs.length;
    });
  }

  /**
   * Takes up to `limit` due deliveries. Per endpoint and subject only the oldest pending one is
   * ever due, so a subject's events reach the receiver in order (a failing one holds the later
   * ones back until it succeeds or gives up).
   */
  async claim(limit: number, now = new Date()): Promise<ClaimedDelivery[]> {
    const leaseUntil = new Date(now.getTime() + this.options.leaseMs);
    const claimed = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const result = await db.execute<{ id: string }>(sql`
        update ${webhookDeliveries} set lease_until = ${leaseUntil.toISOString()}::timestamptz, attempts = attempts + 1
        where id in (
          select d.id from ${webhookDeliveries} d
          join ${webhookEndpoints} ep on ep.id = d.endpoint_id
          where d.status = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz
            and (d.lease_until is null or d.lease_until < ${now.toISOString()}::timestamptz)
            and not ep.paused
            and not exists (
              select 1 from ${webhookDeliveries} earlier
              where earlier.endpoint_id = d.endpoint_id and earlier.subject = d.subject
                and earlier.status = 'pending' and earlier.event_seq < d.event_seq)
          order by d.event_seq
          limit ${limit}
          for update of d skip locked)
        returning id`);
      return rowsOf<{ id: string }>(result).map((r) => r.id);
    });
    if (claimed.length === 0) return [];
    const rows = await this.db
      .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints, event: webhookEvents })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .innerJoin(webhookEvents, eq(webhookEvents.seq, webhookDeliveries.eventSeq))
      .where(inArray(webhookDeliveries.id, claimed))
      .orderBy(webhookDeliveries.eventSeq);
    return rows.map(({ delivery, endpoint, event }) => ({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      url: endpoint.url,
      secrets: [
        endpoint.secret,
        ...(endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now ? [endpoint.previousSecret] : []),
      ],
      messageId: event.id,
      body: JSON.stringify(event.payload),
      attempt: delivery.attempts,
    }));
  }

  /**
   * Logs an attempt and schedules what follows: done, a retry after an exponential backoff, or
   * given up past the delivery's 24 h. Returns whether this attempt paused the endpoint.
   */
  async complete(claimed: ClaimedDelivery, result: AttemptResult, now = new Date()): Promise<{ paused: boolean }> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await db.insert(webhookAttempts).values({
        deliveryId: claimed.deliveryId,
        at: now,
        ok: result.ok,
        statusCode: result.statusCode,
        error: result.error?.slice(0, 500) ?? null,
        durationMs: Math.round(result.durationMs),
      });
      const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, claimed.deliveryId));
      if (!delivery) return { paused: false };
      if (result.ok) {
        await db
          .update(webhookDeliveries)
          .set({ status: 'delivered', deliveredAt: now, leaseUntil: null, lastError: null })
          .where(eq(webhookDeliveries.id, delivery.id));
        await db.update(webhookEndpoints).set({ consecutiveFailures: 0 }).where(eq(webhookEndpoints.id, delivery.endpointId));
        return { paused: false };
      }
      const next = new Date(now.getTime() + this.backoffMs(delivery.attempts));
      const gaveUp = next > delivery.giveUpAt;
      await db
        .update(webhookDeliveries)
        .set({
          status: gaveUp ? 'failed' : 'pending',
          nextAttemptAt: next,
          leaseUntil: null,
          lastError: result.error ?? `HTTP ${result.statusCode}`,
        })
        .where(eq(webhookDeliveries.id, delivery.id));
      const [endpoint] = await db
        .update(webhookEndpoints)
        .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1` })
        .where(eq(webhookEndpoints.id, delivery.endpointId))
        .returning();
      if (endpoint && !endpoint.paused && endpoint.consecutiveFailures >= this.options.pauseAfterFailures) {
        await db
          .update(webhookEndpoints)
          .set({ paused: true, pausedReason: 'failures' })
          .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.paused, false)));
        return { paused: true };
      }
      return { paused: false };
    });
  }

  /** Attempt n failed: wait base × 2^(n-1), ±20 % so many failing deliveries do not retry in step. */
  backoffMs(attempts: number): number {
    const exact = this.options.retryBaseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 20);
    return Math.round(exact * (0.8 + Math.random() * 0.4));
  }
}
