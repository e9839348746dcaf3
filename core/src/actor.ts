import { and, eq } from 'drizzle-orm';
import { schema, type Db, type SessionUser } from '@fairground/db';
import { ServiceError } from './errors.ts';

/** Who is asking: a signed-in user, or null for a visitor. Every service takes one. */
export type Actor = SessionUser | null;

export function requireUser(actor: Actor): SessionUser {
  if (!actor) throw new ServiceError('UNAUTHENTICATED', 'Sign in first');
  return actor;
}

/** The one definition of an organizer: the organizer role, or an admin (who may do whatever organizers may). */
export function isOrganizer(actor: Pick<SessionUser, 'role'> | null | undefined): boolean {
  return actor?.role === 'organizer' || actor?.role === 'admin';
}

/** The one definition of a broadcast host: any organizer, or a user named among its hosts. */
export function isHost(actor: Actor, hosts: ReadonlyArray<{ id: string }>): boolean {
  return isOrganizer(actor) || (actor !== null && hosts.some((h) => h.id === actor.id));
}

export function requireRole(actor: Actor, ...roles: SessionUser['role'][]): SessionUser {
  const user = requireUser(actor);
  // Admins may do whatever organizers may.
  const effective = user.role === 'admin' ? ['admin', 'organizer'] : [user.role];
  if (!roles.some((r) => effective.includes(r))) throw new ServiceError('NOT_AUTHORIZED', 'Your role may not do this');
  return user;
}

export async function membership(db: Db, userId: string, employerId: string) {
  const [row] = await db
    .select({ role: schema.employerMembers.role })
    .from(schema.employerMembers)
    .where(and(eq(schema.employerMembers.userId, userId), eq(schema.employerMembers.employerId, employerId)));
  return row?.role ?? null;
}

/** The actor works for this employer (owner or recruiter). */
export async function requireMember(db: Db, actor: Actor, employerId: string): Promise<SessionUser> {
  const user = requireUser(actor);
  if (!(await membership(db, user.id, employerId))) {
    throw new ServiceError('NOT_AUTHORIZED', 'Only this employer’s staff may do this');
  }
  return user;
}

export async function requireOwner(db: Db, actor: Actor, employerId: string): Promise<SessionUser> {
  const user = requireUser(actor);
  if ((await membership(db, user.id, employerId)) !== 'owner') {
    throw new ServiceError('NOT_AUTHORIZED', 'Only the employer’s owner may do this');
  }
  return user;
}
