import { and, asc, desc, eq, gt, isNotNull, isNull, lte } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { DomainEvents } from './events.ts';
import { enqueueWebhookEvent } from './outbox.ts';
import { isHost, isOrganizer, requireRole, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { broadcastSchema, type BroadcastInput } from './schemas.ts';
import { validate } from './validate.ts';
import { invitationLink, localeOf, newInvitationToken, type InvitationMail } from './invitations.ts';
import { mailLanguage, mailTemplates, noMail } from './mail.ts';

const { broadcasts, broadcastHosts, broadcastHostInvitations, users } = schema;

export type Broadcast = typeof broadcasts.$inferSelect;
/** A broadcast with its named hosts (`BroadcastService.load`). */
export type LoadedBroadcast = Broadcast & { hosts: Array<{ id: string; name: string }> };

/** Guidance broadcasts: scheduled and announced by organizers, hosted by named users. */
export class BroadcastService {
  constructor(
    private readonly db: Db,
    private readonly mail: InvitationMail = { mailer: noMail, origin: 'http://localhost:3000' },
    private readonly events: DomainEvents = new DomainEvents(),
  ) {}

  /** Published broadcasts not yet over (organizers also see drafts). */
  upcoming(actor: Actor, now = new Date()) {
    return this.db
      .select()
      .from(broadcasts)
      .where(and(gt(broadcasts.endsAt, now), isNull(broadcasts.boothId), isOrganizer(actor) ? undefined : eq(broadcasts.status, 'published')))
      .orderBy(asc(broadcasts.startsAt));
  }

  /** Broadcasts that have ended, latest first (organizers: their reports stay available). */
  past(actor: Actor, now = new Date(), limit = 50) {
    requireRole(actor, 'organizer');
    return this.db
      .select()
      .from(broadcasts)
      .where(and(lte(broadcasts.endsAt, now), eq(broadcasts.status, 'published'), isNull(broadcasts.boothId)))
      .orderBy(desc(broadcasts.endsAt))
      .limit(limit);
  }

  async get(actor: Actor, id: string) {
    return this.visibleTo(actor, await this.load(id));
  }

  /**
   * The broadcast and its hosts, or null, without any actor check: for a caller that shares one
   * read among many actors (a join storm's viewers, signaling/src/features/broadcasts/access-cache.ts)
   * and then asks `accessFor` per actor.
   */
  async load(id: string): Promise<LoadedBroadcast | null> {
    const [row] = await this.db.select().from(broadcasts).where(eq(broadcasts.id, id));
    if (!row) return null;
    const hosts = await this.db
      .select({ id: users.id, name: users.name })
      .from(broadcastHosts)
      .innerJoin(users, eq(users.id, broadcastHosts.userId))
      .where(eq(broadcastHosts.broadcastId, id));
    return { ...row, hosts };
  }

  /** A draft is seen by organizers only; anything else missing is NOT_FOUND. */
  visibleTo(actor: Actor, broadcast: LoadedBroadcast | null): LoadedBroadcast {
    if (!broadcast || (broadcast.status === 'draft' && !isOrganizer(actor))) throw new ServiceError('NOT_FOUND', 'No such broadcast');
    return broadcast;
  }

  /**
   * Who the actor is in this broadcast's room: a host (named in broadcast_hosts, or any
   * organizer) may publish; everyone else who may see it watches.
   */
  async access(actor: Actor, id: string, now = new Date()) {
    return this.accessFor(actor, await this.load(id), now);
  }

  /** `access` on a broadcast already loaded (`load`): the same checks, no read. */
  accessFor(actor: Actor, loaded: LoadedBroadcast | null, now = new Date()) {
    const broadcast = this.visibleTo(actor, loaded);
    const host = isHost(actor, broadcast.hosts);
    /** Past its end: a record now. Nobody goes live, comes on stage or is counted as a viewer. */
    const ended = broadcast.endsAt <= now;
    return { broadcast, isHost: host, ended };
  }

  /**
   * For anything that makes a broadcast live (a send transport, producing, inviting to or asking
   * for the stage): the broadcast must not have ended. Asked at the moment of the request, not at
   * the join, so a host who joined before the end cannot start publishing after it.
   */
  async requireOpen(actor: Actor, id: string, now = new Date()) {
    const access = await this.access(actor, id, now);
    if (access.ended) throw new ServiceError('CONFLICT', 'This broadcast has ended');
    // A booth presentation's media is its booth's stage (core/src/booth-presentations.ts), never its own room.
    if (access.broadcast.boothId) throw new ServiceError('CONFLICT', 'A booth presentation is live at its booth');
    return access;
  }

  async create(actor: Actor, input: BroadcastInput) {
    const organizer = requireRole(actor, 'organizer');
    const { hostEmails, fairId, ...data } = validate(broadcastSchema, input);
    const emails = [...new Set(hostEmails.map((e) => e.toLowerCase()))];
    // Named co-hosts are invited, not added: each becomes a host by accepting the mailed link.
    const invitations = emails.map((email) => ({ email, ...newInvitationToken() }));
    const row = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(broadcasts)
        .values({ ...data, fairId: fairId ?? null, createdBy: organizer.id })
        .returning();
      await tx.insert(broadcastHosts).values({ broadcastId: row!.id, userId: organizer.id });
      if (invitations.length) {
        await tx
          .insert(broadcastHostInvitations)
          .values(invitations.map((i) => ({ broadcastId: row!.id, email: i.email, invitedBy: organizer.id, tokenHash: i.tokenHash, expiresAt: i.expiresAt })));
      }
      return row!;
    });
    for (const i of invitations) {
      const lang = mailLanguage(await localeOf(this.db, i.email));
      await this.mail.mailer.send(mailTemplates.hostInvitation(lang, i.email, row.title, invitationLink(this.mail.origin, i.token)));
    }
    return row;
  }

  async publish(actor: Actor, id: string) {
    requireRole(actor, 'organizer');
    const [row] = await this.db.update(broadcasts).set({ status: 'published' }).where(eq(broadcasts.id, id)).returning();
    if (!row) throw new ServiceError('NOT_FOUND', 'No such broadcast');
  }

  /**
   * Marks published broadcasts that have started as announced and returns them. The update is
   * conditional, so with several nodes exactly one announces each broadcast.
   */
  async announceDue(now = new Date()) {
    // The announcement and its webhook event commit together (core/src/outbox.ts).
    const announced = await this.db.transaction(async (tx) => {
      const rows = await tx
        .update(broadcasts)
        .set({ announcedAt: now })
        .where(and(eq(broadcasts.status, 'published'), isNull(broadcasts.announcedAt), lte(broadcasts.startsAt, now), gt(broadcasts.endsAt, now)))
        .returning();
      for (const b of rows) {
        if (!b.fairId) continue; // only a fair's organizers subscribe to broadcasts
        await enqueueWebhookEvent(tx as unknown as Db, {
          type: 'broadcast.started',
          subject: `broadcast:${b.id}`,
          employerId: null,
          fairId: b.fairId,
          data: { broadcastId: b.id, fairId: b.fairId, title: b.title, startsAt: b.startsAt.toISOString(), endsAt: b.endsAt.toISOString() },
          at: now,
        });
      }
      return rows;
    });
    for (const broadcast of announced) this.events.emit('broadcast.started', { broadcast });
    return announced;
  }

  /**
   * Closes announced broadcasts whose scheduled end has passed and returns them: a broadcast ends
   * by its schedule (nobody goes live, comes on stage or is counted after `endsAt`, `accessFor`),
   * and this records that it did, once. Only an announced one: a broadcast whose whole slot passed
   * while no node ran had no `broadcast.started` either, and a receiver should not see an end
   * without a start. Conditional like `announceDue`, so with several nodes exactly one closes each;
   * the mark and its webhook event commit together (core/src/outbox.ts), and on the broadcast's
   * subject, so a receiver gets the end after the start.
   */
  async closeDue(now = new Date()) {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(broadcasts)
        .set({ endedAt: now })
        .where(and(eq(broadcasts.status, 'published'), isNotNull(broadcasts.announcedAt), isNull(broadcasts.endedAt), lte(broadcasts.endsAt, now)))
        .returning();
      for (const b of rows) {
        // Only a fair's organizers subscribe to broadcasts; a booth presentation was never announced to them.
        if (!b.fairId || b.boothId) continue;
        await enqueueWebhookEvent(tx as unknown as Db, {
          type: 'broadcast.ended',
          subject: `broadcast:${b.id}`,
          employerId: null,
          fairId: b.fairId,
          data: {
            broadcastId: b.id,
            fairId: b.fairId,
            title: b.title,
            startsAt: b.startsAt.toISOString(),
            endsAt: b.endsAt.toISOString(),
            endedAt: now.toISOString(),
          },
          at: now,
        });
      }
      return rows;
    });
  }
}

/** An iCalendar file for one broadcast (RFC 5545), so seekers can put it in their calendar. */
export function broadcastIcs(broadcast: Broadcast, url: string, now = new Date()): string {
  const stamp = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  // Form text arrives with CRLF line breaks; a bare CR would end the content line early.
  const escape = (v: string) =>
    v
      .replace(/\\/g, '\\\\')
      .replace(/\r\n|\r|\n/g, '\\n')
      .replace(/([,;])/g, '\\$1');
  const fold = (line: string) => {
    // Lines longer than 75 octets continue on the next line after a space.
    const bytes = new TextEncoder().encode(line);
    if (bytes.length <= 75) return line;
    const parts: string[] = [];
    let current = '';
    for (const ch of line) {
      if (new TextEncoder().encode(current + ch).length > (parts.length ? 74 : 75)) {
        parts.push(current);
        current = ch;
      } else current += ch;
    }
    parts.push(current);
    return parts.join('\r\n ');
  };
  return (
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Fairground//Broadcasts//EN',
      'CALSCALE:GREGORIAN',
      'BEGIN:VEVENT',
      `UID:${broadcast.id}@fairground`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${stamp(broadcast.startsAt)}`,
      `DTEND:${stamp(broadcast.endsAt)}`,
      `SUMMARY:${escape(broadcast.title)}`,
      `DESCRIPTION:${escape(broadcast.description)}`,
      `URL:${url}`,
      'END:VEVENT',
      'END:VCALENDAR',
    ]
      .map(fold)
      .join('\r\n') + '\r\n'
  );
}
