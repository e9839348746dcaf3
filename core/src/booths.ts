import { boothHeader, getBooth, getFair, type BoothSummary, type Db } from '@fairground/db';
import { DomainEvents } from './events.ts';
import { recordEvent } from './funnel.ts';
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

/** A booth as the realtime side meets it: who may enter, and the funnel's first stage. */
export class BoothService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents = new DomainEvents(),
  ) {}

  /** The booth page's rule (visibleBooth): a draft fair's booths are NOT_FOUND here too. */
  async access(actor: Actor, boothId: string): Promise<{ booth: BoothSummary; isStaff: boolean }> {
    const { booth, isStaff } = await visibleBooth(this.db, actor, boothId);
    return { booth, isStaff };
  }

  /**
   * The actor entered the booth's room. A signed-in seeker's first visit is the funnel's first
   * stage, counted once whatever the retries, reconnects or nodes.
   */
  async visited(actor: Actor, boothId: string, how: { onSite?: boolean } = {}): Promise<void> {
    if (actor?.role !== 'seeker') return;
    // A visit from the hall (the booth's walk-in page) is on-site in the reports; the first visit decides.
    const data = how.onSite ? { onSite: true } : {};
    const recorded = await recordEvent(this.db, { id: `booth_visit:${boothId}:${actor.id}`, kind: 'booth_visit', boothId, actor: actor.id, data });
    if (recorded) this.events.emit('booth.visited', { boothId, userId: actor.id });
  }

  /** The employer's name and the fair's time zone, as a booth's line shows them. */
  header(boothId: string) {
    return boothHeader(this.db, boothId);
  }
}
