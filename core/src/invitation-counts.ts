import { inArray, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const { candidateInvitations } = schema;

/** Invitations (邀约) of some booths, for the reports: sent, and accepted by the seeker. */
export interface InvitationFigures {
  sent: number;
  accepted: number;
}

/** Per booth and in total; every kind (booth, job, slot) counts. */
export async function invitationFigures(db: Db, boothIds: string[]): Promise<{ total: InvitationFigures; byBooth: Map<string, InvitationFigures> }> {
  const byBooth = new Map<string, InvitationFigures>(boothIds.map((id) => [id, { sent: 0, accepted: 0 }]));
  const total: InvitationFigures = { sent: 0, accepted: 0 };
  if (boothIds.length === 0) return { total, byBooth };
  const rows = await db
    .select({
      boothId: candidateInvitations.boothId,
      sent: sql<number>`count(*)::int`,
      accepted: sql<number>`count(*) filter (where ${candidateInvitations.status} = 'accepted')::int`,
    })
    .from(candidateInvitations)
    .where(inArray(candidateInvitations.boothId, boothIds))
    .groupBy(candidateInvitations.boothId);
  for (const r of rows) {
    byBooth.set(r.boothId, { sent: r.sent, accepted: r.accepted });
    total.sent += r.sent;
    total.accepted += r.accepted;
  }
  return { total, byBooth };
}
