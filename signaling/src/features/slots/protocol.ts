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

/**
 * An employer invited the seeker (邀约, core/src/candidate-invitations.ts): to the booth, a job, or
 * one of the booth's interview slots (`startsAt` then). Told to the seeker only, on any page.
 */
export interface InvitationNotice {
  invitationId: string;
  employerName: string;
  kind: 'booth' | 'job' | 'slot';
  /** ISO start of the offered slot (slot invitations only). */
  startsAt: string | null;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface SlotServerEvents {
  'notice:slot': (notice: SlotNotice) => void;
  'notice:invitation': (notice: InvitationNotice) => void;
}
