import { and, countDistinct, eq, inArray } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const { queueEntries, booths } = schema;

/**
 * The hall of a fair (on-site seekers), as its screens show it. `hallCount` is the number of
 * distinct seekers with a live on-site place (waiting, called, or at a desk) in any line of the
 * fair: a walk-in who scanned a booth's QR code or joined from the kiosk. Read from the one shared
 * table, so every node and every screen agrees. It changes exactly when an on-site entry of the
 * fair changes: the queue's `queue.changed` events carry the booth, and `fairOfBooth` maps it to
 * the fair (signaling/src/features/venue publishes it).
 */
export class VenueService {
  constructor(private readonly db: Db) {}

  async hallCount(fairId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: countDistinct(queueEntries.seekerId) })
      .from(queueEntries)
      .innerJoin(booths, eq(booths.id, queueEntries.boothId))
      .where(and(eq(booths.fairId, fairId), eq(queueEntries.onSite, true), inArray(queueEntries.status, ['waiting', 'called', 'interviewing'])));
    return Number(row?.n ?? 0);
  }

  async fairOfBooth(boothId: string): Promise<string | null> {
    const [row] = await this.db.select({ fairId: booths.fairId }).from(booths).where(eq(booths.id, boothId));
    return row?.fairId ?? null;
  }
}
