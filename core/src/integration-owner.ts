import { and, eq } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireMember, requireOwner, requireRole, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import type { IntegrationOwnerKind } from './webhook-catalogue.ts';

/** Whose integration (webhook endpoint, API token) this is: an employer's, or one fair's organizers'. */
export type IntegrationOwner = { kind: 'employer'; employerId: string } | { kind: 'fair'; fairId: string };

/**
 * Who may manage an owner's integrations: the employer's owner (recruiters may look, `read`), or
 * an organizer for a fair (any organizer runs any fair, as elsewhere in the product).
 */
export async function requireIntegrationOwner(db: Db, actor: Actor, owner: IntegrationOwner, access: 'read' | 'manage'): Promise<void> {
  if (owner.kind === 'employer') {
    if (access === 'manage') await requireOwner(db, actor, owner.employerId);
    else await requireMember(db, actor, owner.employerId);
    return;
  }
  requireRole(actor, 'organizer');
  const [fair] = await db.select({ id: schema.fairs.id }).from(schema.fairs).where(eq(schema.fairs.id, owner.fairId));
  if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
}

/** A row's owner, from its owner columns. */
export function ownerOf(row: { ownerKind: IntegrationOwnerKind; employerId: string | null; fairId: string | null }): IntegrationOwner {
  return row.ownerKind === 'employer' ? { kind: 'employer', employerId: row.employerId! } : { kind: 'fair', fairId: row.fairId! };
}

/** The owner columns of a new row. */
export function ownerColumns(owner: IntegrationOwner) {
  return owner.kind === 'employer'
    ? { ownerKind: 'employer' as const, employerId: owner.employerId, fairId: null }
    : { ownerKind: 'fair' as const, employerId: null, fairId: owner.fairId };
}

/** The rows of this owner, as a where-condition over a table with owner columns. */
export function ownerIs(table: typeof schema.webhookEndpoints | typeof schema.apiTokens, owner: IntegrationOwner) {
  return owner.kind === 'employer'
    ? and(eq(table.ownerKind, 'employer'), eq(table.employerId, owner.employerId))
    : and(eq(table.ownerKind, 'fair'), eq(table.fairId, owner.fairId));
}

/** Whom to tell about an owner's integration: the employer's owners, or the fair's creator. */
export async function ownerContacts(db: Db, owner: IntegrationOwner): Promise<Array<{ email: string; locale: string | null }>> {
  const { users, employerMembers, fairs } = schema;
  if (owner.kind === 'employer') {
    return db
      .select({ email: users.email, locale: users.locale })
      .from(employerMembers)
      .innerJoin(users, eq(users.id, employerMembers.userId))
      .where(and(eq(employerMembers.employerId, owner.employerId), eq(employerMembers.role, 'owner')));
  }
  return db.select({ email: users.email, locale: users.locale }).from(fairs).innerJoin(users, eq(users.id, fairs.createdBy)).where(eq(fairs.id, owner.fairId));
}
