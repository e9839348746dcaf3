import type { Express, RequestHandler } from 'express';
import type { Auth, Database } from '@fairground/db';
import type { RedisClientType } from 'redis';
import type { Config } from '../config.ts';
import { healthHandler } from '../http/health.ts';
import type { Metrics } from '../http/metrics.ts';
import { apiCsp, metricsGuard } from '../http/security-headers.ts';
import { apiRouter } from '../http/api-v1.ts';
import type { Services } from '@fairground/core';
import { getLogger } from '../logger.ts';
import { recordingFilesRouter } from '../http/recording-files.ts';
import type { Storage } from '../storage/storage.ts';

/** The HTTP routes: /healthz, /metrics, /api/v1, /recordings, then the SvelteKit handler for every other path. */
export function mountRoutes(
  app: Express,
  parts: {
    config: Config;
    database: Database;
    redis: RedisClientType | null;
    /** All this node's media workers run, or (split roles) a media node is alive. */
    mediaReady: () => Promise<boolean>;
    /** Media is on media nodes every signaling node shares (split roles): a soft check. */
    mediaShared?: boolean;
    services: Services;
    /** The session cookie's user (the replay files are checked per viewer). */
    auth: Pick<Auth, 'userFor'>;
    /** Where the replay files are (storage/). */
    storage: Storage;
    metrics: Metrics;
    draining: () => boolean;
  },
  webHandler?: RequestHandler,
): void {
  const { config, database, redis, metrics } = parts;
  app.get(
    '/healthz',
    apiCsp,
    healthHandler(
      {
        // A draining node (SIGTERM) fails its health check first, so the balancer stops sending to it.
        accepting: async () => !parts.draining(),
        database: async () => (await database.ping(), true),
        // Soft: while Redis is away every node still serves its own clients (issue 12).
        ...(redis ? { redis: async () => (await redis.ping()) === 'PONG' } : {}),
        media: parts.mediaReady,
      },
      // Media nodes (split roles) are shared by every signaling node, as Redis is: none alive is
      // `degraded`, not a reason to take every signaling node out of the balancer.
      parts.mediaShared ? ['redis', 'media'] : ['redis'],
    ),
  );
  app.get('/metrics', apiCsp, metricsGuard(config.METRICS_TOKEN), metrics.handler);
  // The read API for integrations (tokens, not cookies: no CSRF surface).
  app.use(
    '/api/v1',
    apiRouter({
      services: parts.services,
      requestsPerMinute: config.API_REQUESTS_PER_MINUTE,
      redis,
      redisPrefix: config.REDIS_PREFIX,
      log: getLogger('signaling:api'),
    }),
  );
  // The replays' files, for whoever may watch them (http/recording-files.ts).
  app.use(
    recordingFilesRouter({
      recordings: parts.services.recordings,
      actorOf: (req) => parts.auth.userFor(new Headers(req.headers.cookie ? { cookie: req.headers.cookie } : {})),
      storage: parts.storage,
      log: getLogger('signaling:recording-files'),
    }),
  );
  if (webHandler) {
    // Tell the pages which scheme this connection used, unless a proxy in front already did.
    app.use((req, _res, next) => {
      req.headers['x-forwarded-proto'] ??= 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
      next();
    });
    app.use(webHandler);
  }
}
