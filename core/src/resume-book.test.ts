import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { createServices, type Services } from './index.ts';

const PDF = new TextEncoder().encode('%PDF-1.4\n% a resume\n');

/**
 * The resume book on real Postgres: who is findable (only opted-in seekers of that fair), who may
 * search (only staff of an approved booth there), what the filters keep, and that everything
 * shown is in the seeker's view log.
 */
describe('resume book (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let services: Services;
  let f: ReturnType<typeof fixtures>;
  let fairId: string;
  let otherFairId: string;
  let booth: { id: string; employerId: string; owner: SessionUser };
  let rivalBooth: { id: string; owner: SessionUser };
  let otherFairBooth: { id: string; owner: SessionUser };
  let recruiter: SessionUser;
  const seekers = {} as Record<'ana' | 'bo' | 'chen' | 'hidden' | 'elsewhere', SessionUser>;

  beforeAll(async () => {
    fresh = await freshDatabase('resumebook');
    database = fresh.database;
    services = createServices(database.db);
    f = fixtures(database.db);
    const main = await f.liveFair({
      employers: ['Main', 'Rival'],
      jobs: {
        Main: [
          { title: 'Frontend engineer', location: '杭州 Hangzhou', jobType: 'full_time', salaryMin: 12000, salaryMax: 18000, skills: ['TypeScript', 'Svelte'] },
          { title: 'Intern', location: '上海 Shanghai', jobType: 'internship', salaryMin: 3000, salaryMax: 4000, skills: ['Excel'] },
        ],
      },
    });
    fairId = main.fair.id;
    booth = main.booths.Main;
    rivalBooth = main.booths.Rival;
    const other = await f.liveFair({ employers: ['Elsewhere'] });
    otherFairId = other.fair.id;
    otherFairBooth = other.booths.Elsewhere;
    recruiter = await f.account('employer', 'recruiter');
    await database.db.insert(schema.employerMembers).values({ employerId: booth.employerId, userId: recruiter.id, role: 'recruiter' });

    const profile = async (label: keyof typeof seekers, input: Record<string, unknown>) => {
      seekers[label] = await f.account('seeker', label);
      await services.profiles.save(seekers[label], { name: label, ...input });
    };
    await profile('ana', {
      headline: 'Frontend developer',
      skills: 'TypeScript, Svelte, CSS',
      locations: '杭州 Hangzhou',
      jobTypes: ['full_time'],
      salaryMin: 11000,
      salaryMax: 20000,
      graduationYear: 2025,
    });
    await profile('bo', { skills: 'typescript', locations: '上海 Shanghai', jobTypes: ['internship'], salaryMin: 3000, salaryMax: 5000, graduationYear: 2026 });
    await profile('chen', { skills: 'Excel', locations: '北京 Beijing', jobTypes: ['part_time'], graduationYear: 2025 });
    await profile('hidden', { skills: 'TypeScript, Svelte', locations: '杭州 Hangzhou', jobTypes: ['full_time'], graduationYear: 2025 });
    await profile('elsewhere', { skills: 'TypeScript, Svelte', locations: '杭州 Hangzhou', jobTypes: ['full_time'], graduationYear: 2025 });
    for (const s of ['ana', 'bo', 'chen'] as const) await services.resumeBook.setOptIn(seekers[s], fairId, true);
    // Opted in at another fair only: not findable at this one.
    await services.resumeBook.setOptIn(seekers.elsewhere, otherFairId, true);
    await services.profiles.setResume(seekers.ana, await services.uploads.store(seekers.ana, 'resume', { name: 'ana.pdf', bytes: PDF }));
    await services.profiles.setResume(seekers.hidden, await services.uploads.store(seekers.hidden, 'resume', { name: 'hidden.pdf', bytes: PDF }));
  });
  afterAll(() => fresh?.drop());

  const ids = (r: { results: Array<{ seeker: { id: string } }> }) => r.results.map((x) => x.seeker.id);
  const views = (seekerId: string) => database.db.select().from(schema.seekerViews).where(eq(schema.seekerViews.seekerId, seekerId));

  it('is off by default and lists only opted-in seekers of that fair, best match first, with reasons', async () => {
    expect(await services.resumeBook.isOptedIn(seekers.hidden, fairId)).toBe(false);
    expect((await services.resumeBook.myOptIns(seekers.hidden)).find((x) => x.id === fairId)?.optedIn).toBe(false);
    const all = await services.resumeBook.search(booth.owner, booth.id, {});
    expect(all.total).toBe(3);
    expect(new Set(ids(all))).toEqual(new Set([seekers.ana.id, seekers.bo.id, seekers.chen.id]));
    // Ana fits the frontend job best: skills, pay, place, type.
    expect(all.results[0]!.seeker.id).toBe(seekers.ana.id);
    expect(all.results[0]!.match).toMatchObject({
      title: 'Frontend engineer',
      reason: { skills: { matched: 2, total: 2 }, salary: 'within', location: true, jobType: true },
    });
    // What a row shows: never the email.
    expect(JSON.stringify(all.results)).not.toContain('@fixture.test');
  });

  it('filters by skill, location, job type, salary and graduation year; bad filters are INVALID', async () => {
    const search = (input: Record<string, unknown>) => services.resumeBook.search(recruiter, booth.id, input).then(ids);
    expect(await search({ skills: 'TYPESCRIPT' })).toEqual(expect.arrayContaining([seekers.ana.id, seekers.bo.id]));
    expect(await search({ skills: 'TypeScript, Svelte' })).toEqual([seekers.ana.id]);
    expect(await search({ location: 'shanghai' })).toEqual([seekers.bo.id]);
    expect(await search({ location: '北京' })).toEqual([seekers.chen.id]);
    expect(await search({ jobType: 'internship' })).toEqual([seekers.bo.id]);
    // Chen named no salary: open to offers, kept.
    expect(new Set(await search({ salaryMin: '10000', salaryMax: '20000' }))).toEqual(new Set([seekers.ana.id, seekers.chen.id]));
    expect(new Set(await search({ salaryMax: '4000' }))).toEqual(new Set([seekers.bo.id, seekers.chen.id]));
    expect(new Set(await search({ graduationYear: '2025' }))).toEqual(new Set([seekers.ana.id, seekers.chen.id]));
    expect(await search({ graduationYear: '2025', skills: 'excel' })).toEqual([seekers.chen.id]);

    for (const [input, field, code] of [
      [{ jobType: 'astronaut' }, 'jobType', 'invalid'],
      [{ salaryMin: '9000', salaryMax: '100' }, 'salaryMax', 'salary_order'],
      [{ graduationYear: 'soon' }, 'graduationYear', 'number'],
      [{ page: '0' }, 'page', 'too_small'],
      [{ page: '101' }, 'page', 'too_large'],
      [{ skills: 'x'.repeat(41) }, 'skills', 'too_long'],
    ] as const) {
      await expect(services.resumeBook.search(recruiter, booth.id, input)).rejects.toMatchObject({ code: 'INVALID', fields: { [field]: code } });
    }
  });

  it('pages without overlap or loss', async () => {
    const crowd = await database.db
      .insert(schema.users)
      .values(Array.from({ length: 45 }, (_, i) => ({ email: `crowd${i}@example.com`, name: `Crowd ${i}`, role: 'seeker' as const })))
      .returning();
    await database.db.insert(schema.resumeBookOptIns).values(crowd.map((u) => ({ fairId, seekerId: u.id })));
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(await services.resumeBook.search(booth.owner, booth.id, { page }));
    expect(pages.map((p) => p.results.length)).toEqual([20, 20, 8]);
    expect(pages[0]!.total).toBe(48);
    expect(pages[0]!.pages).toBe(3);
    const seen = pages.flatMap(ids);
    expect(new Set(seen).size).toBe(48);
    expect(seen.slice(0, 3)).toContain(seekers.ana.id);
    await database.db.delete(schema.resumeBookOptIns).where(eq(schema.resumeBookOptIns.fairId, fairId));
    for (const s of ['ana', 'bo', 'chen'] as const) await services.resumeBook.setOptIn(seekers[s], fairId, true);
  });

  it('keeps a seeker who did not opt in invisible everywhere: results, counts, profile and resume', async () => {
    const everyone = await services.resumeBook.search(booth.owner, booth.id, { skills: 'TypeScript, Svelte' });
    expect(ids(everyone)).not.toContain(seekers.hidden.id);
    expect(ids(everyone)).not.toContain(seekers.elsewhere.id);
    expect(everyone.total).toBe(1);
    for (const s of [seekers.hidden, seekers.elsewhere]) {
      await expect(services.resumeBook.profile(booth.owner, booth.id, s.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(services.resumeBook.resume(booth.owner, booth.id, s.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(services.candidateInvitations.invite(booth.owner, booth.id, s.id, { kind: 'booth' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await views(s.id)).toEqual([]);
    }
    // Opting out takes effect at once.
    await services.resumeBook.setOptIn(seekers.bo, fairId, false);
    expect(ids(await services.resumeBook.search(booth.owner, booth.id, {}))).not.toContain(seekers.bo.id);
    await expect(services.resumeBook.profile(booth.owner, booth.id, seekers.bo.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await services.resumeBook.setOptIn(seekers.bo, fairId, true);
  });

  it('lets only staff of an approved booth at that fair search; seekers, organizers and other employers get nothing', async () => {
    const organizer = await f.account('organizer');
    const before = (await database.db.select().from(schema.seekerViews)).length;
    const refused: Array<[SessionUser | null, string, string]> = [
      [null, booth.id, 'UNAUTHENTICATED'],
      [seekers.ana, booth.id, 'NOT_AUTHORIZED'],
      [organizer, booth.id, 'NOT_AUTHORIZED'],
      // Another employer at the same fair, through this employer's booth.
      [rivalBooth.owner, booth.id, 'NOT_AUTHORIZED'],
      // An employer without a booth at this fair, through its own booth elsewhere: sees that fair's book only.
      [otherFairBooth.owner, booth.id, 'NOT_AUTHORIZED'],
    ];
    for (const [actor, boothId, code] of refused) {
      await expect(services.resumeBook.search(actor, boothId, {})).rejects.toMatchObject({ code });
      await expect(services.resumeBook.profile(actor, boothId, seekers.ana.id)).rejects.toMatchObject({ code });
      await expect(services.resumeBook.resume(actor, boothId, seekers.ana.id)).rejects.toMatchObject({ code });
    }
    // The other fair's employer, in its own book, finds none of this fair's seekers.
    const theirs = await services.resumeBook.search(otherFairBooth.owner, otherFairBooth.id, {});
    expect(ids(theirs)).toEqual([seekers.elsewhere.id]);
    await expect(services.resumeBook.profile(otherFairBooth.owner, otherFairBooth.id, seekers.ana.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A booth that is not approved has no resume book.
    const [pending] = await database.db.update(schema.booths).set({ status: 'applied' }).where(eq(schema.booths.id, rivalBooth.id)).returning();
    await expect(services.resumeBook.search(rivalBooth.owner, pending!.id, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await database.db.update(schema.booths).set({ status: 'approved' }).where(eq(schema.booths.id, rivalBooth.id));
    // Nothing refused was logged as seen (the one search above saw only `elsewhere`).
    expect((await database.db.select().from(schema.seekerViews)).length).toBe(before + 1);
  });

  it('logs every result row shown, profile opened and resume downloaded, and shows the seeker who saw what', async () => {
    const start = (await views(seekers.ana.id)).length;
    const page = await services.resumeBook.search(recruiter, booth.id, { skills: 'Svelte' });
    expect(ids(page)).toEqual([seekers.ana.id]);
    const opened = await services.resumeBook.profile(recruiter, booth.id, seekers.ana.id);
    expect(opened.seeker).toMatchObject({ name: 'ana', graduationYear: 2025, skills: ['TypeScript', 'Svelte', 'CSS'], jobTypes: ['full_time'] });
    expect(page.results[0]!.seeker.jobTypes).toEqual(['full_time']);
    expect(opened.resume).toMatchObject({ filename: 'ana.pdf' });
    expect(opened.matches.map((x) => x.title)).toEqual(['Frontend engineer', 'Intern']);
    const file = await services.resumeBook.resume(recruiter, booth.id, seekers.ana.id);
    expect(Buffer.from(file.data).toString()).toContain('%PDF');
    await expect(services.resumeBook.resume(recruiter, booth.id, seekers.bo.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const logged = (await views(seekers.ana.id)).slice(start);
    expect(logged.map((v) => v.kind)).toEqual(['search_result', 'profile', 'resume']);
    for (const v of logged) expect(v).toMatchObject({ employerId: booth.employerId, viewerId: recruiter.id, fairId });

    const mine = await services.resumeBook.viewsOfMe(seekers.ana);
    expect(mine.total).toBe(start + 3);
    expect(mine.rows[0]).toMatchObject({ kind: 'resume', viewerName: recruiter.name, fairTitle: expect.any(String) });
    expect(mine.rows.slice(0, 3).map((r) => r.kind)).toEqual(['resume', 'profile', 'search_result']);
    // Only the seeker reads their log.
    await expect(services.resumeBook.viewsOfMe(recruiter)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });

  it('opts in only to open fairs; opting out always works; only seekers opt in', async () => {
    await expect(services.resumeBook.setOptIn(booth.owner, fairId, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(services.resumeBook.setOptIn(seekers.chen, 'not-a-uuid', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const { fair: ended, organizer } = await f.liveFair();
    await services.resumeBook.setOptIn(seekers.chen, ended.id, true);
    await services.fairs.setStatus(organizer, ended.id, 'ended');
    await expect(services.resumeBook.setOptIn(seekers.chen, ended.id, true)).rejects.toMatchObject({ code: 'CONFLICT' });
    await services.resumeBook.setOptIn(seekers.chen, ended.id, false);
    expect(await services.resumeBook.isOptedIn(seekers.chen, ended.id)).toBe(false);
  });
});
