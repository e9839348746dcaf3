import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { connectTestClient, send, sessionCookie, startPlatform, type TestClient } from './helpers.ts';

/**
 * Issue 11, item 9: an ended broadcast stays ended (nobody goes live, is invited to the stage or
 * counted), and anonymous device ids cannot inflate a broadcast's numbers: one address counts at
 * most BROADCAST_ANON_PER_ADDRESS distinct device ids, each only after BROADCAST_VIEW_DWELL_MS.
 */
describe('ended broadcasts and anonymous views', () => {
  let node: Awaited<ReturnType<typeof startPlatform>>;
  const clients: TestClient[] = [];
  let hostCookie: string;
  let seekerCookie: string;
  const CAP = 5;
  const DWELL = 400;

  const connect = async (options: { cookie?: string; deviceId?: string }) => {
    const c = await connectTestClient(node.url, options);
    clients.push(c);
    return c;
  };
  const addBroadcast = async (title: string, endsAt: Date) => {
    const db = node.db;
    const [host] = await db.select().from(schema.users).where(eq(schema.users.email, 'employer@example.com'));
    const [row] = await db
      .insert(schema.broadcasts)
      .values({ title: `${title} ${Date.now()}`, topic: 'resume_clinic', startsAt: new Date(Date.now() - 3600_000), endsAt, status: 'published' })
      .returning();
    await db.insert(schema.broadcastHosts).values({ broadcastId: row!.id, userId: host!.id });
    return row!.id;
  };
  /** The host's numbers: live from presence (every node), views, unique and peak from Postgres. */
  const stats = async (broadcastId: string) => {
    const host = await connect({ cookie: hostCookie });
    const result = await send<{ live: number }>(host, 'broadcast:stats', { broadcastId });
    host.disconnect();
    if (!result.ok) throw new Error(result.error.code);
    return result.data;
  };
  const viewerRows = async (broadcastId: string) =>
    (await node.db.select().from(schema.broadcastViewers).where(eq(schema.broadcastViewers.broadcastId, broadcastId))).length;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const produce = (socket: TestClient, roomId: string) =>
    send(socket, 'media:produce', {
      roomId,
      transportId: '00000000-0000-4000-8000-000000000000',
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
      source: 'camera',
    });

  beforeAll(async () => {
    node = await startPlatform({
      redis: true,
      env: { CLOCK_INTERVAL_MS: '0', BROADCAST_ANON_PER_ADDRESS: String(CAP), BROADCAST_VIEW_DWELL_MS: String(DWELL) },
    });
    hostCookie = await sessionCookie(node.platform.auth, 'employer@example.com');
    seekerCookie = await sessionCookie(node.platform.auth, 'seeker@example.com');
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await node.platform.close();
  });

  it('a script of many fresh anonymous device ids from one address counts at most the cap', async () => {
    const broadcastId = await addBroadcast('Inflation target', new Date(Date.now() + 3600_000));
    const script: TestClient[] = [];
    for (let i = 0; i < 30; i++) {
      const c = await connect({ deviceId: `inflate-${broadcastId}-${i}` });
      script.push(c);
      expect(await send(c, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    }
    await sleep(DWELL + 600);
    expect(await stats(broadcastId)).toMatchObject({ live: CAP, views: CAP, unique: CAP, peak: CAP });
    // Dropping them and coming back with new ids in the same window gains nothing either.
    script.forEach((c) => c.disconnect());
    for (let i = 30; i < 50; i++) {
      const c = await connect({ deviceId: `inflate-${broadcastId}-${i}` });
      expect(await send(c, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    }
    await sleep(DWELL + 600);
    expect(await stats(broadcastId)).toMatchObject({ views: CAP, unique: CAP });
    expect(await viewerRows(broadcastId)).toBe(CAP);
    // A signed-in viewer is not an anonymous device id: counted at once.
    const seeker = await connect({ cookie: seekerCookie });
    expect(await send(seeker, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    expect(await stats(broadcastId)).toMatchObject({ views: CAP + 1, unique: CAP + 1 });
  });

  it('connect-join-drop loops (no page session) count nothing', async () => {
    const broadcastId = await addBroadcast('Drive-by target', new Date(Date.now() + 3600_000));
    for (let i = 0; i < 4; i++) {
      const c = await connect({ deviceId: `driveby-${broadcastId}-${i}` });
      expect(await send(c, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
      c.disconnect();
    }
    await sleep(DWELL + 600);
    expect(await stats(broadcastId)).toMatchObject({ live: 0, views: 0, unique: 0, peak: 0 });
    expect(await viewerRows(broadcastId)).toBe(0);
  });

  it('joining an ended broadcast counts nothing; going live, stage invites and hands are refused with CONFLICT', async () => {
    const broadcastId = await addBroadcast('Already over', new Date(Date.now() - 60_000));
    const roomId = `broadcast:${broadcastId}`;
    const seeker = await connect({ cookie: seekerCookie });
    const anon = await connect({ deviceId: `ended-${broadcastId}` });
    expect(await send(seeker, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { viewers: 0 } });
    expect(await send(anon, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    await sleep(DWELL + 600);
    expect(await stats(broadcastId)).toMatchObject({ live: 0, views: 0, unique: 0, peak: 0 });
    expect(await viewerRows(broadcastId)).toBe(0);

    const host = await connect({ cookie: hostCookie });
    expect(await send(host, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: true } });
    expect(await send(host, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await produce(host, roomId)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await send(seeker, 'broadcast:hand', { broadcastId, raised: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await send(host, 'broadcast:stage-invite', { broadcastId, peer: seeker.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    // Nothing changed: no producer, no guest, no hand.
    expect(await node.platform.media.producers(roomId)).toEqual([]);
    expect(await send(seeker, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({ ok: false });
  });

  it('a host live at the broadcast’s end stops being live at the end', async () => {
    const broadcastId = await addBroadcast('Ends soon', new Date(Date.now() + 2500));
    const roomId = `broadcast:${broadcastId}`;
    const host = await connect({ cookie: hostCookie });
    expect(await send(host, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    const transport = await send<{ id: string }>(host, 'media:transport-create', { roomId, direction: 'send' });
    if (!transport.ok) throw new Error(transport.error.code);
    const produced = await send(host, 'media:produce', {
      roomId,
      transportId: transport.data.id,
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 22220001 }] },
      source: 'camera',
    });
    expect(produced).toMatchObject({ ok: true });
    expect(await node.platform.media.producers(roomId)).toHaveLength(1);
    await sleep(3500);
    expect(await node.platform.media.producers(roomId)).toEqual([]);
  });

  it('a host who joined before the end cannot go live after it', async () => {
    const broadcastId = await addBroadcast('Ends while joined', new Date(Date.now() + 3600_000));
    const roomId = `broadcast:${broadcastId}`;
    const host = await connect({ cookie: hostCookie });
    expect(await send(host, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: true } });
    await node.db
      .update(schema.broadcasts)
      .set({ endsAt: new Date(Date.now() - 1000) })
      .where(eq(schema.broadcasts.id, broadcastId));
    expect(await send(host, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await produce(host, roomId)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });
});
