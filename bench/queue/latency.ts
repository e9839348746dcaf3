/**
 * Booth-line operations (join, leave, call next) at fixed offered rates (issue 13): ack latency
 * p50/p95 of this checkout against an earlier commit (`--base-commit`), in the same run, on real
 * Postgres and Redis. Each side is one real node process (`signaling/src/main.ts` of its tree) on a
 * fresh database; the client here drives both, one after the other at each rate.
 *
 * Open loop: operation i is due at start + i/rate whatever happened to the ones before it, and its
 * latency is counted from when it was due (not from when the client got round to sending it), so a
 * node that falls behind shows it instead of slowing the offered rate down. Four in five operations
 * are seekers' (each seeker alternately joins and leaves the booth's line), one in five a
 * recruiter's call-next (several recruiters on duty, round robin). Every limit stays in force (the
 * per-seeker join limit, the per-connection request limit): the bench uses enough seekers and
 * recruiters to stay under them, so the limiters' own cost is measured too.
 *
 *   npx tsx bench/queue/latency.ts --base-commit 585821d [--rates 50,100,250,500] [--seconds 5]
 *     [--runs 1] [--seekers 300] [--recruiters 8] [--sides base,new] [--nice -10] [--profile dir]
 *
 * The base tree is `git archive`d into a temp directory (kept per commit for later runs); it shares
 * this checkout's node_modules (symlinked entry by entry, its own workspace packages linked to its
 * own sources) when the lockfiles match, else gets `npm ci`. Needs Postgres
 * (TEST_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; databases are made
 * and dropped) and Redis (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { eq } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { connect, createAuth, hashPassword, schema } from '@fairground/db';
import { DEMO_PASSWORD } from '@fairground/demo';
import { ensureWorker } from '../../media-server/scripts/ensure-worker.mjs';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,100,250,500' },
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '1' },
    seekers: { type: 'string', default: '300' },
    recruiters: { type: 'string', default: '8' },
    sides: { type: 'string', default: 'base,new' },
    'base-commit': { type: 'string' },
    /** Write each node's V8 CPU profile here when it stops (where an operation spends its time). */
    profile: { type: 'string' },
    /** Scheduling priority of the bench and both nodes (e.g. -10, as root): see bench/README.md. */
    nice: { type: 'string', default: '0' },
  },
});
// On a machine shared with other work, --nice=-10 (root) gives the bench and both sides' nodes the
// same higher priority, so the others' load weighs less on all of them alike (as the fan-out bench does).
const nice = Number(values.nice);
if (nice) setPriority(nice);
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const seekerCount = Number(values.seekers);
const recruiterCount = Number(values.recruiters);
const sides = values.sides.split(',') as Side[];
type Side = 'base' | 'new';
const here = resolve(new URL('../..', import.meta.url).pathname);
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A checkout of `sha` next to this one, sharing its installed dependencies where it can. */
function baseTree(sha: string): string {
  const full = execFileSync('git', ['rev-parse', sha], { cwd: here, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `fairground-queue-base-${full.slice(0, 12)}`);
  if (existsSync(join(dir, '.ready'))) return dir;
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${full} | tar -x -C ${JSON.stringify(dir)}`], { cwd: here });
  const sameLock = readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(here, 'package-lock.json'), 'utf8');
  if (sameLock) {
    // Node resolves symlinks to their real path, so a plain link to our node_modules would load OUR
    // workspace packages from the base's code: every entry is linked but @fairground, whose
    // packages point at the base's own sources.
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, '@fairground'), { recursive: true });
    for (const entry of readdirSync(join(here, 'node_modules'))) {
      if (entry !== '@fairground') symlinkSync(join(here, 'node_modules', entry), join(modules, entry));
    }
    for (const pkg of readdirSync(join(here, 'node_modules', '@fairground'))) symlinkSync(join(dir, pkg), join(modules, '@fairground', pkg));
  } else {
    log(`base ${sha}: lockfile differs, npm ci`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
  writeFileSync(join(dir, '.ready'), full);
  return dir;
}

const trees: Record<Side, string> = { new: here, base: '' };
if (sides.includes('base')) {
  if (!values['base-commit']) throw new Error('--base-commit <sha> is needed for the base side (or --sides new)');
  trees.base = baseTree(values['base-commit']);
}

const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const workerBin = await ensureWorker({ log: () => {} });
const secret = 'queue-latency-bench-secret-'.padEnd(40, 'x');

interface Node {
  child: ChildProcess;
  url: string;
  dbName: string;
  seekers: Socket[];
  recruiters: Socket[];
  boothId: string;
  warnings: Map<string, number>;
}

function startNode(tree: string, env: Record<string, string>, warnings: Map<string, number>): Promise<{ child: ChildProcess; url: string }> {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: tree,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A bench that dies leaves no node behind.
  process.once('exit', () => child.kill('SIGKILL'));
  if (nice) setPriority(child.pid!, nice);
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('node did not start in time')), 120_000);
    child.once('exit', (code) => fail(new Error(`node exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number; level?: number };
        if ((entry.level ?? 0) >= 40) warnings.set(entry.msg ?? '?', (warnings.get(entry.msg ?? '?') ?? 0) + 1);
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          ok({ child, url: `http://127.0.0.1:${entry.port}` });
        }
      } catch {
        // not a log line
      }
    });
  });
}

type Ack = { ok: boolean; error?: { code: string } };
/** An acked request; a timeout counts as a refusal instead of ending the run. */
const ack = (s: Socket, event: string, payload: unknown) =>
  (s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack>).catch(() => ({ ok: false, error: { code: 'TIMEOUT' } }));

const connectSocket = (url: string, cookie: string) =>
  new Promise<Socket>((ok, fail) => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
    s.once('connect', () => ok(s));
    s.once('connect_error', fail);
  });

/** A fresh database and node for one side, with signed-in seekers and recruiters on duty at the demo booth. */
async function setUp(side: Side): Promise<Node> {
  const dbName = `fairground_qlat_${process.pid}_${side}`;
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.unsafe(`create database "${dbName}"`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const warnings = new Map<string, number>();
  const { child, url } = await startNode(
    trees[side],
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `fgqlat${process.pid}${side}`,
      AUTH_SECRET: secret,
      SEED_DEMO: 'true',
      MEDIA_WORKERS: '1',
      MEDIASOUP_WORKER_BIN: workerBin,
      // As deployed (and 'listening' is an info line).
      LOG_LEVEL: 'info',
      // Every bench client connects from 127.0.0.1: the per-address cap would otherwise be what is measured.
      SOCKETS_PER_ADDRESS: '100000',
      HANDSHAKES_PER_SECOND: '100000',
      HANDSHAKE_BURST: '100000',
    },
    warnings,
  );
  const database = await connect({ url: dbUrl.toString(), migrate: false });
  const db = database.db;
  try {
    // Accounts share one password hash (argon2 once); each signs in for its own session cookie.
    const password = 'bench-password';
    const hash = await hashPassword(password);
    const make = async (role: 'seeker' | 'employer', n: number, tag: string) => {
      if (n === 0) return [];
      const rows = await db
        .insert(schema.users)
        .values(Array.from({ length: n }, (_, i) => ({ email: `qlat-${tag}-${i}@example.com`, name: `${tag} ${i}`, emailVerified: true, role })))
        .returning();
      await db.insert(schema.accounts).values(rows.map((u) => ({ userId: u.id, accountId: u.id, providerId: 'credential', password: hash })));
      return rows;
    };
    const [owner] = await db.select().from(schema.users).where(eq(schema.users.email, 'employer@example.com'));
    const [member] = await db.select().from(schema.employerMembers).where(eq(schema.employerMembers.userId, owner!.id));
    const [booth] = await db.select().from(schema.booths).where(eq(schema.booths.employerId, member!.employerId));
    const seekerRows = await make('seeker', seekerCount, 'seeker');
    const recruiterRows = await make('employer', recruiterCount - 1, 'recruiter');
    if (recruiterRows.length) {
      await db.insert(schema.employerMembers).values(recruiterRows.map((u) => ({ userId: u.id, employerId: member!.employerId, role: 'recruiter' as const })));
    }
    const auth = createAuth(db, { secret, baseURL: url, attemptsPerMinute: 1_000_000 });
    let n = 0;
    const cookieOf = async (email: string, pw: string) => {
      const i = n++;
      const r = await auth.signIn({ email, password: pw }, `10.8.${i >> 8}.${i & 255}`);
      if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
      return r.setCookies.map((c) => c.split(';')[0]).join('; ');
    };
    const recruiterCookies = [await cookieOf('employer@example.com', DEMO_PASSWORD)];
    for (const u of recruiterRows) recruiterCookies.push(await cookieOf(u.email, password));
    const seekerCookies: string[] = [];
    for (const u of seekerRows) seekerCookies.push(await cookieOf(u.email, password));
    const recruiters = await Promise.all(recruiterCookies.map((c) => connectSocket(url, c)));
    const seekers: Socket[] = [];
    for (const c of seekerCookies) seekers.push(await connectSocket(url, c));
    for (const r of recruiters) {
      const joined = await ack(r, 'booth:join', { boothId: booth!.id });
      const duty = await ack(r, 'queue:duty', { boothId: booth!.id, onDuty: true });
      if (!joined.ok || !duty.ok) throw new Error(`recruiter set-up refused: ${JSON.stringify([joined, duty])}`);
    }
    return { child, url, dbName, seekers, recruiters, boothId: booth!.id, warnings };
  } finally {
    await database.close();
  }
}

async function tearDown(node: Node): Promise<void> {
  for (const s of [...node.seekers, ...node.recruiters]) s.disconnect();
  await new Promise((r) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return r(null);
    node.child.once('exit', r);
    node.child.kill('SIGTERM');
  });
  await admin.unsafe(`drop database if exists "${node.dbName}" with (force)`);
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

interface Step {
  all: number[];
  byOp: Record<'join' | 'leave' | 'call-next', number[]>;
  refused: Map<string, number>;
}

/**
 * Waits until the node answers a seeker's `queue:leave` of a line they are not in (the socket path
 * and one database write that changes nothing) quickly three times in a row: an overloaded side's
 * backlog (requests its clients gave up on, queries still queued for the pool) must not run on
 * into the other side's step. At most 20 s.
 */
async function settle(node: Node): Promise<void> {
  const until = performance.now() + 20_000;
  let quick = 0;
  while (quick < 3 && performance.now() < until) {
    const t0 = performance.now();
    await ack(node.seekers[0]!, 'queue:leave', { boothId: node.boothId });
    quick = performance.now() - t0 < 30 ? quick + 1 : 0;
    await sleep(100);
  }
}

/** Offers `rate` operations a second for `seconds`, open loop. */
async function drive(node: Node, rate: number): Promise<Step> {
  const step: Step = { all: [], byOp: { join: [], leave: [], 'call-next': [] }, refused: new Map() };
  const total = Math.round(rate * seconds);
  const inLine = new Set<number>();
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let seekerTurn = 0;
  let recruiterTurn = 0;
  for (let i = 0; i < total;) {
    // Sends every operation due by now, then sleeps until the next one is due.
    while (i < total && start + (i * 1000) / rate <= performance.now()) {
      const due = start + (i * 1000) / rate;
      let op: keyof Step['byOp'];
      let request: Promise<Ack>;
      if (i % 5 === 4) {
        op = 'call-next';
        request = ack(node.recruiters[recruiterTurn++ % node.recruiters.length]!, 'queue:call-next', { boothId: node.boothId });
      } else {
        const k = seekerTurn++ % node.seekers.length;
        op = inLine.has(k) ? 'leave' : 'join';
        if (op === 'leave') inLine.delete(k);
        else inLine.add(k);
        request = ack(node.seekers[k]!, op === 'leave' ? 'queue:leave' : 'queue:join', { boothId: node.boothId });
      }
      pending.push(
        request.then((r) => {
          const ms = performance.now() - due;
          step.all.push(ms);
          step.byOp[op].push(ms);
          if (!r.ok) step.refused.set(`${op}:${r.error?.code}`, (step.refused.get(`${op}:${r.error?.code}`) ?? 0) + 1);
        }),
      );
      i++;
    }
    if (i < total) await sleep(Math.max(0, start + (i * 1000) / rate - performance.now()));
  }
  await Promise.all(pending);
  // Everyone out of the line again (not timed), so each step starts from an empty line.
  await Promise.all(node.seekers.map((s) => ack(s, 'queue:leave', { boothId: node.boothId })));
  await settle(node);
  return step;
}

const nodes: Partial<Record<Side, Node>> = {};
const summary: Array<{ run: number; rate: number; side: Side; p50: number; p95: number }> = [];
try {
  for (const side of sides) {
    log(`setting up ${side} (${side === 'base' ? values['base-commit'] : 'this checkout'})`);
    nodes[side] = await setUp(side);
  }
  // Warm-up: the first requests of a fresh process compile and connect pools.
  for (const side of sides) await drive(nodes[side]!, 50);

  const rows: string[][] = [];
  for (let run = 1; run <= runs; run++) {
    for (const rate of rates) {
      for (const side of sides) {
        const step = await drive(nodes[side]!, rate);
        const f = (xs: number[], p: number) => percentile(xs, p).toFixed(1);
        const p50 = percentile(step.all, 50);
        const p95 = percentile(step.all, 95);
        summary.push({ run, rate, side, p50, p95 });
        const refused = [...step.refused].map(([k, v]) => `${k}=${v}`).join(' ') || '0';
        rows.push([
          String(run),
          String(rate),
          side,
          String(step.all.length),
          p50.toFixed(1),
          p95.toFixed(1),
          f(step.all, 99),
          f(step.byOp.join, 95),
          f(step.byOp.leave, 95),
          f(step.byOp['call-next'], 95),
          refused,
        ]);
        log(`run ${run} ${rate}/s ${side}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, refused ${refused}`);
      }
    }
  }
  const header = ['run', 'rate/s', 'side', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'join p95', 'leave p95', 'call p95', 'refused'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(
    `\nqueue operations at offered rates (Postgres + Redis, one node per side, ${seekerCount} seekers, ${recruiterCount} recruiters, ${seconds}s per step)`,
  );
  console.log(`base = ${values['base-commit'] ?? '-'}, new = this checkout\n`);
  console.log(fmt(header));
  for (const r of rows) console.log(fmt(r));
  if (sides.length === 2) {
    console.log('\nbase/new (higher = new is faster)');
    for (const { run, rate, side, p50, p95 } of summary) {
      if (side !== 'new') continue;
      const base = summary.find((s) => s.run === run && s.rate === rate && s.side === 'base')!;
      console.log(`run ${run} ${String(rate).padStart(4)}/s: p50 ${(base.p50 / p50).toFixed(1)}x, p95 ${(base.p95 / p95).toFixed(1)}x`);
    }
  }
  for (const side of sides) {
    const w = nodes[side]!.warnings;
    if (w.size) console.log(`\n${side} node warnings: ${[...w].map(([k, v]) => `${k} (${v})`).join('; ')}`);
  }
} finally {
  for (const side of sides) if (nodes[side]) await tearDown(nodes[side]);
  await admin.end();
}
process.exit(0);
