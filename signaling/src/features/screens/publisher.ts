import type { Logger } from 'pino';
import type { FairDashboard } from '../../protocol/index.ts';
import type { Services } from '@fairground/core';
import type { AppServer } from '../../app/types.ts';
import { boothScreenRoom, displayKeyRoom, hallScreenRoom } from '../../app/rooms.ts';
import type { HallComparison, HallNumbers } from './protocol.ts';

export interface ScreenPublisherOptions {
  io: AppServer;
  services: Services;
  log: Logger;
}

/**
 * What hall and booth screens are sent. Their live numbers ride on the organizers' dashboard push
 * (one snapshot per fair, coalesced to one a second, on every node that has watchers: the
 * dashboard calls `numbers`); comparisons, booth modes and revoked keys follow core's events.
 */
export function createScreenPublisher(options: ScreenPublisherOptions) {
  const { io, services, log } = options;
  let closed = false;

  // A booth's median interview changes slowly: read at most every few seconds per booth.
  const medians = new Map<string, { at: number; value: Promise<number | null> }>();
  const medianOf = (boothId: string) => {
    const hit = medians.get(boothId);
    if (hit && Date.now() - hit.at < 5000) return hit.value;
    const value = services.queue.medianInterviewSeconds(boothId);
    value.catch(() => medians.delete(boothId));
    medians.set(boothId, { at: Date.now(), value });
    return value;
  };

  /** A dashboard snapshot as a hall screen shows it: counts only, nobody's name. */
  async function hallNumbers(snapshot: FairDashboard): Promise<HallNumbers> {
    return {
      fairId: snapshot.fairId,
      at: snapshot.at,
      online: snapshot.peopleNow,
      inHall: await services.venue.hallCount(snapshot.fairId),
      booths: await Promise.all(
        snapshot.booths.map(async (b) => ({
          boothId: b.boothId,
          waiting: b.waiting,
          onDuty: b.onDuty,
          waitSeconds: b.onDuty > 0 ? services.queue.estimateSeconds(b.waiting + 1, b.onDuty, await medianOf(b.boothId)) : null,
        })),
      ),
    };
  }

  async function comparison(fairId: string): Promise<HallComparison | null> {
    const now = new Date();
    const c = await services.venue.comparison(fairId, now);
    return c
      ? { shownAt: c.shownAt, salaryMin: c.salaryMin, salaryMax: c.salaryMax, remainingMs: Math.max(0, new Date(c.endsAt).getTime() - now.getTime()) }
      : null;
  }

  // The clearing push at a comparison's end (the screen also clears itself by `remainingMs`).
  const clearTimers = new Map<string, NodeJS.Timeout>();
  async function comparisonChanged(fairId: string): Promise<void> {
    const current = await comparison(fairId);
    if (closed) return;
    io.to(hallScreenRoom(fairId)).emit('screen:comparison', current);
    clearTimeout(clearTimers.get(fairId));
    clearTimers.delete(fairId);
    if (current) {
      const timer = setTimeout(() => {
        clearTimers.delete(fairId);
        void comparisonChanged(fairId).catch((err: unknown) => log.warn({ err, fairId }, 'comparison push failed'));
      }, current.remainingMs + 50);
      timer.unref();
      clearTimers.set(fairId, timer);
    }
  }

  const unsubscribe = [
    services.events.on('screen.comparison', ({ fairId }) => comparisonChanged(fairId)),
    services.events.on('booth.screen', ({ boothId, mode }) => void io.to(boothScreenRoom(boothId)).emit('screen:booth-mode', { boothId, mode })),
    // A revoked key's screens stop at once, on every node (through the adapter); they cannot reconnect as a screen.
    services.events.on('display.revoked', ({ keyId }) => {
      io.in(displayKeyRoom(keyId)).disconnectSockets(true);
      log.info({ keyId }, 'display key revoked: screens ended');
    }),
  ];

  return {
    hallNumbers,
    comparison,
    /** The dashboard's hook: this node's hall screens of the fair get the snapshot's numbers. */
    room: hallScreenRoom,
    async send(snapshot: FairDashboard): Promise<void> {
      const numbers = await hallNumbers(snapshot);
      if (!closed) io.local.to(hallScreenRoom(snapshot.fairId)).emit('screen:numbers', numbers);
    },
    close(): void {
      closed = true;
      for (const off of unsubscribe) off();
      for (const timer of clearTimers.values()) clearTimeout(timer);
      clearTimers.clear();
    },
  };
}

export type ScreenPublisher = ReturnType<typeof createScreenPublisher>;
