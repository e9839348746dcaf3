import { and, asc, eq, gt, ilike, inArray, lte, ne, or, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { isOrganizer, requireMember, requireRole, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { boothApplicationSchema, fairFiltersSchema, fairSchema, type FairInput } from './schemas.ts';
import { validate } from './validate.ts';
import { enqueueBoothEvent } from './outbox.ts';
import { z } from 'zod';

const { fairs, booths, employers, jobs, uploads } = schema;

export type FairStatus = (typeof fairs.$inferSelect)['status'];

/** Moves an organizer may make by hand; the clock makes published -> live -> ended itself. */
const TRANSITIONS: Record<FairStatus, FairStatus[]> = {
  draft: ['published'],
  published: ['draft', 'live', 'ended'],
  live: ['ended'],
  ended: [],
};

/** Themed fairs, their lifecycle, and the booths employers hold in them. */
export class FairService {
  constructor(private readonly db: Db) {}

  /** Fairs a visitor may see; organizers also see drafts. */
  list(actor: Actor) {
    return this.db
      .select()
      .from(fairs)
      .where(isOrganizer(actor) ? undefined : ne(fairs.status, 'draft'))
      .orderBy(asc(fairs.startsAt));
  }

  async get(actor: Actor, fairId: string) {
    const [fair] = await this.db.select().from(fairs).where(eq(fairs.id, fairId));
    if (!fair || (fair.status === 'draft' && !isOrganizer(actor))) throw new ServiceError('NOT_FOUND', 'No such fair');
    return fair;
  }

  async create(actor: Actor, input: FairInput) {
    const organizer = requireRole(actor, 'organizer');
    const data = validate(fairSchema, input);
    const [row] = await this.db
      .insert(fairs)
      .values({ ...data, customTheme: data.theme === 'custom' ? (data.customTheme ?? null) : null, createdBy: organizer.id })
      .returning();
    return row!;
  }

  async update(actor: Actor, fairId: string, input: FairInput) {
    requireRole(actor, 'organizer');
    const data = validate(fairSchema, input);
    const [row] = await this.db
      .update(fairs)
      .set({ ...data, customTheme: data.theme === 'custom' ? (data.customTheme ?? null) : null })
      .where(eq(fairs.id, fairId))
      .returning();
    if (!row) throw new ServiceError('NOT_FOUND', 'No such fair');
    return row;
  }

  /** Sets or clears the cover image: an upload of kind 'cover' (UploadService.store). */
  async setCover(actor: Actor, fairId: string, uploadId: string | null) {
    requireRole(actor, 'organizer');
    if (uploadId) {
      const [upload] = await this.db.select({ kind: uploads.kind }).from(uploads).where(eq(uploads.id, uploadId));
      if (upload?.kind !== 'cover') throw new ServiceError('INVALID', 'Not a cover image', { file: 'file_type' });
    }
    const [row] = await this.db.update(fairs).set({ coverUploadId: uploadId }).where(eq(fairs.id, fairId)).returning();
    if (!row) throw new ServiceError('NOT_FOUND', 'No such fair');
    return row;
  }

  async setStatus(actor: Actor, fairId: string, status: FairStatus) {
    requireRole(actor, 'organizer');
    const fair = await this.get(actor, fairId);
    if (!TRANSITIONS[fair.status].includes(status)) {
      throw new ServiceError('CONFLICT', `A ${fair.status} fair cannot become ${status}`);
    }
    await this.db.update(fairs).set({ status }).where(eq(fairs.id, fairId));
  }

  /** The clock's moves: published fairs open at their start, live ones close at their end. */
  async advanceByClock(now = new Date()): Promise<number> {
    const ended = await this.db
      .update(fairs)
      .set({ status: 'ended' })
      .where(and(inArray(fairs.status, ['published', 'live']), lte(fairs.endsAt, now)))
      .returning({ id: fairs.id });
    const opened = await this.db
      .update(fairs)
      .set({ status: 'live' })
      .where(and(eq(fairs.status, 'published'), lte(fairs.startsAt, now), gt(fairs.endsAt, now)))
      .returning({ id: fairs.id });
    return ended.length + opened.length;
  }

  /** An employer asks for a booth at a published or live fair. */
  async apply(actor: Actor, employerId: string, input: { fairId: string; tagline?: string }) {
    await requireMember(this.db, actor, employerId);
    const { fairId, tagline } = validate(boothApplicationSchema, input);
    const fair = await this.get(actor, fairId);
    if (fair.status !== 'published' && fair.status !== 'live') throw new ServiceError('CONFLICT', 'This fair does not take applications');
    const [row] = await this.db.insert(booths).values({ fairId, employerId, tagline, status: 'applied' }).onConflictDoNothing().returning();
    if (!row) throw new ServiceError('CONFLICT', 'This employer already has a booth or an application at this fair');
    return row;
  }

  /** The organizer invites an employer; the employer accepts to open the booth. */
  async invite(actor: Actor, fairId: string, employerId: string) {
    requireRole(actor, 'organizer');
    await this.get(actor, fairId);
    const [employer] = await this.db.select({ id: employers.id }).from(employers).where(eq(employers.id, employerId));
    if (!employer) throw new ServiceError('NOT_FOUND', 'No such employer');
    const [row] = await this.db.insert(booths).values({ fairId, employerId, status: 'invited' }).onConflictDoNothing().returning();
    if (!row) throw new ServiceError('CONFLICT', 'This employer already has a booth or an application at this fair');
    return row;
  }

  /** The organizer approves or rejects an application. */
  async decide(actor: Actor, boothId: string, decision: 'approved' | 'rejected') {
    requireRole(actor, 'organizer');
    const [row] = await this.db
      .update(booths)
      .set({ status: decision })
      .where(and(eq(booths.id, boothId), eq(booths.status, 'applied')))
      .returning();
    if (!row) throw new ServiceError('CONFLICT', 'No pending application with that id');
    return row;
  }

  /** The employer accepts an organizer's invitation: the booth opens; its webhook event commits with it. */
  async acceptInvitation(actor: Actor, boothId: string, now = new Date()) {
    const parsed = z.uuid().safeParse(boothId);
    const [booth] = parsed.success ? await this.db.select().from(booths).where(eq(booths.id, parsed.data)) : [];
    if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
    await requireMember(this.db, actor, booth.employerId);
    await this.db.transaction(async (tx) => {
      // Conditional: two members answering at once open it once (and send one event).
      const [opened] = await tx
        .update(booths)
        .set({ status: 'approved' })
        .where(and(eq(booths.id, booth.id), eq(booths.status, 'invited')))
        .returning({ id: booths.id });
      if (!opened) throw new ServiceError('CONFLICT', 'This booth is not waiting for your answer');
      await enqueueBoothEvent(tx as unknown as Db, 'invitation.answered', booth.id, { invitation: 'booth', answer: 'accepted', answeredBy: actor!.id }, now);
    });
  }

  async setTagline(actor: Actor, boothId: string, tagline: string) {
    const [booth] = await this.db.select().from(booths).where(eq(booths.id, boothId));
    if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
    await requireMember(this.db, actor, booth.employerId);
    const { tagline: clean } = validate(boothApplicationSchema, { fairId: booth.fairId, tagline });
    await this.db.update(booths).set({ tagline: clean }).where(eq(booths.id, boothId));
  }

  /** Every booth of a fair with its employer, for the organizer (any status). */
  async allBooths(actor: Actor, fairId: string) {
    requireRole(actor, 'organizer');
    return this.db
      .select({ booth: booths, employer: { id: employers.id, name: employers.name, industry: employers.industry } })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(eq(booths.fairId, fairId))
      .orderBy(asc(employers.name));
  }

  /** Booths and applications of one employer, across fairs. */
  boothsOfEmployer(employerId: string) {
    return this.db
      .select({ booth: booths, fair: { id: fairs.id, title: fairs.title, status: fairs.status } })
      .from(booths)
      .innerJoin(fairs, eq(fairs.id, booths.fairId))
      .where(eq(booths.employerId, employerId))
      .orderBy(asc(fairs.startsAt));
  }

  /**
   * The fair's open booths matching the filters: a free-text query across employer names,
   * industries, taglines and job titles/skills; industry; a job type; a location.
   */
  async search(actor: Actor, fairId: string, rawFilters: unknown) {
    await this.get(actor, fairId);
    const f = fairFiltersSchema.parse(rawFilters ?? {});
    const like = (v: string) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const jobMatch = (cond: ReturnType<typeof eq>) => sql`exists (select 1 from ${jobs} where ${jobs.employerId} = ${employers.id} and ${cond})`;
    const conditions = [eq(booths.fairId, fairId), eq(booths.status, 'approved')];
    if (f.q) {
      const q = like(f.q);
      conditions.push(
        or(
          ilike(employers.name, q),
          ilike(employers.industry, q),
          ilike(booths.tagline, q),
          jobMatch(or(ilike(jobs.title, q), sql`array_to_string(${jobs.skills}, ' ') ilike ${q}`)!),
        )!,
      );
    }
    if (f.industry) conditions.push(eq(employers.industry, f.industry));
    if (f.jobType) conditions.push(jobMatch(eq(jobs.jobType, f.jobType)));
    if (f.location) conditions.push(or(ilike(employers.location, like(f.location)), jobMatch(ilike(jobs.location, like(f.location))))!);
    const rows = await this.db
      .select({
        id: booths.id,
        tagline: booths.tagline,
        employer: { id: employers.id, name: employers.name, industry: employers.industry, location: employers.location },
      })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(and(...conditions))
      .orderBy(asc(employers.name));
    const matchingJobs = rows.length
      ? await this.db
          .select()
          .from(jobs)
          .where(
            inArray(
              jobs.employerId,
              rows.map((r) => r.employer.id),
            ),
          )
          .orderBy(asc(jobs.title))
      : [];
    const industries = await this.db
      .selectDistinct({ industry: employers.industry })
      .from(booths)
      .innerJoin(employers, eq(employers.id, booths.employerId))
      .where(and(eq(booths.fairId, fairId), eq(booths.status, 'approved')))
      .orderBy(asc(employers.industry));
    return {
      filters: f,
      industries: industries.map((i) => i.industry),
      booths: rows.map((r) => ({
        ...r,
        jobs: matchingJobs.filter((j) => j.employerId === r.employer.id && (!f.jobType || j.jobType === f.jobType)),
      })),
    };
  }
}
