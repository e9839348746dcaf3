import { and, count, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import type { Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { ownerColumns, ownerContacts, ownerIs, ownerOf, requireIntegrationOwner, type IntegrationOwner } from './integration-owner.ts';
import { mailLanguage, type Mailer } from './mail.ts';
import { resolveWebhookTarget, WebhookAddressError, type AddressPolicy } from './webhook-address.ts';
import { eventTypesFor } from './webhook-catalogue.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import { validate } from './validate.ts';

const { webhookEndpoints, webhookDeliveries, webhookEvents, webhookAttempts } = schema;

/** Endpoints one owner may register. */
export const MAX_ENDPOINTS_PER_OWNER = 10;
/** How long a rotated-out secret keeps signing, so the receiver can switch without losing events. */
export const SECRET_GRACE_MS = 24 * 3600_000;

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
/** An endpoint as its owner sees it: never the secret (shown once, at creation and rotation). */
export type EndpointView = Omit<WebhookEndpoint, 'secret' | 'previousSecret'>;

// The messages are the field codes the pages show (validate.ts).
const endpointSchema = z.object({
  url: z.string('required').trim().min(1, 'required').max(2000, 'too_long'),
  description: z.string().trim().max(200, 'too_long').default(''),
  events: z.array(z.string(), 'required').min(1, 'required').max(20, 'invalid'),
});

function view(row: WebhookEndpoint): EndpointView {
  const { secret: _secret, previousSecret: _previous, ...rest } = row;
  return rest;
}

/**
 * Webhook endpoints and their delivery logs, managed by their owners (integration-owner.ts).
 * Sending is the delivery worker's (webhook-deliveries.ts and signaling/src/webhooks/).
 */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly policy: AddressPolicy,
    private readonly mailer: Mailer,
    private readonly origin: string,
  ) {}

  async list(actor: Actor, owner: IntegrationOwner): Promise<EndpointView[]> {
    await requireIntegrationOwner(this.db, actor, owner, 'read');
    const rows = await this.db.select().from(webhookEndpoints).where(ownerIs(webhookEndpoints, owner)).orderBy(webhookEndpoints.createdAt);
    return rows.map(view);
  }

  /** Registers an endpoint; the secret is in the answer and never again. */
  async create(actor: Actor, owner: IntegrationOwner, input: unknown): Promise<{ endpoint: EndpointView; secret: string }> {
    await requireIntegrationOwner(this.db, actor, owner, 'manage');
    const data = validate(endpointSchema, input);
    const allowed = new Set<string>(eventTypesFor(owner.kind));
    const events = [...new Set(data.events)];
    if (events.some((e) => !allowed.has(e))) throw new ServiceError('INVALID', 'Unknown event type', { events: 'invalid' });
    await this.#checkUrl(data.url);
    const [{ n } = { n: 0 }] = await this.db.select({ n: count() }).from(webhookEndpoints).where(ownerIs(webhookEndpoints, owner));
    if (n >= MAX_ENDPOINTS_PER_OWNER) throw new ServiceError('CONFLICT', `At most ${MAX_ENDPOINTS_PER_OWNER} endpoints`);
    const secret = newWebhookSecret();
    const [row] = await this.db
      .insert(webhookEndpoints)
      .values({ ...ownerColumns(owner), url: data.url, description: data.description, events, secret, createdBy: actor!.id })
      .returning();
    return { endpoint: view(row!), secret };
  }

  async #checkUrl(url: string): Promise<void> {
    try {
      await resolveWebhookTarget(url, this.policy);
    } catch (error) {
      if (!(error instanceof WebhookAddressError)) throw error;
      const field = { INVALID_URL: 'invalid', SCHEME: 'https_required', UNRESOLVABLE: 'unresolvable', PRIVATE_ADDRESS: 'private_address' }[error.reason];
      throw new ServiceError('INVALID', 'This address cannot receive webhooks', { url: field });
    }
  }

  async #endpoint(actor: Actor, id: string, access: 'read' | 'manage'): Promise<WebhookEndpoint> {
    const parsed = z.uuid().safeParse(id);
    const [row] = parsed.success ? await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, parsed.data)) : [];
    if (!row) throw new ServiceError('NOT_FOUND', 'No such endpoint');
    await requireIntegrationOwner(this.db, actor, ownerOf(row), access);
    return row;
  }

  async get(actor: Actor, id: string): Promise<EndpointView> {
    return view(await this.#endpoint(actor, id, 'read'));
  }

  /** A new secret, shown once; the old one keeps signing (a second signature) for 24 h. */
  async rotateSecret(actor: Actor, id: string, now = new Date()): Promise<{ secret: string }> {
    const endpoint = await this.#endpoint(actor, id, 'manage');
    const secret = newWebhookSecret();
    await this.db
      .update(webhookEndpoints)
      .set({ secret, previousSecret: endpoint.secret, previousSecretExpiresAt: new Date(now.getTime() + SECRET_GRACE_MS) })
      .where(eq(webhookEndpoints.id, id));
    return { secret };
  }

  /**
   * Changes an endpoint's address, description and chosen events after creation (the same rules
   * as `create`). Deliveries already made keep going to the old address until they are done; new
   * events go to the new one. The secret stays (rotate it separately).
   */
  async update(actor: Actor, id: string, input: unknown): Promise<EndpointView> {
    const endpoint = await this.#endpoint(actor, id, 'manage');
    const data = validate(endpointSchema, input);
    const allowed = new Set<string>(eventTypesFor(endpoint.ownerKind));
    const events = [...new Set(data.events)];
    if (events.some((e) => !allowed.has(e))) throw new ServiceError('INVALID', 'Unknown event type', { events: 'invalid' });
    if (data.url !== endpoint.url) await this.#checkUrl(data.url);
    const [row] = await this.db
      .update(webhookEndpoints)
      .set({ url: data.url, description: data.description, events })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    return view(row!);
  }

  async setEvents(actor: Actor, id: string, events: string[]): Promise<EndpointView> {
    const endpoint = await this.#endpoint(actor, id, 'manage');
    const allowed = new Set<string>(eventTypesFor(endpoint.ownerKind));
    const unique = [...new Set(events)];
    if (unique.length === 0 || unique.some((e) => !allowed.has(e))) throw new ServiceError('INVALID', 'Choose known event types', { events: 'invalid' });
    const [row] = await this.db.update(webhookEndpoints).set({ events: unique }).where(eq(webhookEndpoints.id, id)).returning();
    return view(row!);
  }

  /** Paused endpoints keep collecting deliveries; resuming sends them, in order. */
  async setPaused(actor: Actor, id: string, paused: boolean): Promise<EndpointView> {
    await this.#endpoint(actor, id, 'manage');
    const [row] = await this.db
      .update(webhookEndpoints)
      .set(paused ? { paused: true, pausedReason: 'owner' } : { paused: false, pausedReason: null, consecutiveFailures: 0 })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return view(row!);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.#endpoint(actor, id, 'manage');
    await this.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  }

  /** The delivery log: newest deliveries first, each with its attempts. */
  async deliveries(actor: Actor, endpointId: string, limit = 50) {
    await this.#endpoint(actor, endpointId, 'read');
    const rows = await this.db
      .select({ delivery: webhookDeliveries, eventId: webhookEvents.id, type: webhookEvents.type })
      .from(webhookDeliveries)
      .innerJoin(webhookEvents, eq(webhookEvents.seq, webhookDeliveries.eventSeq))
      .where(eq(webhookDeliveries.endpointId, endpointId))
      .orderBy(desc(webhookDeliveries.eventSeq))
      .limit(Math.min(Math.max(limit, 1), 200));
    const ids = rows.map((r) => r.delivery.id);
    const attempts = ids.length ? await this.db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids)).orderBy(webhookAttempts.id) : [];
    return rows.map((r) => ({
      id: r.delivery.id,
      eventId: r.eventId,
      type: r.type,
      status: r.delivery.status,
      attempts: attempts
        .filter((a) => a.deliveryId === r.delivery.id)
        .map((a) => ({ at: a.at, ok: a.ok, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
      nextAttemptAt: r.delivery.status === 'pending' ? r.delivery.nextAttemptAt : null,
      deliveredAt: r.delivery.deliveredAt,
      createdAt: r.delivery.createdAt,
    }));
  }

  /** Sends a delivery again (same event id, so a receiver that has it already can drop it). */
  async replay(actor: Actor, deliveryId: string, now = new Date()): Promise<void> {
    const parsed = z.uuid().safeParse(deliveryId);
    const [row] = parsed.success ? await this.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, parsed.data)) : [];
    if (!row) throw new ServiceError('NOT_FOUND', 'No such delivery');
    await this.#endpoint(actor, row.endpointId, 'manage');
    await this.db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: now, leaseUntil: null, giveUpAt: new Date(now.getTime() + 24 * 3600_000), deliveredAt: null })
      .where(and(eq(webhookDeliveries.id, row.id)));
  }

  /** The worker paused an endpoint after repeated failures: its owners hear of it by mail. */
  async notifyPaused(endpointId: string): Promise<void> {
    const [row] = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    if (!row) return;
    const owner = ownerOf(row);
    const page =
      owner.kind === 'employer' ? `${this.origin}/employer/integrations/${owner.employerId}` : `${this.origin}/organizer/fairs/${owner.fairId}/integrations`;
    for (const contact of await ownerContacts(this.db, owner)) {
      const zh = mailLanguage(contact.locale) === 'zh';
      await this.mailer.send(
        zh
          ? {
              to: contact.email,
              subject: 'Webhook 端点已暂停',
              text: `发往 ${row.url} 的 webhook 连续失败，已暂停发送。未送达的事件会保留，修复接收端后请在此恢复：\n${page}\n\n—— Fairground 招聘会`,
            }
          : {
              to: contact.email,
              subject: 'Webhook endpoint paused',
              text: `Webhooks to ${row.url} failed repeatedly, so sending is paused. Undelivered events are kept; once the receiver is fixed, resume it here:\n${page}\n\n— Fairground`,
            },
      );
    }
  }
}
