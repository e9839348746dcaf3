import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';
import type { RemoteProducer, TransportOptions } from '../signaling/src/protocol/index.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;
type Caps = Record<string, unknown>;

const vp8 = (ssrc: number) => ({
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
  encodings: [{ ssrc }],
  rtcp: { cname: `across-${ssrc}` },
});

/**
 * Media across nodes at the signaling level (two platforms in this process sharing Redis and
 * Postgres; cross-node-media.test.ts runs real processes and browsers): joins list the producers
 * of every node, a consume of another node's producer brings it over a pipe, and an interview
 * split over two nodes pipes both ways over one pair.
 */
describe('media across nodes: listing and consuming producers of another node', () => {
  const nodes: Started[] = [];
  const clients: TestClient[] = [];
  let make: ReturnType<typeof fixtures>;
  let owner: SessionUser;
  let boothId: string;

  const client = async (node: number, email: string | null, deviceId?: string) => {
    const c = await connectTestClient(nodes[node]!.url, {
      ...(email ? { cookie: await sessionCookie(nodes[node]!.platform.auth, email) } : {}),
      ...(deviceId ? { deviceId } : {}),
    });
    clients.push(c);
    return c;
  };
  const transport = async (c: TestClient, roomId: string, direction: 'send' | 'recv') => {
    const t = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction });
    if (!t.ok) throw new Error(`no ${direction} transport: ${JSON.stringify(t)}`);
    return t.data.id;
  };
  const publish = async (c: TestClient, roomId: string, ssrc: number) => {
    const r = await send<{ producerId: string }>(c, 'media:produce', {
      roomId,
      transportId: await transport(c, roomId, 'send'),
      kind: 'video',
      rtpParameters: vp8(ssrc),
      source: 'camera',
    });
    if (!r.ok) throw new Error(`produce failed: ${JSON.stringify(r)}`);
    return r.data.producerId;
  };
  const consume = (c: TestClient, roomId: string, transportId: string, producerId: string, caps: Caps) =>
    send<{ producerId: string }>(c, 'media:consume', { roomId, transportId, producerId, rtpCapabilities: caps });

  beforeAll(async () => {
    nodes.push(await startPlatform({ redis: true }), await startPlatform({ redis: true }));
    make = fixtures(nodes[0]!.db);
    const { Across: across } = (await make.liveFair({ employers: ['Across'] })).booths;
    owner = across.owner;
    boothId = across.id;
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes) await n.platform.close();
  });

  it('an interview split over two nodes: each side is listed and consumes the other’s stream, over one pipe pair', async () => {
    const db = nodes[0]!.db;
    const seekerUser = await make.account('seeker', 'across-seeker');
    const [entry] = await db
      .insert(schema.queueEntries)
      .values({ boothId, seekerId: seekerUser.id, status: 'interviewing', calledAt: new Date(), calledBy: owner.id })
      .returning();
    const [interview] = await db.insert(schema.interviews).values({ entryId: entry!.id, boothId, seekerId: seekerUser.id, recruiterId: owner.id }).returning();
    const interviewId = interview!.id;
    const roomId = `interview:${interviewId}`;

    const recruiter = await client(0, owner.email);
    const r = await send<{ routerRtpCapabilities: Caps }>(recruiter, 'interview:join', { interviewId });
    if (!r.ok) throw new Error('recruiter join failed');
    const recruiterCam = await publish(recruiter, roomId, 1111);

    const seeker = await client(1, seekerUser.email);
    const s = await send<{ routerRtpCapabilities: Caps; producers: RemoteProducer[] }>(seeker, 'interview:join', { interviewId });
    // Whose each camera is crosses nodes too (the page names a panel's tiles by it).
    expect(s).toMatchObject({ ok: true, data: { producers: [{ id: recruiterCam, kind: 'video', source: 'camera', userId: owner.id }] } });
    const added = waitFor(recruiter, 'media:producer-added', (p) => p.roomId === roomId);
    const seekerCam = await publish(seeker, roomId, 2222);
    expect((await added)[0].producer).toEqual({ id: seekerCam, kind: 'video', source: 'camera', userId: seekerUser.id });

    // Both at once: the two nodes bring each other's producer and meet on one pipe pair.
    const [rRecv, sRecv] = await Promise.all([transport(recruiter, roomId, 'recv'), transport(seeker, roomId, 'recv')]);
    const started = performance.now();
    const [toRecruiter, toSeeker] = await Promise.all([
      consume(recruiter, roomId, rRecv, seekerCam, r.data.routerRtpCapabilities),
      consume(seeker, roomId, sRecv, recruiterCam, r.data.routerRtpCapabilities),
    ]);
    console.log(`[chaos] interview over two nodes: both sides consumed the other's stream in ${(performance.now() - started).toFixed(1)} ms`);
    expect(toRecruiter).toMatchObject({ ok: true, data: { producerId: seekerCam } });
    expect(toSeeker).toMatchObject({ ok: true, data: { producerId: recruiterCam } });
    for (const n of nodes) expect(await n.platform.media.stats()).toMatchObject({ pipes: 1, exports: 1, imports: 1 });

    // The seeker's camera closes on node 1: the recruiter on node 0 is told once.
    const closed: string[] = [];
    recruiter.on('media:producer-closed', (p) => closed.push(p.producerId));
    const consumerClosed = waitFor(recruiter, 'media:consumer-closed', (p) => p.roomId === roomId);
    expect(await send(seeker, 'media:producer-close', { roomId, producerId: seekerCam })).toMatchObject({ ok: true });
    await consumerClosed;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toEqual([seekerCam]);
    expect(await nodes[0]!.platform.media.stats()).toMatchObject({ imports: 0 });
  });

  it('a broadcast viewer on another node is listed the host’s stream and consumes it; the room closing on the viewer’s node tells nobody else', async () => {
    const [row] = await nodes[0]!.db
      .insert(schema.broadcasts)
      .values({
        title: `Across ${Date.now()}`,
        topic: 'resume_clinic',
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 3600_000),
        status: 'published',
      })
      .returning();
    const broadcastId = row!.id;
    const roomId = `broadcast:${broadcastId}`;
    await nodes[0]!.db.insert(schema.broadcastHosts).values({ broadcastId, userId: owner.id });

    const host = await client(0, owner.email);
    expect(await send(host, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: true } });
    const cam = await publish(host, roomId, 3333);
    const hostTold: string[] = [];
    host.on('media:producer-closed', (p) => hostTold.push(p.producerId));

    const viewers = await Promise.all([1, 2, 3].map((i) => client(1, null, `across-viewer-${i}`)));
    let caps: Caps = {};
    for (const v of viewers) {
      const joined = await send<{ routerRtpCapabilities: Caps; producers: RemoteProducer[] }>(v, 'broadcast:join', { broadcastId });
      expect(joined).toMatchObject({ ok: true, data: { producers: [{ id: cam, kind: 'video' }] } });
      // A broadcast's anonymous viewers are not told whose account publishes (interviews only).
      if (joined.ok) expect(joined.data.producers[0]).not.toHaveProperty('userId');
      if (joined.ok) caps = joined.data.routerRtpCapabilities;
    }
    // Three viewers asking at once: the producer is brought once.
    const before = await nodes[1]!.platform.media.stats();
    const recvs = await Promise.all(viewers.map((v) => transport(v, roomId, 'recv')));
    const results = await Promise.all(viewers.map((v, i) => consume(v, roomId, recvs[i]!, cam, caps)));
    expect(results.map((x) => x.ok)).toEqual([true, true, true]);
    expect(await nodes[1]!.platform.media.stats()).toMatchObject({ imports: before.imports + 1, consumers: before.consumers + 3 });

    // Every viewer leaves node 1: its room closes with its import, and the host hears nothing.
    for (const v of viewers) v.disconnect();
    await expect.poll(async () => (await nodes[1]!.platform.media.stats()).imports, { timeout: 10_000 }).toBe(before.imports);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hostTold).toEqual([]);
    expect((await nodes[0]!.platform.media.producers(roomId)).map((p) => p.id)).toEqual([cam]);
  });
});
