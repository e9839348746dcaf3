import { ErrorCode } from './errors.ts';

/**
 * How every client reconnects: the browser's session (web/src/lib/realtime/session.svelte.ts) and
 * the chaos tests' clients use this one policy, so a test's storm is the browsers' storm.
 *
 * After a lost connection Socket.IO's Manager waits `reconnectionDelay · 2^attempt` (capped at
 * `reconnectionDelayMax`), each wait spread ±`randomizationFactor`: a thousand clients of one
 * node that lose it together come back spread over a second, not in one instant.
 */
export const reconnectionOptions = {
  reconnectionDelay: 1000,
  reconnectionDelayMax: 10_000,
  randomizationFactor: 0.5,
} as const;

/** The `data` of a refused handshake's `connect_error` (Socket.IO middleware refusals). */
export interface HandshakeRefusal {
  code: ErrorCode;
  message: string;
  /** For BUSY: how long the server suggests waiting before trying again (it grows with the crowd). */
  retryAfterMs?: number;
}

/** The refusal a `connect_error` carries, if it is one of ours (else a transport error). */
export function handshakeRefusal(err: unknown): HandshakeRefusal | null {
  const data = (err as { data?: unknown } | null)?.data as Partial<HandshakeRefusal> | undefined;
  return data && typeof data.code === 'string' ? (data as HandshakeRefusal) : null;
}

/** The longest wait a server hint can impose (a wrong hint never parks a client for long). */
const MAX_BUSY_WAIT_MS = 30_000;

/**
 * How long to wait before trying again after the `attempt`-th BUSY in a row (0 for the first).
 * Socket.IO does not retry a handshake a middleware refused, so the client does, here. The
 * server's hint is sized by the crowd it is turning away, so it is followed as given (growing it
 * further per attempt would leave the node idle while its last clients wait); without one the
 * client backs off exponentially. Either way the wait is spread ±50 %, so the refused crowd does
 * not return as one crowd.
 */
export function busyRetryDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const { reconnectionDelay, reconnectionDelayMax, randomizationFactor } = reconnectionOptions;
  const base =
    retryAfterMs !== undefined && retryAfterMs > 0
      ? Math.min(MAX_BUSY_WAIT_MS, retryAfterMs)
      : Math.min(reconnectionDelayMax, reconnectionDelay * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - randomizationFactor + 2 * randomizationFactor * random()));
}

/**
 * True for the refusals the client retries by itself: BUSY (the node is shaping a crowd of
 * handshakes) and UNAVAILABLE (the database or Redis is away for a moment).
 */
export const isBusy = (refusal: HandshakeRefusal | null): boolean => refusal?.code === ErrorCode.BUSY || refusal?.code === ErrorCode.UNAVAILABLE;
