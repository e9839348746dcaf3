import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import type { Actor } from './actor.ts';
import { API_SCOPES, FAIR_SCOPES, type ApiScope } from './api-schemas.ts';
import { ServiceError } from './errors.ts';
import { ownerColumns, ownerIs, ownerOf, requireIntegrationOwner, type IntegrationOwner } from './integration-owner.ts';
import { validate } from './validate.ts';

const { apiTokens } = schema;

/** Tokens one owner may hold (revoked ones do not count). */
export const MAX_TOKENS_PER_OWNER = 20;

/** What a request with a valid token may read: its owner's data, within its scopes. */
export interface TokenGrant {
  tokenId: string;
  owner: IntegrationOwner;
  scopes: ReadonlySet<ApiScope>;
}

export type ApiTokenView = Omit<typeof apiTokens.$inferSelect, 'tokenHash'>;

const tokenSchema = z.object({
  name: z.string().trim().min(1, 'required').max(80, 'too_long'),
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'required'),
});

/** Only the SHA-256 of a token is stored: a leaked table grants nothing. Tokens have 256 random bits, so no slow hash is needed. */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function view(row: typeof apiTokens.$inferSelect): ApiTokenView {
  const { tokenHash: _hash, ...rest } = row;
  return rest;
}

/** Read-API tokens: created and revoked by their owners (integration-owner.ts), shown once. */
export class ApiTokenService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, owner: IntegrationOwner): Promise<ApiTokenView[]> {
    await requireIntegrationOwner(this.db, actor, owner, 'read');
    const rows = await this.db.select().from(apiTokens).where(ownerIs(apiTokens, owner)).orderBy(desc(apiTokens.createdAt));
    return rows.map(view);
  }

  /** A new token: the answer holds it, and nothing else ever will. */
  async create(actor: Actor, owner: IntegrationOwner, input: unknown): Promise<{ token: string; view: ApiTokenView }> {
    await requireIntegrationOwner(this.db, actor, owner, 'manage');
    const data = validate(tokenSchema, input);
    const scopes = [...new Set(data.scopes)];
    if (owner.kind === 'fair' && scopes.some((s) => !FAIR_SCOPES.includes(s))) {
      throw new ServiceError('INVALID', 'A fair’s token cannot read candidates or interviews', { scopes: 'invalid' });
    }
    const live = await this.db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(and(ownerIs(apiTokens, owner), isNull(apiTokens.revokedAt)));
    if (live.length >= MAX_TOKENS_PER_OWNER) throw new ServiceError('CONFLICT', `At most ${MAX_TOKENS_PER_OWNER} tokens`);
    const token = `fgt_${randomBytes(32).toString('base64url')}`;
    const [row] = await this.db
      .insert(apiTokens)
      .values({ ...ownerColumns(owner), name: data.name, scopes, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdBy: actor!.id })
      .returning();
    return { token, view: view(row!) };
  }

  /** Revoked at once: the next request with it is refused. Revoking twice is fine. */
  async revoke(actor: Actor, id: string, now = new Date()): Promise<void> {
    const parsed = z.uuid().safeParse(id);
    const [row] = parsed.success ? await this.db.select().from(apiTokens).where(eq(apiTokens.id, parsed.data)) : [];
    if (!row) throw new ServiceError('NOT_FOUND', 'No such token');
    await requireIntegrationOwner(this.db, actor, ownerOf(row), 'manage');
    await this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, row.id), isNull(apiTokens.revokedAt)));
  }

  /** The grant of a presented token, or null (unknown or revoked). */
  async authenticate(token: string, now = new Date()): Promise<TokenGrant | null> {
    if (!token.startsWith('fgt_') || token.length > 100) return null;
    const [row] = await this.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) return null;
    return { tokenId: row.id, owner: ownerOf(row), scopes: new Set(row.scopes as ApiScope[]) };
  }
}
