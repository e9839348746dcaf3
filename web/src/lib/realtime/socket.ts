import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ErrorCode,
  Result,
  ServerToClientEvents,
} from '@fairground/signaling/protocol';
import { m } from '$lib/paraglide/messages';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type Payload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type AckData<E extends keyof ClientToServerEvents> =
  Parameters<ClientToServerEvents[E]>[1] extends (result: Result<infer T>) => void ? T : never;

/** A refused request: `code` comes from the protocol's error table. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'TIMEOUT',
    message: string,
    /** For SLOW_MODE and RATE_LIMITED: seconds until a retry would be accepted. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const DEVICE_KEY = 'fairground.device';

/** An anonymous, stable id per browser, so two tabs of one visitor count as one viewer. */
function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID().replaceAll('-', '');
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

let socket: ClientSocket | null = null;
/** Set while the server refuses this connection because too many are open (tabs, devices). */
let refused = false;

/** The page's one connection; the session cookie authenticates it. */
export function getSocket(): ClientSocket {
  if (!socket) {
    socket = io({ auth: { deviceId: deviceId() }, transports: ['websocket', 'polling'] });
    socket.on('connect', () => (refused = false));
    socket.on('connect_error', (err) => {
      refused = (err as Error & { data?: { code?: string } }).data?.code === 'TOO_MANY_CONNECTIONS';
    });
  }
  return socket;
}

let identity: string | undefined;

/**
 * Tells the connection who is signed in now. The handshake carries the session cookie, so after a
 * sign-in or sign-out without a page load (an enhanced form) the socket reconnects: otherwise the
 * server would keep treating it as the previous user (or as an anonymous visitor).
 */
export function syncSocketIdentity(current: string): void {
  if (identity === undefined || !socket) {
    identity = current;
    return;
  }
  if (identity === current) return;
  identity = current;
  socket.disconnect().connect();
}

/** Sends a request and resolves with its data, or rejects with a RequestError. */
export async function request<E extends keyof ClientToServerEvents>(
  event: E,
  payload: Payload<E>,
  timeoutMs = 10_000,
): Promise<AckData<E>> {
  // A refused handshake is not retried by Socket.IO: say why at once instead of timing out.
  if (refused && !getSocket().connected) throw new RequestError('TOO_MANY_CONNECTIONS', m.too_many_connections());
  let result: Result<AckData<E>>;
  try {
    result = await (getSocket().timeout(timeoutMs).emitWithAck as (...a: unknown[]) => Promise<Result<AckData<E>>>)(
      event,
      payload,
    );
  } catch {
    throw new RequestError('TIMEOUT', `No answer to ${event}`);
  }
  if (!result.ok) throw new RequestError(result.error.code, result.error.message, result.error.retryAfterSeconds);
  return result.data;
}
