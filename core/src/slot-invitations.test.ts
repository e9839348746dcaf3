import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { CandidateInvitationService } from './candidate-invitations.ts';
import { DomainEvents, type DomainEventMap } from './events.ts';
import { ReportService } from './reports.ts';
import { ResumeBookService } from './resume-book.ts';
import { SlotService } from './slots.ts';

const MINUTE = 60_000;

/**
 * Invitations to a booked slot (邀约 to a slot) on real Postgres. Accepting books the slot through
 * the booking rules in the answer's own transaction; two "nodes" (each its own services over one
 * database) race to prove a slot is booked once however many invited seekers accept at once.
 */
describe('slot invitations (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let f: ReturnType<typeof fixtures>;
  let booth: { id: string; fairId: string; employerId: string; owner: SessionUser };
  let other: { id: string; fairId: string; employerId: string; owner: SessionUser };
  const invited: DomainEventMap['candidate.invited'][] = [];
  const booked: DomainEventMap['slot.booked'][] = [];
  let nodes: { invitations: CandidateInvitationService; slots: SlotService }[];

  beforeAll(async () => {
    fresh = await freshDatabase('slotinv');
    database = fresh.database;
    f = fixtures(database.db);
    const made = await f.liveFair({ employers: ['Acme', 'Beta'] });
    booth = made.booths.Acme;
    other = made.booths.Beta;
    nodes = [0, 1].map(() => {
      const events = new DomainEvents();
      events.on('candidate.invited', (n) => invited.push(n));
      events.on('slot.booked', (n) => booked.push(n));
      const slots = new SlotService(database.db, undefined, events);
      return { slots, invitations: new CandidateInvitationService(database.db, new ResumeBookService(database.db), undefined, undefined, { slots, events }) };
    });
  }, 60_000);
  afterAll(() => fresh?.drop());

  const seekersOptedIn = async (n: number, prefix: string) => {
    const rows = await database.db
      .insert(schema.users)
      .values(Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com`, name: `${prefix} ${i}`, role: 'seeker' as const })))
      .returning();
    await database.db.insert(schema.resumeBookOptIns).values(rows.map((u) => ({ fairId: booth.fairId, seekerId: u.id })));
    return rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role }));
  };
  let nextStart = Date.now() + 6 * 60 * MINUTE;
  /** Fresh slots of `by` at `boothId`, after every earlier one (no overlaps between tests). */
  const publish = async (by: SessionUser, boothId: string, count: number) => {
    const startsAt = new Date(nextStart);
    nextStart += count * 40 * MINUTE;
    return nodes[0]!.slots.publish(by, { boothId, startsAt, count, lengthMinutes: 30, bufferMinutes: 10 });
  };
  const bookingsOf = (slotId: string) =>
    database.db
      .select()
      .from(schema.slotBookings)
      .where(and(eq(schema.slotBookings.slotId, slotId), eq(schema.slotBookings.status, 'booked')));
  const statusOf = async (id: string) =>
    (await database.db.select({ s: schema.candidateInvitations.status }).from(schema.candidateInvitations).where(eq(schema.candidateInvitations.id, id)))[0]!.s;
  const codes = (results: PromiseSettledResult<unknown>[]) =>
    results.map((r) =>
      r.status === 'fulfilled' ? 'ok' : `${(r.reason as { code?: string }).code}:${(r.reason as { fields?: { form?: string } }).fields?.form ?? ''}`,
    );

  it('offers only the booth’s own free slots, tells the seeker live, and books the slot on accepting', async () => {
    const [slot, bookedSlot] = await publish(booth.owner, booth.id, 2);
    const [otherSlot] = await publish(other.owner, other.id, 1);
    const [seeker, someoneElse] = await seekersOptedIn(2, 'offer');
    await nodes[1]!.slots.book(someoneElse!, bookedSlot!.id);

    const offered = await nodes[0]!.invitations.offerableSlots(booth.owner, booth.id);
    expect(offered.map((s) => s.id)).toContain(slot!.id);
    expect(offered.map((s) => s.id)).not.toContain(bookedSlot!.id);
    await expect(nodes[0]!.invitations.offerableSlots(other.owner, booth.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(nodes[0]!.invitations.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot', slotId: otherSlot!.id })).rejects.toMatchObject({
      code: 'INVALID',
      fields: { slotId: 'invalid' },
    });
    await expect(nodes[0]!.invitations.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot', slotId: bookedSlot!.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: { form: 'slot_taken' },
    });
    // Another employer may not invite to this booth's slot from its own booth, nor from this one.
    await expect(nodes[0]!.invitations.invite(other.owner, booth.id, seeker!.id, { kind: 'slot', slotId: slot!.id })).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
    });

    const invitation = await nodes[0]!.invitations.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot', slotId: slot!.id, message: 'See you' });
    expect(invitation).toMatchObject({ kind: 'slot', slotId: slot!.id, target: `slot:${slot!.id}`, status: 'pending' });
    expect(invited.find((n) => n.invitationId === invitation.id)).toMatchObject({ seekerId: seeker!.id, kind: 'slot', startsAt: slot!.startsAt });
    expect((await nodes[1]!.invitations.forSeeker(seeker!))[0]).toMatchObject({ kind: 'slot', slotState: 'free', slotStartsAt: slot!.startsAt });
    // One pending invitation per slot and seeker.
    await expect(nodes[1]!.invitations.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot', slotId: slot!.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: { form: 'already_invited' },
    });

    await nodes[1]!.invitations.answer(seeker!, invitation.id, 'accepted');
    expect(await bookingsOf(slot!.id)).toEqual([expect.objectContaining({ seekerId: seeker!.id, recruiterId: booth.owner.id })]);
    expect(booked.filter((b) => b.seekerId === seeker!.id)).toHaveLength(1);
    expect((await nodes[0]!.invitations.forSeeker(seeker!))[0]).toMatchObject({ status: 'accepted', slotState: 'mine' });
    expect((await nodes[0]!.slots.myBookings(seeker!)).map((b) => b.slotId)).toEqual([slot!.id]);
    expect((await nodes[0]!.invitations.sentFromBooth(booth.owner, booth.id, seeker!.id))[0]).toMatchObject({ kind: 'slot', status: 'accepted' });
  });

  it('books a slot once when 12 seekers invited to it accept at once on two nodes; the others stay pending, told it was taken', async () => {
    const [slot] = await publish(booth.owner, booth.id, 1);
    const seekers = await seekersOptedIn(12, 'race');
    const invitations = await Promise.all(seekers.map((s) => nodes[0]!.invitations.invite(booth.owner, booth.id, s.id, { kind: 'slot', slotId: slot!.id })));
    const results = await Promise.allSettled(invitations.map((inv, i) => nodes[i % 2]!.invitations.answer(seekers[i]!, inv.id, 'accepted')));
    const outcome = codes(results);
    expect(outcome.filter((c) => c === 'ok')).toHaveLength(1);
    expect(outcome.filter((c) => c !== 'ok')).toEqual(Array(11).fill('CONFLICT:slot_taken'));
    const bookings = await bookingsOf(slot!.id);
    expect(bookings).toHaveLength(1);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(bookings[0]!.seekerId).toBe(seekers[winner]!.id);
    for (const [i, inv] of invitations.entries()) expect(await statusOf(inv.id)).toBe(i === winner ? 'accepted' : 'pending');
    const loser = seekers[(winner + 1) % seekers.length]!;
    expect((await nodes[0]!.invitations.forSeeker(loser))[0]).toMatchObject({ status: 'pending', slotState: 'taken' });
    // The loser can still decline (an answer), and the slot is no longer offered.
    await nodes[0]!.invitations.answer(loser, invitations[(winner + 1) % seekers.length]!.id, 'declined');
    expect((await nodes[1]!.invitations.offerableSlots(booth.owner, booth.id)).map((s) => s.id)).not.toContain(slot!.id);
  });

  it('an invited seeker accepting while another books the slot directly: one booking', async () => {
    for (let round = 0; round < 5; round++) {
      const [slot] = await publish(booth.owner, booth.id, 1);
      const [invitedSeeker, direct] = await seekersOptedIn(2, `direct${round}-`);
      const inv = await nodes[0]!.invitations.invite(booth.owner, booth.id, invitedSeeker!.id, { kind: 'slot', slotId: slot!.id });
      const results = await Promise.allSettled([nodes[0]!.invitations.answer(invitedSeeker!, inv.id, 'accepted'), nodes[1]!.slots.book(direct!, slot!.id)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await bookingsOf(slot!.id)).toHaveLength(1);
      expect(await statusOf(inv.id)).toBe(results[0]!.status === 'fulfilled' ? 'accepted' : 'pending');
    }
  });

  it('accepting follows the booking rules: the per-fair limit and overlaps refuse, and the invitation stays pending', async () => {
    const organizer = await f.account('organizer');
    await nodes[0]!.slots.setSettings(organizer, booth.fairId, { maxBookingsPerSeeker: 1, cutoffMinutes: 60 });
    const [first, second] = await publish(booth.owner, booth.id, 2);
    const [seeker] = await seekersOptedIn(1, 'limit');
    await nodes[0]!.slots.book(seeker!, first!.id);
    const inv = await nodes[0]!.invitations.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot', slotId: second!.id });
    await expect(nodes[1]!.invitations.answer(seeker!, inv.id, 'accepted')).rejects.toMatchObject({ code: 'CONFLICT', fields: { form: 'booking_limit' } });
    expect(await statusOf(inv.id)).toBe('pending');
    expect(await bookingsOf(second!.id)).toHaveLength(0);
    await nodes[0]!.slots.setSettings(organizer, booth.fairId, { maxBookingsPerSeeker: 3, cutoffMinutes: 60 });

    // Overlap: a colleague's slot at the very time the seeker already booked.
    const colleague = await f.account('employer', 'overlapper');
    await database.db.insert(schema.employerMembers).values({ userId: colleague.id, employerId: booth.employerId, role: 'recruiter' });
    const [clash] = await nodes[0]!.slots.publish(colleague, { boothId: booth.id, startsAt: first!.startsAt, count: 1, lengthMinutes: 30, bufferMinutes: 0 });
    const inv2 = await nodes[0]!.invitations.invite(colleague, booth.id, seeker!.id, { kind: 'slot', slotId: clash!.id });
    await expect(nodes[0]!.invitations.answer(seeker!, inv2.id, 'accepted')).rejects.toMatchObject({ code: 'CONFLICT', fields: { form: 'booking_overlap' } });
    expect(await statusOf(inv2.id)).toBe('pending');
    // Withdrawn meanwhile: shown as gone, accepting refused.
    await nodes[0]!.slots.withdraw(colleague, clash!.id);
    expect((await nodes[0]!.invitations.forSeeker(seeker!)).find((i) => i.id === inv2.id)).toMatchObject({ slotState: 'gone' });
    await expect(nodes[0]!.invitations.answer(seeker!, inv2.id, 'accepted')).rejects.toMatchObject({ code: 'CONFLICT', fields: { form: 'slot_gone' } });
  });

  it('lists the team’s booked interviews per fair in the employer console; other employers and seekers see none', async () => {
    const colleague = await f.account('employer', 'teammate');
    await database.db.insert(schema.employerMembers).values({ userId: colleague.id, employerId: booth.employerId, role: 'recruiter' });
    const [slot] = await nodes[0]!.slots.publish(colleague, {
      boothId: booth.id,
      startsAt: new Date(nextStart),
      count: 1,
      lengthMinutes: 30,
      bufferMinutes: 0,
    });
    nextStart += 60 * MINUTE;
    const [seeker] = await seekersOptedIn(1, 'team');
    const booking = await nodes[0]!.slots.book(seeker!, slot!.id);
    const list = await nodes[1]!.slots.teamBookings(booth.owner, booth.employerId);
    expect(list.find((b) => b.id === booking.id)).toMatchObject({
      fairId: booth.fairId,
      seekerName: seeker!.name,
      recruiterName: expect.any(String),
      boothId: booth.id,
    });
    expect(list.every((b) => b.boothId === booth.id)).toBe(true);
    expect((await nodes[1]!.slots.teamBookings(colleague, booth.employerId)).map((b) => b.id)).toContain(booking.id);
    await expect(nodes[1]!.slots.teamBookings(other.owner, booth.employerId)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(nodes[1]!.slots.teamBookings(seeker!, booth.employerId)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect((await nodes[1]!.slots.teamBookings(other.owner, other.employerId)).map((b) => b.id)).not.toContain(booking.id);
  });

  it('counts invitations sent and accepted per booth and per fair in the reports', async () => {
    const reports = new ReportService(database.db);
    const organizer = await f.account('organizer', 'reader');
    const all = await database.db.select().from(schema.candidateInvitations);
    const mine = all.filter((r) => r.boothId === booth.id);
    const fair = await reports.fairReport(organizer, booth.fairId);
    expect(mine.length).toBeGreaterThan(0);
    expect(fair.booths.find((b) => b.boothId === booth.id)!.invitations).toEqual({
      sent: mine.length,
      accepted: mine.filter((r) => r.status === 'accepted').length,
    });
    expect(fair.booths.find((b) => b.boothId === other.id)!.invitations).toEqual({ sent: 0, accepted: 0 });
    expect(fair.invitations).toEqual({ sent: mine.length, accepted: mine.filter((r) => r.status === 'accepted').length });
    // One more sent and accepted moves both counts of the booth's own report.
    const [slot] = await publish(booth.owner, booth.id, 1);
    const [seeker] = await seekersOptedIn(1, 'counted');
    const inv = await nodes[0]!.invitations.invite(booth.owner, booth.id, seeker!.id, { kind: 'slot', slotId: slot!.id });
    await nodes[1]!.invitations.answer(seeker!, inv.id, 'accepted');
    expect((await reports.boothReport(booth.owner, booth.id)).invitations).toEqual({
      sent: mine.length + 1,
      accepted: mine.filter((r) => r.status === 'accepted').length + 1,
    });
  });
});
