/**
 * Queue-operation ack latency at rising request rates, against a baseline measured in the same
 * run: a request that goes through the same socket, validation and ack path but does no queue
 * work (`booth:leave` for a booth not joined). Prints p50/p95 per rate and the ratio to the
 * baseline's p50. Runs a real platform in-process on the embedded database (or DATABASE_URL).
 *
 *   npx tsx bench/queue/latency.ts [--rates 25,50,100,200] [--seconds 4] [--seekers 60]
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { hashPassword, schema } from '@fairground/db';
import { configureLogging, createPlatform, loadConfig } from '../../signaling/src/index.ts';
import { ensureWorker } from '../../media-server/scripts/ensure-worker.mjs';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '25,50,100,200' },
    seconds: { type: 'string', default: '4' },
    seekers: { type: 'string', default: '60' },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const seekerCount = Number(values.seekers);

configureLogging('warn');
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'fairground-bench-')),
  DATABASE_URL: process.env.DATABASE_URL,
  MEDIA_WORKERS: '1',
  MEDIASOUP_WORKER_BIN: await ensureWorker({ log: () => {} }),
  LOG_LEVEL: 'warn',
});
const platform = await createPlatform(config);
const { port } = await platform.listen();
const url = `http://127.0.0.1:${port}`;
const db = platform.database.db;

// Accounts: seekers share one password hash (argon2 once), then each signs in for a cookie.
const password = 'bench-password';
const hash = await hashPassword(password);
const stamp = Date.now();
const users = await db
  .insert(schema.users)
  .values(
    Array.from({ length: seekerCount }, (_, i) => ({
      email: `bench-${stamp}-${i}@example.com`,
      name: `Bench ${i}`,
      emailVerified: true,
      role: 'seeker' as const,
    })),
  )
  .returning();
await db.insert(schema.accounts).values(users.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: hash })));
const cookieOf = async (email: string, pw: string, i: number) => {
  const r = await platform.auth.signIn({ email, password: pw }, `10.7.${i >> 8}.${i & 255}`);
  if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
  return r.setCookies.map((c) => c.split(';')[0]).join('; ');
};
const connect = (cookie: string) =>
  new Promise<ReturnType<typeof io>>((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });

const [owner] = await db.select().from(schema.users).where(eq(schema.users.email, 'employer@example.com'));
const [member] = await db.select().from(schema.employerMembers).where(eq(schema.employerMembers.userId, owner!.id));
const [booth] = await db.select().from(schema.booths).where(eq(schema.booths.employerId, member!.employerId));
const recruiter = await connect(await cookieOf('employer@example.com', 'fairground-demo', 9999));
/** An acked request; a timeout counts as a refusal instead of ending the run. */
const ack = (s: ReturnType<typeof io>, event: string, payload: unknown) =>
  (s.timeout(10_000).emitWithAck(event, payload) as Promise<{ ok: boolean; error?: { code: string } }>).catch(() => ({
    ok: false,
    error: { code: 'TIMEOUT' },
  }));
await ack(recruiter, 'booth:join', { boothId: booth!.id });
await ack(recruiter, 'queue:duty', { boothId: booth!.id, onDuty: true });
const seekers: ReturnType<typeof io>[] = [];
for (const [i, u] of users.entries()) seekers.push(await connect(await cookieOf(u.email, password, i)));

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Sends `op` at `rate` per second for `seconds`, round-robin over clients; returns latencies. */
async function drive(rate: number, op: (i: number) => Promise<{ ok: boolean; error?: { code: string } }>) {
  const latencies: number[] = [];
  let failures = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      op(i).then((r) => {
        latencies.push(performance.now() - t0);
        if (!r.ok) failures += 1;
      }),
    );
  }
  await Promise.all(pending);
  return { latencies, failures };
}

const rows: string[][] = [];
const line = (cells: (string | number)[]) => rows.push(cells.map(String));
for (const rate of rates) {
  const base = await drive(rate, (i) => ack(seekers[i % seekers.length]!, 'booth:leave', { boothId: booth!.id }));
  // Join then leave, alternating per seeker, so each op changes the line (and pushes updates).
  const joined = new Set<number>();
  const ops = await drive(rate, (i) => {
    const k = i % seekers.length;
    const event = joined.has(k) ? 'queue:leave' : 'queue:join';
    if (joined.has(k)) joined.delete(k);
    else joined.add(k);
    return ack(seekers[k]!, event, { boothId: booth!.id });
  });
  const calls = await drive(Math.min(rate, 50), () => ack(recruiter, 'queue:call-next', { boothId: booth!.id }));
  const b50 = percentile(base.latencies, 50);
  for (const [name, r] of [
    ['baseline (no-op ack)', base],
    ['join/leave', ops],
    ['call-next', calls],
  ] as const) {
    const p50 = percentile(r.latencies, 50);
    line([rate, name, r.latencies.length, r.failures, p50.toFixed(2), percentile(r.latencies, 95).toFixed(2), (p50 / b50).toFixed(1)]);
  }
  // Reset the line between rates.
  await Promise.all(seekers.map((s) => ack(s, 'queue:leave', { boothId: booth!.id })));
}

const header = ['rate/s', 'operation', 'n', 'refused', 'p50 ms', 'p95 ms', 'p50 / baseline'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\nqueue ack latency (${platform.database.kind}, ${seekerCount} seekers, ${seconds}s per step)\n`);
console.log(fmt(header));
for (const r of rows) console.log(fmt(r));
for (const s of [...seekers, recruiter]) s.disconnect();
await platform.close();
process.exit(0);
