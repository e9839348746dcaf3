import type { AppServer } from './types.ts';

/**
 * What a node does between SIGTERM and closing, so a rolling restart loses nothing: it stops
 * looking healthy (the load balancer's health check sends new connections elsewhere), waits long
 * enough for the balancer to notice, then closes every client's transport, which a Socket.IO client
 * answers by reconnecting by itself (through the balancer, to another node; a server-side
 * `disconnect()` would tell it not to), and lets the requests already being handled finish their
 * writes before the platform closes its database and Redis.
 */
export class Drain {
  #draining = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];

  get draining(): boolean {
    return this.#draining;
  }

  /** Request handlers and disconnect writes still running (admission control reads it as load). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Counts a request handler until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    return work.finally(() => {
      if (--this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  async run(io: AppServer, options: { delayMs: number; inFlightTimeoutMs?: number }): Promise<{ moved: number; unfinished: number }> {
    this.#draining = true;
    await new Promise((r) => setTimeout(r, options.delayMs));
    const sockets = [...io.of('/').sockets.values()];
    for (const socket of sockets) socket.conn.close();
    // Each socket's disconnect handlers (leaving rooms, the line's grace period) start once its
    // transport has closed; they are tracked like requests.
    const until = Date.now() + 5000;
    while (io.of('/').sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.#inFlight > 0) {
      await Promise.race([new Promise<void>((r) => this.#idle.push(r)), new Promise((r) => setTimeout(r, options.inFlightTimeoutMs ?? 10_000))]);
    }
    return { moved: sockets.length, unfinished: this.#inFlight };
  }
}
