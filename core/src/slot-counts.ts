import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const { interviewSlots, slotBookings } = schema;

export interface SlotCounts {
  published: number;
  booked: number;
  kept: number;
  noShow: number;
}

/**
 * The reports' booked-slot numbers per booth: slots published (not withdrawn), live bookings,
 * kept (the seeker accepted the call at its time) and no-shows (called and did not answer, or
 * left). Read from the durable rows, so a report is the same during and long after a fair.
 */
export async function slotCounts(db: Db, boothIds: string[]): Promise<Map<string, SlotCounts>> {
  const out = new Map<string, SlotCounts>(boothIds.map((id) => [id, { published: 0, booked: 0, kept: 0, noShow: 0 }]));
  if (boothIds.length === 0) return out;
  const [published, booked] = await Promise.all([
    db
      .select({ boothId: interviewSlots.boothId, n: sql<number>`count(*)::int` })
      .from(interviewSlots)
      .where(and(inArray(interviewSlots.boothId, boothIds), isNull(interviewSlots.withdrawnAt)))
      .groupBy(interviewSlots.boothId),
    db
      .select({
        boothId: slotBookings.boothId,
        n: sql<number>`count(*)::int`,
        kept: sql<number>`count(*) filter (where ${slotBookings.outcome} = 'kept')::int`,
        noShow: sql<number>`count(*) filter (where ${slotBookings.outcome} = 'no_show')::int`,
      })
      .from(slotBookings)
      .where(and(inArray(slotBookings.boothId, boothIds), eq(slotBookings.status, 'booked')))
      .groupBy(slotBookings.boothId),
  ]);
  for (const r of published) out.get(r.boothId)!.published = r.n;
  for (const r of booked) Object.assign(out.get(r.boothId)!, { booked: r.n, kept: r.kept, noShow: r.noShow });
  return out;
}
