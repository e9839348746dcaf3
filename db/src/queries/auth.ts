import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../connect.ts';
import { sessions, users } from '../schema/index.ts';

export type Role = (typeof users.$inferSelect)['role'];

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Checks the credentials; returns the user or null, never says which part was wrong. */
export async function verifyCredentials(
  db: Db,
  email: string,
  password: string,
): Promise<SessionUser | null> {
  const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!row) return null;
  if (!(await verify(row.passwordHash, password))) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** Creates a session and returns the token for the cookie (only its hash is stored). */
export async function createSession(db: Db, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.insert(sessions).values({ tokenHash: hashToken(token), userId, expiresAt });
  return { token, expiresAt };
}

export async function userForSession(db: Db, token: string): Promise<SessionUser | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, new Date())));
  return row ?? null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
}
