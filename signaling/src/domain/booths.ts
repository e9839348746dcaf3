import type { BoothSummary, Db } from '@fairground/db';
import { visibleBooth } from '@fairground/core';

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

  /** The booth page's rule (core's visibleBooth): a draft fair's booths are NOT_FOUND here too. */
  async access(boothId: string, viewer: Viewer | null): Promise<BoothAccess> {
    const { booth, isStaff } = await visibleBooth(this.db, viewer, boothId);
    return { booth, isStaff };
  }
}

export const boothRoomId = (boothId: string) => `booth:${boothId}`;
export const boothIdOfRoom = (roomId: string) => roomId.slice('booth:'.length);
