import { pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { listFairs, type Auth, type Db } from '@fairground/db';
import { DEMO_FAIR_TITLE, DEMO_PASSWORD } from '@fairground/demo';
import { FIXTURE_PASSWORD } from './fixtures.ts';
import { configureLogging, createPlatform, loadConfig, type Platform } from '../signaling/src/index.ts';
import type { ClientToServerEvents, Result, ServerToClientEvents } from '../signaling/src/protocol/index.ts';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The SvelteKit handler from a current web build (built first if stale), loaded as `main.ts` does,
 * for tests that go through the pages' HTTP interface (form actions, `+server.ts` routes).
 */
async function webHandler(): Promise<RequestHandler> {
  const prepare = (await import(new URL('../scripts/prepare.mjs', import.meta.url).href)) as { ensureWebBuild(): void; WEB_HANDLER: string };
  prepare.ensureWebBuild();
  process.env.PROTOCOL_HEADER ??= 'x-forwarded-proto';
  process.env.BODY_SIZE_LIMIT ??= '4M';
  return ((await import(pathToFileURL(prepare.WEB_HANDLER).href)) as { handler: RequestHandler }).handler;
}

/** A real platform on a free port, against this run's Postgres (and Redis when asked); `web` serves the pages too. */
export async function startPlatform(options: { redis?: boolean; env?: Record<string, string>; web?: boolean } = {}) {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: inject('databaseUrl'),
    SEED_DEMO: 'false',
    MEDIA_WORKERS: '1',
    MEDIASOUP_WORKER_BIN: inject('workerBin'),
    LOG_LEVEL: 'silent',
    // Every test client connects from 127.0.0.1: one address stands for hundreds of people here.
    SOCKETS_PER_ADDRESS: '100000',
    // Tests connect their clients as fast as they can; admission control has its own test
    // (test/chaos/reconnect-storm.test.ts), which runs the node with the defaults.
    HANDSHAKES_PER_SECOND: '100000',
    HANDSHAKE_BURST: '100000',
    ADMISSION_MAX_BACKLOG: '100000',
    // Test files sign the same demo accounts in at once; the per-account throttle has its own test.
    AUTH_ACCOUNT_FAILURES: '1000',

    MAIL_CAPTURE_DIR: mkdtempSync(join(tmpdir(), 'fairground-mail-')),
    ...(options.redis ? { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: inject('redisPrefix') } : {}),
    ...options.env,
  });
  configureLogging(config.LOG_LEVEL);
  const platform: Platform = await createPlatform(config, options.web ? { webHandler: await webHandler() } : {});
  const address = await platform.listen();
  return { platform, url: `http://127.0.0.1:${address.port}`, db: platform.database.db, mailDir: config.MAIL_CAPTURE_DIR! };
}

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
}

/** Every message the platform's mail capture wrote (MAIL_CAPTURE_DIR), oldest first. */
export function capturedMail(dir: string): CapturedMail[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CapturedMail);
}

/** The newest mail to an address (waiting a moment for it), optionally with a subject matching. */
export async function mailTo(dir: string, to: string, subject?: RegExp): Promise<CapturedMail> {
  for (let i = 0; i < 50; i++) {
    const found = capturedMail(dir)
      .filter((m) => m.to === to && (!subject || subject.test(m.subject)))
      .at(-1);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}${subject ? ` matching ${subject}` : ''}`);
}

/** The token of the first link in a mail to a path (`/verify-email`, `/reset-password`, `/invitations`). */
export function linkToken(mail: CapturedMail, path: string): string {
  const match = new RegExp(`${path.replace(/\//g, '\\/')}(?:\\?token=|/)([^\\s&]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return decodeURIComponent(match[1]!);
}

/**
 * Signs a new account up, confirms its address from the captured mail (as its owner would) and
 * returns the signed-in user and its Cookie header.
 */
export async function signUpVerified(
  platform: Platform,
  mailDir: string,
  input: { name: string; email: string; password: string; role: 'seeker' | 'employer' },
  clientAddress: string,
) {
  const created = await platform.auth.signUp(input, clientAddress);
  if (!created.ok || !created.created) throw new Error(`could not sign up ${input.email}`);
  const verified = await platform.auth.verifyEmail(linkToken(await mailTo(mailDir, input.email, /confirm|确认/i), '/verify-email'), clientAddress);
  if (!verified.ok) throw new Error(`could not verify ${input.email}: ${verified.reason}`);
  const cookie = verified.setCookies.map((c) => c.split(';')[0]).join('; ');
  const user = await platform.auth.userFor(new Headers({ cookie }));
  return { user: user!, cookie };
}

/** A typed Socket.IO client; `cookie` signs it in, `deviceId` identifies an anonymous viewer. */
export async function connectTestClient(url: string, options: { cookie?: string; deviceId?: string } = {}): Promise<TestClient> {
  const socket: TestClient = connectClient(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: options.deviceId ? { deviceId: options.deviceId } : {},
    extraHeaders: options.cookie ? { cookie: options.cookie } : {},
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Sends any event with any payload (bad input included) and returns the ack. */
export function send<T = unknown>(socket: TestClient, event: string, ...args: unknown[]): Promise<Result<T>> {
  return (socket.timeout(5000).emitWithAck as (...a: unknown[]) => Promise<Result<T>>)(event, ...args);
}

/** Signs a demo or fixture user in and returns the Cookie header that carries the session. */
export async function sessionCookie(auth: Auth, email: string): Promise<string> {
  const password = email.endsWith('@fixture.test') ? FIXTURE_PASSWORD : DEMO_PASSWORD;
  const result = await auth.signIn({ email, password }, `127.0.${Math.floor(Math.random() * 250)}.1`);
  if (!result.ok) throw new Error(`could not sign in ${email}: ${result.reason}`);
  return result.setCookies.map((c) => c.split(';')[0]).join('; ');
}

/**
 * The demo data's live fair (the seed also adds a fair that ended weeks ago, with history, which
 * comes first by start time). For tests of the demo data itself (demo/src/history-report.test.ts,
 * core/src/reports.test.ts's demand table); a test of the product makes its own fair with
 * `fixtures(db).liveFair()` (test/fixtures.ts).
 */
export async function demoFair(db: Db) {
  const fair = (await listFairs(db)).find((f) => f.status === 'live' && f.title === DEMO_FAIR_TITLE);
  if (!fair) throw new Error('the demo data has no live Spring Breeze fair');
  return fair;
}

/**
 * Polls `check` every 50 ms until it holds; resolves with the time it did (for the `[chaos]`
 * measurements), or throws after `ms` naming `what` and, if given, the `state` it was in.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms: number, state?: () => unknown): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms${state ? ` (${JSON.stringify(state())})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now();
}

/** Resolves when `predicate` holds for an event's payload (or rejects after `ms`). */
export function waitFor<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
  predicate: (...args: Parameters<ServerToClientEvents[E]>) => boolean,
  ms = 5000,
): Promise<Parameters<ServerToClientEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const listener = (...args: Parameters<ServerToClientEvents[E]>) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args);
    };
    socket.on(event, listener as never);
  });
}

/**
 * A Postgres database of its own, migrated and seeded, for tests that compare whole tables before
 * and after (other files writing to the shared run database would disturb them).
 */
export async function freshDatabase(label: string) {
  const { connect } = await import('@fairground/db');
  const { seedDemo } = await import('@fairground/demo');
  const postgres = (await import('postgres')).default;
  const admin = postgres(process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', {
    max: 1,
    onnotice: () => {},
  });
  const name = `fairground_${label}_${process.pid}_${Date.now()}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  const database = await connect({ url: url.toString() });
  await seedDemo(database.db);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      await dropWhenIdle(admin, name);
      await admin.end();
    },
  };
}

/**
 * Drops a test database once every connection to it has gone. A forced drop terminates the
 * backends still connected, and a pool connection that is still opening (postgres.js fetches
 * array types on each new connection without a handler) turns that into an unhandled
 * ECONNRESET in the test process, which fails the whole vitest run. So wait for the platform's
 * pools to finish closing, name any connection that lingers, and only then force.
 */
async function dropWhenIdle(admin: import('postgres').Sql, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let lingering: Array<Record<string, unknown>> = [];
  while (Date.now() < deadline) {
    lingering = await admin`select pid, state, backend_start, left(query, 120) as query from pg_stat_activity where datname = ${name}`;
    if (lingering.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (lingering.length > 0) process.stderr.write(`test database ${name}: ${lingering.length} connection(s) still open at drop: ${JSON.stringify(lingering)}\n`);
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
}

/**
 * Asserts that pushes arrived at no more than one a second over their whole span. The servers
 * space them at the source; what a client sees also carries delivery jitter (a busy event loop,
 * the Redis hop), so single gaps may be shorter than a second. A storm, or two nodes each
 * sending their own update, would still show as about twice the count and fail.
 */
export function expectAtMostOnePerSecond(receivedAt: number[]): void {
  if (receivedAt.length < 2) return;
  const span = receivedAt.at(-1)! - receivedAt[0]!;
  expect(receivedAt.length - 1, `${receivedAt.length} updates over ${span} ms`).toBeLessThanOrEqual(Math.floor(span / 1000) + 1);
}
