import type { Broadcast } from './broadcasts.ts';

/**
 * Milliseconds from the broadcast's scheduled start to `at`, never below 0: the one clock of its
 * captions, chapters and (through the recording's own start) its replay. A host live before the
 * start (testing the camera) marks at 0.
 */
export function msFromStart(broadcast: Pick<Broadcast, 'startsAt'>, at: Date): number {
  return Math.max(0, at.getTime() - broadcast.startsAt.getTime());
}

/** The broadcast's scheduled length in ms: the latest time a cue or chapter may sit at. */
export function scheduledLengthMs(broadcast: Pick<Broadcast, 'startsAt' | 'endsAt'>): number {
  return broadcast.endsAt.getTime() - broadcast.startsAt.getTime();
}
