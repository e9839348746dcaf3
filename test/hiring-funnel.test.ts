import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '@fairground/core';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures } from './fixtures.ts';
import { capturedMail, startPlatform } from './helpers.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ServiceError ? e.code : String(e)),
  );
const today = () => new Date().toISOString().slice(0, 10);

/**
 * The funnel to hire and the post-fair survey on real Postgres: stages past the interview with
 * their dates (a history, one row per stage), what the candidate sees (shared only), the
 * `outcome.recorded` and `survey.answered` webhooks through the outbox, the fair and booth
 * reports' offers, hires and resumes received, and a survey answered once per person (also
 * when the same person answers five times at once), mailed once per fair whichever pass sends.
 */
describe('the funnel to hire and the post-fair survey', () => {
  let node: Started;
  let make: ReturnType<typeof fixtures>;
  let fair: { id: string };
  let organizer: SessionUser;
  let lead: SessionUser;
  let stranger: SessionUser;
  let seeker: SessionUser;
  let bystander: SessionUser;
  let boothId: string;
  let otherBoothId: string;
  let interviewId: string;

  beforeAll(async () => {
    // No clock: the test sends the survey mail itself, twice at once.
    node = await startPlatform({ env: { CLOCK_INTERVAL_MS: '0' } });
    make = fixtures(node.db);
    const live = await make.liveFair({ employers: ['Xinghe', 'GreenFields'] });
    fair = live.fair;
    organizer = live.organizer;
    lead = live.booths.Xinghe.owner;
    stranger = live.booths.GreenFields.owner;
    boothId = live.booths.Xinghe.id;
    otherBoothId = live.booths.GreenFields.id;
    seeker = await make.account('seeker', 'Funnel seeker');
    bystander = await make.account('seeker', 'Bystander');
    const [entry] = await node.db
      .insert(schema.queueEntries)
      .values({ boothId, seekerId: seeker.id, status: 'done', calledAt: new Date(), calledBy: lead.id, endedAt: new Date() })
      .returning();
    const [interview] = await node.db
      .insert(schema.interviews)
      .values({ entryId: entry!.id, boothId, seekerId: seeker.id, recruiterId: lead.id, startedAt: new Date(), endedAt: new Date() })
      .returning();
    interviewId = interview!.id;
    // The resume the interview shared with the employer (as accepting a call does).
    const [upload] = await node.db
      .insert(schema.uploads)
      .values({ ownerId: seeker.id, kind: 'resume', filename: 'cv.pdf', contentType: 'application/pdf', size: 4, data: new Uint8Array([37, 80, 68, 70]) })
      .returning();
    await node.db.insert(schema.resumeShares).values({ uploadId: upload!.id, employerId: live.booths.Xinghe.employerId, interviewId });
  });
  afterAll(async () => {
    await node?.platform.close();
  });

  it('records dated stages as a history, shows the candidate the shared ones, and emits each through the outbox', async () => {
    const { hiring } = node.platform.services;
    // Only the employer's team; a stage is a known one, dated no earlier than the interview.
    expect(await codeOf(hiring.record(stranger, interviewId, { stage: 'offer_made', occurredOn: today() }))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(hiring.record(seeker, interviewId, { stage: 'hired', occurredOn: today() }))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(hiring.record(lead, interviewId, { stage: 'promoted', occurredOn: today() }))).toBe('INVALID');
    expect(await codeOf(hiring.record(lead, interviewId, { stage: 'offer_made', occurredOn: '2001-01-01' }))).toBe('INVALID');
    expect(await codeOf(hiring.record(lead, interviewId, { stage: 'offer_made', occurredOn: 'soon' }))).toBe('INVALID');
    expect(await node.db.select().from(schema.candidateStages)).toHaveLength(0);

    await hiring.record(lead, interviewId, { stage: 'next_round', occurredOn: today(), note: 'Strong on TypeScript' });
    await hiring.record(lead, interviewId, { stage: 'offer_made', occurredOn: today(), shared: false });
    // Recording a stage again corrects it (here: now shared with the candidate): still one row.
    await hiring.record(lead, interviewId, { stage: 'offer_made', occurredOn: today(), shared: 'on' });
    const history = await hiring.history(lead, interviewId);
    expect(history.map((h) => [h.stage, h.shared])).toEqual([
      ['next_round', false],
      ['offer_made', true],
    ]);
    expect(await codeOf(hiring.history(stranger, interviewId))).toBe('NOT_AUTHORIZED');

    // The candidate sees the shared stage only, without notes; nobody else sees it.
    expect(await hiring.sharedWith(seeker)).toEqual([expect.objectContaining({ interviewId, stage: 'offer_made', occurredOn: today() })]);
    expect(await hiring.sharedWith(bystander)).toEqual([]);

    // Every recording is an `outcome.recorded` webhook of the booth, written with it.
    const events = await node.db
      .select()
      .from(schema.webhookEvents)
      .where(and(eq(schema.webhookEvents.type, 'outcome.recorded'), eq(schema.webhookEvents.subject, `booth:${boothId}`)));
    expect(events.map((e) => (e.payload as { data: { stage: string } }).data.stage)).toEqual(['next_round', 'offer_made', 'offer_made']);
    expect((events[2]!.payload as { data: Record<string, unknown> }).data).toMatchObject({
      interviewId,
      seekerId: seeker.id,
      sharedWithCandidate: true,
      occurredOn: today(),
    });
  });

  it('adds resumes received, offers and hires to the fair and booth reports', async () => {
    const { hiring, reports } = node.platform.services;
    let report = await reports.fairReport(organizer, fair.id);
    expect(report.hiring).toEqual({ resumesReceived: 1, nextRound: 1, offers: 1, offersAccepted: 0, hires: 0 });
    await hiring.record(lead, interviewId, { stage: 'offer_accepted', occurredOn: today() });
    await hiring.record(lead, interviewId, { stage: 'hired', occurredOn: today() });
    report = await reports.fairReport(organizer, fair.id);
    expect(report.hiring).toEqual({ resumesReceived: 1, nextRound: 1, offers: 1, offersAccepted: 1, hires: 1 });
    expect(report.booths.find((b) => b.boothId === boothId)!.hiring).toEqual(report.hiring);
    expect(report.booths.find((b) => b.boothId === otherBoothId)!.hiring).toEqual({ resumesReceived: 0, nextRound: 0, offers: 0, offersAccepted: 0, hires: 0 });
    expect((await reports.boothReport(lead, boothId)).hiring).toMatchObject({ offers: 1, hires: 1, resumesReceived: 1 });
  });

  it('surveys those who took part once the fair has ended: once per person, mailed once, in the report', async () => {
    const { surveys, fairs, reports } = node.platform.services;
    // Before the end: closed. The organizer words the questions; nobody else does.
    expect(await codeOf(surveys.answer(seeker, fair.id, { rating: 5 }))).toBe('CONFLICT');
    expect(await codeOf(surveys.configure(seeker, fair.id, { ratingQuestion: 'Hacked?' }))).toBe('NOT_AUTHORIZED');
    await surveys.configure(organizer, fair.id, { ratingQuestion: 'How useful was the fair?', commentQuestion: '' });
    expect(await surveys.questions(fair.id)).toEqual({ rating: 'How useful was the fair?', comment: null });

    await fairs.setStatus(organizer, fair.id, 'ended');
    // Two passes at once (two nodes' clocks): each participant is mailed once; again, nobody.
    const sent = await Promise.all([surveys.sendDue(), surveys.sendDue()]);
    const mailed = capturedMail(node.mailDir).filter((m) => m.text.includes(`/fairs/${fair.id}/survey`));
    expect(mailed.map((m) => m.to).sort()).toEqual([seeker.email, lead.email, stranger.email].sort());
    expect(sent.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await surveys.sendDue()).toBe(0);

    // Who took part: the seeker who queued and the employers' teams; not a bystander.
    expect(await surveys.forMe(seeker, fair.id)).toMatchObject({ open: true, respondent: 'seeker', answer: null });
    expect(await surveys.forMe(bystander, fair.id)).toMatchObject({ open: false, respondent: null });
    expect(await codeOf(surveys.answer(bystander, fair.id, { rating: 4 }))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(surveys.answer(seeker, fair.id, { rating: 6 }))).toBe('INVALID');
    expect(await codeOf(surveys.answer(seeker, fair.id, { rating: 0 }))).toBe('INVALID');

    await surveys.answer(seeker, fair.id, { rating: 4, comments: '排队很顺利 Smooth line' });
    expect(await codeOf(surveys.answer(seeker, fair.id, { rating: 1 }))).toBe('CONFLICT');
    // The same recruiter answering five times at once: one answer.
    const raced = await Promise.all(Array.from({ length: 5 }, (_, i) => codeOf(surveys.answer(lead, fair.id, { rating: 2 + (i % 3) }))));
    expect(raced.filter((c) => c === 'ok')).toHaveLength(1);
    expect(raced.filter((c) => c === 'CONFLICT')).toHaveLength(4);

    const rows = await node.db.select().from(schema.surveyAnswers).where(eq(schema.surveyAnswers.fairId, fair.id));
    expect(rows.map((r) => r.respondent).sort()).toEqual(['employer', 'seeker']);
    expect(rows.find((r) => r.respondent === 'seeker')!.questions).toEqual({ rating: 'How useful was the fair?', comment: null });
    const webhooks = await node.db
      .select()
      .from(schema.webhookEvents)
      .where(and(eq(schema.webhookEvents.type, 'survey.answered'), eq(schema.webhookEvents.fairId, fair.id)));
    expect(webhooks).toHaveLength(2);
    expect(webhooks.map((w) => (w.payload as { data: { respondent: string } }).data.respondent).sort()).toEqual(['employer', 'seeker']);

    const report = await reports.fairReport(organizer, fair.id);
    expect(report.survey.summary).toEqual([
      { respondent: 'seeker', answers: 1, averageRating: 4 },
      { respondent: 'employer', answers: 1, averageRating: expect.any(Number) },
    ]);
    expect(report.survey.answers.map((a) => a.comments)).toContain('排队很顺利 Smooth line');
  });
});
