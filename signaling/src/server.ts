import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { authSecret } from './auth-secret.ts';
import express, { type RequestHandler } from 'express';
import { Server } from 'socket.io';
import { createClient, type RedisClientType } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import { connect, createAuth, type Auth, type Database } from '@fairground/db';
import { seedDemo } from '@fairground/demo';
import { accountMail, createServices, sharePlatform, type Services } from '@fairground/core';
import { createMailer } from './mail.ts';
import { createMediaServer, type MediaServer } from '@fairground/media-server';
import type { Config } from './config.ts';
import { getLogger } from './logger.ts';
import { BoothDirectory } from './domain/booths.ts';
import { startClock } from './domain/clock.ts';
import { closeInterviewMedia, interviewRoomId } from './socket/interview-handlers.ts';
import { ViewerCounter } from './domain/viewer-counter.ts';
import { BroadcastAudience } from './domain/broadcast-audience.ts';
import { BroadcastStage } from './domain/broadcast-stage.ts';
import { closeProducersOf } from './socket/broadcast-handlers.ts';
import type { PresenceStore } from './domain/presence-store.ts';
import { MemoryPresenceStore } from './stores/memory-presence.ts';
import { RedisPresenceStore } from './stores/redis-presence.ts';
import { authenticate } from './socket/auth.ts';
import { createBroadcastViews } from './socket/broadcast-views.ts';
import { AnonymousViewerCap, MemoryBoundedSets, type BoundedSets } from './domain/anonymous-viewers.ts';
import { RedisBoundedSets } from './stores/redis-bounded-sets.ts';
import { clientAddress } from './http/client-address.ts';
import { dropSocketsOnAccessChange } from './socket/access.ts';

import { capConnections } from './socket/connection-caps.ts';
import { onConnection } from './socket/connection.ts';
import { createQueuePublisher } from './socket/queue-publisher.ts';
import { createDashboard } from './socket/dashboard.ts';
import { tokenBucket, type RateLimiter } from './socket/handle.ts';
import { healthHandler } from './http/health.ts';
import { createMetrics } from './http/metrics.ts';
import { apiCsp, metricsGuard, securityHeaders } from './http/security-headers.ts';
import { originAllowed } from './http/origin-check.ts';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from './protocol/index.ts';

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface Platform {
  http: HttpServer;
  io: AppServer;
  database: Database;
  auth: Auth;
  services: Services;
  media: MediaServer;
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** The SvelteKit adapter-node handler; mounted after the API so pages get every other path. */
  webHandler?: RequestHandler;
}

/** Wires config to parts: database, Redis, media, Socket.IO and HTTP. Owns their shutdown. */
export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const log = getLogger('signaling');
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
  };

  try {
    const database = await connect({
      url: config.DATABASE_URL,
      dataDir: join(config.DATA_DIR, 'pglite'),
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    });
    closers.push(() => database.close());
    const origin = config.ORIGIN ?? `http://localhost:${config.PORT}`;
    const mailer = createMailer(config);
    closers.push(() => mailer.close());
    const auth = createAuth(database.db, {
      secret: config.AUTH_SECRET ?? authSecret(config.DATA_DIR),
      baseURL: origin,
      attemptsPerMinute: config.AUTH_ATTEMPTS_PER_MINUTE,
      accountFailures: config.AUTH_ACCOUNT_FAILURES,
      accountWindowSeconds: config.AUTH_ACCOUNT_WINDOW_SECONDS,
      mail: accountMail(mailer, origin),
      // Sign-outs and password resets reach open sockets through AccessEvents (core/src/access.ts).
      onSessionsEnded: (change) => services.access.changed(change),
    });
    const services = createServices(
      database.db,
      {
        acceptSeconds: config.QUEUE_ACCEPT_SECONDS,
        graceSeconds: config.QUEUE_GRACE_SECONDS,
        maxQueuesPerSeeker: 3,
        interviewMinutes: config.INTERVIEW_MINUTES,
      },
      undefined,
      {
        maxFilesPerUser: config.UPLOAD_MAX_FILES_PER_USER,
        maxBytesPerUser: config.UPLOAD_MAX_BYTES_PER_USER,
        perHour: config.UPLOADS_PER_HOUR,
      },
      { mailer, origin },
    );
    sharePlatform({ database, auth, services });
    if (config.SEED_DEMO && (await seedDemo(database.db, { auth })).seeded) log.info('demo data seeded');

    const media = await createMediaServer({
      workers: config.MEDIA_WORKERS,
      listenIp: config.MEDIA_LISTEN_IP,
      announcedAddress: config.MEDIA_ANNOUNCED_IP,
      webRtcBasePort: config.MEDIA_WEBRTC_PORT,
      workerBin: config.MEDIASOUP_WORKER_BIN,
      logger: getLogger('media-server'),
      limits: {
        producers: config.MEDIA_PRODUCERS_PER_PEER,
        maxIncomingBitrate: config.MEDIA_MAX_INCOMING_BITRATE,
        initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_OUTGOING_BITRATE,
      },
    });
    closers.push(() => media.close());

    let redis: RedisClientType | null = null;
    let presence: PresenceStore = new MemoryPresenceStore();
    let boundedSets: BoundedSets = new MemoryBoundedSets();
    const app = express();
    app.disable('x-powered-by');
    app.use(securityHeaders({ https: config.ORIGIN?.startsWith('https:') ?? false }));
    const http = createServer(app);
    const socketOrigins = {
      allowed: [...(config.ORIGIN ? [new URL(config.ORIGIN).origin] : []), ...config.ALLOWED_ORIGINS],
      sameHost: !config.ORIGIN,
    };
    const io: AppServer = new Server(http, {
      serveClient: false,
      connectionStateRecovery: undefined,
      // A handshake from another site's page is refused before it reaches the session cookie.
      allowRequest: (req, callback) => {
        const allowed = originAllowed(req, socketOrigins);
        callback(allowed ? null : 'ORIGIN_NOT_ALLOWED', allowed);
      },
    });

    if (config.REDIS_URL) {
      redis = createClient({ url: config.REDIS_URL }) as RedisClientType;
      const sub = redis.duplicate();
      redis.on('error', (err) => log.warn({ err: String(err) }, 'redis error'));
      sub.on('error', (err) => log.warn({ err: String(err) }, 'redis subscriber error'));
      await Promise.all([redis.connect(), sub.connect()]);
      // Closed last (closers run in reverse): Socket.IO and its adapter unsubscribe first. The
      // adapter does not await its unsubscribes, so close gracefully (a destroy would reject them,
      // unhandled); destroy only if Redis does not answer within a moment.
      closers.unshift(() => closeRedis(redis!), () => closeRedis(sub));
      io.adapter(createAdapter(redis, sub, { key: `${config.REDIS_PREFIX}:io` }));
      presence = new RedisPresenceStore(redis, `${config.REDIS_PREFIX}:presence`);
      boundedSets = new RedisBoundedSets(redis, `${config.REDIS_PREFIX}:bounded`);
    }

    // Sockets close before Redis and the database they still use on disconnect.
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          io.close(() => resolve());
        }),
    );

    const dashboard = createDashboard({ io, services, presence, crossNode: redis !== null, log: getLogger('signaling:dashboard') });
    closers.push(() => dashboard.close());
    const viewers = new ViewerCounter({
      store: presence,
      publish: (roomId, live) => {
        io.to(roomId).emit('room:viewers', { roomId, live });
        // A broadcast's live count is on its fair's live dashboard too.
        if (roomId.startsWith('broadcast:')) dashboard.broadcastChanged(roomId.slice('broadcast:'.length));
      },
    });
    closers.push(() => viewers.close());
    const audienceLog = getLogger('signaling:audience');
    const audience = new BroadcastAudience({
      counter: viewers,
      presence,
      ledger: services.audience,
      onError: (err) => audienceLog.warn({ err }, 'audience sample failed'),
    });
    audience.start();
    const stage = new BroadcastStage(presence);
    const views = createBroadcastViews({
      audience,
      cap: new AnonymousViewerCap({ sets: boundedSets, perAddress: config.BROADCAST_ANON_PER_ADDRESS, windowMs: config.BROADCAST_ANON_WINDOW_MS }),
      dwellMs: config.BROADCAST_VIEW_DWELL_MS,
      addressOf: (socket) => clientAddress(socket.handshake.headers, socket.handshake.address, config),
      log: audienceLog,
    });
    // A host on another node sent a guest of this node back from the stage.
    io.on('broadcast:unstage', (roomId: string, peer: string) => closeProducersOf(media, roomId, peer));
    io.on('interview:ended', (interviewId: string) => media.closeRoom(interviewRoomId(interviewId)));
    closers.push(() => audience.close());
    const booths = new BoothDirectory(database.db);

    media.on('producer-closed', ({ roomId, producerId }) => io.to(roomId).emit('media:producer-closed', { roomId, producerId }));
    media.on('consumer-closed', ({ roomId, consumerId, peerId }) =>
      io.to(peerId).emit('media:consumer-closed', { roomId, consumerId }),
    );
    media.on('room-closed', ({ roomId }) => io.to(roomId).emit('media:room-reset', { roomId }));

    if (config.CLOCK_INTERVAL_MS > 0) {
      const clock = startClock({
        fairs: services.fairs,
        broadcasts: services.broadcasts,
        // With the Redis adapter this reaches every node's sockets; only one node announces each.
        onBroadcastLive: ({ id, title }) => io.emit('notice:broadcast-live', { broadcastId: id, title }),
        interviews: { closeOverdue: (now) => services.interviews.closeOverdue(config.INTERVIEW_GRACE_MINUTES, now) },
        // The node that closed an overdue interview tells both sides, and the booth's line moves on.
        onInterviewClosed: (interview) => {
          io.to(interviewRoomId(interview.id)).emit('interview:state', {
            interviewId: interview.id,
            startedAt: interview.startedAt?.toISOString() ?? null,
            endedAt: interview.endedAt?.toISOString() ?? null,
            plannedMinutes: interview.plannedMinutes,
          });
          closeInterviewMedia({ io, media, crossNode: redis !== null }, interview.id);
          queue.changed(interview.boothId);
        },
        intervalMs: config.CLOCK_INTERVAL_MS,
        log: getLogger('signaling:clock'),
      });
      closers.push(() => clock.stop());
    }

    io.use(authenticate(auth));
    // Sign-outs, team removals, role changes and deleted accounts end the affected sockets on every node.
    closers.push(dropSocketsOnAccessChange(io, services.access, getLogger('signaling:access')));

    io.use(
      capConnections({
        presence,
        perIdentity: config.SOCKETS_PER_IDENTITY,
        perAddress: config.SOCKETS_PER_ADDRESS,
        address: config,
        log: getLogger('signaling:socket'),
      }),
    );
    const queue = createQueuePublisher({
      io,
      db: database.db,
      services,
      presence,
      log: getLogger('signaling:queue'),
      afterPublish: (boothId) => dashboard.boothChanged(boothId),
    });
    closers.push(() => queue.close());
    // Queue joins are limited per user (a burst of 5, then one a second), across their tabs.
    const joinLimiters = new Map<string, RateLimiter>();
    const joinLimiter = (userId: string) => {
      let limiter = joinLimiters.get(userId);
      if (!limiter) joinLimiters.set(userId, (limiter = tokenBucket(1, 5)));
      return limiter;
    };
    io.on('connection', (socket) =>
      onConnection(socket, {
        io,
        db: database.db,
        booths,
        media,
        viewers,
        audience,
        stage,
        presence,
        services,
        queue,
        dashboard,
        views,
        joinLimiter,
        crossNode: redis !== null,
        log: getLogger('signaling:socket'),
      }),
    );

    const metrics = createMetrics({ sockets: () => io.engine.clientsCount, media: () => media.stats() });
    app.get(
      '/healthz',
      apiCsp,
      healthHandler({
        database: async () => (await database.ping(), true),
        ...(redis ? { redis: async () => (await redis!.ping()) === 'PONG' } : {}),
        media: () => {
          const s = media.stats();
          return s.workersAlive === s.workers && s.workers > 0;
        },
      }),
    );
    app.get('/metrics', apiCsp, metricsGuard(config.METRICS_TOKEN), metrics.handler);
    if (options.webHandler) {
      // Tell the pages which scheme this connection used, unless a proxy in front already did.
      app.use((req, _res, next) => {
        req.headers['x-forwarded-proto'] ??= 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
        next();
      });
      app.use(options.webHandler);
    }

    return {
      http,
      io,
      database,
      auth,
      services,
      media,
      listen: () =>
        new Promise((resolve, reject) => {
          http.once('error', reject);
          http.listen(config.PORT, config.HOST, () => resolve(http.address() as AddressInfo));
        }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function closeRedis(client: RedisClientType): Promise<void> {
  const closed = client.close().then(
    () => true,
    () => false,
  );
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000).unref());
  if (!(await Promise.race([closed, timeout]))) {
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }
}
