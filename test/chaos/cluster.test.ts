import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers.ts';
import { Cluster } from './cluster.ts';

/**
 * The failure-test harness itself, on real processes: two signaling nodes behind HAProxy. A
 * client that reaches the platform through the load balancer is served, and when the node it is
 * on is killed (SIGKILL by pid) it reconnects to the survivor by itself, within 5 s.
 */
describe('chaos harness: two nodes behind HAProxy', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let cluster: Cluster;
  const clients: Socket[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('chaos_harness');
    cluster = await Cluster.start({ nodes: 2, databaseUrl: fresh.url });
  }, 180_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await cluster?.stop();
    await fresh?.drop();
  });

  it('serves through the load balancer, and a client of a killed node is back on the survivor within 5 s', async () => {
    const health = await fetch(`${cluster.url}/healthz`);
    expect(health.status).toBe(200);

    // Round robin: of four clients, two land on each node.
    for (let i = 0; i < 4; i++) {
      const socket = connectClient(cluster.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      clients.push(socket);
    }
    const dropped: Array<Promise<number>> = clients.map(
      (socket) =>
        new Promise((resolve) => {
          socket.once('disconnect', () => {
            const at = Date.now();
            socket.io.once('reconnect', () => resolve(Date.now() - at));
          });
        }),
    );
    await cluster.kill(0);
    const moved = await Promise.race([
      Promise.any(dropped),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no client reconnected in 10 s')), 10_000)),
    ]);
    process.stderr.write(`[chaos] a killed node's first client was back on the survivor after ${moved} ms\n`);
    expect(clients.filter((c) => c.connected).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
