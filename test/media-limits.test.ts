import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures, type FixtureBooth } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';
import { vp8CameraParameters } from './rtp-parameters.ts';
import type { BoothState, TransportOptions } from '../signaling/src/protocol/index.ts';

const vp8 = vp8CameraParameters('limits-test');
/** What mediasoup-client sends for an Opus microphone. */
const opus = {
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, minptime: 10 } }],
  headerExtensions: [],
  encodings: [{ ssrc: 11111111 }],
  rtcp: { cname: 'limits-test' },
};

const codes = (results: Array<{ ok: boolean; error?: { code: string } }>) => results.map((r) => (r.ok ? 'ok' : r.error!.code)).sort();

/**
 * Per-peer media limits over Socket.IO on a real worker: one abusive client asks for many
 * transports, producers and consumers at once; the worker's counts stay at the limits, every
 * refusal is LIMIT_REACHED, and a well-behaved viewer still gets the stream.
 */
describe('media limits per peer', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  let booths: Record<'Xinghe' | 'GreenFields', FixtureBooth>;
  let host: SessionUser;
  let viewer: SessionUser;
  let employerCookie: string;
  let seekerCookie: string;
  const clients: TestClient[] = [];
  const client = async (options: Parameters<typeof connectTestClient>[1] = {}) => {
    const c = await connectTestClient(ctx.url, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ctx = await startPlatform({ env: { MEDIA_MAX_INCOMING_BITRATE: '2500000' } });
    const make = fixtures(ctx.db);
    booths = (await make.liveFair({ employers: ['Xinghe', 'GreenFields'] })).booths;
    // Xinghe's owner publishes at its booth and hosts the broadcast below.
    host = booths.Xinghe.owner;
    viewer = await make.account('employer', 'viewer');
    employerCookie = await sessionCookie(ctx.platform.auth, host.email);
    seekerCookie = await sessionCookie(ctx.platform.auth, (await make.account('seeker')).email);
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await ctx.platform.close();
  });

  it('an abusive publisher and viewer stay at one transport per direction, one stream per source, one consumer per stream', async () => {
    const boothId = booths.Xinghe.id;
    const roomId = `booth:${boothId}`;
    const publisher = await client({ cookie: employerCookie });
    expect(await send(publisher, 'booth:join', { boothId })).toMatchObject({ ok: true, data: { isStaff: true } });
    const before = await ctx.platform.media.stats();

    // Twenty send and twenty receive transports at once: one of each is made.
    const sends = await Promise.all(
      Array.from({ length: 20 }, () => send<TransportOptions>(publisher, 'media:transport-create', { roomId, direction: 'send' })),
    );
    const recvs = await Promise.all(
      Array.from({ length: 20 }, () => send<TransportOptions>(publisher, 'media:transport-create', { roomId, direction: 'recv' })),
    );
    expect(codes(sends)).toEqual(['LIMIT_REACHED', ...Array(18).fill('LIMIT_REACHED'), 'ok'].sort());
    expect(codes(recvs).filter((c) => c === 'ok')).toHaveLength(1);
    expect((await ctx.platform.media.stats()).transports).toBe(before.transports + 2);
    const sendTransport = sends.find((r) => r.ok)!;
    if (!sendTransport.ok) throw new Error('no send transport');

    // Every WebRTC transport runs under the configured incoming bitrate cap.
    expect(await ctx.platform.media.transportStats(roomId, publisher.id!, sendTransport.data.id)).toEqual({ maxIncomingBitrate: 2_500_000 });

    // Ten cameras at once: one. Then a microphone; a second microphone is refused.
    const cameras = await Promise.all(
      Array.from({ length: 10 }, () =>
        send<{ producerId: string }>(publisher, 'media:produce', {
          roomId,
          transportId: sendTransport.data.id,
          kind: 'video',
          rtpParameters: vp8,
          source: 'camera',
        }),
      ),
    );
    expect(codes(cameras)).toEqual([...Array(9).fill('LIMIT_REACHED'), 'ok']);
    const mic = await send(publisher, 'media:produce', { roomId, transportId: sendTransport.data.id, kind: 'audio', rtpParameters: opus, source: 'mic' });
    expect(mic).toMatchObject({ ok: true });
    const mic2 = await send(publisher, 'media:produce', {
      roomId,
      transportId: sendTransport.data.id,
      kind: 'audio',
      rtpParameters: { ...opus, mid: '2', encodings: [{ ssrc: 33333333 }] },
      source: 'mic',
    });
    expect(mic2).toMatchObject({ ok: false, error: { code: 'LIMIT_REACHED' } });
    expect((await ctx.platform.media.stats()).producers).toBe(before.producers + 2);
    const camera = cameras.find((r) => r.ok)!;
    if (!camera.ok) throw new Error('no camera');

    // A viewer asking for the camera twenty times gets one consumer.
    const greedy = await client({ cookie: seekerCookie });
    const join = await send<BoothState>(greedy, 'booth:join', { boothId });
    if (!join.ok) throw new Error('join failed');
    const recv = await send<TransportOptions>(greedy, 'media:transport-create', { roomId, direction: 'recv' });
    if (!recv.ok) throw new Error('no recv transport');
    const consumes = await Promise.all(
      Array.from({ length: 20 }, () =>
        send(greedy, 'media:consume', {
          roomId,
          transportId: recv.data.id,
          producerId: camera.data.producerId,
          rtpCapabilities: join.data.routerRtpCapabilities,
        }),
      ),
    );
    expect(codes(consumes)).toEqual([...Array(19).fill('LIMIT_REACHED'), 'ok']);
    expect((await ctx.platform.media.stats()).consumers).toBe(before.consumers + 1);

    // A well-behaved viewer still gets the stream.
    const polite = await client({ cookie: await sessionCookie(ctx.platform.auth, viewer.email) });
    const politeJoin = await send<BoothState>(polite, 'booth:join', { boothId });
    if (!politeJoin.ok) throw new Error('join failed');
    expect(politeJoin.data.producers.map((p) => p.source).sort()).toEqual(['camera', 'mic']);
    const politeRecv = await send<TransportOptions>(polite, 'media:transport-create', { roomId, direction: 'recv' });
    if (!politeRecv.ok) throw new Error('no recv transport');
    for (const producer of politeJoin.data.producers) {
      expect(
        await send(polite, 'media:consume', {
          roomId,
          transportId: politeRecv.data.id,
          producerId: producer.id,
          rtpCapabilities: politeJoin.data.routerRtpCapabilities,
        }),
      ).toMatchObject({ ok: true, data: { producerId: producer.id } });
    }
    expect(await ctx.platform.media.stats()).toMatchObject({
      transports: before.transports + 4,
      producers: before.producers + 2,
      consumers: before.consumers + 3,
    });

    // Joining again (a page's rejoin) starts the peer's media afresh, within the same limits.
    const closed = waitFor(polite, 'media:producer-closed', (p) => p.roomId === roomId);
    expect(await send(publisher, 'booth:join', { boothId })).toMatchObject({ ok: true });
    await closed;
    expect(await send(publisher, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({ ok: true });
    expect((await ctx.platform.media.stats()).producers).toBe(before.producers);
  });

  it('anonymous viewers get no booth media at all', async () => {
    const boothId = booths.GreenFields.id;
    const roomId = `booth:${boothId}`;
    const anonymous = await client({ deviceId: 'anonymous-limits-01' });
    expect(await send(anonymous, 'booth:join', { boothId })).toMatchObject({ ok: true });
    const before = await ctx.platform.media.stats();
    for (const direction of ['recv', 'send'] as const) {
      expect(await send(anonymous, 'media:transport-create', { roomId, direction })).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED' },
      });
    }
    expect(await ctx.platform.media.stats()).toMatchObject({ rooms: before.rooms, transports: before.transports });
  });

  it('anonymous viewers only receive in a broadcast; a stage guest shares camera and mic, not a screen', async () => {
    const db = ctx.db;
    const [row] = await db
      .insert(schema.broadcasts)
      .values({
        title: `Limits ${Date.now()}`,
        topic: 'resume_clinic',
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 3600_000),
        status: 'published',
      })
      .returning();
    const broadcastId = row!.id;
    const roomId = `broadcast:${broadcastId}`;
    await db.insert(schema.broadcastHosts).values({ broadcastId, userId: host.id });

    const hostClient = await client({ cookie: employerCookie });
    expect(await send(hostClient, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: true } });
    const anonymous = await client({ deviceId: 'anonymous-limits-02' });
    expect(await send(anonymous, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true, data: { isHost: false } });
    expect(await send(anonymous, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await send(anonymous, 'broadcast:hand', { broadcastId, raised: true })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await send(anonymous, 'media:transport-create', { roomId, direction: 'recv' })).toMatchObject({ ok: true });

    // A signed-in viewer on stage may send a camera and a microphone, but not a screen.
    const guest = await client({ cookie: seekerCookie });
    expect(await send(guest, 'broadcast:join', { broadcastId })).toMatchObject({ ok: true });
    expect(await send(guest, 'broadcast:hand', { broadcastId, raised: true })).toMatchObject({ ok: true });
    expect(await send(hostClient, 'broadcast:stage-invite', { broadcastId, peer: guest.id })).toMatchObject({ ok: true });
    const guestSend = await send<TransportOptions>(guest, 'media:transport-create', { roomId, direction: 'send' });
    if (!guestSend.ok) throw new Error('guest has no send transport');
    const before = (await ctx.platform.media.stats()).producers;
    expect(await send(guest, 'media:produce', { roomId, transportId: guestSend.data.id, kind: 'video', rtpParameters: vp8, source: 'screen' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect((await ctx.platform.media.stats()).producers).toBe(before);
    expect(await send(guest, 'media:produce', { roomId, transportId: guestSend.data.id, kind: 'video', rtpParameters: vp8, source: 'camera' })).toMatchObject({
      ok: true,
    });
  });
});
