import { and, eq } from 'drizzle-orm';
import { schema, verifyPassword, type Db, type Role } from '@fairground/db';
import type { AccessEvents } from './access.ts';
import { requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';

const { users, accounts, employerMembers } = schema;

const ROLES: readonly Role[] = ['seeker', 'employer', 'organizer', 'admin'];

/**
 * Changes to accounts themselves: an admin setting a role, a user deleting their own account.
 * Each change is announced through AccessEvents, so open sockets carrying the old rights end.
 */
export class UserService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessEvents,
  ) {}

  /** Admins only (organizers may not make admins). An admin cannot change their own role. */
  async setRole(actor: Actor, userId: string, role: Role): Promise<void> {
    const admin = requireUser(actor);
    if (admin.role !== 'admin') throw new ServiceError('NOT_AUTHORIZED', 'Only admins change roles');
    if (!ROLES.includes(role)) throw new ServiceError('INVALID', 'No such role', { role: 'invalid' });
    if (admin.id === userId) throw new ServiceError('CONFLICT', 'Admins cannot change their own role');
    const [row] = await this.db.update(users).set({ role }).where(eq(users.id, userId)).returning({ id: users.id });
    if (!row) throw new ServiceError('NOT_FOUND', 'No such user');
    this.access.changed({ userId, reason: 'role-changed' });
  }

  /**
   * Deletes the actor's own account after they confirm their password (a stolen session alone
   * cannot). Sessions, profile, uploads and places in lines go with it (cascades). An employer's
   * owner is refused: the company would be left without anyone who may manage it.
   */
  async deleteSelf(actor: Actor, password: string): Promise<void> {
    const user = requireUser(actor);
    const [credential] = await this.db
      .select({ password: accounts.password })
      .from(accounts)
      .where(and(eq(accounts.userId, user.id), eq(accounts.providerId, 'credential')));
    const ok = credential?.password ? await verifyPassword(credential.password, password).catch(() => false) : false;
    if (!ok) throw new ServiceError('INVALID', 'Wrong password', { password: 'wrong_password' });
    const [owned] = await this.db
      .select({ employerId: employerMembers.employerId })
      .from(employerMembers)
      .where(and(eq(employerMembers.userId, user.id), eq(employerMembers.role, 'owner')))
      .limit(1);
    if (owned) throw new ServiceError('CONFLICT', 'An employer’s owner cannot delete their account');
    await this.db.delete(users).where(eq(users.id, user.id));
    this.access.changed({ userId: user.id, reason: 'account-deleted' });
  }
}
