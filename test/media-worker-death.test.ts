import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';
import type { BoothState, TransportOptions } from '../signaling/src/protocol/index.ts';

const vp8 = {
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack', parameter: '' }] }],
  headerExtensions: [],
  encodings: [{ ssrc: 44444444 }],
  rtcp: { cname: 'worker-death' },
};

/**
 * A mediasoup worker is killed (by its pid) under a live booth: the booth's publisher and viewer
 * are told (`media:room-reset`) before anything else closes, a booth on another worker is not, and
 * joining again gives working media on the replacement.
 */
describe('a worker dies under a booth, over Socket.IO', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  const clients: TestClient[] = [];
  const client = async (email: string) => {
    const c = await connectTestClient(ctx.url, { cookie: await sessionCookie(ctx.platform.auth, email) });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ctx = await startPlatform({ env: { MEDIA_WORKERS: '2' } });
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await ctx.platform.close();
  });

  /** Joins the booth, creates a transport; a sending one also produces a camera. */
  async function mediaIn(c: TestClient, boothId: string, direction: 'send' | 'recv') {
    const join = await send<BoothState>(c, 'booth:join', { boothId });
    if (!join.ok) throw new Error(`join failed: ${JSON.stringify(join)}`);
    const roomId = join.data.roomId;
    const t = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction });
    if (!t.ok) throw new Error(`no ${direction} transport: ${JSON.stringify(t)}`);
    if (direction === 'send') {
      expect(await send(c, 'media:produce', { roomId, transportId: t.data.id, kind: 'video', rtpParameters: vp8, source: 'camera' })).toMatchObject({
        ok: true,
      });
    }
    return { roomId, transportId: t.data.id, producers: join.data.producers, caps: join.data.routerRtpCapabilities };
  }

  it('tells exactly the booth’s peers, and they get media again', async () => {
    const f = fixtures(ctx.db);
    const { booths } = await f.liveFair({ employers: ['Xinghe', 'Green'] });
    const seeker = await f.account('seeker');
    const publisher = await client(booths.Xinghe.owner.email);
    const viewer = await client(seeker.email);
    const elsewhere = await client(seeker.email);
    const { roomId } = await mediaIn(publisher, booths.Xinghe.id, 'send');
    const seen = await mediaIn(viewer, booths.Xinghe.id, 'recv');
    expect(seen.producers).toHaveLength(1);
    const other = await mediaIn(elsewhere, booths.Green.id, 'recv');

    const media = ctx.platform.media;
    const dead = (await media.roomInfo(roomId))!.origin!;
    expect((await media.roomInfo(other.roomId))!.origin).not.toBe(dead);
    const told = [publisher, viewer].map((c) => waitFor(c, 'media:room-reset', (p) => p.roomId === roomId));
    let bystanderTold = false;
    elsewhere.on('media:room-reset', () => (bystanderTold = true));
    const pid = (await media.stats()).workerPids[dead]!;
    process.kill(pid, 'SIGKILL');
    await Promise.all(told);
    await vi.waitFor(async () => expect((await media.stats()).workerPids[dead]).not.toBe(pid), { timeout: 10_000 });
    expect(await media.stats()).toMatchObject({ workersAlive: 2 });
    expect(bystanderTold).toBe(false);
    expect(await media.roomInfo(other.roomId)).toMatchObject({ peers: 1 });

    // Both pages join again, as they do on media:room-reset: new transports, the camera, a consumer.
    await mediaIn(publisher, booths.Xinghe.id, 'send');
    const again = await mediaIn(viewer, booths.Xinghe.id, 'recv');
    expect(again.producers).toHaveLength(1);
    expect(
      await send(viewer, 'media:consume', { roomId, transportId: again.transportId, producerId: again.producers[0]!.id, rtpCapabilities: again.caps }),
    ).toMatchObject({ ok: true });
  });
});
