import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { broadcastStats } from '@fairground/core';
import { schema } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, expectAtMostOnePerSecond, send, sessionCookie, startPlatform, type TestClient } from './helpers.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

/**
 * A broadcast's audience on two signaling nodes sharing Redis and Postgres: live counts of
 * distinct identities, views that survive quick reconnects, and no update storm.
 */
describe('broadcast audience across two nodes', () => {
  const nodes: Started[] = [];
  const clients: TestClient[] = [];
  let broadcastId: string;
  let roomId: string;
  let hostCookie: string;
  let seekerCookie: string;

  beforeAll(async () => {
    // 200 distinct viewers, all from the test's one address, counted as they join: the per-address
    // cap and the dwell for anonymous viewers (test/ended-broadcast.test.ts) are lifted here.
    const env = { BROADCAST_ANON_PER_ADDRESS: '1000', BROADCAST_VIEW_DWELL_MS: '0' };
    nodes.push(await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env }));
    const db = nodes[0]!.db;
    const [host] = await db.select().from(schema.users).where(eq(schema.users.email, 'employer@example.com'));
    broadcastId = (await fixtures(db).onAirBroadcast(host!.id, `Audience ${Date.now()}`)).id;
    roomId = `broadcast:${broadcastId}`;
    hostCookie = await sessionCookie(nodes[0]!.platform.auth, 'employer@example.com');
    seekerCookie = await sessionCookie(nodes[0]!.platform.auth, 'seeker@example.com');
  });

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes) await n.platform.close();
  });

  const client = async (node: number, options: { cookie?: string; deviceId?: string }) => {
    const c = await connectTestClient(nodes[node]!.url, options);
    clients.push(c);
    return c;
  };

  it('lets hosts publish and refuses a viewer’s produce with NOT_AUTHORIZED', async () => {
    const host = await client(0, { cookie: hostCookie });
    expect(await send(host, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: true, viewers: 0 } });
    expect(await send(host, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({ ok: true });

    const viewer = await client(1, { cookie: seekerCookie });
    expect(await send(viewer, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: false, viewers: 1 } });
    expect(await send(viewer, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect(
      await send(viewer, 'media:produce', {
        roomId,
        transportId: '00000000-0000-4000-8000-000000000000',
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
        source: 'camera',
      }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    expect(await send(viewer, 'broadcast:stats', { broadcastId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    expect(await send(host, 'broadcast:stats', { broadcastId })).toMatchObject({
      ok: true,
      data: { live: 1, peak: 1, views: 1, unique: 1 },
    });
    // A receive transport is fine, and an unknown broadcast is not found.
    expect(await send(viewer, 'media:transport-create', { roomId, direction: 'recv' })).toMatchObject({ ok: true });
    expect(await send(viewer, 'broadcast:join', { broadcastId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await send(viewer, 'media:consumer-layers', { roomId, consumerId: broadcastId, spatialLayer: 7 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
  });

  it('counts 200 viewers joining, leaving and reconnecting over both nodes, at most one update a second', async () => {
    const host = clients[0]!;
    const updates: Array<{ at: number; live: number }> = [];
    host.on('room:viewers', (c) => c.roomId === roomId && updates.push({ at: Date.now(), live: c.live }));

    // 200 anonymous viewers (plus the signed-in seeker from before): 20 of them with a second tab
    // on the other node.
    const viewers: TestClient[] = [];
    const joins: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const c = await client(i % 2, { deviceId: `aud-${broadcastId}-${i}` });
      viewers.push(c);
      joins.push(send(c, 'broadcast:join', { broadcastId }));
      if (i < 20) {
        const tab = await client((i + 1) % 2, { deviceId: `aud-${broadcastId}-${i}` });
        joins.push(send(tab, 'broadcast:join', { broadcastId }));
      }
    }
    expect((await Promise.all(joins)).every((r) => (r as { ok: boolean }).ok)).toBe(true);
    await expect.poll(() => updates.at(-1)?.live, { timeout: 5000 }).toBe(201);

    // 50 leave for good; 30 drop and come back at once on the other node (the same view).
    for (const c of viewers.slice(150)) c.disconnect();
    for (let i = 100; i < 130; i++) {
      viewers[i]!.disconnect();
      const back = await client((i + 1) % 2, { deviceId: `aud-${broadcastId}-${i}` });
      expect(await send(back, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    }
    await expect.poll(() => updates.at(-1)?.live, { timeout: 5000 }).toBe(151);
    expect(await nodes[1]!.platform.services.audience.stats(broadcastId)).toMatchObject({ views: 201, unique: 201, peak: 201 });

    // Never more than one update per second for the room, from both nodes together.
    expectAtMostOnePerSecond(updates.map((u) => u.at));

    // The 5 s series is stored (by whichever node samples first).
    await expect.poll(async () => (await broadcastStats(nodes[0]!.db, broadcastId)).samples.length, { timeout: 12_000 }).toBeGreaterThan(0);
  });
});
