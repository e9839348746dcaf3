import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, schema, type Database, type SessionUser } from '@fairground/db';
import { freshDatabase } from '../../test/helpers.ts';
import { broadcastIcs, createServices, ServiceError, utcToWallTime, wallTimeToUtc, type Actor, type Broadcast, type Services } from './index.ts';

/**
 * Fairs, booths and broadcasts on real Postgres. The clock and the announcements act on every row,
 * so this file has a database of its own (the shared run database serves other files' demo fair).
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let database: Database;
let services: Services;
const actors = {} as Record<'seeker' | 'owner' | 'owner2' | 'owner3' | 'organizer' | 'admin', SessionUser>;
const employerIds = {} as Record<'xinghe' | 'greenFields' | 'shunda', string>;
let serial = 0;
/** A title no other test (or run) uses. */
const unique = (label: string) => `${label} #${++serial} ${Date.now()}`;

beforeAll(async () => {
  fresh = await freshDatabase('fairs');
  database = fresh.database;
  services = createServices(database.db);
  const user = async (email: string): Promise<SessionUser> => {
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.email, email));
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role };
  };
  actors.seeker = await user('seeker@example.com');
  actors.owner = await user('employer@example.com');
  actors.owner2 = await user('employer2@example.com');
  actors.owner3 = await user('employer3@example.com');
  actors.organizer = await user('organizer@example.com');
  const [admin] = await database.db.insert(schema.users).values({ email: 'admin-fairs@example.com', name: 'Admin', role: 'admin' }).returning();
  actors.admin = { id: admin!.id, email: admin!.email, name: admin!.name, role: 'admin' };
  employerIds.xinghe = (await services.employers.mine(actors.owner))[0]!.employer.id;
  employerIds.greenFields = (await services.employers.mine(actors.owner2))[0]!.employer.id;
  employerIds.shunda = (await services.employers.mine(actors.owner3))[0]!.employer.id;
});
afterAll(() => fresh?.drop());

const fairInput = (start: Date, hours = 4) => ({
  title: unique('Fair'),
  theme: 'graduates' as const,
  startsAt: start,
  endsAt: new Date(start.getTime() + hours * HOUR),
});

const statusOf = async (fairId: string) =>
  (await database.db.select({ status: schema.fairs.status }).from(schema.fairs).where(eq(schema.fairs.id, fairId)))[0]!.status;

describe('a fair’s lifecycle by hand', () => {
  it('starts as a draft only organizers see, and keeps a custom theme name only for custom themes', async () => {
    const fair = await services.fairs.create(actors.organizer, { ...fairInput(new Date(Date.now() + DAY)), customTheme: 'ignored' });
    expect(fair.status).toBe('draft');
    expect(fair.customTheme).toBeNull();
    expect(fair.timeZone).toBe('Asia/Shanghai');
    expect((await services.fairs.list(actors.organizer)).map((f) => f.id)).toContain(fair.id);
    for (const actor of [null, actors.seeker, actors.owner] satisfies Actor[]) {
      expect((await services.fairs.list(actor)).map((f) => f.id)).not.toContain(fair.id);
      expect((await refusal(services.fairs.get(actor, fair.id))).code).toBe('NOT_FOUND');
    }
    const custom = await services.fairs.create(actors.organizer, {
      ...fairInput(new Date(Date.now() + DAY)),
      theme: 'custom',
      customTheme: '  数字经济专场 ',
      timeZone: 'Asia/Urumqi',
    });
    expect(custom).toMatchObject({ theme: 'custom', customTheme: '数字经济专场', timeZone: 'Asia/Urumqi' });
  });

  it('refuses an end before the start, an unknown time zone and a missing title, field by field', async () => {
    const start = new Date(Date.now() + DAY);
    const error = await refusal(
      services.fairs.create(actors.organizer, { title: ' ', theme: 'graduates', startsAt: start, endsAt: start, timeZone: 'Mars/Olympus' }),
    );
    expect(error.code).toBe('INVALID');
    expect(error.fields).toEqual({ title: 'required', timeZone: 'invalid', endsAt: 'end_before_start' });
  });

  it('moves draft -> published -> live -> ended, and back to draft only from published', async () => {
    const fair = await services.fairs.create(actors.organizer, fairInput(new Date(Date.now() + DAY)));
    await services.fairs.setStatus(actors.organizer, fair.id, 'published');
    expect(await statusOf(fair.id)).toBe('published');
    await services.fairs.setStatus(actors.organizer, fair.id, 'draft');
    expect(await statusOf(fair.id)).toBe('draft');
    await services.fairs.setStatus(actors.admin, fair.id, 'published');
    await services.fairs.setStatus(actors.organizer, fair.id, 'live');
    expect(await statusOf(fair.id)).toBe('live');
    await services.fairs.setStatus(actors.organizer, fair.id, 'ended');
    expect(await statusOf(fair.id)).toBe('ended');
  });

  it.each([
    ['draft', 'live'],
    ['draft', 'ended'],
    ['draft', 'draft'],
    ['published', 'published'],
    ['live', 'published'],
    ['live', 'draft'],
    ['ended', 'live'],
    ['ended', 'published'],
    ['ended', 'draft'],
  ] as const)('refuses %s -> %s with CONFLICT and leaves the status', async (from, to) => {
    const fair = await services.fairs.create(actors.organizer, fairInput(new Date(Date.now() + DAY)));
    await database.db.update(schema.fairs).set({ status: from }).where(eq(schema.fairs.id, fair.id));
    const error = await refusal(services.fairs.setStatus(actors.organizer, fair.id, to));
    expect(error.code).toBe('CONFLICT');
    expect(await statusOf(fair.id)).toBe(from);
  });

  it('lets only organizers and admins change the status', async () => {
    const fair = await services.fairs.create(actors.organizer, fairInput(new Date(Date.now() + DAY)));
    expect((await refusal(services.fairs.setStatus(null, fair.id, 'published'))).code).toBe('UNAUTHENTICATED');
    expect((await refusal(services.fairs.setStatus(actors.seeker, fair.id, 'published'))).code).toBe('NOT_AUTHORIZED');
    expect((await refusal(services.fairs.setStatus(actors.owner, fair.id, 'published'))).code).toBe('NOT_AUTHORIZED');
    expect(await statusOf(fair.id)).toBe('draft');
  });

  it('updates a fair and sets or clears its cover, which must be a cover upload', async () => {
    const fair = await services.fairs.create(actors.organizer, fairInput(new Date(Date.now() + DAY)));
    const updated = await services.fairs.update(actors.organizer, fair.id, {
      ...fairInput(fair.startsAt),
      title: '就业援助月专场',
      theme: 'employment_assistance',
    });
    expect(updated).toMatchObject({ title: '就业援助月专场', theme: 'employment_assistance' });
    expect((await refusal(services.fairs.update(actors.organizer, '00000000-0000-4000-8000-000000000000', fairInput(fair.startsAt)))).code).toBe('NOT_FOUND');

    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    const cover = await services.uploads.store(actors.organizer, 'cover', { name: 'cover.png', bytes: png });
    expect((await services.fairs.setCover(actors.organizer, fair.id, cover)).coverUploadId).toBe(cover);
    const logo = await services.uploads.store(actors.owner, 'logo', { name: 'logo.png', bytes: png });
    expect((await refusal(services.fairs.setCover(actors.organizer, fair.id, logo))).fields).toEqual({ file: 'file_type' });
    expect((await refusal(services.fairs.setCover(actors.owner, fair.id, cover))).code).toBe('NOT_AUTHORIZED');
    expect((await services.fairs.setCover(actors.organizer, fair.id, null)).coverUploadId).toBeNull();
    // Covers are images of at most 3 MB, recognised by their bytes, not their names.
    const big = new Uint8Array(3 * 1024 * 1024 + 1);
    big.set(png);
    expect((await refusal(services.uploads.store(actors.organizer, 'cover', { name: 'big.png', bytes: big }))).fields).toEqual({ file: 'file_too_large' });
    const pdf = new TextEncoder().encode('%PDF-1.7 not an image');
    expect((await refusal(services.uploads.store(actors.organizer, 'cover', { name: 'cover.png', bytes: pdf }))).fields).toEqual({ file: 'file_type' });
  });
});

describe('a fair’s lifecycle by the clock', () => {
  // Ten days ahead: away from the other tests' fairs (a day ahead), and inside the demo fair's
  // month, so the clock moves only the fairs made here.
  const t0 = new Date(Date.now() + 10 * DAY);
  const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);
  // The clock catches up on everything before t0 (the fairs the tests above left published).
  beforeAll(() => services.fairs.advanceByClock(t0));

  it('opens published fairs at their start and closes them at their end, leaving drafts alone', async () => {
    const published = await services.fairs.create(actors.organizer, { ...fairInput(at(1)), endsAt: at(3) });
    await services.fairs.setStatus(actors.organizer, published.id, 'published');
    const draft = await services.fairs.create(actors.organizer, { ...fairInput(at(1)), endsAt: at(3) });
    const liveEarly = await services.fairs.create(actors.organizer, { ...fairInput(at(-1)), endsAt: at(2) });
    await services.fairs.setStatus(actors.organizer, liveEarly.id, 'published');
    await services.fairs.setStatus(actors.organizer, liveEarly.id, 'live');

    expect(await services.fairs.advanceByClock(at(0))).toBe(0);
    expect(await statusOf(published.id)).toBe('published');

    // The start is inclusive: at exactly startsAt the fair is live.
    expect(await services.fairs.advanceByClock(at(1))).toBe(1);
    expect(await statusOf(published.id)).toBe('live');
    expect(await statusOf(draft.id)).toBe('draft');
    expect(await services.fairs.advanceByClock(at(1.5))).toBe(0);

    // An organizer opened one early by hand; the clock still closes it at its end.
    expect(await services.fairs.advanceByClock(at(2))).toBe(1);
    expect(await statusOf(liveEarly.id)).toBe('ended');
    expect(await statusOf(published.id)).toBe('live');

    expect(await services.fairs.advanceByClock(at(3))).toBe(1);
    expect(await statusOf(published.id)).toBe('ended');
    expect(await statusOf(draft.id)).toBe('draft');
    expect(await services.fairs.advanceByClock(at(4))).toBe(0);
  });

  it('ends a published fair whose whole window passed unseen, without opening it', async () => {
    const missed = await services.fairs.create(actors.organizer, { ...fairInput(at(5)), endsAt: at(6) });
    await services.fairs.setStatus(actors.organizer, missed.id, 'published');
    expect(await services.fairs.advanceByClock(at(7))).toBe(1);
    expect(await statusOf(missed.id)).toBe('ended');
  });

  it('counts each change once when two nodes tick together', async () => {
    const fair = await services.fairs.create(actors.organizer, { ...fairInput(at(8)), endsAt: at(9) });
    await services.fairs.setStatus(actors.organizer, fair.id, 'published');
    const other = await connect({ url: await databaseUrlOf(database) });
    try {
      const counts = await Promise.all([services.fairs.advanceByClock(at(8)), createServices(other.db).fairs.advanceByClock(at(8))]);
      expect(counts.reduce((a, b) => a + b)).toBe(1);
      expect(await statusOf(fair.id)).toBe('live');
    } finally {
      await other.close();
    }
  });
});

/** The URL of the database this file uses (a second connection stands for a second node). */
async function databaseUrlOf(db: Database): Promise<string> {
  const [row] = (await db.db.execute(sql`select current_database() as name`)) as unknown as Array<{ name: string }>;
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${row!.name}`;
  return url.toString();
}

describe('booths: applications, invitations and decisions', () => {
  let fairId: string;
  beforeAll(async () => {
    fairId = (await services.fairs.create(actors.organizer, fairInput(new Date(Date.now() + DAY)))).id;
  });

  it('takes applications only at published or live fairs', async () => {
    // A draft is invisible to employers.
    expect((await refusal(services.fairs.apply(actors.owner, employerIds.xinghe, { fairId }))).code).toBe('NOT_FOUND');
    const ended = await services.fairs.create(actors.organizer, fairInput(new Date(Date.now() + DAY)));
    await database.db.update(schema.fairs).set({ status: 'ended' }).where(eq(schema.fairs.id, ended.id));
    expect((await refusal(services.fairs.apply(actors.owner, employerIds.xinghe, { fairId: ended.id }))).code).toBe('CONFLICT');
    await services.fairs.setStatus(actors.organizer, fairId, 'published');
  });

  it('lets only an employer’s staff apply for it, once', async () => {
    expect((await refusal(services.fairs.apply(actors.owner2, employerIds.xinghe, { fairId }))).code).toBe('NOT_AUTHORIZED');
    expect((await refusal(services.fairs.apply(actors.seeker, employerIds.xinghe, { fairId }))).code).toBe('NOT_AUTHORIZED');
    // Two clicks at once: one application, one conflict.
    const results = await Promise.allSettled([
      services.fairs.apply(actors.owner, employerIds.xinghe, { fairId, tagline: '前端与测试岗位' }),
      services.fairs.apply(actors.owner, employerIds.xinghe, { fairId, tagline: 'again' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as ServiceError).code).toBe('CONFLICT');
    await services.fairs.apply(actors.owner3, employerIds.shunda, { fairId });
  });

  it('invites an employer once, and not one that already applied', async () => {
    const booth = await services.fairs.invite(actors.organizer, fairId, employerIds.greenFields);
    expect(booth.status).toBe('invited');
    expect((await refusal(services.fairs.invite(actors.organizer, fairId, employerIds.greenFields))).code).toBe('CONFLICT');
    expect((await refusal(services.fairs.invite(actors.organizer, fairId, employerIds.xinghe))).code).toBe('CONFLICT');
    expect((await refusal(services.fairs.invite(actors.organizer, fairId, '00000000-0000-4000-8000-000000000000'))).code).toBe('NOT_FOUND');
    expect((await refusal(services.fairs.invite(actors.owner, fairId, employerIds.greenFields))).code).toBe('NOT_AUTHORIZED');
  });

  it('decides each pending application once; invitations are not applications', async () => {
    const booths = await services.fairs.allBooths(actors.organizer, fairId);
    const byEmployer = (id: string) => booths.find((b) => b.employer.id === id)!.booth;
    const xinghe = byEmployer(employerIds.xinghe);
    const shunda = byEmployer(employerIds.shunda);
    const greenFields = byEmployer(employerIds.greenFields);
    expect([xinghe.status, shunda.status, greenFields.status]).toEqual(['applied', 'applied', 'invited']);

    expect((await refusal(services.fairs.decide(actors.owner, xinghe.id, 'approved'))).code).toBe('NOT_AUTHORIZED');
    expect((await services.fairs.decide(actors.organizer, xinghe.id, 'approved')).status).toBe('approved');
    expect((await refusal(services.fairs.decide(actors.organizer, xinghe.id, 'rejected'))).code).toBe('CONFLICT');
    expect((await services.fairs.decide(actors.admin, shunda.id, 'rejected')).status).toBe('rejected');
    expect((await refusal(services.fairs.decide(actors.organizer, greenFields.id, 'approved'))).code).toBe('CONFLICT');

    // Only approved booths are open to visitors.
    const open = await services.fairs.search(null, fairId, {});
    expect(open.booths.map((b) => b.employer.id)).toEqual([employerIds.xinghe]);
  });

  it('lets the invited employer’s staff accept, once', async () => {
    const booths = await services.fairs.allBooths(actors.organizer, fairId);
    const invited = booths.find((b) => b.employer.id === employerIds.greenFields)!.booth;
    const approved = booths.find((b) => b.employer.id === employerIds.xinghe)!.booth;
    expect((await refusal(services.fairs.acceptInvitation(actors.owner3, invited.id))).code).toBe('NOT_AUTHORIZED');
    expect((await refusal(services.fairs.acceptInvitation(actors.owner, approved.id))).code).toBe('CONFLICT');
    await services.fairs.acceptInvitation(actors.owner2, invited.id);
    expect((await refusal(services.fairs.acceptInvitation(actors.owner2, invited.id))).code).toBe('CONFLICT');
    expect((await refusal(services.fairs.acceptInvitation(actors.owner2, '00000000-0000-4000-8000-000000000000'))).code).toBe('NOT_FOUND');
    const open = await services.fairs.search(null, fairId, {});
    expect(open.booths.map((b) => b.employer.id).sort()).toEqual([employerIds.greenFields, employerIds.xinghe].sort());
  });
});

describe('broadcast announcements', () => {
  const t0 = new Date(Date.now() + 3 * DAY);
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  const create = async (startMinutes: number, endMinutes: number, publish = true) => {
    const row = await services.broadcasts.create(actors.organizer, {
      title: unique('Talk'),
      topic: 'interview_training',
      startsAt: at(startMinutes),
      endsAt: at(endMinutes),
      hostEmails: [],
    });
    if (publish) await services.broadcasts.publish(actors.organizer, row.id);
    return row.id;
  };
  const announcedIds = (rows: Broadcast[], ours: string[]) => rows.map((r) => r.id).filter((id) => ours.includes(id));

  it('announces a published broadcast once it starts, exactly once even when nodes ask together', async () => {
    const due = await create(0, 60);
    const draft = await create(0, 60, false);
    const later = await create(30, 90);
    const ours = [due, draft, later];

    expect(announcedIds(await services.broadcasts.announceDue(at(-1)), ours)).toEqual([]);

    // Five ticks at once, on two connections (two nodes): one announcement in all.
    const other = await connect({ url: await databaseUrlOf(database) });
    try {
      const otherServices = createServices(other.db);
      const results = await Promise.all([
        services.broadcasts.announceDue(at(1)),
        otherServices.broadcasts.announceDue(at(1)),
        services.broadcasts.announceDue(at(1)),
        otherServices.broadcasts.announceDue(at(1)),
        services.broadcasts.announceDue(at(1)),
      ]);
      expect(results.flatMap((rows) => announcedIds(rows, ours))).toEqual([due]);
    } finally {
      await other.close();
    }
    expect(announcedIds(await services.broadcasts.announceDue(at(2)), ours)).toEqual([]);
    expect(announcedIds(await services.broadcasts.announceDue(at(31)), ours)).toEqual([later]);
    expect(announcedIds(await services.broadcasts.announceDue(at(32)), ours)).toEqual([]);
    const [row] = await database.db.select().from(schema.broadcasts).where(eq(schema.broadcasts.id, due));
    expect(row!.announcedAt).toEqual(at(1));
  });

  it('never announces a broadcast that is already over or still a draft', async () => {
    const over = await create(100, 110);
    const draft = await create(100, 200, false);
    expect(announcedIds(await services.broadcasts.announceDue(at(120)), [over, draft])).toEqual([]);
  });

  it('shows drafts to organizers only, and invites named hosts rather than adding them', async () => {
    const draft = await create(300, 360, false);
    expect((await refusal(services.broadcasts.get(null, draft))).code).toBe('NOT_FOUND');
    expect((await services.broadcasts.upcoming(null)).map((b) => b.id)).not.toContain(draft);
    expect((await services.broadcasts.upcoming(actors.organizer)).map((b) => b.id)).toContain(draft);
    const hosted = await services.broadcasts.create(actors.organizer, {
      title: unique('Hosted'),
      topic: 'policy_qa',
      startsAt: at(400),
      endsAt: at(460),
      hostEmails: 'Employer@Example.com, seeker@example.com',
    });
    // Named hosts are invited by mail (test/account-security.test.ts); until they accept, the organizer hosts.
    expect((await services.broadcasts.get(actors.organizer, hosted.id)).hosts.map((h) => h.id)).toEqual([actors.organizer.id]);
    const error = await refusal(
      services.broadcasts.create(actors.organizer, { title: 'x', topic: 'policy_qa', startsAt: at(400), endsAt: at(460), hostEmails: 'not an email' }),
    );
    expect(error.fields).toEqual({ hostEmails: 'email' });
  });
});

describe('broadcastIcs', () => {
  const broadcast = (overrides: Partial<Broadcast>): Broadcast => ({
    id: '6f1c2b1e-0000-4000-8000-000000000001',
    fairId: null,
    title: 'Resume clinic',
    topic: 'resume_clinic',
    description: '',
    startsAt: new Date('2025-03-01T01:30:00Z'),
    endsAt: new Date('2025-03-01T02:45:30.250Z'),
    status: 'published',
    announcedAt: null,
    endedAt: null,
    createdBy: null,
    createdAt: new Date('2025-02-01T00:00:00Z'),
    boothId: null,
    ...overrides,
  });
  /** Undoes folding (RFC 5545 §3.1) and splits into content lines. */
  const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n');

  it('is CRLF throughout, with UTC start, end and stamp', () => {
    const ics = broadcastIcs(broadcast({}), 'https://fair.example/broadcasts/x', new Date('2025-02-20T08:00:00Z'));
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines).toContain('DTSTART:20250301T013000Z');
    expect(lines).toContain('DTEND:20250301T024530Z');
    expect(lines).toContain('DTSTAMP:20250220T080000Z');
    expect(lines).toContain('UID:6f1c2b1e-0000-4000-8000-000000000001@fairground');
    expect(lines).toContain('URL:https://fair.example/broadcasts/x');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(lines.at(-2)).toBe('END:VCALENDAR');
  });

  it('escapes commas, semicolons, backslashes and line breaks (including a form’s CRLF)', () => {
    const ics = broadcastIcs(
      broadcast({ title: 'Q&A; pay, insurance \\ subsidies', description: '第一行\r\nSecond line\nThird, last; done' }),
      'https://fair.example/b',
    );
    const lines = unfold(ics);
    expect(lines).toContain('SUMMARY:Q&A\\; pay\\, insurance \\\\ subsidies');
    expect(lines).toContain('DESCRIPTION:第一行\\nSecond line\\nThird\\, last\\; done');
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('folds long Chinese titles at 75 octets without splitting a character', () => {
    const title = '春风行动·高校毕业生就业指导云直播：职业规划、面试技巧与简历诊断，人社局专家在线答疑（第三场）'.repeat(2);
    const ics = broadcastIcs(broadcast({ title }), 'https://fair.example/b');
    const physical = ics.split('\r\n').filter(Boolean);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const encoder = new TextEncoder();
    for (const line of physical) {
      const bytes = encoder.encode(line);
      expect(bytes.length).toBeLessThanOrEqual(75);
      expect(() => decoder.decode(bytes)).not.toThrow();
    }
    // The title's 270-odd octets need at least four lines.
    expect(physical.length - unfold(ics).filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(unfold(ics)).toContain(`SUMMARY:${title.replace(/([,;])/g, '\\$1')}`);
  });
});

describe('datetime-local input in a time zone', () => {
  it.each([
    ['2025-03-01T09:30', 'Asia/Shanghai', '2025-03-01T01:30:00.000Z'],
    ['2025-01-01T00:00', 'Asia/Shanghai', '2024-12-31T16:00:00.000Z'],
    ['2025-03-01T09:30:15', 'Asia/Shanghai', '2025-03-01T01:30:15.000Z'],
    ['2025-06-01T12:00', 'UTC', '2025-06-01T12:00:00.000Z'],
    ['2024-12-31T23:59', 'Asia/Kolkata', '2024-12-31T18:29:00.000Z'],
    ['2025-07-01T09:00', 'America/New_York', '2025-07-01T13:00:00.000Z'],
    ['2025-01-15T09:00', 'America/New_York', '2025-01-15T14:00:00.000Z'],
    // Clocks go forward at 02:00: 02:30 does not exist and means 03:30 daylight time.
    ['2025-03-09T02:30', 'America/New_York', '2025-03-09T07:30:00.000Z'],
    // Clocks go back at 02:00: 01:30 happens twice; the first one counts.
    ['2025-11-02T01:30', 'America/New_York', '2025-11-02T05:30:00.000Z'],
    ['2025-03-30T02:30', 'Europe/Berlin', '2025-03-30T01:30:00.000Z'],
    ['2025-10-26T02:30', 'Europe/Berlin', '2025-10-26T00:30:00.000Z'],
    ['2025-10-05T02:15', 'Australia/Lord_Howe', '2025-10-04T15:45:00.000Z'],
  ])('%s in %s is %s', (local, zone, utc) => {
    expect(wallTimeToUtc(local, zone)?.toISOString()).toBe(utc);
  });

  it.each([
    ['', 'Asia/Shanghai'],
    ['2025-02-30T09:00', 'Asia/Shanghai'],
    ['2025-03-01T24:00', 'Asia/Shanghai'],
    ['2025-03-01', 'Asia/Shanghai'],
    ['tomorrow at nine', 'Asia/Shanghai'],
    ['2025-03-01T09:00', 'Mars/Olympus'],
  ])('rejects %j in %s', (local, zone) => {
    expect(wallTimeToUtc(local, zone)).toBeNull();
  });

  it('does not depend on the server’s own time zone', () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = tz;
        expect(wallTimeToUtc('2025-03-01T09:30', 'Asia/Shanghai')?.toISOString()).toBe('2025-03-01T01:30:00.000Z');
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('shows an instant back as the zone’s wall time, round trip', () => {
    expect(utcToWallTime(new Date('2025-03-01T01:30:00Z'), 'Asia/Shanghai')).toBe('2025-03-01T09:30');
    expect(utcToWallTime(new Date('2025-11-02T05:30:00Z'), 'America/New_York')).toBe('2025-11-02T01:30');
    for (const zone of ['Asia/Shanghai', 'Europe/London', 'America/Sao_Paulo', 'Asia/Kathmandu']) {
      const local = '2025-08-17T18:45';
      expect(utcToWallTime(wallTimeToUtc(local, zone)!, zone)).toBe(local);
    }
  });

  it('stores what the organizer typed in the fair’s zone', async () => {
    const fair = await services.fairs.create(actors.organizer, {
      title: unique('Zoned'),
      theme: 'rural_revitalisation',
      startsAt: wallTimeToUtc('2030-05-01T09:00', 'Asia/Shanghai')!,
      endsAt: wallTimeToUtc('2030-05-01T17:00', 'Asia/Shanghai')!,
      timeZone: 'Asia/Shanghai',
    });
    expect(fair.startsAt.toISOString()).toBe('2030-05-01T01:00:00.000Z');
    expect(fair.endsAt.toISOString()).toBe('2030-05-01T09:00:00.000Z');
    expect(utcToWallTime(fair.startsAt, fair.timeZone)).toBe('2030-05-01T09:00');
  });
});
