import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { requireMember, requireRole, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { DomainEvents } from './events.ts';
import { validate } from './validate.ts';

const { displayKeys, displaySessions, displayKeyFailures, booths, fairs } = schema;

/** Whose screen a key opens: a fair's hall screen (its organizers), or one booth's (its employer's team). */
export type DisplayOwner = { kind: 'fair'; fairId: string } | { kind: 'booth'; boothId: string };

/** What an open display session may show: exactly one screen. */
export interface DisplayGrant {
  keyId: string;
  locale: DisplayLocale;
  kind: 'fair' | 'booth';
  fairId: string;
  /** Set for a booth's screen. */
  boothId: string | null;
}

export const DISPLAY_LOCALES = ['zh-CN', 'en'] as const;
export type DisplayLocale = (typeof DISPLAY_LOCALES)[number];

/** Live keys one screen owner may hold (revoked ones do not count). */
export const MAX_DISPLAY_KEYS = 20;
/** Wrong keys from one address within the window before every key from it is refused for the window. */
export const DISPLAY_KEY_FAILURES = 10;
export const DISPLAY_KEY_WINDOW_SECONDS = 600;

export type DisplayKeyView = Omit<typeof displayKeys.$inferSelect, 'keyHash'>;

const keyInput = z.object({
  name: z.string().trim().min(1, 'required').max(80, 'too_long'),
  locale: z.enum(DISPLAY_LOCALES).default('zh-CN'),
});

/** 256 random bits each, so a plain SHA-256 suffices (nothing to brute-force): a leaked table opens no screen. */
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const KEY_PREFIX = 'fgd_';
const SESSION_PREFIX = 'fgs_';

function view(row: typeof displayKeys.$inferSelect): DisplayKeyView {
  const { keyHash: _hash, ...rest } = row;
  return rest;
}

function grantOf(row: typeof displayKeys.$inferSelect): DisplayGrant {
  const locale = (DISPLAY_LOCALES as readonly string[]).includes(row.locale) ? (row.locale as DisplayLocale) : 'zh-CN';
  return { keyId: row.id, locale, kind: row.scope, fairId: row.fairId, boothId: row.scope === 'booth' ? row.boothId : null };
}

/**
 * Display keys: a hall screen's (issued by an organizer for one fair) or a booth screen's (issued
 * by the booth employer's team). A key is shown once, kept only as its hash, and exchanged on the
 * screen for a display session (a cookie of its own, also hashed at rest) that opens that one
 * screen and nothing else. Revoking the key ends its sessions at once ('display.revoked': signaling
 * disconnects their sockets). Wrong keys are counted per address in Postgres (every node shares it).
 */
export class DisplayKeyService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents = new DomainEvents(),
  ) {}

  /** The fair a screen owner belongs to, once the actor may manage its keys. */
  private async authorize(actor: Actor, owner: DisplayOwner): Promise<{ fairId: string; boothId: string | null }> {
    if (owner.kind === 'fair') {
      requireRole(actor, 'organizer');
      const parsed = z.uuid().safeParse(owner.fairId);
      const [fair] = parsed.success ? await this.db.select({ id: fairs.id }).from(fairs).where(eq(fairs.id, parsed.data)) : [];
      if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
      return { fairId: fair.id, boothId: null };
    }
    const parsed = z.uuid().safeParse(owner.boothId);
    const [booth] = parsed.success
      ? await this.db.select({ id: booths.id, fairId: booths.fairId, employerId: booths.employerId }).from(booths).where(eq(booths.id, parsed.data))
      : [];
    if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
    // The recruiters run the booth on the day, so any member of its team may manage its screens.
    await requireMember(this.db, actor, booth.employerId);
    return { fairId: booth.fairId, boothId: booth.id };
  }

  private ownerIs(owner: { fairId: string; boothId: string | null }) {
    return owner.boothId
      ? and(eq(displayKeys.scope, 'booth'), eq(displayKeys.boothId, owner.boothId))
      : and(eq(displayKeys.scope, 'fair'), eq(displayKeys.fairId, owner.fairId));
  }

  async list(actor: Actor, owner: DisplayOwner): Promise<DisplayKeyView[]> {
    const scope = await this.authorize(actor, owner);
    const rows = await this.db.select().from(displayKeys).where(this.ownerIs(scope)).orderBy(desc(displayKeys.createdAt));
    return rows.map(view);
  }

  /** A new key: the answer holds it, and nothing else ever will. */
  async issue(actor: Actor, owner: DisplayOwner, input: unknown): Promise<{ key: string; view: DisplayKeyView }> {
    const scope = await this.authorize(actor, owner);
    const data = validate(keyInput, input);
    const live = await this.db
      .select({ id: displayKeys.id })
      .from(displayKeys)
      .where(and(this.ownerIs(scope), isNull(displayKeys.revokedAt)));
    if (live.length >= MAX_DISPLAY_KEYS) throw new ServiceError('CONFLICT', `At most ${MAX_DISPLAY_KEYS} display keys`);
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const [row] = await this.db
      .insert(displayKeys)
      .values({
        scope: scope.boothId ? 'booth' : 'fair',
        fairId: scope.fairId,
        boothId: scope.boothId,
        name: data.name,
        locale: data.locale,
        keyHash: hash(key),
        prefix: key.slice(0, 10),
        createdBy: actor!.id,
      })
      .returning();
    return { key, view: view(row!) };
  }

  /** Revoked at once: its sessions stop being valid, and their screens are disconnected. Twice is fine. */
  async revoke(actor: Actor, keyId: string, now = new Date()): Promise<void> {
    const parsed = z.uuid().safeParse(keyId);
    const [row] = parsed.success ? await this.db.select().from(displayKeys).where(eq(displayKeys.id, parsed.data)) : [];
    if (!row) throw new ServiceError('NOT_FOUND', 'No such display key');
    await this.authorize(actor, row.scope === 'booth' && row.boothId ? { kind: 'booth', boothId: row.boothId } : { kind: 'fair', fairId: row.fairId });
    await this.db.transaction(async (tx) => {
      await tx
        .update(displayKeys)
        .set({ revokedAt: now })
        .where(and(eq(displayKeys.id, row.id), isNull(displayKeys.revokedAt)));
      await tx.delete(displaySessions).where(eq(displaySessions.keyId, row.id));
    });
    this.events.emit('display.revoked', { keyId: row.id });
  }

  /**
   * A screen presents a key (from its address): a new display session for the key's one screen,
   * or a refusal. An address that presented too many wrong keys is refused every key for a while
   * (RATE_LIMITED), so keys cannot be guessed through the screen's door.
   */
  async exchange(key: string, address: string): Promise<{ sessionToken: string; grant: DisplayGrant }> {
    const windowStart = sql`now() - make_interval(secs => ${DISPLAY_KEY_WINDOW_SECONDS})`;
    const [over] = await this.db
      .select({ failures: displayKeyFailures.failures })
      .from(displayKeyFailures)
      .where(and(eq(displayKeyFailures.address, address), sql`${displayKeyFailures.windowStartedAt} >= ${windowStart}`));
    if (over && over.failures >= DISPLAY_KEY_FAILURES) {
      throw new ServiceError('RATE_LIMITED', 'Too many wrong display keys; try again later', {}, DISPLAY_KEY_WINDOW_SECONDS);
    }
    const well = key.startsWith(KEY_PREFIX) && key.length <= 100;
    const [row] = well
      ? await this.db
          .select()
          .from(displayKeys)
          .where(and(eq(displayKeys.keyHash, hash(key)), isNull(displayKeys.revokedAt)))
      : [];
    if (!row) {
      await this.db
        .insert(displayKeyFailures)
        .values({ address, failures: 1, windowStartedAt: sql`now()` })
        .onConflictDoUpdate({
          target: displayKeyFailures.address,
          set: {
            failures: sql`case when ${displayKeyFailures.windowStartedAt} < ${windowStart} then 1 else ${displayKeyFailures.failures} + 1 end`,
            windowStartedAt: sql`case when ${displayKeyFailures.windowStartedAt} < ${windowStart} then now() else ${displayKeyFailures.windowStartedAt} end`,
          },
        });
      throw new ServiceError('NOT_AUTHORIZED', 'This display key is not valid (revoked or mistyped)');
    }
    const sessionToken = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
    await this.db.insert(displaySessions).values({ keyId: row.id, tokenHash: hash(sessionToken) });
    return { sessionToken, grant: grantOf(row) };
  }

  /** The grant of a display session's token, or null (unknown, or its key revoked). */
  async session(token: string | null | undefined): Promise<DisplayGrant | null> {
    if (!token || !token.startsWith(SESSION_PREFIX) || token.length > 100) return null;
    const [row] = await this.db
      .select({ key: displayKeys })
      .from(displaySessions)
      .innerJoin(displayKeys, eq(displayKeys.id, displaySessions.keyId))
      .where(and(eq(displaySessions.tokenHash, hash(token)), isNull(displayKeys.revokedAt)));
    return row ? grantOf(row.key) : null;
  }
}

/** The display session cookie: one per browser (a hall PC shows one screen), httpOnly, sent to the pages and the socket. */
export const DISPLAY_COOKIE_NAME = 'fg.display';
