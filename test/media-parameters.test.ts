import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, type TestClient } from './helpers.ts';
import type { BoothState, TransportOptions } from '../signaling/src/protocol/index.ts';

/** An object `depth` levels deep: { a: { a: { ... } } }. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/**
 * Media parameters from clients are checked against bounded shapes before mediasoup sees them:
 * deep, huge or wrongly typed objects get INVALID_PAYLOAD (never INTERNAL, which is what a deeply
 * nested capabilities object used to give, with a stack in the log), and the worker is untouched.
 */
describe('client media parameters are bounded', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  let viewer: TestClient;
  let publisher: TestClient;
  let roomId: string;
  let caps: Record<string, unknown>;
  let recvId: string;
  let sendId: string;

  beforeAll(async () => {
    ctx = await startPlatform();
    const make = fixtures(ctx.db);
    const { Shunda } = (await make.liveFair({ employers: ['Shunda'] })).booths;
    publisher = await connectTestClient(ctx.url, { cookie: await sessionCookie(ctx.platform.auth, Shunda.owner.email) });
    viewer = await connectTestClient(ctx.url, { cookie: await sessionCookie(ctx.platform.auth, (await make.account('seeker')).email) });
    const staff = await send<BoothState>(publisher, 'booth:join', { boothId: Shunda.id });
    const join = await send<BoothState>(viewer, 'booth:join', { boothId: Shunda.id });
    if (!join.ok || !staff.ok) throw new Error('join failed');
    roomId = join.data.roomId;
    caps = join.data.routerRtpCapabilities;
    const recv = await send<TransportOptions>(viewer, 'media:transport-create', { roomId, direction: 'recv' });
    const sendT = await send<TransportOptions>(publisher, 'media:transport-create', { roomId, direction: 'send' });
    if (!recv.ok || !sendT.ok) throw new Error('transport failed');
    recvId = recv.data.id;
    sendId = sendT.data.id;
  });
  afterAll(async () => {
    viewer.disconnect();
    publisher.disconnect();
    await ctx.platform.close();
  });

  const producerId = '00000000-0000-4000-8000-000000000000';
  const codec = { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000 };

  it.each([
    ['a deeply nested capabilities object', () => nested(1000)],
    ['deep nesting beside real codecs', () => ({ codecs: [codec], extra: nested(900) })],
    ['deep nesting inside a codec', () => ({ codecs: [{ ...codec, parameters: nested(900) }] })],
    ['deep nesting in a header extension', () => ({ codecs: [codec], headerExtensions: [nested(900)] })],
    ['ten thousand codecs', () => ({ codecs: Array.from({ length: 10_000 }, () => codec) })],
    ['a huge string', () => ({ codecs: [{ ...codec, mimeType: 'x'.repeat(200_000) }] })],
    ['wrong types', () => ({ codecs: 'all of them' })],
    ['a codec of the wrong shape', () => ({ codecs: [{ kind: 'video', mimeType: 7 }] })],
  ])('media:consume with %s -> INVALID_PAYLOAD, no stack, server serving', async (_name, make) => {
    const before = await ctx.platform.media.stats();
    const result = await send(viewer, 'media:consume', { roomId, transportId: recvId, producerId, rtpCapabilities: make() });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(JSON.stringify(result)).not.toMatch(/at .*\.(ts|js):\d+|Maximum call stack/);
    expect(await ctx.platform.media.stats()).toEqual(before);
    // The connection still works: real capabilities reach mediasoup (no such producer here).
    expect(await send(viewer, 'media:consume', { roomId, transportId: recvId, producerId, rtpCapabilities: caps })).toMatchObject({
      ok: false,
      error: { code: 'CANNOT_CONSUME' },
    });
  });

  it.each([
    ['deeply nested rtpParameters', () => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], ...nested(900) }), 'ok'],
    ['nested codec parameters', () => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: nested(900) }] })],
    [
      'a thousand encodings',
      () => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: Array.from({ length: 1000 }, (_, i) => ({ ssrc: i + 1 })) }),
    ],
    ['an encoding of the wrong type', () => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 'many' }] })],
    ['a payload type out of range', () => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 1e9, clockRate: 90000 }] })],
  ])('media:produce with %s -> refused before mediasoup, nothing allocated', async (_name, make, unknownKeys?: string) => {
    const before = await ctx.platform.media.stats();
    const result = await send(publisher, 'media:produce', { roomId, transportId: sendId, kind: 'video', rtpParameters: make(), source: 'camera' });
    // Unknown keys are dropped (the nested junk never reaches mediasoup), so the rest is judged
    // by mediasoup on its own merits: these parameters lack what it needs (no encodings).
    const expected = unknownKeys ? ['INVALID_PAYLOAD', 'MEDIA_REJECTED'] : ['INVALID_PAYLOAD'];
    expect(result.ok).toBe(false);
    if (!result.ok) expect(expected).toContain(result.error.code);
    expect(JSON.stringify(result)).not.toMatch(/at .*\.(ts|js):\d+|Maximum call stack/);
    expect(await ctx.platform.media.stats()).toEqual(before);
  });

  it.each([
    ['nested fingerprints', { role: 'client', fingerprints: [nested(900)] }],
    ['a thousand fingerprints', { fingerprints: Array.from({ length: 1000 }, () => ({ algorithm: 'sha-256', value: 'AB:CD' })) }],
    ['an unknown algorithm', { fingerprints: [{ algorithm: 'md5', value: 'AB:CD' }] }],
    ['a wrong role', { role: 'admin', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] }],
  ])('media:transport-connect with %s -> INVALID_PAYLOAD', async (_name, dtlsParameters) => {
    const result = await send(viewer, 'media:transport-connect', { roomId, transportId: recvId, dtlsParameters });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('parameters as mediasoup-client sends them still work', async () => {
    const before = (await ctx.platform.media.stats()).producers;
    const result = await send<{ producerId: string }>(publisher, 'media:produce', {
      roomId,
      transportId: sendId,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        mid: '0',
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            parameters: {},
            rtcpFeedback: [
              { type: 'goog-remb', parameter: '' },
              { type: 'transport-cc', parameter: '' },
              { type: 'nack', parameter: 'pli' },
            ],
          },
          { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
        ],
        headerExtensions: [
          { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
          { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2, encrypt: false, parameters: {} },
        ],
        encodings: [
          { active: true, rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150000, scalabilityMode: 'L1T3', dtx: false },
          { active: true, rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500000, scalabilityMode: 'L1T3', dtx: false },
          { active: true, rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1500000, scalabilityMode: 'L1T3', dtx: false },
        ],
        rtcp: { cname: 'abcdEFGH', reducedSize: true },
      },
    });
    expect(result).toMatchObject({ ok: true });
    expect((await ctx.platform.media.stats()).producers).toBe(before + 1);
    // The viewer's own device capabilities (the router's, as a browser would echo) consume it.
    if (!result.ok) return;
    expect(await send(viewer, 'media:consume', { roomId, transportId: recvId, producerId: result.data.producerId, rtpCapabilities: caps })).toMatchObject({
      ok: true,
      data: { kind: 'video' },
    });
  });
});
