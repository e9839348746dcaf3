import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import {
  createServices,
  ServiceError,
  SCREEN_CODE_ALPHABET,
  SCREEN_CODE_GRACE_SECONDS,
  SCREEN_CODE_SECONDS,
  type ScreenScope,
  type Services,
} from './index.ts';
import { VenueService } from './venue.ts';
import { DomainEvents } from './events.ts';

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return (error as ServiceError).code;
}

/** A code that is surely not `code` (same length, from the alphabet). */
const wrongFor = (code: string, i = 0) =>
  code
    .split('')
    .map((c, j) => (j === i % code.length ? SCREEN_CODE_ALPHABET[(SCREEN_CODE_ALPHABET.indexOf(c) + 1) % SCREEN_CODE_ALPHABET.length] : c))
    .join('');

/** The hall screen's short code on real Postgres: what it opens, rotation and grace, wrong codes and the guessing limits. */
describe('screen codes for comparisons', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let services: Services;
  let f: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    fresh = await freshDatabase('screen-codes');
    services = createServices(fresh.database.db);
    f = fixtures(fresh.database.db);
  });
  afterAll(() => fresh?.drop());

  async function setUp() {
    const fair = await f.liveFair({ employers: ['Codes'] });
    const grant: ScreenScope = { kind: 'fair', fairId: fair.fair.id, boothId: null };
    const seekers = await Promise.all([1, 2, 3].map((i) => f.account('seeker', `Code seeker ${i}`)));
    await fresh.database.db.insert(schema.seekerProfiles).values(seekers.map((s) => ({ userId: s.id, salaryMin: 8000, salaryMax: 11000 })));
    return { fairId: fair.fair.id, grant, seekers, booth: fair.booths.Codes! };
  }

  it('shows one code to every screen of the fair, only with the fair’s display grant, rotating after its time', async () => {
    const { fairId, grant, booth } = await setUp();
    const t0 = new Date();
    const first = await services.venue.screenCode(grant, fairId, t0);
    expect(first.code).toMatch(new RegExp(`^[${SCREEN_CODE_ALPHABET}]{5}$`));
    expect(first.expiresAt.getTime()).toBe(t0.getTime() + SCREEN_CODE_SECONDS * 1000);
    // Screens asking at once all get the same code.
    const together = await Promise.all([1, 2, 3].map(() => services.venue.screenCode(grant, fairId, new Date(t0.getTime() + 1000))));
    expect(new Set(together.map((c) => c.code))).toEqual(new Set([first.code]));
    expect(await refusal(services.venue.screenCode(null, fairId, t0))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.venue.screenCode({ kind: 'booth', fairId, boothId: booth.id }, fairId, t0))).toBe('NOT_AUTHORIZED');
    const next = await services.venue.screenCode(grant, fairId, first.expiresAt);
    expect(next.expiresAt.getTime()).toBe(first.expiresAt.getTime() + SCREEN_CODE_SECONDS * 1000);
  });

  it('puts the comparison up with the code on the screen (typed loosely), refuses a wrong one, and the old code only within the grace', async () => {
    const { fairId, grant, seekers } = await setUp();
    const [a, b, c] = seekers as [(typeof seekers)[0], (typeof seekers)[0], (typeof seekers)[0]];
    const t0 = new Date();
    const { code, expiresAt } = await services.venue.screenCode(grant, fairId, t0);
    expect(await refusal(services.venue.showComparison(a, fairId, wrongFor(code), t0))).toBe('INVALID');
    expect(await refusal(services.venue.showComparison(a, fairId, '', t0))).toBe('INVALID');
    expect(await refusal(services.venue.showComparison(a, fairId, code.slice(0, 4), t0))).toBe('INVALID');
    expect(await services.venue.comparison(fairId, t0)).toBeNull();
    const loose = `${code.slice(0, 2).toLowerCase()} ${code.slice(2)}`;
    expect(await services.venue.showComparison(a, fairId, loose, t0)).toMatchObject({ salaryMin: 8000, salaryMax: 11000 });
    await services.venue.clearComparison(a, fairId, t0);

    // The code rotates: the old one still works within the grace, not after; the new one does.
    const rotated = await services.venue.screenCode(grant, fairId, expiresAt);
    expect(rotated.code).not.toBe(code);
    const inGrace = new Date(expiresAt.getTime() + SCREEN_CODE_GRACE_SECONDS * 1000 - 1000);
    expect(await services.venue.showComparison(b, fairId, code, inGrace)).toMatchObject({ salaryMin: 8000 });
    await services.venue.clearComparison(b, fairId, inGrace);
    const afterGrace = new Date(expiresAt.getTime() + SCREEN_CODE_GRACE_SECONDS * 1000);
    expect(await refusal(services.venue.showComparison(c, fairId, code, afterGrace))).toBe('INVALID');
    expect(await services.venue.showComparison(c, fairId, rotated.code, afterGrace)).toMatchObject({ salaryMin: 8000 });
    // A code past its time with no screen asking for the next one opens nothing.
    await services.venue.clearComparison(c, fairId, afterGrace);
    const stale = new Date(rotated.expiresAt.getTime() + SCREEN_CODE_GRACE_SECONDS * 1000 + 1000);
    expect(await refusal(services.venue.showComparison(a, fairId, rotated.code, stale))).toBe('INVALID');
  });

  it('limits one seeker’s attempts, right code or not, and every seeker’s wrong codes at a fair', async () => {
    const limits = { perSeeker: 3, wrongPerFair: 5, windowSeconds: 600 };
    const venue = new VenueService(fresh.database.db, new DomainEvents(), limits);
    const { fairId, grant, seekers } = await setUp();
    const [a, b, c] = seekers as [(typeof seekers)[0], (typeof seekers)[0], (typeof seekers)[0]];
    const now = new Date();
    const { code } = await venue.screenCode(grant, fairId, now);
    for (let i = 0; i < limits.perSeeker; i++) expect(await refusal(venue.showComparison(a, fairId, wrongFor(code, i), now))).toBe('INVALID');
    // Seeker A is out of attempts: the right code is refused too, for the window.
    expect(await refusal(venue.showComparison(a, fairId, code, now))).toBe('RATE_LIMITED');
    expect(await refusal(venue.showComparison(a, fairId, code, new Date(now.getTime() + 599_000)))).toBe('RATE_LIMITED');
    // Two more wrong codes from B fill the fair's window (3 + 2 = 5); the next wrong one, from anyone, is refused
    // as such, and then a right code from C as well, until the window has passed.
    expect(await refusal(venue.showComparison(b, fairId, wrongFor(code, 1), now))).toBe('INVALID');
    expect(await refusal(venue.showComparison(b, fairId, wrongFor(code, 2), now))).toBe('INVALID');
    expect(await refusal(venue.showComparison(c, fairId, wrongFor(code, 3), now))).toBe('RATE_LIMITED');
    expect(await refusal(venue.showComparison(c, fairId, code, now))).toBe('RATE_LIMITED');
    expect(await venue.comparison(fairId, now)).toBeNull();
    const later = new Date(now.getTime() + 601_000);
    const { code: fresh2 } = await venue.screenCode(grant, fairId, later);
    expect(await venue.showComparison(a, fairId, fresh2, later)).toMatchObject({ salaryMin: 8000 });
  });
});
