import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, type FixtureBooth } from '../../test/fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from '../../test/helpers.ts';
import type { BoothState, TransportOptions } from './protocol/index.ts';

describe('signaling server (real Postgres, real mediasoup worker)', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  let booths: Record<'xinghe' | 'greenFields' | 'shunda', FixtureBooth>;
  let employerCookie: string;
  let seekerCookie: string;
  const clients: TestClient[] = [];
  const client = async (options: Parameters<typeof connectTestClient>[1] = {}) => {
    const c = await connectTestClient(ctx.url, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ctx = await startPlatform();
    const make = fixtures(ctx.db);
    booths = (await make.liveFair({ employers: ['xinghe', 'greenFields', 'shunda'] })).booths;
    employerCookie = await sessionCookie(ctx.platform.auth, booths.xinghe.owner.email);
    seekerCookie = await sessionCookie(ctx.platform.auth, (await make.account('seeker')).email);
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await ctx.platform.close();
  });

  it('serves /healthz with every check ok and /metrics in Prometheus format', async () => {
    const health = await fetch(`${ctx.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { accepting: 'ok', database: 'ok', media: 'ok' } });
    const metrics = await (await fetch(`${ctx.url}/metrics`)).text();
    for (const name of ['sockets', 'media_workers_alive', 'media_rooms', 'media_transports', 'media_producers', 'media_consumers']) {
      expect(metrics).toMatch(new RegExp(`^fairground_${name} \\d+`, 'm'));
    }
  });

  it('lets staff join their booth as staff and seekers as viewers', async () => {
    const employer = await client({ cookie: employerCookie });
    const seeker = await client({ cookie: seekerCookie });
    const staffJoin = await send<BoothState>(employer, 'booth:join', { boothId: booths.xinghe.id });
    expect(staffJoin).toMatchObject({ ok: true, data: { isStaff: true, viewers: 0, producers: [] } });
    const seekerJoin = await send<BoothState>(seeker, 'booth:join', { boothId: booths.xinghe.id });
    expect(seekerJoin).toMatchObject({ ok: true, data: { isStaff: false, viewers: 1 } });
    if (!seekerJoin.ok) return;
    expect(seekerJoin.data.routerRtpCapabilities).toHaveProperty('codecs');
    // Staff at another employer's booth are ordinary visitors there.
    const elsewhere = await send<BoothState>(employer, 'booth:join', { boothId: booths.shunda.id });
    expect(elsewhere).toMatchObject({ ok: true, data: { isStaff: false } });
  });

  it('counts distinct viewers live: two tabs of one device count once, staff never', async () => {
    const room = `booth:${booths.greenFields.id}`;
    const watcher = await client({ deviceId: 'watcher-device-0001' });
    await send(watcher, 'booth:join', { boothId: booths.greenFields.id });
    const tab2 = await client({ deviceId: 'watcher-device-0001' });
    const other = await client({ deviceId: 'other-device-00002' });
    const owner = await client({ cookie: await sessionCookie(ctx.platform.auth, booths.greenFields.owner.email) });

    expect(await send(tab2, 'booth:join', { boothId: booths.greenFields.id })).toMatchObject({ data: { viewers: 1 } });
    const seen = waitFor(watcher, 'room:viewers', (c) => c.roomId === room && c.live === 2);
    await send(other, 'booth:join', { boothId: booths.greenFields.id });
    await seen;
    expect(await send(owner, 'booth:join', { boothId: booths.greenFields.id })).toMatchObject({
      data: { isStaff: true, viewers: 2 },
    });
    const dropped = waitFor(watcher, 'room:viewers', (c) => c.roomId === room && c.live === 1);
    other.disconnect();
    await dropped;
    tab2.disconnect();
    expect(await send(owner, 'booth:join', { boothId: booths.greenFields.id })).toMatchObject({ data: { viewers: 1 } });
  });

  describe('bad input gets a code and changes nothing', () => {
    it.each([
      ['missing field', {}],
      ['extra field', { boothId: '00000000-0000-4000-8000-000000000000', admin: true }],
      ['wrong type', { boothId: 42 }],
      ['not a uuid', { boothId: "1' or 1=1 --" }],
      ['null payload', null],
      ['array payload', [1, 2, 3]],
      ['string payload', 'booth'],
    ])('booth:join with %s -> INVALID_PAYLOAD', async (_name, payload) => {
      const c = await client({ deviceId: 'bad-input-device-01' });
      const result = await send(c, 'booth:join', payload);
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
      expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+|postgres|select /i);
    });

    it('an unknown booth -> NOT_FOUND, and no viewer is counted anywhere', async () => {
      const c = await client({ deviceId: 'unknown-booth-dev1' });
      expect(await send(c, 'booth:join', { boothId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      expect((await ctx.platform.media.stats()).rooms).toBeGreaterThanOrEqual(0);
    });

    it('a seeker trying to publish at a booth -> NOT_AUTHORIZED, no transport or producer made', async () => {
      const seeker = await client({ cookie: seekerCookie });
      const join = await send<BoothState>(seeker, 'booth:join', { boothId: booths.shunda.id });
      expect(join.ok).toBe(true);
      const before = await ctx.platform.media.stats();
      const roomId = `booth:${booths.shunda.id}`;
      expect(await send(seeker, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_AUTHORIZED' },
      });
      const recv = await send<TransportOptions>(seeker, 'media:transport-create', { roomId, direction: 'recv' });
      expect(recv.ok).toBe(true);
      if (!recv.ok) return;
      // No TURN configured: no ICE servers, direct paths allowed (test/stack.test.ts covers TURN).
      expect(recv.data).toMatchObject({ iceServers: [], iceTransportPolicy: 'all' });
      // An ICE restart comes with the ICE servers again (fresh TURN credentials when configured).
      expect(await send(seeker, 'media:transport-restart-ice', { roomId, transportId: recv.data.id })).toMatchObject({
        ok: true,
        data: { iceServers: [] },
      });
      const produce = await send(seeker, 'media:produce', {
        roomId,
        transportId: recv.data.id,
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
        source: 'camera',
      });
      expect(produce).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
      const after = await ctx.platform.media.stats();
      expect(after.producers).toBe(before.producers);
      expect(after.transports).toBe(before.transports + 1);
    });

    it('media requests for a room not joined -> NOT_IN_ROOM', async () => {
      const c = await client({ deviceId: 'not-joined-device1' });
      expect(await send(c, 'media:transport-create', { roomId: `booth:${booths.xinghe.id}`, direction: 'recv' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_IN_ROOM' },
      });
    });

    it('consuming a producer that does not exist -> CANNOT_CONSUME', async () => {
      const c = await client({ cookie: seekerCookie });
      const join = await send<BoothState>(c, 'booth:join', { boothId: booths.xinghe.id });
      if (!join.ok) throw new Error('join failed');
      const roomId = join.data.roomId;
      const recv = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction: 'recv' });
      if (!recv.ok) throw new Error('transport failed');
      const result = await send(c, 'media:consume', {
        roomId,
        transportId: recv.data.id,
        producerId: '00000000-0000-4000-8000-000000000000',
        rtpCapabilities: join.data.routerRtpCapabilities,
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'CANNOT_CONSUME' } });
    });

    it('malformed media parameters are refused with INVALID_PAYLOAD before mediasoup sees them', async () => {
      const employer = await client({ cookie: employerCookie });
      const join = await send<BoothState>(employer, 'booth:join', { boothId: booths.xinghe.id });
      if (!join.ok) throw new Error('join failed');
      const send_ = await send<TransportOptions>(employer, 'media:transport-create', { roomId: join.data.roomId, direction: 'send' });
      if (!send_.ok) throw new Error('transport failed');
      const before = (await ctx.platform.media.stats()).producers;
      const result = await send(employer, 'media:produce', {
        roomId: join.data.roomId,
        transportId: send_.data.id,
        kind: 'video',
        rtpParameters: { codecs: [{ nonsense: true }] },
        source: 'camera',
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
      expect((await ctx.platform.media.stats()).producers).toBe(before);
      const health = await fetch(`${ctx.url}/healthz`);
      expect(health.status).toBe(200);
    });

    it('an event without an ack, or garbage of every shape, leaves the server serving', async () => {
      const c = await client({ deviceId: 'garbage-device-001' });
      const emit = c.emit.bind(c) as (event: string, ...args: unknown[]) => void;
      emit('booth:join', { boothId: booths.xinghe.id });
      for (const payload of [undefined, 0, true, '', {}, { roomId: {} }, { a: { b: { c: [] } } }]) {
        for (const event of ['booth:join', 'media:transport-create', 'media:produce', 'media:consume', 'no:such-event']) {
          if (event === 'no:such-event') emit(event, payload);
          else expect((await send(c, event, payload)).ok).toBe(false);
        }
      }
      expect((await send(c, 'booth:join', { boothId: booths.xinghe.id })).ok).toBe(true);
    });

    it('a flood of requests is rate limited', async () => {
      const c = await client({ deviceId: 'flooding-device-01' });
      const results = await Promise.all(Array.from({ length: 200 }, () => send(c, 'booth:leave', { boothId: booths.xinghe.id })));
      const limited = results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length;
      expect(limited).toBeGreaterThan(0);
      expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(100);
    });
  });
});
