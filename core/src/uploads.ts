import { and, eq, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';

type Kind = 'resume' | 'logo' | 'cover';

/** What each kind of upload may be: size limit and types, recognised by their first bytes. */
const RULES: Record<Kind, { maxBytes: number; types: Record<string, number[]> }> = {
  resume: { maxBytes: 2 * 1024 * 1024, types: { 'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d] } },
  logo: {
    maxBytes: 1024 * 1024,
    types: { 'image/png': [0x89, 0x50, 0x4e, 0x47], 'image/jpeg': [0xff, 0xd8, 0xff] },
  },
  cover: {
    maxBytes: 3 * 1024 * 1024,
    types: { 'image/png': [0x89, 0x50, 0x4e, 0x47], 'image/jpeg': [0xff, 0xd8, 0xff] },
  },
};

export const uploadLimits = Object.fromEntries(
  Object.entries(RULES).map(([k, r]) => [k, { maxBytes: r.maxBytes, types: Object.keys(r.types) }]),
) as Record<Kind, { maxBytes: number; types: string[] }>;

/** Files kept in Postgres; the type is decided by content, never by the name or the browser. */
export class UploadService {
  constructor(private readonly db: Db) {}

  async store(actor: Actor, kind: Kind, file: { name: string; bytes: Uint8Array }): Promise<string> {
    const user = requireUser(actor);
    const rule = RULES[kind];
    if (file.bytes.byteLength === 0) throw new ServiceError('INVALID', 'The file is empty', { file: 'file_empty' });
    if (file.bytes.byteLength > rule.maxBytes) throw new ServiceError('INVALID', 'The file is too large', { file: 'file_too_large' });
    const contentType = Object.entries(rule.types).find(([, magic]) => magic.every((b, i) => file.bytes[i] === b))?.[0];
    if (!contentType) throw new ServiceError('INVALID', 'That type of file is not accepted', { file: 'file_type' });
    const [row] = await this.db
      .insert(schema.uploads)
      .values({
        ownerId: user.id,
        kind,
        filename: file.name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || kind,
        contentType,
        size: file.bytes.byteLength,
        data: file.bytes,
      })
      .returning({ id: schema.uploads.id });
    return row!.id;
  }

  /** What is known about a file, without its bytes (for showing it on a page). */
  async describe(id: string) {
    const u = schema.uploads;
    const [row] = await this.db
      .select({ id: u.id, ownerId: u.ownerId, kind: u.kind, filename: u.filename, contentType: u.contentType, size: u.size, createdAt: u.createdAt })
      .from(u)
      .where(eq(schema.uploads.id, id));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such file');
    return row;
  }

  async get(id: string) {
    const [row] = await this.db.select().from(schema.uploads).where(eq(schema.uploads.id, id));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such file');
    return row;
  }

  /**
   * A file with its bytes, for whoever may read it. Logos and covers are public. A resume is
   * private to its owner and to the recruiters of employers whose booth line the seeker joined:
   * joining a line is the seeker's choice to be seen by that employer. Anyone else gets NOT_FOUND,
   * so a resume's existence is not revealed either.
   */
  async read(actor: Actor, id: string) {
    const file = await this.get(id);
    if (file.kind !== 'resume' || actor?.id === file.ownerId) return file;
    if (actor && (await this.seekerJoinedLineOf(file.ownerId, actor.id))) return file;
    throw new ServiceError('NOT_FOUND', 'No such file');
  }

  private async seekerJoinedLineOf(seekerId: string, recruiterId: string): Promise<boolean> {
    const { queueEntries, booths, employerMembers } = schema;
    const [row] = await this.db
      .select({ one: sql<number>`1` })
      .from(queueEntries)
      .innerJoin(booths, eq(booths.id, queueEntries.boothId))
      .innerJoin(employerMembers, and(eq(employerMembers.employerId, booths.employerId), eq(employerMembers.userId, recruiterId)))
      .where(eq(queueEntries.seekerId, seekerId))
      .limit(1);
    return Boolean(row);
  }
}
