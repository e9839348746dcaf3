import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '@fairground/db';
import type { QueuePlace } from '../../signaling/src/protocol/index.ts';
import { fixtures } from '../fixtures.ts';
import { freshDatabase, send, sessionCookie, type TestClient } from '../helpers.ts';
import { Cluster } from './cluster.ts';

/**
 * A rolling restart of two nodes behind HAProxy: each node in turn gets SIGTERM (it drains: fails
 * its health check, then sends its clients to reconnect, lets in-flight writes finish, exits 0)
 * and is started again. Every client is back on a live node by itself each time, and every seeker
 * keeps their place in the line, in the same order.
 */
describe('rolling restart: SIGTERM drains a node and loses nothing', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let cluster: Cluster;
  const clients: TestClient[] = [];
  let boothId: string;
  const seekers: TestClient[] = [];

  const connect = async (cookie: string) => {
    const socket: TestClient = connectClient(cluster.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      extraHeaders: { cookie },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    clients.push(socket);
    return socket;
  };

  beforeAll(async () => {
    fresh = await freshDatabase('chaos_rolling');
    cluster = await Cluster.start({ nodes: 2, databaseUrl: fresh.url, env: { SHUTDOWN_DRAIN_MS: '1500', QUEUE_GRACE_SECONDS: '60' } });
    const f = fixtures(fresh.database.db);
    const { booths } = await f.liveFair({ employers: ['Drain'] });
    boothId = booths.Drain.id;
    const auth = createAuth(fresh.database.db, { secret: 'c'.repeat(32), baseURL: cluster.url, attemptsPerMinute: 1000 });
    const recruiter = await connect(await sessionCookie(auth, booths.Drain.owner.email));
    expect(await send(recruiter, 'booth:join', { boothId })).toMatchObject({ ok: true });
    expect(await send(recruiter, 'queue:duty', { boothId, onDuty: true })).toMatchObject({ ok: true });
    for (let i = 0; i < 6; i++) {
      const account = await f.account('seeker', `drain-seeker-${i}`);
      const seeker = await connect(await sessionCookie(auth, account.email));
      expect(await send(seeker, 'booth:join', { boothId })).toMatchObject({ ok: true });
      expect(await send<QueuePlace>(seeker, 'queue:join', { boothId })).toMatchObject({ ok: true, data: { position: i + 1 } });
      seekers.push(seeker);
    }
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await cluster?.stop();
    await fresh?.drop();
  });

  const positions = async () =>
    Promise.all(
      seekers.map(async (s) => {
        const places = await send<QueuePlace[]>(s, 'queue:places', {});
        if (!places.ok) throw new Error(JSON.stringify(places.error));
        return places.data.find((p) => p.boothId === boothId)?.position ?? null;
      }),
    );

  it('moves every client to the other node and back, keeping every place in the line', async () => {
    expect(await positions()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const index of [0, 1]) {
      let dropped = 0;
      const onDrop = () => dropped++;
      clients.forEach((c) => c.on('disconnect', onDrop));
      const started = Date.now();
      const exited = cluster.terminate(index);
      // First it only stops looking healthy (the balancer takes it out), still serving its clients.
      let health = await fetch(`${cluster.nodes[index]!.url}/healthz`);
      for (let i = 0; i < 20 && health.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        health = await fetch(`${cluster.nodes[index]!.url}/healthz`);
      }
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ checks: { accepting: 'fail', database: 'ok' } });
      expect(dropped, 'nobody is moved before the balancer has had time to notice').toBe(0);
      const code = await exited;
      expect(code, `node ${index} exits cleanly after draining`).toBe(0);
      // The clients it held are back, on the other node, by themselves.
      const deadline = Date.now() + 20_000;
      while (!clients.every((c) => c.connected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      clients.forEach((c) => c.off('disconnect', onDrop));
      expect(dropped, 'the drained node held some of the clients').toBeGreaterThan(0);
      process.stderr.write(
        `[chaos] rolling restart: node ${index} drained and exited, ${dropped} clients moved, every client connected ${Date.now() - started} ms after SIGTERM\n`,
      );
      expect(clients.every((c) => c.connected)).toBe(true);
      expect(await positions()).toEqual([1, 2, 3, 4, 5, 6]);
      await cluster.restart(index);
    }
  }, 180_000);
});
