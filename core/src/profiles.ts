import { eq } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireRole, requireUser, type Actor } from './actor.ts';
import { profileSchema, type ProfileInput } from './schemas.ts';
import { validate } from './validate.ts';

const { seekerProfiles, users } = schema;

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
    const values = { ...data, salaryMin: data.salaryMin ?? null, salaryMax: data.salaryMax ?? null, updatedAt: new Date() };
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ name, updatedAt: new Date() }).where(eq(users.id, user.id));
      await tx
        .insert(seekerProfiles)
        .values({ userId: user.id, ...values })
        .onConflictDoUpdate({ target: seekerProfiles.userId, set: values });
    });
  }

  async setResume(actor: Actor, uploadId: string | null): Promise<void> {
    const user = requireRole(actor, 'seeker');
    await this.db
      .insert(seekerProfiles)
      .values({ userId: user.id, resumeUploadId: uploadId })
      .onConflictDoUpdate({ target: seekerProfiles.userId, set: { resumeUploadId: uploadId, updatedAt: new Date() } });
  }
}
