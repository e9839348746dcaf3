import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { schema, type Auth, type Db } from '@fairground/db';
import { requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { safeNext } from './safe-next.ts';
import { takeWindow } from './window-limit.ts';

const { handOffTokens } = schema;

export interface PhoneHandOffOptions {
  /** How long the QR code on the kiosk works. */
  ttlSeconds: number;
  /** Redeem attempts per client address per minute (a token is unguessable; this bounds the noise). */
  redeemsPerMinute: number;
}

export const defaultPhoneHandOffOptions: PhoneHandOffOptions = { ttlSeconds: 120, redeemsPerMinute: 20 };

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The kiosk's hand-off to a phone: the kiosk's user gets a token (256 random bits, shown as a QR
 * code of `/hand-off/<token>`), and the phone that opens it is signed in as them, once, within
 * `ttlSeconds`. Only the token's SHA-256 is stored, so a read of the database cannot sign anyone
 * in; spending it is one conditional UPDATE, so two phones racing get one session between them.
 */
export class PhoneHandOffService {
  constructor(
    private readonly db: Db,
    private readonly options: PhoneHandOffOptions = defaultPhoneHandOffOptions,
  ) {}

  /** A new token for the signed-in user; any earlier unspent one of theirs stops working. */
  async issue(actor: Actor, next: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const user = requireUser(actor);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.options.ttlSeconds * 1000);
    await this.db.transaction(async (tx) => {
      await tx.delete(handOffTokens).where(and(eq(handOffTokens.userId, user.id), isNull(handOffTokens.usedAt)));
      await tx.insert(handOffTokens).values({ tokenHash: hash(token), userId: user.id, next: safeNext(next), expiresAt, createdAt: now });
    });
    return { token, expiresAt };
  }

  /** Spends the token and signs this browser in; INVALID when unknown, spent or expired. */
  async redeem(auth: Auth, token: string, clientAddress: string, now = new Date()): Promise<{ next: string; setCookies: string[] }> {
    if (!(await takeWindow(this.db, `hand-off:address:${clientAddress}`, this.options.redeemsPerMinute, 60))) {
      throw new ServiceError('RATE_LIMITED', 'Too many attempts; wait a minute');
    }
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new ServiceError('INVALID', 'This code is not valid (any more)');
    const [spent] = await this.db
      .update(handOffTokens)
      .set({ usedAt: now })
      .where(and(eq(handOffTokens.tokenHash, hash(token)), isNull(handOffTokens.usedAt), gt(handOffTokens.expiresAt, now)))
      .returning({ userId: handOffTokens.userId, next: handOffTokens.next });
    if (!spent) throw new ServiceError('INVALID', 'This code is not valid (any more)');
    return { next: spent.next, setCookies: await auth.startSession(spent.userId, clientAddress) };
  }
}
