import { AsyncLocalStorage } from 'node:async_hooks';
import { betterAuth, type BetterAuthPlugin } from 'better-auth';
import { createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { eq, sql } from 'drizzle-orm';
import type { Db } from './connect.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { accounts, rateLimits, sessions, signInFailures, users, verifications } from './schema/index.ts';

export type Role = (typeof users.$inferSelect)['role'];

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The address was confirmed through a mailed link (required to accept invitations by address). */
  emailVerified?: boolean;
}

/** Who a mail goes to: the address and the language they use. */
export interface MailRecipient {
  email: string;
  locale?: string | null;
}

/** The account mails better-auth asks for; composed and sent by the platform (core/src/mail.ts). */
export interface AuthMail {
  verification(user: MailRecipient, token: string): Promise<void>;
  passwordReset(user: MailRecipient, token: string): Promise<void>;
  /** Someone signed up with this (existing) account's address: tell its owner, reveal nothing to them. */
  existingSignUp(user: MailRecipient): Promise<void>;
}

/** Matches core's AccessChange: sessions that ended, for open sockets to learn of. */
export interface SessionsEnded {
  userId: string;
  reason: 'sign-out' | 'sign-out-everywhere' | 'password-reset';
  sessionToken?: string;
}

export interface AuthOptions {
  /** Signs session cookies; at least 32 characters, the same on every node. */
  secret: string;
  /** The site's own origin (e.g. http://localhost:3000); requests from it are trusted. */
  baseURL: string;
  /** Sign-in and sign-up attempts allowed per client address per minute. */
  attemptsPerMinute?: number;
  /** Failed sign-ins allowed per account within `accountWindowSeconds`, on every node together. */
  accountFailures?: number;
  accountWindowSeconds?: number;
  /** Sends verification, reset and "someone tried to sign up" mails; without it none are sent. */
  mail?: AuthMail;
  /** Told of every sign-out, sign-out everywhere and password reset (core's AccessEvents). */
  onSessionsEnded?: (change: SessionsEnded) => void;
}

/**
 * Walk-in identities (core/src/walk-ins.ts) have a made-up address in this domain (`.invalid` is
 * reserved: no mail can reach it) and sessions that end after a day in the hall.
 */
export const WALK_IN_DOMAIN = 'walk-in.invalid';
export const WALK_IN_SESSION_SECONDS = 12 * 3600;
export const isWalkInAddress = (email: string) => email.endsWith(`@${WALK_IN_DOMAIN}`);

/** The cookie that carries the session; `__Secure-` is prefixed on https sites. */
export const SESSION_COOKIE_NAME = 'fg.session_token';

export type AuthResult =
  { ok: true; user: SessionUser; setCookies: string[] } | { ok: false; reason: 'credentials' | 'email_taken' | 'rate_limited' | 'invalid' | 'unverified' };

/**
 * Sign-up answers the same for a new and an existing address (the owner of an existing one is
 * mailed instead). `created` is for the composing code (an employer's company), never for the page.
 */
export type SignUpResult = { ok: true; created: SessionUser | null } | { ok: false; reason: 'rate_limited' | 'invalid' };

export type TokenResult = { ok: true; setCookies: string[] } | { ok: false; reason: 'invalid' | 'rate_limited' };

const toRecipient = (user: { email: string; locale?: unknown }): MailRecipient => ({
  email: user.email,
  locale: typeof user.locale === 'string' ? user.locale : null,
});

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
    // Reset tokens are kept only as hashes: a read of the database cannot reset a password.
    verification: { storeIdentifier: 'hashed' },
    emailVerification: {
      // The account signs in by confirming its address; a link for an address already confirmed
      // signs nobody in, so each link works once.
      sendOnSignUp: true,
      sendOnSignIn: true,
      autoSignInAfterVerification: true,
      expiresIn: 24 * 3600,
      sendVerificationEmail: async ({ user, token }) => {
        await options.mail?.verification(toRecipient(user), token);
      },
    },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      // With verification required, sign-up answers an existing address exactly like a new one.
      requireEmailVerification: true,
      autoSignIn: false,
      onExistingUserSignUp: async ({ user }) => {
        await options.mail?.existingSignUp(toRecipient(user));
      },
      resetPasswordTokenExpiresIn: 3600,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, token }) => {
        await options.mail?.passwordReset(toRecipient(user), token);
      },
      onPasswordReset: async ({ user }) => {
        await db.delete(signInFailures).where(eq(signInFailures.email, user.email.toLowerCase()));
        options.onSessionsEnded?.({ userId: user.id, reason: 'password-reset' });
      },
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
        '/request-password-reset': { window: 60, max: options.attemptsPerMinute ?? 10 },
        '/reset-password': { window: 60, max: options.attemptsPerMinute ?? 10 },
        '/verify-email': { window: 60, max: options.attemptsPerMinute ?? 10 },
        '/send-verification-email': { window: 60, max: options.attemptsPerMinute ?? 10 },
      },
    },
    telemetry: { enabled: false },
    plugins: [sessionForPlugin],
  });

  /** Runs one of better-auth's endpoints through its router, so its rate limits apply. */
  async function call(path: string, body: unknown, clientAddress: string): Promise<Response> {
    return auth.handler(
      new Request(`${options.baseURL}/api/auth${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', origin: options.baseURL, 'x-forwarded-for': clientAddress },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  }

  const accountFailures = options.accountFailures ?? 5;
  const accountWindowSeconds = options.accountWindowSeconds ?? 900;

  /**
   * Counts one sign-in attempt against the account (atomically, in Postgres, so every node shares
   * the count) and answers whether it is over the limit. A success clears the count.
   */
  async function overAccountLimit(email: string): Promise<boolean> {
    const windowStart = sql`now() - make_interval(secs => ${accountWindowSeconds})`;
    const [row] = await db
      .insert(signInFailures)
      .values({ email, failures: 1, windowStartedAt: sql`now()` })
      .onConflictDoUpdate({
        target: signInFailures.email,
        set: {
          failures: sql`case when ${signInFailures.windowStartedAt} < ${windowStart} then 1 else ${signInFailures.failures} + 1 end`,
          windowStartedAt: sql`case when ${signInFailures.windowStartedAt} < ${windowStart} then now() else ${signInFailures.windowStartedAt} end`,
        },
      })
      .returning({ failures: signInFailures.failures });
    return (row?.failures ?? 0) > accountFailures;
  }

  async function tokenResult(response: Response): Promise<TokenResult> {
    if (response.status === 429) return { ok: false, reason: 'rate_limited' };
    if (!response.ok) return { ok: false, reason: 'invalid' };
    return { ok: true, setCookies: response.headers.getSetCookie() };
  }

  async function toResult(response: Response, failure: 'credentials' | 'email_taken'): Promise<AuthResult> {
    if (response.status === 429) return { ok: false, reason: 'rate_limited' };
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      if (body.code?.includes('EXIST')) return { ok: false, reason: 'email_taken' };
      if (body.code === 'EMAIL_NOT_VERIFIED') return { ok: false, reason: 'unverified' };
      return { ok: false, reason: response.status === 400 ? 'invalid' : failure };
    }
    const { user } = (await response.json()) as { user: { id: string } };
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    if (!row) return { ok: false, reason: failure };
    return {
      ok: true,
      user: { id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.emailVerified },
      setCookies: response.headers.getSetCookie(),
    };
  }

  return {
    /**
     * Signs in through better-auth's router (its per-address limit applies), after the per-account
     * throttle: more than `accountFailures` attempts without a success inside the window are
     * refused as rate_limited, whatever the address and whether or not the account exists.
     */
    async signIn(input: { email: string; password: string }, clientAddress: string): Promise<AuthResult> {
      const email = input.email.trim().toLowerCase();
      if (await overAccountLimit(email)) return { ok: false, reason: 'rate_limited' };
      const result = await toResult(await call('/sign-in/email', { email, password: input.password }, clientAddress), 'credentials');
      if (result.ok) await db.delete(signInFailures).where(eq(signInFailures.email, email));
      return result;
    },

    /**
     * Creates the account (unverified, no session: it signs in from the mailed link) or, for an
     * address that has one, mails its owner; the answer is the same. The role is set here, never
     * by the client. `withinTransaction` runs after the user row is written, in the same
     * transaction: if it (or any later write of the sign-up) fails, nothing of the account is
     * left, and its error is thrown.
     */
    async signUp(
      input: { name: string; email: string; password: string; role: 'seeker' | 'employer' },
      clientAddress: string,
      withinTransaction?: (tx: Db, user: SessionUser) => Promise<void>,
    ): Promise<SignUpResult> {
      const email = input.email.trim().toLowerCase();
      const pending: PendingSignUp = { role: input.role, withinTransaction, done: false };
      const response = await pendingSignUp.run(pending, () => call('/sign-up/email', { name: input.name, email, password: input.password }, clientAddress));
      if (pending.error) throw pending.error;
      if (response.status === 429) return { ok: false, reason: 'rate_limited' };
      if (!response.ok) return { ok: false, reason: 'invalid' };
      const { user } = (await response.json()) as { user: { id: string } };
      // An existing address gets a made-up user id that has no row.
      const [row] = await db.select().from(users).where(eq(users.id, user.id));
      if (!row) return { ok: true, created: null };
      return { ok: true, created: { id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.emailVerified } };
    },

    /**
     * An account made by an operator (`npm run create-admin`), not through a page: the same
     * better-auth password storage as sign-up, any role, the address taken as verified (the
     * operator vouches for it), and no session left behind. Refuses an existing email.
     */
    async createAccount(input: {
      name: string;
      email: string;
      password: string;
      role: Role;
    }): Promise<{ ok: true; user: SessionUser } | { ok: false; reason: 'email_taken' | 'invalid' }> {
      const email = input.email.trim().toLowerCase();
      const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (existing) return { ok: false, reason: 'email_taken' };
      const response = await auth.api.signUpEmail({ body: { name: input.name, email, password: input.password }, asResponse: true });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { code?: string };
        return { ok: false, reason: body.code?.includes('EXIST') ? 'email_taken' : 'invalid' };
      }
      const { user } = (await response.json()) as { user: { id: string } };
      const [row] = await db.update(users).set({ role: input.role, emailVerified: true }).where(eq(users.id, user.id)).returning();
      await db.delete(sessions).where(eq(sessions.userId, user.id));
      if (!row) return { ok: false, reason: 'invalid' };
      return { ok: true, user: { id: row.id, email: row.email, name: row.name, role: row.role } };
    },

    /** Confirms an address from the mailed link's token and signs that account in (once). */
    async verifyEmail(token: string, clientAddress: string): Promise<TokenResult> {
      const result = await tokenResult(await call(`/verify-email?token=${encodeURIComponent(token)}`, undefined, clientAddress));
      // A link for an address already confirmed answers 200 without a session: it is spent.
      return result.ok && result.setCookies.length === 0 ? { ok: false, reason: 'invalid' } : result;
    },

    /** Mails a reset link if the address has an account; answers the same either way. */
    async requestPasswordReset(email: string, clientAddress: string): Promise<{ ok: true } | { ok: false; reason: 'rate_limited' }> {
      const response = await call('/request-password-reset', { email: email.trim().toLowerCase() }, clientAddress);
      return response.status === 429 ? { ok: false, reason: 'rate_limited' } : { ok: true };
    },

    /** Sets a new password from the mailed token (single use, an hour); ends every session. */
    async resetPassword(token: string, newPassword: string, clientAddress: string): Promise<TokenResult> {
      return tokenResult(await call('/reset-password', { token, newPassword }, clientAddress));
    },

    /** The signed-in user for a request's cookies, or null. */
    async userFor(headers: Headers): Promise<SessionUser | null> {
      const session = await auth.api.getSession({ headers }).catch(() => null);
      if (!session) return null;
      // better-auth slides a session's expiry forward as it is used; a walk-in's must not outlive
      // its day in the hall, whatever the sliding did: counted from the session's creation.
      if (isWalkInAddress(session.user.email) && session.session.createdAt.getTime() + WALK_IN_SESSION_SECONDS * 1000 < Date.now()) {
        await db.delete(sessions).where(eq(sessions.id, session.session.id));
        return null;
      }
      const [row] = await db.select().from(users).where(eq(users.id, session.user.id));
      return row ? { id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.emailVerified } : null;
    },

    /**
     * Signs a browser in as this user without a password: for a walk-in identity just made
     * (core/src/walk-ins.ts) or a kiosk's spent hand-off token (core/src/phone-hand-off.ts), whose
     * callers have already proven the right to it. Server-only (never reachable over HTTP).
     * `maxAgeSeconds` shortens the session (and its cookie) below the usual 30 days.
     */
    async startSession(userId: string, clientAddress: string, maxAgeSeconds?: number): Promise<string[]> {
      // The endpoint declares no body schema (db does not depend on zod); its handler reads these two fields.
      const sessionFor = auth.api.fairgroundSessionFor as unknown as (args: {
        body: { userId: string; maxAgeSeconds: number | null };
        headers: Headers;
        asResponse: true;
      }) => Promise<Response>;
      const response = await sessionFor({
        body: { userId, maxAgeSeconds: maxAgeSeconds ?? null },
        headers: new Headers({ 'x-forwarded-for': clientAddress }),
        asResponse: true,
      });
      if (!response.ok) throw new Error(`could not start a session (${response.status})`);
      return response.headers.getSetCookie();
    },

    /** Ends the session; returns the cookies that clear it in the browser. */
    async signOut(headers: Headers): Promise<string[]> {
      const session = await auth.api.getSession({ headers }).catch(() => null);
      const response = await auth.api.signOut({ headers, asResponse: true }).catch(() => null);
      if (session) options.onSessionsEnded?.({ userId: session.user.id, reason: 'sign-out', sessionToken: session.session.token });
      return response?.headers.getSetCookie() ?? [];
    },

    /** Ends every session of the signed-in user, on every device; returns the clearing cookies. */
    async signOutEverywhere(headers: Headers): Promise<string[]> {
      const session = await auth.api.getSession({ headers }).catch(() => null);
      if (!session) return [];
      await db.delete(sessions).where(eq(sessions.userId, session.user.id));
      const response = await auth.api.signOut({ headers, asResponse: true }).catch(() => null);
      options.onSessionsEnded?.({ userId: session.user.id, reason: 'sign-out-everywhere' });
      return response?.headers.getSetCookie() ?? [];
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * better-auth's own way to sign someone in (its session row and signed cookie, as its magic-link
 * plugin does), behind an endpoint marked SERVER_ONLY: only `startSession()` above calls it.
 */
const sessionForPlugin = {
  id: 'fairground-session-for',
  endpoints: {
    fairgroundSessionFor: createAuthEndpoint('/fairground/session-for', { method: 'POST', metadata: { SERVER_ONLY: true } }, async (ctx) => {
      const { userId, maxAgeSeconds } = ctx.body as { userId: string; maxAgeSeconds: number | null };
      const user = await ctx.context.internalAdapter.findUserById(userId);
      if (!user) return ctx.json({ ok: false }, { status: 404 });
      const override = maxAgeSeconds ? { expiresAt: new Date(Date.now() + maxAgeSeconds * 1000) } : undefined;
      const session = await ctx.context.internalAdapter.createSession(user.id, false, override, Boolean(override));
      await setSessionCookie(ctx, { session, user }, false, maxAgeSeconds ? { maxAge: maxAgeSeconds } : undefined);
      return ctx.json({ ok: true });
    }),
  },
} satisfies BetterAuthPlugin;

interface PendingSignUp {
  role: 'seeker' | 'employer';
  withinTransaction: ((tx: Db, user: SessionUser) => Promise<void>) | undefined;
  done: boolean;
  error?: unknown;
}
