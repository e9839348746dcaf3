import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import type { Mailer } from './mail.ts';
import { enqueueWebhookEvent } from './outbox.ts';

const { broadcasts, broadcastHostInvitations, employerInvitations, employers, users } = schema;

/** How long a mailed invitation link works. */
export const INVITATION_DAYS = 7;

/** Where invitation links point and how they are sent. */
export interface InvitationMail {
  mailer: Mailer;
  /** The site's public origin, e.g. https://fair.example.com. */
  origin: string;
}

/**
 * A fresh invitation link's secret: 256 random bits, unguessable, so holding it proves the mail
 * arrived. Only its SHA-256 is stored, so a read of the database cannot accept anything.
 */
export function newInvitationToken(now = new Date()) {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + INVITATION_DAYS * 24 * 3600 * 1000) };
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export const invitationLink = (origin: string, token: string) => `${origin}/invitations/${encodeURIComponent(token)}`;

/** The language of a mail to an address: its account's saved locale, if it has one. */
export async function localeOf(db: Db, email: string): Promise<string | null> {
  const [row] = await db.select({ locale: users.locale }).from(users).where(eq(users.email, email));
  return row?.locale ?? null;
}

export type InvitationView =
  { kind: 'team'; email: string; employerId: string; employerName: string } | { kind: 'host'; email: string; broadcastId: string; broadcastTitle: string };

/**
 * Invitations by their mailed link: team invitations and broadcast co-host invitations. A link
 * works once, for INVITATION_DAYS; a spent, expired or unknown one is NOT_FOUND.
 */
export class InvitationService {
  constructor(private readonly db: Db) {}

  /** What a live link invites to (for the page that offers to accept it). */
  async describe(token: string, now = new Date()): Promise<InvitationView> {
    const tokenHash = hashToken(token);
    const [team] = await this.db
      .select({ email: employerInvitations.email, employerId: employers.id, employerName: employers.name })
      .from(employerInvitations)
      .innerJoin(employers, eq(employers.id, employerInvitations.employerId))
      .where(and(eq(employerInvitations.tokenHash, tokenHash), isNull(employerInvitations.acceptedAt), gt(employerInvitations.expiresAt, now)));
    if (team) return { kind: 'team', ...team };
    const [host] = await this.db
      .select({ email: broadcastHostInvitations.email, broadcastId: broadcasts.id, broadcastTitle: broadcasts.title })
      .from(broadcastHostInvitations)
      .innerJoin(broadcasts, eq(broadcasts.id, broadcastHostInvitations.broadcastId))
      .where(and(eq(broadcastHostInvitations.tokenHash, tokenHash), isNull(broadcastHostInvitations.acceptedAt), gt(broadcastHostInvitations.expiresAt, now)));
    if (host) return { kind: 'host', ...host };
    throw new ServiceError('NOT_FOUND', 'This invitation link is not valid any more');
  }

  /**
   * The signed-in user accepts through the link. The link is the proof that they read the
   * invited address's mail, so the account's own address need not match; the conditional UPDATE
   * spends it, so two tabs accepting at once join once.
   */
  async accept(actor: Actor, token: string, now = new Date()): Promise<InvitationView> {
    const user = requireUser(actor);
    const view = await this.describe(token, now);
    const tokenHash = hashToken(token);
    await this.db.transaction(async (tx) => {
      if (view.kind === 'team') {
        const [spent] = await tx
          .update(employerInvitations)
          .set({ acceptedAt: now })
          .where(and(eq(employerInvitations.tokenHash, tokenHash), isNull(employerInvitations.acceptedAt), gt(employerInvitations.expiresAt, now)))
          .returning({ employerId: employerInvitations.employerId });
        if (!spent) throw new ServiceError('NOT_FOUND', 'This invitation link is not valid any more');
        await joinTeam(tx as unknown as Db, spent.employerId, user, now);
      } else {
        const [spent] = await tx
          .update(broadcastHostInvitations)
          .set({ acceptedAt: now })
          .where(
            and(eq(broadcastHostInvitations.tokenHash, tokenHash), isNull(broadcastHostInvitations.acceptedAt), gt(broadcastHostInvitations.expiresAt, now)),
          )
          .returning({ broadcastId: broadcastHostInvitations.broadcastId });
        if (!spent) throw new ServiceError('NOT_FOUND', 'This invitation link is not valid any more');
        await tx.insert(schema.broadcastHosts).values({ broadcastId: spent.broadcastId, userId: user.id }).onConflictDoNothing();
        const [broadcast] = await tx.select({ fairId: broadcasts.fairId }).from(broadcasts).where(eq(broadcasts.id, spent.broadcastId));
        // Only a fair's organizers subscribe to its broadcasts; a broadcast outside any fair has no receiver.
        if (broadcast?.fairId) {
          await enqueueWebhookEvent(tx as unknown as Db, {
            type: 'invitation.answered',
            subject: `broadcast:${spent.broadcastId}`,
            employerId: null,
            fairId: broadcast.fairId,
            data: { invitation: 'host', answer: 'accepted', broadcastId: spent.broadcastId, fairId: broadcast.fairId, userId: user.id },
            at: now,
          });
        }
      }
    });
    return view;
  }
}

/**
 * Makes the user a recruiter of the employer (a seeker account becomes an employer account): an
 * accepted team invitation, by link or by id. Its webhook event goes in the same transaction.
 */
export async function joinTeam(tx: Db, employerId: string, user: { id: string; role: string }, now = new Date()) {
  await tx.insert(schema.employerMembers).values({ employerId, userId: user.id, role: 'recruiter' }).onConflictDoNothing();
  // A seeker who accepts becomes an employer account (recruiters use the employer console).
  if (user.role === 'seeker') await tx.update(users).set({ role: 'employer' }).where(eq(users.id, user.id));
  await enqueueWebhookEvent(tx, {
    type: 'invitation.answered',
    subject: `employer:${employerId}`,
    employerId,
    fairId: null,
    data: { invitation: 'team', answer: 'accepted', employerId, userId: user.id },
    at: now,
  });
}
