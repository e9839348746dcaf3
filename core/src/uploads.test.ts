import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { BoothQueue } from './queue.ts';
import { UploadService } from './uploads.ts';
import { ProfileService } from './profiles.ts';
import { InterviewService } from './interviews.ts';
import { EmployerService } from './employers.ts';

const PDF = new TextEncoder().encode('%PDF-1.4\n% a resume\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('who may read an upload', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let uploads: UploadService;
  let queue: BoothQueue;
  const users: Record<string, SessionUser> = {};
  let xingheBooth: string;
  let xingheEmployer: string;

  beforeAll(async () => {
    fresh = await freshDatabase('uploads');
    const db = fresh.database.db;
    uploads = new UploadService(db);
    queue = new BoothQueue(db, { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 });
    for (const email of ['seeker@example.com', 'employer2@example.com', 'organizer@example.com']) {
      const [u] = await db.select().from(schema.users).where(eq(schema.users.email, email));
      users[email] = { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
    }
    const [other] = await db.insert(schema.users).values({ email: 'other-seeker@example.com', name: 'Other', role: 'seeker' }).returning();
    users.other = { id: other!.id, email: other!.email, name: other!.name, role: other!.role };
    const { booths } = await fixtures(db).liveFair({ employers: ['Xinghe'] });
    users.recruiter = booths.Xinghe.owner;
    xingheBooth = booths.Xinghe.id;
    xingheEmployer = booths.Xinghe.employerId;
  });
  afterAll(() => fresh?.drop());

  it('keeps a resume to its owner and the recruiters of a line the seeker joined', async () => {
    const seeker = users['seeker@example.com']!;
    const id = await uploads.store(seeker, 'resume', { name: '李明 resume.pdf', bytes: PDF });
    const readers = async () => {
      const out: Record<string, boolean> = {};
      for (const [name, actor] of [
        ['owner', seeker],
        ['anonymous', null],
        ['other seeker', users.other],
        ['xinghe recruiter', users.recruiter],
        ['green fields owner', users['employer2@example.com']],
        ['organizer', users['organizer@example.com']],
      ] as const) {
        out[name] = await uploads.read(actor ?? null, id).then(
          () => true,
          (err: { code?: string }) => (err.code === 'NOT_FOUND' ? false : Promise.reject(err)),
        );
      }
      return out;
    };
    expect(await readers()).toEqual({
      owner: true,
      anonymous: false,
      'other seeker': false,
      'xinghe recruiter': false,
      'green fields owner': false,
      organizer: false,
    });

    await queue.join(seeker, xingheBooth, true);
    expect(await readers()).toEqual({
      owner: true,
      anonymous: false,
      'other seeker': false,
      'xinghe recruiter': true,
      'green fields owner': false,
      organizer: false,
    });
    expect(Buffer.from((await uploads.read(users.recruiter!, id)).data)).toEqual(Buffer.from(PDF));
  });

  it('lets a recruiter read a resume only while the seeker is in their line or interview, or shared it; never once removed', async () => {
    const seeker = users.other!;
    const recruiter = users.recruiter!;
    const stranger = users['employer2@example.com']!;
    const profiles = new ProfileService(fresh.database.db);
    const interviews = new InterviewService(fresh.database.db);
    const may = (actor: SessionUser, id: string) =>
      uploads.read(actor, id).then(
        () => true,
        (err: { code?: string }) => (err.code === 'NOT_FOUND' ? false : Promise.reject(err)),
      );

    const first = await uploads.store(seeker, 'resume', { name: 'cv.pdf', bytes: PDF });
    await profiles.setResume(seeker, first);
    expect(await may(recruiter, first)).toBe(false);
    // Waiting in the line: the booth's recruiters see it; leaving the line (never interviewed) ends that.
    await queue.join(seeker, xingheBooth, true);
    expect([await may(recruiter, first), await may(stranger, first)]).toEqual([true, false]);
    await queue.leave(seeker, xingheBooth);
    expect(await may(recruiter, first)).toBe(false);

    // Called and accepted: the interview shares this resume with the employer, and it stays shared.
    const { entry } = await queue.join(seeker, xingheBooth, true);
    await queue.callSpecific(recruiter, xingheBooth, entry.id, 'test');
    const interview = await queue.accept(seeker, entry.id);
    expect(await may(recruiter, first)).toBe(true);
    await interviews.end(recruiter, interview.id);
    expect([await may(recruiter, first), await may(stranger, first)]).toEqual([true, false]);
    const shares = await fresh.database.db.select().from(schema.resumeShares).where(eq(schema.resumeShares.uploadId, first));
    expect(shares.map((r) => r.interviewId)).toEqual([interview.id]);

    // A new resume replaces it: the old file is deleted (row and shares), the new one is not shared.
    const second = await uploads.store(seeker, 'resume', { name: 'cv2.pdf', bytes: PDF });
    await profiles.setResume(seeker, second);
    expect(await fresh.database.db.select({ id: schema.uploads.id }).from(schema.uploads).where(eq(schema.uploads.id, first))).toEqual([]);
    expect(await fresh.database.db.select().from(schema.resumeShares).where(eq(schema.resumeShares.uploadId, first))).toEqual([]);
    expect([await may(recruiter, first), await may(recruiter, second), await may(seeker, second)]).toEqual([false, false, true]);

    // Removing the resume deletes the file: nobody, not even its owner, reads it again.
    await profiles.setResume(seeker, null);
    expect(await fresh.database.db.select({ id: schema.uploads.id }).from(schema.uploads).where(eq(schema.uploads.id, second))).toEqual([]);
    await expect(uploads.read(seeker, second)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Nobody can point their profile at someone else's file.
    const theirs = await uploads.store(users['seeker@example.com']!, 'resume', { name: 'x.pdf', bytes: PDF });
    await expect(profiles.setResume(seeker, theirs)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps uploads within per-user quotas and an hourly rate, storing nothing when refused', async () => {
    const db = fresh.database.db;
    const [u] = await db.insert(schema.users).values({ email: 'quota@example.com', name: 'Quota', role: 'seeker' }).returning();
    const me: SessionUser = { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
    const counts = async () => ({
      files: (await db.select().from(schema.uploads).where(eq(schema.uploads.ownerId, me.id))).length,
      log: (await db.select().from(schema.uploadLog).where(eq(schema.uploadLog.userId, me.id))).length,
    });
    const big = new Uint8Array(600).fill(0x20);
    big.set(PDF);

    // Bytes kept: two files of 600 fit in 1500, a third does not.
    const bytesLimited = new UploadService(db, { maxFilesPerUser: 10, maxBytesPerUser: 1500, perHour: 100 });
    const a = await bytesLimited.store(me, 'resume', { name: 'a.pdf', bytes: big });
    await bytesLimited.store(me, 'resume', { name: 'b.pdf', bytes: big });
    await expect(bytesLimited.store(me, 'resume', { name: 'c.pdf', bytes: big })).rejects.toMatchObject({ code: 'INVALID', fields: { file: 'file_quota' } });
    expect(await counts()).toEqual({ files: 2, log: 2 });

    // Files kept: with two kept and a limit of two, a third is refused; removing one makes room.
    const filesLimited = new UploadService(db, { maxFilesPerUser: 2, maxBytesPerUser: 1e9, perHour: 100 });
    await expect(filesLimited.store(me, 'resume', { name: 'c.pdf', bytes: PDF })).rejects.toMatchObject({ fields: { file: 'file_quota' } });
    await db.delete(schema.uploads).where(eq(schema.uploads.id, a));
    await filesLimited.store(me, 'resume', { name: 'c.pdf', bytes: PDF });
    expect(await counts()).toEqual({ files: 2, log: 3 });

    // The hourly rate counts uploads made (removed ones too), across nodes: concurrent uploads
    // through two services (as on two nodes) get exactly the allowance left.
    const node1 = new UploadService(db, { maxFilesPerUser: 100, maxBytesPerUser: 1e9, perHour: 5 });
    const node2 = new UploadService(db, { maxFilesPerUser: 100, maxBytesPerUser: 1e9, perHour: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? node1 : node2).store(me, 'resume', { name: `r${i}.pdf`, bytes: PDF })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED', fields: { file: 'file_rate_limited' } });
      expect((r as PromiseRejectedResult).reason.retryAfterSeconds).toBeGreaterThan(3500);
    }
    expect(await counts()).toEqual({ files: 4, log: 5 });
  });

  it('serves logos to anyone', async () => {
    const id = await uploads.store(users.recruiter!, 'logo', { name: 'logo.png', bytes: PNG });
    expect((await uploads.read(null, id)).contentType).toBe('image/png');
  });

  it('takes a new logo from the employer’s owner only, storing nothing for anyone else', async () => {
    const db = fresh.database.db;
    const employers = new EmployerService(db, undefined, undefined, uploads);
    const employerId = xingheEmployer;
    const stored = async () => (await db.select().from(schema.uploads).where(eq(schema.uploads.kind, 'logo'))).length;
    const before = await stored();
    for (const actor of [users['employer2@example.com']!, users['seeker@example.com']!, null]) {
      await expect(employers.uploadLogo(actor, employerId, { name: 'logo.png', bytes: PNG })).rejects.toMatchObject({
        code: actor ? 'NOT_AUTHORIZED' : 'UNAUTHENTICATED',
      });
    }
    expect(await stored()).toBe(before);
    await employers.uploadLogo(users.recruiter!, employerId, { name: 'logo.png', bytes: PNG });
    expect(await stored()).toBe(before + 1);
    const [row] = await db.select().from(schema.employers).where(eq(schema.employers.id, employerId));
    expect(row!.logoUploadId).not.toBeNull();
  });
});
