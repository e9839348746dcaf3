import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Db, type SessionUser } from '@fairground/db';
import { DEMO_PASSWORD } from '@fairground/demo';
import type { Platform } from '../signaling/src/index.ts';
import { fixtures } from './fixtures.ts';
import { freshDatabase, sessionCookie, startPlatform } from './helpers.ts';

const PDF = new TextEncoder().encode('%PDF-1.4\n% a resume\n');

/**
 * Resumes, uploads, assessments and report CSVs through the pages' own HTTP interface (the
 * SvelteKit handler from the web build, mounted as `npm start` does) on real Postgres.
 */
describe('over HTTP: resumes, upload limits, assessments, CSV', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let platform: Platform;
  let url: string;
  let db: Db;
  let boothId: string;
  let fairId: string;
  const cookies: Record<string, string> = {};
  const actors: Record<string, SessionUser> = {};

  const get = (path: string, who: string) => fetch(url + path, { headers: { cookie: cookies[who]! }, redirect: 'manual' });
  /** A form action as the page's enhanced form sends it; the answer is SvelteKit's action result. */
  const action = async (path: string, who: string, form: FormData) => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { cookie: cookies[who]!, origin: url, accept: 'application/json', 'x-sveltekit-action': 'true' },
      body: form,
    });
    return (await response.json()) as { type: 'success' | 'failure' | 'redirect' | 'error'; status: number; data?: string };
  };
  const uploadResume = (name: string) => {
    const form = new FormData();
    form.set('resume', new Blob([PDF], { type: 'application/pdf' }), name);
    return action('/profile?/resume', 'seeker', form);
  };
  const resumeId = async () => {
    const [row] = await db
      .select({ id: schema.seekerProfiles.resumeUploadId })
      .from(schema.seekerProfiles)
      .where(eq(schema.seekerProfiles.userId, actors.seeker!.id));
    return row!.id!;
  };
  const status = async (path: string, who: string) => (await get(path, who)).status;

  beforeAll(async () => {
    fresh = await freshDatabase('http');
    ({ platform, url, db } = await startPlatform({
      web: true,
      env: { DATABASE_URL: fresh.url, UPLOADS_PER_HOUR: '3', AUTH_ATTEMPTS_PER_MINUTE: '100', CLOCK_INTERVAL_MS: '0' },
    }));
    const make = fixtures(db);
    const live = await make.liveFair({ employers: ['Xinghe', 'GreenFields'] });
    fairId = live.fair.id;
    const emails = {
      seeker: (await make.account('seeker')).email,
      recruiter: live.booths.Xinghe.owner.email,
      stranger: live.booths.GreenFields.owner.email,
      organizer: live.organizer.email,
    };
    // A colleague of the recruiter on Xinghe's team.
    const signed = await platform.auth.signUp({ name: 'Colleague', email: 'colleague@example.com', password: DEMO_PASSWORD, role: 'employer' }, '10.8.0.1');
    if (!signed.ok || !signed.created) throw new Error('could not sign the colleague up');
    boothId = live.booths.Xinghe.id;
    await db.insert(schema.employerMembers).values({ employerId: live.booths.Xinghe.employerId, userId: signed.created.id, role: 'recruiter' });
    // The colleague confirmed their address (sign-in needs it); how is the accounts tests' concern.
    await db.update(schema.users).set({ emailVerified: true }).where(eq(schema.users.id, signed.created.id));
    for (const [who, email] of Object.entries({ ...emails, colleague: 'colleague@example.com' })) {
      cookies[who] = await sessionCookie(platform.auth, email);
      const [u] = await db.select().from(schema.users).where(eq(schema.users.email, email));
      actors[who] = { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
    }
  }, 600_000);
  afterAll(async () => {
    await platform?.close();
    await fresh?.drop();
  });

  it('serves a resume to a recruiter only while the seeker is in their line or after an interview shared it, and never once removed', async () => {
    const { queue, interviews } = platform.services;
    expect((await uploadResume('李明 cv.pdf')).type).toBe('success');
    const id = await resumeId();
    const file = `/files/${id}`;
    expect(await status(file, 'seeker')).toBe(200);
    expect(await status(file, 'recruiter')).toBe(404);

    // In Xinghe's line: Xinghe's team reads it (as an attachment, never cached); nobody else does.
    await queue.join(actors.seeker!, boothId, true);
    const served = await get(file, 'recruiter');
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(Buffer.from(PDF));
    expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(served.headers.get('cache-control')).toContain('no-store');
    expect([await status(file, 'colleague'), await status(file, 'stranger'), await status(file, 'organizer')]).toEqual([200, 404, 404]);

    // Left the line without an interview: no longer.
    await queue.leave(actors.seeker!, boothId);
    expect(await status(file, 'recruiter')).toBe(404);

    // Accepted an interview: shared with the employer, and still after it ended.
    const { entry } = await queue.join(actors.seeker!, boothId, true);
    await queue.callSpecific(actors.recruiter!, boothId, entry.id, 'test');
    const interview = await queue.accept(actors.seeker!, entry.id);
    await interviews.end(actors.seeker!, interview.id);
    expect([await status(file, 'recruiter'), await status(file, 'colleague'), await status(file, 'stranger')]).toEqual([200, 200, 404]);

    // Removed through the profile page: the file is gone for everyone, its owner included.
    expect((await action('/profile?/removeResume', 'seeker', new FormData())).type).toBe('success');
    expect([await status(file, 'recruiter'), await status(file, 'colleague'), await status(file, 'seeker')]).toEqual([404, 404, 404]);
    expect(await db.select({ id: schema.uploads.id }).from(schema.uploads).where(eq(schema.uploads.id, id))).toEqual([]);
    expect(await db.select().from(schema.resumeShares).where(eq(schema.resumeShares.uploadId, id))).toEqual([]);
  });

  it('refuses uploads past the hourly limit through the profile form, storing nothing', async () => {
    // UPLOADS_PER_HOUR=3 and one upload made above: two more go through (each replacing the last).
    expect((await uploadResume('second.pdf')).type).toBe('success');
    expect((await uploadResume('third.pdf')).type).toBe('success');
    const kept = await resumeId();
    const before = {
      files: (await db.select().from(schema.uploads).where(eq(schema.uploads.ownerId, actors.seeker!.id))).length,
      log: (await db.select().from(schema.uploadLog).where(eq(schema.uploadLog.userId, actors.seeker!.id))).length,
    };
    // Only the current resume is kept: replaced ones were deleted.
    expect(before).toEqual({ files: 1, log: 3 });

    const refused = await uploadResume('fourth.pdf');
    expect(refused).toMatchObject({ type: 'failure', status: 429 });
    expect(refused.data).toContain('file_rate_limited');
    expect({
      files: (await db.select().from(schema.uploads).where(eq(schema.uploads.ownerId, actors.seeker!.id))).length,
      log: (await db.select().from(schema.uploadLog).where(eq(schema.uploadLog.userId, actors.seeker!.id))).length,
    }).toEqual(before);
    expect(await resumeId()).toBe(kept);
  });

  it("lets only an assessment's author edit it; the rest of the team reads it", async () => {
    const { queue, interviews } = platform.services;
    const { entry } = await queue.join(actors.seeker!, boothId, true);
    await queue.callSpecific(actors.recruiter!, boothId, entry.id, 'test');
    const interview = await queue.accept(actors.seeker!, entry.id);
    const form = (notes: string, outcome: string) => {
      const f = new FormData();
      f.set('notes', notes);
      f.set('rating', '3');
      f.set('outcome', outcome);
      return f;
    };
    const page = `/interviews/${interview.id}`;

    expect((await action(`${page}?/assess`, 'recruiter', form('Strong on routing problems.', 'next_round'))).type).toBe('success');
    const saved = await interviews.view(actors.recruiter!, interview.id);

    // A colleague and the seeker are refused with NOT_AUTHORIZED, and nothing changes.
    for (const who of ['colleague', 'seeker']) {
      const refused = await action(`${page}?/assess`, who, form(`overwritten by ${who}`, 'not_a_fit'));
      expect(refused).toMatchObject({ type: 'failure', status: 403 });
      expect(refused.data).toContain('NOT_AUTHORIZED');
    }
    const [row] = await db.select().from(schema.interviews).where(eq(schema.interviews.id, interview.id));
    expect([row!.notes, row!.rating, row!.outcome]).toEqual(['Strong on routing problems.', 3, 'next_round']);
    expect(row).toEqual(saved.interview);
    const [event] = await db
      .select()
      .from(schema.countedEvents)
      .where(eq(schema.countedEvents.id, `outcome:${interview.id}`));
    expect(event!.data).toEqual({ outcome: 'next_round', onSite: false });

    // The colleague reads it on the interview's page, without a form to change it.
    const html = await (await get(page, 'colleague')).text();
    expect(html).toContain('Strong on routing problems.');
    expect(html).not.toContain('action="?/assess"');
    await interviews.end(actors.recruiter!, interview.id);
  });

  it('neutralises formula-looking cells in a report CSV download', async () => {
    const [xinghe] = await db
      .select({ id: schema.employers.id })
      .from(schema.employers)
      .innerJoin(schema.booths, eq(schema.booths.employerId, schema.employers.id))
      .where(and(eq(schema.booths.id, boothId)));
    const titles = ['＝HYPERLINK("http://evil.example","x")', ' =1+1', '\t=cmd|x', '|calc', '＠SUM(A1)', '\n=2+2'];
    for (const title of titles) {
      await db.insert(schema.jobs).values({ employerId: xinghe!.id, title, location: '－1+1', jobType: 'full_time', salaryMin: 1000, salaryMax: 2000 });
    }
    const response = await get(`/organizer/fairs/${fairId}/report/demand-jobs.csv`, 'organizer');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const csv = await response.text();
    for (const title of titles) {
      const cell = `'${title}`;
      const encoded = /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
      expect(csv, JSON.stringify(title)).toContain(`,${encoded},`);
    }
    expect(csv).toContain(",'－1+1,");
  });
});
