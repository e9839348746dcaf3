import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, schema, type Auth, type Database, type SessionUser } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { createServices, type Services } from './services.ts';
import { WalkInService } from './walk-ins.ts';
import { PhoneHandOffService } from './phone-hand-off.ts';
import { channelFunnels } from './reports.ts';

/** The Cookie header a browser would send back after these Set-Cookie headers. */
const cookieOf = (setCookies: string[]) => setCookies.map((c) => c.split(';')[0]).join('; ');

describe('walk-ins, on-site lines, hand-off tokens and the on-site/online report split (real Postgres)', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  let services: Services;
  let auth: Auth;
  let fx: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    fresh = await freshDatabase('walkin');
    database = fresh.database;
    services = createServices(database.db);
    auth = createAuth(database.db, { secret: 'w'.repeat(40), baseURL: 'http://localhost:3000', attemptsPerMinute: 100 });
    fx = fixtures(database.db);
  });
  afterAll(() => fresh?.drop());

  const userOf = async (setCookies: string[]) => auth.userFor(new Headers({ cookie: cookieOf(setCookies) }));

  it('signs a walk-in in with a phone number: an unverified seeker with a made-up address and a 12-hour session', async () => {
    const { userId, setCookies } = await services.walkIns.start(auth, { name: '李明', contact: '+86 138-0013-8000' }, '10.1.0.1');
    const user = await userOf(setCookies);
    expect(user).toMatchObject({ id: userId, name: '李明', role: 'seeker', emailVerified: false });
    expect(user!.email).toBe(`walk-in-${userId}@walk-in.invalid`);
    expect(await services.walkIns.contactOf(userId)).toEqual({ kind: 'phone', value: '+8613800138000' });
    const maxAge = Number(/Max-Age=(\d+)/i.exec(setCookies.find((c) => c.includes('session_token'))!)![1]);
    expect(maxAge).toBe(12 * 3600);
    const [session] = await database.db.select().from(schema.sessions).where(eq(schema.sessions.userId, userId));
    // better-auth slides the expiry forward on use; the day's limit counts from the session's creation.
    await database.db
      .update(schema.sessions)
      .set({ createdAt: new Date(Date.now() - 12 * 3600_000 - 1000) })
      .where(eq(schema.sessions.id, session!.id));
    expect(await userOf(setCookies)).toBeNull();
    expect(await database.db.select().from(schema.sessions).where(eq(schema.sessions.userId, userId))).toHaveLength(0);
  });

  it('answers an email that has an account exactly like a new one, and never signs in as that account', async () => {
    const existing = await fx.account('seeker', 'Existing');
    const usersBefore = await database.db.select().from(schema.users);
    const walkIn = await services.walkIns.start(auth, { name: 'Someone', contact: existing.email.toUpperCase() }, '10.1.0.2');
    const user = await userOf(walkIn.setCookies);
    expect(user!.id).not.toBe(existing.id);
    expect(user!.email).not.toBe(existing.email);
    expect(await services.walkIns.contactOf(user!.id)).toEqual({ kind: 'email', value: existing.email });
    // The account itself is untouched; one new row only.
    expect((await database.db.select().from(schema.users)).length).toBe(usersBefore.length + 1);
    const [row] = await database.db.select().from(schema.users).where(eq(schema.users.id, existing.id));
    expect(row!.emailVerified).toBe(true);
  });

  it('refuses bad input with field codes, creating nothing', async () => {
    const before = (await database.db.select().from(schema.walkIns)).length;
    for (const input of [
      { name: '', contact: '13800138000' },
      { name: 'A', contact: '12' },
      { name: 'A', contact: 'not an email@' },
      { name: 'A', contact: 'x@walk-in.invalid' },
    ]) {
      await expect(services.walkIns.start(auth, input, '10.1.0.3')).rejects.toMatchObject({ code: 'INVALID' });
    }
    expect((await database.db.select().from(schema.walkIns)).length).toBe(before);
  });

  it('limits sign-ups per phone number or email, and per client address, on the server', async () => {
    const walkIns = new WalkInService(database.db, { perAddress: 5, perContact: 2, windowSeconds: 3600 });
    await walkIns.start(auth, { name: 'A', contact: '13900000001' }, '10.2.0.1');
    await walkIns.start(auth, { name: 'A', contact: '139 0000 0001' }, '10.2.0.2');
    const rows = () => database.db.select().from(schema.walkIns).where(eq(schema.walkIns.contact, '13900000001'));
    await expect(walkIns.start(auth, { name: 'A', contact: '13900000001' }, '10.2.0.3')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(await rows()).toHaveLength(2);
    // Per address: five from one address (other contacts), the sixth refused, another address still served.
    for (let i = 0; i < 4; i++) await walkIns.start(auth, { name: 'B', contact: `1370000000${i}` }, '10.3.0.1');
    await walkIns.start(auth, { name: 'B', contact: '13700000009' }, '10.3.0.1');
    await expect(walkIns.start(auth, { name: 'B', contact: '13700000008' }, '10.3.0.1')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(walkIns.start(auth, { name: 'B', contact: '13700000008' }, '10.3.0.2')).resolves.toMatchObject({ userId: expect.any(String) });
  });

  it('limits one contact even when its sign-ups race (the count and the insert are one locked step)', async () => {
    const walkIns = new WalkInService(database.db, { perAddress: 100, perContact: 2, windowSeconds: 3600 });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => walkIns.start(auth, { name: 'R', contact: 'race@example.com' }, `10.4.0.${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await database.db.select().from(schema.walkIns).where(eq(schema.walkIns.contact, 'race@example.com'))).toHaveLength(2);
  });

  describe('in the line', () => {
    let booth: { id: string; fairId: string; owner: SessionUser };
    let walkIn: SessionUser;
    let online: SessionUser;

    beforeAll(async () => {
      const { booths } = await fx.liveFair({ employers: ['Desk'] });
      booth = booths.Desk;
      const started = await services.walkIns.start(auth, { name: '王芳', contact: '13500000000' }, '10.5.0.1');
      walkIn = (await userOf(started.setCookies))!;
      online = { ...(await fx.account('seeker', 'Online')), emailVerified: true };
    });

    it('takes a walk-in only on-site; the same line holds online seekers in one order', async () => {
      await expect(services.queue.join(walkIn, booth.id, true)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
      expect(await database.db.select().from(schema.queueEntries).where(eq(schema.queueEntries.seekerId, walkIn.id))).toHaveLength(0);
      const first = await services.queue.join(online, booth.id, true);
      const second = await services.queue.join(walkIn, booth.id, true, { onSite: true });
      expect(first.entry.onSite).toBe(false);
      expect(second).toMatchObject({ created: true, position: 2, entry: { onSite: true } });
      const line = await services.queue.line(booth.id);
      expect(line.map((l) => [l.name, l.onSite])).toEqual([
        [online.name, false],
        ['王芳', true],
      ]);
      expect(await services.venue.hallCount(booth.fairId)).toBe(1);
    });

    it('calls an on-site seeker to the desk: the recruiter starts an on-site interview, counted like any other', async () => {
      // The online seeker first: a video interview, accepted from their page.
      const firstCall = await services.queue.callNext(booth.owner, booth.id);
      expect(firstCall!.seekerId).toBe(online.id);
      const video = await services.queue.accept(online, firstCall!.id);
      expect(video.mode).toBe('video');
      await services.interviews.markStarted(video.id);
      await services.interviews.end(online, video.id);
      await services.interviews.assess(booth.owner, video.id, { outcome: 'not_a_fit' });

      const call = await services.queue.callNext(booth.owner, booth.id);
      expect(call).toMatchObject({ seekerId: walkIn.id, status: 'called', onSite: true });
      // A walk-in cannot take a video interview, but the call to the desk is theirs to accept.
      const accepted = await services.queue.accept(walkIn, call!.id);
      expect(accepted).toMatchObject({ mode: 'on_site', startedAt: null });
      // Another booth's staff cannot start it; the calling recruiter can, once.
      const other = (await fx.liveFair({ employers: ['Other'] })).booths.Other.owner;
      await expect(services.queue.arrivedAtDesk(other, booth.id, call!.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
      const started = await services.queue.arrivedAtDesk(booth.owner, booth.id, call!.id);
      expect(started.id).toBe(accepted.id);
      expect(started.startedAt).toBeInstanceOf(Date);
      const again = await services.queue.arrivedAtDesk(booth.owner, booth.id, call!.id);
      expect(again.startedAt).toEqual(started.startedAt);
      expect(await services.venue.hallCount(booth.fairId)).toBe(1);
      await services.interviews.end(booth.owner, started.id);
      await services.interviews.assess(booth.owner, started.id, { outcome: 'next_round' });
      expect(await services.venue.hallCount(booth.fairId)).toBe(0);

      const { total } = await channelFunnels(database.db, [booth.id]);
      expect(total.on_site).toMatchObject({ queued: 1, interviewed: 1, withOutcome: 1, entries: 1, called: 1, outcomes: { next_round: 1, not_a_fit: 0 } });
      expect(total.online).toMatchObject({ queued: 1, interviewed: 1, withOutcome: 1, entries: 1, called: 1, outcomes: { next_round: 0, not_a_fit: 1 } });
      const report = await services.reports.boothReport(booth.owner, booth.id);
      expect(report.funnel).toMatchObject({ queued: 2, interviewed: 2, withOutcome: 2 });
      expect(report.channels.on_site.interviewed + report.channels.online.interviewed).toBe(report.funnel.interviewed);
    });

    it('lets the recruiter accept for a seeker who reached the desk without tapping, but not after a no-show', async () => {
      const started = await services.walkIns.start(auth, { name: 'Zhao', contact: '13600000000' }, '10.5.0.2');
      const zhao = (await userOf(started.setCookies))!;
      await services.queue.join(zhao, booth.id, true, { onSite: true });
      const call = await services.queue.callNext(booth.owner, booth.id);
      const interview = await services.queue.arrivedAtDesk(booth.owner, booth.id, call!.id);
      expect(interview).toMatchObject({ mode: 'on_site', seekerId: zhao.id, recruiterId: booth.owner.id });
      await services.interviews.end(booth.owner, interview.id);

      await services.queue.join(zhao, booth.id, true, { onSite: true });
      const late = await services.queue.callNext(booth.owner, booth.id);
      const { noShows } = await services.queue.sweep(new Date(Date.now() + 61_000));
      expect(noShows.map((e) => e.id)).toEqual([late!.id]);
      await expect(services.queue.arrivedAtDesk(booth.owner, booth.id, late!.id)).rejects.toMatchObject({ code: 'CONFLICT' });
      const { total } = await channelFunnels(database.db, [booth.id]);
      expect(total.on_site.noShows).toBe(1);
      expect(total.online.noShows).toBe(0);
    });

    it('shows the split in the fair report: on-site and online per booth and in total', async () => {
      const report = await services.reports.fairReport(await fx.account('organizer'), booth.fairId);
      const row = report.booths.find((b) => b.boothId === booth.id)!;
      expect(row.channels.on_site).toMatchObject({ queued: 2, interviewed: 2 });
      expect(row.channels.online).toMatchObject({ queued: 1, interviewed: 1 });
      expect(report.channels.on_site.interviewed).toBe(2);
      expect(report.total.interviewed).toBe(3);
    });
  });

  describe('hand-off tokens', () => {
    it('signs a phone in once, as the kiosk user, and stores only the hash', async () => {
      const seeker = await fx.account('seeker', 'Kiosk');
      const handOff = new PhoneHandOffService(database.db);
      const { token } = await handOff.issue(seeker, '/matches');
      const rows = await database.db.select().from(schema.handOffTokens).where(eq(schema.handOffTokens.userId, seeker.id));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.tokenHash).not.toContain(token);
      expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      const redeemed = await handOff.redeem(auth, token, '10.6.0.1');
      expect(redeemed.next).toBe('/matches');
      expect((await userOf(redeemed.setCookies))!.id).toBe(seeker.id);
      await expect(handOff.redeem(auth, token, '10.6.0.2')).rejects.toMatchObject({ code: 'INVALID' });
    });

    it('gives one session to two phones racing for the same token', async () => {
      const seeker = await fx.account('seeker', 'Race');
      const handOff = new PhoneHandOffService(database.db);
      const { token } = await handOff.issue(seeker, '/');
      const results = await Promise.allSettled([1, 2, 3].map((i) => handOff.redeem(auth, token, `10.7.0.${i}`)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('expires, is replaced by a newer one, refuses a forged next and limits guessing per address', async () => {
      const seeker = await fx.account('seeker', 'Expiry');
      const handOff = new PhoneHandOffService(database.db, { ttlSeconds: 60, redeemsPerMinute: 3 });
      const issuedAt = new Date(Date.now() - 61_000);
      const old = await handOff.issue(seeker, '/', issuedAt);
      await expect(handOff.redeem(auth, old.token, '10.8.0.1')).rejects.toMatchObject({ code: 'INVALID' });
      const first = await handOff.issue(seeker, 'https://evil.example/');
      const second = await handOff.issue(seeker, '//evil.example');
      await expect(handOff.redeem(auth, first.token, '10.8.0.2')).rejects.toMatchObject({ code: 'INVALID' });
      expect((await handOff.redeem(auth, second.token, '10.8.0.2')).next).toBe('/');
      for (let i = 0; i < 3; i++) await handOff.redeem(auth, 'x'.repeat(43), '10.8.0.9').catch(() => {});
      await expect(handOff.redeem(auth, 'x'.repeat(43), '10.8.0.9')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      await expect(handOff.issue(null, '/')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });
});
