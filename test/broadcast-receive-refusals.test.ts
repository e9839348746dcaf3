import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, type TestClient } from './helpers.ts';
import { vp8CameraParameters } from './rtp-parameters.ts';
import type { TransportOptions } from '../signaling/src/protocol/index.ts';

const vp8 = vp8CameraParameters('receive-refusals');

interface Caps {
  codecs: Array<{ mimeType: string; kind: string }>;
}
interface JoinData {
  viewers: number;
  routerRtpCapabilities: Caps;
  receive: { transport: { id: string }; consumers: Array<{ producerId: string }> } | null;
}

/**
 * `broadcast:join` with `receive` (the join that also opens the viewer's receive transport and
 * consumers, signaling/src/features/media/receive.ts) refused: a malformed request (a `paused`
 * flag a client might try to force flowing media with, a layer out of range, no codecs, a string),
 * a device that cannot receive the stream, and a flood of such joins from one socket. Each refusal
 * is a code in the ack, and nothing changed: no transport or consumer left on the worker, the live
 * count as before, the socket not in the room. A flood never takes the peer over its per-peer limits.
 */
describe('broadcast:join with receive, refused', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  let broadcastId: string;
  let roomId: string;
  let host: TestClient;
  let caps: Caps;
  const clients: TestClient[] = [];
  const client = async (deviceId: string) => {
    const c = await connectTestClient(ctx.url, { deviceId });
    clients.push(c);
    return c;
  };
  const live = async () => {
    const r = await send<{ live: number }>(host, 'broadcast:stats', { broadcastId });
    if (!r.ok) throw new Error('no stats');
    return r.data.live;
  };
  /** The worker's media, the live count, and whether the viewer may use the room's media. */
  const state = async (viewer: TestClient) => {
    const stats = await ctx.platform.media.stats();
    const inRoom = await send(viewer, 'media:transport-create', { roomId, direction: 'recv' });
    return { transports: stats.transports, consumers: stats.consumers, live: await live(), inRoom: inRoom.ok ? 'yes' : inRoom.error.code };
  };

  beforeAll(async () => {
    ctx = await startPlatform({ env: { BROADCAST_VIEW_DWELL_MS: '0' } });
    const f = fixtures(ctx.db);
    const owner = await f.account('organizer', 'receive-host');
    broadcastId = (await f.onAirBroadcast(owner.id)).id;
    roomId = `broadcast:${broadcastId}`;
    // Not recorded: the recorder's own transport and consumer (made when the host publishes, a
    // moment later on a loaded machine) would land between a test's before and after.
    await ctx.platform.services.recordings.setEnabled(owner, broadcastId, false);
    // The host publishes a camera, so a receiving join has a stream to consume.
    host = await connectTestClient(ctx.url, { cookie: await sessionCookie(ctx.platform.auth, owner.email) });
    clients.push(host);
    const joined = await send<JoinData>(host, 'broadcast:join', { broadcastId });
    if (!joined.ok) throw new Error('host could not join');
    caps = joined.data.routerRtpCapabilities;
    const t = await send<TransportOptions>(host, 'media:transport-create', { roomId, direction: 'send' });
    if (!t.ok) throw new Error('no send transport');
    expect(await send(host, 'media:produce', { roomId, transportId: t.data.id, kind: 'video', rtpParameters: vp8, source: 'camera' })).toMatchObject({
      ok: true,
    });
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await ctx.platform.close();
  });

  it('refuses a malformed receive with INVALID_PAYLOAD and changes nothing', async () => {
    const viewer = await client('receive-refusal-malformed');
    const before = await state(viewer);
    expect(before.inRoom).toBe('NOT_IN_ROOM');
    const malformed: Array<[unknown, string]> = [
      // No way to ask for flowing media on the wire: the server decides (only on a transport not yet connected).
      [{ rtpCapabilities: caps, spatialLayer: 2, video: true, paused: false }, 'receive'],
      [{ rtpCapabilities: caps, spatialLayer: 3, video: true }, 'receive.spatialLayer'],
      [{ rtpCapabilities: caps, spatialLayer: 1 }, 'receive.video'],
      [{ rtpCapabilities: { codecs: [] }, spatialLayer: 0, video: true }, 'receive.rtpCapabilities.codecs'],
      [{ rtpCapabilities: { codecs: Array.from({ length: 65 }, () => caps.codecs[0]) }, spatialLayer: 0, video: true }, 'receive.rtpCapabilities.codecs'],
      ['all of it', 'receive'],
    ];
    for (const [receive, path] of malformed) {
      const r = await send(viewer, 'broadcast:join', { broadcastId, receive });
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
      if (!r.ok) expect(Object.keys(r.error.details ?? {})).toContain(path);
    }
    expect(await state(viewer)).toEqual(before);
  });

  it('refuses a device that cannot receive the stream with CANNOT_CONSUME, and undoes the join', async () => {
    const viewer = await client('receive-refusal-codec');
    const before = await state(viewer);
    // Audio codecs only: the camera cannot be consumed.
    const audioOnly = { codecs: caps.codecs.filter((c) => c.kind === 'audio') };
    const r = await send(viewer, 'broadcast:join', { broadcastId, receive: { rtpCapabilities: audioOnly, spatialLayer: 2, video: true } });
    expect(r).toMatchObject({ ok: false, error: { code: 'CANNOT_CONSUME' } });
    expect(await state(viewer)).toEqual(before);

    // The same viewer with a device that can: joined, counted, receiving, within its limits.
    const ok = await send<JoinData>(viewer, 'broadcast:join', { broadcastId, receive: { rtpCapabilities: caps, spatialLayer: 2, video: true } });
    expect(ok).toMatchObject({ ok: true, data: { viewers: before.live + 1, receive: { consumers: [expect.anything()] } } });
    const after = await ctx.platform.media.stats();
    expect(after).toMatchObject({ transports: before.transports + 1, consumers: before.consumers + 1 });
    // Its one receive transport is the one the join made: another is over the per-peer limit.
    expect(await send(viewer, 'media:transport-create', { roomId, direction: 'recv' })).toMatchObject({ ok: false, error: { code: 'LIMIT_REACHED' } });
  });

  it('holds the per-peer limits against a flood of receiving joins from one socket', async () => {
    const viewer = await client('receive-refusal-flood');
    const before = await state(viewer);
    const receive = { rtpCapabilities: caps, spatialLayer: 2, video: true };
    const acks = await Promise.all(Array.from({ length: 10 }, () => send<JoinData>(viewer, 'broadcast:join', { broadcastId, receive })));
    // Every ack is an answer or a code; never more than one receive transport and one consumer of
    // the camera for the peer, whichever join won.
    for (const a of acks) if (!a.ok) expect(['LIMIT_REACHED', 'NOT_FOUND', 'CANNOT_CONSUME', 'NOT_IN_ROOM']).toContain(a.error.code);
    const stats = await ctx.platform.media.stats();
    expect(stats.transports - before.transports).toBeLessThanOrEqual(1);
    expect(stats.consumers - before.consumers).toBeLessThanOrEqual(1);
    expect(await live()).toBeLessThanOrEqual(before.live + 1);
    // A join after the flood settles it: exactly one transport and one consumer, counted once.
    const last = await send<JoinData>(viewer, 'broadcast:join', { broadcastId, receive });
    expect(last).toMatchObject({ ok: true, data: { receive: { consumers: [expect.anything()] } } });
    expect(await ctx.platform.media.stats()).toMatchObject({ transports: before.transports + 1, consumers: before.consumers + 1 });
    expect(await live()).toBe(before.live + 1);
  });
});
