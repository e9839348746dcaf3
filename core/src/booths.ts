import { getBooth, getFair, type BoothSummary, type Db } from '@fairground/db';
import { membership, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';

export interface VisibleBooth {
  booth: BoothSummary;
  fair: NonNullable<Awaited<ReturnType<typeof getFair>>>;
  /** The actor works for the booth's employer (owner or recruiter). */
  isStaff: boolean;
}

/**
 * The one rule for who may see a booth, used by the booth page and the booth socket join alike:
 * an approved booth of a fair that is not a draft. Anything else is NOT_FOUND, with nothing of the
 * booth in the refusal, so a draft fair's booths cannot be found through either door.
 */
export async function visibleBooth(db: Db, actor: Pick<NonNullable<Actor>, 'id'> | null, boothId: string): Promise<VisibleBooth> {
  const booth = await getBooth(db, boothId);
  const fair = booth ? await getFair(db, booth.fairId) : null;
  if (!booth || !fair || fair.status === 'draft') throw new ServiceError('NOT_FOUND', 'There is no such booth');
  const isStaff = actor ? Boolean(await membership(db, actor.id, booth.employer.id)) : false;
  return { booth, fair, isStaff };
}
