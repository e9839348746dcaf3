import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { requestSchemas } from '../signaling/src/protocol/index.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import postgres from 'postgres';
import { createAuth } from '@fairground/db';
import { DEMO_PASSWORD } from '@fairground/demo';
import { ErrorCode } from '../signaling/src/protocol/errors.ts';
import { connectTestClient, freshDatabase, type TestClient } from './helpers.ts';

/**
 * The socket fuzz test (issue 11): thousands of events against a real signaling process — every
 * event name of the protocol and unknown ones, wrong types, huge and deeply nested payloads,
 * binary attachments, missing acks, raw packets with reserved names — from anonymous and signed-in
 * clients. The process must stay up, answer every ack with a known code and no stack or SQL,
 * log no handler failure, and leave every table as it was.
 */

const AUTH_SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-0123456789';
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const LEAK =
  /\n\s+at |node_modules|\.ts:\d|\.js:\d|select |insert into|update .+ set|delete from|relation "|syntax error|violates|duplicate key|postgres|drizzle|TypeError|ReferenceError|RangeError/i;

/** The client-to-server event names, read from the one typed protocol. */
function protocolEvents(): string[] {
  // The request table pairs every client event with its schema (a missing one is a type error).
  return Object.keys(requestSchemas);
}

/** mulberry32: the same sequence for the same seed, so a failure can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = [
  'boothId',
  'broadcastId',
  'interviewId',
  'entryId',
  'fairId',
  'roomId',
  'transportId',
  'producerId',
  'consumerId',
  'questionId',
  'messageId',
  'userId',
  'peer',
  'kind',
  'direction',
  'text',
  'body',
  'rtpCapabilities',
  'rtpParameters',
  'dtlsParameters',
  'appData',
  'source',
  'spatialLayer',
  'temporalLayer',
  'seconds',
  'muted',
  'onDuty',
  'pinned',
  'answered',
  'raised',
  'deviceId',
];

function deep(depth: number, array: boolean): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

/** A payload that is never valid-and-mutating: ids are random (unknown) and types are off. */
function makePayload(rand: () => number): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const scalar = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => true,
      () => -1,
      () => 1e308,
      () => 0.5,
      () => '',
      () => 'x'.repeat(1 + Math.floor(rand() * 100_000)),
      () => "' or 1=1; drop table users; --",
      () => '<script>alert(1)</script>',
      () => '名字\u0000\u202e',
      () => randomUUID(),
      () => 'not-a-uuid',
      () => [randomUUID(), 1, null],
      () => ({ $gt: '' }),
    ])();
  switch (Math.floor(rand() * 9)) {
    case 0:
      return undefined;
    case 1:
      return scalar();
    case 2:
      return deep(10 + Math.floor(rand() * 3000), rand() < 0.5);
    case 3: {
      // Wide: many keys.
      const wide: Record<string, unknown> = {};
      for (let i = 0; i < 5000; i++) wide[`k${i}`] = i;
      return wide;
    }
    case 4:
      return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
    case 5:
      return Buffer.alloc(1 + Math.floor(rand() * 200_000), 7);
    default: {
      // Shaped like a request, with every field off in type or unknown as an id.
      const payload: Record<string, unknown> = {};
      const n = 1 + Math.floor(rand() * 5);
      for (let i = 0; i < n; i++) {
        const field = pick(FIELDS);
        payload[field] =
          field.endsWith('Id') && rand() < 0.5 ? randomUUID() : field.startsWith('rtp') ? deep(200 + Math.floor(rand() * 2000), false) : scalar();
      }
      return payload;
    }
  }
}

function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; errors: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in time')), 45_000);
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${errors.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number; level?: number };
        // pino levels: 50 error, 60 fatal. Anything that bad during fuzzing is a finding.
        if ((entry.level ?? 0) >= 50) errors.push(line);
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve({ child, port: entry.port, errors });
        }
      } catch {
        // not a log line
      }
    });
  });
}

describe('socket fuzzing against a real signaling process', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let node: Awaited<ReturnType<typeof startNode>>;
  let url = '';
  let sql: postgres.Sql;
  const clients: TestClient[] = [];

  /** A fingerprint of every table's rows, to show fuzzing changed nothing. */
  async function tableFingerprints(): Promise<Record<string, string>> {
    const tables = await sql<{ name: string }[]>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await sql.unsafe(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${name}" t`);
      out[name] = `${row!.n}:${row!.h}`;
    }
    return out;
  }

  beforeAll(async () => {
    fresh = await freshDatabase('fuzz');
    sql = postgres(fresh.url, { max: 1, onnotice: () => {} });
    node = await startNode({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      DATABASE_URL: fresh.url,
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `${inject('redisPrefix')}fuzz`,
      SEED_DEMO: 'false',
      MEDIA_WORKERS: '1',
      MEDIASOUP_WORKER_BIN: inject('workerBin'),
      AUTH_SECRET,
      CLOCK_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
    });
    url = `http://127.0.0.1:${node.port}`;
  }, 90_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    if (node && node.child.exitCode === null) {
      await new Promise((resolve) => (node.child.once('exit', resolve), node.child.kill('SIGTERM')));
    }
    await sql?.end();
    await fresh?.drop();
  });

  it('answers thousands of bad events with codes, stays up, logs no failure and changes no table', async () => {
    const auth = createAuth(fresh.database.db, { secret: AUTH_SECRET, baseURL: url, attemptsPerMinute: 1000 });
    const cookieOf = async (email: string) => {
      const result = await auth.signIn({ email, password: DEMO_PASSWORD }, '127.0.0.9');
      if (!result.ok) throw new Error(`sign-in of ${email} failed: ${result.reason}`);
      return result.setCookies.map((c) => c.split(';')[0]).join('; ');
    };
    const identities: Array<{ cookie?: string; deviceId?: string }> = [
      { deviceId: 'fuzz-anon-device-1' },
      { deviceId: 'fuzz-anon-device-2' },
      {},
      { cookie: await cookieOf('seeker@example.com') },
      { cookie: await cookieOf('seeker@example.com') },
      { cookie: await cookieOf('employer@example.com') },
      { cookie: await cookieOf('organizer@example.com') },
      { cookie: await cookieOf('organizer@example.com') },
    ];
    const before = await tableFingerprints();
    const rssBefore = Number(readFileSync(`/proc/${node.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]);

    const events = protocolEvents();
    expect(events.length).toBeGreaterThan(40);
    const unknown = ['nope:nope', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(5000), '', 'media:consume ', 'MEDIA:CONSUME'];
    const names = [...events, ...unknown];

    const codes = new Map<string, number>();
    const leaks: string[] = [];
    let sent = 0;
    let acked = 0;
    let withoutAck = 0;
    let timeouts = 0;
    let reconnects = 0;
    const started = Date.now();
    const PER_CLIENT = 400;

    await Promise.all(
      identities.map(async (identity, index) => {
        const rand = prng(1000 + index);
        let socket = await connectTestClient(url, identity);
        clients.push(socket);
        for (let i = 0; i < PER_CLIENT; i++) {
          // A server that leaves acks unanswered would make this run for many minutes: stop early.
          if (timeouts > 20) break;
          if (!socket.connected) {
            // An over-large frame makes the server close the connection; that is its answer.
            reconnects += 1;
            socket = await connectTestClient(url, identity);
            clients.push(socket);
          }
          const event = names[Math.floor(rand() * names.length)]!;
          const payload = makePayload(rand);
          sent += 1;
          if (rand() < 0.15) {
            // No ack: the server must ignore it, not fail.
            withoutAck += 1;
            (socket.emit as (...a: unknown[]) => void)(event, payload);
            continue;
          }
          if (rand() < 0.05) {
            // A raw packet with a reserved or odd name, as a hand-written client could send.
            const reserved = ['disconnect', 'connect', 'disconnecting', 'error', 'newListener', 'connect_error'][Math.floor(rand() * 6)];
            withoutAck += 1;
            (socket.io.engine as unknown as { write(s: string): void }).write(`42${JSON.stringify([reserved, { reason: 'forged' }])}`);
            continue;
          }
          try {
            const args = payload === undefined ? [] : [payload];
            const result = (await (socket.timeout(5000).emitWithAck as (...a: unknown[]) => Promise<unknown>)(event, ...args)) as {
              ok?: boolean;
              error?: { code?: string; message?: string; details?: unknown };
            };
            acked += 1;
            const code = result?.ok ? 'ok' : String(result?.error?.code);
            codes.set(code, (codes.get(code) ?? 0) + 1);
            if (!result?.ok && !KNOWN_CODES.has(code)) leaks.push(`${event}: unknown code ${code}`);
            const text = JSON.stringify(result);
            if (LEAK.test(text)) leaks.push(`${event}: ${text.slice(0, 300)}`);
          } catch {
            if (socket.connected) {
              timeouts += 1;
              leaks.push(`${event}: no ack within 5 s`);
            }
          }
          // About 25 events a second per client: under the per-connection limit most of the time,
          // so payloads reach the schemas and handlers; bursts still meet the limiter.
          if (i % 10 === 9) await new Promise((r) => setTimeout(r, 350));
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const health = await fetch(`${url}/healthz`);
    const rssAfter = Number(readFileSync(`/proc/${node.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]);
    const after = await tableFingerprints();
    const figures = {
      sent,
      acked,
      withoutAck,
      timeouts,
      reconnects,
      seconds: Math.round(seconds),
      eventsPerSecond: Math.round(sent / seconds),
      rssMiB: `${Math.round(rssBefore / 1024)} -> ${Math.round(rssAfter / 1024)}`,
      codes: Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])),
    };
    process.stderr.write(`[fuzz] ${JSON.stringify(figures)}\n`);

    expect(node.child.exitCode, 'the process stays up').toBeNull();
    expect(health.status).toBe(200);
    expect(leaks.slice(0, 20), 'acks with unknown codes, leaked internals or no answer').toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(3000);
    expect(timeouts, 'every ack answered').toBe(0);
    expect(codes.get('INTERNAL') ?? 0, 'bad input is never an internal error').toBe(0);
    expect(
      node.errors.filter((line) => line.includes('"level":50') || line.includes('"level":60')),
      'no handler failure logged',
    ).toEqual([]);
    expect(after).toEqual(before);
  }, 240_000);
});
