import type { Logger } from 'pino';
import type { z } from 'zod';
import { MediaError } from '@fairground/media-server';
import { ServiceError, type ServiceErrorCode } from '@fairground/core';
import { isDatabaseUnavailable } from '@fairground/db';
import {
  requestSchemas,
  type ClientToServerEvents,
  type ErrorCode,
  type ProtocolError,
  type RequestEvent,
  type RequestPayload,
  type Result,
} from '../protocol/index.ts';
import { isRedisUnavailable } from './redis.ts';
import type { RequestMeter } from '../http/metrics.ts';

type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends (result: Result<infer T>) => void ? T : never;

/** A per-connection allowance: false when the connection has used it up for now. */
export interface RequestLimiter {
  take(): Promise<boolean> | boolean;
}

export type RequestHandler<E extends RequestEvent> = (payload: RequestPayload<E>) => Promise<AckData<E>>;

/**
 * Runs one request: the payload (`args`, the ack last when the client asked for one) is parsed by
 * the event's schema from the protocol's table (`requestSchemas`) before the handler sees it, the
 * result is acked as a Result union, and every failure becomes a code. No stack, SQL or internal
 * message ever reaches the client. Each ack is counted by event and outcome (`meter`: the node's
 * metrics).
 */
export async function runRequest<E extends RequestEvent>(
  event: E,
  args: unknown[],
  limiter: RequestLimiter,
  log: Logger,
  fn: RequestHandler<E>,
  meter?: RequestMeter,
): Promise<void> {
  const started = performance.now();
  // The ack is the last argument when the client asked for one; a missing payload shifts it.
  const reply = typeof args.at(-1) === 'function' ? (args.pop() as (r: Result<AckData<E>>) => void) : null;
  if (!reply) {
    log.debug({ event }, 'event without ack ignored');
    return;
  }
  const ack = (result: Result<AckData<E>>) => {
    meter?.observe(event, result.ok ? 'ok' : result.error.code, (performance.now() - started) / 1000);
    reply(result);
  };
  if (!(await limiter.take())) {
    return ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many requests; slow down' } });
  }
  const schema: z.ZodType = requestSchemas[event];
  const parsed = schema.safeParse(args[0]);
  if (!parsed.success) {
    const details: Record<string, string> = {};
    for (const issue of parsed.error.issues) details[issue.path.join('.') || '(payload)'] = issue.message;
    return ack({ ok: false, error: { code: 'INVALID_PAYLOAD', message: `Invalid ${event} payload`, details } });
  }
  try {
    ack({ ok: true, data: await fn(parsed.data as RequestPayload<E>) });
  } catch (error) {
    ack({ ok: false, error: toProtocolError(error, log, event) });
  }
}

/** The one mapping of a service refusal to its wire code. */
const WIRE_CODE: Record<ServiceErrorCode, ErrorCode> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_AUTHORIZED: 'NOT_AUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  INVALID: 'INVALID_PAYLOAD',
  CONFLICT: 'CONFLICT',
  QUEUE_CLOSED: 'QUEUE_CLOSED',
  QUEUE_FULL: 'QUEUE_FULL',
  PANEL_FULL: 'PANEL_FULL',
  MUTED: 'MUTED',
  SLOW_MODE: 'SLOW_MODE',
  RATE_LIMITED: 'RATE_LIMITED',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
};

/** The media server's refusals on the wire: its own codes where the client acts on them, else NOT_FOUND. */
const MEDIA_WIRE_CODE: Partial<Record<string, ErrorCode>> = {
  CANNOT_CONSUME: 'CANNOT_CONSUME',
  MEDIA_REJECTED: 'MEDIA_REJECTED',
  LIMIT_REACHED: 'LIMIT_REACHED',
  // A media node (split roles) did not answer in time: the client may try again, never hangs.
  MEDIA_UNAVAILABLE: 'UNAVAILABLE',
};

export function toProtocolError(error: unknown, log: Logger, event: string): ProtocolError {
  if (error instanceof ServiceError) {
    return {
      code: WIRE_CODE[error.code],
      message: error.message,
      ...(Object.keys(error.fields).length ? { details: error.fields } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof MediaError) {
    return { code: MEDIA_WIRE_CODE[error.code] ?? 'NOT_FOUND', message: error.message };
  }
  if (isDatabaseUnavailable(error) || isRedisUnavailable(error)) {
    log.warn({ event, err: String(error) }, 'database or Redis unavailable');
    return { code: 'UNAVAILABLE', message: 'The service is briefly unavailable; please try again in a few seconds' };
  }
  log.error({ event, err: error }, 'handler failed');
  return { code: 'INTERNAL', message: 'Something went wrong on our side; please try again' };
}
