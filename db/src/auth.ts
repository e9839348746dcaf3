import { AsyncLocalStorage } from 'node:async_hooks';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { eq } from 'drizzle-orm';
import type { Db } from './connect.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { accounts, rateLimits, sessions, users, verifications } from './schema/index.ts';

export type Role = (typeof users.$inferSelect)['role'];

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface AuthOptions {
  /** Signs session cookies; at least 32 characters, the same on every node. */
  secret: string;
  /** The site's own origin (e.g. http://localhost:3000); requests from it are trusted. */
  baseURL: string;
  /** Sign-in and sign-up attempts allowed per client address per minute. */
  attemptsPerMinute?: number;
}

/** The cookie that carries the session; `__Secure-` is prefixed on https sites. */
export const SESSION_COOKIE_NAME = 'fg.session_token';

export type AuthResult =
  | { ok: true; user: SessionUser; setCookies: string[] }
  | { ok: false; reason: 'credentials' | 'email_taken' | 'rate_limited' | 'invalid' };

/**
 * Accounts and sessions through better-auth (a maintained library: password storage, signed
 * session cookies kept in Postgres, sign-in rate limits), with argon2id for passwords. Our code
 * sees only this small surface.
 */
export function createAuth(db: Db, options: AuthOptions) {
  // Sign-up writes the user, its password account, what signUp() adds (its role, an employer's
  // company) and the session in one transaction. better-auth runs its writes in a drizzle
  // transaction (`transaction: true`); this remembers that transaction, and the sign-up in
  // progress, so the hooks below write on it too.
  const currentTx = new AsyncLocalStorage<Db>();
  const pendingSignUp = new AsyncLocalStorage<PendingSignUp>();
  const adapterDb = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
      return (fn: (tx: Db) => Promise<unknown>, config?: unknown) =>
        (target.transaction as (f: (tx: Db) => Promise<unknown>, c?: unknown) => Promise<unknown>)((tx) => currentTx.run(tx, () => fn(tx)), config);
    },
  });
  const auth = betterAuth({
    appName: 'Fairground',
    secret: options.secret,
    baseURL: options.baseURL,
    basePath: '/api/auth',
    trustedOrigins: (request) => [options.baseURL, ...(request ? [new URL(request.url).origin] : [])],
    database: drizzleAdapter(adapterDb, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: accounts, verification: verifications, rateLimit: rateLimits },
      transaction: true,
    }),
    databaseHooks: {
      user: {
        create: {
          // The role is ours (never the client's): set in the same insert as the user.
          before: async (user) => {
            const pending = pendingSignUp.getStore();
            return pending ? { data: { ...user, role: pending.role } } : undefined;
          },
        },
      },
      account: {
        create: {
          // Right after the user row, inside better-auth's transaction: the caller's own writes.
          before: async (account) => {
            const pending = pendingSignUp.getStore();
            const tx = currentTx.getStore();
            if (!pending?.withinTransaction || pending.done) return;
            if (!tx) throw new Error('sign-up is not running in a transaction');
            pending.done = true;
            try {
              const [row] = await tx.select().from(users).where(eq(users.id, account.userId));
              await pending.withinTransaction(tx, { id: row!.id, email: row!.email, name: row!.name, role: row!.role });
            } catch (err) {
              pending.error = err;
              throw err;
            }
          },
        },
      },
    },
    advanced: {
      cookiePrefix: 'fg',
      database: { generateId: 'uuid' },
      ipAddress: { ipAddressHeaders: ['x-forwarded-for'] },
    },
    user: {
      additionalFields: {
        role: { type: ['seeker', 'employer', 'organizer', 'admin'], required: false, defaultValue: 'seeker', input: false },
        locale: { type: 'string', required: false, input: false },
      },
    },
    session: { expiresIn: 30 * 24 * 3600, updateAge: 24 * 3600 },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      password: {
        hash: hashPassword,
        verify: ({ hash, password }) => verifyPassword(hash, password),
      },
    },
    rateLimit: {
      enabled: true,
      storage: 'database',
      window: 60,
      max: 120,
      customRules: {
        '/sign-in/email': { window: 60, max: options.attemptsPerMinute ?? 10 },
        '/sign-up/email': { window: 60, max: options.attemptsPerMinute ?? 10 },
      },
    },
    telemetry: { enabled: false },
  });

  /** Runs one of better-auth's endpoints through its router, so its rate limits apply. */
  async function call(path: string, body: unknown, clientAddress: string): Promise<Response> {
    return auth.handler(
      new Request(`${options.baseURL}/api/auth${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: options.baseURL, 'x-forwarded-for': clientAddress },
        body: JSON.stringify(body),
      }),
    );
  }

  async function toResult(response: Response, failure: 'credentials' | 'email_taken'): Promise<AuthResult> {
    if (response.status === 429) return { ok: false, reason: 'rate_limited' };
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      if (body.code?.includes('EXIST')) return { ok: false, reason: 'email_taken' };
      return { ok: false, reason: response.status === 400 ? 'invalid' : failure };
    }
    const { user } = (await response.json()) as { user: { id: string } };
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    if (!row) return { ok: false, reason: failure };
    return {
      ok: true,
      user: { id: row.id, email: row.email, name: row.name, role: row.role },
      setCookies: response.headers.getSetCookie(),
    };
  }

  return {
    async signIn(input: { email: string; password: string }, clientAddress: string): Promise<AuthResult> {
      const email = input.email.trim().toLowerCase();
      return toResult(await call('/sign-in/email', { email, password: input.password }, clientAddress), 'credentials');
    },

    /**
     * Creates the account and its session; the role is set here, never by the client.
     * `withinTransaction` runs after the user row is written, in the same transaction: if it (or
     * any later write of the sign-up) fails, nothing of the account is left, and its error is thrown.
     */
    async signUp(
      input: { name: string; email: string; password: string; role: 'seeker' | 'employer' },
      clientAddress: string,
      withinTransaction?: (tx: Db, user: SessionUser) => Promise<void>,
    ): Promise<AuthResult> {
      const email = input.email.trim().toLowerCase();
      const pending: PendingSignUp = { role: input.role, withinTransaction, done: false };
      const response = await pendingSignUp.run(pending, () =>
        call('/sign-up/email', { name: input.name, email, password: input.password }, clientAddress),
      );
      if (pending.error) throw pending.error;
      return toResult(response, 'email_taken');
    },

    /**
     * An account made by an operator (`npm run create-admin`), not through a page: the same
     * better-auth password storage as sign-up, any role, the address taken as verified (the
     * operator vouches for it), and no session left behind. Refuses an existing email.
     */
    async createAccount(input: { name: string; email: string; password: string; role: Role }): Promise<
      { ok: true; user: SessionUser } | { ok: false; reason: 'email_taken' | 'invalid' }
    > {
      const email = input.email.trim().toLowerCase();
      const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (existing) return { ok: false, reason: 'email_taken' };
      const response = await auth.api.signUpEmail({ body: { name: input.name, email, password: input.password }, asResponse: true });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { code?: string };
        return { ok: false, reason: body.code?.includes('EXIST') ? 'email_taken' : 'invalid' };
      }
      const { user } = (await response.json()) as { user: { id: string } };
      const [row] = await db
        .update(users)
        .set({ role: input.role, emailVerified: true })
        .where(eq(users.id, user.id))
        .returning();
      await db.delete(sessions).where(eq(sessions.userId, user.id));
      if (!row) return { ok: false, reason: 'invalid' };
      return { ok: true, user: { id: row.id, email: row.email, name: row.name, role: row.role } };
    },

    /** The signed-in user for a request's cookies, or null. */
    async userFor(headers: Headers): Promise<SessionUser | null> {
      const session = await auth.api.getSession({ headers }).catch(() => null);
      if (!session) return null;
      const [row] = await db.select().from(users).where(eq(users.id, session.user.id));
      return row ? { id: row.id, email: row.email, name: row.name, role: row.role } : null;
    },

    /** Ends the session; returns the cookies that clear it in the browser. */
    async signOut(headers: Headers): Promise<string[]> {
      const response = await auth.api.signOut({ headers, asResponse: true }).catch(() => null);
      return response?.headers.getSetCookie() ?? [];
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

interface PendingSignUp {
  role: 'seeker' | 'employer';
  withinTransaction: ((tx: Db, user: SessionUser) => Promise<void>) | undefined;
  done: boolean;
  error?: unknown;
}
