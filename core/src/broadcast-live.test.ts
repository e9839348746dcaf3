import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { BroadcastCaptions, displayMs } from './broadcast-captions.ts';
import { BroadcastChapters } from './broadcast-chapters.ts';
import { BroadcastChat } from './broadcast-chat.ts';
import { BroadcastPolls } from './broadcast-polls.ts';
import { BroadcastService } from './broadcasts.ts';
import { ReportService } from './reports.ts';
import { ServiceError } from './errors.ts';

const { broadcastCaptions, broadcastCaptioners, broadcastPolls, broadcastPollVotes, broadcastChapterMarks, broadcastQuestions } = schema;

/** The refusal's code, or 'ok'. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof ServiceError) return e.code;
    throw e;
  }
}

describe('captions, polls and chapters on real Postgres (no sockets)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let captions: BroadcastCaptions;
  let polls: BroadcastPolls;
  let chapters: BroadcastChapters;
  let chat: BroadcastChat;
  let host: SessionUser;
  let captioner: SessionUser;
  let viewer: SessionUser;
  let organizer: SessionUser;
  let viewers: SessionUser[];
  let broadcastId: string;
  let startsAt: Date;
  const at = (ms: number) => new Date(startsAt.getTime() + ms);

  beforeAll(async () => {
    fresh = await freshDatabase('blive');
    database = fresh.database;
    const broadcasts = new BroadcastService(database.db);
    captions = new BroadcastCaptions(database.db, broadcasts);
    polls = new BroadcastPolls(database.db, broadcasts);
    chapters = new BroadcastChapters(database.db, broadcasts);
    chat = new BroadcastChat(database.db);
    const make = fixtures(database.db);
    host = await make.account('employer', 'host');
    captioner = await make.account('seeker', 'captioner');
    viewer = await make.account('seeker', 'viewer');
    organizer = await make.account('organizer');
    viewers = await Promise.all(Array.from({ length: 12 }, (_, i) => make.account('seeker', `voter${i}`)));
    const row = await make.onAirBroadcast(host.id);
    broadcastId = row.id;
    startsAt = row.startsAt;
  });
  afterAll(() => fresh?.drop());

  beforeEach(async () => {
    for (const table of [broadcastCaptions, broadcastCaptioners, broadcastPollVotes, broadcastPolls, broadcastChapterMarks, broadcastQuestions])
      await database.db.delete(table);
  });

  describe('captions', () => {
    it('lets only hosts and organizers name captioners, by address', async () => {
      expect(await codeOf(captions.assign(viewer, broadcastId, { email: captioner.email }))).toBe('NOT_AUTHORIZED');
      expect(await codeOf(captions.assign(null, broadcastId, { email: captioner.email }))).toBe('UNAUTHENTICATED');
      expect(await codeOf(captions.assign(host, broadcastId, { email: 'nobody@fixture.test' }))).toBe('NOT_FOUND');
      expect(await codeOf(captions.assign(host, broadcastId, { email: 'not an address' }))).toBe('INVALID');
      await captions.assign(organizer, broadcastId, { email: captioner.email.toUpperCase() });
      await captions.assign(host, broadcastId, { email: captioner.email }); // twice is fine
      expect((await captions.captioners(host, broadcastId)).map((c) => c.userId)).toEqual([captioner.id]);
      await captions.unassign(host, broadcastId, captioner.id);
      expect(await captions.captioners(host, broadcastId)).toEqual([]);
    });

    it('takes lines from captioners and hosts only, validated, and changes nothing on refusal', async () => {
      expect(await codeOf(captions.send(viewer, broadcastId, { language: 'en', body: 'hi' }, at(1000)))).toBe('NOT_AUTHORIZED');
      await captions.assign(host, broadcastId, { email: captioner.email });
      for (const bad of [
        { language: 'fr', body: 'bonjour' },
        { language: 'en', body: '   ' },
        { language: 'en', body: 'x'.repeat(201) },
        { language: 'en' },
        'just a string',
      ]) {
        expect(await codeOf(captions.send(captioner, broadcastId, bad, at(1000)))).toBe('INVALID');
      }
      expect(await database.db.select().from(broadcastCaptions)).toEqual([]);
      const cue = await captions.send(captioner, broadcastId, { language: 'zh-CN', body: ' 欢迎 \n 大家 ' }, at(1500));
      expect(cue).toMatchObject({ language: 'zh-CN', body: '欢迎 大家', startMs: 1500, endMs: 1500 + displayMs('欢迎 大家', 'zh-CN') });
      await captions.send(host, broadcastId, { language: 'en', body: 'Welcome' }, at(1600));
      // After the end nobody captions live.
      expect(await codeOf(captions.send(captioner, broadcastId, { language: 'en', body: 'late' }, at(2 * 3600_000)))).toBe('CONFLICT');
    });

    it('ends a cue where the next line of its language starts, and serves WebVTT per language', async () => {
      await captions.assign(host, broadcastId, { email: captioner.email });
      await captions.send(captioner, broadcastId, { language: 'en', body: 'First <line> & more' }, at(10_000));
      await captions.send(captioner, broadcastId, { language: 'zh-CN', body: '你好，欢迎收看' }, at(10_500));
      await captions.send(captioner, broadcastId, { language: 'en', body: 'Second --> line' }, at(11_000));
      const en = await captions.webVtt(null, broadcastId, 'en');
      const cues = await captions.cues(null, broadcastId, 'en');
      // 'Second --> line' reads for the least, 2 s (1000 + 15 × 65 ms is less); '你好，欢迎收看' for 1000 + 7 × 180 ms.
      expect(en).toBe(
        `WEBVTT\n\n${cues[0]!.id}\n00:00:10.000 --> 00:00:11.000\nFirst &lt;line&gt; &amp; more\n\n${cues[1]!.id}\n00:00:11.000 --> 00:00:13.000\nSecond --&gt; line\n`,
      );
      const zh = await captions.webVtt(null, broadcastId, 'zh-CN');
      // The Chinese line is untouched by the English one (each language ends only its own cues).
      expect(zh).toMatch(/^WEBVTT\n\n[0-9a-f-]{36}\n00:00:10\.500 --> 00:00:12\.760\n你好，欢迎收看\n$/);
      expect(await captions.languages(null, broadcastId)).toEqual(['en', 'zh-CN']);
      expect((await captions.latest(broadcastId)).map((c) => c.body)).toEqual(['Second --> line', '你好，欢迎收看']);
    });

    it('lets hosts edit and remove cues afterwards, within the broadcast', async () => {
      await captions.assign(host, broadcastId, { email: captioner.email });
      const cue = await captions.send(captioner, broadcastId, { language: 'en', body: 'teh typo' }, at(5000));
      expect(await codeOf(captions.edit(captioner, broadcastId, cue.id, { body: 'x', startMs: 0, endMs: 10 }))).toBe('NOT_AUTHORIZED');
      expect(await codeOf(captions.edit(host, broadcastId, cue.id, { body: 'the fix', startMs: 6000, endMs: 5000 }))).toBe('INVALID');
      expect(await codeOf(captions.edit(host, broadcastId, cue.id, { body: 'the fix', startMs: 0, endMs: 5 * 3600_000 }))).toBe('INVALID');
      const edited = await captions.edit(host, broadcastId, cue.id, { body: 'the fix', startMs: 4800, endMs: 7000 });
      expect(edited).toMatchObject({ body: 'the fix', startMs: 4800, endMs: 7000 });
      expect(await captions.webVtt(null, broadcastId, 'en')).toBe(`WEBVTT\n\n${cue.id}\n00:00:04.800 --> 00:00:07.000\nthe fix\n`);
      await captions.remove(host, broadcastId, cue.id);
      expect(await captions.webVtt(null, broadcastId, 'en')).toBe('WEBVTT\n');
    });
  });

  describe('polls', () => {
    const poll = { question: 'Which city?', options: ['杭州 Hangzhou', 'Shanghai', 'Beijing'], multiple: false };

    it('lets hosts launch one poll at a time, validated', async () => {
      expect(await codeOf(polls.create(viewer, broadcastId, poll))).toBe('NOT_AUTHORIZED');
      for (const bad of [
        { ...poll, options: ['only one'] },
        { ...poll, options: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
        { ...poll, options: ['Same', 'same'] },
        { ...poll, question: '' },
        { ...poll, options: ['a', ' '] },
      ]) {
        expect(await codeOf(polls.create(host, broadcastId, bad))).toBe('INVALID');
      }
      const created = await polls.create(host, broadcastId, poll);
      expect(created).toMatchObject({ question: 'Which city?', options: poll.options, counts: [0, 0, 0], voters: 0, closedAt: null });
      expect(await codeOf(polls.create(organizer, broadcastId, poll))).toBe('CONFLICT');
      await polls.close(host, broadcastId, created.id);
      await polls.create(organizer, broadcastId, { ...poll, question: 'Next?' });
      expect((await polls.list(null, broadcastId)).map((p) => p.question)).toEqual(['Which city?', 'Next?']);
    });

    it('launched by two hosts at once, opens one poll', async () => {
      const results = await Promise.all([polls.create(host, broadcastId, poll), polls.create(organizer, broadcastId, poll)].map(codeOf));
      expect(results.sort()).toEqual(['CONFLICT', 'ok']);
      expect(await database.db.select().from(broadcastPolls)).toHaveLength(1);
    });

    it('counts each viewer once under concurrency, on single and multiple choice', async () => {
      const single = await polls.create(host, broadcastId, poll);
      // Every voter sends three ballots at once (two tabs and a retry): one each is stored.
      const attempts = viewers.flatMap((v, i) => [0, 1, 2].map(() => polls.vote(v, broadcastId, single.id, { choices: [i % 3] })));
      const outcomes = await Promise.all(attempts.map(codeOf));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(viewers.length);
      expect(outcomes.filter((o) => o === 'CONFLICT')).toHaveLength(viewers.length * 2);
      const counted = await polls.poll(broadcastId, single.id);
      expect(counted.counts).toEqual([4, 4, 4]);
      expect(counted.voters).toBe(viewers.length);
      expect(await polls.myVotes(viewers[1]!, broadcastId)).toEqual({ [single.id]: [1] });
      expect(await codeOf(polls.vote(viewer, broadcastId, single.id, { choices: [0, 1] }))).toBe('INVALID');
      expect(await codeOf(polls.vote(viewer, broadcastId, single.id, { choices: [3] }))).toBe('INVALID');
      expect(await codeOf(polls.vote(null, broadcastId, single.id, { choices: [0] }))).toBe('UNAUTHENTICATED');
      await polls.close(host, broadcastId, single.id);

      const multi = await polls.create(host, broadcastId, { question: 'Which skills?', options: ['TypeScript', 'SQL'], multiple: true });
      expect(await codeOf(polls.vote(viewer, broadcastId, multi.id, { choices: [1, 1] }))).toBe('INVALID');
      await polls.vote(viewer, broadcastId, multi.id, { choices: [1, 0] });
      await polls.vote(viewers[0]!, broadcastId, multi.id, { choices: [1] });
      expect(await polls.poll(broadcastId, multi.id)).toMatchObject({ counts: [1, 2], voters: 2 });
      expect(await database.db.select().from(broadcastPollVotes).where(eq(broadcastPollVotes.pollId, multi.id))).toHaveLength(2);
    });

    it('refuses ballots after a close, even racing it; results stay in the report', async () => {
      const p = await polls.create(host, broadcastId, poll);
      const racing = viewers.map((v) => codeOf(polls.vote(v, broadcastId, p.id, { choices: [0] })));
      const closed = await polls.close(host, broadcastId, p.id);
      const outcomes = await Promise.all(racing);
      const final = await polls.poll(broadcastId, p.id);
      // What the close returned is final: a ballot either counted before it or was refused.
      expect(final.voters).toBe(closed.voters);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(final.voters);
      expect(outcomes.every((o) => o === 'ok' || o === 'CONFLICT')).toBe(true);
      expect(await codeOf(polls.vote(viewer, broadcastId, p.id, { choices: [0] }))).toBe('CONFLICT');
      const report = await new ReportService(database.db).broadcastReport(host, broadcastId);
      expect(report.polls).toHaveLength(1);
      expect(report.polls[0]).toMatchObject({ question: 'Which city?', voters: final.voters });
      expect(report.polls[0]!.closedAt).not.toBeNull();
    });
  });

  describe('chapters', () => {
    it('lists markers and the questions answered or pinned during the broadcast, by time', async () => {
      expect(await codeOf(chapters.mark(viewer, broadcastId, { title: 'Intro' }, at(1000)))).toBe('NOT_AUTHORIZED');
      expect(await codeOf(chapters.mark(host, broadcastId, { title: '' }, at(1000)))).toBe('INVALID');
      await chapters.mark(host, broadcastId, { title: 'Résumés' }, at(90_000));
      const later = await chapters.mark(host, broadcastId, { title: 'Wrap-up', atMs: 200_000 }, at(100_000));
      expect(await codeOf(chapters.mark(host, broadcastId, { title: 'Beyond', atMs: 5 * 3600_000 }, at(100_000)))).toBe('INVALID');
      const asked = await chat.ask(viewer, broadcastId, { body: '面试要准备什么？' }, at(10_000));
      const other = await chat.ask(viewers[0]!, broadcastId, { body: 'Unanswered?' }, at(11_000));
      const pinned = await chat.ask(viewers[1]!, broadcastId, { body: 'Pinned one' }, at(12_000));
      await chat.markAnswered(host, broadcastId, asked.id, true, at(150_000));
      await chat.pin(host, broadcastId, pinned.id, true, at(30_000));
      await chat.markAnswered(host, broadcastId, pinned.id, true, at(160_000));
      expect(other.answered).toBe(false);
      const list = await chapters.list(null, broadcastId);
      expect(list.map((c) => [c.kind, c.title, c.atMs])).toEqual([
        ['question', 'Pinned one', 30_000],
        ['marker', 'Résumés', 90_000],
        ['question', '面试要准备什么？', 150_000],
        ['marker', 'Wrap-up', 200_000],
      ]);
      await chapters.edit(host, broadcastId, later.id, { title: 'Closing', atMs: 10_000 });
      expect((await chapters.list(null, broadcastId))[0]).toMatchObject({ kind: 'marker', title: 'Closing', atMs: 10_000 });
      await chapters.remove(host, broadcastId, later.id);
      expect((await chapters.list(null, broadcastId)).map((c) => c.title)).toEqual(['Pinned one', 'Résumés', '面试要准备什么？']);
    });
  });
});
