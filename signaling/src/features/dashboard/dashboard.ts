import type { Logger } from 'pino';
import type { Actor, Services } from '@fairground/core';
import { boothRoomId, broadcastRoomId, dashboardRoom, dutyRoom, fairPresenceRoom } from '../../app/rooms.ts';
import type { PresenceStore } from '@fairground/core';
import type { FairDashboard } from '../../protocol/index.ts';
import type { AppServer } from '../../app/types.ts';

export interface DashboardOptions {
  io: AppServer;
  services: Services;
  presence: PresenceStore;
  log: Logger;
  /** At most one push per fair per this many ms (bursts of joins become one update). */
  intervalMs?: number;
  /** Several nodes share an adapter: tell the others about changes (server-side events). */
  crossNode?: boolean;
  /** Also watching a fair's numbers: its hall screens (features/screens/publisher.ts), sent each snapshot. */
  screens?: { room(fairId: string): string; send(snapshot: FairDashboard): Promise<void> };
}

/**
 * The organizer's live numbers for a fair: people at its booths now, per booth the line,
 * recruiters on duty, interviews in progress and the median wait, and per broadcast of the fair
 * its live viewers. Lines and interviews come from
 * Postgres, people from presence, so every node computes the same numbers. A change at a booth is
 * told to every node; each node pushes to its own watchers only, coalesced per fair, so a watcher
 * gets at most one update a second however many nodes see changes, and a node with no watchers
 * reads nothing.
 */
export function createDashboard(options: DashboardOptions) {
  const { io, services, presence, log } = options;
  // Sockets leaving while the platform shuts down must not publish to a closing Redis.
  let closed = false;
  // A booth's or broadcast's fair never changes: looked up once (failed lookups are retried).
  const cached = (lookup: (id: string) => Promise<string | null>) => {
    const hits = new Map<string, Promise<string | null>>();
    return (id: string) => {
      let hit = hits.get(id);
      if (!hit) {
        hit = lookup(id);
        hits.set(id, hit);
        hit.catch(() => hits.delete(id));
      }
      return hit;
    };
  };
  const fairIdOf = cached((boothId) => services.reports.fairOfBooth(boothId));
  const fairOfBroadcast = cached((broadcastId) => services.reports.fairOfBroadcast(broadcastId));

  async function snapshot(fairId: string): Promise<FairDashboard> {
    const [live, peopleNow, fairBroadcasts] = await Promise.all([
      services.reports.live(fairId),
      presence.count(fairPresenceRoom(fairId)),
      services.reports.broadcastsOf(fairId),
    ]);
    const booths = await Promise.all(
      live.booths.map(async (b) => ({
        ...b,
        visitorsNow: await presence.count(boothRoomId(b.boothId)),
        onDuty: await presence.count(dutyRoom(b.boothId)),
      })),
    );
    return {
      fairId,
      at: new Date().toISOString(),
      peopleNow,
      waiting: booths.reduce((n, b) => n + b.waiting, 0),
      interviewsNow: booths.reduce((n, b) => n + b.interviewsNow, 0),
      medianWaitSeconds: live.medianWaitSeconds,
      booths,
      broadcasts: await Promise.all(
        fairBroadcasts.map(async (b) => ({
          broadcastId: b.broadcastId,
          title: b.title,
          startsAt: b.startsAt.toISOString(),
          endsAt: b.endsAt.toISOString(),
          live: await presence.count(broadcastRoomId(b.broadcastId)),
        })),
      ),
    };
  }

  const hasLocal = (room: string) => (io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  const interval = options.intervalMs ?? 1000;

  // Per fair: one push at a time, each at least `interval` after the previous one was sent (a
  // quiet fair's first change goes out almost at once; a burst becomes one push a second).
  const pushes = new Map<string, { timer?: NodeJS.Timeout; running: boolean; again: boolean; lastSent: number }>();
  function schedule(fairId: string): void {
    if (closed) return;
    let state = pushes.get(fairId);
    if (!state) pushes.set(fairId, (state = { running: false, again: false, lastSent: 0 }));
    if (state.running) {
      state.again = true;
      return;
    }
    if (state.timer) return;
    const delay = Math.max(50, state.lastSent + interval - Date.now());
    state.timer = setTimeout(() => void push(fairId, state), delay);
    state.timer.unref();
  }
  async function push(fairId: string, state: { timer?: NodeJS.Timeout; running: boolean; again: boolean; lastSent: number }) {
    state.timer = undefined;
    state.running = true;
    try {
      const organizers = hasLocal(dashboardRoom(fairId));
      const screens = options.screens && hasLocal(options.screens.room(fairId)) ? options.screens : null;
      if (!closed && (organizers || screens)) {
        const numbers = await snapshot(fairId);
        if (!closed) {
          if (organizers) io.local.to(dashboardRoom(fairId)).emit('dashboard:update', numbers);
          await screens?.send(numbers);
          state.lastSent = Date.now();
        }
      }
    } catch (err) {
      log.warn({ err, fairId }, 'dashboard push failed');
    } finally {
      state.running = false;
      if (state.again) {
        state.again = false;
        schedule(fairId);
      }
    }
  }
  const pusher = {
    schedule,
    close() {
      for (const state of pushes.values()) clearTimeout(state.timer);
      pushes.clear();
    },
  };
  if (options.crossNode) io.on('dashboard:changed', (fairId) => !closed && pusher.schedule(fairId));

  function changed(fairOf: Promise<string | null>, what: Record<string, string>): void {
    if (closed) return;
    fairOf
      .then((fairId) => {
        if (!fairId || closed) return;
        pusher.schedule(fairId);
        if (options.crossNode) io.serverSideEmit('dashboard:changed', fairId);
      })
      .catch((err: unknown) => log.warn({ err, ...what }, 'dashboard lookup failed'));
  }

  // Interviews starting and ending change a booth's numbers (whichever way they end).
  const unsubscribe = [
    services.events.on('interview.started', ({ interview }) => changed(fairIdOf(interview.boothId), { boothId: interview.boothId })),
    services.events.on('interview.ended', ({ interview }) => changed(fairIdOf(interview.boothId), { boothId: interview.boothId })),
    // A kiosk check-in changes the hall screens' count of seekers in the hall (they ride on the snapshot).
    services.events.on('hall.changed', ({ fairId }) => changed(Promise.resolve(fairId), { fairId })),
  ];

  return {
    snapshot,
    /** The organizer may watch this fair (it exists). */
    async authorize(actor: Actor, fairId: string) {
      services.reports.requireOrganizer(actor);
      await services.fairs.get(actor, fairId);
    },
    /** Something changed at a booth (its line, its visitors, an interview). */
    boothChanged(boothId: string): void {
      changed(fairIdOf(boothId), { boothId });
    },
    /**
     * A broadcast's live count changed. Called from ViewerCounter's publish, which already runs at
     * most once a second per room across nodes (one node publishes), so the others are told here.
     */
    broadcastChanged(broadcastId: string): void {
      changed(fairOfBroadcast(broadcastId), { broadcastId });
    },
    fairIdOf,
    close(): void {
      closed = true;
      for (const off of unsubscribe) off();
      pusher.close();
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
