/**
 * A start-time join storm (issue 13): thousands of viewers joining one broadcast on two signaling
 * nodes (real processes of `signaling/src/main.ts` sharing Redis and Postgres), today's code
 * (`--base`, a checkout of an earlier commit with its own node_modules) against this checkout, in
 * the same run. Two phases per side, each on fresh nodes and a fresh database:
 *
 * - rate: N sockets connect first (admission lifted: that is set-up), then all send
 *   `broadcast:join` at once, half to each node; joins/s = N / time to the last ack, per node /2;
 *   then the time from the last ack until every client had seen the final count.
 * - storm: N viewers arrive spread evenly over `--spread` seconds, each connecting and joining at
 *   once, with the node's own admission settings (a BUSY refusal is retried after its hint, with
 *   jitter, as the web client does); `--browsers` Chromium pages join during the storm and wait
 *   for their first decoded frame of a host publishing a fake camera on node A. Printed: joins
 *   answered, the last answer, when every client had seen the exact final count (from the last
 *   answer), first-frame times, and memory per connection (RSS growth of each node / its
 *   connections).
 *
 *   npx tsx bench/broadcast/join-storm.ts [--base-commit 060446a | --base <dir>] [--viewers 5000]
 *     [--spread 10] [--browsers 3] [--phases rate,storm] [--sides base,new] [--clients 4]
 *
 * The simulated viewers' sockets live in `--clients` child processes (join-storm.clients.ts),
 * viewer i in process i % clients, so one bench process holding 5,000 sockets is not what starves.
 *
 * Without `--base`, the base side runs from a worktree of `--base-commit` the bench makes itself.
 *
 * Needs Postgres (TEST_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 * databases are made and dropped), Redis (REDIS_URL, default redis://127.0.0.1:6379) and Chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium) for `--browsers`.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join as joinPath, resolve } from 'node:path';
import { setPriority, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { chromium, type Browser } from '@playwright/test';
import postgres from 'postgres';
import { connect, createAuth } from '@fairground/db';
import { DEMO_PASSWORD } from '@fairground/demo';
import { ensureWorker } from '../../media-server/scripts/ensure-worker.mjs';
import type { ClientCommand, ClientReply, ClientReport } from './join-storm.clients.ts';
import { insertOnAirBroadcast } from './on-air.ts';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '5000' },
    spread: { type: 'string', default: '10' },
    browsers: { type: 'string', default: '3' },
    phases: { type: 'string', default: 'rate,storm' },
    sides: { type: 'string', default: 'base,new' },
    base: { type: 'string' },
    'base-commit': { type: 'string', default: '060446a' },
    nice: { type: 'string', default: '0' },
    clients: { type: 'string', default: '4' },
  },
});
const N = Number(values.viewers);
const spreadMs = Number(values.spread) * 1000;
const browsers = Number(values.browsers);
// The viewers' sockets are spread over this many client processes (join-storm.clients.ts).
const clientCount = Math.max(1, Number(values.clients));
const phases = values.phases.split(',') as Array<'rate' | 'storm'>;
const sides = values.sides.split(',') as Array<'base' | 'new'>;
const here = new URL('../..', import.meta.url).pathname;
const log = (m: string) => process.stderr.write(`[join-storm] ${m}\n`);
/**
 * The base side's checkout: `--base <dir>` as given, else a detached worktree of `--base-commit`
 * (060446a, today's code before issue 13) under /tmp, made and `npm ci`-ed on first use and kept.
 */
function baseTree(): string {
  if (values.base) return resolve(values.base);
  const commit = values['base-commit'];
  const dir = joinPath(tmpdir(), `fairground-storm-base-${commit}`);
  if (!existsSync(joinPath(dir, 'package.json'))) {
    log(`making the base worktree ${dir} at ${commit}`);
    execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', dir, commit], { stdio: 'inherit' });
  }
  if (!existsSync(joinPath(dir, 'node_modules', '.package-lock.json'))) {
    log(`npm ci in ${dir}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}
const trees = { base: sides.includes('base') ? baseTree() : '', new: here };
// --nice=-5 (root) on a machine shared with other work: the bench and both sides' nodes get the same
// priority, so whatever else runs weighs less on all of them alike (the fanout bench does the same).
const nice = Number(values.nice);
if (nice) setPriority(nice);
// Errors outside a run (a browser page's, a client process's pipe): counted, not fatal.
let stray = 0;
process.on('uncaughtException', (err) => {
  stray++;
  if (stray <= 3) log(`client error outside a join: ${String(err)}`);
});

const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const workerBin = await ensureWorker({ log: () => {} });
const secret = 'join-storm-bench-secret-'.padEnd(40, 'x');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The nodes' warning and error messages in the current run, and how often each came. */
const nodeWarnings = new Map<string, number>();

interface Node {
  child: ChildProcess;
  url: string;
}

function startNode(tree: string, env: Record<string, string>): Promise<Node> {
  // JOIN_STORM_PROFILE_DIR=<dir>: each node writes a V8 CPU profile there when it stops (where a join spends its time).
  const profile = process.env.JOIN_STORM_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.JOIN_STORM_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: tree,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in time')), 120_000);
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    if (nice) setPriority(child.pid!, nice);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number; level?: number };
        // Warnings and errors (a node taken for dead and swept, Redis or the database away) are the bench's business.
        if ((entry.level ?? 0) >= 40) nodeWarnings.set(entry.msg ?? '?', (nodeWarnings.get(entry.msg ?? '?') ?? 0) + 1);
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve({ child, url: `http://127.0.0.1:${entry.port}` });
        }
      } catch {
        // not a log line
      }
    });
  });
}

const stopNode = (n: Node) =>
  new Promise((r) => {
    if (n.child.exitCode !== null || n.child.signalCode !== null) return r(null);
    n.child.once('exit', r);
    n.child.kill('SIGTERM');
  });

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** The client processes (join-storm.clients.ts), each holding a share of the viewers. */
interface Client {
  child: ChildProcess;
  /** The global indices of its viewers, in its order. */
  indices: number[];
  progress: { connected: number; answered: number };
}

/** Sends one command to a client process and waits for its report. */
function ask(c: Client, command: ClientCommand): Promise<ClientReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ClientReply) => {
      if (m.reply === 'progress') {
        c.progress = { connected: m.connected, answered: m.answered };
        return;
      }
      c.child.off('message', onMessage);
      c.child.off('exit', onExit);
      resolve(m.report);
    };
    const onExit = (code: number | null) => reject(new Error(`a client process exited with ${code}`));
    c.child.on('message', onMessage);
    c.child.once('exit', onExit);
    c.child.send(command);
  });
}
const askAll = (cs: Client[], command: ClientCommand) => Promise.all(cs.map((c) => ask(c, command)));

function startClients(count: number): Client[] {
  return Array.from({ length: count }, () => ({
    child: fork(new URL('./join-storm.clients.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
    indices: [],
    progress: { connected: 0, answered: 0 },
  }));
}

/** The viewers' figures of every client, by global index. */
function merge(cs: Client[], reports: ClientReport[]) {
  const ackAt = new Array<number>(N).fill(0);
  const ready = new Array<boolean>(N).fill(false);
  const seenAt = new Array<number>(N).fill(0);
  const last = new Array<number>(N).fill(-1);
  const failures = new Map<string, number>();
  const dropped = new Map<string, number>();
  let retries = 0;
  let strays = 0;
  let cpu = 0;
  reports.forEach((r, k) => {
    cs[k]!.indices.forEach((i, j) => {
      ackAt[i] = r.ackAt[j]!;
      ready[i] = r.ready[j]!;
      seenAt[i] = r.seenAt[j]!;
      last[i] = r.last[j]!;
    });
    for (const [e, n] of r.failures) failures.set(e, (failures.get(e) ?? 0) + n);
    for (const [e, n] of r.disconnects) dropped.set(e, (dropped.get(e) ?? 0) + n);
    retries += r.retries;
    strays += r.stray;
    cpu += r.cpuMs;
  });
  return { ackAt, ready, seenAt, last, failures, dropped, retries, stray: strays, cpu };
}

const now = () => performance.timeOrigin + performance.now();

interface Result {
  side: string;
  phase: string;
  answered: number;
  ready: number;
  joinsPerSecond: number;
  lastAckMs: number;
  convergeMs: number;
  missing: number;
  kbPerConn: number;
  /** The two nodes' CPU time from the first join to the last answer, per join. */
  cpuMsPerJoin: number;
  retries: number;
  firstFrames: number[];
  browserFailures: number;
}

let pageBundle = '';
async function bundle(): Promise<string> {
  if (!pageBundle) {
    const built = await build({
      entryPoints: [new URL('./join-storm.page.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      write: false,
      platform: 'browser',
    });
    pageBundle = built.outputFiles[0]!.text;
  }
  return pageBundle;
}

async function openPage(browser: Browser, url: string, cookie?: string) {
  const context = await browser.newContext({ bypassCSP: true, permissions: ['camera'] });
  if (cookie) {
    await context.addCookies(
      cookie.split('; ').map((pair) => {
        const at = pair.indexOf('=');
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
      }),
    );
  }
  const page = await context.newPage();
  await page.goto(`${url}/healthz`);
  await page.addScriptTag({ content: await bundle() });
  return page;
}

/** Each run its own database, Redis prefix and device ids: nothing of an earlier run's nodes is seen. */
let runs = 0;

async function run(side: 'base' | 'new', phase: 'rate' | 'storm', browser: Browser | null): Promise<Result> {
  const round = ++runs;
  const dbName = `fairground_storm_${process.pid}_${side}_${phase}_${round}`;
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.unsafe(`create database "${dbName}"`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const withBrowsers = phase === 'storm' && browser !== null && browsers > 0;
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `fgstorm${process.pid}${side}${phase}${round}`,
    AUTH_SECRET: secret,
    MEDIA_WORKERS: '1',
    MEDIASOUP_WORKER_BIN: workerBin,
    LOG_LEVEL: 'info',
    CLOCK_INTERVAL_MS: '0',
    // Every bench viewer connects from 127.0.0.1 as an anonymous device: the per-address caps and the
    // anonymous dwell are lifted, or they, not the signaling path, would be what is measured
    // (test/join-storm.test.ts checks the join path with them in force).
    SOCKETS_PER_ADDRESS: '100000',
    BROADCAST_ANON_PER_ADDRESS: '100000',
    BROADCAST_VIEW_DWELL_MS: '0',
    // The count every 500 ms (the default is a second; the base side ignores it and pushes every second).
    VIEWER_COUNT_INTERVAL_MS: '500',
    // rate: connecting is set-up, so admission is lifted. storm: admission as a deployment expecting a
    // start-time storm sets it (the defaults, 200 handshakes a second and 50 in flight per node, are
    // below a storm of 250 arrivals a second per node by design), the same for both sides.
    ...(phase === 'rate'
      ? { HANDSHAKES_PER_SECOND: '100000', HANDSHAKE_BURST: '100000', ADMISSION_MAX_BACKLOG: '100000' }
      : { HANDSHAKES_PER_SECOND: '500', HANDSHAKE_BURST: '500', ADMISSION_MAX_BACKLOG: '500' }),
  };
  // One after the other: the first migrates (and seeds the demo organizer, the host).
  const a = await startNode(trees[side], { ...env, NODE_ID: 'a', SEED_DEMO: withBrowsers ? 'true' : 'false' });
  const b = await startNode(trees[side], { ...env, NODE_ID: 'b', SEED_DEMO: 'false' });
  const nodes = [a, b];
  const database = await connect({ url: dbUrl.toString(), migrate: false });
  const pages: Array<Awaited<ReturnType<typeof openPage>>> = [];
  const clients = startClients(clientCount);
  try {
    const broadcastId = await insertOnAirBroadcast(database.db, `Join storm ${side} ${phase}`);
    const expectedCount = N + (withBrowsers ? browsers : 0);
    if (withBrowsers) {
      const auth = createAuth(database.db, { secret, baseURL: a.url, attemptsPerMinute: 1000 });
      const signed = await auth.signIn({ email: 'organizer@example.com', password: DEMO_PASSWORD }, '127.0.9.1');
      if (!signed.ok) throw new Error('could not sign the host in');
      const host = await openPage(browser!, a.url, signed.setCookies.map((c) => c.split(';')[0]).join('; '));
      pages.push(host);
      await host.evaluate((id) => (window as never as { fg: { publish(b: string): Promise<unknown> } }).fg.publish(id), broadcastId);
      // The browser viewers' pages are loaded before the storm; they join during it.
      for (let i = 0; i < browsers; i++) pages.push(await openPage(browser!, nodes[i % 2]!.url));
    }
    await sleep(1500);
    const rss0 = nodes.map((n) => rssKb(n.child.pid!));
    // Viewer i connects to node i % 2 and belongs to client process i % clientCount.
    for (let i = 0; i < N; i++) clients[i % clientCount]!.indices.push(i);
    await Promise.all(
      clients.map((c) =>
        ask(c, {
          cmd: 'setup',
          broadcastId,
          expected: expectedCount,
          nice,
          viewers: c.indices.map((i) => ({ index: i, url: nodes[i % 2]!.url, deviceId: `storm-${side}-${phase}-${round}-${i}` })),
        }),
      ),
    );

    let t0: number;
    let cpu0 = [0, 0];
    let clientCpu0 = 0;
    const firstFrames: number[] = [];
    let browserFailures = 0;
    let reports: ClientReport[];
    if (phase === 'rate') {
      await askAll(clients, { cmd: 'connect' });
      await sleep(1500);
      log(`${side} rate: ${N} connected (${clientCount} client processes); joining`);
      clientCpu0 = (await askAll(clients, { cmd: 'seen', timeoutMs: 0 })).reduce((x, r) => x + r.cpuMs, 0);
      t0 = now();
      cpu0 = nodes.map((n) => cpuMs(n.child.pid!));
      reports = await askAll(clients, { cmd: 'join' });
    } else {
      log(`${side} storm: ${N} viewers over ${spreadMs / 1000} s (${clientCount} client processes)`);
      t0 = now() + 200;
      cpu0 = nodes.map((n) => cpuMs(n.child.pid!));
      const watching = pages.slice(1).map(async (page, i) => {
        // Spread over the storm: the first a tenth in, the last at nine tenths.
        await sleep(spreadMs * ((i + 1) / (browsers + 1)));
        try {
          const r = await page.evaluate(
            (id) => (window as never as { fg: { watch(b: string): Promise<{ joinMs: number; firstFrameMs: number }> } }).fg.watch(id),
            broadcastId,
          );
          firstFrames.push(r.firstFrameMs);
        } catch (err) {
          browserFailures++;
          log(`${side}: a browser viewer failed: ${String(err)}`);
        }
      });
      const progress = setInterval(() => {
        const sum = (k: 'connected' | 'answered') => clients.reduce((x, c) => x + c.progress[k], 0);
        log(
          `${side} storm at ${((now() - t0) / 1000).toFixed(0)} s: ${sum('connected')} connected, ${sum('answered')} answered, ${firstFrames.length} first frames`,
        );
      }, 2000);
      try {
        [reports] = await Promise.all([askAll(clients, { cmd: 'storm', t0, spreadMs, total: N }), ...watching]);
      } finally {
        clearInterval(progress);
      }
    }
    let merged = merge(clients, reports);
    if (merged.failures.size) log(`${side} ${phase}: joins that failed: ${JSON.stringify([...merged.failures])}`);
    if (nodeWarnings.size) log(`${side} ${phase}: node warnings: ${JSON.stringify([...nodeWarnings])}`);
    nodeWarnings.clear();
    if (merged.dropped.size) log(`${side} ${phase}: sockets dropped: ${JSON.stringify([...merged.dropped])}`);
    if (merged.stray) log(`${side} ${phase}: client errors outside a join: ${merged.stray}`);
    const lastAck = Math.max(...merged.ackAt.map((x) => x || -Infinity));
    const cpu1 = nodes.map((n) => cpuMs(n.child.pid!));
    const cpuMsPerJoin = (cpu1[0]! - cpu0[0]! + cpu1[1]! - cpu0[1]!) / N;
    log(`${side} ${phase}: the client processes' CPU ${(merged.cpu - clientCpu0).toFixed(0)} ms over ${(lastAck - t0).toFixed(0)} ms`);
    merged = merge(clients, await askAll(clients, { cmd: 'seen', timeoutMs: 20_000 }));
    const missing = merged.seenAt.filter((x) => !x).length;
    if (missing)
      log(`${side} ${phase}: ${missing} clients never saw ${expectedCount}; counts they last saw: ${JSON.stringify([...new Set(merged.last)].slice(0, 10))}`);
    const convergeMs = Math.max(...merged.seenAt.map((x) => x || Infinity)) - lastAck;
    await sleep(1500);
    const rss1 = nodes.map((n) => rssKb(n.child.pid!));
    const kbPerConn = (rss1[0]! - rss0[0]! + rss1[1]! - rss0[1]!) / N;
    return {
      side,
      phase,
      answered: merged.ackAt.filter((x) => x > 0).length,
      ready: merged.ready.filter(Boolean).length,
      joinsPerSecond: N / ((lastAck - t0) / 1000),
      lastAckMs: lastAck - t0,
      convergeMs,
      missing,
      kbPerConn,
      cpuMsPerJoin,
      retries: merged.retries,
      firstFrames: firstFrames.sort((x, y) => x - y),
      browserFailures,
    };
  } finally {
    await Promise.all(clients.map((c) => ask(c, { cmd: 'close' }).catch(() => null)));
    for (const p of pages) await p.context().close();
    await database.close();
    await Promise.all(nodes.map(stopNode));
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  }
}

let browser: Browser | null = null;
try {
  if (phases.includes('storm') && browsers > 0) {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--no-sandbox', '--disable-gpu'],
    });
  }
  const results: Result[] = [];
  for (const phase of phases) for (const side of sides) results.push(await run(side, phase, browser));

  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'never');
  const h = [
    'side',
    'phase',
    'answered',
    'ready',
    'joins/s',
    'joins/s per node',
    'last answer ms',
    'all saw count ms after',
    'KB/conn',
    'node CPU ms/join',
    'BUSY retries',
    'first frames ms',
  ];
  process.stdout.write(`\n${N} viewers, one broadcast, two signaling nodes\n${h.join(' | ')}\n`);
  for (const r of results) {
    process.stdout.write(
      [
        r.side,
        r.phase,
        `${r.answered}/${N}`,
        `${r.ready}/${N}`,
        f(r.joinsPerSecond),
        f(r.joinsPerSecond / 2),
        f(r.lastAckMs),
        r.missing ? `never (${r.missing} missing)` : f(r.convergeMs),
        f(r.kbPerConn, 1),
        f(r.cpuMsPerJoin, 2),
        String(r.retries),
        r.phase === 'storm' && browsers
          ? `${r.firstFrames.map((x) => f(x)).join(', ') || '-'}${r.browserFailures ? ` (${r.browserFailures} failed)` : ''}`
          : '-',
      ].join(' | ') + '\n',
    );
  }
  const rate = (side: string) => results.find((r) => r.side === side && r.phase === 'rate')?.joinsPerSecond;
  const [before, after] = [rate('base'), rate('new')];
  if (before && after) process.stdout.write(`\njoin rate new/base: ${(after / before).toFixed(2)}x (${f(before)} -> ${f(after)} joins/s over two nodes)\n`);
} finally {
  await browser?.close();
  await admin.end();
}
