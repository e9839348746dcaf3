import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public origin of the web app, for cookies and CORS; defaults to http://localhost:PORT. */
  ORIGIN: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Signs session cookies; ≥32 characters, the same on every node. Without it a random one is
   *  kept in DATA_DIR (fine on one machine); production requires it. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Sign-in and sign-up attempts allowed per client address per minute. */
  AUTH_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Where the embedded PGlite database lives when DATABASE_URL is not set. */
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /** Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('fg'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Demo accounts and data in an empty database; defaults to true outside production, and is
   *  refused in production (the demo password is published). */
  SEED_DEMO: bool.optional(),
  MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  MEDIA_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  MEDIA_ANNOUNCED_IP: z.string().optional(),
  /** Media across nodes: the address pipes to other nodes bind to (the network between nodes); default MEDIA_LISTEN_IP. */
  MEDIA_PIPE_LISTEN_IP: z.ipv4().or(z.ipv6()).optional(),
  /** The address other nodes send piped media to, when it differs from MEDIA_PIPE_LISTEN_IP (NAT, containers). */
  MEDIA_PIPE_ANNOUNCED_IP: z.string().optional(),
  /** First WebRtcServer port (worker i uses +i); unset picks free ports. */
  MEDIA_WEBRTC_PORT: z.coerce.number().int().min(1024).max(65000).optional(),
  MEDIASOUP_WORKER_BIN: z.string().optional(),
  /** Record broadcasts on this node's media (each broadcast's host may still turn it off); false: never. */
  RECORDING: bool.default(true),
  /** The ffmpeg binary recording and composition run (Debian's package). */
  FFMPEG_PATH: z.string().default('ffmpeg'),
  /** Seconds a called seeker has to accept before counting as a no-show. */
  QUEUE_ACCEPT_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  /** Seconds a disconnected seeker keeps their place in line. */
  QUEUE_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Planned length of an interview, in minutes (the recruiter may extend it). */
  INTERVIEW_MINUTES: z.coerce.number().int().min(1).max(240).default(15),
  /** How often the clock opens and closes fairs and announces broadcasts that start; 0 turns it off. */
  CLOCK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** On SIGTERM: how long a node reports itself unhealthy before it moves its clients (longer than the load balancer's health-check detection). */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(3000),
  /** This node's name among the nodes sharing a Redis (logs; each start adds a random suffix, so a restarted node never takes over what its dead self held). Default: the hostname. */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  /** What this node does (comma-separated): `signaling` (pages, Socket.IO, the database) and
   *  `media` (mediasoup workers). Both by default, in one process. Split roles need REDIS_URL:
   *  signaling-only nodes send their media calls to media-only nodes over Redis. */
  NODE_ROLES: z
    .string()
    .transform((v) => [...new Set(v.split(',').map((r) => r.trim()))].filter(Boolean))
    .pipe(z.array(z.enum(['signaling', 'media'], { error: 'must be signaling and/or media' })).min(1, 'names no role'))
    .default(['signaling', 'media']),
  /** With REDIS_URL: how often a node renews its heartbeat and looks for dead nodes. */
  NODE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** With REDIS_URL: a node silent this long is dead, and a survivor sweeps its viewers, recruiters on duty and seekers' presence. */
  NODE_TTL_MS: z.coerce.number().int().min(500).max(600_000).default(5000),
  /** A broadcast's viewers get their receive transports on the room's media node (split roles), or
   *  on the node of both roles they joined, while it holds fewer transports than this; past it, on
   *  the least loaded other live media-only node, which pipes the room's producers from where they
   *  were published (one PipeTransport pair per node pair and room). */
  MEDIA_NODE_EDGE_AFTER: z.coerce.number().int().min(0).max(1_000_000).default(500),
  /** With REDIS_URL: how long a node waits for another node's answer (media across nodes: opening a pipe, exporting a producer). */
  NODE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Behind a proxy: the header that carries the client's address (e.g. x-forwarded-for); unset
   *  means the connection's own address. The same names adapter-node reads for the pages. */
  ADDRESS_HEADER: z
    .string()
    .toLowerCase()
    .regex(/^[a-z0-9-]+$/)
    .optional(),
  /** With ADDRESS_HEADER=x-forwarded-for: how many proxies you trust (the entry this far from the right). */
  XFF_DEPTH: z.coerce.number().int().min(1).max(10).default(1),
  // Data integrity and uploads (issue 11: statement timeout, stale interviews, upload quotas).
  /** Postgres cancels a statement running longer than this (ms; 0 = never). PGlite ignores it. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** Minutes past an interview's planned length after which the clock ends it if nobody did. */
  INTERVIEW_GRACE_MINUTES: z.coerce.number().int().min(0).max(240).default(10),
  /** Files one user may keep (resumes, logos, covers together). */
  UPLOAD_MAX_FILES_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Bytes one user may keep over all their files. */
  UPLOAD_MAX_BYTES_PER_USER: z.coerce
    .number()
    .int()
    .min(1)
    .max(10 * 1024 ** 3)
    .default(20 * 1024 * 1024),
  /** Uploads one user may make per hour (counted in Postgres, so across nodes). */
  UPLOADS_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(10),

  // Broadcast audience (issue 11, item 9): anonymous viewers cannot inflate the numbers.
  /** Distinct anonymous device ids counted per client address per broadcast in one window. */
  BROADCAST_ANON_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
  /** That window, in ms (counted from the address's first anonymous viewer of the broadcast). */
  BROADCAST_ANON_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(7 * 24 * 3_600_000)
    .default(3_600_000),
  /** An anonymous viewer counts only after staying this long in the room (a page session, not a drive-by). */
  BROADCAST_VIEW_DWELL_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** Live-count pushes per room are spaced this far apart over every node (live/viewer-counter.ts): a
   *  join storm's thousands of changes become one update per interval, and every client has the
   *  exact count about an interval after the last change. 500 brings that under a second (issue 13's
   *  storm bench runs with it) at twice the pushes; tests hold the default to one a second. */
  VIEWER_COUNT_INTERVAL_MS: z.coerce.number().int().min(50).max(10_000).default(1000),

  // Media and connection limits (issue 11: one client cannot take more than its share).
  /** Bits per second each WebRTC transport accepts from its client. */
  MEDIA_MAX_INCOMING_BITRATE: z.coerce.number().int().min(100_000).max(100_000_000).default(5_000_000),
  /** The send estimate each WebRTC transport starts from towards its client, bits per second. */
  MEDIA_INITIAL_OUTGOING_BITRATE: z.coerce.number().int().min(100_000).max(100_000_000).default(1_000_000),
  /** Streams one connection may publish in one room at once (camera, mic, screen: one each). */
  MEDIA_PRODUCERS_PER_PEER: z.coerce.number().int().min(1).max(3).default(3),
  /** Open Socket.IO connections per signed-in user or anonymous device (tabs and devices), over all nodes. */
  /** Requests one connection may make: this many a second, after a burst of SOCKET_RATE_BURST. */
  SOCKET_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(30),
  SOCKET_RATE_BURST: z.coerce.number().int().min(1).max(100_000).default(120),
  /** Queue joins one user may make (over all their tabs and nodes): one a second after a burst of 5. */
  QUEUE_JOIN_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(1),
  QUEUE_JOIN_BURST: z.coerce.number().int().min(1).max(1000).default(5),
  /** Caption lines one user may send to one broadcast (over all their tabs and nodes): two a second after a burst of 6. */
  CAPTION_LINES_PER_SECOND: z.coerce.number().int().min(1).max(100).default(2),
  CAPTION_LINES_BURST: z.coerce.number().int().min(1).max(1000).default(6),
  SOCKETS_PER_IDENTITY: z.coerce.number().int().min(1).max(1000).default(10),
  /** Open Socket.IO connections per client address (ADDRESS_HEADER/XFF_DEPTH), over all nodes.
   *  Generous: a campus or office behind one NAT is many people. */
  SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(200),
  /** Admission control (a reconnect storm): Socket.IO handshakes one node takes in per second,
   *  after a burst of HANDSHAKE_BURST; over it a handshake is refused with BUSY and a retry hint. */
  HANDSHAKES_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(200),
  HANDSHAKE_BURST: z.coerce.number().int().min(1).max(100_000).default(200),
  /** Work one node may have in flight (handshakes being checked, requests and disconnect writes
   *  being handled) and still take in a handshake; above it handshakes are refused with BUSY.
   *  A few times the database pool (10), so a health check queues behind a fraction of a second. */
  ADMISSION_MAX_BACKLOG: z.coerce.number().int().min(1).max(100_000).default(50),

  // Accounts and mail (issue 11: invitations, verification, password reset, sign-in throttle).
  /** Failed sign-ins allowed per account within AUTH_ACCOUNT_WINDOW_SECONDS (all nodes together). */
  AUTH_ACCOUNT_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  AUTH_ACCOUNT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** SMTP server for outgoing mail, e.g. smtps://user:pass@smtp.example.com:465; production requires it. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From: of every mail. */
  MAIL_FROM: z.string().min(3).default('Fairground <no-reply@localhost>'),
  /** Without SMTP_URL, mail is written here as one JSON file per message (default DATA_DIR/mail). */
  MAIL_CAPTURE_DIR: z.string().optional(),
  /** The SvelteKit adapter-node handler to mount; unset serves the API and sockets only. */
  WEB_HANDLER: z.string().optional(),
  // Exposure (issue 11): origins, metrics.
  /** Extra front-end origins (comma-separated) whose pages may open a socket, besides ORIGIN. */
  ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().transform((u) => new URL(u).origin)))
    .default([]),
  /** Bearer token for GET /metrics (≥ 24 characters); production requires it, and without it
   *  outside production /metrics stays open for local scraping. */
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),

  // TURN (issue 17): a relay for browsers whose network blocks UDP or direct paths to the media nodes.
  /** turn:, turns: and stun: URLs (comma-separated) handed to every client with its ICE servers. */
  TURN_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^(turns?|stuns?):[^\s,]+$/, 'must be turn:, turns: or stun: URLs')))
    .default([]),
  /** coturn's static-auth-secret (use-auth-secret): signs the time-limited TURN credentials; ≥ 32 characters. */
  TURN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a TURN credential works for new relay allocations, in seconds. */
  TURN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  /** `relay` makes every browser use TURN only (an ops switch for networks where direct media must not be tried); `all` tries direct first. */
  ICE_TRANSPORT_POLICY: z.enum(['all', 'relay']).default('all'),

  // Integrations (issue 16): webhooks and the read API.
  /** Let webhooks go to private, loopback and link-local addresses, and over plain http: for tests and a receiver on the operator's own network only. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** How often this node's delivery worker looks for due webhooks; 0 runs no worker on this node. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** The first retry's delay; each next one doubles, until 24 h after the event. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** How long a worker holds a delivery it is sending; after a crash it is retried once this passed. */
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** A receiver gets this long to answer (the lease must be longer). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Failed attempts in a row that pause an endpoint (its owners are mailed). */
  WEBHOOK_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(15),
  /** Read-API requests one token may make per minute (counted over every node with Redis; per node without). */
  API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),

  // Recording storage (issue 14): a directory under DATA_DIR, or with these an S3-compatible bucket.
  /** The store's URL for MinIO and other S3-compatible stores (e.g. http://minio:9000); unset: AWS S3 itself. */
  S3_ENDPOINT: z.url().optional(),
  /** The bucket replays are kept in; with the two keys below it turns S3 storage on. */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** `host/bucket/key` addressing (MinIO and most self-hosted stores need it). */
  S3_FORCE_PATH_STYLE: bool.default(false),
});

type Parsed = z.infer<typeof schema>;
export type Config = Readonly<Omit<Parsed, 'SEED_DEMO' | 'NODE_ID'> & { SEED_DEMO: boolean; NODE_ID: string }>;

/** Every setting's name (the documentation in .env.example is checked against it). */
export const configKeys = Object.keys(schema.shape) as Array<keyof Config>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks every setting once; fails listing all bad keys. The only reader of env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  /** A media-only node has no pages, sessions or mail: their production requirements do not apply. */
  const mediaOnly = parsed.success && !parsed.data.NODE_ROLES.includes('signaling');
  if (parsed.success && parsed.data.NODE_ENV === 'production' && env.NODE_ROLES !== undefined && env.NODE_ROLES.trim() === '') {
    // Elsewhere an empty variable means "not set"; here a deployment that meant to split roles
    // would silently run both on every node.
    problems.push('NODE_ROLES: empty; name the roles (signaling, media) or leave the variable out for both');
  }
  if (parsed.success && parsed.data.NODE_ROLES.length < 2 && !parsed.data.REDIS_URL) {
    problems.push('NODE_ROLES: split roles need REDIS_URL (signaling and media nodes reach each other through it)');
  }
  if (parsed.success && parsed.data.NODE_ENV === 'production' && !parsed.data.AUTH_SECRET && !mediaOnly) {
    problems.push('AUTH_SECRET: required when NODE_ENV=production (sessions must survive restarts and span nodes)');
  }
  if (parsed.success && parsed.data.NODE_ENV === 'production') {
    if (!parsed.data.ORIGIN && !mediaOnly) {
      problems.push('ORIGIN: required when NODE_ENV=production (the public https origin: cookies, CSRF and socket origin checks depend on it)');
    }
    if (parsed.data.SEED_DEMO) {
      problems.push(
        'SEED_DEMO: refused when NODE_ENV=production (the demo accounts share a published password); create the first organizer with `npm run create-admin`',
      );
    }
    if (!parsed.data.METRICS_TOKEN) {
      problems.push('METRICS_TOKEN: required when NODE_ENV=production (/metrics is not public)');
    }
    if (!parsed.data.SMTP_URL && !mediaOnly) {
      problems.push('SMTP_URL: required when NODE_ENV=production (invitations, verification and password-reset mails must reach people)');
    }
  }
  if (parsed.success) {
    const turn = parsed.data.TURN_URLS.some((u) => u.startsWith('turn'));
    // A TURN server without credentials is an open relay: every URL list naming one needs the secret.
    if (turn && !parsed.data.TURN_SECRET) {
      problems.push(
        'TURN_SECRET: required with turn: or turns: URLs in TURN_URLS (the time-limited credentials are signed with it; coturn has it as static-auth-secret)',
      );
    }
    if (parsed.data.TURN_SECRET && !turn) {
      problems.push('TURN_URLS: TURN_SECRET is set but no turn: or turns: URL is (clients would never be told where the relay is)');
    }
    if (parsed.data.ICE_TRANSPORT_POLICY === 'relay' && !turn) {
      problems.push('ICE_TRANSPORT_POLICY: relay needs a turn: or turns: URL in TURN_URLS (media could never connect)');
    }
    if (parsed.data.NODE_ENV === 'production' && parsed.data.TURN_SECRET && parsed.data.TURN_SECRET === parsed.data.AUTH_SECRET) {
      problems.push('TURN_SECRET: must differ from AUTH_SECRET (coturn holds it; a relay host must not be able to sign sessions)');
    }
  }
  if (parsed.success) {
    // Half an S3 configuration would quietly keep replays on one node's disk: refused everywhere.
    const s3 = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
    const set = s3.filter((k) => parsed.data[k]);
    const anySet = set.length > 0 || Boolean(parsed.data.S3_ENDPOINT);
    if (anySet && set.length < s3.length) {
      problems.push(
        `S3: ${s3.filter((k) => !parsed.data[k]).join(', ')} missing (S3 storage needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together)`,
      );
    }
  }
  if (parsed.success && parsed.data.NODE_TTL_MS < 3 * parsed.data.NODE_HEARTBEAT_MS) {
    problems.push('NODE_TTL_MS: must be at least 3 × NODE_HEARTBEAT_MS (one slow beat must not make a live node look dead)');
  }
  if (parsed.success && parsed.data.WEBHOOK_LEASE_MS <= parsed.data.WEBHOOK_TIMEOUT_MS) {
    problems.push('WEBHOOK_LEASE_MS: must be longer than WEBHOOK_TIMEOUT_MS (a delivery still being sent must not be claimed again)');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const data = parsed.data;
  return Object.freeze({
    ...data,
    SEED_DEMO: data.SEED_DEMO ?? data.NODE_ENV !== 'production',
    NODE_ID:
      data.NODE_ID ??
      (hostname()
        .replace(/[^A-Za-z0-9._-]/g, '')
        .slice(0, 40) ||
        'node'),
  });
}
