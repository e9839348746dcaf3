import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schema } from '@fairground/db';
import { connectTestClient, freshDatabase, startPlatform, waitFor, type TestClient } from '../../../test/helpers.ts';
import type { BroadcastLiveNotice } from '../protocol/index.ts';

/**
 * Two nodes with their clocks on one Postgres and Redis: a broadcast that starts is announced to
 * everyone on both nodes, once. A database of its own, so no other file's node announces it first.
 */
describe('the clock across two nodes', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  const nodes: Array<Awaited<ReturnType<typeof startPlatform>>> = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('clock');
    const [row] = (await fresh.database.db.execute(sql`select current_database() as name`)) as unknown as Array<{ name: string }>;
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${row!.name}`;
    const env = { DATABASE_URL: url.toString(), CLOCK_INTERVAL_MS: '150', REDIS_PREFIX: `${inject('redisPrefix')}clock` };
    nodes.push(await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env }));
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    // Let each node finish its disconnect handling (presence in Redis) before Redis is closed.
    for (const node of nodes) {
      for (let i = 0; i < 50 && node.platform.io.of('/').sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const node of nodes) await node.platform.close();
    await fresh?.drop();
  });

  it('announces a starting broadcast to visitors on every node exactly once', async () => {
    const seen: BroadcastLiveNotice[][] = [];
    for (const [i, node] of nodes.entries()) {
      for (const device of ['a', 'b']) {
        const client = await connectTestClient(node.url, { deviceId: `clock-device-${i}-${device}` });
        const notices: BroadcastLiveNotice[] = [];
        client.on('notice:broadcast-live', (n) => notices.push(n));
        clients.push(client);
        seen.push(notices);
      }
    }
    const [organizer] = await fresh.database.db.select().from(schema.users).where(eq(schema.users.email, 'organizer@example.com'));
    const actor = { id: organizer!.id, email: organizer!.email, name: organizer!.name, role: organizer!.role };
    const services = nodes[0]!.platform.services;
    const broadcast = await services.broadcasts.create(actor, {
      title: '政策答疑 Policy Q&A, live',
      topic: 'policy_qa',
      startsAt: new Date(Date.now() + 400),
      endsAt: new Date(Date.now() + 3600_000),
      hostEmails: [],
    });
    await services.broadcasts.publish(actor, broadcast.id);

    const [first] = await waitFor(clients[0]!, 'notice:broadcast-live', (n) => n.broadcastId === broadcast.id, 5000);
    expect(first).toEqual({ broadcastId: broadcast.id, title: '政策答疑 Policy Q&A, live' });
    // Several more ticks on both nodes: still one notice per visitor.
    await new Promise((r) => setTimeout(r, 1000));
    for (const notices of seen) expect(notices.filter((n) => n.broadcastId === broadcast.id)).toHaveLength(1);
  });
});
