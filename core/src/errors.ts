/** Why a service refused; callers map the code to their own (an HTTP status, a protocol code). */
export type ServiceErrorCode = 'UNAUTHENTICATED' | 'NOT_AUTHORIZED' | 'NOT_FOUND' | 'INVALID' | 'CONFLICT';

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
