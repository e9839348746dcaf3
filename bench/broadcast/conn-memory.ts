/**
 * What one broadcast viewer's connection costs a signaling node (issue 13: under 50 KB each). One
 * node (`signaling/src/main.ts`, a real process, with Redis) started with the inspector on; N
 * anonymous viewers connect and join one broadcast; the node's heap is measured after a full
 * garbage collection (`HeapProfiler.collectGarbage` over the inspector protocol), before and
 * after, together with its RSS. RSS growth alone depends on when V8 last collected; the heap after
 * a collection is what the connections hold.
 *
 *   npx tsx bench/broadcast/conn-memory.ts [--viewers 1000] [--tree <checkout>] [--snapshot]
 *
 * `--snapshot`: also writes heap snapshots before and after and prints the constructors whose
 * retained-by-count self size grew most per connection (where the bytes go).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { connect } from '@fairground/db';
import { insertOnAirBroadcast } from './on-air.ts';
import { ensureWorker } from '../../media-server/scripts/ensure-worker.mjs';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '1000' },
    tree: { type: 'string' },
    snapshot: { type: 'boolean', default: false },
  },
});
const N = Number(values.viewers);
const tree = values.tree ? resolve(values.tree) : new URL('../..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const dbName = `fairground_connmem_${process.pid}`;
await admin.unsafe(`create database "${dbName}"`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;

const inspectPort = 9300 + (process.pid % 500);
const child = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, '--import', 'tsx', 'signaling/src/main.ts'], {
  cwd: tree,
  env: {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `fgconnmem${process.pid}`,
    AUTH_SECRET: 'conn-memory-bench-secret-'.padEnd(40, 'x'),
    MEDIA_WORKERS: '1',
    MEDIASOUP_WORKER_BIN: await ensureWorker({ log: () => {} }),
    LOG_LEVEL: 'info',
    CLOCK_INTERVAL_MS: '0',
    SOCKETS_PER_ADDRESS: '100000',
    BROADCAST_ANON_PER_ADDRESS: '100000',
    BROADCAST_VIEW_DWELL_MS: '0',
    HANDSHAKES_PER_SECOND: '100000',
    HANDSHAKE_BURST: '100000',
    ADMISSION_MAX_BACKLOG: '100000',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let inspectorUp = false;
const url = await new Promise<string>((res, rej) => {
  const timer = setTimeout(() => rej(new Error('node did not start')), 120_000);
  child.once('exit', (code) => rej(new Error(`node exited with ${code}`)));
  createInterface({ input: child.stderr! }).on('line', (line) => void (inspectorUp ||= /Debugger listening/.test(line)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) {
        clearTimeout(timer);
        res(`http://127.0.0.1:${entry.port}`);
      }
    } catch {
      // not a log line
    }
  });
});
if (!inspectorUp) await sleep(500);

/** A minimal inspector-protocol client (the node's own `--inspect` endpoint). */
async function inspector() {
  const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(list[0]!.webSocketDebuggerUrl, { maxPayload: 2 ** 31 });
  await new Promise((r) => ws.once('open', r));
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  let chunks: string[] = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; result?: unknown; method?: string; params?: { chunk?: string } };
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(msg.params!.chunk!);
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((r) => {
      waiting.set(++id, r);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    call,
    async heapUsed(): Promise<number> {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const r = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', includeCommandLineAPI: true })) as {
        result: { value: string };
      };
      return (JSON.parse(r.result.value) as { heapUsed: number }).heapUsed;
    },
    async snapshot(file: string): Promise<void> {
      chunks = [];
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      writeFileSync(file, chunks.join(''));
      chunks = [];
    },
    close: () => ws.close(),
  };
}

/** Self size per node name and type in a heap snapshot. */
function summarize(file: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [t, n, s] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + t!]!]!;
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? '(string)'
        : `${type}:${snap.strings[snap.nodes[i + n!]!]!.slice(0, 60)}`;
    const e = out.get(name) ?? { size: 0, count: 0 };
    e.size += snap.nodes[i + s!]!;
    e.count++;
    out.set(name, e);
  }
  return out;
}

const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
const sockets: Socket[] = [];
const database = await connect({ url: dbUrl.toString(), migrate: false }).catch(async () => {
  await sleep(5000);
  return connect({ url: dbUrl.toString(), migrate: false });
});
try {
  const insp = await inspector();
  const base = url;
  while (
    !(await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await sleep(500);
  const broadcastId = await insertOnAirBroadcast(database.db, 'Conn memory');
  // Warm up: the first connections compile code and fill caches that later ones share.
  const connectOne = async (i: number) => {
    const s = io(base, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { deviceId: `connmem-${process.pid}-${i}` } });
    await new Promise<void>((r, j) => {
      s.once('connect', () => r());
      s.once('connect_error', j);
    });
    const ack = (await s.timeout(60_000).emitWithAck('broadcast:join', { broadcastId })) as { ok: boolean };
    if (!ack.ok) throw new Error('join refused');
    sockets.push(s);
  };
  for (let i = 0; i < 50; i++) await connectOne(-1 - i);
  await sleep(1000);
  const heap0 = await insp.heapUsed();
  const rss0 = rssKb();
  const dir = tmpdir();
  if (values.snapshot) await insp.snapshot(join(dir, `connmem-${process.pid}-0.heapsnapshot`));
  for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, k) => connectOne(i + k)));
  await sleep(2000);
  const heap1 = await insp.heapUsed();
  const rss1 = rssKb();
  process.stdout.write(
    `${N} viewers on one node (${tree}): heap after GC ${((heap1 - heap0) / 1024 / N).toFixed(1)} KB/conn, RSS ${((rss1 - rss0) / N).toFixed(1)} KB/conn\n`,
  );
  if (values.snapshot) {
    const f1 = join(dir, `connmem-${process.pid}-1.heapsnapshot`);
    await insp.snapshot(f1);
    const before = summarize(join(dir, `connmem-${process.pid}-0.heapsnapshot`));
    const after = summarize(f1);
    const rows = [...after]
      .map(([name, a]) => ({ name, bytes: (a.size - (before.get(name)?.size ?? 0)) / N, count: (a.count - (before.get(name)?.count ?? 0)) / N }))
      .sort((x, y) => y.bytes - x.bytes)
      .slice(0, 40);
    for (const r of rows) process.stdout.write(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(1).padStart(6)}/conn  ${r.name}\n`);
  }
  insp.close();
} finally {
  for (const s of sockets) s.disconnect();
  child.kill('SIGKILL');
  await database.close();
  await sleep(500);
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
}
