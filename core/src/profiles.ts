import { and, eq } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireRole, requireUser, type Actor } from './actor.ts';
import { profileSchema, type ProfileInput } from './schemas.ts';
import { validate } from './validate.ts';
import { ServiceError } from './errors.ts';

const { seekerProfiles, users, uploads } = schema;

export type SeekerProfile = typeof seekerProfiles.$inferSelect & { name: string };

/** A seeker's own profile: only they read it in full and change it. */
export class ProfileService {
  constructor(private readonly db: Db) {}

  async mine(actor: Actor): Promise<SeekerProfile> {
    const user = requireUser(actor);
    const [row] = await this.db.select().from(seekerProfiles).where(eq(seekerProfiles.userId, user.id));
    if (row) return { ...row, name: user.name };
    return {
      userId: user.id,
      headline: '',
      skills: [],
      yearsExperience: 0,
      education: '',
      graduationYear: null,
      salaryMin: null,
      salaryMax: null,
      currency: 'CNY',
      locations: [],
      jobTypes: [],
      languages: [],
      resumeText: '',
      resumeUploadId: null,
      updatedAt: new Date(0),
      name: user.name,
    };
  }

  async save(actor: Actor, input: ProfileInput): Promise<void> {
    const user = requireRole(actor, 'seeker');
    const { name, ...data } = validate(profileSchema, input);
    const values = {
      ...data,
      salaryMin: data.salaryMin ?? null,
      salaryMax: data.salaryMax ?? null,
      graduationYear: data.graduationYear ?? null,
      updatedAt: new Date(),
    };
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ name, updatedAt: new Date() }).where(eq(users.id, user.id));
      await tx
        .insert(seekerProfiles)
        .values({ userId: user.id, ...values })
        .onConflictDoUpdate({ target: seekerProfiles.userId, set: values });
    });
  }

  /**
   * Sets (or with null removes) the seeker's resume. The file it replaces is deleted, and with it
   * every share of it, in the same transaction: a removed resume can be read by nobody.
   */
  async setResume(actor: Actor, uploadId: string | null): Promise<void> {
    const user = requireRole(actor, 'seeker');
    await this.db.transaction(async (tx) => {
      const [current] = await tx.select({ id: seekerProfiles.resumeUploadId }).from(seekerProfiles).where(eq(seekerProfiles.userId, user.id)).for('update');
      if (uploadId) {
        const [file] = await tx
          .select({ id: uploads.id })
          .from(uploads)
          .where(and(eq(uploads.id, uploadId), eq(uploads.ownerId, user.id), eq(uploads.kind, 'resume')));
        if (!file) throw new ServiceError('NOT_FOUND', 'No such file');
      }
      await tx
        .insert(seekerProfiles)
        .values({ userId: user.id, resumeUploadId: uploadId })
        .onConflictDoUpdate({ target: seekerProfiles.userId, set: { resumeUploadId: uploadId, updatedAt: new Date() } });
      if (current?.id && current.id !== uploadId) {
        await tx.delete(uploads).where(and(eq(uploads.id, current.id), eq(uploads.ownerId, user.id), eq(uploads.kind, 'resume')));
      }
    });
  }
}
