import type { Logger } from 'pino';
import type { Services } from '@fairground/core';
import { coalescer } from '../../live/coalesce.ts';
import type { AppServer } from '../../app/types.ts';
import { hallRoom } from '../../app/rooms.ts';

/**
 * Pushes a fair's hall count (on-site seekers in its lines) to the fair's hall room whenever a
 * line of the fair changes, as the booth lines are pushed: from the services' `queue.changed`,
 * coalesced per fair, read from Postgres (so every node pushes the same number), and only when
 * it moved. Whoever shows the hall (the hall screen) joins `hallRoom(fairId)` and reads
 * `services.venue.hallCount(fairId)` once on joining.
 */
export function createHallPublisher(options: { io: AppServer; services: Services; log: Logger }) {
  const { io, services, log } = options;
  const fairOf = new Map<string, Promise<string | null>>();
  const last = new Map<string, number>();

  const publish = coalescer(
    async (fairId) => {
      const inHall = await services.venue.hallCount(fairId);
      if (last.get(fairId) === inHall) return;
      last.set(fairId, inHall);
      io.to(hallRoom(fairId)).emit('venue:hall', { fairId, inHall });
    },
    250,
    (err) => log.warn({ err }, 'hall count publish failed'),
  );

  const off = services.events.on('queue.changed', ({ boothId }) => {
    // A booth never changes fairs: its fair is read once.
    let fair = fairOf.get(boothId);
    if (!fair) {
      fair = services.venue.fairOfBooth(boothId);
      fairOf.set(boothId, fair);
      fair.catch(() => fairOf.delete(boothId));
    }
    void fair.then((fairId) => fairId && publish.schedule(fairId)).catch(() => {});
  });

  return {
    close(): void {
      off();
      publish.close();
    },
  };
}
