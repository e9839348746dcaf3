import type { Auth, Database } from '@fairground/db';
import type { Services } from './services.ts';

/** What the platform process opens once and every part of it (pages and sockets) uses. */
export interface Platform {
  database: Database;
  auth: Auth;
  services: Services;
  /**
   * The media routers' RTP capabilities (the same on every router and node): pages send them with
   * the page, so the browser's mediasoup Device is loaded before a Watch click, not after a join.
   * Plain JSON here (core knows nothing of mediasoup); the client reads it as mediasoup-client's type.
   */
  routerRtpCapabilities(): Promise<Record<string, unknown>>;
}

// The SvelteKit handler and the signaling server run in one process and must share one
// connection pool (PGlite allows a single opener of its directory). A global symbol survives the
// web bundle carrying its own copy of this module.
const KEY = Symbol.for('fairground.platform');
const slot = globalThis as unknown as { [KEY]?: Platform };

export function sharePlatform(platform: Platform): void {
  slot[KEY] = platform;
}

export function platform(): Platform {
  const current = slot[KEY];
  if (!current) throw new Error('The platform has not been started in this process (use npm start)');
  return current;
}
