import { and, countDistinct, eq, inArray } from 'drizzle-orm';
import type { Db } from '../connect.ts';
import { booths, queueEntries } from '../schema/index.ts';

/**
 * Seekers in a fair's hall now: distinct seekers with a live on-site place (waiting, called, or at
 * a desk) in any line of the fair, i.e. walk-ins who scanned a booth's QR code or joined from the
 * kiosk. Read from the one shared table, so every node and every screen agrees.
 */
export async function onSiteSeekersInLines(db: Db, fairId: string): Promise<number> {
  const [row] = await db
    .select({ n: countDistinct(queueEntries.seekerId) })
    .from(queueEntries)
    .innerJoin(booths, eq(booths.id, queueEntries.boothId))
    .where(and(eq(booths.fairId, fairId), eq(queueEntries.onSite, true), inArray(queueEntries.status, ['waiting', 'called', 'interviewing'])));
  return Number(row?.n ?? 0);
}
