import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { DomainEvents } from './events.ts';
import type { Mailer, MailMessage } from './mail.ts';
import { BoothQueue } from './queue.ts';
import { ServiceError } from './errors.ts';
import { SlotService } from './slots.ts';
import { slotCounts } from './slot-counts.ts';
import { ReportService } from './reports.ts';

const MIN = 60_000;

/** Mail as the platform would send it, kept for the test to read. */
class KeptMail implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage) {
    this.sent.push(message);
  }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ServiceError ? (Object.values(e.fields)[0] ?? e.code) : `unexpected: ${String(e)}`),
  );

/**
 * Booked interview slots on real Postgres: capacity one and a seeker's own limits hold under
 * concurrency (pooled connections racing), and the outbox, reminders and the line follow.
 */
describe('booked slots (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let mail: KeptMail;
  let slots: SlotService;
  let queue: BoothQueue;
  let f: ReturnType<typeof fixtures>;
  let booth: { id: string; fairId: string; employerId: string; owner: SessionUser };
  let otherBooth: { id: string; owner: SessionUser };
  let colleague: SessionUser;
  const seekers: SessionUser[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('slots');
    database = fresh.database;
    mail = new KeptMail();
    const events = new DomainEvents();
    slots = new SlotService(database.db, { mailer: mail, origin: 'https://fair.example' }, events);
    queue = new BoothQueue(database.db, { acceptSeconds: 60, graceSeconds: 60, maxQueuesPerSeeker: 3, interviewMinutes: 15 }, events);
    f = fixtures(database.db);
    const made = await f.liveFair({ employers: ['Acme', 'Beta'] });
    booth = made.booths.Acme;
    otherBooth = made.booths.Beta;
    colleague = await f.account('employer', 'colleague');
    await database.db.insert(schema.employerMembers).values({ userId: colleague.id, employerId: booth.employerId, role: 'recruiter' });
    const rows = await database.db
      .insert(schema.users)
      .values(Array.from({ length: 60 }, (_, i) => ({ email: `slot${i}@example.com`, name: `Slot seeker ${i}`, role: 'seeker' as const })))
      .returning();
    seekers.push(...rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role })));
  }, 60_000);
  afterAll(() => fresh?.drop());

  const publish = (by: SessionUser, boothId: string, startsAt: Date, count: number, extra: Record<string, unknown> = {}) =>
    slots.publish(by, { boothId, startsAt, count, lengthMinutes: 20, bufferMinutes: 10, ...extra });

  it('publishes a series with buffers, for the owner’s colleague too, and refuses overlaps and outsiders', async () => {
    const start = new Date(Date.now() + 50 * 60 * MIN);
    const made = await publish(booth.owner, booth.id, start, 3);
    expect(made.map((s) => (s.startsAt.getTime() - start.getTime()) / MIN)).toEqual([0, 30, 60]);
    expect(made.every((s) => s.endsAt.getTime() - s.startsAt.getTime() === 20 * MIN)).toBe(true);
    // Overlapping the last slot's buffer: refused.
    expect(await codeOf(publish(booth.owner, booth.id, new Date(start.getTime() + 85 * MIN), 1))).toBe('slot_overlap');
    // The owner publishes for a colleague (another recruiter's time does not clash).
    const forColleague = await publish(booth.owner, booth.id, start, 1, { recruiterId: colleague.id });
    expect(forColleague[0]!.recruiterId).toBe(colleague.id);
    // A recruiter may not publish for the owner; another employer's staff may not publish here; seekers neither.
    expect(await codeOf(publish(colleague, booth.id, new Date(start.getTime() + 300 * MIN), 1, { recruiterId: booth.owner.id }))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(publish(otherBooth.owner, booth.id, new Date(start.getTime() + 300 * MIN), 1))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(publish(seekers[59]!, booth.id, new Date(start.getTime() + 300 * MIN), 1))).toBe('NOT_AUTHORIZED');
    expect(await codeOf(publish(booth.owner, booth.id, new Date(Date.now() - MIN), 1))).toBe('slot_past');
    expect(await codeOf(publish(booth.owner, booth.id, start, 0))).toBe('too_small');
  });

  it('50 seekers racing for 5 slots get exactly 5 bookings, one per slot, with one slot.booked event each', async () => {
    const made = await publish(booth.owner, booth.id, new Date(Date.now() + 100 * 60 * MIN), 5);
    const results = await Promise.all(seekers.slice(0, 50).map((s, i) => codeOf(slots.book(s, made[i % 5]!.id))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'slot_taken')).toBe(true);
    const booked = await database.db
      .select()
      .from(schema.slotBookings)
      .where(
        and(
          inArray(
            schema.slotBookings.slotId,
            made.map((s) => s.id),
          ),
          eq(schema.slotBookings.status, 'booked'),
        ),
      );
    expect(new Set(booked.map((b) => b.slotId)).size).toBe(5);
    expect(booked).toHaveLength(5);
    const events = await database.db.select().from(schema.webhookEvents).where(eq(schema.webhookEvents.type, 'slot.booked'));
    const ours = events.filter((e) => booked.some((b) => (e.payload as { data: { bookingId: string } }).data.bookingId === b.id));
    expect(ours).toHaveLength(5);
    expect(ours[0]!.subject).toBe(`booth:${booth.id}`);
    // Every winner (and their recruiter) got an invite with the calendar file.
    for (const b of booked) {
      const seeker = seekers.find((s) => s.id === b.seekerId)!;
      const invite = mail.sent.find((m) => m.to === seeker.email && m.attachments?.length);
      expect(invite?.attachments?.[0]?.content).toContain(`UID:${b.id}@fairground`);
      expect(invite?.attachments?.[0]?.content).toContain('METHOD:REQUEST');
    }
  }, 60_000);

  it('one seeker racing two overlapping slots gets one; racing five under a limit of two gets two', async () => {
    const seeker = seekers[50]!;
    const at = new Date(Date.now() + 200 * 60 * MIN);
    // Two slots at the same time, at two booths.
    const [a] = await publish(booth.owner, booth.id, at, 1);
    const [b] = await publish(otherBooth.owner, otherBooth.id, new Date(at.getTime() + 5 * MIN), 1);
    const both = await Promise.all([codeOf(slots.book(seeker, a!.id)), codeOf(slots.book(seeker, b!.id))]);
    expect(both.sort()).toEqual(['booking_overlap', 'ok']);

    const organizer = await f.account('organizer');
    await slots.setSettings(organizer, booth.fairId, { maxBookingsPerSeeker: 2, cutoffMinutes: 30 });
    const five = await publish(colleague, booth.id, new Date(Date.now() + 300 * 60 * MIN), 5);
    const other = seekers[51]!;
    const results = await Promise.all(five.map((s) => codeOf(slots.book(other, s.id))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'booking_limit')).toBe(true);
    await slots.setSettings(organizer, booth.fairId, { maxBookingsPerSeeker: 3, cutoffMinutes: 60 });
    // Only organizers set the rules.
    expect(await codeOf(slots.setSettings(booth.owner, booth.fairId, { maxBookingsPerSeeker: 9, cutoffMinutes: 0 }))).toBe('NOT_AUTHORIZED');
  }, 60_000);

  it('checks prerequisites, the cut-off, and reschedules both-or-neither', async () => {
    const seeker = seekers[52]!;
    const [needy] = await publish(booth.owner, booth.id, new Date(Date.now() + 400 * 60 * MIN), 1, { requiresResume: false, requiredFields: ['headline'] });
    expect(await codeOf(slots.book(seeker, needy!.id))).toBe('needs_headline');
    await database.db.insert(schema.seekerProfiles).values({ userId: seeker.id, headline: 'Welder' });
    expect(await codeOf(slots.book(seeker, needy!.id))).toBe('ok');

    const [later, taken] = await publish(booth.owner, booth.id, new Date(Date.now() + 500 * 60 * MIN), 2);
    await slots.book(seekers[53]!, taken!.id);
    const [mine] = await slots.myBookings(seeker);
    // Moving onto a taken slot changes nothing.
    expect(await codeOf(slots.reschedule(seeker, mine!.id, taken!.id))).toBe('slot_taken');
    expect((await slots.myBookings(seeker)).map((b) => b.slotId)).toEqual([needy!.id]);
    const moved = await slots.reschedule(seeker, mine!.id, later!.id);
    expect((await slots.myBookings(seeker)).map((b) => b.id)).toEqual([moved.id]);
    // The old one's cancellation reaches both sides with a CANCEL calendar entry.
    const cancel = mail.sent.find((m) => m.to === seeker.email && m.attachments?.[0]?.content.includes('METHOD:CANCEL'));
    expect(cancel?.attachments?.[0]?.content).toContain(`UID:${mine!.id}@fairground`);
    // Someone else's booking is not found; past the cut-off nothing changes.
    expect(await codeOf(slots.cancel(seekers[53]!, moved.id))).toBe('NOT_FOUND');
    expect(await codeOf(slots.cancel(seeker, moved.id, new Date(moved.startsAt.getTime() - 30 * MIN)))).toBe('past_cutoff');
    await slots.cancel(seeker, moved.id);
    expect(await slots.myBookings(seeker)).toEqual([]);
  }, 60_000);

  it('sends each reminder once with two nodes sweeping at once, and none for a cancelled booking', async () => {
    const seeker = seekers[54]!;
    const start = new Date(Date.now() + 30 * 60 * MIN); // 30 h ahead: both reminders lie in the future
    const [slot, spare] = await publish(booth.owner, booth.id, start, 2);
    const booking = await slots.book(seeker, slot!.id);
    const dropped = await slots.book(seekers[55]!, spare!.id);
    await slots.cancel(seekers[55]!, dropped.id);
    const mailA = new KeptMail();
    const mailB = new KeptMail();
    const nodeA = new SlotService(database.db, { mailer: mailA, origin: 'https://fair.example' });
    const nodeB = new SlotService(database.db, { mailer: mailB, origin: 'https://fair.example' });
    const remindersOf = (m: KeptMail[]) => m.flatMap((k) => k.sent).filter((x) => /Reminder|提醒|starts in 10|10 分钟/.test(x.subject));
    // Not yet due: nothing.
    await Promise.all([nodeA.sendDue(new Date(start.getTime() - 25 * 60 * MIN)), nodeB.sendDue(new Date(start.getTime() - 25 * 60 * MIN))]);
    expect(remindersOf([mailA, mailB])).toHaveLength(0);
    // 24 h before: the seeker and the recruiter, once each.
    const at24 = new Date(start.getTime() - 24 * 60 * MIN + 1000);
    await Promise.all([nodeA.sendDue(at24), nodeB.sendDue(at24), nodeA.sendDue(at24), nodeB.sendDue(at24)]);
    expect(
      remindersOf([mailA, mailB])
        .map((m) => m.to)
        .sort(),
    ).toEqual([seeker.email, booth.owner.email].sort());
    // 10 min before: two more; again with both nodes racing.
    const at10 = new Date(start.getTime() - 9 * MIN);
    await Promise.all([nodeA.sendDue(at10), nodeB.sendDue(at10), nodeA.sendDue(at10), nodeB.sendDue(at10)]);
    const all = remindersOf([mailA, mailB]);
    expect(all).toHaveLength(4);
    expect(all.filter((m) => m.to === seekers[55]!.email)).toHaveLength(0);
    const rows = await database.db.select().from(schema.slotReminders).where(eq(schema.slotReminders.bookingId, booking.id));
    expect(rows.every((r) => r.sentAt !== null)).toBe(true);
  }, 60_000);

  it('a claimed reminder whose node died is sent by another after the lease', async () => {
    const seeker = seekers[56]!;
    const start = new Date(Date.now() + 40 * 60 * MIN);
    const [slot] = await publish(booth.owner, booth.id, start, 1);
    await slots.book(seeker, slot!.id);
    const dying: Mailer = {
      send: async () => {
        throw new Error('the node died mid-send');
      },
    };
    const at = new Date(start.getTime() - 9 * MIN);
    await expect(new SlotService(database.db, { mailer: dying, origin: 'x' }).sendDue(at)).rejects.toThrow();
    const other = new KeptMail();
    const survivor = new SlotService(database.db, { mailer: other, origin: 'x' });
    await survivor.sendDue(at);
    expect(other.sent.filter((m) => m.to === seeker.email)).toHaveLength(0); // still leased
    await survivor.sendDue(new Date(at.getTime() + 61_000));
    expect(other.sent.filter((m) => m.to === seeker.email).length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('at its time the booked seeker goes ahead of the walk-up line, for their recruiter only; kept and no-show are recorded', async () => {
    const made = await f.liveFair({ employers: ['Line'] });
    const lineBooth = made.booths.Line;
    const helper = await f.account('employer', 'helper');
    await database.db.insert(schema.employerMembers).values({ userId: helper.id, employerId: lineBooth.employerId, role: 'recruiter' });
    const [walkA, walkB, booked, late] = [seekers[57]!, seekers[58]!, seekers[59]!, seekers[50]!];
    await queue.join(walkA, lineBooth.id, true);
    await queue.join(walkB, lineBooth.id, true);
    const start = new Date(Date.now() + 2 * MIN);
    const [slot, second] = await publish(lineBooth.owner, lineBooth.id, start, 2);
    const booking = await slots.book(booked, slot!.id);
    const missed = await slots.book(late, second!.id);
    // Not yet: nothing moves. At the time (two nodes at once): once.
    expect(await slots.activateDue(new Date(start.getTime() - 1000))).toEqual([]);
    const at = new Date(start.getTime() + 1000);
    const [one, two] = await Promise.all([slots.activateDue(at), slots.activateDue(at)]);
    expect([...one, ...two].map((b) => b.id)).toEqual([booking.id]);
    const line = await queue.line(lineBooth.id);
    expect(line.map((l) => l.seekerId)).toEqual([booked.id, walkA.id, walkB.id]);
    expect(line[0]!.bookedFor).toBe(lineBooth.owner.id);
    // Another recruiter's "call next" takes the walk-up line behind the booked seeker.
    expect((await queue.callNext(helper, lineBooth.id))!.seekerId).toBe(walkA.id);
    // Their recruiter's takes them; accepting keeps the slot.
    const call = await queue.callNext(lineBooth.owner, lineBooth.id);
    expect(call!.seekerId).toBe(booked.id);
    await queue.accept(booked, call!.id);
    // The second booking's seeker is called at its time and does not answer: a no-show.
    const at2 = new Date(second!.startsAt.getTime() + 1000);
    await slots.activateDue(at2);
    const call2 = await queue.callNext(lineBooth.owner, lineBooth.id);
    expect(call2!.seekerId).toBe(late.id);
    await queue.sweep(new Date(Date.now() + 61_000));
    const outcomes = await database.db
      .select({ id: schema.slotBookings.id, outcome: schema.slotBookings.outcome })
      .from(schema.slotBookings)
      .where(inArray(schema.slotBookings.id, [booking.id, missed.id]));
    expect(Object.fromEntries(outcomes.map((o) => [o.id, o.outcome]))).toEqual({ [booking.id]: 'kept', [missed.id]: 'no_show' });
    const counts = await slotCounts(database.db, [lineBooth.id]);
    expect(counts.get(lineBooth.id)).toEqual({ published: 2, booked: 2, kept: 1, noShow: 1 });
    // The booth's and the fair's reports carry the same rows.
    const reports = new ReportService(database.db);
    expect((await reports.boothReport(lineBooth.owner, lineBooth.id)).slots).toEqual({ published: 2, booked: 2, kept: 1, noShow: 1 });
    const fairReport = await reports.fairReport(made.organizer, lineBooth.fairId);
    expect(fairReport.slots).toEqual({ published: 2, booked: 2, kept: 1, noShow: 1 });
    expect(fairReport.booths.find((b) => b.boothId === lineBooth.id)?.slots).toEqual({ published: 2, booked: 2, kept: 1, noShow: 1 });
  }, 60_000);

  it('shows free slots to seekers and who booked to staff only', async () => {
    const view = await slots.boothSlots(seekers[40]!, booth.id);
    expect(view.staff).toBe(false);
    expect(view.slots.every((s) => s.booking === null)).toBe(true);
    const staffView = await slots.boothSlots(booth.owner, booth.id);
    expect(staffView.slots.some((s) => s.booking !== null)).toBe(true);
    expect(staffView.slots.length).toBeGreaterThan(view.slots.length);
  });
});
