/**
 * N concurrent Socket.IO viewers joining one broadcast, against one signaling process run as its
 * own OS process (so its memory is its own), without and with the Redis adapter and presence.
 *
 * For each mode, in the same run:
 * - baseline: N sockets connect, then all send an acked no-op through the same validation and ack
 *   path (`booth:leave` for a booth never joined); its rate is the reference;
 * - join: all N send `broadcast:join` at once; join rate = N / time until the last ack;
 * - memory: the server's RSS per connection after connecting (bare) and after joining;
 * - convergence: from the first join sent: the last ack, and when every client had seen the count N
 *   (the count is pushed at most once a second per broadcast, so ~1 s is the design), and how many
 *   count updates a client received in all.
 *
 *   npx tsx bench/broadcast/signaling.ts [--viewers 500] [--modes memory,redis]
 *
 * Needs Postgres (TEST_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; a
 * database is made and dropped) and, for the redis mode, Redis (REDIS_URL, default
 * redis://127.0.0.1:6379).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { connect, schema } from '@fairground/db';
import { ensureWorker } from '../../media-server/scripts/ensure-worker.mjs';

const { values } = parseArgs({
  options: { viewers: { type: 'string', default: '500' }, modes: { type: 'string', default: 'memory,redis' } },
});
const N = Number(values.viewers);
const modes = values.modes.split(',') as Array<'memory' | 'redis'>;
const log = (m: string) => process.stderr.write(`[signaling-bench] ${m}\n`);

const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `fairground_bench_${process.pid}_${Date.now()}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${dbName}"`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const workerBin = await ensureWorker({ log: () => {} });

function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) resolve({ child, port: entry.port });
      } catch {
        // not a log line
      }
    });
  });
}

const rssMb = (pid: number) => {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
};
const settle = () => new Promise((r) => setTimeout(r, 1500));
const ack = (s: Socket, event: string, payload: unknown) =>
  s.timeout(60_000).emitWithAck(event, payload) as Promise<{ ok: boolean; data?: { viewers: number } }>;

interface Row {
  mode: string;
  baselineRate: number;
  joinRate: number;
  bareKb: number;
  joinedKb: number;
  joinMs: number;
  convergeMs: number;
  updatesPerClient: number;
}

async function measure(mode: 'memory' | 'redis', broadcastId: string): Promise<Row> {
  const { child, port } = await startNode({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl.toString(),
    SEED_DEMO: 'false',
    MEDIA_WORKERS: '1',
    MEDIASOUP_WORKER_BIN: workerBin,
    // 'listening' is an info line; the bench reads the port from it.
    LOG_LEVEL: 'info',
    CLOCK_INTERVAL_MS: '0',
    REDIS_URL: mode === 'redis' ? redisUrl : '',
    REDIS_PREFIX: `fgbench${process.pid}${mode}`,
    // Every bench viewer connects from 127.0.0.1 as an anonymous device: the per-address caps
    // (connections, counted anonymous viewers) and the anonymous dwell before a viewer counts
    // are lifted, or they, not the signaling path, would be what is measured.
    SOCKETS_PER_ADDRESS: '100000',
    BROADCAST_ANON_PER_ADDRESS: '100000',
    BROADCAST_VIEW_DWELL_MS: '0',
    // Connecting the viewers is set-up, not the measurement: admission control is lifted too.
    HANDSHAKES_PER_SECOND: '100000',
    HANDSHAKE_BURST: '100000',
    ADMISSION_MAX_BACKLOG: '100000',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await settle();
    const rss0 = rssMb(child.pid!);
    const clients: Socket[] = [];
    for (let i = 0; i < N; i += 50) {
      const batch = Array.from({ length: Math.min(50, N - i) }, (_, j) => {
        const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { deviceId: `bench-${mode}-${i + j}` } });
        return new Promise<Socket>((resolve, reject) => {
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        });
      });
      clients.push(...(await Promise.all(batch)));
    }
    await settle();
    const rss1 = rssMb(child.pid!);

    let t = performance.now();
    await Promise.all(clients.map((c) => ack(c, 'booth:leave', { boothId: '00000000-0000-4000-8000-000000000000' })));
    const baselineRate = N / ((performance.now() - t) / 1000);

    const seenAt = new Array<number>(N).fill(0);
    const updates = new Array<number>(N).fill(0);
    clients.forEach((c, i) =>
      c.on('room:viewers', (p: { live: number }) => {
        updates[i]!++;
        if (p.live === N && !seenAt[i]) seenAt[i] = performance.now();
      }),
    );
    t = performance.now();
    const results = await Promise.all(
      clients.map(async (c, i) => {
        const r = await ack(c, 'broadcast:join', { broadcastId });
        if (r.ok && r.data!.viewers === N && !seenAt[i]) seenAt[i] = performance.now();
        return r;
      }),
    );
    const lastAck = performance.now();
    if (!results.every((r) => r.ok)) throw new Error(`${results.filter((r) => !r.ok).length} joins refused`);
    const joinRate = N / ((lastAck - t) / 1000);
    const until = performance.now() + 15_000;
    while (seenAt.some((x) => !x) && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    const missing = seenAt.filter((x) => !x).length;
    if (missing) log(`${mode}: ${missing} clients never saw ${N}`);
    // Both from the moment the first join was sent: the last ack, and the last client seeing N.
    const joinMs = lastAck - t;
    const convergeMs = Math.max(...seenAt.map((x) => x || Infinity)) - t;
    await settle();
    const rss2 = rssMb(child.pid!);
    for (const c of clients) c.disconnect();
    return {
      mode,
      baselineRate,
      joinRate,
      bareKb: ((rss1 - rss0) * 1024) / N,
      joinedKb: ((rss2 - rss0) * 1024) / N,
      joinMs,
      convergeMs,
      updatesPerClient: updates.reduce((a, b) => a + b, 0) / N,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

try {
  const database = await connect({ url: dbUrl.toString() });
  const rows: Row[] = [];
  for (const mode of modes) {
    const [row] = await database.db
      .insert(schema.broadcasts)
      .values({
        title: `Signaling bench ${mode}`,
        topic: 'policy_qa',
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 3600_000),
        status: 'published',
      })
      .returning();
    log(`${mode}: ${N} viewers …`);
    rows.push(await measure(mode, row!.id));
  }
  await database.close();
  const h = ['mode', 'no-op acks/s', 'joins/s', 'join/no-op', 'KB/conn bare', 'KB/conn joined', 'joined/bare', 'last ack ms', 'all saw N ms', 'updates/client'];
  process.stdout.write(`\n${N} viewers, one broadcast, one signaling process\n${h.join(' | ')}\n`);
  for (const r of rows) {
    process.stdout.write(
      [
        r.mode,
        r.baselineRate.toFixed(0),
        r.joinRate.toFixed(0),
        (r.joinRate / r.baselineRate).toFixed(2),
        r.bareKb.toFixed(1),
        r.joinedKb.toFixed(1),
        (r.joinedKb / r.bareKb).toFixed(2),
        r.joinMs.toFixed(0),
        r.convergeMs.toFixed(0),
        r.updatesPerClient.toFixed(1),
      ].join(' | ') + '\n',
    );
  }
} finally {
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
}
