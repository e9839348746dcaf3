import type { schema } from '@fairground/db';

type InterviewRow = typeof schema.interviews.$inferSelect;
type QueueEntryRow = typeof schema.queueEntries.$inferSelect;
type BroadcastRow = typeof schema.broadcasts.$inferSelect;

/**
 * What happened, said by the service that made it happen, after its transaction committed.
 * Sockets (pushes to the people concerned), reports and, later, webhooks subscribe here instead of
 * each writing their own after-effects. Emitted on the node that made the change only: a
 * subscriber that must reach every node goes through the Socket.IO adapter.
 */
/** A booking as both of its sides are told of it (in-app notices). */
export interface SlotNotice {
  bookingId: string;
  seekerId: string;
  recruiterId: string;
  boothId: string;
  startsAt: Date;
  employerName: string;
}

export interface DomainEventMap {
  /** A line changed (join, leave, call, accept, reconnect, grace period, no-show, end). */
  'queue.changed': { boothId: string };
  'queue.joined': { boothId: string; entry: QueueEntryRow };
  /** Entries the clock ended: called seekers who did not answer, disconnected ones past the grace. */
  'queue.ended': { entry: QueueEntryRow; reason: 'no_show' | 'expired' };
  'booth.visited': { boothId: string; userId: string };
  'interview.started': { interview: InterviewRow };
  /** Ended by a participant or by the clock; emitted once, by the node whose update ended it. */
  'interview.ended': { interview: InterviewRow; by: 'participant' | 'clock' | 'handoff' };
  'outcome.recorded': { interview: InterviewRow };
  /** The clock found a broadcast past its start and announced it (once across nodes). */
  'broadcast.started': { broadcast: BroadcastRow };
  /** A seeker booked (or rescheduled into) an interview slot: both sides get an in-app notice. */
  'slot.booked': SlotNotice;
  /** A booking was cancelled (by the seeker, a reschedule, or the slot withdrawn). */
  'slot.cancelled': SlotNotice;
  /** An employer invited a seeker (邀约): the seeker gets an in-app notice on any page. */
  'candidate.invited': { invitationId: string; seekerId: string; employerName: string; kind: 'booth' | 'job' | 'slot'; startsAt: Date | null };
  /** A display key was revoked: the screens opened with it must stop (core/src/display-keys.ts). */
  'display.revoked': { keyId: string };
  /** A booth's recruiter chose what the booth's screen shows. */
  'booth.screen': { boothId: string; mode: 'camera' | 'screen' | 'jobs' | 'line' };
  /** A booth's presentation began or ended being recorded (its stage's mark; the recorders tap or stop). */
  'booth.presentation': { boothId: string; presentation: { broadcastId: string; title: string; startedAt: Date } | null };
  /** A broadcast's recording awaits composition (after its end, or an organizer's retry): the job is sent. */
  'recording.queued': { broadcastId: string; endsAt: Date };
  /** A hall screen's salary comparison began or ended. */
  'screen.comparison': { fairId: string };
  /** Someone came into a fair's hall other than through a line (a kiosk check-in): its count changed. */
  'hall.changed': { fairId: string };
}

export type DomainEventName = keyof DomainEventMap;
export type DomainListener<E extends DomainEventName> = (payload: DomainEventMap[E]) => void;

export class DomainEvents {
  readonly #listeners = new Map<DomainEventName, Set<DomainListener<never>>>();
  #onError: (error: unknown, event: DomainEventName) => void = () => {};

  /** Subscribes; returns the unsubscribe function. */
  on<E extends DomainEventName>(event: E, listener: DomainListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as DomainListener<never>);
    return () => set.delete(listener as DomainListener<never>);
  }

  /** Where a subscriber's failure is reported (it never reaches the service that emitted). */
  onError(handler: (error: unknown, event: DomainEventName) => void): void {
    this.#onError = handler;
  }

  /** Tells every subscriber, synchronously; a failing subscriber does not stop the others. */
  emit<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        const result = (listener as DomainListener<E>)(payload) as unknown;
        if (result instanceof Promise) result.catch((error: unknown) => this.#onError(error, event));
      } catch (error) {
        this.#onError(error, event);
      }
    }
  }
}
