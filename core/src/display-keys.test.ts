import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { fixtures, type FixtureBooth } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { createServices, DISPLAY_KEY_FAILURES, ServiceError, type Services } from './index.ts';

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return (error as ServiceError).code;
}

/** Display keys and the venue's screens on real Postgres: who may issue, what a key opens, revocation, guessing. */
describe('display keys and screens', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let services: Services;
  let f: ReturnType<typeof fixtures>;
  let fair: Awaited<ReturnType<ReturnType<typeof fixtures>['liveFair']>>;
  const revoked: string[] = [];
  let xinghe: FixtureBooth;
  let shunda: FixtureBooth;

  beforeAll(async () => {
    fresh = await freshDatabase('display-keys');
    services = createServices(fresh.database.db);
    services.events.on('display.revoked', ({ keyId }) => void revoked.push(keyId));
    f = fixtures(fresh.database.db);
    fair = await f.liveFair({ employers: ['Xinghe', 'Shunda'] });
    xinghe = fair.booths.Xinghe!;
    shunda = fair.booths.Shunda!;
  });
  afterAll(() => fresh?.drop());

  it('lets the fair’s organizers and the booth’s team issue keys, nobody else, and stores only a hash', async () => {
    const seeker = await f.account('seeker');
    const other = await f.account('employer', 'Other');
    const fairOwner = { kind: 'fair' as const, fairId: fair.fair.id };
    const boothOwner = { kind: 'booth' as const, boothId: xinghe.id };
    expect(await refusal(services.displayKeys.issue(seeker, fairOwner, { name: 'Hall' }))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.displayKeys.issue(null, fairOwner, { name: 'Hall' }))).toBe('UNAUTHENTICATED');
    expect(await refusal(services.displayKeys.issue(shunda.owner, boothOwner, { name: 'Desk' }))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.displayKeys.issue(other, boothOwner, { name: 'Desk' }))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.displayKeys.issue(fair.organizer, fairOwner, { name: '' }))).toBe('INVALID');
    expect(await refusal(services.displayKeys.issue(fair.organizer, fairOwner, { name: 'Hall', locale: 'fr' }))).toBe('INVALID');
    const before = await fresh.database.db.select().from(schema.displayKeys);
    expect(before).toHaveLength(0);

    const hall = await services.displayKeys.issue(fair.organizer, fairOwner, { name: 'Hall A', locale: 'en' });
    const desk = await services.displayKeys.issue(xinghe.owner, boothOwner, { name: 'Desk screen' });
    expect(hall.key).toMatch(/^fgd_[A-Za-z0-9_-]{43}$/);
    const rows = await fresh.database.db.select().from(schema.displayKeys);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(hall.key.slice(4));
    expect(JSON.stringify(rows)).not.toContain(desk.key.slice(4));
    expect(await services.displayKeys.list(fair.organizer, fairOwner)).toEqual([expect.objectContaining({ name: 'Hall A', locale: 'en', scope: 'fair' })]);
    expect((await services.displayKeys.list(xinghe.owner, boothOwner)).map((k) => k.name)).toEqual(['Desk screen']);
    expect(JSON.stringify(await services.displayKeys.list(fair.organizer, fairOwner))).not.toContain('keyHash');
  });

  it('opens exactly its own screen, and nothing once revoked', async () => {
    const hall = await services.displayKeys.issue(fair.organizer, { kind: 'fair', fairId: fair.fair.id }, { name: 'Hall B' });
    const desk = await services.displayKeys.issue(xinghe.owner, { kind: 'booth', boothId: xinghe.id }, { name: 'Desk B' });
    const hallSession = await services.displayKeys.exchange(hall.key, '10.20.0.1');
    const deskSession = await services.displayKeys.exchange(desk.key, '10.20.0.1');
    const hallGrant = await services.displayKeys.session(hallSession.sessionToken);
    const deskGrant = await services.displayKeys.session(deskSession.sessionToken);
    expect(hallGrant).toMatchObject({ kind: 'fair', fairId: fair.fair.id, boothId: null, locale: 'zh-CN' });
    expect(deskGrant).toMatchObject({ kind: 'booth', fairId: fair.fair.id, boothId: xinghe.id });

    const screen = await services.venue.hallScreen(hallGrant, fair.fair.id);
    expect(screen.booths.map((b) => b.employerName).sort()).toEqual([shunda.employerName, xinghe.employerName].sort());
    expect(screen.booths[0]!.jobs[0]).toMatchObject({ salaryMin: 9000, salaryMax: 14000, headcount: 1 });
    expect(await refusal(services.venue.hallScreen(deskGrant, fair.fair.id))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.venue.hallScreen(null, fair.fair.id))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.venue.boothScreen(hallGrant, xinghe.id))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.venue.boothScreen(deskGrant, shunda.id))).toBe('NOT_AUTHORIZED');
    expect((await services.venue.boothScreen(deskGrant, xinghe.id)).mode).toBe('jobs');

    // Only the issuer's side may revoke; the organizer cannot revoke a booth's key.
    expect(await refusal(services.displayKeys.revoke(fair.organizer, desk.view.id))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.displayKeys.revoke(xinghe.owner, 'not-a-uuid'))).toBe('NOT_FOUND');
    await services.displayKeys.revoke(fair.organizer, hall.view.id);
    await services.displayKeys.revoke(fair.organizer, hall.view.id);
    expect(revoked.filter((id) => id === hall.view.id).length).toBeGreaterThanOrEqual(1);
    expect(await services.displayKeys.session(hallSession.sessionToken)).toBeNull();
    expect(await refusal(services.displayKeys.exchange(hall.key, '10.20.0.1'))).toBe('NOT_AUTHORIZED');
    // The other key's screen goes on.
    expect(await services.displayKeys.session(deskSession.sessionToken)).toMatchObject({ kind: 'booth' });
  });

  it('refuses an address that keeps presenting wrong keys, even a right one, for the window', async () => {
    const good = await services.displayKeys.issue(fair.organizer, { kind: 'fair', fairId: fair.fair.id }, { name: 'Hall C' });
    const address = '10.30.0.7';
    for (let i = 0; i < DISPLAY_KEY_FAILURES; i++) {
      expect(await refusal(services.displayKeys.exchange(`fgd_guess${i}`, address))).toBe('NOT_AUTHORIZED');
    }
    expect(await refusal(services.displayKeys.exchange(good.key, address))).toBe('RATE_LIMITED');
    // Another address is not affected.
    expect((await services.displayKeys.exchange(good.key, '10.30.0.8')).grant.kind).toBe('fair');
    const sessions = await fresh.database.db.select().from(schema.displaySessions).where(eq(schema.displaySessions.keyId, good.view.id));
    expect(sessions).toHaveLength(1);
  });

  it('puts one seeker’s numbers on the hall screen at a time, for one minute', async () => {
    const a = await f.account('seeker', 'Comparer A');
    const b = await f.account('seeker', 'Comparer B');
    // The code the hall screen shows (core/src/screen-codes.test.ts covers it on its own).
    const { code } = await services.venue.screenCode({ kind: 'fair', fairId: fair.fair.id, boothId: null }, fair.fair.id);
    expect(await refusal(services.venue.showComparison(a, fair.fair.id, code))).toBe('INVALID');
    await fresh.database.db.insert(schema.seekerProfiles).values([
      { userId: a.id, salaryMin: 8000, salaryMax: 11000 },
      { userId: b.id, salaryMin: 12000, salaryMax: 15000 },
    ]);
    expect(await refusal(services.venue.showComparison(fair.organizer, fair.fair.id, code))).toBe('NOT_AUTHORIZED');
    const t0 = new Date();
    const shown = await services.venue.showComparison(a, fair.fair.id, code, t0);
    expect(shown).toEqual({ shownAt: t0.toISOString(), salaryMin: 8000, salaryMax: 11000, endsAt: new Date(t0.getTime() + 60_000).toISOString() });
    expect(await refusal(services.venue.showComparison(b, fair.fair.id, code, new Date(t0.getTime() + 30_000)))).toBe('CONFLICT');
    expect(await services.venue.comparison(fair.fair.id, new Date(t0.getTime() + 59_000))).toMatchObject({ shownAt: t0.toISOString(), salaryMin: 8000 });
    expect(await services.venue.comparison(fair.fair.id, new Date(t0.getTime() + 60_000))).toBeNull();
    // After the minute, the next seeker's turn; at once, only one of two wins.
    const later = new Date(t0.getTime() + 61_000);
    const results = await Promise.allSettled([
      services.venue.showComparison(a, fair.fair.id, code, later),
      services.venue.showComparison(b, fair.fair.id, code, later),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = results.findIndex((r) => r.status === 'fulfilled') === 0 ? a : b;
    await services.venue.clearComparison(winner, fair.fair.id, new Date(later.getTime() + 1000));
    expect(await services.venue.comparison(fair.fair.id, new Date(later.getTime() + 2000))).toBeNull();
  });

  it('lets only the booth’s team choose what its screen shows', async () => {
    const events: string[] = [];
    const off = services.events.on('booth.screen', ({ mode }) => void events.push(mode));
    expect(await refusal(services.venue.setBoothScreen(shunda.owner, xinghe.id, 'camera'))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.venue.setBoothScreen(null, xinghe.id, 'camera'))).toBe('UNAUTHENTICATED');
    expect(await services.venue.setBoothScreen(xinghe.owner, xinghe.id, 'camera')).toBe('camera');
    expect(await services.venue.boothScreenMode(xinghe.id)).toBe('camera');
    expect(await services.venue.boothScreenMode(shunda.id)).toBe('jobs');
    expect(events).toEqual(['camera']);
    off();
  });

  it('hides the in-hall figure until the walk-ins’ on-site mark exists', async () => {
    expect(await services.venue.hallCount(fair.fair.id)).toBe(0);
  });
});
