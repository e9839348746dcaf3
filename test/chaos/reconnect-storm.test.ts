import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { createAuth, hashPassword, schema } from '@fairground/db';
import { busyRetryDelayMs, handshakeRefusal, isBusy, reconnectionOptions } from '../../signaling/src/protocol/index.ts';
import { FIXTURE_PASSWORD, fixtures } from '../fixtures.ts';
import { freshDatabase, send, type TestClient } from '../helpers.ts';
import { Cluster } from './cluster.ts';

/**
 * A reconnect storm on one real node (`main.ts`, default admission settings): 1,000 clients (50
 * signed-in seekers at a booth and in a broadcast, 950 anonymous broadcast viewers) lose their
 * connections at once (each client's transport is closed, as a network blip would) and come back
 * with the browser's policy: Socket.IO's backoff with jitter, and a jittered retry after a BUSY
 * refusal (protocol/reconnect.ts). The node shapes the crowd (app/admission.ts) and stays
 * responsive; nobody's view or visit is counted twice, and the live count is 1,000 again.
 */

const CLIENTS = 1000;
const SEEKERS = 50;
const HANG_GUARD_MS = 120_000;

interface StormClient {
  socket: TestClient;
  seeker: boolean;
  /** When the rooms were last joined (after a connect), 0 before. */
  joinedAt: number;
  /** Accepted handshakes: connect events. */
  connects: number[];
}

describe('reconnect storm: 1,000 clients of one node come back at once', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let cluster: Cluster;
  let host: TestClient;
  let broadcastId: string;
  let boothId: string;
  const clients: StormClient[] = [];
  let busy = 0;
  let joinFailures = 0;
  let poller: ChildProcess | null = null;
  const probes: Array<{ at: number; ms: number; status: number }> = [];

  /** One client with the browser's policy; it rejoins its rooms after every connect, as a page does. */
  const stormClient = (url: string, options: { cookie?: string; deviceId?: string }, seeker: boolean): StormClient => {
    const socket: TestClient = connectClient(url, {
      transports: ['websocket'],
      forceNew: true,
      ...reconnectionOptions,
      auth: options.deviceId ? { deviceId: options.deviceId } : {},
      extraHeaders: options.cookie ? { cookie: options.cookie } : {},
    });
    const client: StormClient = { socket, seeker, joinedAt: 0, connects: [] };
    let refusals = 0;
    const join = async (tries = 0): Promise<void> => {
      // The browser's request timeout (session.request): 10 s.
      const ack = (event: string, payload: unknown) => (socket.timeout(10_000).emitWithAck as (...a: unknown[]) => Promise<{ ok: boolean }>)(event, payload);
      const results = await Promise.all([...(seeker ? [ack('booth:join', { boothId })] : []), ack('broadcast:join', { broadcastId })]).catch(() => [
        { ok: false },
      ]);
      if (results.every((r) => r.ok)) client.joinedAt = Date.now();
      else if (socket.connected && tries < 5) {
        joinFailures++;
        await new Promise((r) => setTimeout(r, 1000));
        await join(tries + 1);
      }
    };
    socket.on('connect', () => {
      refusals = 0;
      client.connects.push(Date.now());
      void join();
    });
    // As web/src/lib/realtime/session.svelte.ts: Socket.IO does not retry a refused handshake.
    socket.on('connect_error', (err) => {
      const refusal = handshakeRefusal(err);
      if (!isBusy(refusal)) return;
      busy++;
      setTimeout(
        () => {
          if (!socket.connected && !socket.active) socket.connect();
        },
        busyRetryDelayMs(refusals++, refusal?.retryAfterMs),
      );
    });
    return client;
  };

  const until = async (what: string, done: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + HANG_GUARD_MS;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`hang guard: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stats = () => send<{ live: number; views: number; unique: number }>(host, 'broadcast:stats', { broadcastId });

  beforeAll(async () => {
    fresh = await freshDatabase('chaos_storm');
    // Every client connects from 127.0.0.1: the per-address caps are lifted, and anonymous viewers
    // count at once. Admission control keeps its defaults (empty means unset): they are what is tested.
    cluster = await Cluster.start({
      nodes: 1,
      databaseUrl: fresh.url,
      env: {
        BROADCAST_ANON_PER_ADDRESS: '100000',
        BROADCAST_VIEW_DWELL_MS: '0',
        CLOCK_INTERVAL_MS: '0',
        HANDSHAKES_PER_SECOND: '',
        HANDSHAKE_BURST: '',
        ADMISSION_MAX_BACKLOG: '',
      },
    });
    const db = fresh.database.db;
    const f = fixtures(db);
    const { booths, organizer } = await f.liveFair({ employers: ['Storm'] });
    boothId = booths.Storm.id;
    broadcastId = (await f.onAirBroadcast(organizer.id, `Storm ${Date.now()}`)).id;

    // Seekers share one password hash (hashing is slow on purpose); each signs in for its cookie.
    const auth = createAuth(db, { secret: 'c'.repeat(32), baseURL: cluster.url, attemptsPerMinute: 10_000 });
    const password = 'storm-password-1';
    const hash = await hashPassword(password);
    const stamp = Date.now();
    const seekers = await db
      .insert(schema.users)
      .values(
        Array.from({ length: SEEKERS }, (_, i) => ({
          email: `storm-${stamp}-${i}@fixture.test`,
          name: `Storm ${i}`,
          emailVerified: true,
          role: 'seeker' as const,
        })),
      )
      .returning();
    await db.insert(schema.accounts).values(seekers.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: hash })));
    const cookieOf = async (email: string, pw: string, i: number) => {
      const r = await auth.signIn({ email, password: pw }, `10.9.${i >> 8}.${i & 255}`);
      if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
      return r.setCookies.map((c) => c.split(';')[0]).join('; ');
    };
    const cookies = await Promise.all(seekers.map((u, i) => cookieOf(u.email, password, i)));

    const url = cluster.nodes[0]!.url;
    host = connectClient(url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie: await cookieOf(organizer.email, FIXTURE_PASSWORD, 999) } });
    await new Promise<void>((resolve, reject) => {
      host.once('connect', () => resolve());
      host.once('connect_error', reject);
    });
    expect(await send(host, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: true } });

    // All at once: the first arrival is a storm of its own, shaped the same way.
    const started = Date.now();
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(i < SEEKERS ? stormClient(url, { cookie: cookies[i]! }, true) : stormClient(url, { deviceId: `storm-${stamp}-${i}` }, false));
    }
    await until('every client joined', () => clients.every((c) => c.joinedAt > 0));
    process.stderr.write(`[chaos] reconnect storm: ${CLIENTS} clients connected and joined in ${Date.now() - started} ms (${busy} BUSY refusals on the way)\n`);
    await until('the live count is 1,000', async () => {
      const r = await stats();
      return r.ok && r.data.live === CLIENTS;
    });

    // /healthz from a process of its own, so the latency is the node's, not this busy test's; a
    // new connection each time, as a balancer's health check makes (it waits behind a crowd's
    // connections too).
    poller = spawn(
      process.execPath,
      [
        '-e',
        `const http = require('node:http');
         const url = process.argv[1];
         const tick = () => {
           const t = performance.now();
           const done = (status) => {
             process.stdout.write(JSON.stringify({ at: Date.now(), ms: performance.now() - t, status }) + '\\n');
             setTimeout(tick, 100);
           };
           http.get(url, { agent: false }, (res) => { res.resume(); res.on('end', () => done(res.statusCode)); }).on('error', () => done(0));
         };
         tick();`,
        `${url}/healthz`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    createInterface({ input: poller.stdout! }).on('line', (line) => probes.push(JSON.parse(line) as (typeof probes)[number]));
  }, 240_000);

  afterAll(async () => {
    if (poller?.pid && poller.exitCode === null) process.kill(poller.pid, 'SIGKILL');
    clients.forEach((c) => c.socket.disconnect());
    host?.disconnect();
    await cluster?.stop();
    await fresh?.drop();
  });

  it('brings every client back, counts nobody twice, and keeps the node responsive', async () => {
    // A baseline of /healthz latency with every client connected and idle.
    await new Promise((r) => setTimeout(r, 2000));
    const stormAt = Date.now();
    const baseline = probes.filter((p) => p.at < stormAt);
    busy = 0;
    joinFailures = 0;

    // The blip: every client's transport closes at once; each Manager reconnects by itself.
    for (const c of clients) c.socket.io.engine.close();
    await until('every client back and rejoined', () => clients.every((c) => c.socket.connected && c.joinedAt > stormAt));
    const allBackAt = Date.now();
    const during = probes.filter((p) => p.at >= stormAt && p.at <= allBackAt);

    // Numbers first, so a failing assertion below still leaves them in the log.
    const back = clients.map((c) => c.joinedAt - stormAt).sort((a, b) => a - b);
    const quantile = (q: number) => back[Math.min(back.length - 1, Math.floor(q * back.length))]!;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const perSecond = new Map<number, number>();
    for (const t of clients.map((c) => c.connects.at(-1)!)) {
      const s = Math.floor((t - stormAt) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    const curve = [...perSecond.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}s:${n}`)
      .join(' ');
    const baseMs = median(baseline.map((p) => p.ms));
    const stormMs = median(during.map((p) => p.ms));
    const worst = during.reduce((a, b) => (b.ms > a.ms ? b : a), during[0] ?? { at: stormAt, ms: NaN, status: 0 });
    const worstMs = worst.ms;
    const joinMs = clients.map((c) => c.joinedAt - c.connects.at(-1)!).sort((a, b) => a - b);
    const say = (line: string) => process.stderr.write(`[chaos] reconnect storm: ${line}\n`);
    say(`all ${CLIENTS} back and rejoined ${allBackAt - stormAt} ms after the blip; per client p50 ${quantile(0.5)} ms, p95 ${quantile(0.95)} ms`);
    say(`${busy} handshakes refused with BUSY; ${joinFailures} rejoin requests retried`);
    say(`accepted handshakes per second after the blip: ${curve}`);
    say(`rejoin (connect to joined) p50 ${joinMs[Math.floor(joinMs.length / 2)]} ms, p95 ${joinMs[Math.floor(joinMs.length * 0.95)]} ms`);
    say(
      `/healthz median ${baseMs.toFixed(1)} ms before, ${stormMs.toFixed(1)} ms during (ratio ${(stormMs / baseMs).toFixed(1)}), worst ${worstMs.toFixed(1)} ms (sent ${worst.at - Math.round(worstMs) - stormAt} ms after the blip); ${during.length} probes, ${during.filter((p) => p.status !== 200).length} not 200`,
    );

    // A balancer's health check would time out (HAProxy's here: 400 ms) on a probe this slow.
    const slowProbes = during.filter((p) => p.ms > 400).length;
    say(`${slowProbes} probes slower than 400 ms during the storm`);

    // The node answered its health check all through the storm, and shaped the crowd.
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((p) => p.status !== 0)).toBe(true);
    expect(busy, 'admission control refused part of the crowd').toBeGreaterThan(0);
    expect(clients.every((c) => c.socket.connected)).toBe(true);

    // Counted once: the live count returns to 1,000, and the stored views are the distinct viewers.
    await until('the live count is 1,000 again', async () => {
      const r = await stats();
      return r.ok && r.data.live === CLIENTS;
    });
    expect(await stats()).toMatchObject({ ok: true, data: { live: CLIENTS, views: CLIENTS, unique: CLIENTS } });
    const db = fresh.database.db;
    const [viewers] = await db
      .select({ rows: sql<number>`count(*)::int`, views: sql<number>`sum(${schema.broadcastViewers.views})::int` })
      .from(schema.broadcastViewers)
      .where(eq(schema.broadcastViewers.broadcastId, broadcastId));
    expect(viewers).toEqual({ rows: CLIENTS, views: CLIENTS });
    const [visits] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.countedEvents)
      .where(and(eq(schema.countedEvents.roomId, boothId), eq(schema.countedEvents.kind, 'booth_visit')));
    expect(visits!.n).toBe(SEEKERS);
  }, 180_000);
});
