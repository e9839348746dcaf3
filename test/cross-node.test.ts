import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, type Database } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, waitFor, type TestClient } from './helpers.ts';

/** Starts `signaling/src/main.ts` as its own OS process and resolves with its port. */
function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in time')), 45_000);
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve({ child, port: entry.port });
        }
      } catch {
        // not a log line
      }
    });
  });
}

describe('two signaling processes sharing Redis and Postgres', () => {
  const nodes: ChildProcess[] = [];
  const clients: TestClient[] = [];
  let urls: string[] = [];
  let database: Database;

  beforeAll(async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `${inject('redisPrefix')}x`,
      SEED_DEMO: 'false',
      MEDIA_WORKERS: '1',
      MEDIASOUP_WORKER_BIN: inject('workerBin'),
      LOG_LEVEL: 'info',
    };
    const started = await Promise.all([startNode(env), startNode(env)]);
    nodes.push(...started.map((s) => s.child));
    urls = started.map((s) => `http://127.0.0.1:${s.port}`);
    database = await connect({ url: inject('databaseUrl'), migrate: false });
  }, 90_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await Promise.all(nodes.map((n) => new Promise((resolve) => (n.exitCode !== null ? resolve(null) : (n.once('exit', resolve), n.kill('SIGTERM'))))));
    await database?.close();
  });

  it('reports Redis in its health checks', async () => {
    const body = await (await fetch(`${urls[0]}/healthz`)).json();
    expect(body).toEqual({ status: 'ok', checks: { accepting: 'ok', database: 'ok', redis: 'ok', media: 'ok' } });
  });

  it('carries viewer counts across nodes: a join on node B reaches a viewer on node A', async () => {
    const { Shunda: shunda } = (await fixtures(database.db).liveFair({ employers: ['Shunda'] })).booths;
    const roomId = `booth:${shunda.id}`;
    const onA = await connectTestClient(urls[0]!, { deviceId: 'cross-node-viewer-a' });
    const onB = await connectTestClient(urls[1]!, { deviceId: 'cross-node-viewer-b' });
    const sameAsA = await connectTestClient(urls[1]!, { deviceId: 'cross-node-viewer-a' });
    clients.push(onA, onB, sameAsA);

    expect(await send(onA, 'booth:join', { boothId: shunda.id })).toMatchObject({ ok: true, data: { viewers: 1 } });
    const crossed = waitFor(onA, 'room:viewers', (c) => c.roomId === roomId && c.live === 2);
    expect(await send(onB, 'booth:join', { boothId: shunda.id })).toMatchObject({ ok: true, data: { viewers: 2 } });
    await crossed;

    // The same device on the other node is the same viewer.
    expect(await send(sameAsA, 'booth:join', { boothId: shunda.id })).toMatchObject({ data: { viewers: 2 } });

    const left = waitFor(onB, 'room:viewers', (c) => c.roomId === roomId && c.live === 1, 4000);
    onA.disconnect();
    sameAsA.disconnect();
    await left;
  });
});
