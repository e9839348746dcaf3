/** Why a service refused; callers map the code to their own (an HTTP status, a protocol code). */
export type ServiceErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_AUTHORIZED'
  | 'NOT_FOUND'
  | 'INVALID'
  | 'CONFLICT'
  /** The booth's line is not open (fair not live, or nobody on duty). */
  | 'QUEUE_CLOSED'
  /** The seeker already waits in as many lines as allowed. */
  | 'QUEUE_FULL';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    /** Per-field problems for INVALID, as message codes (`required`, `too_long`, ...). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
