/** Every error code a client can receive in an ack. Codes are stable; messages are for people. */
export const ErrorCode = {
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_AUTHORIZED: 'NOT_AUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  MEDIA_REJECTED: 'MEDIA_REJECTED',
  CANNOT_CONSUME: 'CANNOT_CONSUME',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The booth's line is not open: the fair is not live, or no recruiter is on duty. */
  QUEUE_CLOSED: 'QUEUE_CLOSED',
  /** The seeker already waits in as many lines as allowed (3). */
  QUEUE_FULL: 'QUEUE_FULL',
  /** An interview panel already has its 4 people: nobody more can be invited. */
  PANEL_FULL: 'PANEL_FULL',
  /** The request does not fit the current state (a call already answered, an ended interview). */
  CONFLICT: 'CONFLICT',
  /** A moderator muted this user in the broadcast's chat: messages and questions are refused. */
  MUTED: 'MUTED',
  /** Slow mode is on: `retryAfterSeconds` says when this user may send again. */
  SLOW_MODE: 'SLOW_MODE',
  /** The server knows no event by this name (sent with an ack, so it is answered, not ignored). */
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',

  /** A per-peer media limit (one send and one receive transport, one consumer per stream, a few
   *  producers) would be exceeded; nothing was allocated. */
  LIMIT_REACHED: 'LIMIT_REACHED',
  /** The handshake was refused: this identity or address has as many open connections as allowed. */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** The handshake was refused: the node is taking in as many handshakes as it allows right now
   *  (a reconnect storm). `data.retryAfterMs` hints when to try again; clients retry by themselves
   *  (protocol/reconnect.ts). Nothing was allocated for the refused handshake. */
  BUSY: 'BUSY',
  /** A service the platform needs (the database) is down or restarting: nothing was changed;
   *  try again in a few seconds. */
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** Per-field problems for INVALID_PAYLOAD: path -> message. */
  details?: Record<string, string>;
  /** For SLOW_MODE and RATE_LIMITED, when known: whole seconds until a retry would be accepted. */
  retryAfterSeconds?: number;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ProtocolError };

export type Ack<T> = (result: Result<T>) => void;
