import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../connect.ts';
import { booths, broadcasts, employerMembers, employers, fairs, jobs, users } from '../schema/index.ts';
import type { SessionUser } from '../auth.ts';

export type Fair = typeof fairs.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type Broadcast = typeof broadcasts.$inferSelect;

export interface BoothSummary {
  id: string;
  fairId: string;
  tagline: string;
  employer: { id: string; name: string; industry: string; location: string; description: string };
}

export function listFairs(db: Db): Promise<Fair[]> {
  return db.select().from(fairs).orderBy(asc(fairs.startsAt));
}

export async function getFair(db: Db, id: string): Promise<Fair | null> {
  const [row] = await db.select().from(fairs).where(eq(fairs.id, id));
  return row ?? null;
}

export function listBroadcasts(db: Db): Promise<Broadcast[]> {
  // Booth presentations are listed on their booths, not among the broadcasts.
  return db.select().from(broadcasts).where(isNull(broadcasts.boothId)).orderBy(asc(broadcasts.startsAt));
}

const boothColumns = {
  id: booths.id,
  fairId: booths.fairId,
  tagline: booths.tagline,
  employer: {
    id: employers.id,
    name: employers.name,
    industry: employers.industry,
    location: employers.location,
    description: employers.description,
  },
};

/** A fair's open booths (approved by the organizer). */
export function listBooths(db: Db, fairId: string): Promise<BoothSummary[]> {
  return db
    .select(boothColumns)
    .from(booths)
    .innerJoin(employers, eq(employers.id, booths.employerId))
    .where(and(eq(booths.fairId, fairId), eq(booths.status, 'approved')))
    .orderBy(asc(employers.name));
}

/** An open booth; applications and invitations are not booths yet. */
export async function getBooth(db: Db, boothId: string): Promise<BoothSummary | null> {
  const [row] = await db
    .select(boothColumns)
    .from(booths)
    .innerJoin(employers, eq(employers.id, booths.employerId))
    .where(and(eq(booths.id, boothId), eq(booths.status, 'approved')));
  return row ?? null;
}

export function listJobs(db: Db, employerIds: string[]): Promise<Job[]> {
  if (employerIds.length === 0) return Promise.resolve([]);
  return db.select().from(jobs).where(inArray(jobs.employerId, employerIds)).orderBy(asc(jobs.title));
}

/** Employer ids the user staffs (as owner or recruiter). */
export async function employersOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ employerId: employerMembers.employerId }).from(employerMembers).where(eq(employerMembers.userId, userId));
  return rows.map((r) => r.employerId);
}

/** A user as the services see an actor, by id (null when the account is gone). */
export async function sessionUserById(db: Db, id: string): Promise<SessionUser | null> {
  const [u] = await db.select().from(users).where(eq(users.id, id));
  return u ? { id: u.id, email: u.email, name: u.name, role: u.role } : null;
}

/** What a booth's line shows about it: the employer's name and the fair's time zone ("today"). */
export async function boothHeader(db: Db, boothId: string): Promise<{ employerName: string; timeZone: string }> {
  const [row] = await db
    .select({ name: employers.name, timeZone: fairs.timeZone })
    .from(booths)
    .innerJoin(employers, eq(employers.id, booths.employerId))
    .innerJoin(fairs, eq(fairs.id, booths.fairId))
    .where(eq(booths.id, boothId));
  return { employerName: row?.name ?? '', timeZone: row?.timeZone ?? 'UTC' };
}
