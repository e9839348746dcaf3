import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { CHAT_MAX_LENGTH, QUESTION_MAX_LENGTH, SLOW_MODE_MAX_SECONDS } from '@fairground/core/schemas';
import type { BroadcastChatLine, BroadcastChatState, BroadcastQuestionItem } from '../signaling/src/protocol/index.ts';
import { fixtures } from './fixtures.ts';
import { connectTestClient, freshDatabase, send, sessionCookie, startPlatform, waitFor, type TestClient } from './helpers.ts';

/**
 * A broadcast's chat and Q&A over Socket.IO on two nodes sharing Postgres and Redis: the host on
 * one node, viewers on the other. Every refusal carries its code and changes nothing.
 */
describe('broadcast chat and Q&A: two nodes', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let nodes: Array<Awaited<ReturnType<typeof startPlatform>>>;
  let broadcastId: string;
  let seekerId: string;
  const cookies: Record<'seeker' | 'viewer' | 'host', string> = { seeker: '', viewer: '', host: '' };
  const clients: TestClient[] = [];
  const connect = async (node: number, cookie?: string) => {
    const c = await connectTestClient(nodes[node]!.url, cookie ? { cookie } : { deviceId: `device${clients.length}xyz` });
    clients.push(c);
    return c;
  };
  const join = async (c: TestClient) => {
    const r = await send<BroadcastChatState>(c, 'chat:join', { broadcastId });
    if (!r.ok) throw new Error(r.error.code);
    return r.data;
  };
  const tables = async () => {
    const db = nodes[0]!.db;
    return {
      messages: await db.select().from(schema.broadcastMessages).orderBy(schema.broadcastMessages.seq),
      questions: await db.select().from(schema.broadcastQuestions).orderBy(schema.broadcastQuestions.askedAt),
      votes: await db.select().from(schema.broadcastQuestionVotes),
      mutes: await db.select().from(schema.broadcastMutes),
    };
  };

  beforeAll(async () => {
    fresh = await freshDatabase('bchatflow');
    const env = { DATABASE_URL: fresh.url, AUTH_SECRET: 'c'.repeat(32) };
    nodes = [await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env })];
    const db = nodes[0]!.db;
    const make = fixtures(db);
    const upcoming = await make.upcomingBroadcast();
    broadcastId = upcoming.broadcast.id;
    const [seeker, viewer] = [await make.account('seeker'), await make.account('employer', 'viewer')];
    seekerId = seeker.id;
    const auth = nodes[0]!.platform.auth;
    cookies.seeker = await sessionCookie(auth, seeker.email);
    cookies.viewer = await sessionCookie(auth, viewer.email);
    // The broadcast's host: the organizer who made it.
    cookies.host = await sessionCookie(auth, upcoming.organizer.email);
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const n of nodes ?? []) await n.platform.close();
    await fresh?.drop();
  });

  it('carries chat, questions and moderation live across nodes, with refusals that change nothing', async () => {
    const host = await connect(0, cookies.host);
    const seeker = await connect(1, cookies.seeker);
    const viewer = await connect(1, cookies.viewer);
    const visitor = await connect(0);
    const hostState = await join(host);
    expect(hostState).toMatchObject({ canModerate: true, canPost: true, messages: [], questions: [] });
    // The page sizes its fields from the server's limits, never from copied numbers.
    expect(hostState.limits).toEqual({ messageMaxLength: CHAT_MAX_LENGTH, questionMaxLength: QUESTION_MAX_LENGTH, slowModeMaxSeconds: SLOW_MODE_MAX_SECONDS });
    expect(await join(seeker)).toMatchObject({ canModerate: false, canPost: true, muted: false });
    await join(viewer);
    expect(await join(visitor)).toMatchObject({ canModerate: false, canPost: false });

    // A message from node 1 reaches the host on node 0 and the visitor.
    const heard = waitFor(host, 'chat:message', (m) => m.body === 'Hello from node 1');
    const visitorHeard = waitFor(visitor, 'chat:message', (m) => m.body === 'Hello from node 1');
    const sent = await send<BroadcastChatLine>(seeker, 'chat:send', { broadcastId, body: '  Hello from node 1 ' });
    expect(sent).toMatchObject({ ok: true, data: { body: 'Hello from node 1', authorId: seekerId, fromHost: false } });
    await Promise.all([heard, visitorHeard]);

    // Signed-out visitors read but do not post.
    let before = await tables();
    expect(await send(visitor, 'chat:send', { broadcastId, body: 'hi' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await send(visitor, 'question:ask', { broadcastId, body: 'hi?' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // Over-long text is refused at the edge.
    const long = await send(seeker, 'question:ask', { broadcastId, body: 'q'.repeat(301) });
    expect(long).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', details: { body: expect.any(String) } } });
    expect(await send(seeker, 'chat:send', { broadcastId, body: 'x'.repeat(501) })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await send(seeker, 'chat:send', { broadcastId, body: 'hi', html: '<b>' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    // A non-moderator deleting a message is refused.
    expect(await send(viewer, 'chat:delete', { broadcastId, messageId: sent.ok ? sent.data.id : '' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORIZED' },
    });
    expect(await send(seeker, 'chat:mute', { broadcastId, userId: seekerId, muted: true })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
    expect(await tables()).toEqual(before);

    // A question, upvoted twice by one viewer: one vote, no error.
    const asked = waitFor(host, 'question:updated', (q) => q.body === 'Does this job pay social insurance?' && q.votes === 0);
    const q = await send<BroadcastQuestionItem>(seeker, 'question:ask', { broadcastId, body: 'Does this job pay social insurance?' });
    if (!q.ok) throw new Error(q.error.code);
    await asked;
    const voted = waitFor(host, 'question:updated', (u) => u.id === q.data.id && u.votes === 1);
    expect(await send(viewer, 'question:vote', { broadcastId, questionId: q.data.id })).toMatchObject({ ok: true, data: { votes: 1 } });
    await voted;
    before = await tables();
    expect(await send(viewer, 'question:vote', { broadcastId, questionId: q.data.id })).toMatchObject({ ok: true, data: { votes: 1 } });
    expect(await tables()).toEqual(before);
    expect((await join(viewer)).myVotes).toEqual([q.data.id]);

    // The host pins and answers; viewers on the other node see both.
    const pinned = waitFor(seeker, 'question:updated', (u) => u.id === q.data.id && u.pinned);
    expect(await send(host, 'question:pin', { broadcastId, questionId: q.data.id, pinned: true })).toEqual({ ok: true, data: null });
    await pinned;
    const answered = waitFor(viewer, 'question:updated', (u) => u.id === q.data.id && u.answered);
    expect(await send(host, 'question:answer', { broadcastId, questionId: q.data.id, answered: true })).toEqual({ ok: true, data: null });
    await answered;

    // The host deletes a message: gone for everyone, live.
    const spam = await send<BroadcastChatLine>(viewer, 'chat:send', { broadcastId, body: 'buy followers' });
    if (!spam.ok) throw new Error(spam.error.code);
    const deleted = waitFor(seeker, 'chat:deleted', (d) => d.messageId === spam.data.id);
    expect(await send(host, 'chat:delete', { broadcastId, messageId: spam.data.id })).toEqual({ ok: true, data: null });
    await deleted;
    expect((await join(visitor)).messages.map((m) => m.body)).toEqual(['Hello from node 1']);
    expect((await tables()).messages.find((m) => m.id === spam.data.id)?.deletedAt).toBeInstanceOf(Date);

    // The host mutes the seeker: told live, then refused with the reason.
    const told = waitFor(seeker, 'chat:muted', (m) => m.userId === seekerId && m.muted);
    expect(await send(host, 'chat:mute', { broadcastId, userId: seekerId, muted: true })).toEqual({ ok: true, data: null });
    await told;
    before = await tables();
    const refused = await send(seeker, 'chat:send', { broadcastId, body: 'let me speak' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'MUTED', message: expect.stringMatching(/muted/) } });
    expect(await send(seeker, 'question:ask', { broadcastId, body: 'why?' })).toMatchObject({ ok: false, error: { code: 'MUTED' } });
    expect(await tables()).toEqual(before);
    expect(await join(seeker)).toMatchObject({ muted: true });
    expect((await join(host)).mutedUserIds).toEqual([seekerId]);
    expect(await send(host, 'chat:mute', { broadcastId, userId: seekerId, muted: false })).toEqual({ ok: true, data: null });

    // Slow mode: the second message inside the window is refused with the wait.
    const settings = waitFor(viewer, 'chat:settings', (s) => s.slowModeSeconds === 30);
    expect(await send(host, 'chat:slow-mode', { broadcastId, seconds: 30 })).toEqual({ ok: true, data: null });
    await settings;
    // The seeker spoke a moment ago, so must wait; the host is not slowed down.
    before = await tables();
    const slow = await send(seeker, 'chat:send', { broadcastId, body: 'two' });
    expect(slow).toMatchObject({ ok: false, error: { code: 'SLOW_MODE', retryAfterSeconds: expect.any(Number) } });
    expect(!slow.ok && slow.error.retryAfterSeconds).toBeGreaterThan(0);
    expect(!slow.ok && slow.error.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(await tables()).toEqual(before);
    expect(await send(host, 'chat:send', { broadcastId, body: 'Welcome' })).toMatchObject({ ok: true, data: { fromHost: true } });
    expect(await send(host, 'chat:send', { broadcastId, body: 'Questions go in the Questions tab' })).toMatchObject({ ok: true });
    expect(await send(host, 'chat:slow-mode', { broadcastId, seconds: 0 })).toEqual({ ok: true, data: null });
  });

  it('gives a reconnecting client the recent history', async () => {
    const first = await connect(0, cookies.viewer);
    await join(first);
    const r = await send<BroadcastChatLine>(first, 'chat:send', { broadcastId, body: 'Before the drop' });
    expect(r.ok).toBe(true);
    first.disconnect();
    const again = await connect(1, cookies.viewer);
    const state = await join(again);
    expect(state.messages.at(-1)?.body).toBe('Before the drop');
    expect(state.questions.map((q) => q.body)).toContain('Does this job pay social insurance?');
    expect(state.questions[0]).toMatchObject({ pinned: true, answered: true, votes: 1 });
  });
});
