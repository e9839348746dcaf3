import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type SessionUser } from '@fairground/db';
import { demoBooths, freshDatabase } from '../../test/helpers.ts';
import { BoothQueue } from './queue.ts';
import { UploadService } from './uploads.ts';

const PDF = new TextEncoder().encode('%PDF-1.4\n% a resume\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('who may read an upload', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let uploads: UploadService;
  let queue: BoothQueue;
  const users: Record<string, SessionUser> = {};
  let xingheBooth: string;

  beforeAll(async () => {
    fresh = await freshDatabase('uploads');
    const db = fresh.database.db;
    uploads = new UploadService(db);
    queue = new BoothQueue(db, { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 });
    for (const email of ['seeker@example.com', 'employer@example.com', 'employer2@example.com', 'organizer@example.com']) {
      const [u] = await db.select().from(schema.users).where(eq(schema.users.email, email));
      users[email] = { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
    }
    const [other] = await db.insert(schema.users).values({ email: 'other-seeker@example.com', name: 'Other', role: 'seeker' }).returning();
    users.other = { id: other!.id, email: other!.email, name: other!.name, role: other!.role };
    xingheBooth = (await demoBooths(db)).xinghe.id;
  });
  afterAll(() => fresh?.drop());

  it("keeps a resume to its owner and the recruiters of a line the seeker joined", async () => {
    const seeker = users['seeker@example.com']!;
    const id = await uploads.store(seeker, 'resume', { name: '李明 resume.pdf', bytes: PDF });
    const readers = async () => {
      const out: Record<string, boolean> = {};
      for (const [name, actor] of [['owner', seeker], ['anonymous', null], ['other seeker', users.other], ['xinghe recruiter', users['employer@example.com']], ['green fields owner', users['employer2@example.com']], ['organizer', users['organizer@example.com']]] as const) {
        out[name] = await uploads.read(actor ?? null, id).then(() => true, (err: { code?: string }) => (err.code === 'NOT_FOUND' ? false : Promise.reject(err)));
      }
      return out;
    };
    expect(await readers()).toEqual({ owner: true, anonymous: false, 'other seeker': false, 'xinghe recruiter': false, 'green fields owner': false, organizer: false });

    await queue.join(seeker, xingheBooth, true);
    expect(await readers()).toEqual({ owner: true, anonymous: false, 'other seeker': false, 'xinghe recruiter': true, 'green fields owner': false, organizer: false });
    expect(Buffer.from((await uploads.read(users['employer@example.com']!, id)).data)).toEqual(Buffer.from(PDF));
  });

  it('serves logos to anyone', async () => {
    const id = await uploads.store(users['employer@example.com']!, 'logo', { name: 'logo.png', bytes: PNG });
    expect((await uploads.read(null, id)).contentType).toBe('image/png');
  });
});
