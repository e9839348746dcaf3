import { ServiceError, type QueueEntry } from '@fairground/core';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { dutyRoom, ONLINE, userRoom } from '../../app/rooms.ts';
import type { QueuePlace } from '../../protocol/index.ts';
import { joinStaffRoom } from './staff-room.ts';

/**
 * The booth line over the socket: seekers join, leave and accept; recruiters staff and call. Lines
 * are pushed on the services' `queue.changed` (publisher.ts), not after each request here.
 */
export function registerQueueHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, user, log } = conn;
  const { services, presence, queue: publisher } = deps;
  const dutyOf = new Set<string>();

  // A signed-in user's waiting places resume while any of their connections is open.
  if (user) {
    // Rooms through which a change of rights ends this socket on any node (app/access.ts).
    void socket.join(userRoom(user.id));
    if (socket.data.sessionRoom) void socket.join(socket.data.sessionRoom);
    presence
      .add(ONLINE, socket.data.identity, socket.id)
      .then(() => services.queue.markConnected(user.id))
      .catch((err: unknown) => log.warn({ err }, 'presence on connect failed'));
  }

  /** The place as the seeker sees it, from their entry and position (one read of the booth's numbers). */
  const placeFrom = async (boothId: string, entry: QueueEntry, position: number, onDuty?: number, booked = false): Promise<QueuePlace> => {
    const waiting = entry.status === 'waiting';
    const [recruiters, median, employerName] = await Promise.all([
      onDuty ?? presence.count(dutyRoom(boothId)),
      publisher.medianOf(boothId),
      publisher.employerNameOf(boothId),
    ]);
    return {
      boothId,
      employerName,
      entryId: entry.id,
      status: entry.status,
      position: waiting ? position : 0,
      etaSeconds: waiting ? services.queue.estimateSeconds(position, recruiters, median) : 0,
      acceptBy: entry.acceptBy?.toISOString() ?? null,
      booked,
      onSite: entry.onSite,
    };
  };

  const placeOf = async (boothId: string): Promise<QueuePlace> => {
    const mine = await services.queue.placeIn(user!.id, boothId);
    if (!mine) throw new ServiceError('NOT_FOUND', 'You are not in this line');
    return placeFrom(boothId, mine.entry, mine.position, undefined, mine.booked);
  };

  conn.on('queue:join', async ({ boothId, onSite }) => {
    // The rate limit and the booth's recruiters on duty are independent Redis reads: one wait, not two.
    const [allowed, onDuty] = await Promise.all([user ? deps.joinLimiter.take(user.id) : true, presence.count(dutyRoom(boothId))]);
    if (!allowed) throw new ServiceError('RATE_LIMITED', 'Too many joins; wait a moment');
    // The join's statement returns the entry with its position: no second read for the answer.
    const { entry, position } = await services.queue.join(user, boothId, onDuty > 0, { onSite: onSite ?? false });
    return placeFrom(boothId, entry, position, onDuty);
  });

  conn.on('queue:leave', async ({ boothId }) => {
    await services.queue.leave(user, boothId);
    return null;
  });

  conn.on('queue:places', async () => {
    if (!user) return [];
    const places = await services.queue.placesOf(user.id);
    return Promise.all(places.map((p) => placeOf(p.entry.boothId)));
  });

  conn.on('queue:accept', async ({ entryId }) => {
    const interview = await services.queue.accept(user, entryId);
    deps.io.to(userRoom(interview.recruiterId)).emit('interview:ready', { interviewId: interview.id });
    // Every page of the seeker follows (the walk-in page says "at the desk").
    await publisher.tell({
      id: entryId,
      boothId: interview.boothId,
      seekerId: interview.seekerId,
      status: 'interviewing',
      onSite: interview.mode === 'on_site',
    });
    return { interviewId: interview.id };
  });

  conn.on('queue:duty', async ({ boothId, onDuty }) => {
    await services.queue.requireStaff(user, boothId);
    if (!(await joinStaffRoom(socket, services, boothId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only the booth’s recruiters can do this');
    }
    if (onDuty) {
      await presence.add(dutyRoom(boothId), socket.data.identity, socket.id);
      dutyOf.add(boothId);
    } else {
      await presence.remove(dutyRoom(boothId), socket.data.identity, socket.id);
      dutyOf.delete(boothId);
    }
    await publisher.publishNow(boothId);
    return {
      boothId,
      line: [],
      stats: {
        waiting: 0,
        onDuty: await presence.count(dutyRoom(boothId)),
        medianWaitSeconds: null,
        medianInterviewSeconds: null,
        interviewed: 0,
        interviewsToday: 0,
        visited: 0,
        conversion: 0,
      },
    };
  });

  conn.on('queue:call-next', async ({ boothId }) => {
    const entry = await services.queue.callNext(user, boothId);
    if (!entry) return null;
    log.info({ boothId, entryId: entry.id }, 'called');
    return { entryId: entry.id };
  });

  conn.on('queue:call', async ({ boothId, entryId, reason }) => {
    const entry = await services.queue.callSpecific(user, boothId, entryId, reason);
    log.info({ boothId, entryId, reason }, 'called out of turn');
    return { entryId: entry.id };
  });

  conn.on('queue:arrived', async ({ boothId, entryId }) => {
    const interview = await services.queue.arrivedAtDesk(user, boothId, entryId);
    await publisher.tell({ id: entryId, boothId, seekerId: interview.seekerId, status: 'interviewing', onSite: true });
    log.info({ boothId, entryId, interviewId: interview.id }, 'interview at the desk');
    return { interviewId: interview.id };
  });

  conn.onClose(async () => {
    const offDuty = [...dutyOf].map((boothId) =>
      presence
        .remove(dutyRoom(boothId), socket.data.identity, socket.id)
        .then(() => publisher.changed(boothId))
        .catch(() => {}),
    );
    await Promise.all(offDuty);
    if (!user) return;
    // The last of the user's connections gone: their waiting places start the grace period.
    await presence
      .remove(ONLINE, socket.data.identity, socket.id)
      .then(() => presence.connections(ONLINE, socket.data.identity))
      .then(async (open) => {
        if (open === 0) await services.queue.markDisconnected(user.id);
      })
      .catch((err: unknown) => log.warn({ err }, 'presence on disconnect failed'));
  });
}
