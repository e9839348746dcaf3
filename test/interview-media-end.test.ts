import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';
import type { TransportOptions } from '../signaling/src/protocol/index.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

const vp8 = (ssrc: number) => ({
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }],
  encodings: [{ ssrc }],
  rtcp: { cname: `end-${ssrc}` },
});

/**
 * Ending an interview closes its media room on every node and revokes publishing there: the
 * recruiter on one node, the seeker on another, each publishing; after the end both are told,
 * the worker holds nothing of the room, and new transports or streams are refused with CONFLICT.
 */
describe('ending an interview ends its media', () => {
  const nodes: Started[] = [];
  const clients: TestClient[] = [];
  let interviewId: string;
  let roomId: string;
  let seekerUser: SessionUser;
  let recruiterUser: SessionUser;

  beforeAll(async () => {
    nodes.push(await startPlatform({ redis: true }), await startPlatform({ redis: true }));
    const db = nodes[0]!.db;
    const make = fixtures(db);
    const { Xinghe: xinghe } = (await make.liveFair({ employers: ['Xinghe'] })).booths;
    const [seeker, recruiter] = [await make.account('seeker'), xinghe.owner];
    [seekerUser, recruiterUser] = [seeker, recruiter];
    const [entry] = await db
      .insert(schema.queueEntries)
      .values({ boothId: xinghe.id, seekerId: seeker.id, status: 'interviewing', calledAt: new Date(), calledBy: recruiter.id })
      .returning();
    const [interview] = await db
      .insert(schema.interviews)
      .values({ entryId: entry!.id, boothId: xinghe.id, seekerId: seeker.id, recruiterId: recruiter.id })
      .returning();
    interviewId = interview!.id;
    roomId = `interview:${interviewId}`;
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    for (const n of nodes) await n.platform.close();
  });

  const publishIn = async (c: TestClient, ssrc: number) => {
    const joined = await send<{ routerRtpCapabilities: Record<string, unknown> }>(c, 'interview:join', { interviewId });
    if (!joined.ok) throw new Error(`join failed: ${JSON.stringify(joined)}`);
    const t = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction: 'send' });
    if (!t.ok) throw new Error('no send transport');
    expect(await send(c, 'media:produce', { roomId, transportId: t.data.id, kind: 'video', rtpParameters: vp8(ssrc), source: 'camera' })).toMatchObject({
      ok: true,
    });
    expect(await send(c, 'media:transport-create', { roomId, direction: 'recv' })).toMatchObject({ ok: true });
    return t.data.id;
  };

  it('closes the room on both nodes, tells both sides, and refuses media afterwards', async () => {
    const recruiter = await connectTestClient(nodes[0]!.url, { cookie: await sessionCookie(nodes[0]!.platform.auth, recruiterUser.email) });
    const seeker = await connectTestClient(nodes[1]!.url, { cookie: await sessionCookie(nodes[1]!.platform.auth, seekerUser.email) });
    clients.push(recruiter, seeker);
    await publishIn(recruiter, 1111);
    const seekerTransport = await publishIn(seeker, 2222);
    expect(await nodes[0]!.platform.media.producers(roomId)).toHaveLength(1);
    expect(await nodes[1]!.platform.media.producers(roomId)).toHaveLength(1);

    const told = [recruiter, seeker].map((c) => waitFor(c, 'interview:state', (s) => s.interviewId === interviewId && s.endedAt !== null));
    const seekerStreamGone = waitFor(seeker, 'media:producer-closed', (p) => p.roomId === roomId);
    expect(await send(recruiter, 'interview:end', { interviewId })).toMatchObject({ ok: true });
    await Promise.all(told);
    await seekerStreamGone;

    // Nothing of the room is left on either node's worker.
    for (const node of nodes) {
      await expect.poll(() => node.platform.media.producers(roomId)).toEqual([]);
    }
    await expect.poll(async () => (await Promise.all(nodes.map((n) => n.platform.media.stats()))).map((s) => s.transports)).toEqual([0, 0]);

    // Publishing is revoked: no new transport of either direction, no stream, for either side.
    const before = await Promise.all(nodes.map((n) => n.platform.media.stats()));
    for (const c of [recruiter, seeker]) {
      for (const direction of ['send', 'recv'] as const) {
        expect(await send(c, 'media:transport-create', { roomId, direction })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      }
    }
    expect(
      await send(seeker, 'media:produce', { roomId, transportId: seekerTransport, kind: 'video', rtpParameters: vp8(3333), source: 'camera' }),
    ).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // Joining the ended interview again does not bring publishing back.
    expect(await send(seeker, 'interview:join', { interviewId })).toMatchObject({ ok: true });
    expect(await send(seeker, 'media:transport-create', { roomId, direction: 'send' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await Promise.all(nodes.map((n) => n.platform.media.stats()))).toEqual(before);
  });
});
