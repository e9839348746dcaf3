import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@fairground/db';
import { fixtures } from '../../test/fixtures.ts';
import { freshDatabase } from '../../test/helpers.ts';
import { createServices, KIOSK_CHECK_IN_HOURS, ServiceError, type Services } from './index.ts';

/** The hall count on real Postgres: on-site seekers in lines plus kiosk check-ins, each seeker once, check-ins running out. */
describe('seekers in the hall', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let services: Services;
  let f: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    fresh = await freshDatabase('hall-count');
    services = createServices(fresh.database.db);
    f = fixtures(fresh.database.db);
  });
  afterAll(() => fresh?.drop());

  it('counts distinct seekers in on-site lines or checked in at the kiosk, until the check-in runs out', async () => {
    const fair = await f.liveFair({ employers: ['Hall A', 'Hall B'] });
    const other = await f.liveFair({ employers: ['Elsewhere'] });
    const [a, b] = [fair.booths['Hall A'], fair.booths['Hall B']!];
    const fairId = fair.fair.id;
    const changed: string[] = [];
    const off = services.events.on('hall.changed', ({ fairId: id }) => void changed.push(id));
    const lineOnly = await f.account('seeker', 'Line only');
    const kioskOnly = await f.account('seeker', 'Kiosk only');
    const both = await f.account('seeker', 'Both');
    const online = await f.account('seeker', 'Online');
    const t0 = new Date();
    expect(await services.venue.hallCount(fairId, t0)).toBe(0);

    // In two lines of the fair at once: one seeker.
    await services.queue.join(lineOnly, a.id, true, { onSite: true });
    await services.queue.join(lineOnly, b.id, true, { onSite: true });
    await services.queue.join(online, a.id, true);
    expect(await services.venue.hallCount(fairId, t0)).toBe(1);

    const checkedIn = await services.venue.checkInAtKiosk(kioskOnly, fairId, t0);
    expect(checkedIn!.expiresAt.getTime()).toBe(t0.getTime() + KIOSK_CHECK_IN_HOURS * 3600_000);
    expect(changed).toEqual([fairId]);
    expect(await services.venue.hallCount(fairId, t0)).toBe(2);

    // Checked in and in a line: still one.
    await services.venue.checkInAtKiosk(both, fairId, t0);
    await services.queue.join(both, a.id, true, { onSite: true });
    expect(await services.venue.hallCount(fairId, t0)).toBe(3);
    // Checking in again does not add a row, nor does a check-in elsewhere count here.
    await services.venue.checkInAtKiosk(both, fairId, t0);
    await services.venue.checkInAtKiosk(lineOnly, other.fair.id, t0);
    expect(await fresh.database.db.select().from(schema.kioskCheckIns)).toHaveLength(3);
    expect(await services.venue.hallCount(fairId, t0)).toBe(3);
    expect(await services.venue.hallCount(other.fair.id, t0)).toBe(1);

    // A second before the check-ins run out, and at their end: the kiosk-only seeker goes; the one in a line stays.
    const end = new Date(t0.getTime() + KIOSK_CHECK_IN_HOURS * 3600_000);
    expect(await services.venue.hallCount(fairId, new Date(end.getTime() - 1000))).toBe(3);
    expect(await services.venue.hallCount(fairId, end)).toBe(2);
    // Leaving the line, the seeker who was also checked in is still in the hall until the check-in ends.
    await services.queue.leave(both, a.id);
    expect(await services.venue.hallCount(fairId, t0)).toBe(3);
    expect(await services.venue.hallCount(fairId, end)).toBe(1);

    // A later visit moves the end on (the kiosk-only seeker is back at `end`), never back.
    const later = new Date(t0.getTime() + 3600_000);
    await services.venue.checkInAtKiosk(kioskOnly, fairId, later);
    expect(await services.venue.hallCount(fairId, end)).toBe(2);
    await services.venue.checkInAtKiosk(kioskOnly, fairId, t0);
    expect(await services.venue.hallCount(fairId, end)).toBe(2);
    off();
  });

  it('checks in only seekers, and only while the fair is live', async () => {
    const fair = await f.liveFair({ employers: ['Checks'] });
    const seeker = await f.account('seeker', 'Checker');
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e: unknown) => (e instanceof ServiceError ? e.code : 'other'),
      );
    expect(await refusal(services.venue.checkInAtKiosk(fair.organizer, fair.fair.id))).toBe('NOT_AUTHORIZED');
    expect(await refusal(services.venue.checkInAtKiosk(null, fair.fair.id))).toBe('UNAUTHENTICATED');
    expect(await refusal(services.venue.checkInAtKiosk(seeker, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    await fresh.database.db.update(schema.fairs).set({ status: 'ended' }).where(eq(schema.fairs.id, fair.fair.id));
    expect(await services.venue.checkInAtKiosk(seeker, fair.fair.id)).toBeNull();
    expect(await services.venue.hallCount(fair.fair.id)).toBe(0);
  });
});
