/**
 * Changes to what a user may do that open sockets must learn of at once: a sign-out, "sign out
 * everywhere", a password reset, removal from an employer team, a role change, a deleted account.
 * Services and pages announce them here; the signaling layer subscribes and drops the affected
 * sockets (across nodes through the Socket.IO adapter), so a stale right never outlives the change.
 * Kept free of sockets on purpose: core only says what changed.
 */
export type AccessChangeReason = 'sign-out' | 'sign-out-everywhere' | 'password-reset' | 'team-removed' | 'role-changed' | 'account-deleted';

export interface AccessChange {
  userId: string;
  reason: AccessChangeReason;
  /** Set when only one session ended (a plain sign-out); absent means every session of the user. */
  sessionToken?: string;
  /** Set for team changes: the employer whose staff rooms the user must leave. */
  employerId?: string;
}

export type AccessListener = (change: AccessChange) => void;

export class AccessEvents {
  readonly #listeners = new Set<AccessListener>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: AccessListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every subscriber; a failing subscriber does not stop the others. */
  changed(change: AccessChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A subscriber's own failure is its to log; the change still reaches the rest.
      }
    }
  }
}
