import type { ErrorCode } from '../protocol/index.ts';

/** A refusal that reaches the client as its code and message; anything else becomes INTERNAL. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
