import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNotNull } from 'drizzle-orm';
import { broadcastStats } from '@fairground/core';
import { schema } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, startPlatform, until, type TestClient } from './helpers.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

/** Distinct anonymous devices in the storm, and how many of them the per-address cap counts. */
const DEVICES = 300;
const CAP = 240;
/** Every tenth device has a second tab, on the other node: still one viewer. */
const SECOND_TABS = DEVICES / 10;
/** A hang guard, not a timing promise: the bench (bench/broadcast/join-storm.ts) measures the time. */
const GUARD_MS = 30_000;

/**
 * A join storm at test scale (issue 13; bench/broadcast/join-storm.ts is the 5,000-viewer version):
 * every viewer of a broadcast joins at once, spread over two signaling nodes sharing Redis and
 * Postgres, through the batched join path (shared broadcast read, batched view and peak writes,
 * shared producer listings). Every join is answered with what a viewer needs to receive; every
 * client sees the exact final count; the audience numbers are exact with the per-address cap for
 * anonymous viewers in force (only the first CAP devices of the one test address count) and tabs
 * of one device counted once; and when everyone leaves, views, unique viewers and the peak stay.
 */
describe('a join storm on two nodes', () => {
  const nodes: Started[] = [];
  const clients: TestClient[] = [];
  let broadcastId: string;

  beforeAll(async () => {
    const env = { BROADCAST_ANON_PER_ADDRESS: String(CAP), BROADCAST_VIEW_DWELL_MS: '0' };
    nodes.push(await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env }));
    const f = fixtures(nodes[0]!.db);
    broadcastId = (await f.onAirBroadcast((await f.account('organizer', 'storm-host')).id, `Storm ${Date.now()}`)).id;
  }, 60_000);

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes) await n.platform.close();
  });

  it('answers every join, shows every client the exact count and keeps the numbers exact', async () => {
    const tabs = [
      ...Array.from({ length: DEVICES }, (_, i) => ({ node: i % 2, deviceId: `storm-device-${i}` })),
      ...Array.from({ length: SECOND_TABS }, (_, i) => ({ node: (i * 10 + 1) % 2, deviceId: `storm-device-${i * 10}` })),
    ];
    for (let i = 0; i < tabs.length; i += 50) {
      clients.push(...(await Promise.all(tabs.slice(i, i + 50).map((t) => connectTestClient(nodes[t.node]!.url, { deviceId: t.deviceId })))));
    }
    const shown = clients.map(() => -1);
    clients.forEach((c, i) => c.on('room:viewers', (p: { live: number }) => void (shown[i] = p.live)));

    const started = Date.now();
    const acks = await Promise.all(
      clients.map((c) =>
        (
          c.timeout(GUARD_MS).emitWithAck as (
            ...a: unknown[]
          ) => Promise<{ ok: boolean; data?: { viewers: number; routerRtpCapabilities: { codecs: unknown[] } } }>
        )('broadcast:join', { broadcastId }),
      ),
    );
    const lastAnswer = Date.now();
    // Every join answered, ready to receive: the router's capabilities to load a device with.
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    expect(acks.every((a) => (a.data?.routerRtpCapabilities.codecs.length ?? 0) > 0)).toBe(true);
    acks.forEach((a, i) => void (shown[i] = shown[i] === CAP ? CAP : a.data!.viewers));

    // The final count is the cap: distinct devices of the one address counted, second tabs not again.
    const converged = await until(
      'every client shows the final count',
      () => shown.every((n) => n === CAP),
      GUARD_MS,
      () => shown.filter((n) => n !== CAP).slice(0, 5),
    );
    console.log(
      `[join-storm] ${clients.length} joins over two nodes answered in ${lastAnswer - started} ms; every client showed ${CAP} ${converged - lastAnswer} ms after the last answer`,
    );
    // And it stays there: no late push of an older number.
    await new Promise((r) => setTimeout(r, 1500));
    expect(shown.filter((n) => n !== CAP)).toEqual([]);

    const db = nodes[0]!.db;
    await until('the views are written', async () => (await broadcastStats(db, broadcastId)).views === CAP, GUARD_MS);
    expect(await broadcastStats(db, broadcastId)).toMatchObject({ views: CAP, unique: CAP, peak: CAP });

    // Everyone leaves: every view closes; the views and the peak stay, the watch time is what was watched.
    clients.forEach((c) => c.disconnect());
    const open = async () =>
      (
        await db
          .select()
          .from(schema.broadcastViewers)
          .where(and(eq(schema.broadcastViewers.broadcastId, broadcastId), isNotNull(schema.broadcastViewers.watchingSince)))
      ).length;
    await until(
      'every view closed',
      async () => (await open()) === 0,
      GUARD_MS,
      () => 'views still open',
    );
    const stats = await broadcastStats(db, broadcastId);
    expect(stats).toMatchObject({ views: CAP, unique: CAP, peak: CAP });
    // Each counted viewer watched at most from the storm's start to now.
    expect(stats.watchSeconds).toBeLessThanOrEqual((CAP * (Date.now() - started)) / 1000);
  }, 120_000);
});
