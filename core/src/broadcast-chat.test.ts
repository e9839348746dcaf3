import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { BroadcastChat } from './broadcast-chat.ts';
import { CHAT_MAX_LENGTH, QUESTION_MAX_LENGTH } from './schemas.ts';

const { broadcastMessages, broadcastQuestions, broadcastQuestionVotes, broadcastMutes, broadcastChatSettings } = schema;

describe('BroadcastChat on real Postgres (no sockets)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let chat: BroadcastChat;
  let broadcastId: string;
  let seeker: SessionUser;
  let viewer2: SessionUser;
  let host: SessionUser;
  let organizer: SessionUser;
  const t0 = new Date();
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  /** Every chat table's rows, to show that a refusal changed nothing. */
  const snapshot = async () => ({
    messages: await database.db.select().from(broadcastMessages).orderBy(broadcastMessages.seq),
    questions: await database.db.select().from(broadcastQuestions).orderBy(broadcastQuestions.askedAt),
    votes: await database.db.select().from(broadcastQuestionVotes),
    mutes: await database.db.select().from(broadcastMutes),
    settings: await database.db.select().from(broadcastChatSettings),
  });

  beforeAll(async () => {
    fresh = await freshDatabase('bchat');
    database = fresh.database;
    chat = new BroadcastChat(database.db, { messagesPerWindow: 5, questionsPerWindow: 3, windowSeconds: 30, historySize: 100 });
    const make = fixtures(database.db);
    seeker = await make.account('seeker');
    viewer2 = await make.account('employer', 'viewer');
    host = await make.account('employer', 'host');
    const upcoming = await make.upcomingBroadcast();
    organizer = upcoming.organizer;
    broadcastId = upcoming.broadcast.id;
    // A second host who is not an organizer: hosting alone makes one a moderator.
    await database.db.insert(schema.broadcastHosts).values({ broadcastId, userId: host.id });
  });
  afterAll(() => fresh?.drop());

  beforeEach(async () => {
    for (const table of [broadcastQuestionVotes, broadcastQuestions, broadcastMessages, broadcastMutes, broadcastChatSettings]) {
      await database.db.delete(table);
    }
  });

  it('lets visitors read but not post, and keeps one order with host badges', async () => {
    await chat.send(seeker, broadcastId, { body: '  你好 hello  ' }, at(0));
    await chat.send(host, broadcastId, { body: 'Welcome, everyone' }, at(1));
    await chat.send(viewer2, broadcastId, { body: '<b>not bold</b>' }, at(2));
    const history = await chat.history(null, broadcastId);
    expect(history.messages.map((m) => [m.body, m.fromHost])).toEqual([
      ['你好 hello', false],
      ['Welcome, everyone', true],
      ['<b>not bold</b>', false],
    ]);
    expect(history).toMatchObject({ canModerate: false, muted: false, myVotes: [], mutedUserIds: [], slowModeSeconds: 0 });
    const before = await snapshot();
    await expect(chat.send(null, broadcastId, { body: 'hi' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(chat.ask(null, broadcastId, { body: 'hi?' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(chat.vote(null, broadcastId, crypto.randomUUID())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await snapshot()).toEqual(before);
    expect((await chat.history(host, broadcastId)).canModerate).toBe(true);
    expect((await chat.history(organizer, broadcastId)).canModerate).toBe(true);
  });

  it('refuses over-long and empty text as INVALID, changing nothing', async () => {
    const before = await snapshot();
    await expect(chat.send(seeker, broadcastId, { body: 'x'.repeat(CHAT_MAX_LENGTH + 1) })).rejects.toMatchObject({
      code: 'INVALID',
      fields: { body: 'too_long' },
    });
    await expect(chat.ask(seeker, broadcastId, { body: 'q'.repeat(QUESTION_MAX_LENGTH + 1) })).rejects.toMatchObject({
      code: 'INVALID',
      fields: { body: 'too_long' },
    });
    await expect(chat.send(seeker, broadcastId, { body: '   ' })).rejects.toMatchObject({ code: 'INVALID', fields: { body: 'required' } });
    expect(await snapshot()).toEqual(before);
    // Exactly at the limit is fine.
    await chat.ask(seeker, broadcastId, { body: 'q'.repeat(QUESTION_MAX_LENGTH) });
  });

  it('counts one vote per user and sorts questions by votes, then time', async () => {
    const a = await chat.ask(seeker, broadcastId, { body: 'Does this job pay social insurance?' }, at(0));
    const b = await chat.ask(viewer2, broadcastId, { body: 'What start-up subsidies are there?' }, at(1));
    const c = await chat.ask(seeker, broadcastId, { body: 'Is there housing?' }, at(2));
    expect((await chat.questions(broadcastId)).map((q) => q.id)).toEqual([a.id, b.id, c.id]);

    const first = await chat.vote(seeker, broadcastId, c.id);
    expect(first).toMatchObject({ changed: true, question: { votes: 1 } });
    const before = await snapshot();
    const again = await chat.vote(seeker, broadcastId, c.id);
    expect(again).toMatchObject({ changed: false, question: { votes: 1 } });
    expect(await snapshot()).toEqual(before);
    // Concurrent double votes of one user still count once.
    await Promise.all([chat.vote(viewer2, broadcastId, b.id), chat.vote(viewer2, broadcastId, b.id), chat.vote(viewer2, broadcastId, b.id)]);
    await chat.vote(host, broadcastId, c.id);
    const sorted = await chat.questions(broadcastId);
    expect(sorted.map((q) => [q.id, q.votes])).toEqual([
      [c.id, 2],
      [b.id, 1],
      [a.id, 0],
    ]);
    const votes = await database.db.select().from(broadcastQuestionVotes);
    expect(votes.length).toBe(3);
    expect((await chat.history(viewer2, broadcastId)).myVotes).toEqual([b.id]);
    await expect(chat.vote(seeker, broadcastId, crypto.randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets moderators pin (one at a time) and mark answered; nobody else', async () => {
    const a = await chat.ask(seeker, broadcastId, { body: 'First?' }, at(0));
    const b = await chat.ask(viewer2, broadcastId, { body: 'Second?' }, at(1));
    await chat.vote(seeker, broadcastId, a.id);
    const before = await snapshot();
    await expect(chat.pin(seeker, broadcastId, b.id, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.markAnswered(viewer2, broadcastId, b.id, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.deleteQuestion(seeker, broadcastId, b.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.pin(null, broadcastId, b.id, true)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await snapshot()).toEqual(before);

    expect((await chat.pin(host, broadcastId, b.id, true)).map((q) => [q.id, q.pinned])).toEqual([[b.id, true]]);
    // A pinned question comes first whatever its votes.
    expect((await chat.questions(broadcastId)).map((q) => q.id)).toEqual([b.id, a.id]);
    const changed = await chat.pin(organizer, broadcastId, a.id, true);
    expect(changed.map((q) => [q.id, q.pinned]).sort()).toEqual(
      [
        [a.id, true],
        [b.id, false],
      ].sort(),
    );
    expect(await chat.markAnswered(host, broadcastId, a.id, true)).toMatchObject({ id: a.id, answered: true });
    expect(await chat.markAnswered(host, broadcastId, a.id, false)).toMatchObject({ answered: false });
    await chat.deleteQuestion(host, broadcastId, b.id);
    await chat.deleteQuestion(host, broadcastId, b.id);
    expect((await chat.questions(broadcastId)).map((q) => q.id)).toEqual([a.id]);
  });

  it('lets only moderators delete a message; it is gone from everyone’s history', async () => {
    const m1 = await chat.send(seeker, broadcastId, { body: 'spam spam' }, at(0));
    const m2 = await chat.send(viewer2, broadcastId, { body: 'a fair question' }, at(1));
    const before = await snapshot();
    await expect(chat.deleteMessage(viewer2, broadcastId, m1.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.deleteMessage(seeker, broadcastId, m1.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.deleteMessage(null, broadcastId, m1.id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await snapshot()).toEqual(before);

    expect(await chat.deleteMessage(host, broadcastId, m1.id)).toEqual({ messageId: m1.id });
    expect(await chat.deleteMessage(organizer, broadcastId, m1.id)).toEqual({ messageId: m1.id });
    expect((await chat.history(null, broadcastId)).messages.map((m) => m.id)).toEqual([m2.id]);
    await expect(chat.deleteMessage(host, broadcastId, crypto.randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a muted user’s messages and questions with MUTED until unmuted', async () => {
    const before = await snapshot();
    await expect(chat.setMuted(viewer2, broadcastId, seeker.id, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.setMuted(organizer, broadcastId, host.id, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect(await snapshot()).toEqual(before);

    await chat.setMuted(host, broadcastId, seeker.id, true);
    await chat.setMuted(host, broadcastId, seeker.id, true);
    const muted = await snapshot();
    await expect(chat.send(seeker, broadcastId, { body: 'let me speak' })).rejects.toMatchObject({ code: 'MUTED' });
    await expect(chat.ask(seeker, broadcastId, { body: 'why?' })).rejects.toMatchObject({ code: 'MUTED' });
    expect(await snapshot()).toEqual(muted);
    expect(await chat.history(seeker, broadcastId)).toMatchObject({ muted: true, mutedUserIds: [] });
    expect((await chat.history(host, broadcastId)).mutedUserIds).toEqual([seeker.id]);
    // Others still talk.
    await chat.send(viewer2, broadcastId, { body: 'still here' });

    await chat.setMuted(organizer, broadcastId, seeker.id, false);
    await chat.send(seeker, broadcastId, { body: 'thanks' });
  });

  it('applies slow mode per user, with the wait in the refusal', async () => {
    await expect(chat.setSlowMode(seeker, broadcastId, { seconds: 10 })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(chat.setSlowMode(host, broadcastId, { seconds: -1 })).rejects.toMatchObject({ code: 'INVALID' });
    expect(await chat.slowModeSeconds(broadcastId)).toBe(0);
    expect(await chat.setSlowMode(host, broadcastId, { seconds: 10 })).toBe(10);

    await chat.send(seeker, broadcastId, { body: 'one' }, at(0));
    await chat.send(viewer2, broadcastId, { body: 'another person' }, at(1));
    const before = await snapshot();
    await expect(chat.send(seeker, broadcastId, { body: 'two' }, at(3))).rejects.toMatchObject({ code: 'SLOW_MODE', retryAfterSeconds: 7 });
    expect(await snapshot()).toEqual(before);
    // Moderators are exempt.
    await chat.send(host, broadcastId, { body: 'host one' }, at(3));
    await chat.send(host, broadcastId, { body: 'host two' }, at(4));
    await chat.send(seeker, broadcastId, { body: 'two' }, at(10));
    await chat.setSlowMode(organizer, broadcastId, { seconds: 0 });
    await chat.send(seeker, broadcastId, { body: 'three' }, at(11));
  });

  it('serialises one user’s concurrent sends, so slow mode cannot be raced past', async () => {
    await chat.setSlowMode(host, broadcastId, { seconds: 30 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => chat.send(seeker, broadcastId, { body: `burst ${i}` }, at(0))));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('SLOW_MODE'));
    expect((await database.db.select().from(broadcastMessages)).length).toBe(1);
  });

  it('rate-limits messages and questions per user', async () => {
    for (let i = 0; i < 5; i++) await chat.send(seeker, broadcastId, { body: `m${i}` }, at(i));
    await expect(chat.send(seeker, broadcastId, { body: 'm5' }, at(5))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 25 });
    // Another user is not affected; the first may speak again once the window has passed.
    await chat.send(viewer2, broadcastId, { body: 'hello' }, at(5));
    await chat.send(seeker, broadcastId, { body: 'm6' }, at(31));

    for (let i = 0; i < 3; i++) await chat.ask(seeker, broadcastId, { body: `q${i}?` }, at(i));
    await expect(chat.ask(seeker, broadcastId, { body: 'q3?' }, at(3))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect((await chat.questions(broadcastId)).length).toBe(3);
  });

  it('keeps an ended broadcast read-only and hides drafts from viewers', async () => {
    const [b] = await database.db.select().from(schema.broadcasts).where(eq(schema.broadcasts.id, broadcastId));
    const late = new Date(b!.endsAt.getTime() + 1000);
    await expect(chat.send(seeker, broadcastId, { body: 'late' }, late)).rejects.toMatchObject({ code: 'CONFLICT' });
    // The state a joining client gets says so, so the page offers no composer, vote or slow mode.
    expect((await chat.history(seeker, broadcastId, late)).open).toBe(false);
    expect((await chat.history(seeker, broadcastId, new Date(b!.endsAt.getTime() - 1000))).open).toBe(true);
    const question = await chat.ask(seeker, broadcastId, { body: 'Asked in time?' }, at(0));
    await expect(chat.vote(viewer2, broadcastId, question.id, late)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await chat.questions(broadcastId)).find((q) => q.id === question.id)!.votes).toBe(0);
    const [draft] = await database.db
      .insert(schema.broadcasts)
      .values({ title: 'Draft', topic: 'policy_qa', startsAt: at(0), endsAt: at(3600), status: 'draft' })
      .returning();
    await expect(chat.history(seeker, draft!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(chat.send(seeker, draft!.id, { body: 'hi' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await chat.history(organizer, draft!.id)).messages).toEqual([]);
  });
});
