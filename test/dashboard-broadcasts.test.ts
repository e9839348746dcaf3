import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import type { FairDashboard } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, expectAtMostOnePerSecond, freshDatabase, send, sessionCookie, startPlatform, type TestClient } from './helpers.ts';

/**
 * Live viewers per broadcast on the organizer's live fair dashboard, on two nodes sharing Redis:
 * viewers on one node move the numbers a watcher on the other node sees, without reloading, at
 * most one update a second; hosts and second tabs do not count; only the fair's published
 * broadcasts are listed.
 */
describe('live fair dashboard: viewers per broadcast', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let nodes: Array<Awaited<ReturnType<typeof startPlatform>>>;
  const clients: TestClient[] = [];
  let fairId: string;
  let people: Record<'organizer' | 'host' | 'seeker', SessionUser>;
  let onAir: string;
  let later: string;
  const titles: Record<string, string> = {};

  const ok = async <T>(p: Promise<{ ok: true; data: T } | { ok: false; error: { code: string } }>): Promise<T> => {
    const r = await p;
    if (!r.ok) throw new Error(`refused: ${r.error.code}`);
    return r.data;
  };
  const connect = async (node: number, options: { cookie?: string; deviceId?: string }) => {
    const c = await connectTestClient(nodes[node]!.url, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    fresh = await freshDatabase('dashbroadcasts');
    // Anonymous viewers count as they join here (no dwell; the per-address cap is lifted for the
    // test's one address): this file is about the dashboard's numbers, not who counts.
    const env = {
      DATABASE_URL: fresh.url,
      CLOCK_INTERVAL_MS: '0',
      AUTH_SECRET: 's'.repeat(32),
      BROADCAST_ANON_PER_ADDRESS: '1000',
      BROADCAST_VIEW_DWELL_MS: '0',
    };
    nodes = [await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env })];
    const db = nodes[0]!.db;
    const make = fixtures(db);
    const live = await make.liveFair({ employers: ['Xinghe'] });
    fairId = live.fair.id;
    people = { organizer: live.organizer, host: live.booths.Xinghe.owner, seeker: await make.account('seeker') };
    const { host } = people;
    const add = async (title: string, over: Partial<typeof schema.broadcasts.$inferInsert>) => {
      const [row] = await db
        .insert(schema.broadcasts)
        .values({
          title,
          topic: 'policy_qa',
          startsAt: new Date(Date.now() - 60_000),
          endsAt: new Date(Date.now() + 3600_000),
          status: 'published',
          fairId,
          ...over,
        })
        .returning();
      await db.insert(schema.broadcastHosts).values({ broadcastId: row!.id, userId: host.id });
      titles[row!.id] = title;
      return row!.id;
    };
    onAir = await add('On air now', {});
    later = await add('Later today', { startsAt: new Date(Date.now() + 7200_000), endsAt: new Date(Date.now() + 9000_000) });
    await add('A draft', { status: 'draft' });
    await add('Not at this fair', { fairId: null });
  });

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes ?? []) await n.platform.close();
    await fresh?.drop();
  });

  it('shows each broadcast’s live viewers and pushes changes from any node', async () => {
    const organizer = await sessionCookie(nodes[0]!.platform.auth, people.organizer.email);
    const watcher = await connect(0, { cookie: organizer });
    const receivedAt: number[] = [];
    let latest: FairDashboard | null = null;
    watcher.on('dashboard:update', (d) => {
      receivedAt.push(Date.now());
      latest = d;
    });
    const first = await ok(send<FairDashboard>(watcher, 'dashboard:watch', { fairId }));
    // Published broadcasts of this fair only, in start order, nobody watching yet.
    const listed = first.broadcasts.map((b) => b.title);
    expect(listed).not.toContain('A draft');
    expect(listed).not.toContain('Not at this fair');
    expect(first.broadcasts.every((b) => b.live === 0)).toBe(true);
    expect(first.broadcasts.filter((b) => titles[b.broadcastId]).map((b) => [b.broadcastId, b.title])).toEqual([
      [onAir, 'On air now'],
      [later, 'Later today'],
    ]);
    expect(first.broadcasts.map((b) => b.startsAt)).toEqual(first.broadcasts.map((b) => b.startsAt).sort());
    const liveOf = (id: string) => (latest as FairDashboard | null)?.broadcasts.find((b) => b.broadcastId === id)?.live;

    // The host (not counted) and three viewers on the other node, one of them with two tabs.
    const host = await connect(1, { cookie: await sessionCookie(nodes[1]!.platform.auth, people.host.email) });
    await ok(send(host, 'broadcast:join', { broadcastId: onAir }));
    const seekerCookie = await sessionCookie(nodes[1]!.platform.auth, people.seeker.email);
    const viewers = [
      await connect(1, { cookie: seekerCookie }),
      await connect(0, { cookie: seekerCookie }), // the same person's second tab
      await connect(1, { deviceId: 'dash-device-a' }),
      await connect(1, { deviceId: 'dash-device-b' }),
    ];
    for (const v of viewers) await ok(send(v, 'broadcast:join', { broadcastId: onAir }));
    await expect.poll(() => liveOf(onAir), { timeout: 5000 }).toBe(3);
    expect(liveOf(later)).toBe(0);

    // One leaves; the pushed number follows without the watcher asking.
    viewers[3]!.disconnect();
    await expect.poll(() => liveOf(onAir), { timeout: 5000 }).toBe(2);
    // Closing one of two tabs changes nothing; the other viewer leaving does.
    viewers[1]!.disconnect();
    await ok(send(viewers[2]!, 'broadcast:leave', { broadcastId: onAir }));
    await expect.poll(() => liveOf(onAir), { timeout: 5000 }).toBe(1);

    // A fresh read agrees, and the watcher never got more than one update a second.
    const now = await ok(send<FairDashboard>(watcher, 'dashboard:watch', { fairId }));
    expect(now.broadcasts.map((b) => [b.title, b.live])).toEqual(first.broadcasts.map((b) => [b.title, b.broadcastId === onAir ? 1 : 0]));
    expect(receivedAt.length).toBeGreaterThanOrEqual(3);
    expectAtMostOnePerSecond(receivedAt);
  });
});
