import type { Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { MediaError } from '@fairground/media-server';
import { ServiceError } from '@fairground/core';
import { isDatabaseUnavailable } from '@fairground/db';
import { DomainError } from '../domain/errors.ts';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ProtocolError,
  Result,
  ServerToClientEvents,
  SocketData,
} from '../protocol/index.ts';

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

type AckData<E extends keyof ClientToServerEvents> =
  Parameters<ClientToServerEvents[E]>[1] extends (result: Result<infer T>) => void ? T : never;

export interface RateLimiter {
  /** False when the connection has used up its allowance for now. */
  take(): boolean;
}

/** A token bucket per connection: bursts are fine, a flood is refused. */
export function tokenBucket(perSecond: number, burst: number, now = () => Date.now()): RateLimiter {
  let tokens = burst;
  let last = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * Registers one request handler: the payload is parsed by its schema before the handler sees
 * it, the result is acked as a Result union, and every failure becomes a code. No stack, SQL or
 * internal message ever reaches the client.
 */
export function handle<E extends keyof ClientToServerEvents, S extends z.ZodType>(
  socket: AppSocket,
  event: E,
  schema: S,
  limiter: RateLimiter,
  log: Logger,
  fn: (payload: z.infer<S>) => Promise<AckData<E>>,
): void {
  const listener = async (...args: unknown[]) => {
    // The ack is the last argument when the client asked for one; a missing payload shifts it.
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as (r: Result<AckData<E>>) => void) : null;
    if (!ack) {
      log.debug({ event }, 'event without ack ignored');
      return;
    }
    if (!limiter.take()) {
      return ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many requests; slow down' } });
    }
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      const details: Record<string, string> = {};
      for (const issue of parsed.error.issues) details[issue.path.join('.') || '(payload)'] = issue.message;
      return ack({ ok: false, error: { code: 'INVALID_PAYLOAD', message: `Invalid ${event} payload`, details } });
    }
    try {
      ack({ ok: true, data: await fn(parsed.data) });
    } catch (error) {
      ack({ ok: false, error: toProtocolError(error, log, event) });
    }
  };
  socket.on(event, listener as never);
}

export function toProtocolError(error: unknown, log: Logger, event: string): ProtocolError {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  if (error instanceof ServiceError) {
    const code = error.code === 'INVALID' ? 'INVALID_PAYLOAD' : error.code;
    return {
      code,
      message: error.message,
      ...(Object.keys(error.fields).length ? { details: error.fields } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof MediaError) {
    const code =
      error.code === 'CANNOT_CONSUME' || error.code === 'MEDIA_REJECTED' || error.code === 'LIMIT_REACHED' ? error.code : 'NOT_FOUND';
    return { code, message: error.message };
  }
  if (isDatabaseUnavailable(error)) {
    log.warn({ event, err: error }, 'database unavailable');
    return { code: 'UNAVAILABLE', message: 'The service is briefly unavailable; please try again in a few seconds' };
  }
  log.error({ event, err: error }, 'handler failed');
  return { code: 'INTERNAL', message: 'Something went wrong on our side; please try again' };
}
