import { io, type Socket } from 'socket.io-client';
import {
  busyRetryDelayMs,
  handshakeRefusal,
  isBusy,
  reconnectionOptions,
  type ClientToServerEvents,
  type ErrorCode,
  type Result,
  type ServerToClientEvents,
} from '@fairground/signaling/protocol';
import { m } from '#lib/paraglide/messages.js';
import { genericErrorText } from '#lib/errors.ts';

/**
 * The page's realtime session: the one Socket.IO connection, its status, and the rooms the page
 * has joined. Per-room stores (booth, broadcast, chat, queue, interview, dashboard) subscribe
 * through `session.on` and register their rejoin with `session.room`; components read those
 * stores and never touch the socket.
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `connecting`: before the first connection; `offline`: no retry is under way (refused, kicked, no network). */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

type Payload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
export type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends (result: Result<infer T>) => void ? T : never;

/** A refused request: `code` comes from the protocol's error table. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'TIMEOUT',
    message: string,
    /** For SLOW_MODE and RATE_LIMITED: seconds until a retry would be accepted. */
    readonly retryAfterSeconds?: number,
    /** For INVALID_PAYLOAD: which field was refused, and why (a ServiceError's fields). */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A request's failure as text for the page. */
export const errorMessage = (e: unknown) => (e instanceof RequestError ? genericErrorText(e.code) : null) ?? (e instanceof Error ? e.message : String(e));

const DEVICE_KEY = 'fairground.device';

/** An anonymous, stable id per browser, so two tabs of one visitor count as one viewer. */
export function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID().replaceAll('-', '');
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

interface Room {
  rejoin: () => void;
  /** Counted in `rooms` (the connection notice shows where a page holds one). */
  shown: boolean;
  /** The connection (by count) this room was last joined on. */
  joinedOn: number;
}

class Session {
  /** Reactive: what the connection is doing now. */
  status = $state<ConnectionStatus>('connecting');
  /** Reactive: how many rooms the page holds (the status is shown only where a page uses the socket). */
  rooms = $state(0);

  #socket: ClientSocket | null = null;
  /** Set while the server refuses this connection because too many are open (tabs, devices). */
  #refused = false;
  /** BUSY refusals in a row (the node is shaping a reconnect storm); without a server hint the wait grows with them. */
  #busy = 0;
  #busyRetry: ReturnType<typeof setTimeout> | undefined;
  /** Counts connections: a room joined on an earlier one is rejoined, once, on the next. */
  #connections = 0;
  readonly #rooms = new Set<Room>();
  #identity: string | undefined;

  /** The page's one connection (created on first use); the session cookie authenticates it. */
  get socket(): ClientSocket {
    if (this.#socket) return this.#socket;
    // One reconnection policy for every client (protocol/reconnect.ts): exponential backoff with jitter.
    const socket: ClientSocket = io({ auth: { deviceId: deviceId() }, transports: ['websocket', 'polling'], ...reconnectionOptions });
    this.#socket = socket;
    socket.on('connect', () => {
      this.#refused = false;
      this.#busy = 0;
      this.status = 'connected';
      this.#connections++;
      // The server forgot this connection's rooms: join each again, once per connection.
      for (const room of this.#rooms) {
        if (room.joinedOn >= this.#connections) continue;
        room.joinedOn = this.#connections;
        room.rejoin();
      }
    });
    socket.on('disconnect', (reason) => {
      // The server closed it (a sign-out everywhere): Socket.IO does not retry that.
      this.status = reason === 'io server disconnect' ? 'offline' : 'reconnecting';
    });
    socket.on('connect_error', (err) => {
      const refusal = handshakeRefusal(err);
      if (isBusy(refusal)) {
        // The node is taking in a crowd of handshakes a few at a time (app/admission.ts), or the
        // database or Redis is away for a moment. Socket.IO does not retry a refused handshake, so
        // this does, after a jittered wait; the page keeps saying it is reconnecting meanwhile.
        clearTimeout(this.#busyRetry);
        this.#busyRetry = setTimeout(
          () => {
            if (!socket.connected && !socket.active) socket.connect();
          },
          busyRetryDelayMs(this.#busy++, refusal?.retryAfterMs),
        );
        if (this.status !== 'connecting') this.status = 'reconnecting';
        return;
      }
      this.#refused = refusal?.code === 'TOO_MANY_CONNECTIONS';
      if (this.#refused || !socket.active) this.status = 'offline';
      else if (this.status !== 'connecting') this.status = 'reconnecting';
    });
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', () => {
        if (!socket.connected) this.status = 'offline';
      });
      window.addEventListener('online', () => {
        if (!socket.connected) this.status = 'reconnecting';
      });
    }
    return socket;
  }

  /** Listens to one server event until the returned function is called. */
  on<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): () => void {
    const socket = this.socket;
    // Socket.IO's typed overloads do not narrow a generic event name.
    (socket.on as (e: E, h: ServerToClientEvents[E]) => void)(event, handler);
    return () => (socket.off as (e: E, h: ServerToClientEvents[E]) => void)(event, handler);
  }

  /**
   * Registers a room the page has joined (or is joining now): after every reconnect `rejoin` runs
   * once. Returns the function that forgets the room (call it when the page leaves it).
   * `shown: false`: state every page reads again (the seeker's line places), not a live room that
   * makes the page show the connection notice by itself.
   */
  room(rejoin: () => void, options: { shown?: boolean } = {}): () => void {
    const socket = this.socket;
    // A join sent before the first connection is buffered and goes out on it: not a rejoin.
    const room: Room = { rejoin, shown: options.shown ?? true, joinedOn: socket.connected ? this.#connections : this.#connections + 1 };
    this.#rooms.add(room);
    this.#countRooms();
    return () => {
      this.#rooms.delete(room);
      this.#countRooms();
    };
  }

  #countRooms(): void {
    this.rooms = [...this.#rooms].filter((r) => r.shown).length;
  }

  /** This connection's id on the server (a stage guest names itself by it). */
  get id(): string | undefined {
    return this.#socket?.id;
  }

  /**
   * Tells the connection who is signed in now. The handshake carries the session cookie, so after a
   * sign-in or sign-out without a page load (an enhanced form) the socket reconnects: otherwise the
   * server would keep treating it as the previous user (or as an anonymous visitor).
   */
  syncIdentity(current: string): void {
    if (this.#identity === undefined || !this.#socket) {
      this.#identity = current;
      return;
    }
    if (this.#identity === current) return;
    this.#identity = current;
    this.#socket.disconnect().connect();
  }

  /** Sends a request and resolves with its data, or rejects with a RequestError. */
  async request<E extends keyof ClientToServerEvents>(event: E, payload: Payload<E>, timeoutMs = 10_000): Promise<AckData<E>> {
    const socket = this.socket;
    // A refused handshake is not retried by Socket.IO: say why at once instead of timing out.
    if (this.#refused && !socket.connected) throw new RequestError('TOO_MANY_CONNECTIONS', m.too_many_connections());
    let result: Result<AckData<E>>;
    try {
      result = await (socket.timeout(timeoutMs).emitWithAck as (...a: unknown[]) => Promise<Result<AckData<E>>>)(event, payload);
    } catch {
      throw new RequestError('TIMEOUT', `No answer to ${event}`);
    }
    if (!result.ok) throw new RequestError(result.error.code, result.error.message, result.error.retryAfterSeconds, result.error.details);
    return result.data;
  }
}

export const session = new Session();

/** Shorthand for `session.request`. */
export const request = <E extends keyof ClientToServerEvents>(event: E, payload: Payload<E>, timeoutMs?: number) => session.request(event, payload, timeoutMs);
