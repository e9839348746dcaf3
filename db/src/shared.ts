import type { Auth } from './auth.ts';
import type { Database } from './connect.ts';

/** What the platform process opens once and every part of it (pages and sockets) uses. */
export interface PlatformServices {
  database: Database;
  auth: Auth;
}

// The SvelteKit handler and the signaling server run in one process and must share one
// connection pool (PGlite allows a single opener of its directory). A global symbol survives the
// web bundle carrying its own copy of this module.
const KEY = Symbol.for('fairground.platform');
const slot = globalThis as unknown as { [KEY]?: PlatformServices };

export function sharePlatformServices(services: PlatformServices): void {
  slot[KEY] = services;
}

export function platformServices(): PlatformServices {
  const services = slot[KEY];
  if (!services) throw new Error('The platform has not been started in this process (use npm start)');
  return services;
}
