import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import type { CaptionLine, ChapterMarkItem, ExtrasState, PollItem } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, freshDatabase, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';

/**
 * Captions, polls and chapter marks over Socket.IO on two nodes sharing Postgres and Redis: the
 * host and a viewer on one node, the captioner and voters on the other.
 */
describe('broadcast captions, polls and chapters: two nodes', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let nodes: Array<Awaited<ReturnType<typeof startPlatform>>>;
  let broadcastId: string;
  const cookies: Record<'host' | 'captioner' | 'viewer', string> = { host: '', captioner: '', viewer: '' };
  let voterCookies: string[] = [];
  const clients: TestClient[] = [];
  const connect = async (node: number, cookie?: string) => {
    const c = await connectTestClient(nodes[node]!.url, cookie ? { cookie } : { deviceId: `device${clients.length}xyz` });
    clients.push(c);
    return c;
  };
  const join = async (c: TestClient) => {
    const r = await send<ExtrasState>(c, 'extras:join', { broadcastId });
    if (!r.ok) throw new Error(r.error.code);
    return r.data;
  };

  beforeAll(async () => {
    fresh = await freshDatabase('bextras');
    // A small caption allowance, so the test reaches it quickly; shared by the nodes through Redis.
    const env = { DATABASE_URL: fresh.url, AUTH_SECRET: 'e'.repeat(32), CAPTION_LINES_PER_SECOND: '1', CAPTION_LINES_BURST: '5' };
    nodes = [await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env })];
    const db = nodes[0]!.db;
    const make = fixtures(db);
    const [host, captioner, viewer] = [
      await make.account('employer', 'host'),
      await make.account('seeker', 'captioner'),
      await make.account('seeker', 'viewer'),
    ];
    const voters = await Promise.all(Array.from({ length: 6 }, (_, i) => make.account('seeker', `voter${i}`)));
    broadcastId = (await make.onAirBroadcast(host.id)).id;
    await nodes[0]!.platform.services.captions.assign(host, broadcastId, { email: captioner.email });
    const auth = nodes[0]!.platform.auth;
    cookies.host = await sessionCookie(auth, host.email);
    cookies.captioner = await sessionCookie(auth, captioner.email);
    cookies.viewer = await sessionCookie(auth, viewer.email);
    voterCookies = await Promise.all(voters.map((v) => sessionCookie(auth, v.email)));
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const n of nodes ?? []) await n.platform.close();
    await fresh?.drop();
  });

  it('carries caption lines across nodes, limited per user, refusing bad ones with codes', async () => {
    const host = await connect(0, cookies.host);
    const viewer = await connect(0, cookies.viewer);
    const visitor = await connect(0);
    const captioner = await connect(1, cookies.captioner);
    expect(await join(host)).toMatchObject({ canCaption: true, canHost: true, open: true, captions: [], polls: [] });
    expect(await join(viewer)).toMatchObject({ canCaption: false, canHost: false, canVote: true });
    expect(await join(visitor)).toMatchObject({ canCaption: false, canVote: false });
    expect(await join(captioner)).toMatchObject({ canCaption: true, canHost: false });

    const seen = waitFor(visitor, 'caption:line', (l) => l.body === '大家好，欢迎收看');
    const sent = await send<CaptionLine>(captioner, 'caption:send', { broadcastId, language: 'zh-CN', body: ' 大家好，欢迎收看 ' });
    expect(sent).toMatchObject({ ok: true, data: { language: 'zh-CN', body: '大家好，欢迎收看' } });
    expect((await seen)[0].startMs).toBeGreaterThan(0);

    expect(await send(viewer, 'caption:send', { broadcastId, language: 'en', body: 'not mine to send' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect(await send(captioner, 'caption:send', { broadcastId, language: 'fr', body: 'non' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect(await send(captioner, 'caption:send', { broadcastId, language: 'en', body: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    expect(await send(captioner, 'caption:send', { broadcastId, language: 'en', body: 'x'.repeat(201) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });

    // The allowance (at most 5 at any moment, then 1 a second) counts the user's lines on both nodes together.
    const captionerOn0 = await connect(0, cookies.captioner);
    const burst = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => send(i % 2 ? captioner : captionerOn0, 'caption:send', { broadcastId, language: 'en', body: `line ${i}` })),
    );
    const limited = burst.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeLessThan(burst.length);
    for (const r of limited) expect(r).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const rows = await nodes[0]!.db.select().from(schema.broadcastCaptions);
    // Every accepted line is stored once; refused ones are not.
    expect(rows).toHaveLength(1 + burst.filter((r) => r.ok).length);
    // A viewer joining later gets the latest line of each language.
    const late = await connect(1);
    expect((await join(late)).captions.map((c) => c.language)).toEqual(['en', 'zh-CN']);
  });

  it('runs a poll: votes from another node counted once each, results pushed live, closed for good', async () => {
    const host = await connect(0, cookies.host);
    const viewer = await connect(0, cookies.viewer);
    await join(host);
    await join(viewer);
    expect(await send(viewer, 'poll:create', { broadcastId, question: 'Mine?', options: ['a', 'b'], multiple: false })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect(await send(host, 'poll:create', { broadcastId, question: 'Too few', options: ['a'], multiple: false })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    const launched = waitFor(viewer, 'poll:updated', (p) => p.question === 'Where would you work?');
    const created = await send<PollItem>(host, 'poll:create', {
      broadcastId,
      question: 'Where would you work?',
      options: ['杭州', 'Shanghai', 'Remote'],
      multiple: false,
    });
    if (!created.ok) throw new Error(created.error.code);
    const pollId = created.data.id;
    await launched;

    const voters = await Promise.all(voterCookies.map((c) => connect(1, c)));
    const allIn = waitFor(viewer, 'poll:updated', (p) => p.id === pollId && p.voters === voters.length);
    // Each voter votes twice at once: one ballot each is taken, the other refused.
    const acks = await Promise.all(voters.flatMap((v, i) => [0, 1].map(() => send<PollItem>(v, 'poll:vote', { broadcastId, pollId, choices: [i % 3] }))));
    expect(acks.filter((a) => a.ok)).toHaveLength(voters.length);
    for (const a of acks.filter((a) => !a.ok)) expect(a).toMatchObject({ error: { code: 'CONFLICT' } });
    expect((await allIn)[0].counts).toEqual([2, 2, 2]);
    expect(await send(voters[0]!, 'poll:vote', { broadcastId, pollId, choices: [1] })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await send(viewer, 'poll:vote', { broadcastId, pollId, choices: [9] })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });

    const closedSeen = waitFor(viewer, 'poll:updated', (p) => p.id === pollId && p.closedAt !== null);
    expect(await send(host, 'poll:close', { broadcastId, pollId })).toMatchObject({ ok: true });
    expect((await closedSeen)[0].counts).toEqual([2, 2, 2]);
    expect(await send(viewer, 'poll:vote', { broadcastId, pollId, choices: [1] })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // The viewer's rejoin remembers the poll and who voted.
    const voterState = await join(voters[1]!);
    expect(voterState.polls).toHaveLength(1);
    expect(voterState.myVotes).toEqual({ [pollId]: [1] });
  });

  it('marks a chapter live for hosts only', async () => {
    const host = await connect(1, cookies.host);
    const viewer = await connect(0, cookies.viewer);
    await join(host);
    await join(viewer);
    expect(await send(viewer, 'chapter:mark', { broadcastId, title: 'Mine' })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    const marked = waitFor(viewer, 'chapter:marked', (m) => m.title === 'Salary questions');
    const r = await send<ChapterMarkItem>(host, 'chapter:mark', { broadcastId, title: ' Salary questions ' });
    expect(r).toMatchObject({ ok: true, data: { title: 'Salary questions' } });
    expect((await marked)[0].atMs).toBeGreaterThan(0);
    expect((await nodes[0]!.platform.services.chapters.list(null, broadcastId)).map((c) => c.title)).toEqual(['Salary questions']);
  });
});
