import { bigserial, bigint, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { employers } from './employers.ts';
import { fairs } from './fairs.ts';
import { users } from './users.ts';

/** Who owns an endpoint or a token: an employer (its booths) or the organizers of one fair. */
export const integrationOwnerKind = pgEnum('integration_owner_kind', ['employer', 'fair']);

/** A receiver an owner registered; `events` are catalogue names (core/src/webhook-catalogue.ts). */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerKind: integrationOwnerKind('owner_kind').notNull(),
    employerId: uuid('employer_id').references(() => employers.id, { onDelete: 'cascade' }),
    fairId: uuid('fair_id').references(() => fairs.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    events: text('events').array().notNull(),
    /** `whsec_…`: kept as is because every delivery is signed with it (it is shown once). */
    secret: text('secret').notNull(),
    /** After a rotation the old secret signs too until it expires, so receivers can switch over. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    /** Paused endpoints keep their pending deliveries; they go out on resume. */
    paused: boolean('paused').notNull().default(false),
    pausedReason: text('paused_reason'),
    /** Failed attempts in a row; reaching the limit pauses the endpoint. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_employer_idx').on(t.employerId), index('webhook_endpoints_fair_idx').on(t.fairId)],
);

/**
 * The transactional outbox: one row per domain event, written in the transaction that made the
 * change (so a rolled-back change sends nothing and a crash after commit loses nothing). `id` is
 * the Standard Webhooks message id (the receiver's idempotency key); `seq` orders events.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    /** Deliveries of one subject (a booth, a broadcast) to one endpoint go out in `seq` order. */
    subject: text('subject').notNull(),
    employerId: uuid('employer_id'),
    fairId: uuid('fair_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set once the event was copied into a delivery per subscribed endpoint. */
    fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
  },
  (t) => [index('webhook_events_pending_idx').on(t.fannedOutAt, t.seq)],
);

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', ['pending', 'delivered', 'failed']);

/** One event to one endpoint, retried with backoff until delivered or 24 h old. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventSeq: bigint('event_seq', { mode: 'number' })
      .notNull()
      .references(() => webhookEvents.seq, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A worker holds the delivery until then; one that died mid-request lets it go by itself. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** Retries stop after this (created + 24 h; a replay sets it anew). */
    giveUpAt: timestamp('give_up_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('webhook_deliveries_endpoint_event_uq').on(t.endpointId, t.eventSeq),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_subject_idx').on(t.endpointId, t.subject, t.eventSeq),
  ],
);

/** Every request made for a delivery: the endpoint's delivery log. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    ok: boolean('ok').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId)],
);

/** A read-API token: only its SHA-256 is kept; the token is shown once. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerKind: integrationOwnerKind('owner_kind').notNull(),
    employerId: uuid('employer_id').references(() => employers.id, { onDelete: 'cascade' }),
    fairId: uuid('fair_id').references(() => fairs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** The token's first characters, to tell tokens apart in a list. */
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_tokens_employer_idx').on(t.employerId), index('api_tokens_fair_idx').on(t.fairId)],
);
