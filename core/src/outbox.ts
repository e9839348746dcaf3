import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { OUTBOX_LOCK, schema, type Db } from '@fairground/db';
import type { WebhookEventType } from './webhook-catalogue.ts';

const { webhookEvents, booths } = schema;

/** A new outbox event's id (receivers deduplicate on it). */
export const webhookMessageId = (): string => `msg_${randomUUID().replaceAll('-', '')}`;

/** The advisory-lock namespace of outbox subjects (the fan-out's is OUTBOX_LOCK + 1); the queue's one-statement join takes it too. */
export { OUTBOX_LOCK };

/**
 * Writes a webhook event into the outbox. Call it with the transaction that makes the change:
 * the event commits with it or not at all, and the delivery worker (signaling/src/webhooks/)
 * sends it afterwards, however often the process dies in between. Events carry ids, not people's
 * details: a receiver reads those through the API, where the access rules apply at read time.
 */
export async function enqueueWebhookEvent(
  tx: Db,
  event: { type: WebhookEventType; subject: string; employerId: string | null; fairId: string | null; data: Record<string, unknown>; at?: Date },
): Promise<void> {
  const at = event.at ?? new Date();
  const id = webhookMessageId();
  // One writer per subject at a time, until commit: the event's seq is taken under the lock, so a
  // subject's events commit in seq order and the fan-out never sees a later one before an earlier
  // one. An advisory lock, not a row lock: it does not meddle with the locks on the rows changed.
  await tx.execute(sql`select pg_advisory_xact_lock(${OUTBOX_LOCK}, hashtext(${event.subject}))`);
  await tx.insert(webhookEvents).values({
    id,
    type: event.type,
    subject: event.subject,
    employerId: event.employerId,
    fairId: event.fairId,
    payload: { type: event.type, timestamp: at.toISOString(), data: event.data },
    createdAt: at,
  });
}

/** A booth's event: its employer's and its fair's endpoints may receive it; ordered per booth. */
export async function enqueueBoothEvent(tx: Db, type: WebhookEventType, boothId: string, data: Record<string, unknown>, at?: Date): Promise<void> {
  const [booth] = await tx.select({ employerId: booths.employerId, fairId: booths.fairId }).from(booths).where(eq(booths.id, boothId));
  if (!booth) return;
  await enqueueWebhookEvent(tx, {
    type,
    subject: `booth:${boothId}`,
    employerId: booth.employerId,
    fairId: booth.fairId,
    data: { boothId, fairId: booth.fairId, employerId: booth.employerId, ...data },
    ...(at ? { at } : {}),
  });
}
