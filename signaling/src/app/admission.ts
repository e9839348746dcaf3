import type { Logger } from 'pino';
import { ErrorCode, type HandshakeRefusal } from '../protocol/index.ts';
import { createRateLimiter, type Rate } from './rate-limits.ts';
import type { AppServer, AppSocket } from './types.ts';

export interface AdmissionOptions {
  /** Handshakes this node takes in per second (a burst, then the steady rate). */
  rate: Rate;
  /** The most work in flight at which a handshake is still taken in: handshakes being checked,
   *  plus `backlog()`. */
  maxBacklog: number;
  /** Work the node has in flight besides handshakes: request handlers and disconnect writes (Drain). */
  backlog: () => number;
  log: Logger;
  /** A handshake that neither connects nor closes stops counting after this long. */
  handshakeTimeoutMs?: number;
}

export interface Admission {
  /** Socket.IO middleware; the first of the chain, before any check that costs a round trip. */
  middleware: (socket: AppSocket, next: (err?: Error) => void) => Promise<void>;
  /** Counts since the node started (for tests and logs). */
  stats(): { admitted: number; refused: number; handshakes: number };
}

/** The shortest and longest retry hint; between them it grows with the crowd being refused. */
const MIN_HINT_MS = 1000;
const MAX_HINT_MS = 15_000;

/**
 * Admission control for Socket.IO handshakes (a reconnect storm: a thousand clients of one node
 * that lost it at once come back within a second or two, and each brings its rejoins). A node that
 * took them all in at once would queue thousands of session reads, presence writes and rejoin
 * writes behind one database pool, answer nothing else for seconds (its health check included,
 * so a balancer would take it out) and time its clients out into another round.
 *
 * Instead it takes in at most `rate` handshakes a second, and none while its backlog (handshakes
 * being checked, requests and disconnect writes running) is at `maxBacklog`: the rejoins of the
 * clients already admitted are served before more clients come in. The rest are
 * refused at once with BUSY and a hint of when to come back, sized by the crowd turned away this
 * second; nothing is allocated for them (no session read, no presence, no room), and clients
 * retry after a jittered wait (protocol/reconnect.ts). The join rate stays near what the node can
 * do instead of collapsing into timeouts.
 *
 * Per node and in memory: each node protects itself; a balancer spreads clients over nodes.
 */
export function createAdmission(io: AppServer, options: AdmissionOptions): Admission {
  const { log } = options;
  const limiter = createRateLimiter('handshake', options.rate, null);
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  /** Admitted handshakes not yet connected (or closed): socket id -> its release. */
  const pending = new Map<string, () => void>();
  let admitted = 0;
  let refused = 0;
  /** Refusals in the current second, which size the hint: the crowd this node is turning away. */
  let recent = { second: 0, refused: 0 };
  let lastLog = 0;

  // A handshake is done when its socket connects; a later middleware's refusal or a dropped
  // client ends it when the transport closes, and the timeout bounds everything else.
  io.on('connection', (socket) => pending.get(socket.id)?.());

  const refuse = (next: (err?: Error) => void, reason: 'rate' | 'backlog') => {
    refused++;
    const second = Math.floor(Date.now() / 1000);
    if (recent.second !== second) recent = { second, refused: 0 };
    recent.refused++;
    // Come back once the node has had time for the crowd ahead; clients add their own jitter.
    const retryAfterMs = Math.min(MAX_HINT_MS, Math.max(MIN_HINT_MS, Math.ceil((1000 * recent.refused) / options.rate.perSecond)));
    if (Date.now() - lastLog >= 1000) {
      lastLog = Date.now();
      log.warn({ reason, refused, handshakes: pending.size, backlog: options.backlog(), retryAfterMs }, 'handshakes refused: busy');
    }
    const error = new Error(ErrorCode.BUSY) as Error & { data?: HandshakeRefusal };
    error.data = { code: ErrorCode.BUSY, message: 'The server is busy; trying again shortly', retryAfterMs };
    next(error);
  };

  return {
    async middleware(socket, next) {
      if (pending.size + options.backlog() >= options.maxBacklog) return refuse(next, 'backlog');
      if (!(await limiter.take('node'))) return refuse(next, 'rate');
      admitted++;
      const conn = socket.conn;
      const release = () => {
        pending.delete(socket.id);
        clearTimeout(timer);
        conn.off('close', release);
      };
      const timer = setTimeout(release, timeoutMs);
      timer.unref();
      conn.once('close', release);
      pending.set(socket.id, release);
      next();
    },
    stats: () => ({ admitted, refused, handshakes: pending.size }),
  };
}
