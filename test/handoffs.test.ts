import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import type { InterviewState, PanelMember, QueuePlace, TransportOptions } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';
import { vp8CameraParameters } from './rtp-parameters.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

const opus = (ssrc: number) => ({
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, minptime: 10 } }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `handoff-${ssrc}` },
});
const vp8 = (ssrc: number) => ({ ...vp8CameraParameters(`handoff-${ssrc}`), encodings: [{ ssrc, maxBitrate: 1_500_000, dtx: false }] });

/**
 * Hand-offs inside a booth over Socket.IO, on real Postgres, Redis and a mediasoup worker: a
 * recruiter sends a seeker back to the front of the line, transfers one to a colleague on duty
 * (called to that colleague first, or kept for them while they are busy), seats a panel of at
 * most 4 (also when invitations race) whose members all receive each other, and drops an
 * interview to audio only without ending it. Everyone else is refused with a code.
 */
describe('hand-offs inside a booth', () => {
  let node: Started;
  const clients: TestClient[] = [];
  let boothId: string;
  let lead: SessionUser;
  const team: SessionUser[] = [];
  let stranger: SessionUser;
  const seekers: SessionUser[] = [];
  const connect = async (user: SessionUser) => {
    const c = await connectTestClient(node.url, { cookie: await sessionCookie(node.platform.auth, user.email) });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    node = await startPlatform({ redis: true });
    const make = fixtures(node.db);
    const { Xinghe, GreenFields } = (await make.liveFair({ employers: ['Xinghe', 'GreenFields'] })).booths;
    boothId = Xinghe.id;
    lead = Xinghe.owner;
    stranger = GreenFields.owner;
    for (const label of ['Colleague B', 'Colleague C', 'Colleague D']) {
      const member = await make.account('employer', label);
      await node.db.insert(schema.employerMembers).values({ employerId: Xinghe.employerId, userId: member.id, role: 'recruiter' });
      team.push(member);
    }
    for (let i = 0; i < 6; i++) seekers.push(await make.account('seeker', `Handoff seeker ${i}`));
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await node?.platform.close();
  });

  const onDuty = async (user: SessionUser) => {
    const c = await connect(user);
    expect(await send(c, 'booth:join', { boothId })).toMatchObject({ ok: true });
    expect(await send(c, 'queue:duty', { boothId, onDuty: true })).toMatchObject({ ok: true });
    return c;
  };
  const joinLine = async (user: SessionUser) => {
    const c = await connect(user);
    const joined = await send<QueuePlace>(c, 'queue:join', { boothId });
    if (!joined.ok) throw new Error(JSON.stringify(joined.error));
    return { client: c, entryId: joined.data.entryId };
  };
  /** The recruiter calls next; the seeker (who must be the one called) accepts: the interview. */
  const interviewOf = async (recruiter: TestClient, seeker: { client: TestClient; entryId: string }) => {
    const called = await send<{ entryId: string } | null>(recruiter, 'queue:call-next', { boothId });
    expect(called).toMatchObject({ ok: true, data: { entryId: seeker.entryId } });
    const accepted = await send<{ interviewId: string }>(seeker.client, 'queue:accept', { entryId: seeker.entryId });
    if (!accepted.ok) throw new Error(JSON.stringify(accepted.error));
    return accepted.data.interviewId;
  };
  const placeOf = async (c: TestClient) => (await send<QueuePlace[]>(c, 'queue:places', {})) as { ok: true; data: QueuePlace[] };
  beforeEach(async () => {
    // Each case starts with an empty line and no open interview, whatever the previous one left.
    await node.db.update(schema.interviews).set({ endedAt: new Date() });
    await node.db.update(schema.queueEntries).set({ status: 'done', endedAt: new Date() });
  });

  it('sends a seeker back to the front of the line; only the interviewer can, once', async () => {
    const a = await onDuty(lead);
    const s0 = await joinLine(seekers[0]!);
    const s1 = await joinLine(seekers[1]!);
    const interviewId = await interviewOf(a, s0);
    expect((await placeOf(s1.client)).data[0]).toMatchObject({ position: 1 });

    // Nobody but the interviewer: not the seeker, a colleague, or another employer's recruiter.
    const b = await connect(team[0]!);
    const e = await connect(stranger);
    for (const c of [s0.client, b, e]) {
      expect(await send(c, 'interview:send-back', { interviewId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    }
    expect(await send(a, 'interview:send-back', { interviewId: 'nope' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });

    const handedOff = waitFor(s0.client, 'interview:handed-off', (p) => p.interviewId === interviewId);
    const sent = await send<{ entryId: string }>(a, 'interview:send-back', { interviewId });
    expect(sent.ok).toBe(true);
    expect((await handedOff)[0]).toMatchObject({ to: 'line', boothId });
    // Ahead of the seeker who was waiting, with the original join time; the interview has ended.
    const [back] = (await placeOf(s0.client)).data;
    expect(back).toMatchObject({ status: 'waiting', position: 1 });
    expect((await placeOf(s1.client)).data[0]).toMatchObject({ position: 2 });
    const [interview] = await node.db.select().from(schema.interviews).where(eq(schema.interviews.id, interviewId));
    expect(interview!.endedAt).not.toBeNull();
    const entries = await node.db.select().from(schema.queueEntries).where(eq(schema.queueEntries.seekerId, seekers[0]!.id));
    expect(entries.map((x) => x.status).sort()).toEqual(['done', 'waiting']);
    expect(new Set(entries.map((x) => x.joinedAt.getTime())).size).toBe(1);
    // Not a second join in the funnel.
    const joins = await node.db
      .select()
      .from(schema.countedEvents)
      .where(and(eq(schema.countedEvents.kind, 'queue_joined'), eq(schema.countedEvents.actor, seekers[0]!.id)));
    expect(joins).toHaveLength(1);
    // Once: the interview has ended.
    expect(await send(a, 'interview:send-back', { interviewId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // The next call is the seeker sent back.
    expect(await send(a, 'queue:call-next', { boothId })).toMatchObject({ ok: true, data: { entryId: back!.entryId } });
  });

  it('transfers a seeker to a colleague on duty, who is called for them first', async () => {
    const a = await onDuty(lead);
    const b = await onDuty(team[0]!);
    const s2 = await joinLine(seekers[2]!);
    const s3 = await joinLine(seekers[3]!);
    const interviewId = await interviewOf(a, s2);

    // Off duty, another employer's, oneself: refused, and nothing changed.
    const refusals = [
      [team[1]!.id, 'CONFLICT'],
      [stranger.id, 'NOT_AUTHORIZED'],
      [lead.id, 'INVALID_PAYLOAD'],
    ] as const;
    for (const [colleagueId, code] of refusals) {
      expect(await send(a, 'interview:transfer', { interviewId, colleagueId })).toMatchObject({ ok: false, error: { code } });
    }
    expect(await send(b, 'interview:transfer', { interviewId, colleagueId: team[0]!.id })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    const [still] = await node.db.select().from(schema.interviews).where(eq(schema.interviews.id, interviewId));
    expect(still!.endedAt).toBeNull();

    const calledToB = waitFor(s2.client, 'queue:place', (p) => p.status === 'called');
    const moved = await send<{ entryId: string; called: boolean }>(a, 'interview:transfer', { interviewId, colleagueId: team[0]!.id });
    expect(moved, JSON.stringify(moved)).toMatchObject({ ok: true, data: { called: true } });
    const [place] = await calledToB;
    // B's interview with the seeker: B is told it is ready, the interview is B's.
    const ready = waitFor(b, 'interview:ready', () => true);
    const accepted = await send<{ interviewId: string }>(s2.client, 'queue:accept', { entryId: place.entryId });
    if (!accepted.ok) throw new Error(JSON.stringify(accepted.error));
    expect((await ready)[0].interviewId).toBe(accepted.data.interviewId);
    const [second] = await node.db.select().from(schema.interviews).where(eq(schema.interviews.id, accepted.data.interviewId));
    expect(second).toMatchObject({ recruiterId: team[0]!.id, seekerId: seekers[2]!.id });
    expect(await send(b, 'interview:join', { interviewId: accepted.data.interviewId })).toMatchObject({ ok: true, data: { role: 'recruiter' } });

    // B is busy now: a transfer to B is kept for B. A's next call passes over it (s3 instead).
    const interview3 = await interviewOf(a, s3);
    expect(await send(a, 'interview:transfer', { interviewId: interview3, colleagueId: team[0]!.id })).toMatchObject({ ok: true, data: { called: false } });
    expect((await placeOf(s3.client)).data[0]).toMatchObject({ status: 'waiting', position: 1 });
    const s4 = await joinLine(seekers[4]!);
    expect(await send(a, 'queue:call-next', { boothId })).toMatchObject({ ok: true, data: { entryId: s4.entryId } });
    // B finishes, calls next: the seeker kept for B, not the line's order.
    expect(await send(b, 'interview:end', { interviewId: accepted.data.interviewId })).toMatchObject({ ok: true });
    const kept = (await placeOf(s3.client)).data[0]!;
    expect(await send(b, 'queue:call-next', { boothId })).toMatchObject({ ok: true, data: { entryId: kept.entryId } });
  });

  it('seats a panel of at most 4, also when invitations race; all of it receives each other', async () => {
    const a = await onDuty(lead);
    const s5 = await joinLine(seekers[5]!);
    const interviewId = await interviewOf(a, s5);
    const roomId = `interview:${interviewId}`;

    // Another employer's recruiter and the seeker are not colleagues; a seeker cannot invite.
    expect(await send(a, 'interview:invite', { interviewId, userId: stranger.id, role: 'recruiter' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect(await send(s5.client, 'interview:invite', { interviewId, userId: team[0]!.id, role: 'recruiter' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect(await send(a, 'interview:invite', { interviewId, userId: team[0]!.id, role: 'boss' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });

    // Three invitations at once: two seats are left beside the seeker and the recruiter.
    const b = await connect(team[0]!);
    const invited = waitFor(b, 'interview:invited', (p) => p.interviewId === interviewId).catch(() => null);
    const roles = ['recruiter', 'interpreter', 'recruiter'] as const;
    const raced = await Promise.all(team.map((t, i) => send<PanelMember[]>(a, 'interview:invite', { interviewId, userId: t.id, role: roles[i] })));
    expect(raced.filter((r) => r.ok)).toHaveLength(2);
    expect(raced.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code))).toEqual(['PANEL_FULL']);
    const seated = await node.db.select().from(schema.interviewParticipants).where(eq(schema.interviewParticipants.interviewId, interviewId));
    expect(seated).toHaveLength(2);
    const seatedIds = new Set(seated.map((s) => s.userId));
    const left = team.find((t) => !seatedIds.has(t.id))!;

    // The panel joins the room; the one left out cannot.
    const panel = await Promise.all(team.filter((t) => seatedIds.has(t.id)).map(connect));
    if (seatedIds.has(team[0]!.id)) expect((await invited)?.[0]).toMatchObject({ interviewId, byName: lead.name });
    expect(await send(await connect(left), 'interview:join', { interviewId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });

    // Everyone (4 people) publishes a camera and receives the other three.
    const everyone = [a, s5.client, ...panel];
    const published: string[] = [];
    const recv: string[] = [];
    let caps: Record<string, unknown> = {};
    for (const [i, c] of everyone.entries()) {
      const joined = await send<InterviewState>(c, 'interview:join', { interviewId });
      if (!joined.ok) throw new Error(JSON.stringify(joined.error));
      expect(joined.data.panel).toHaveLength(2);
      caps = joined.data.routerRtpCapabilities as unknown as Record<string, unknown>;
      const t = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction: 'send' });
      if (!t.ok) throw new Error(JSON.stringify(t.error));
      const produced = await send<{ producerId: string }>(c, 'media:produce', {
        roomId,
        transportId: t.data.id,
        kind: 'video',
        rtpParameters: vp8(5000 + i),
        source: 'camera',
      });
      if (!produced.ok) throw new Error(JSON.stringify(produced.error));
      published.push(produced.data.producerId);
      const r = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction: 'recv' });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      recv.push(r.data.id);
    }
    for (const [i, c] of everyone.entries()) {
      for (const [j, producerId] of published.entries()) {
        if (i === j) continue;
        expect(await send(c, 'media:consume', { roomId, transportId: recv[i], producerId, rtpCapabilities: caps })).toMatchObject({ ok: true });
      }
    }
    expect(await node.platform.media.producers(roomId)).toHaveLength(4);
    // A panel guest leaves; only the seeker or the interviewer ends it for everyone.
    expect(await send(panel[0]!, 'interview:end', { interviewId })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
  });

  it('drops an interview to audio only: cameras close and are refused, the interview and its audio go on', async () => {
    const a = await onDuty(lead);
    const seeker = await joinLine(seekers[0]!);
    const interviewId = await interviewOf(a, seeker);
    const roomId = `interview:${interviewId}`;
    const interpreter = await connect(team[1]!);
    expect(await send(a, 'interview:invite', { interviewId, userId: team[1]!.id, role: 'interpreter' })).toMatchObject({ ok: true });

    const transports = new Map<TestClient, string>();
    for (const [i, c] of [a, seeker.client].entries()) {
      expect(await send(c, 'interview:join', { interviewId })).toMatchObject({ ok: true, data: { audioOnly: false } });
      const t = await send<TransportOptions>(c, 'media:transport-create', { roomId, direction: 'send' });
      if (!t.ok) throw new Error(JSON.stringify(t.error));
      transports.set(c, t.data.id);
      for (const [kind, rtpParameters, source] of [
        ['video', vp8(7000 + i), 'camera'],
        ['audio', opus(7100 + i), 'mic'],
      ] as const) {
        expect(await send(c, 'media:produce', { roomId, transportId: t.data.id, kind, rtpParameters, source })).toMatchObject({ ok: true });
      }
    }
    expect((await node.platform.media.producers(roomId)).map((p) => p.kind).sort()).toEqual(['audio', 'audio', 'video', 'video']);

    // Only the interview's recruiters: not the seeker, not the interpreter.
    await send(interpreter, 'interview:join', { interviewId });
    for (const c of [seeker.client, interpreter]) {
      expect(await send(c, 'interview:audio-only', { interviewId, audioOnly: true })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    }

    const told = waitFor(seeker.client, 'interview:state', (s) => s.interviewId === interviewId && s.audioOnly);
    const cameraGone = waitFor(seeker.client, 'media:producer-closed', (p) => p.roomId === roomId);
    expect(await send(a, 'interview:audio-only', { interviewId, audioOnly: true })).toMatchObject({ ok: true });
    expect((await told)[0]).toMatchObject({ endedAt: null, audioOnly: true });
    await cameraGone;
    await expect.poll(async () => (await node.platform.media.producers(roomId)).map((p) => p.kind)).toEqual(['audio', 'audio']);

    // A camera is refused while audio only; a microphone is not; the interview has not ended.
    const st = transports.get(seeker.client)!;
    expect(await send(seeker.client, 'media:produce', { roomId, transportId: st, kind: 'video', rtpParameters: vp8(7200), source: 'camera' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    const [row] = await node.db.select().from(schema.interviews).where(eq(schema.interviews.id, interviewId));
    expect(row).toMatchObject({ endedAt: null, audioOnly: true });
    expect(await send(seeker.client, 'interview:join', { interviewId })).toMatchObject({ ok: true, data: { audioOnly: true, endedAt: null } });

    // Back to video: cameras are accepted again.
    expect(await send(a, 'interview:audio-only', { interviewId, audioOnly: false })).toMatchObject({ ok: true });
    // (The join above started the seeker's media afresh, as a page reload does: a new transport.)
    const fresh = await send<TransportOptions>(seeker.client, 'media:transport-create', { roomId, direction: 'send' });
    if (!fresh.ok) throw new Error(JSON.stringify(fresh.error));
    const again = await send(seeker.client, 'media:produce', { roomId, transportId: fresh.data.id, kind: 'video', rtpParameters: vp8(7300), source: 'camera' });
    expect(again, JSON.stringify(again)).toMatchObject({ ok: true });
  });
});
