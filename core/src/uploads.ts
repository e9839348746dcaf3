import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
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

export const uploadLimits = Object.fromEntries(Object.entries(RULES).map(([k, r]) => [k, { maxBytes: r.maxBytes, types: Object.keys(r.types) }])) as Record<
  Kind,
  { maxBytes: number; types: string[] }
>;

export interface UploadQuotas {
  /** Files one user may keep at once. */
  maxFilesPerUser: number;
  /** Bytes one user may keep over all their files. */
  maxBytesPerUser: number;
  /** Uploads one user may make in an hour (removed files still count). */
  perHour: number;
}

export const defaultUploadQuotas: UploadQuotas = { maxFilesPerUser: 20, maxBytesPerUser: 20 * 1024 * 1024, perHour: 10 };

/** Files kept in Postgres; the type is decided by content, never by the name or the browser. */
export class UploadService {
  constructor(
    private readonly db: Db,
    readonly quotas: UploadQuotas = defaultUploadQuotas,
  ) {}

  /**
   * Stores a file within its owner's quotas (files and bytes kept, uploads an hour). The checks
   * and the insert are one transaction holding the owner's `users` row, so one user's uploads on
   * several nodes are checked one after another; a refused upload writes nothing.
   */
  async store(actor: Actor, kind: Kind, file: { name: string; bytes: Uint8Array }): Promise<string> {
    const user = requireUser(actor);
    const rule = RULES[kind];
    const size = file.bytes.byteLength;
    if (size === 0) throw new ServiceError('INVALID', 'The file is empty', { file: 'file_empty' });
    if (size > rule.maxBytes) throw new ServiceError('INVALID', 'The file is too large', { file: 'file_too_large' });
    const contentType = Object.entries(rule.types).find(([, magic]) => magic.every((b, i) => file.bytes[i] === b))?.[0];
    if (!contentType) throw new ServiceError('INVALID', 'That type of file is not accepted', { file: 'file_type' });
    const { uploads, uploadLog, users } = schema;
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select id from ${users} where id = ${user.id} for update`);
      const hourAgo = new Date(Date.now() - 3600_000);
      const [recent] = await tx
        .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${uploadLog.createdAt})::text` })
        .from(uploadLog)
        .where(and(eq(uploadLog.userId, user.id), gt(uploadLog.createdAt, hourAgo)));
      if ((recent?.n ?? 0) >= this.quotas.perHour) {
        const oldest = recent?.oldest ? new Date(recent.oldest).getTime() : Date.now();
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + 3600_000 - Date.now()) / 1000));
        throw new ServiceError('RATE_LIMITED', 'Too many uploads: try again later', { file: 'file_rate_limited' }, retryAfterSeconds);
      }
      const [kept] = await tx
        .select({ files: sql<number>`count(*)::int`, bytes: sql<number>`coalesce(sum(${uploads.size}), 0)::bigint` })
        .from(uploads)
        .where(eq(uploads.ownerId, user.id));
      if ((kept?.files ?? 0) + 1 > this.quotas.maxFilesPerUser || Number(kept?.bytes ?? 0) + size > this.quotas.maxBytesPerUser) {
        throw new ServiceError('INVALID', 'Your uploads are over their quota: remove a file first', { file: 'file_quota' });
      }
      const [row] = await tx
        .insert(uploads)
        .values({
          ownerId: user.id,
          kind,
          filename: file.name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || kind,
          contentType,
          size,
          data: file.bytes,
        })
        .returning({ id: uploads.id });
      await tx.insert(uploadLog).values({ userId: user.id, size });
      return row!.id;
    });
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
   * private to its owner and to the recruiters of an employer while the seeker is in one of its
   * booths' lines (waiting or called) or in an interview there, or after the seeker shared that
   * file with the employer (accepting an interview shares it: `resume_shares`). A removed resume
   * is gone (its row, and the shares with it). Anyone else gets NOT_FOUND, so a resume's
   * existence is not revealed either.
   */
  async read(actor: Actor, id: string) {
    const file = await this.get(id);
    if (file.kind !== 'resume' || actor?.id === file.ownerId) return file;
    if (actor && (await this.recruiterMaySee(file.id, file.ownerId, actor.id))) return file;
    throw new ServiceError('NOT_FOUND', 'No such file');
  }

  private async recruiterMaySee(uploadId: string, seekerId: string, recruiterId: string): Promise<boolean> {
    const { queueEntries, booths, employerMembers, resumeShares } = schema;
    const [inLine] = await this.db
      .select({ one: sql<number>`1` })
      .from(queueEntries)
      .innerJoin(booths, eq(booths.id, queueEntries.boothId))
      .innerJoin(employerMembers, and(eq(employerMembers.employerId, booths.employerId), eq(employerMembers.userId, recruiterId)))
      .where(and(eq(queueEntries.seekerId, seekerId), inArray(queueEntries.status, ['waiting', 'called', 'interviewing']), isNull(queueEntries.endedAt)))
      .limit(1);
    if (inLine) return true;
    const [shared] = await this.db
      .select({ one: sql<number>`1` })
      .from(resumeShares)
      .innerJoin(employerMembers, and(eq(employerMembers.employerId, resumeShares.employerId), eq(employerMembers.userId, recruiterId)))
      .where(eq(resumeShares.uploadId, uploadId))
      .limit(1);
    return Boolean(shared);
  }
}
