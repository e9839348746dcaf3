import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import { Server } from 'socket.io';
import type { RedisClientType } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import { connect, createAuth, type Auth, type Database } from '@fairground/db';
import { seedDemo } from '@fairground/demo';
import {
  accountMail,
  AnonymousViewerCap,
  BroadcastStage,
  MemoryBoundedSets,
  type BoundedSets,
  MemoryPresenceStore,
  sharePlatform,
  type PresenceStore,
  type Services,
} from '@fairground/core';
import { createMediaServer, MediaError } from '@fairground/media-server';
import { authSecret } from './auth-secret.ts';
import { createMailer } from './mail.ts';
import type { Config } from './config.ts';
import { getLogger } from './logger.ts';
import { Drain } from './app/drain.ts';
import { startClock } from './app/clock.ts';
import { openConnection, type Connection } from './app/connection.ts';
import type { FeatureDeps } from './app/deps.ts';
import { mountRoutes } from './app/http.ts';
import { createMetrics } from './http/metrics.ts';
import { createRateLimiter } from './app/rate-limits.ts';
import { adapterPublisher, closeRedis, connectRedis } from './app/redis.ts';
import { servicesFromConfig } from './app/services.ts';
import type { AppServer } from './app/types.ts';
import { createAdmission } from './app/admission.ts';
import { createGate } from './app/gate.ts';
import { authenticate } from './app/auth.ts';
import { hostsRoom } from './app/rooms.ts';
import { dropSocketsOnAccessChange } from './app/access.ts';
import { capConnections } from './app/connection-caps.ts';
import { ViewerCounter } from './live/viewer-counter.ts';
import { BroadcastAudience } from './live/broadcast-audience.ts';
import { RedisPresenceStore } from './stores/redis-presence.ts';
import { RedisBoundedSets } from './stores/redis-bounded-sets.ts';
import { layoutOf, RedisNodeRegistry } from './stores/redis-nodes.ts';
import { joinDeployment } from './app/node-layout.ts';
import { RedisMediaRegistry } from './stores/redis-media-registry.ts';
import { RedisRoomOrigins } from './stores/redis-room-origins.ts';
import { NodeMessages, type NodeMessage } from './app/node-messages.ts';
import { mediaServerOptions } from './app/media-options.ts';
import type { MediaApi } from './app/media-calls.ts';
import { RemoteMedia } from './live/remote-media.ts';
import { RedisMediaNodes } from './stores/redis-media-nodes.ts';
import { createMediaCluster, type MediaCluster } from './live/media-cluster.ts';
import { presenceEffects } from './live/presence-effects.ts';
import { startNodeLiveness } from './live/node-liveness.ts';
import { clientAddress } from './http/client-address.ts';
import { securityHeaders } from './http/security-headers.ts';
import { originAllowed } from './http/origin-check.ts';
import { registerBoothHandlers, subscribeBoothEvents } from './features/booths/handlers.ts';
import { registerMediaHandlers } from './features/media/handlers.ts';
import { relayMediaEvents } from './features/media/producers.ts';
import { registerQueueHandlers } from './features/queue/handlers.ts';
import { createQueuePublisher } from './features/queue/publisher.ts';
import { registerInterviewHandlers, subscribeInterviewEvents } from './features/interviews/handlers.ts';
import { registerHandoffHandlers } from './features/interviews/handoffs.ts';
import { registerBroadcastHandlers, subscribeBroadcastEvents } from './features/broadcasts/handlers.ts';
import { createBroadcastViews } from './features/broadcasts/views.ts';
import { subscribeSlotEvents } from './features/slots/handlers.ts';
import { createBroadcastReads } from './features/broadcasts/access-cache.ts';
import { batchLedger } from './live/ledger-batch.ts';
import { freshReads, readOnce } from './live/fresh-reads.ts';
import { registerChatHandlers } from './features/chat/handlers.ts';
import { registerExtrasHandlers } from './features/extras/handlers.ts';
import { createPollPusher } from './features/extras/poll-pusher.ts';
import { registerDashboardHandlers } from './features/dashboard/handlers.ts';
import { createDashboard } from './features/dashboard/dashboard.ts';
import { createScreenPublisher } from './features/screens/publisher.ts';
import { registerScreenHandlers } from './features/screens/handlers.ts';
import { startWebhookWorker } from './webhooks/worker.ts';
import { Recorder } from './recording/recorder.ts';
import { createStorage, recordingFiles, S3Storage, uploadReplay } from './storage/index.ts';
import { startJobQueue } from './jobs/job-queue.ts';
import { startComposeJobs } from './recording/compose-job.ts';

export type { AppServer } from './app/types.ts';

/** Disconnect writes run at once on one node: enough to keep the database busy, few enough that a request or a health check never queues behind a thousand. */
const LEAVE_WRITES_AT_ONCE = 32;

/** Every feature's part of the protocol, registered on each connection in this order. */
const FEATURES: ReadonlyArray<(conn: Connection, deps: FeatureDeps) => void> = [
  registerBoothHandlers,
  registerMediaHandlers,
  registerDashboardHandlers,
  registerQueueHandlers,
  registerBroadcastHandlers,
  registerInterviewHandlers,
  registerHandoffHandlers,
  registerChatHandlers,
  registerExtrasHandlers,
  registerScreenHandlers,
];

export interface Platform {
  http: HttpServer;
  io: AppServer;
  database: Database;
  auth: Auth;
  services: Services;
  /** The media server: in-process (NODE_ROLES with media), else the media nodes reached over Redis. */
  media: MediaApi;
  /** Records this node's broadcasts (null without local media or with RECORDING=false). */
  recorder: Recorder | null;
  listen(): Promise<AddressInfo>;
  /**
   * A graceful stop's first half (SIGTERM): unhealthy for the load balancer, then after `delayMs`
   * every client is sent to reconnect elsewhere and in-flight requests finish. Then `close()`.
   */
  drain(delayMs: number): Promise<{ moved: number; unfinished: number }>;
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
    const services = servicesFromConfig(database.db, config, { mailer, origin });
    // Where replay files are kept and served from (storage/): DATA_DIR, or S3 with S3 settings;
    // deleting a recording deletes its files there.
    const storage = createStorage(config);
    closers.push(() => storage.close?.());
    services.recordings.useFiles(recordingFiles(config.DATA_DIR, storage));
    if (storage instanceof S3Storage) {
      await storage.ensureBucket().catch((err: unknown) => log.warn({ err: String(err) }, 'the recordings bucket could not be checked or made'));
    }
    if (config.SEED_DEMO && (await seedDemo(database.db, { auth })).seeded) log.info('demo data seeded');

    // Split roles (NODE_ROLES=signaling): no workers here; media calls go to media nodes (below).
    const local = config.NODE_ROLES.includes('media') ? await createMediaServer(mediaServerOptions(config)) : null;
    if (local) closers.push(() => local.close());

    let redis: RedisClientType | null = null;
    let presence: PresenceStore = new MemoryPresenceStore();
    /** With Redis: presence owned by this node, swept by a survivor should it die. */
    let nodePresence: RedisPresenceStore | null = null;
    // One incarnation of this node: a restart is a new one, and the old one's leftovers are swept.
    const nodeId = `${config.NODE_ID}-${randomBytes(4).toString('hex')}`;
    let boundedSets: BoundedSets = new MemoryBoundedSets();
    let mediaRegistry: RedisMediaRegistry | null = null;
    let roomOrigins: RedisRoomOrigins | null = null;
    let nodeMessages: NodeMessages | null = null;
    let remote: RemoteMedia | null = null;
    let mediaRooms: RedisRoomOrigins | null = null;
    let mediaNodes: RedisMediaNodes | null = null;
    let nodeRegistry: RedisNodeRegistry | null = null;
    const app = express();
    app.disable('x-powered-by');
    app.use(securityHeaders({ https: config.ORIGIN?.startsWith('https:') ?? false }));
    const http = createServer(app);
    const socketOrigins = {
      allowed: [...(config.ORIGIN ? [new URL(config.ORIGIN).origin] : []), ...config.ALLOWED_ORIGINS],
      sameHost: !config.ORIGIN,
    };
    const drain = new Drain();
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
      const clients = await connectRedis(config.REDIS_URL, log);
      redis = clients.redis;
      const sub = clients.sub;
      // Closed last (closers run in reverse): Socket.IO and its adapter unsubscribe first.
      closers.unshift(
        () => closeRedis(clients.redis),
        () => closeRedis(sub),
      );
      // Every node here beats in one registry; a node whose roles do not fit the others' stops here.
      nodeRegistry = new RedisNodeRegistry(redis, `${config.REDIS_PREFIX}:nodes`, layoutOf(config.NODE_ROLES));
      await joinDeployment(nodeRegistry, config);
      io.adapter(createAdapter(adapterPublisher(redis, log), sub, { key: `${config.REDIS_PREFIX}:io` }));
      presence = nodePresence = new RedisPresenceStore(redis, `${config.REDIS_PREFIX}:presence`, nodeId);
      boundedSets = new RedisBoundedSets(redis, `${config.REDIS_PREFIX}:bounded`);
      // Media across nodes: where each producer is, and pipe messages between nodes.
      mediaRegistry = new RedisMediaRegistry(redis, `${config.REDIS_PREFIX}:media`);
      // Which node owns each room's origin: claimed by the first node that publishes there, freed
      // with the node's heartbeat (the sweep), taken over where publishing resumes.
      roomOrigins = new RedisRoomOrigins(redis, `${config.REDIS_PREFIX}:origin`);
      nodeMessages = new NodeMessages({
        redis,
        sub,
        prefix: `${config.REDIS_PREFIX}:node`,
        nodeId,
        timeoutMs: config.NODE_REQUEST_TIMEOUT_MS,
        handle: (body, from) => answerNode(body, from),
        log: getLogger('signaling:nodes'),
      });
      const channel = nodeMessages;
      // Split roles: which media node serves each room (claimed by the first signaling node to
      // place it, given up by the media node when the room closes, freed by the sweep when it dies).
      mediaRooms = new RedisRoomOrigins(redis, `${config.REDIS_PREFIX}:media-room`);
      mediaNodes = new RedisMediaNodes(redis, `${config.REDIS_PREFIX}:media-nodes`);
      // A signaling-only node sends every media call to a media node. A node of both roles keeps
      // its media here (`home`), and media-only nodes beside it are edges: a broadcast's viewers go
      // to one once this node holds MEDIA_NODE_EDGE_AFTER transports.
      remote = new RemoteMedia({
        ...(local ? { home: { node: nodeId, media: local } } : {}),
        nodes: mediaNodes,
        rooms: mediaRooms,
        call: (to, call) => channel.request(to, { type: 'media-call', call }, 'MEDIA_UNAVAILABLE'),
        // Piping a broadcast's producers from its media node to an edge (media node to media node).
        pipe: (to, request) => channel.request(to, { type: 'media', request }, 'MEDIA_UNAVAILABLE'),
        ttlMs: config.NODE_TTL_MS,
        edgeAfter: config.MEDIA_NODE_EDGE_AFTER,
        log: getLogger(local ? 'signaling:edge-media' : 'signaling:remote-media'),
      });
    }
    if (!local && !remote) throw new Error('NODE_ROLES=signaling needs REDIS_URL');
    const media: MediaApi = remote ?? local!;
    /** Split roles: this node's media is the media nodes' (no workers here). */
    const remoteMedia = local ? null : remote;
    /** With Redis: media-only nodes' events about this node's peers, and their deaths, go here. */
    const mediaNodesView = remote;
    sharePlatform({ database, auth, services, routerRtpCapabilities: async () => ({ ...(await media.rtpCapabilities()) }) });
    const messages = nodeMessages;
    // With split roles a room lives on one media node: nothing is listed per node or piped.
    const cluster: MediaCluster = createMediaCluster({
      nodeId,
      media: local ?? remote!,
      registry: local ? mediaRegistry : null,
      origins: local ? roomOrigins : null,
      channel: local &&
        messages && {
          request: (to, request) => messages.request(to, { type: 'media', request }),
          tell: (to, request) => messages.tell(to, { type: 'media', request }),
        },
      log: getLogger('signaling:media-cluster'),
    });
    // What another node asks of this one: a pipe message for the media server, a dead node's news,
    // or (split roles) a media node's event about this node's peers.
    const answerNode = async (body: NodeMessage, from: string): Promise<unknown> => {
      switch (body.type) {
        case 'media':
          return cluster.answer(body.request);
        case 'node-gone':
          mediaNodesView?.nodeGone(body.node);
          return cluster.gone(body.node);
        case 'media-event':
          mediaNodesView?.deliver(body.event, from);
          return null;
        case 'media-call':
          throw new MediaError('MEDIA_REJECTED', 'Only media-only nodes (NODE_ROLES=media) answer media calls');
      }
    };
    if (messages) {
      await messages.start();
      closers.push(() => messages.stop());
    }

    // Sockets close before Redis and the database they still use on disconnect.
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          io.close(() => resolve());
        }),
    );

    const screens = createScreenPublisher({ io, services, log: getLogger('signaling:screens') });
    closers.push(() => screens.close());
    const dashboard = createDashboard({ io, services, presence, crossNode: redis !== null, screens, log: getLogger('signaling:dashboard') });
    closers.push(() => dashboard.close());
    const viewers = new ViewerCounter({
      store: presence,
      minIntervalMs: config.VIEWER_COUNT_INTERVAL_MS,
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
      // A join storm's view and peak writes go out in batches (live/ledger-batch.ts).
      ledger: batchLedger(services.audience),
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
    closers.push(() => audience.close());
    relayMediaEvents(io, media, cluster);
    // Recording happens where the media is: a node with workers taps its broadcasts' producers.
    const recorder =
      local && config.RECORDING
        ? new Recorder({
            media: local,
            recordings: services.recordings,
            recordingOf: async (roomId) => {
              if (roomId.startsWith('broadcast:')) return roomId.slice('broadcast:'.length);
              // A booth's stage is recorded while its staff record a presentation.
              if (roomId.startsWith('booth:')) return (await services.presentations.current(roomId.slice('booth:'.length)))?.broadcastId ?? null;
              return null;
            },
            dir: config.DATA_DIR,
            ffmpeg: config.FFMPEG_PATH,
            nodeId,
            log: getLogger('signaling:recorder'),
          })
        : null;
    // Before the media server closes (closers run in reverse): every file is finished first.
    if (recorder) closers.push(() => recorder.close());

    // Durable jobs on the database (pg-boss): the replay's composition after a broadcast ends.
    const jobs = await startJobQueue(database, getLogger('signaling:jobs'));
    closers.push(() => jobs.stop());
    // The replay's composition: sent on `recording.queued` (the end below, an organizer's retry), run where RECORDING is on.
    closers.push(
      await startComposeJobs({
        jobs,
        // The replay is uploaded (S3) before it is marked ready: whoever the row tells to watch
        // finds every file (storage/replay-upload.ts).
        recordings: {
          segments: (id) => services.recordings.segments(id),
          composing: (id, progress) => services.recordings.composing(id, progress),
          retrying: (id, error) => services.recordings.retrying(id, error),
          failed: (id, error) => services.recordings.failed(id, error),
          ready: async (id, out) => {
            await uploadReplay(storage, config.DATA_DIR, out);
            return services.recordings.ready(id, out);
          },
        },
        events: services.events,
        hosts: async (id) => (await services.broadcasts.load(id))?.hosts.map((h) => h.id) ?? [],
        dir: config.DATA_DIR,
        ffmpeg: config.FFMPEG_PATH,
        log: getLogger('signaling:compose'),
        nodeId,
        work: config.RECORDING,
      }),
    );
    const composeLog = getLogger('signaling:compose');
    /** After a broadcast's end: its recording, if any, is queued for composition (once; the event sends the job). */
    const composeAfterEnd = (broadcast: { id: string; endsAt: Date }) =>
      void services.recordings
        .queueComposition(broadcast.id)
        .catch((err: unknown) => composeLog.warn({ broadcastId: broadcast.id, err: String(err) }, 'queueing a replay failed'));

    if (config.CLOCK_INTERVAL_MS > 0) {
      const clock = startClock({
        onBroadcastClosed: composeAfterEnd,
        fairs: services.fairs,
        broadcasts: services.broadcasts,
        slots: services.slots,
        surveys: services.surveys,
        // What the clock changed is told on the services' events (below).
        interviews: { closeOverdue: (now) => services.interviews.closeOverdue(config.INTERVIEW_GRACE_MINUTES, now) },
        intervalMs: config.CLOCK_INTERVAL_MS,
        log: getLogger('signaling:clock'),
      });
      closers.push(() => clock.stop());
    }

    if (config.WEBHOOK_POLL_MS > 0) {
      // Webhooks: the outbox written with each change, sent by every node together (docs/ARCHITECTURE.md, "Webhooks").
      const worker = startWebhookWorker({
        services,
        policy: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE },
        pollMs: config.WEBHOOK_POLL_MS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        log: getLogger('signaling:webhooks'),
      });
      closers.push(() => worker.stop());
    }

    // Domain events from core, emitted by the node whose transaction made the change.
    services.events.onError((err, event) => log.warn({ err, event }, 'a domain event subscriber failed'));
    closers.push(
      subscribeBroadcastEvents({ io, media, services }),
      subscribeInterviewEvents({ io, media, services, crossNode: redis !== null }),
      subscribeSlotEvents({ io, services }),
      subscribeBoothEvents({ io, services, recorder, crossNode: redis !== null }),
    );

    // Disconnect writes of a storm's leaving half take turns, leaving database connections free for requests and /healthz.
    const leaves = createGate(LEAVE_WRITES_AT_ONCE);
    // First: a reconnect storm is shaped here, before any handshake costs a session lookup (app/admission.ts).
    const admission = createAdmission(io, {
      rate: { perSecond: config.HANDSHAKES_PER_SECOND, burst: config.HANDSHAKE_BURST },
      maxBacklog: config.ADMISSION_MAX_BACKLOG,
      // Work running now; leaves still waiting for their turn hold nothing.
      backlog: () => drain.inFlight - leaves.waiting,
      log: getLogger('signaling:admission'),
    });
    io.use(admission.middleware);
    io.use(authenticate(auth, services.displayKeys));
    // Sign-outs, team removals, role changes and deleted accounts end the affected sockets on every node.
    closers.push(dropSocketsOnAccessChange(io, services.access, getLogger('signaling:access')));

    io.use(
      capConnections({
        presence,
        owner: nodePresence,
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
    // One rate-limiter library for every limit; a user's queue joins are limited across their
    // tabs, and with Redis across nodes (app/rate-limits.ts).
    const requestLimiter = createRateLimiter('socket', { perSecond: config.SOCKET_RATE_PER_SECOND, burst: config.SOCKET_RATE_BURST }, null);
    const joinLimiter = createRateLimiter(
      'queue-join',
      { perSecond: config.QUEUE_JOIN_PER_SECOND, burst: config.QUEUE_JOIN_BURST },
      redis,
      config.REDIS_PREFIX,
    );
    const captionLimiter = createRateLimiter(
      'caption-line',
      { perSecond: config.CAPTION_LINES_PER_SECOND, burst: config.CAPTION_LINES_BURST },
      redis,
      config.REDIS_PREFIX,
    );
    const pollPusher = createPollPusher({ io, services, log: getLogger('signaling:polls') });
    closers.push(() => pollPusher.close());
    // What the presence a dead node left (or Redis lost) meant: the same leave and join paths as
    // the socket handlers take, replayed by a survivor (or by this node when Redis comes back).
    const effects = presenceEffects({
      recount: (roomId) => viewers.recount(roomId),
      ledger: services.audience,
      queue: services.queue,
      lineChanged: (boothId) => queue.changed(boothId),
      boothChanged: (boothId) => dashboard.boothChanged(boothId),
      stageChanged: async (broadcastId) => void io.to(hostsRoom(broadcastId)).emit('broadcast:stage-state', await stage.state(broadcastId)),
    });
    if (redis && nodePresence && nodeRegistry) {
      const liveness = startNodeLiveness({
        nodeId,
        registry: nodeRegistry,
        presence: nodePresence,
        effects,
        media: {
          seen: (node) => {
            // Whatever still waits for the dead node's answer is answered now (with its code).
            messages?.abandon(node);
            // A media node (split roles) that died: its rooms here are reset, their peers join again.
            mediaNodesView?.nodeGone(node);
            return cluster.gone(node);
          },
          restored: () => cluster.restore(),
          // The dead node's producers: unlisted, their rooms told on every node (the adapter),
          // and every node closes what it imported from it.
          swept: async (dead) => {
            for (const p of await cluster.sweep(dead.nodeId)) io.to(p.roomId).emit('media:producer-closed', { roomId: p.roomId, producerId: p.id });
            await messages?.tellAll({ type: 'node-gone', node: dead.nodeId });
            // Split roles: a dead media node's rooms are free to be placed on a live one.
            await mediaRooms?.dropNode(dead.nodeId);
            await mediaNodes?.remove(dead.nodeId);
          },
        },
        heartbeatMs: config.NODE_HEARTBEAT_MS,
        ttlMs: config.NODE_TTL_MS,
        log: getLogger('signaling:liveness'),
      });
      closers.push(() => liveness.stop());
    }
    const livenessLog = getLogger('signaling:liveness');
    // Once a closed socket's handlers ran, whatever presence still names it goes (a leave that failed).
    const afterClose = (socketId: string) =>
      void nodePresence
        ?.disown(socketId)
        .then((left) => (left.length > 0 ? effects.gone(left, new Date()) : undefined))
        .catch((err: unknown) => livenessLog.warn({ err: String(err), socketId }, 'cleaning up a closed socket failed'));
    const deps: FeatureDeps = {
      io,
      services,
      media,
      cluster,
      presence,
      viewers,
      audience,
      stage,
      queue,
      dashboard,
      screens,
      views,
      broadcastReads: createBroadcastReads(services.broadcasts),
      broadcastProducers: freshReads((roomId) => cluster.producers(roomId)),
      routerCapabilities: readOnce(() => media.rtpCapabilities()),
      joinLimiter,
      captionLimiter,
      pollPusher,
      crossNode: redis !== null,
      ice: {
        turn: config.TURN_SECRET ? { urls: config.TURN_URLS, secret: config.TURN_SECRET, ttlSeconds: config.TURN_TTL_SECONDS } : null,
        stunUrls: config.TURN_SECRET ? [] : config.TURN_URLS,
        policy: config.ICE_TRANSPORT_POLICY,
      },
      log: getLogger('signaling:socket'),
    };
    // Prometheus metrics (/metrics): read from their sources at scrape time; requests counted as acked.
    const metrics = createMetrics({
      sockets: () => io.engine.clientsCount,
      media: () => media.stats(),
      // Worker CPU is read where the workers run: this node (both roles) or each media node.
      workerUsage: local ? () => local.workerUsage() : undefined,
      origins: () => cluster.origins(),
      lines: () => services.queue.lineLengths(),
      requestsInFlight: () => drain.inFlight,
      leaveWritesWaiting: () => leaves.waiting,
    });
    io.on('connection', (socket) => {
      const conn = openConnection(socket, {
        media,
        viewers,
        limiter: requestLimiter,
        log: deps.log,
        track: (work) => drain.track(work),
        afterClose: () => afterClose(socket.id),
        leaves,
        requests: metrics.requests,
      });
      for (const register of FEATURES) register(conn, deps);
      conn.ready();
    });

    mountRoutes(
      app,
      {
        config,
        database,
        redis,
        // Can this node serve media: its own workers all running, or (split roles) a live media node.
        mediaReady: async () => {
          if (remoteMedia) return (await remoteMedia.available()) > 0;
          const s = await media.stats();
          return s.workersAlive === s.workers && s.workers > 0;
        },
        mediaShared: remoteMedia !== null,
        services,
        auth,
        storage,
        metrics,
        draining: () => drain.draining,
      },
      options.webHandler,
    );

    return {
      http,
      io,
      database,
      auth,
      services,
      media,
      recorder,
      listen: () =>
        new Promise((resolve, reject) => {
          http.once('error', reject);
          http.listen(config.PORT, config.HOST, () => resolve(http.address() as AddressInfo));
        }),
      drain: (delayMs) => drain.run(io, { delayMs }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
