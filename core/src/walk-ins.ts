import { randomUUID } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, WALK_IN_DOMAIN, WALK_IN_SESSION_SECONDS, type Auth, type Db } from '@fairground/db';
import { ServiceError } from './errors.ts';
import { validate } from './validate.ts';
import { takeWindow } from './window-limit.ts';

const { users, walkIns } = schema;

/** How many walk-in sign-ups are allowed, and how long a walk-in's session lasts. */
export interface WalkInOptions {
  /** Sign-ups per client address per window (a hall's Wi-Fi shares one address: generous). */
  perAddress: number;
  /** Sign-ups per phone number or email per window (one person, a few lost phones at most). */
  perContact: number;
  windowSeconds: number;
}

export const defaultWalkInOptions: WalkInOptions = { perAddress: 30, perContact: 3, windowSeconds: 3600 };

export { WALK_IN_DOMAIN };

const PHONE = /^\+?[0-9]{6,15}$/;

/** A phone number (digits, an optional leading +; spaces, dashes, dots and brackets dropped) or an email. */
export const walkInSchema = z.object({
  name: z.string().trim().min(1, 'required').max(60, 'too_long'),
  contact: z
    .string()
    .trim()
    .min(1, 'required')
    .max(254, 'too_long')
    .transform((v, ctx) => {
      if (v.includes('@')) {
        const email = v.toLowerCase();
        if (!z.email().safeParse(email).success || email.endsWith(`@${WALK_IN_DOMAIN}`)) {
          ctx.addIssue({ code: 'custom', message: 'contact' });
          return z.NEVER;
        }
        return { kind: 'email' as const, value: email };
      }
      const phone = v.replace(/[\s\-().]/g, '');
      if (!PHONE.test(phone)) {
        ctx.addIssue({ code: 'custom', message: 'contact' });
        return z.NEVER;
      }
      return { kind: 'phone' as const, value: phone };
    }),
});

export type WalkInInput = { name?: unknown; contact?: unknown };

/**
 * Walk-ins: a seeker in the hall who gives a name and a phone number or an email and is signed in
 * at once, without a password or a confirmed address, to wait in booth lines and be called to the
 * desk (never into a video room: core/src/queue.ts refuses an unverified identity there).
 *
 * The contact is never looked up among accounts: the answer is the same whether or not an account
 * uses that email, and a walk-in never becomes that account (a person with an account signs in
 * through the usual page). Each sign-up makes a new identity; the limits per client address and
 * per contact (counted in Postgres, shared by every node) keep that from being abused.
 */
export class WalkInService {
  constructor(
    private readonly db: Db,
    private readonly options: WalkInOptions = defaultWalkInOptions,
  ) {}

  /** Creates the walk-in identity and returns the cookies of its session. */
  async start(auth: Auth, input: WalkInInput, clientAddress: string): Promise<{ userId: string; setCookies: string[] }> {
    const data = validate(walkInSchema, input);
    const { perAddress, perContact, windowSeconds } = this.options;
    // The address is counted before validation of the contact's history, so probing contacts is limited too.
    if (!(await takeWindow(this.db, `walk-in:address:${clientAddress}`, perAddress, windowSeconds))) {
      throw new ServiceError('RATE_LIMITED', 'Too many sign-ups from here; wait a while or ask at the desk');
    }
    const userId = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      // One writer per contact at a time, so concurrent sign-ups cannot all pass the count.
      await db.execute(sql`select pg_advisory_xact_lock(727301, hashtext(${data.contact.value}))`);
      const since = new Date(Date.now() - windowSeconds * 1000);
      const [recent] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(walkIns)
        .where(and(eq(walkIns.contact, data.contact.value), gt(walkIns.createdAt, since)));
      if ((recent?.n ?? 0) >= perContact) {
        throw new ServiceError('RATE_LIMITED', 'This phone number or email signed up too often; wait a while or ask at the desk');
      }
      const id = randomUUID();
      await db.insert(users).values({ id, email: `walk-in-${id}@${WALK_IN_DOMAIN}`, emailVerified: false, name: data.name, role: 'seeker' });
      await db.insert(walkIns).values({ userId: id, contactKind: data.contact.kind, contact: data.contact.value });
      return id;
    });
    const setCookies = await auth.startSession(userId, clientAddress, WALK_IN_SESSION_SECONDS);
    return { userId, setCookies };
  }

  /** The walk-in's contact, for the booth's staff (null for an ordinary account). */
  async contactOf(userId: string): Promise<{ kind: 'phone' | 'email'; value: string } | null> {
    const [row] = await this.db.select({ kind: walkIns.contactKind, value: walkIns.contact }).from(walkIns).where(eq(walkIns.userId, userId));
    return row ?? null;
  }
}
