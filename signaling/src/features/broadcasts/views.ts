import type { Logger } from 'pino';
import type { BroadcastAudience } from '../../live/broadcast-audience.ts';
import type { AnonymousViewerCap } from '@fairground/core';
import type { AppSocket } from '../../app/types.ts';

export interface BroadcastView {
  /**
   * Settles once a signed-in viewer is counted (at once), with the live count its counting made;
   * null when it is not counted now (an anonymous one is counted after its dwell, if at all).
   */
  begun: Promise<number | null>;
  /** The connection left: uncounts it if it was counted, or cancels the pending count. */
  stop(): Promise<void>;
}

export interface BroadcastViewsOptions {
  audience: BroadcastAudience;
  cap: AnonymousViewerCap;
  /** How long an anonymous connection stays in the room before it counts. */
  dwellMs: number;
  /** The client's address (clientAddress(): the configured proxy header, else the TCP peer). */
  addressOf: (socket: AppSocket) => string;
  log: Logger;
}

/**
 * When a broadcast viewer's connection counts (live viewers, views, peak, watch time).
 *
 * Signed-in viewers count at once: their identity is an account. Anonymous viewers are a device id
 * the client makes up, so they count only (1) once the connection has stayed `dwellMs` in the room:
 * a page left open, not a connect-and-drop loop; media is not required, because viewers wait in
 * the room before the hosts go live and audio-only viewers still watch; and (2) within the per-address
 * cap of distinct device ids per broadcast (AnonymousViewerCap). Over the cap they watch, uncounted.
 */
export function createBroadcastViews(options: BroadcastViewsOptions) {
  const { audience, cap, dwellMs, addressOf, log } = options;
  return {
    start(broadcastId: string, socket: AppSocket): BroadcastView {
      const identity = socket.data.identity;
      const anonymous = !socket.data.user;
      let stopped = false;
      /** The live count once counted; null when it was not (over the cap, or left first). */
      let counting: Promise<number | null> | null = null;
      let timer: NodeJS.Timeout | undefined;
      const count = () =>
        (counting = (async () => {
          if (stopped) return null;
          if (anonymous && !(await cap.admit(broadcastId, addressOf(socket), identity))) return null;
          // A leave during the admission: never counted, so nothing to uncount.
          if (stopped) return null;
          return audience.join(broadcastId, identity, socket.id);
        })());
      let begun: Promise<number | null> = Promise.resolve(null);
      if (!anonymous || dwellMs === 0) begun = count();
      else {
        timer = setTimeout(() => count().catch((err: unknown) => log.warn({ err, broadcastId }, 'counting a viewer failed')), dwellMs);
        timer.unref();
      }
      return {
        begun,
        async stop() {
          if (stopped) return;
          stopped = true;
          clearTimeout(timer);
          if (counting && (await counting.catch(() => null)) !== null) await audience.leave(broadcastId, identity, socket.id);
        },
      };
    },
  };
}

export type BroadcastViews = ReturnType<typeof createBroadcastViews>;
