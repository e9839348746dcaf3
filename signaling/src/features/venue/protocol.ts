/** The venue feature's part of the protocol (the hall of a fair). Imported by the browser too: no server code here. */

/** On-site seekers in a fair's hall right now (core's VenueService.hallCount). */
export interface HallCount {
  fairId: string;
  inHall: number;
}

/** Pushes of this feature (part of ServerToClientEvents). */
export interface VenueServerEvents {
  /** To the fair's hall room (its screens): the hall count changed. */
  'venue:hall': (count: HallCount) => void;
}
