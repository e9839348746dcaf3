import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import type { AccessEvents } from './access.ts';
import type { UploadService } from './uploads.ts';
import { requireMember, requireOwner, requireRole, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { employerSchema, inviteSchema, jobSchema, type EmployerInput, type JobInput } from './schemas.ts';
import { validate } from './validate.ts';
import { invitationLink, joinTeam, localeOf, newInvitationToken, type InvitationMail } from './invitations.ts';
import { mailLanguage, mailTemplates, noMail } from './mail.ts';

const { employers, employerMembers, employerInvitations, jobs, users } = schema;

/** Employers, their staff and their jobs. Every mutation checks the actor first. */
export class EmployerService {
  constructor(
    private readonly db: Db,
    private readonly mail: InvitationMail = { mailer: noMail, origin: 'http://localhost:3000' },
    /** Told when someone leaves a team, so their open sockets lose the staff rights at once. */
    private readonly access?: AccessEvents,
    /** Where a new logo's bytes are stored (uploadLogo). */
    private readonly uploads?: UploadService,
  ) {}

  /** Employers the user staffs, with their role there. */
  async mine(actor: Actor) {
    const user = requireUser(actor);
    return this.db
      .select({ employer: employers, role: employerMembers.role })
      .from(employerMembers)
      .innerJoin(employers, eq(employers.id, employerMembers.employerId))
      .where(eq(employerMembers.userId, user.id))
      .orderBy(asc(employers.name));
  }

  /** Every employer, for organizers inviting them to fairs. */
  async all(actor: Actor) {
    requireRole(actor, 'organizer');
    return this.db.select().from(employers).orderBy(asc(employers.name));
  }

  async get(employerId: string) {
    const [row] = await this.db.select().from(employers).where(eq(employers.id, employerId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such employer');
    return row;
  }

  /** Registers a company with the actor as its owner (employer accounts at sign-up). */
  /** The same service on another handle (a transaction in progress). */
  withDb(db: Db): EmployerService {
    return new EmployerService(db, this.mail, this.access, this.uploads);
  }

  async create(actor: Actor, input: EmployerInput) {
    const user = requireUser(actor);
    if (user.role !== 'employer') throw new ServiceError('NOT_AUTHORIZED', 'Only employer accounts register companies');
    const data = validate(employerSchema, input);
    return this.db.transaction(async (tx) => {
      const [employer] = await tx.insert(employers).values(data).returning();
      await tx.insert(employerMembers).values({ employerId: employer!.id, userId: user.id, role: 'owner' });
      return employer!;
    });
  }

  async update(actor: Actor, employerId: string, input: EmployerInput) {
    await requireOwner(this.db, actor, employerId);
    const data = validate(employerSchema, input);
    const [row] = await this.db.update(employers).set(data).where(eq(employers.id, employerId)).returning();
    return row!;
  }

  /**
   * A new logo from its file: only the owner may, asked before anything is stored (so a refused
   * upload never counts against the user's quota); then stored and set.
   */
  async uploadLogo(actor: Actor, employerId: string, file: { name: string; bytes: Uint8Array }) {
    await requireOwner(this.db, actor, employerId);
    if (!this.uploads) throw new Error('EmployerService was made without an UploadService');
    await this.setLogo(actor, employerId, await this.uploads.store(actor, 'logo', file));
  }

  async setLogo(actor: Actor, employerId: string, uploadId: string | null) {
    await requireOwner(this.db, actor, employerId);
    await this.db.update(employers).set({ logoUploadId: uploadId }).where(eq(employers.id, employerId));
  }

  async members(actor: Actor, employerId: string) {
    await requireMember(this.db, actor, employerId);
    const staff = await this.db
      .select({ userId: users.id, name: users.name, email: users.email, role: employerMembers.role })
      .from(employerMembers)
      .innerJoin(users, eq(users.id, employerMembers.userId))
      .where(eq(employerMembers.employerId, employerId))
      .orderBy(asc(employerMembers.role), asc(users.name));
    const pending = await this.db
      .select({ id: employerInvitations.id, email: employerInvitations.email, createdAt: employerInvitations.createdAt })
      .from(employerInvitations)
      .where(and(eq(employerInvitations.employerId, employerId), isNull(employerInvitations.acceptedAt)));
    return { staff, pending };
  }

  /**
   * An owner invites a recruiter by email: a link that works once, for seven days, is mailed to
   * that address. Inviting the same address again replaces the link (the old one stops working).
   */
  async invite(actor: Actor, employerId: string, input: { email: string }) {
    const owner = await requireOwner(this.db, actor, employerId);
    const { email } = validate(inviteSchema, input);
    const { token, tokenHash, expiresAt } = newInvitationToken();
    const [existing] = await this.db
      .select({ id: employerInvitations.id })
      .from(employerInvitations)
      .where(and(eq(employerInvitations.employerId, employerId), eq(employerInvitations.email, email), isNull(employerInvitations.acceptedAt)));
    const [row] = existing
      ? await this.db
          .update(employerInvitations)
          .set({ tokenHash, expiresAt, invitedBy: owner.id })
          .where(eq(employerInvitations.id, existing.id))
          .returning({ id: employerInvitations.id })
      : await this.db
          .insert(employerInvitations)
          .values({ employerId, email, invitedBy: owner.id, tokenHash, expiresAt })
          .returning({ id: employerInvitations.id });
    const employer = await this.get(employerId);
    const lang = mailLanguage(await localeOf(this.db, email));
    await this.mail.mailer.send(mailTemplates.teamInvitation(lang, email, employer.name, invitationLink(this.mail.origin, token)));
    return row!;
  }

  /**
   * Invitations waiting for the signed-in user, matched by their account's email; listed only
   * once that address is verified (anyone can sign up with any address).
   */
  async invitationsFor(actor: Actor, now = new Date()) {
    const user = requireUser(actor);
    if (!user.emailVerified) return [];
    return this.db
      .select({ id: employerInvitations.id, employerId: employers.id, employerName: employers.name })
      .from(employerInvitations)
      .innerJoin(employers, eq(employers.id, employerInvitations.employerId))
      .where(and(eq(employerInvitations.email, user.email.toLowerCase()), isNull(employerInvitations.acceptedAt), gt(employerInvitations.expiresAt, now)));
  }

  /**
   * Accepts by id, without the mailed link: only for an account whose VERIFIED address is the
   * invited one. (The link itself is accepted by InvitationService.accept.)
   */
  async acceptInvitation(actor: Actor, invitationId: string, now = new Date()) {
    const user = requireUser(actor);
    return this.db.transaction(async (tx) => {
      const [invitation] = await tx
        .update(employerInvitations)
        .set({ acceptedAt: now })
        .where(
          and(
            eq(employerInvitations.id, invitationId),
            eq(employerInvitations.email, user.email.toLowerCase()),
            isNull(employerInvitations.acceptedAt),
            gt(employerInvitations.expiresAt, now),
          ),
        )
        .returning({ employerId: employerInvitations.employerId });
      if (!invitation || !user.emailVerified) {
        throw new ServiceError('NOT_FOUND', 'No such invitation for you');
      }
      await joinTeam(tx as unknown as Db, invitation.employerId, user, now);
      return { employerId: invitation.employerId };
    });
  }

  /** The owner removes a recruiter. The owner cannot be removed, by anyone. */
  async removeMember(actor: Actor, employerId: string, userId: string) {
    await requireOwner(this.db, actor, employerId);
    const [target] = await this.db
      .select({ role: employerMembers.role })
      .from(employerMembers)
      .where(and(eq(employerMembers.employerId, employerId), eq(employerMembers.userId, userId)));
    if (!target) throw new ServiceError('NOT_FOUND', 'Not a member of this employer');
    if (target.role === 'owner') throw new ServiceError('NOT_AUTHORIZED', 'The owner cannot be removed');
    await this.db.delete(employerMembers).where(and(eq(employerMembers.employerId, employerId), eq(employerMembers.userId, userId)));
    this.access?.changed({ userId, reason: 'team-removed', employerId });
  }

  async jobs(employerId: string) {
    return this.db.select().from(jobs).where(eq(jobs.employerId, employerId)).orderBy(asc(jobs.title));
  }

  async job(jobId: string) {
    const [row] = await this.db
      .select({ job: jobs, employer: employers })
      .from(jobs)
      .innerJoin(employers, eq(employers.id, jobs.employerId))
      .where(eq(jobs.id, jobId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such job');
    return row;
  }

  async createJob(actor: Actor, employerId: string, input: JobInput) {
    await requireMember(this.db, actor, employerId);
    const data = validate(jobSchema, input);
    const [row] = await this.db
      .insert(jobs)
      .values({ ...data, employerId })
      .returning();
    return row!;
  }

  async updateJob(actor: Actor, jobId: string, input: JobInput) {
    const { job } = await this.job(jobId);
    await requireMember(this.db, actor, job.employerId);
    const data = validate(jobSchema, input);
    const [row] = await this.db.update(jobs).set(data).where(eq(jobs.id, jobId)).returning();
    return row!;
  }

  async deleteJob(actor: Actor, jobId: string) {
    const { job } = await this.job(jobId);
    await requireMember(this.db, actor, job.employerId);
    await this.db.delete(jobs).where(eq(jobs.id, jobId));
  }
}
