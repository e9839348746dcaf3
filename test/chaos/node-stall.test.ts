import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcastStats } from '@fairground/core';
import { fixtures } from '../fixtures.ts';
import { connectTestClient, freshDatabase, until, type TestClient } from '../helpers.ts';
import { Cluster } from './cluster.ts';

/** Viewers per node: enough that the survivor's sweep of the stalled node takes a while. */
const PER_NODE = 300;
const HEARTBEAT_MS = 200;
const TTL_MS = 1000;
/** A hang guard, not a timing promise. */
const GUARD_MS = 60_000;

/**
 * A node that stalls (its process stopped: a starved event loop in a join storm) past its heartbeat
 * expiry is taken for dead, and the survivor sweeps its viewers; the survivor stalls too in the
 * middle of its sweep, and the first node wakes up and writes its viewers back before that sweep is
 * over. Nothing counted is lost or counted twice: once the first node is back none of its viewers
 * goes missing again, every client ends on the exact count and stays there, and the views are
 * neither lost nor doubled. Before the fix (issue 13's storm bench ended with every client at 846
 * of 5,003) the sweep went on removing what the woken node had written back, and each node's beat
 * waited behind its own sweep and restore, so the two nodes swept each other.
 */
describe('a node that stalls past its heartbeat expiry during a storm', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let cluster: Cluster;
  const clients: TestClient[] = [];
  let broadcastId: string;

  beforeAll(async () => {
    fresh = await freshDatabase('chaos_node_stall');
    cluster = await Cluster.start({
      nodes: 2,
      databaseUrl: fresh.url,
      env: {
        NODE_HEARTBEAT_MS: String(HEARTBEAT_MS),
        NODE_TTL_MS: String(TTL_MS),
        BROADCAST_VIEW_DWELL_MS: '0',
        BROADCAST_ANON_PER_ADDRESS: '100000',
      },
    });
    const f = fixtures(fresh.database.db);
    broadcastId = (await f.onAirBroadcast((await f.account('organizer', 'stall-host')).id)).id;
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    // A stopped node must be continued, or its SIGKILL waits for nothing.
    for (const n of cluster?.nodes ?? []) if (n.child.exitCode === null) process.kill(n.child.pid!, 'SIGCONT');
    await cluster?.stop();
    await fresh?.drop();
  });

  it('ends with the exact count on every client and in Redis, and the views neither lost nor doubled', async () => {
    const total = 2 * PER_NODE;
    for (let i = 0; i < total; i += 50) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, total - i) }, (_, k) => connectTestClient(cluster.nodes[(i + k) % 2]!.url, { deviceId: `stall-device-${i + k}` })),
        )),
      );
    }
    const shown = clients.map(() => -1);
    clients.forEach((c, i) => c.on('room:viewers', (p: { live: number }) => void (shown[i] = p.live)));
    const acks = await Promise.all(
      clients.map((c) =>
        (c.timeout(GUARD_MS).emitWithAck as (...a: unknown[]) => Promise<{ ok: boolean; data?: { viewers: number } }>)('broadcast:join', { broadcastId }),
      ),
    );
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    await until(
      'every client shows the count',
      () => shown.every((n) => n === total),
      GUARD_MS,
      () => [...new Set(shown)],
    );

    const redis = createClient({ url: cluster.redis.url });
    await redis.connect();
    try {
      const countKey = `chaos:presence:{broadcast:${broadcastId}}`;
      // (A node's loop may stall past the short expiry here already, in the joins: settled first.)
      await until('Redis holds the count', async () => (await redis.sCard(countKey)) === total, GUARD_MS);

      // Node 0 stalls (its process stops) past its expiry; node 1 takes it for dead and sweeps it.
      // Node 1 stalls in the middle of that sweep (in a storm both nodes starve); node 0 wakes,
      // beats and writes its viewers back (and once more three beats later); then node 1 wakes and
      // its sweep goes on. Once node 0 is back, none of its viewers may go missing again.
      const [first, second] = [cluster.nodes[0]!, cluster.nodes[1]!];
      const firstViewers = Array.from({ length: PER_NODE }, (_, k) => `device:stall-device-${2 * k}`);
      const missing = async () => (await redis.smIsMember(countKey, firstViewers)).filter((m) => !m).length;
      process.kill(first.child.pid!, 'SIGSTOP');
      try {
        const deadline = Date.now() + GUARD_MS;
        while ((await missing()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
        process.kill(second.child.pid!, 'SIGSTOP');
        expect(await missing()).toBeGreaterThan(0);
      } finally {
        process.kill(first.child.pid!, 'SIGCONT');
      }
      try {
        await until('the woken node wrote its viewers back', async () => (await missing()) === 0, GUARD_MS);
        await new Promise((r) => setTimeout(r, 5 * HEARTBEAT_MS));
      } finally {
        process.kill(second.child.pid!, 'SIGCONT');
      }
      // Watched while node 1's claim on node 0's sweep (six expiries from its start) still stands:
      // within it no new sweep of node 0 can start, so a viewer missing here is the old sweep's doing.
      let mostMissing = 0;
      for (const end = Date.now() + 2 * TTL_MS; Date.now() < end; await new Promise((r) => setTimeout(r, 10)))
        mostMissing = Math.max(mostMissing, await missing());
      expect(mostMissing).toBe(0);

      // Every client ends on the exact count, Redis holds it, and it stays so past the woken node's
      // second write-back (three beats later) and any sweep that was still running.
      await until(
        'every client shows the exact count again',
        () => shown.every((n) => n === total),
        GUARD_MS,
        () => [...new Set(shown)],
      );
      await new Promise((r) => setTimeout(r, 10 * HEARTBEAT_MS + 2 * TTL_MS));
      expect(await redis.sCard(countKey)).toBe(total);
      expect([...new Set(shown)]).toEqual([total]);
      expect(clients.every((c) => c.connected)).toBe(true);
    } finally {
      await redis.quit();
    }

    // The stall was not a leave and a return: one view each, and every view open.
    const stats = await broadcastStats(fresh.database.db, broadcastId);
    expect(stats).toMatchObject({ views: total, unique: total });
  }, 240_000);
});
