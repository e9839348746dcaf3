import { employersOfUser, getBooth, type BoothSummary, type Db } from '@fairground/db';
import { DomainError } from './errors.ts';

export interface Viewer {
  id: string;
  role: string;
}

export interface BoothAccess {
  booth: BoothSummary;
  /** The viewer works for the booth's employer: may publish media, is not counted as a visitor. */
  isStaff: boolean;
}

/** Who may do what at a booth. Knows the database, not the transport. */
export class BoothDirectory {
  constructor(private readonly db: Db) {}

  async access(boothId: string, viewer: Viewer | null): Promise<BoothAccess> {
    const booth = await getBooth(this.db, boothId);
    if (!booth) throw new DomainError('NOT_FOUND', 'There is no such booth');
    const isStaff = viewer ? (await employersOfUser(this.db, viewer.id)).includes(booth.employer.id) : false;
    return { booth, isStaff };
  }
}

export const boothRoomId = (boothId: string) => `booth:${boothId}`;
export const boothIdOfRoom = (roomId: string) => roomId.slice('booth:'.length);
