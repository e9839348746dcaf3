/** Why a service refused; callers map the code to their own (an HTTP status, a protocol code). */
export type ServiceErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_AUTHORIZED'
  | 'NOT_FOUND'
  | 'INVALID'
  | 'CONFLICT'
  /** The booth's line is not open (fair not live, or nobody on duty). */
  | 'QUEUE_CLOSED'
  /** The seeker already waits in as many lines as allowed. */
  | 'QUEUE_FULL'
  /** An interview panel already has its 4 people (recruiters, the seeker, an interpreter). */
  | 'PANEL_FULL'
  /** A moderator muted this user in this broadcast's chat. */
  | 'MUTED'
  /** Slow mode: the user must wait `retryAfterSeconds` before their next message. */
  | 'SLOW_MODE'
  /** Too many requests of one kind from one user; `retryAfterSeconds` says when to try again. */
  | 'RATE_LIMITED'
  /** A realtime request for a room the connection has not joined (media before `booth:join`). */
  | 'NOT_IN_ROOM';

/**
 * The one mapping of a refusal to an HTTP status (pages' `fail()`/`error()`, any HTTP API). The
 * socket layer has its own single table to wire codes (signaling's toProtocolError), the pages one
 * to text (web/src/lib/errors.ts).
 */
export const HTTP_STATUS: Record<ServiceErrorCode, number> = {
  UNAUTHENTICATED: 401,
  NOT_AUTHORIZED: 403,
  NOT_FOUND: 404,
  INVALID: 400,
  CONFLICT: 409,
  QUEUE_CLOSED: 409,
  QUEUE_FULL: 409,
  PANEL_FULL: 409,
  MUTED: 403,
  SLOW_MODE: 429,
  RATE_LIMITED: 429,
  NOT_IN_ROOM: 409,
};

// The web bundle carries its own copy of this module, so a refusal thrown by the platform's
// services would fail a plain `instanceof` there (and become a 500): recognise the brand instead.
const BRAND = Symbol.for('fairground.ServiceError');

export class ServiceError extends Error {
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    /** Per-field problems for INVALID, as message codes (`required`, `too_long`, ...). */
    readonly fields: Record<string, string> = {},
    /** For SLOW_MODE and RATE_LIMITED: whole seconds until the request would be accepted. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
