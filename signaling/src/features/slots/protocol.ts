/** The booked slots feature's part of the protocol: its pushes. Imported by the browser too (through ../../protocol/index.ts): no server code here. */

/** A booking was made or cancelled: told to both sides (the seeker and the recruiter), on any page. */
export interface SlotNotice {
  kind: 'booked' | 'cancelled';
  bookingId: string;
  boothId: string;
  employerName: string;
  /** ISO time of the slot's start (pages show it in the reader's own time zone). */
  startsAt: string;
  /** Which side this copy is for. */
  side: 'seeker' | 'recruiter';
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface SlotServerEvents {
  'notice:slot': (notice: SlotNotice) => void;
}
